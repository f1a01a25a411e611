"""The shared cache under real server processes (issue 13 item 3, issue 12 item 3).

- two gunicorn workers: the CSV rate limit holds exactly across them (the database cache and Redis);
- two app servers (two gunicorn processes on two ports, standing for two hosts) on one PostgreSQL
  database and one Redis: a change made through one retires the cached page on the other at once;
- eight readers arriving together at the cold statistics of a two-worker, four-thread server: one
  computation;
- after a change, readers get the previous figures marked while the background refresh (a task run
  by a `manage.py worker` process) computes the new ones.

Servers listen on 127.0.0.1 ports 8301-8309 and are stopped at the end of each test. Tests that need
Redis skip without one, except under CI=true; the cross-host test needs the suite to run on
PostgreSQL (DATABASE_URL=postgres://...) and skips otherwise.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from tests.jobs.test_worker import worker
from tests.test_shared_cache import redis_or_skip

BASE_DIR = Path(settings.BASE_DIR)


def get(url: str, headers: dict | None = None) -> tuple[int, dict, bytes]:
    request = urllib.request.Request(url, headers=headers or {})  # noqa: S310  (our own local server)
    try:
        with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


def server_env(database_url: str, *, redis_url: str | None = None, **extra: str) -> dict[str, str]:
    """The environment of a server process: this run's SECRET_KEY, the given database and cache."""
    env = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "DATABASE_URL", "CACHE_KEY_PREFIX")}
    env.update(DATABASE_URL=database_url, PAGE_CACHE_SECONDS="600", DEBUG="0", LOG_LEVEL="INFO", **extra)
    env.pop("ALLOWED_HOSTS", None)  # not production: plain HTTP on 127.0.0.1
    if redis_url:
        env["REDIS_URL"] = redis_url
    return env


@contextmanager
def gunicorn(port: int, env: dict[str, str], log: Path, *, workers: int = 2, threads: int = 1):
    """A gunicorn server on `port` until the block ends; its log (stdout and stderr) in `log`."""
    with log.open("w") as out:
        process = subprocess.Popen(  # noqa: S603
            [sys.executable, "-m", "gunicorn", "tracker.wsgi", "-b", f"127.0.0.1:{port}"]
            + ["-w", str(workers), "--threads", str(threads), "--timeout", "120"],
            cwd=BASE_DIR,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if get(f"http://127.0.0.1:{port}/healthz")[0] == 200:
                    break
            except OSError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"gunicorn on {port} did not start:\n{log.read_text()[-3000:]}")
            time.sleep(0.2)
        yield process
    finally:
        stop(process)


def stop(process: subprocess.Popen) -> None:
    """SIGTERM, then SIGKILL after 15 s."""
    process.terminate()
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def manage(env: dict[str, str], *args: str) -> None:
    subprocess.run([sys.executable, "manage.py", *args], cwd=BASE_DIR, env=env, check=True, capture_output=True)  # noqa: S603


@pytest.fixture(scope="module")
def sqlite_site(tmp_path_factory) -> str:
    """An SQLite database file of its own, migrated and seeded, for servers that share it."""
    folder = tmp_path_factory.mktemp("site")
    url = f"sqlite:///{folder / 'tracker.sqlite3'}"
    env = server_env(url)
    manage(env, "migrate", "--noinput")
    manage(env, "generate_synthetic", "--incidents", "3000", "--seed", "7")
    return url


def wait_for_next_window_if_late(window: int = 60, needed: float = 20) -> None:
    """Rate limits count per fixed window: start where the whole burst fits in one."""
    left = window - time.time() % window
    if left < needed:
        time.sleep(left + 0.5)


