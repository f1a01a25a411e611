"""State shared by every process and host (issue 13 item 3) and statistics that cannot be stale (issue 12 item 3).

- the cache backends (tracker/cache.py): the database cache's table exists after migrate and counts
  exactly when threads count at once; Redis values are signed and nothing unsigned is unpickled;
- the data version (tracker/dataversion.py): every write path moves it (save, update(), bulk_create,
  raw SQL, SQL outside the app), one count per transaction, and on PostgreSQL a writer's open
  transaction never holds up another's commit;
- the statistics cache (dashboard/cache.py): keyed by the normalised filters, the day and the
  version; one computation for eight readers; previous figures marked while new ones are made;
  the background refresh after a commit, debounced;
- uploads for the admin import wait in a private folder of the project, not in /tmp.

Tests that need Redis skip without one, except under CI=true, where they fail.
"""

from __future__ import annotations

import datetime
import os
import pickle
import threading
import time

import pytest
from django.core.cache import cache, caches
from django.db import connection
from django.http import QueryDict

from dashboard import cache as statistics_cache
from dashboard.api import statistics_filters
from incidents.models import Incident
from tests.committing import committed
from tests.factories import IncidentFactory
from tracker import dataversion
from tracker.cache import BadSignature, SignedSerializer
from tracker.dataversion import VERSION_KEY, current_version, database_version

REDIS_URL = os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/15"
DAY = datetime.date(2026, 11, 25)


def redis_or_skip() -> str:
    """A Redis server's URL; skips without one (fails under CI, where one must run)."""
    import redis

    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping()
    except redis.RedisError as error:
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI needs Redis at {REDIS_URL}: {error}")
        pytest.skip(f"no Redis server at {REDIS_URL} ({error})")
    return REDIS_URL


def redis_cache_settings(prefix: str) -> dict:
    return {
        "default": {
            "BACKEND": "tracker.cache.RedisCache",
            "LOCATION": redis_or_skip(),
            "KEY_PREFIX": prefix,
            "OPTIONS": {"serializer": "tracker.cache.SignedSerializer"},
        }
    }


DATABASE_CACHE = {"default": {"BACKEND": "tracker.cache.DatabaseCache", "LOCATION": "tracker_cache"}}


# --- The cache backends --------------------------------------------------------------------------


@pytest.mark.django_db
def test_migrate_makes_the_database_cache_table():
    assert "tracker_cache" in connection.introspection.table_names()


@pytest.mark.django_db
def test_database_cache_counts_and_keeps_the_expiry(settings):
    settings.CACHES = DATABASE_CACHE
    db_cache = caches["default"]
    assert db_cache.add("hits", 0, timeout=30) is True
    assert db_cache.add("hits", 0, timeout=30) is False  # add never resets a count
    assert [db_cache.incr("hits") for _ in range(3)] == [1, 2, 3]
    assert db_cache.incr("hits", 10) == 13 and db_cache.get("hits") == 13
    with connection.cursor() as cursor:
        cursor.execute("SELECT expires FROM tracker_cache")
        (expires,) = cursor.fetchone()
    assert expires is not None  # kept by incr (Django's own incr would reset it to the default timeout)
    with pytest.raises(ValueError):
        db_cache.incr("no-such-key")


@pytest.mark.django_db
def test_database_cache_clear_removes_only_this_sites_keys(settings):
    settings.CACHES = {"default": DATABASE_CACHE["default"] | {"KEY_PREFIX": "site_a"}}
    caches["default"].set("page", "a")
    settings.CACHES = {"default": DATABASE_CACHE["default"] | {"KEY_PREFIX": "siteXa"}}  # "_" is no wildcard
    caches["default"].set("page", "other site")
    settings.CACHES = {"default": DATABASE_CACHE["default"] | {"KEY_PREFIX": "site_a"}}
    caches["default"].clear()
    assert caches["default"].get("page") is None
    settings.CACHES = {"default": DATABASE_CACHE["default"] | {"KEY_PREFIX": "siteXa"}}
    assert caches["default"].get("page") == "other site"


