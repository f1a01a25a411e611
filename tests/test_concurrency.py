"""tracker/concurrency.py: independent reads made at once on pooled threads, only when that
cannot change a result, with the same result as one after the other."""

from __future__ import annotations

import datetime
import threading
import time

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cases.models import Case
from dashboard.api import statistics_payload
from incidents.models import Incident
from tests.api_world import assert_no_secrets, build_world
from tracker import concurrency

TODAY = datetime.date(2026, 11, 25)


def _thread() -> str:
    return threading.current_thread().name


def test_calls_run_at_once_on_pool_threads_and_come_back_in_order(settings):
    settings.STATS_THREADS = 4
    barrier = threading.Barrier(3, timeout=10)

    def meet(value):
        barrier.wait()  # passes only if three calls are running at the same time
        return value, _thread()

    results = concurrency.run_concurrently(lambda: meet("a"), lambda: meet("b"), lambda: meet("c"))
    assert [value for value, _ in results] == ["a", "b", "c"]
    assert results[0][1] == _thread()  # the first call runs in the caller's thread
    assert len({thread for _, thread in results}) == 3
    assert all(thread.startswith("stats") for _, thread in results[1:])


def test_one_thread_setting_runs_calls_in_turn(settings):
    settings.STATS_THREADS = 1
    assert concurrency.run_concurrently(_thread, _thread) == [_thread(), _thread()]
    assert not concurrency.runs_concurrently(2)


def test_a_single_call_runs_in_the_callers_thread(settings):
    settings.STATS_THREADS = 4
    assert concurrency.run_concurrently(_thread) == [_thread()]


@pytest.mark.django_db
def test_inside_a_transaction_calls_run_in_turn(settings):
    """The test's transaction holds uncommitted rows another connection could not see."""
    settings.STATS_THREADS = 4
    assert connection.in_atomic_block
    assert not concurrency.runs_concurrently(2)
    assert concurrency.run_concurrently(_thread, _thread, _thread) == [_thread()] * 3


def test_an_exception_in_a_pooled_call_reaches_the_caller(settings):
    settings.STATS_THREADS = 3
    finished = []

    def fail():
        raise ValueError("bad figure")

    def slow():
        finished.append(True)
        return 1

    with pytest.raises(ValueError, match="bad figure"):
        concurrency.run_concurrently(lambda: 0, fail, slow)
    assert finished == [True]  # every call was waited for


def test_an_exception_in_the_first_call_still_waits_for_the_others(settings):
    settings.STATS_THREADS = 2
    started, release, finished = threading.Event(), threading.Event(), []

    def first():
        started.wait(10)
        release.set()
        raise KeyError("first")

    def pooled():
        started.set()
        release.wait(10)
        finished.append(True)

    with pytest.raises(KeyError):
        concurrency.run_concurrently(first, pooled)
    assert finished == [True]


def test_a_pooled_call_that_asks_again_runs_its_calls_in_turn(settings):
    """One pool thread, whose task itself asks for two calls at once: no deadlock, no new thread."""
    settings.STATS_THREADS = 2

    def nested():
        return concurrency.run_concurrently(_thread, _thread)

    first, inner = concurrency.run_concurrently(_thread, nested)
    assert first == _thread()
    assert inner[0] == inner[1] != _thread()


def test_a_forked_process_makes_its_own_pool(settings, monkeypatch):
    settings.STATS_THREADS = 2
    parent = concurrency._executor()
    assert concurrency._executor() is parent
    monkeypatch.setattr(concurrency.os, "getpid", lambda: -1)
    assert concurrency._executor() is not parent
    parent.shutdown()


@pytest.mark.django_db(transaction=True)
def test_statistics_at_once_equal_statistics_in_turn(settings):
    """Committed data (no test transaction): the pool is used, and every figure is the same."""
    build_world()
    incidents, cases = Incident.objects.public(), Case.objects.public()
    settings.STATS_THREADS = 1
    in_turn = statistics_payload(incidents=incidents, cases=cases, today=TODAY)
    settings.STATS_THREADS = 4
    assert concurrency.runs_concurrently(5)
    with CaptureQueriesContext(connection) as own:
        at_once = statistics_payload(incidents=incidents, cases=cases, today=TODAY)
    assert at_once == in_turn
    assert in_turn["incidents"] > 0 and in_turn["courts"]["scorecards"]
    # The request's connection made only its share of the queries: the rest ran on the pool's.
    with CaptureQueriesContext(connection) as all_queries:
        settings.STATS_THREADS = 1
        statistics_payload(incidents=incidents, cases=cases, today=TODAY)
    assert 0 < len(own.captured_queries) < len(all_queries.captured_queries)


@pytest.mark.django_db(transaction=True)
def test_statistics_pages_at_once_show_nothing_hidden(client, settings):
    build_world()
    settings.STATS_THREADS = 4
    for name in ("dashboard:statistics", "api:api-statistics"):
        response = client.get(reverse(name))
        assert response.status_code == 200
        assert_no_secrets(response.content.decode())


@pytest.mark.django_db(transaction=True)
def test_reset_closes_the_pool_threads_connections(settings):
    build_world()
    concurrency.reset()
    postgresql = connection.vendor == "postgresql"
    before = _backends() if postgresql else 0  # this test's connection (and any other test's left open)
    settings.STATS_THREADS = 4
    statistics_payload(incidents=Incident.objects.public(), cases=Case.objects.public(), today=TODAY)
    if postgresql:
        assert _backends() > before
    concurrency.reset()
    assert concurrency._pool is None
    if postgresql:
        # A closed connection's backend leaves pg_stat_activity a moment after the client hangs up.
        deadline = time.monotonic() + 10
        while _backends() > before and time.monotonic() < deadline:
            time.sleep(0.05)
        assert _backends() == before


def _backends() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()")
        return cursor.fetchone()[0]