@pytest.mark.parametrize("backend", ["database", "redis"])
def test_the_csv_limit_holds_exactly_across_two_workers(sqlite_site, tmp_path, backend):
    """100 CSV requests in a minute, 8 at a time, with the limit at 60: exactly 60 answers, 40 refusals."""
    redis_url = redis_or_skip() if backend == "redis" else None
    prefix = f"mp-{uuid.uuid4().hex[:8]}"
    env = server_env(sqlite_site, redis_url=redis_url, RATE_LIMIT_CSV="60", CACHE_KEY_PREFIX=prefix)
    port = 8301 if backend == "database" else 8302
    log = tmp_path / "gunicorn.log"
    try:
        with gunicorn(port, env, log, workers=2):
            wait_for_next_window_if_late()
            with ThreadPoolExecutor(8) as pool:
                statuses = list(
                    pool.map(lambda _: get(f"http://127.0.0.1:{port}/incidents/?format=csv")[0], range(100))
                )
    finally:
        if redis_url:
            _clear_redis_prefix(redis_url, prefix)
    booted = re.findall(r"Booting worker with pid: (\d+)", log.read_text())
    assert len(set(booted)) == 2
    assert statuses.count(200) == 60 and statuses.count(429) == 40, statuses


def _clear_redis_prefix(url: str, prefix: str) -> None:
    import redis

    client = redis.Redis.from_url(url)
    keys = list(client.scan_iter(match=f"{prefix}:*"))
    if keys:
        client.delete(*keys)


def test_eight_readers_of_cold_statistics_compute_them_once(sqlite_site, tmp_path):
    """Two workers with four threads each; eight readers at once on figures nobody has computed yet.

    One computes; the others get the figures if they were ready when they asked, or are told at
    once to ask again (503, Retry-After) instead of holding a thread while they wait."""
    env = server_env(sqlite_site, CACHE_KEY_PREFIX=f"mp-{uuid.uuid4().hex[:8]}")
    log = tmp_path / "gunicorn.log"
    url = "http://127.0.0.1:8305/api/statistics/?attack_type=target_killing"
    with gunicorn(8305, env, log, workers=2, threads=4):
        with ThreadPoolExecutor(8) as pool:
            answers = list(pool.map(lambda _: get(url), range(8)))
        status, _, figures = get(url)
    computed = re.findall(r"statistics computed key=\S+ in (\d+) ms", log.read_text())
    assert {status for status, _, _ in answers} <= {200, 503} and status == 200
    assert all(headers["Retry-After"] == "2" for code, headers, _ in answers if code == 503)
    assert {body for code, _, body in answers if code == 200} <= {figures}
    assert len(computed) == 1, computed
    told = sum(code == 503 for code, _, _ in answers)
    print(f"8 concurrent cold readers: {len(computed)} computation ({computed[0]} ms); {told} told to ask again")


def test_after_a_change_the_server_computes_the_unfiltered_figures_again_in_the_background(sqlite_site, tmp_path):
    """A write the app never saw (straight into the database file): the next reader gets the previous
    figures, marked; a moment later the background refresh has the new ones, with no reader waiting."""
    import sqlite3

    env = server_env(sqlite_site, CACHE_KEY_PREFIX=f"mp-{uuid.uuid4().hex[:8]}", STATISTICS_REFRESH_DELAY="0.2")
    log, worker_log = tmp_path / "gunicorn.log", tmp_path / "worker.log"
    url = "http://127.0.0.1:8308/api/statistics/"
    with gunicorn(8308, env, log, workers=2), worker(env, worker_log, "--no-scheduler"):
        before = json.loads(get(url)[2])["killed"]
        with sqlite3.connect(sqlite_site.removeprefix("sqlite:///")) as db:
            db.execute(
                "UPDATE incidents_incident SET killed = killed + 5 WHERE id = (SELECT min(id) FROM incidents_incident "
                "WHERE status = 'published' AND killed IS NOT NULL)"
            )
        status, headers, body = get(url)
        assert status == 200 and "X-Figures-As-Of" in headers and json.loads(body)["killed"] == before
        deadline = time.monotonic() + 30
        while True:
            status, headers, body = get(url)
            if "X-Figures-As-Of" not in headers:
                break
            assert time.monotonic() < deadline, "the background refresh never came"
            time.sleep(0.2)
    assert json.loads(body)["killed"] == before + 5
    assert len(re.findall(r"statistics computed key=", log.read_text())) == 1  # the first reader's
    assert len(re.findall(r"statistics computed key=", worker_log.read_text())) == 1  # the queued refresh's