@pytest.mark.django_db(transaction=True)
def test_database_cache_counts_exactly_when_threads_count_at_once(settings):
    """Eight threads, each on its own database connection, count 25 times each: 200, none lost."""
    if connection.vendor == "sqlite":
        pytest.skip(
            "SQLite's in-memory test database is shared by threads through one cache; "
            "tests/test_multiprocess.py counts across processes on an SQLite file"
        )
    settings.CACHES = DATABASE_CACHE
    caches["default"].add("shared-count", 0, timeout=60)
    errors = []

    def count():
        try:
            for _ in range(25):
                caches["default"].incr("shared-count")
        except Exception as error:  # noqa: BLE001  (reported below)
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=count) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert caches["default"].get("shared-count") == 200


def test_signed_serializer_round_trip_and_plain_integers():
    serializer = SignedSerializer()
    assert serializer.dumps(7) == 7  # Redis counts plain integers
    assert serializer.loads(b"7") == 7
    value = {"page": (b"<html>", [("Content-Type", "text/html")])}
    assert serializer.loads(serializer.dumps(value)) == value


class Planted:
    """A pickle that would run code when loaded."""

    ran = False

    def __reduce__(self):
        return (Planted._run, ())

    @staticmethod
    def _run():
        Planted.ran = True


def test_an_unsigned_or_tampered_pickle_is_refused_without_running_it():
    serializer = SignedSerializer()
    with pytest.raises(BadSignature):
        serializer.loads(pickle.dumps(Planted()))
    signed = serializer.dumps("figures")
    tampered = signed[:-1] + bytes([signed[-1] ^ 1])
    with pytest.raises(BadSignature):
        serializer.loads(tampered)
    forged = signed[: len(signed) - len(pickle.dumps("figures", pickle.HIGHEST_PROTOCOL))] + pickle.dumps(Planted())
    with pytest.raises(BadSignature):
        serializer.loads(forged)
    assert Planted.ran is False


def test_redis_cache_ignores_a_value_planted_by_another_local_user(settings):
    settings.CACHES = redis_cache_settings(f"planted-{os.getpid()}")
    redis_cache = caches["default"]
    try:
        redis_cache.set("page", (b"ours", []))
        client = redis_cache._cache.get_client(write=True)
        client.set(redis_cache.make_key("page"), pickle.dumps(Planted()))  # written straight into Redis
        assert redis_cache.get("page", "absent") == "absent"
        assert Planted.ran is False
    finally:
        redis_cache.clear()


def test_redis_incr_counts_in_one_round_trip_keeps_the_expiry_and_never_creates_a_key(settings, monkeypatch):
    import redis

    settings.CACHES = redis_cache_settings(f"incr-{os.getpid()}")
    redis_cache = caches["default"]
    client = redis_cache._cache.get_client(write=True)
    try:
        with pytest.raises(ValueError):
            redis_cache.incr("hits")
        assert client.exists(redis_cache.make_key("hits")) == 0  # a missing counter is not made
        redis_cache.add("hits", 1, timeout=60)
        commands = []
        execute = redis.Redis.execute_command
        monkeypatch.setattr(
            redis.Redis, "execute_command", lambda self, *a, **k: commands.append(a[0]) or execute(self, *a, **k)
        )
        assert [redis_cache.incr("hits") for _ in range(2)] == [2, 3] and redis_cache.incr("hits", 10) == 13
        monkeypatch.undo()
        assert commands == ["EVAL"] * 3  # one command each
        assert 0 < client.ttl(redis_cache.make_key("hits")) <= 60
    finally:
        redis_cache.clear()


def test_redis_cache_clear_removes_only_this_sites_keys(settings):
    redis_or_skip()
    prefix = f"clear-{os.getpid()}"
    settings.CACHES = redis_cache_settings(prefix)
    ours = caches["default"]
    client = ours._cache.get_client(write=True)
    client.set(f"other-site-{os.getpid()}", b"kept")
    try:
        ours.set("a", 1)
        ours.set("b", "two")
        ours.clear()
        assert ours.get("a") is None and ours.get("b") is None
        assert client.get(f"other-site-{os.getpid()}") == b"kept"
    finally:
        client.delete(f"other-site-{os.getpid()}")


