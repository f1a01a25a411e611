"""Behind a reverse proxy: sign-in lockouts count the real client, never the proxy (issue 13).

django-axes takes the address from tracker.security.client_ip, the helper the rate limits use, with
the same trusted-proxy setting (RATE_LIMIT_TRUST_X_FORWARDED_FOR): the proxy's last X-Forwarded-For
hop. So five wrong passwords from one client lock that client out, not every user of the proxy.
"""

from __future__ import annotations

import datetime
import logging

import pytest
from axes.helpers import get_client_ip_address
from axes.models import AccessAttempt
from django.test import RequestFactory

from tracker.security import client_ip

pytestmark = pytest.mark.django_db

PASSWORD = "correct-horse-battery-staple"  # tests.conftest.make_user's
PROXY = "10.0.0.2"
ATTACKER = "203.0.113.9"
EDITOR_AT_HOME = "198.51.100.7"
T0 = datetime.datetime(2026, 11, 25, 9, 0, tzinfo=datetime.UTC)


@pytest.fixture
def behind_proxy(settings):
    settings.RATE_LIMIT_TRUST_X_FORWARDED_FOR = True


def _password_step(client, username: str, password: str, *, client_address: str, spoofed: str = ""):
    """The wizard's password step as the proxy passes it on: from the proxy, naming the client last."""
    forwarded = f"{spoofed}, {client_address}" if spoofed else client_address
    return client.post(
        "/account/login/",
        {"login_view-current_step": "auth", "auth-username": username, "auth-password": password},
        REMOTE_ADDR=PROXY,
        HTTP_X_FORWARDED_FOR=forwarded,
    )


def _fail_five_times(client, username="monitor", address=ATTACKER):
    """Five wrong passwords: the fifth is the one that locks out (django-axes answers it with the 429)."""
    statuses = [
        _password_step(client, username, "wrong-password-123", client_address=address).status_code for _ in range(5)
    ]
    assert statuses == [200, 200, 200, 200, 429]


def test_a_lockout_is_the_clients_not_the_proxys(client, monitor, behind_proxy):
    _fail_five_times(client)
    assert _password_step(client, "monitor", PASSWORD, client_address=ATTACKER).status_code == 429
    # The monitor, at another address behind the same proxy, signs in.
    assert _password_step(client, "monitor", PASSWORD, client_address=EDITOR_AT_HOME).status_code == 302
    assert list(AccessAttempt.objects.values_list("ip_address", flat=True)) == [ATTACKER]


def test_an_invented_left_hop_does_not_dodge_the_lockout(client, monitor, behind_proxy):
    for n in range(5):
        _password_step(client, "monitor", "wrong-password-123", client_address=ATTACKER, spoofed=f"192.0.2.{n}")
    response = _password_step(client, "monitor", PASSWORD, client_address=ATTACKER, spoofed="192.0.2.99")
    assert response.status_code == 429


def test_without_a_trusted_proxy_the_header_is_ignored(client, monitor):
    """Not behind a proxy: a client sending X-Forwarded-For itself cannot pick its address."""
    for n in range(5):
        _password_step(client, "monitor", "wrong-password-123", client_address=f"192.0.2.{n}")
    assert _password_step(client, "monitor", PASSWORD, client_address="192.0.2.77").status_code == 429
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {PROXY}


def test_the_log_names_the_real_client(client, monitor, behind_proxy, caplog):
    with caplog.at_level(logging.INFO, logger="tracker.security"):
        _fail_five_times(client)
        _password_step(client, "monitor", PASSWORD, client_address=ATTACKER)
    lines = [r.getMessage() for r in caplog.records if r.name == "tracker.security"]
    # Five wrong passwords, then the right one refused during the lockout: six failures.
    assert lines.count(f"login failed user=monitor ip={ATTACKER} path=/account/login/") == 6
    assert f"lockout user=monitor ip={ATTACKER}" in lines
    assert not [line for line in lines if PROXY in line]


def test_failures_during_a_lockout_do_not_start_the_hour_again(client, monitor, behind_proxy, time_machine):
    time_machine.move_to(T0)
    _fail_five_times(client)
    time_machine.move_to(T0 + datetime.timedelta(minutes=50))
    assert _password_step(client, "monitor", "wrong-password-123", client_address=ATTACKER).status_code == 429
    time_machine.move_to(T0 + datetime.timedelta(minutes=61))
    assert _password_step(client, "monitor", PASSWORD, client_address=ATTACKER).status_code == 302


@pytest.mark.parametrize(
    ("remote", "forwarded", "trusted", "expected"),
    [
        (PROXY, f"192.0.2.1, {ATTACKER}", True, ATTACKER),
        (PROXY, "2001:db8::7", True, "2001:db8::7"),
        (PROXY, "not-an-address", True, PROXY),
        (PROXY, f"{ATTACKER}, ", True, PROXY),
        (PROXY, "", True, PROXY),
        (PROXY, ATTACKER, False, PROXY),
    ],
)
def test_axes_and_the_rate_limits_read_one_address(settings, remote, forwarded, trusted, expected):
    settings.RATE_LIMIT_TRUST_X_FORWARDED_FOR = trusted
    request = RequestFactory().get("/", REMOTE_ADDR=remote, HTTP_X_FORWARDED_FOR=forwarded)
    assert client_ip(request) == expected
    assert get_client_ip_address(request) == expected
