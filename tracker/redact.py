"""Secrets out of log lines: the one rule for Django's logging and gunicorn's access log.

Some URLs carry a credential: the staff iCalendar feed (``/staff/calendar/<token>.ics``: calendar
apps cannot sign in, so the token is the password), the e-mail confirmation and unsubscribe links
(``/follow/confirm/<token>/``), and any query parameter named like a secret. A log line keeps the
rest of the URL (which page, which filter) and shows ``[redacted]`` in place of the secret.

No Django import here: gunicorn's logger (deploy/gunicorn.conf.py) loads this module before Django
is set up.
"""

from __future__ import annotations

import logging
import re

REDACTED = "[redacted]"

# A secret in the path: the part after one of these prefixes, up to the next "/" or "." (…/x.ics).
_PATH_SECRET = re.compile(r"(/staff/calendar/|/follow/confirm/|/follow/unsubscribe/)(?!token/)[^/.?#\s\"']+")
# A secret in a query string (or a form-encoded body quoted in a message): the value of such a parameter.
_QUERY_SECRET = re.compile(
    r"([?&;](?:token|key|secret|signature|password|otp_token|code)=)[^&;#\s\"']*",
    re.IGNORECASE,
)


def redact(text: str) -> str:
    """`text` with every URL secret replaced by [redacted]; anything else unchanged."""
    if not isinstance(text, str) or ("/" not in text and "=" not in text):
        return text
    text = _PATH_SECRET.sub(rf"\g<1>{REDACTED}", text)
    return _QUERY_SECRET.sub(rf"\g<1>{REDACTED}", text)


class RedactingFilter(logging.Filter):
    """A logging filter that formats the record's message and redacts it (a secret can sit in the args).

    Put on a handler, it sees every record the handler writes, from every logger (django.request's
    "Not Found: /staff/calendar/<token>.ics" included).
    """

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # noqa: BLE001 - a malformed call (args that do not fit): keep both, redacted
            message = f"{record.msg} {record.args!r}"
            record.msg, record.args = redact(message), None
            return True
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        return True