def test_redis_counts_atomically_across_clients(settings):
    """Two cache objects (two connection pools, as two processes would have) count the same key."""
    settings.CACHES = redis_cache_settings(f"count-{os.getpid()}")
    first = caches["default"]
    from tracker.cache import RedisCache

    second = RedisCache(first._servers, {"KEY_PREFIX": first.key_prefix, "OPTIONS": first._options})
    try:
        first.add("n", 0, timeout=30)
        threads = [threading.Thread(target=lambda c=c: [c.incr("n") for _ in range(50)]) for c in (first, second) * 2]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert first.get("n") == 200 and second.get("n") == 200
    finally:
        first.clear()


# --- The data version: every write path moves it -------------------------------------------------


def counter() -> int:
    return int(database_version().split("-")[1])


@pytest.fixture
def incident(django_capture_on_commit_callbacks):
    with committed(django_capture_on_commit_callbacks):
        return IncidentFactory(title="Counted attack")


@pytest.mark.django_db
def test_save_moves_the_version_once_per_transaction(incident, django_capture_on_commit_callbacks):
    before = counter()
    with committed(django_capture_on_commit_callbacks) as callbacks:
        incident.killed = 4
        incident.save()
    assert counter() > before
    assert len(callbacks) == 1  # one publication per transaction


@pytest.mark.django_db
def test_postgresql_counts_one_change_per_committed_transaction(incident, django_capture_on_commit_callbacks):
    if connection.vendor != "postgresql":
        pytest.skip("SQLite counts each changed row (row-level triggers): what matters there is that it moves")
    before = counter()
    with committed(django_capture_on_commit_callbacks):
        Incident.objects.filter(pk=incident.pk).update(killed=5)
        Incident.objects.filter(pk=incident.pk).update(injured=6)
        IncidentFactory.create_batch(2)
    assert counter() == before + 1


@pytest.mark.django_db
def test_loaddata_moves_the_version(incident, tmp_path, django_capture_on_commit_callbacks):
    from django.core import serializers
    from django.core.management import call_command

    fixture = tmp_path / "incident.json"
    incident.title = "Loaded attack"
    fixture.write_text(serializers.serialize("json", [incident]))
    before = counter()
    with committed(django_capture_on_commit_callbacks):
        call_command("loaddata", str(fixture), verbosity=0)
    assert counter() > before and Incident.objects.get(pk=incident.pk).title == "Loaded attack"


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("write", ["update", "bulk_create", "raw_sql"])
def test_every_write_path_retires_a_cached_page_and_figures(client, settings, stats_refresher, write):
    """Real commits. update(), bulk_create and raw SQL send no signal; the version still moves and
    the app still publishes it (DATA_VERSION_CACHE_SECONDS is long here: no waiting on the bound)."""
    settings.PAGE_CACHE_SECONDS = 600
    settings.STATISTICS_CACHE_SECONDS = 600
    settings.DATA_VERSION_CACHE_SECONDS = 600
    incident = IncidentFactory(title="Attack counted", killed=3)
    province = incident.province.slug
    assert client.get("/incidents/")["X-Page-Cache"] == "miss"
    assert client.get("/incidents/")["X-Page-Cache"] == "hit"
    assert client.get("/api/statistics/").json()["killed"] == 3
    assert client.get(f"/api/statistics/?province={province}").json()["killed"] == 3
    version = current_version()
    if write == "update":
        Incident.objects.filter(pk=incident.pk).update(title="Attack renamed", killed=8)
    elif write == "bulk_create":
        Incident.objects.bulk_create(
            [IncidentFactory.build(title="Attack renamed", killed=5, province=incident.province)]
        )
    else:
        with connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {Incident._meta.db_table} SET title = %s, killed = %s WHERE id = %s",  # noqa: S608
                ["Attack renamed", 8, incident.pk],
            )
    assert cache.get(VERSION_KEY) != version  # published on commit
    fresh = client.get("/incidents/")
    assert fresh["X-Page-Cache"] == "miss" and b"Attack renamed" in fresh.content
    assert client.get(f"/api/statistics/?province={province}").json()["killed"] == 8
    # The unfiltered figures: the previous ones, marked, until the background refresh has run.
    previous = client.get("/api/statistics/")
    assert previous.json()["killed"] == 3 and "X-Figures-As-Of" in previous
    assert stats_refresher.asked
    statistics_cache.refresh_unfiltered()
    assert client.get("/api/statistics/").json()["killed"] == 8


