"""Following by e-mail, safely: links without the address, a clear page when mail fails, no way to
learn whether an address already follows something (issue 13)."""

from __future__ import annotations

import logging
import re
import socket
import time

import pytest
from django.core import signing
from django.urls import reverse
from django.utils import timezone

from alerts.models import CONFIRM_SALT, UNSUBSCRIBE_SALT, Kind, Subscription
from alerts.views import MAIL_RETRY_AFTER
from tests import factories as f

pytestmark = pytest.mark.django_db

ADDRESS = "reader@example.org"
REFUSING = "tests.alerts.mail_backends.RefusingBackend"


def _follow(client, court, email=ADDRESS):
    return client.post(f"/follow/court/{court.pk}/", {"email": email})


def _page(response) -> str:
    """The page with what differs between any two requests (CSP nonces, CSRF tokens) taken out."""
    text = response.content.decode()
    text = re.sub(r'nonce="[^"]*"', 'nonce=""', text)
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', 'name="csrfmiddlewaretoken"', text)


def _token(message, name: str) -> str:
    match = re.search(rf"/follow/{name}/([^/\s]+)/", message.body)
    assert match, message.body
    return match.group(1)


def test_confirmation_link_carries_the_id_not_the_address(client, mailoutbox):
    court = f.CourtFactory()
    _follow(client, court)
    (message,) = mailoutbox
    token = _token(message, "confirm")
    subscription = Subscription.objects.get()
    assert "reader" not in message.body.split("confirm within 7 days")[1]
    payload = signing.b64_decode(token.split(":")[0].encode())
    assert payload == str(subscription.pk).encode()
    assert signing.loads(token, salt=CONFIRM_SALT) == subscription.pk
    assert client.get(f"/follow/confirm/{token}/").status_code == 200
    subscription.refresh_from_db()
    assert subscription.is_active


def test_unsubscribe_token_carries_the_id_only_and_old_links_still_work(client):
    subscription = Subscription.objects.create(email=ADDRESS, kind=Kind.SEARCH, confirmed_at=timezone.now())
    token = subscription.unsubscribe_token()
    assert signing.b64_decode(token.split(":")[0].encode()) == str(subscription.pk).encode()
    legacy = signing.dumps({"id": subscription.pk, "email": ADDRESS}, salt=UNSUBSCRIBE_SALT)
    assert Subscription.from_token(legacy, salt=UNSUBSCRIBE_SALT) == subscription
    wrong_address = signing.dumps({"id": subscription.pk, "email": "other@example.org"}, salt=UNSUBSCRIBE_SALT)
    assert Subscription.from_token(wrong_address, salt=UNSUBSCRIBE_SALT) is None
    assert client.post(reverse("alerts:unsubscribe", args=[token])).status_code == 200
    subscription.refresh_from_db()
    assert subscription.unsubscribed_at is not None


def test_a_forged_token_for_another_id_is_refused(client):
    subscription = Subscription.objects.create(email=ADDRESS, kind=Kind.SEARCH)
    forged = signing.dumps(subscription.pk, salt=CONFIRM_SALT, key="not-the-secret-key-" + "x" * 40)
    assert client.get(f"/follow/confirm/{forged}/").status_code == 400
    assert client.get(f"/follow/confirm/{subscription.unsubscribe_token()}/").status_code == 400
    subscription.refresh_from_db()
    assert subscription.confirmed_at is None


def test_an_address_that_already_follows_gets_the_same_page_and_a_note(client, mailoutbox):
    court = f.CourtFactory(name="ATC II, Karachi")
    follower = Subscription.objects.create(email=ADDRESS, kind=Kind.COURT, court=court, confirmed_at=timezone.now())
    already = _follow(client, court, ADDRESS)
    newcomer = _follow(client, court, "new@example.org")
    assert already.status_code == newcomer.status_code == 200
    assert _page(already) == _page(newcomer)
    assert [m.to for m in mailoutbox] == [[ADDRESS], ["new@example.org"]]
    assert mailoutbox[0].subject == "You already follow hearings at ATC II, Karachi"
    assert _token(mailoutbox[0], "unsubscribe") == follower.unsubscribe_token()
    assert mailoutbox[1].subject == "Confirm: follow hearings at ATC II, Karachi"
    assert Subscription.objects.count() == 2


def test_a_refusing_mail_server_gives_a_clear_503_page_and_saves_nothing(client, settings, caplog):
    settings.EMAIL_BACKEND = REFUSING
    court = f.CourtFactory()
    with caplog.at_level(logging.WARNING, logger="alerts"):
        response = _follow(client, court)
    assert response.status_code == 503
    assert response["Retry-After"] == str(MAIL_RETRY_AFTER)
    assert "We could not send the e-mail" in response.content.decode()
    assert "nothing was saved" in response.content.decode()
    assert not Subscription.objects.exists()
    (line,) = [r.getMessage() for r in caplog.records if r.name == "alerts"]
    assert re.fullmatch(r"follow e-mail not sent subscription=\d+ error=ConnectionRefusedError", line)
    assert ADDRESS not in caplog.text


def test_with_a_failing_mail_server_a_follower_and_a_newcomer_still_look_alike(client, settings):
    settings.EMAIL_BACKEND = REFUSING
    court = f.CourtFactory()
    confirmed_at = timezone.now()
    follower = Subscription.objects.create(email=ADDRESS, kind=Kind.COURT, court=court, confirmed_at=confirmed_at)
    already = _follow(client, court, ADDRESS)
    newcomer = _follow(client, court, "new@example.org")
    assert already.status_code == newcomer.status_code == 503
    assert _page(already) == _page(newcomer)
    assert list(Subscription.objects.values_list("pk", flat=True)) == [follower.pk]
    follower.refresh_from_db()
    assert follower.confirmed_at == confirmed_at and follower.unsubscribed_at is None


def test_a_pending_subscription_is_kept_when_its_reminder_cannot_be_sent(client, settings, mailoutbox):
    court = f.CourtFactory()
    _follow(client, court)
    settings.EMAIL_BACKEND = REFUSING
    assert _follow(client, court).status_code == 503
    assert Subscription.objects.count() == 1  # the first link still works


def test_a_mail_server_that_never_answers_times_out_into_the_clear_page(client, settings):
    """A real SMTP connection to a server that accepts and then says nothing: EMAIL_TIMEOUT, then 503."""
    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(1)
    try:
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT = silent.getsockname()
        settings.EMAIL_TIMEOUT = 1
        court = f.CourtFactory()
        started = time.monotonic()
        response = _follow(client, court)
        elapsed = time.monotonic() - started
    finally:
        silent.close()
    assert response.status_code == 503
    assert "We could not send the e-mail" in response.content.decode()
    assert elapsed < 10
    assert not Subscription.objects.exists()
