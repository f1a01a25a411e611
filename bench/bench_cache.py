"""Time the statistics page and API served from the shared cache, one client (issue 12's speed figures).

Starts gunicorn (2 workers) on an existing database, empties the site's shared cache, times the
first (cold) request of each page, then REPEAT requests served from the cache, and prints p50/p95.
Three ways a reader can be served: the page cache (anonymous, no cookie), the statistics cache
only (a cookie makes the page render, from cached figures), and cold.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/tracker_bench .venv/bin/python bench/bench_cache.py
    REDIS_URL=redis://127.0.0.1:6379/12 DATABASE_URL=... .venv/bin/python bench/bench_cache.py

Needs SECRET_KEY in the environment (any value for a local run). Port: BENCH_PORT (default 8306).
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
PORT = int(os.environ.get("BENCH_PORT", "8306"))
REPEAT = int(os.environ.get("REPEAT", "200"))
PAGES = ["/statistics/", "/api/statistics/"]


def fetch(path: str, cookie: str | None = None) -> tuple[float, int, str]:
    request = urllib.request.Request(f"http://127.0.0.1:{PORT}{path}", headers={"Cookie": cookie} if cookie else {})  # noqa: S310
    started = time.perf_counter()
    with urllib.request.urlopen(request, timeout=600) as response:  # noqa: S310
        response.read()
        return (time.perf_counter() - started) * 1000, response.status, response.headers.get("X-Page-Cache", "")


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def clear_cache(env: dict[str, str]) -> None:
    """Remove this run's keys (its own CACHE_KEY_PREFIX: nobody else's cached pages are touched)."""
    code = "from django.core.cache import cache; cache.clear()"
    subprocess.run([sys.executable, "manage.py", "shell", "-c", code], cwd=BASE_DIR, env=env, check=True)


def main() -> None:
    env = dict(os.environ, DEBUG="0", PAGE_CACHE_SECONDS="600", STATISTICS_REFRESH_DELAY="3600")
    env["CACHE_KEY_PREFIX"] = f"bench-{os.getpid()}"  # a cold cache of its own
    env.pop("ALLOWED_HOSTS", None)
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "tracker.wsgi", "-b", f"127.0.0.1:{PORT}", "-w", "2", "--timeout", "600"],
        cwd=BASE_DIR,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        for _ in range(100):
            try:
                fetch("/healthz")
                break
            except OSError:
                time.sleep(0.2)
        backend = "redis" if env.get("REDIS_URL") else "database"
        print(f"shared cache: {backend}; {REPEAT} requests per line, one client")
        for path in PAGES:
            cold, _, _ = fetch(path)
            print(f"{path:20} cold (computed, then stored): {cold:8.1f} ms")
            for label, cookie in (("page cache", None), ("statistics cache", "reader=1")):
                times = []
                for _ in range(REPEAT):
                    elapsed, status, state = fetch(path, cookie)
                    assert status == 200
                    times.append(elapsed)
                assert cookie or state == "hit", state
                print(
                    f"{path:20} from the {label:16}: p50 {statistics.median(times):6.1f} ms, "
                    f"p95 {percentile(times, 0.95):6.1f} ms, max {max(times):6.1f} ms"
                )
    finally:
        server.terminate()
        server.wait(timeout=30)
        clear_cache(env)


if __name__ == "__main__":
    main()
