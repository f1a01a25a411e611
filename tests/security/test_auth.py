"""Staff sign-in: two factors everywhere staff go, lockout after repeated failures, a log without secrets."""

from __future__ import annotations

import logging
import re
from base64 import b32decode

import pytest
from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from incidents.models import Status
from tests import factories as f
from tests.conftest import login

pytestmark = pytest.mark.django_db

PASSWORD = "correct-horse-battery-staple"  # tests.conftest.make_user's
LOGIN = "/account/login/"


def _current_token(device: TOTPDevice) -> str:
    return f"{totp(device.bin_key, device.step, device.t0, device.digits, device.drift):06d}"


def _password_step(client, username: str, password: str = PASSWORD, **extra):
    return client.post(
        LOGIN,
        {"login_view-current_step": "auth", "auth-username": username, "auth-password": password},
        **extra,
    )


def test_admin_login_page_redirects_to_the_two_factor_wizard(client):
    response = client.get("/admin/login/")
    assert response.status_code == 302
    assert response["Location"].startswith("/account/login/?next=")


def test_login_wizard_page_answers(client):
    response = client.get(LOGIN)
    assert response.status_code == 200
    assert b'name="auth-username"' in response.content


def test_anonymous_admin_index_goes_to_login(client):
    response = client.get("/admin/")
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"] or response["Location"].startswith(LOGIN)


def test_verified_staff_session_from_conftest_login_reaches_the_admin(client, superuser):
    login(client, superuser)
    assert client.get("/admin/").status_code == 200


def test_password_only_session_without_device_is_sent_to_set_up_2fa(client, editor):
    login(client, editor, verified=False)
    response = client.get("/admin/")
    assert response.status_code == 302
    assert response["Location"] == "/account/two_factor/setup/?next=%2Fadmin%2F"
    response = client.get("/staff/worklist/")
    assert response["Location"] == "/account/two_factor/setup/?next=%2Fstaff%2Fworklist%2F"


def test_password_only_session_with_device_is_sent_back_to_enter_the_code(client, editor):
    TOTPDevice.objects.create(user=editor, name="default", confirmed=True)
    login(client, editor, verified=False)
    response = client.get("/staff/worklist/")
    assert response.status_code == 302
    assert response["Location"] == "/account/login/?next=/staff/worklist/"
    response = client.get("/admin/cases/case/")
    assert response["Location"] == "/account/login/?next=/admin/cases/case/"


def test_anonymous_staff_pages_go_to_login(client):
    response = client.get("/staff/anything/")
    assert response.status_code == 302
    assert response["Location"] == "/account/login/?next=/staff/anything/"


def test_password_and_totp_through_the_wizard_give_a_verified_session(client, superuser):
    device = TOTPDevice.objects.create(user=superuser, name="default", confirmed=True)
    response = _password_step(client, "root")
    assert response.status_code == 200
    assert b'name="token-otp_token"' in response.content
    # Not signed in yet after the password alone.
    assert client.get("/admin/").status_code == 302

    response = client.post(LOGIN, {"login_view-current_step": "token", "token-otp_token": _current_token(device)})
    assert response.status_code == 302
    assert client.get("/admin/").status_code == 200


def test_wrong_totp_code_does_not_sign_in(client, superuser):
    device = TOTPDevice.objects.create(user=superuser, name="default", confirmed=True)
    _password_step(client, "root")
    wrong = f"{(int(_current_token(device)) + 1) % 1_000_000:06d}"
    response = client.post(LOGIN, {"login_view-current_step": "token", "token-otp_token": wrong})
    assert response.status_code == 200
    assert client.get("/admin/").status_code == 302


def test_backup_code_signs_in_once(client, superuser):
    TOTPDevice.objects.create(user=superuser, name="default", confirmed=True)
    backup = StaticDevice.objects.create(user=superuser, name="backup")
    backup.token_set.create(token="abcd1234")
    _password_step(client, "root")
    client.post(LOGIN, {"login_view-current_step": "token", "wizard_goto_step": "backup"})
    response = client.post(LOGIN, {"login_view-current_step": "backup", "backup-otp_token": "abcd1234"})
    assert response.status_code == 302
    assert client.get("/admin/").status_code == 200
    assert backup.token_set.count() == 0  # used up


def test_five_failures_lock_the_username_and_address_out_even_with_the_right_password(client, monitor):
    for _ in range(5):
        response = _password_step(client, "monitor", "wrong-password-123")
    response = _password_step(client, "monitor")
    assert response.status_code == 429
    assert response["Retry-After"] == "3600"
    assert b"Too many failed sign-in attempts" in response.content
    # The same username from another address is not locked.
    # (The monitor has no device yet: the password step signs them in, unverified, and redirects.)
    other = _password_step(client, "monitor", REMOTE_ADDR="10.9.9.9")
    assert other.status_code == 302


