"""E-mail backends that fail the way a broken mail server does, for EMAIL_BACKEND in tests."""

from django.core.mail.backends.base import BaseEmailBackend


class RefusingBackend(BaseEmailBackend):
    """The mail server refuses the connection (nothing listens on its port)."""

    def send_messages(self, email_messages):
        raise ConnectionRefusedError(111, "Connection refused")