@pytest.mark.django_db(transaction=True)
def test_a_write_outside_the_app_moves_the_databases_version(settings):
    """SQL the app does not see (psql, another program): the database counts it; the copy in the
    shared cache follows within DATA_VERSION_CACHE_SECONDS (its expiry, simulated by deleting it)."""
    settings.DATA_VERSION_CACHE_SECONDS = 600
    incident = IncidentFactory(killed=1)
    cached = current_version()
    connection.execute_wrappers.remove(dataversion.watch_writes)  # the app no longer sees its writes
    try:
        with connection.cursor() as cursor:
            cursor.execute(f"UPDATE {Incident._meta.db_table} SET killed = 2 WHERE id = %s", [incident.pk])  # noqa: S608
    finally:
        connection.execute_wrappers.append(dataversion.watch_writes)
    assert current_version() == cached  # the cache's copy, trusted until it expires
    assert database_version() != cached
    cache.delete(VERSION_KEY)
    assert current_version() == database_version() != cached


@pytest.mark.django_db(transaction=True)
def test_postgresql_an_open_writer_never_holds_up_anothers_commit():
    """The counter's row is locked only at COMMIT: a long import still writing does not make a
    monitor's save wait (a row updated inside every transaction would)."""
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only: SQLite runs one writer at a time whatever the triggers do")
    import psycopg

    first, second = IncidentFactory(), IncidentFactory()
    before = counter()
    dsn = _dsn()
    with psycopg.connect(dsn) as importer, psycopg.connect(dsn, autocommit=True) as monitor:
        importer.execute("UPDATE incidents_incident SET killed = 11 WHERE id = %s", [first.pk])  # left open
        monitor.execute("SET statement_timeout = '3s'")
        monitor.execute("UPDATE incidents_incident SET killed = 12 WHERE id = %s", [second.pk])  # commits at once
        assert counter() == before + 1
        importer.commit()
    assert counter() == before + 2


def _dsn() -> str:
    db = connection.settings_dict
    return f"host={db['HOST']} port={db['PORT'] or 5432} user={db['USER']} dbname={db['NAME']}" + (
        f" password={db['PASSWORD']}" if db["PASSWORD"] else ""
    )


@pytest.mark.django_db
def test_the_triggers_cover_every_public_table():
    tables = dataversion.public_tables()
    assert {"incidents_incident", "cases_case", "cases_hearing", "incidents_incident_communities"} <= set(tables)
    assert not any(t.startswith(("auth_", "django_", "tracker_", "alerts_")) for t in tables)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(DISTINCT tgrelid) FROM pg_trigger WHERE tgname = 'tracker_note_change'")
            assert cursor.fetchone()[0] == len(tables)
    else:
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'tracker_count_%'")
            assert cursor.fetchone()[0] == 3 * len(tables)


# --- The statistics cache ------------------------------------------------------------------------


class RecordedRefresher:
    """Stands for the background refresh thread: records that it was asked for (the tests run
    refresh_unfiltered themselves; test_the_background_refresh_is_debounced tests the thread)."""

    def __init__(self):
        self.asked = 0

    def ask(self) -> None:
        self.asked += 1


@pytest.fixture
def stats_refresher(monkeypatch):
    refresher = RecordedRefresher()
    monkeypatch.setattr(statistics_cache, "refresher", refresher)
    return refresher


@pytest.fixture
def stats_cache_on(settings, stats_refresher):
    settings.STATISTICS_CACHE_SECONDS = 600


class Computations(list):
    """The statistics payloads computed, each call's keyword arguments; `delay` slows each one down."""

    delay = 0.0


@pytest.fixture
def computations(monkeypatch):
    import dashboard.api

    real = dashboard.api.statistics_payload
    calls = Computations()

    def counted(**kwargs):
        calls.append(kwargs)
        time.sleep(calls.delay)
        return real(**kwargs)

    monkeypatch.setattr(dashboard.api, "statistics_payload", counted)
    return calls


def figures_for(query: str = "", *, refresh: bool = False):
    filters = statistics_filters(QueryDict(query))
    assert filters.is_valid(), filters.errors
    return statistics_cache.statistics_for(filters, today=DAY, refresh=refresh)


@pytest.mark.django_db
def test_figures_are_cached_under_the_normalised_filters(stats_cache_on, computations, incident):
    province = incident.province.slug
    first = figures_for(f"province={province}&date_from=2000-01-01")
    again = figures_for(f"date_from=2000-1-1&page=3&province={province}")  # same filters, other spelling
    assert len(computations) == 1 and again == first and not again.stale
    figures_for("")  # no filter: other figures
    assert len(computations) == 2