def test_four_failures_do_not_lock(client, monitor):
    for _ in range(4):
        _password_step(client, "monitor", "wrong-password-123")
    response = _password_step(client, "monitor")
    assert response.status_code == 302


def test_login_failure_and_lockout_are_logged_without_the_password(client, monitor, caplog):
    secret = "Sup3r-secret-guess!"
    with caplog.at_level(logging.INFO, logger="tracker.security"):
        for _ in range(5):
            _password_step(client, "monitor", secret)
    messages = [r.getMessage() for r in caplog.records if r.name == "tracker.security"]
    assert sum("login failed user=monitor ip=127.0.0.1" in m for m in messages) == 5
    assert any(m.startswith("lockout user=monitor") for m in messages)
    assert secret not in caplog.text
    assert secret not in "".join(str(r.args) for r in caplog.records)


def test_successful_login_and_second_factor_are_logged_without_secrets(client, superuser, caplog):
    device = TOTPDevice.objects.create(user=superuser, name="default", confirmed=True)
    token = _current_token(device)
    with caplog.at_level(logging.INFO, logger="tracker.security"):
        _password_step(client, "root")
        client.post(LOGIN, {"login_view-current_step": "token", "token-otp_token": token})
        client.post("/account/logout/")
    messages = [r.getMessage() for r in caplog.records if r.name == "tracker.security"]
    assert any(m.startswith("login user=root") for m in messages)
    assert any(m.startswith("second factor verified user=root device=TOTPDevice") for m in messages)
    assert any(m.startswith("logout user=root") for m in messages)
    assert PASSWORD not in caplog.text
    assert token not in caplog.text


def test_permission_denied_is_logged(client, monitor, caplog):
    login(client, monitor)
    with caplog.at_level(logging.INFO, logger="tracker.security"):
        response = client.get("/admin/auth/user/")
    assert response.status_code == 403
    assert any(
        r.getMessage() == "refused status=403 user=monitor ip=127.0.0.1 method=GET path=/admin/auth/user/"
        for r in caplog.records
    )


@pytest.mark.parametrize("password", ["short-pw-1", "123456789012345", "password1234", "rootroot-admin"])
def test_weak_passwords_are_refused(password, django_user_model):
    user = django_user_model(username="rootroot-admin", email="rootroot@example.org")
    with pytest.raises(ValidationError):
        validate_password(password, user)


def test_a_long_unrelated_passphrase_is_accepted(django_user_model):
    user = django_user_model(username="monitor7")
    validate_password("tidal-marigold-lantern-94", user)


# --- First sign-in in a real browser (issue 13): what the browser asks for on its own, other tabs,
# the setup's secret, backup codes, signing out. The browser itself: tests/browser/test_first_signin.py.

SETUP = "/account/two_factor/setup/"
SECRET_ON_PAGE = re.compile(r'<code id="secret-key"[^>]*>((?:(?:<wbr>)?<span>[A-Z2-7]{1,4}</span>)+)</code>')


def _secret_shown(response) -> str:
    """The key written on the setup page (in groups of four, each its own <span>, <wbr> between)."""
    match = SECRET_ON_PAGE.search(response.content.decode())
    assert match, "the setup page shows the key for manual entry"
    return re.sub("<[^>]+>", "", match.group(1))


def _code_for(secret: str) -> str:
    """The code an authenticator app shows now for the key `secret` (base32, as on the setup page)."""
    return f"{totp(b32decode(secret)):06d}"


def _to_the_key_step(client) -> str:
    """A half-signed-in user opens the setup, passes the welcome step; returns the key shown."""
    assert client.get(SETUP).status_code == 200
    response = client.post(SETUP, {"setup_view-current_step": "welcome"})
    assert response.status_code == 200
    return _secret_shown(response)


