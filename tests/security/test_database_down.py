"""Failure behaviour against a REAL PostgreSQL that we stop and start under a running app server.

A throwaway cluster (tests/security/pgcluster.py) on its own port, the app under gunicorn with
DEBUG=0 in a subprocess: database up → 200; stopped → /healthz and pages answer 503 within two
seconds with the generic page (no traceback); started again → 200 with no restart of the app.
Skips when PostgreSQL's server binaries are absent, except in CI (CI=true), where that fails.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from tests.security import pgcluster

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.skipif(
    not pgcluster.available() and os.environ.get("CI") != "true",
    reason=f"PostgreSQL server binaries not found in {pgcluster.PG_BIN} (install postgresql-15 to run)",
)


def _get(url: str, timeout: float = 10) -> tuple[int, bytes, float]:
    started = time.monotonic()
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:  # noqa: S310 (loopback only)
            status, body = response.status, response.read()
    except urllib.error.HTTPError as error:
        status, body = error.code, error.read()
    return status, body, time.monotonic() - started


def _wait_for(url: str, status: int, seconds: float = 30) -> int:
    deadline = time.monotonic() + seconds
    last = None
    while time.monotonic() < deadline:
        try:
            last = _get(url, timeout=5)[0]
            if last == status:
                return last
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.3)
    return last


@pytest.fixture
def app_on_throwaway_postgres():
    directory = Path(tempfile.mkdtemp(prefix="tracker-pg-"))
    cluster = pgcluster.Cluster(directory)
    server = None
    try:
        cluster.init()
        cluster.start()
        env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "PYTEST"))}
        env.pop("ALLOWED_HOSTS", None)  # not "deployed": no HTTPS redirect, no collectstatic needed
        # The shared cache in the database, as by default: with REDIS_URL (CI's Redis pass) a page cached
        # just before the database stops is still served for DATA_VERSION_CACHE_SECONDS, rightly.
        env.pop("REDIS_URL", None)
        env.update(DEBUG="0", DATABASE_URL=cluster.url, SECRET_KEY="throwaway-" + "k" * 50)
        subprocess.run(
            [sys.executable, "manage.py", "migrate", "--noinput", "-v0"], cwd=ROOT, env=env, check=True, timeout=300
        )
        port = pgcluster.free_port()
        server = subprocess.Popen(  # noqa: S603
            [sys.executable, "-m", "gunicorn", "tracker.wsgi", "-b", f"127.0.0.1:{port}", "-w", "2", "--timeout", "30"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        base = f"http://127.0.0.1:{port}"
        assert _wait_for(base + "/healthz", 200) == 200, "the app did not come up"
        yield cluster, base
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=30)
        if cluster.is_running():
            cluster.stop()
        shutil.rmtree(directory, ignore_errors=True)


def test_database_down_gives_503_quickly_and_recovers_without_restart(app_on_throwaway_postgres):
    cluster, base = app_on_throwaway_postgres
    assert _get(base + "/healthz")[0] == 200
    assert _get(base + "/")[0] == 200
    # Several statistics requests, so that each worker holds a connection when the database goes.
    for query in range(4):
        assert _get(f"{base}/statistics/?date_from=200{query}-01-01")[0] == 200

    cluster.stop()
    status, body, elapsed = _get(base + "/healthz")
    assert (status, elapsed < 2) == (503, True), (status, elapsed)
    assert b'"database": "unavailable"' in body
    for path in ["/", "/incidents/", "/api/incidents/", "/statistics/?date_from=2011-01-01", "/api/statistics/"]:
        status, body, elapsed = _get(base + path)
        assert status == 503, path
        assert elapsed < 2, (path, elapsed)
        assert b"Temporarily unavailable" in body
        assert b"Traceback" not in body and b"OperationalError" not in body and b"5432" not in body

    cluster.start()
    assert _wait_for(base + "/healthz", 200, seconds=10) == 200
    assert _get(base + "/")[0] == 200
    assert _get(base + "/api/incidents/")[0] == 200
    # The pooled threads' connections died with the server: replaced, not an error.
    for query in range(4):
        assert _get(f"{base}/statistics/?date_from=201{query}-01-01")[0] == 200
        assert _get(f"{base}/api/statistics/?date_from=201{query}-01-01")[0] == 200