@pytest.mark.django_db
def test_a_new_day_or_version_computes_again(
    stats_cache_on, computations, incident, django_capture_on_commit_callbacks
):
    query = f"province={incident.province.slug}"
    figures_for(query)
    next_day = statistics_filters(QueryDict(query))
    statistics_cache.statistics_for(next_day, today=DAY + datetime.timedelta(days=1))
    assert len(computations) == 2 and computations[-1]["today"] == DAY + datetime.timedelta(days=1)
    with committed(django_capture_on_commit_callbacks):
        Incident.objects.filter(pk=incident.pk).update(killed=40)
    fresh = figures_for(query)
    assert len(computations) == 3 and fresh.payload["killed"] == 40 and not fresh.stale


@pytest.mark.django_db
def test_the_unfiltered_figures_of_a_new_day_are_the_previous_ones_until_the_refresh(
    stats_cache_on, computations, incident, stats_refresher
):
    yesterday = figures_for("")
    asked = stats_refresher.asked
    shown = statistics_cache.statistics_for(statistics_filters(QueryDict()), today=DAY + datetime.timedelta(days=1))
    assert shown.stale and shown.payload == yesterday.payload and stats_refresher.asked == asked + 1
    assert len(computations) == 1


@pytest.mark.django_db(transaction=True)
def test_eight_readers_on_a_cold_key_compute_once(stats_cache_on, computations, settings):
    settings.STATISTICS_WAIT_SECONDS = 10  # readers who may wait get the one computation's figures
    IncidentFactory(killed=2)
    computations.delay = 0.5
    results, errors = [], []
    start = threading.Barrier(8)

    def read():
        try:
            start.wait()
            results.append(figures_for(""))
        except Exception as error:  # noqa: BLE001  (reported below)
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=read) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert len(computations) == 1
    assert len(results) == 8 and {r.payload["killed"] for r in results} == {2}
    assert not any(r.stale for r in results)  # nothing earlier to show: they waited for it


@pytest.mark.django_db
def test_readers_during_a_computation_get_the_previous_figures_marked(
    stats_cache_on, computations, incident, client, django_capture_on_commit_callbacks
):
    province = incident.province.slug
    old = figures_for(f"province={province}")
    with committed(django_capture_on_commit_callbacks):
        Incident.objects.filter(pk=incident.pk).update(killed=40)
    base = statistics_cache._base_key(
        statistics_cache.filter_parameters(statistics_filters(QueryDict(f"province={province}")))
    )
    assert cache.add(f"{base}:lock", "another process", 60)  # a computation is running elsewhere
    shown = figures_for(f"province={province}")
    assert shown.stale and shown.payload == old.payload and shown.computed_at == old.computed_at
    assert len(computations) == 1
    cache.delete(f"{base}:lock")
    assert figures_for(f"province={province}").payload["killed"] == 40


@pytest.mark.django_db
def test_a_reader_with_nothing_to_show_waits_a_bounded_time_then_is_told_to_come_back(
    stats_cache_on, computations, client, settings
):
    """No earlier figures and another process computing: wait STATISTICS_WAIT_SECONDS, then a 503
    that reloads itself, so a slow computation holds one server process, not every reader's."""
    settings.STATISTICS_WAIT_SECONDS = 0.2
    settings.PAGE_CACHE_SECONDS = 600
    IncidentFactory(killed=2)
    base = statistics_cache._base_key([])
    assert cache.add(f"{base}:lock", "another process", 60)  # a computation is running elsewhere
    started = time.monotonic()
    page = client.get("/statistics/")
    api = client.get("/api/statistics/")
    report = client.get("/statistics/report/")
    assert time.monotonic() - started < 3  # three bounded waits, not a computation each
    assert page.status_code == api.status_code == report.status_code == 503
    assert page["Retry-After"] == api["Retry-After"] == "2" and "no-store" in page["Cache-Control"]
    assert b'<meta http-equiv="refresh" content="2">' in page.content
    assert b"The figures are being counted" in page.content
    assert api.json() == {"detail": "the figures are being computed; ask again in 2 s", "retry_after": 2}
    assert computations == []  # nobody computed twice behind the lock
    cache.delete(f"{base}:lock")  # the other process finished (or died: its lock expires)
    assert client.get("/statistics/").status_code == 200
    assert len(computations) == 1