def test_a_half_signed_in_user_gets_the_favicon_and_public_pages_as_the_public(client, editor):
    """The browser's own /favicon.ico and a public page in another tab are served, not redirected
    to the setup; and a password alone shows what the public sees (no draft, in pages or API)."""
    draft = f.IncidentFactory(title="Draft attack on a shrine", status=Status.DRAFT)
    f.IncidentFactory(title="Published attack on a mosque")
    login(client, editor, verified=False)

    icon = client.get("/favicon.ico")
    assert icon.status_code == 200
    assert icon["Content-Type"] == "image/x-icon"
    assert icon.content[:4] == b"\x00\x00\x01\x00"  # an ICO file
    assert icon.content == (settings.BASE_DIR / "static" / "favicon.ico").read_bytes()

    home = client.get("/")
    assert home.status_code == 200
    assert b"Published attack on a mosque" in home.content
    assert b"Draft attack on a shrine" not in home.content
    assert "no-store" in home["Cache-Control"]  # still a signed-in person's response
    assert client.get(f"/incidents/{draft.pk}/").status_code == 404
    api = client.get("/api/incidents/")
    assert api.status_code == 200
    assert [row["title"] for row in api.json()["results"]] == ["Published attack on a mosque"]
    # Still half signed in: staff pages send them to the setup.
    assert client.get("/staff/worklist/")["Location"] == f"{SETUP}?next=%2Fstaff%2Fworklist%2F"


def test_the_staff_calendar_feed_is_not_sent_to_the_setup(client, editor):
    """The feed's token is its credential (a calendar app signs in with nothing): an unknown one is 404."""
    login(client, editor, verified=False)
    assert client.get("/staff/calendar/not-a-real-token.ics").status_code == 404


def test_the_setup_secret_stays_the_same_across_gets_until_the_setup_completes(client, editor):
    login(client, editor, verified=False)
    secret = _to_the_key_step(client)
    assert len(secret) == 32

    # Another tab, the browser's own requests, a redirect from a staff page, a reload: same key.
    client.get("/favicon.ico")
    client.get("/")
    assert client.get("/admin/")["Location"] == f"{SETUP}?next=%2Fadmin%2F"
    again = client.get(f"{SETUP}?next=%2Fadmin%2F")
    assert again.status_code == 200
    assert _secret_shown(again) == secret
    assert _secret_shown(client.get(SETUP)) == secret
    assert client.session["django_two_factor-qr_secret_key"] == secret  # what the QR code encodes

    response = client.post(SETUP, {"setup_view-current_step": "generator", "generator-token": _code_for(secret)})
    assert response.status_code == 302
    assert response["Location"] == "/account/two_factor/setup/complete/"
    device = TOTPDevice.objects.get(user=editor)
    assert b32decode(secret) == device.bin_key
    assert "django_two_factor-qr_secret_key" not in client.session
    assert client.get("/admin/").status_code == 200


def test_a_code_from_another_key_is_refused_and_nothing_is_saved(client, editor):
    login(client, editor, verified=False)
    secret = _to_the_key_step(client)
    other = "A" * 32 if secret != "A" * 32 else "B" * 32
    response = client.post(SETUP, {"setup_view-current_step": "generator", "generator-token": _code_for(other)})
    assert response.status_code == 200
    assert b"Entered token is not valid." in response.content
    assert _secret_shown(response) == secret
    assert not TOTPDevice.objects.filter(user=editor).exists()


def test_backup_codes_are_made_and_shown_when_the_setup_completes(client, editor):
    login(client, editor, verified=False)
    secret = _to_the_key_step(client)
    client.post(
        f"{SETUP}?next=%2Fstaff%2Fworklist%2F",
        {"setup_view-current_step": "generator", "generator-token": _code_for(secret)},
    )
    codes = list(StaticDevice.objects.get(user=editor).token_set.order_by("pk").values_list("token", flat=True))
    assert len(codes) == 10
    assert len(set(codes)) == 10

    page = client.get("/account/two_factor/setup/complete/?next=%2Fstaff%2Fworklist%2F")
    assert page.status_code == 200
    html = page.content.decode()
    assert [c for c in codes if f"<code>{c}</code>" in html] == codes
    assert 'href="/account/two_factor/"' in html  # to see or renew them later
    assert '<a class="button" href="/staff/worklist/">Continue</a>' in html
    # Shown again on reload: the same codes, no new set.
    client.get("/account/two_factor/setup/complete/")
    assert StaticToken.objects.filter(device__user=editor).count() == 10
    # The backup-codes page lists the same ones; its button makes a new set.
    listing = client.get("/account/two_factor/backup/tokens/").content.decode()
    assert all(f"<code>{c}</code>" in listing for c in codes)
    client.post("/account/two_factor/backup/tokens/")
    renewed = set(StaticToken.objects.filter(device__user=editor).values_list("token", flat=True))
    assert len(renewed) == 10
    assert not renewed & set(codes)


def test_setup_complete_ignores_a_next_page_on_another_site(client, editor):
    login(client, editor)
    page = client.get("/account/two_factor/setup/complete/?next=https://evil.example/")
    # Mentioned only in the addresses of this same page in each language (the language switch and the
    # hreflang links keep the query string), never as a link target.
    mentions = re.findall(rb'href="([^"]*evil\.example[^"]*)"', page.content)
    assert len(mentions) == page.content.count(b"evil.example") == 3
    assert {m.split(b"?")[0] for m in mentions} == {
        b"/account/two_factor/setup/complete/",
        b"/ur/account/two_factor/setup/complete/",
    }
    assert b'<a class="button" href="/admin/">Continue</a>' in page.content


