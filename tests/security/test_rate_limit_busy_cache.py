"""The rate limit when the shared cache cannot count: never a 500 (a lost race, a locked SQLite)."""

import pytest

from tracker import middleware

pytestmark = pytest.mark.django_db


class BusyCache:
    """``add`` answers False without storing anything `busy` times (as Django's database cache does on
    "database is locked"), ``incr`` finds no counter until ``add`` stores one."""

    def __init__(self, busy: int):
        self.busy, self.values = busy, {}

    def incr(self, key):
        if key not in self.values:
            raise ValueError(key)
        self.values[key] += 1
        return self.values[key]

    def add(self, key, value, timeout=None):
        if self.busy:
            self.busy -= 1
            return False
        return self.values.setdefault(key, value) == value


def test_a_busy_cache_is_tried_again_and_the_request_counted(monkeypatch):
    cache = BusyCache(busy=2)
    monkeypatch.setattr(middleware, "cache", cache)
    assert middleware.RateLimitMiddleware._over_limit("api", "192.0.2.1", 2, 60) == 0
    assert list(cache.values.values()) == [1]
    assert middleware.RateLimitMiddleware._over_limit("api", "192.0.2.1", 2, 60) == 0
    assert middleware.RateLimitMiddleware._over_limit("api", "192.0.2.1", 2, 60) > 0  # the third of 2


def test_a_cache_that_never_counts_lets_the_request_through(monkeypatch, client, caplog):
    monkeypatch.setattr(middleware, "cache", BusyCache(busy=10**6))
    response = client.get("/api/courts/")
    assert response.status_code == 200
    assert "rate limit not counted limit=api" in caplog.text