@pytest.mark.django_db
def test_the_statistics_page_says_when_its_figures_are_from_and_is_not_stored(
    stats_cache_on, computations, client, settings, django_capture_on_commit_callbacks
):
    import time_machine

    settings.PAGE_CACHE_SECONDS = 600
    with committed(django_capture_on_commit_callbacks):
        incident = IncidentFactory(killed=3)
    with time_machine.travel(datetime.datetime(2026, 11, 25, 9, 5, tzinfo=datetime.UTC), tick=False):
        client.get("/statistics/")  # computed at 14:05 in Pakistan
    with committed(django_capture_on_commit_callbacks):
        Incident.objects.filter(pk=incident.pk).update(killed=40)
    asked_before = statistics_cache.refresher.asked
    with time_machine.travel(datetime.date(2026, 11, 25), tick=False):
        page = client.get("/statistics/")
        api = client.get("/api/statistics/")
    assert b"Figures as of 14:05, being updated" in page.content
    assert "no-store" in page["Cache-Control"] and page.get("X-Page-Cache") is None
    assert api.json()["killed"] == 3 and "no-store" in api["Cache-Control"]
    assert api["X-Figures-As-Of"] == "2026-11-25T09:05:00+00:00"
    assert statistics_cache.refresher.asked > asked_before  # the background refresh was asked for
    assert len(computations) == 1  # no reader met the cold path


@pytest.mark.django_db
def test_the_background_refresh_computes_the_unfiltered_figures(stats_cache_on, computations, incident):
    import time_machine

    with time_machine.travel(DAY, tick=True):
        statistics_cache.refresh_unfiltered()
        assert len(computations) == 1
        hit = figures_for("")
    assert len(computations) == 1 and not hit.stale and hit.payload["killed"] == incident.killed


def test_the_background_refresh_is_one_queued_task_per_burst_of_changes(settings, time_machine):
    """A burst of changes queues one refresh task, STATISTICS_REFRESH_DELAY later; changes after it
    started queue one more, not before the interval since its start is over."""
    from django_tasks import default_task_backend

    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    settings.STATISTICS_REFRESH_DELAY, settings.STATISTICS_REFRESH_INTERVAL = 5, 60
    time_machine.move_to(datetime.datetime(2026, 11, 25, 9, 0, tzinfo=datetime.UTC), tick=False)
    refresher = statistics_cache.QueuedRefresh()
    asked = [refresher.ask() for _ in range(20)]  # a burst of changes
    assert asked == [True] + [False] * 19
    [first] = default_task_backend.results
    assert first.task.name == "refresh_statistics"
    assert first.task.run_after == datetime.datetime(2026, 11, 25, 9, 0, 5, tzinfo=datetime.UTC)

    time_machine.move_to(datetime.datetime(2026, 11, 25, 9, 0, 5, tzinfo=datetime.UTC), tick=False)
    refresher.starting()  # what the task does first
    time_machine.move_to(datetime.datetime(2026, 11, 25, 9, 0, 20, tzinfo=datetime.UTC), tick=False)
    assert [refresher.ask() for _ in range(5)] == [True, False, False, False, False]
    second = default_task_backend.results[1]
    assert len(default_task_backend.results) == 2
    # The interval runs from the first run's start: 09:00:05 + 60 s.
    assert second.task.run_after == datetime.datetime(2026, 11, 25, 9, 1, 5, tzinfo=datetime.UTC)


@pytest.mark.django_db
def test_the_refresh_task_computes_the_unfiltered_figures(stats_cache_on, computations, incident, monkeypatch):
    """With the immediate backend (the tests'), asking runs the task at once: the figures are cached."""
    import time_machine

    monkeypatch.setattr(statistics_cache, "refresher", statistics_cache.QueuedRefresh())
    with time_machine.travel(DAY, tick=True):
        statistics_cache.schedule_refresh()
        assert len(computations) == 1
        hit = figures_for("")
    assert len(computations) == 1 and not hit.stale and hit.payload["killed"] == incident.killed