@pytest.mark.django_db(transaction=True)
def test_a_change_through_one_host_retires_the_page_on_the_other_at_once(tmp_path):
    """Host A publishes a draft (the admin's publish action, as an editor would); the very next
    request to host B, which had the list cached, shows it. DATA_VERSION_CACHE_SECONDS is long, so
    it is the publication on commit, not the expiry of the version's copy, that B sees."""
    if connection.vendor != "postgresql":
        pytest.skip("two hosts share a PostgreSQL database: run the suite with DATABASE_URL=postgres://...")
    redis_url = redis_or_skip()
    from core.models import Status
    from incidents.models import Incident
    from tests.factories import IncidentFactory, IncidentSourceFactory

    published = IncidentFactory(title="Already public attack")
    draft = IncidentFactory(title="Attack published through host A", status=Status.DRAFT)
    IncidentSourceFactory(incident=draft)
    IncidentSourceFactory(incident=published)
    cookies = staff_session()

    db = connection.settings_dict
    database_url = f"postgres://{db['USER']}@{db['HOST']}:{db['PORT'] or 5432}/{db['NAME']}"
    prefix = f"mp-{uuid.uuid4().hex[:8]}"
    env = server_env(database_url, redis_url=redis_url, CACHE_KEY_PREFIX=prefix, DATA_VERSION_CACHE_SECONDS="600")
    try:
        with gunicorn(8303, env, tmp_path / "a.log", workers=1), gunicorn(8304, env, tmp_path / "b.log", workers=1):
            page_b = "http://127.0.0.1:8304/incidents/"
            assert get(page_b)[1].get("X-Page-Cache") == "miss"
            status, headers, body = get(page_b)
            assert headers.get("X-Page-Cache") == "hit" and b"Attack published through host A" not in body

            status = publish_through(8303, draft.pk, cookies)
            assert status == 302
            asked_at = time.time()
            status, headers, body = get(page_b)
            served_at = time.time()
            assert status == 200 and headers.get("X-Page-Cache") == "miss"
            assert b"Attack published through host A" in body
    finally:
        _clear_redis_prefix(redis_url, prefix)
    assert Incident.objects.get(pk=draft.pk).status == Status.PUBLISHED
    from tracker.models import DataVersion

    committed_at = DataVersion.objects.get(pk=1).changed_at.timestamp()
    print(
        f"cross-host retirement: B served the new page {1000 * (served_at - committed_at):.0f} ms after the commit "
        f"(its first request after A answered; that request took {1000 * (served_at - asked_at):.0f} ms)"
    )


CSRF = "x" * 32


def staff_session() -> dict[str, str]:
    """Cookies of a superuser signed in past the second factor, made straight in the shared database."""
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, get_user_model
    from django.contrib.sessions.backends.db import SessionStore
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    user = get_user_model().objects.create_superuser("host-editor", password="correct-horse-battery-staple")
    device = TOTPDevice.objects.create(user=user, name="default", confirmed=True)
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.create()
    return {settings.SESSION_COOKIE_NAME: session.session_key, settings.CSRF_COOKIE_NAME: CSRF}


def publish_through(port: int, pk: int, cookies: dict[str, str]) -> int:
    """POST the incident admin's "publish" action for one record; the HTTP status."""
    data = f"action=publish_selected&_selected_action={pk}&index=0".encode()
    request = urllib.request.Request(  # noqa: S310  (our own local server)
        f"http://127.0.0.1:{port}/admin/incidents/incident/",
        data=data,
        headers={
            "Cookie": "; ".join(f"{k}={v}" for k, v in cookies.items()),
            "X-CSRFToken": CSRF,
            "Content-Type": "application/x-www-form-urlencoded",
        },
    )

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    try:
        with urllib.request.build_opener(NoRedirect).open(request, timeout=60) as response:
            return response.status
    except urllib.error.HTTPError as error:
        if error.code != 302:
            print(json.dumps(dict(error.headers)), error.read()[:2000])
        return error.code
