"""Staff sign-in: two factors everywhere staff go, lockout after repeated failures, a log without secrets."""

from __future__ import annotations

import logging

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

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
    assert response["Location"] == "/account/two_factor/setup/"
    response = client.get("/staff/worklist/")
    assert response["Location"] == "/account/two_factor/setup/"


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


def test_password_only_session_sees_no_page_until_the_second_factor(client, editor):
    """A password alone (no device yet) never reaches public pages as staff (drafts), only the 2FA setup."""
    login(client, editor, verified=False)
    for path in ["/", "/incidents/1/", "/api/incidents/"]:
        response = client.get(path)
        assert response.status_code == 302, path
        assert response["Location"] == "/account/two_factor/setup/"
    assert client.get("/account/two_factor/setup/").status_code == 200