@pytest.mark.django_db
def test_a_cached_statistics_page_runs_a_constant_number_of_queries(
    stats_cache_on, computations, client, django_assert_num_queries, settings, django_capture_on_commit_callbacks
):
    """Served from the statistics cache (the page cache off), the page reads only its filter form's
    choices, however many incidents there are; the version comes from the shared cache."""
    settings.DATA_VERSION_CACHE_SECONDS = 60
    with committed(django_capture_on_commit_callbacks):
        IncidentFactory.create_batch(3)
    client.get("/statistics/")
    with django_assert_num_queries(5):
        client.get("/statistics/")
    with committed(django_capture_on_commit_callbacks):
        IncidentFactory.create_batch(20)
    statistics_cache.refresh_unfiltered()  # the new figures, as the background refresh makes them
    with django_assert_num_queries(5):
        fresh = client.get("/statistics/")
    assert "X-Figures-As-Of" not in fresh and len(computations) == 2


# --- Uploads for the admin import ---------------------------------------------------------------


def test_uploads_wait_in_a_private_folder_of_the_project(tmp_path, settings):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from incidents.import_queue import store_upload

    settings.IMPORT_UPLOAD_DIR = tmp_path / "uploads"
    path = settings.IMPORT_UPLOAD_DIR / store_upload(SimpleUploadedFile("../../attacks.csv", b"a,b\n1,2\n"))
    assert path.read_bytes() == b"a,b\n1,2\n"
    assert path.parent.parent == settings.IMPORT_UPLOAD_DIR and path.name == "attacks.csv"
    assert settings.IMPORT_UPLOAD_DIR.stat().st_mode & 0o777 == 0o700
    assert path.parent.stat().st_mode & 0o777 == 0o700 and path.stat().st_mode & 0o777 == 0o600
    assert not str(path).startswith("/tmp/tracker-imports")


def test_the_import_folder_must_belong_to_the_server(tmp_path, settings, monkeypatch):
    from django.core.exceptions import ImproperlyConfigured

    from incidents.import_queue import upload_storage

    settings.IMPORT_UPLOAD_DIR = tmp_path / "uploads"
    (tmp_path / "uploads").mkdir()
    monkeypatch.setattr(os, "getuid", lambda: os.stat(tmp_path).st_uid + 1)  # as if another user made it
    with pytest.raises(ImproperlyConfigured):
        upload_storage()


# --- The nightly check of the cached figures (issue 19) ------------------------------------------------


@pytest.mark.django_db
def test_the_nightly_check_compares_every_cached_figure_set_with_a_fresh_computation(
    stats_cache_on, computations, incident, monkeypatch
):
    from dashboard.tasks import CachedFiguresDiffer, check_cached_statistics

    monkeypatch.setattr("dashboard.tasks.today", lambda: DAY)
    province = f"province={incident.province.slug}"
    figures_for("")
    figures_for(province)
    assert len(computations) == 2
    assert check_cached_statistics.call() == {"compared": 2}
    assert len(computations) == 4  # each set computed afresh once

    # A cached set that went wrong (a bug keeping stale figures): the check fails, naming it, and drops it.
    params = statistics_cache.filter_parameters(statistics_filters(QueryDict(province)))
    key = f"{statistics_cache._base_key(params)}:{DAY.isoformat()}:{current_version()}"
    payload, computed_at = cache.get(key)
    cache.set(key, ({**payload, "killed": payload["killed"] + 1}, computed_at))
    with pytest.raises(CachedFiguresDiffer) as failure:
        check_cached_statistics.call()
    assert str(failure.value) == f"1 of 2 cached figure set(s) differ from a fresh computation: {province}"
    assert cache.get(key) is None
    before = len(computations)
    assert figures_for(province).payload == payload  # computed again, right
    assert len(computations) == before + 1


def test_a_cached_lazy_label_unpickles_translated_without_a_class_of_its_own():
    from django.utils import translation
    from django.utils.translation import gettext_lazy

    stored = pickle.dumps(gettext_lazy("Incidents"))
    first, second = pickle.loads(stored), pickle.loads(stored)  # noqa: S301 (our own pickle)
    # Django's own unpickling made a class per string: garbage for the collector on every cache read.
    assert type(first) is type(second)
    with translation.override("en-gb"):
        assert str(first) == "Incidents"
    with translation.override("ur"):
        assert str(second) == "واقعات"
