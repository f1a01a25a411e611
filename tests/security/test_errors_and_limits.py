"""Generic error pages that leak nothing, 503 for a dead database, rate limits with Retry-After."""

from __future__ import annotations

import pytest
from django.db.utils import OperationalError
from django.test import Client, override_settings

from tests.security.error_urls import SECRET
from tracker.views import server_error

pytestmark = pytest.mark.django_db

LOW_LIMITS = {"api": (3, 60), "csv": (2, 60), "follow": (2, 60)}


@pytest.fixture
def quiet_client():
    """A client that gets the error response instead of the exception."""
    return Client(raise_request_exception=False)


@override_settings(ROOT_URLCONF="tests.security.error_urls")
@pytest.mark.parametrize(
    ("path", "status", "heading"),
    [
        ("/test-errors/boom/", 500, b"Something went wrong"),
        ("/test-errors/database-gone/", 503, b"Temporarily unavailable"),
        ("/test-errors/connection-closed/", 503, b"Temporarily unavailable"),
        ("/test-errors/forbidden/", 403, b"Not allowed"),
        ("/test-errors/bad/", 400, b"Bad request"),
        ("/no-such-page/", 404, b"Page not found"),
    ],
)
def test_error_pages_are_generic(quiet_client, path, status, heading):
    response = quiet_client.get(path)
    assert response.status_code == status
    assert heading in response.content
    for leak in (SECRET.encode(), b"Traceback", b"10.1.2.3", b"tracker_rw", b"settings", b"DEBUG"):
        assert leak not in response.content
    assert response["Content-Security-Policy"]


@override_settings(ROOT_URLCONF="tests.security.error_urls")
def test_dead_database_answers_503_with_retry_after_and_no_store(quiet_client):
    response = quiet_client.get("/test-errors/database-gone/")
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert "no-store" in response["Cache-Control"]


def test_database_failure_outside_a_view_also_gives_503(rf):
    """handler500 sees the exception Django is handling: a dead database raised in a middleware → 503."""
    request = rf.get("/")
    try:
        raise OperationalError(SECRET)
    except OperationalError:
        response = server_error(request)
    assert response.status_code == 503
    assert SECRET.encode() not in response.content
    try:
        raise RuntimeError(SECRET)
    except RuntimeError:
        response = server_error(request)
    assert response.status_code == 500


@override_settings(RATE_LIMITS=LOW_LIMITS)
def test_api_is_limited_per_address_with_retry_after(client):
    statuses = [client.get("/api/no-such-endpoint/").status_code for _ in range(3)]
    assert 429 not in statuses
    response = client.get("/api/incidents/")
    assert response.status_code == 429
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"detail": "Too many requests. Please slow down and try again shortly."}
    assert 1 <= int(response["Retry-After"]) <= 60
    # Another address has its own count.
    assert client.get("/api/no-such-endpoint/", REMOTE_ADDR="10.0.0.7").status_code == 404


@override_settings(RATE_LIMITS=LOW_LIMITS)
def test_any_csv_download_is_limited(client):
    client.get("/?format=csv")
    client.get("/incidents/?format=csv")
    response = client.get("/cases/?format=csv&page=2")
    assert response.status_code == 429
    assert b"Too many requests" in response.content
    assert int(response["Retry-After"]) >= 1
    # Pages without format=csv are not counted against it.
    assert client.get("/no-such-page/").status_code == 404


@override_settings(RATE_LIMITS=LOW_LIMITS)
def test_follow_endpoints_are_limited(client):
    client.post("/follow/")
    client.get("/follow/x/")
    assert client.post("/follow/").status_code == 429


@override_settings(RATE_LIMITS={**LOW_LIMITS, "api": (1, 60)})
def test_limit_is_per_window_counter_and_logged(client, caplog):
    client.get("/api/x/")
    with caplog.at_level("WARNING", logger="tracker.security"):
        assert client.get("/api/x/").status_code == 429
    assert "rate limited limit=api ip=127.0.0.1 path=/api/x/" in caplog.text


@override_settings(RATE_LIMITS=LOW_LIMITS, RATE_LIMIT_TRUST_X_FORWARDED_FOR=True)
def test_behind_a_trusted_proxy_the_forwarded_address_is_counted(client):
    for _ in range(3):
        client.get("/api/x/", HTTP_X_FORWARDED_FOR="203.0.113.9, 198.51.100.1")
    assert client.get("/api/x/", HTTP_X_FORWARDED_FOR="198.51.100.1").status_code == 429
    assert client.get("/api/x/", HTTP_X_FORWARDED_FOR="198.51.100.2").status_code == 404


def test_default_limits_are_generous(settings):
    assert settings.RATE_LIMITS["api"][0] >= 300
    assert settings.RATE_LIMITS["csv"][0] >= 30