def test_a_backup_code_from_the_setup_signs_in(client, editor):
    login(client, editor, verified=False)
    secret = _to_the_key_step(client)
    client.post(SETUP, {"setup_view-current_step": "generator", "generator-token": _code_for(secret)})
    code = StaticToken.objects.filter(device__user=editor).order_by("pk").first().token
    client.post("/account/logout/")

    _password_step(client, "editor")
    client.post(LOGIN, {"login_view-current_step": "token", "wizard_goto_step": "backup"})
    response = client.post(LOGIN, {"login_view-current_step": "backup", "backup-otp_token": code})
    assert response.status_code == 302
    assert client.get("/admin/").status_code == 200
    assert StaticToken.objects.filter(device__user=editor).count() == 9


def test_the_setup_page_offers_sign_out_instead_of_a_cancel_that_loops(client, editor):
    login(client, editor, verified=False)
    html = client.get(SETUP).content.decode()
    assert 'action="/account/logout/"' in html
    assert "Cancel and sign out" in html
    assert 'href="/admin/"' not in html  # the old Cancel: the admin sent the user straight back here
    client.post("/account/logout/")
    assert client.get("/admin/")["Location"].startswith("/admin/login/")


def test_every_staff_page_has_a_sign_out_button(client, monitor):
    login(client, monitor)
    for path in ["/staff/worklist/", "/staff/hearings/record/", "/staff/review/", "/account/two_factor/", "/"]:
        html = client.get(path).content.decode()
        assert re.search(
            r'<form method="post" action="/account/logout/" class="signout-form">\s*'
            r'<input type="hidden" name="csrfmiddlewaretoken" value="[^"]+">',
            html,
        ), path
    admin = client.get("/admin/").content.decode()
    assert '<form id="logout-form" method="post" action="/admin/logout/">' in admin
    assert 'href="/account/two_factor/">Sign-in codes</a>' in admin


def test_logout_get_shows_the_sign_out_button_and_post_signs_out(client, monitor):
    login(client, monitor)
    page = client.get("/account/logout/")
    assert page.status_code == 200
    assert b"You are signed in as <strong>monitor</strong>" in page.content
    assert b'action="/account/logout/"' in page.content
    assert client.get("/staff/worklist/").status_code == 200  # a GET signs nobody out

    response = client.post("/account/logout/")
    assert response.status_code == 302
    assert response["Location"] == "/"
    assert response["Clear-Site-Data"] == '"cache"'
    assert client.get("/staff/worklist/")["Location"] == "/account/login/?next=/staff/worklist/"
    signed_out = client.get("/account/logout/")
    assert signed_out.status_code == 200
    assert b"You are not signed in." in signed_out.content


def test_logout_post_needs_the_csrf_token(monitor):
    from django.test import Client

    strict = login(Client(enforce_csrf_checks=True), monitor)
    assert strict.post("/account/logout/").status_code == 403
    assert strict.get("/staff/worklist/").status_code == 200  # still signed in


def test_pages_link_the_favicon(client, editor):
    assert b'<link rel="icon" href="/favicon.ico"' in client.get("/").content
    login(client, editor, verified=False)
    assert b'<link rel="icon" href="/favicon.ico"' in client.get(SETUP).content
    login(client, editor)
    assert b'<link rel="icon" href="/favicon.ico"' in client.get("/admin/").content


def test_from_the_login_wizard_the_setup_ends_on_the_backup_codes_then_goes_on(client, editor):
    """two_factor's login wizard keeps ?next= in the session for a user with no device; upstream the
    "setup complete" page then redirected there at once and the backup codes were never seen."""
    response = client.post(
        f"{LOGIN}?next=/admin/cases/",
        {"login_view-current_step": "auth", "auth-username": "editor", "auth-password": PASSWORD},
    )
    assert response["Location"] == SETUP
    secret = _to_the_key_step(client)
    response = client.post(SETUP, {"setup_view-current_step": "generator", "generator-token": _code_for(secret)})
    assert response["Location"] == "/account/two_factor/setup/complete/?next=%2Fadmin%2Fcases%2F"
    page = client.get(response["Location"])
    assert page.status_code == 200
    assert page.content.decode().count("<li><code>") == 10
    assert b'<a class="button" href="/admin/cases/">Continue</a>' in page.content
    assert "next" not in client.session
