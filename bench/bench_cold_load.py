"""Eight readers arrive together at cold statistics while others read the rest of the site.

Issue 12's scenario at 1,000,000 incidents: the statistics cache is empty (a fresh key prefix),
eight readers ask for /statistics/ at the same moment on a two-worker server, and meanwhile one
reader keeps asking for other pages (/incidents/, /cases/, /, an incident page). Prints how the
eight were answered (200 with figures, or 503 "being counted" with Retry-After), how long the one
computation took (from the server's log), and the other pages' answers during it: the site must
keep answering.

    SECRET_KEY=x DATABASE_URL=postgres://postgres@127.0.0.1:5432/tracker_bench_1m \\
        .venv/bin/python bench/bench_cold_load.py

Port: BENCH_PORT (default 8307). Workers: WORKERS (default 2, synchronous, as deploy/gunicorn.conf.py).
"""

from __future__ import annotations

import os
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
PORT = int(os.environ.get("BENCH_PORT", "8307"))
WORKERS = os.environ.get("WORKERS", "2")
OTHER_PAGES = ["/incidents/", "/cases/", "/", "/incidents/?province=sindh", "/courts/"]


def fetch(path: str) -> tuple[int, float]:
    started = time.perf_counter()
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{PORT}{path}", timeout=120) as response:  # noqa: S310
            response.read()
            status = response.status
    except urllib.error.HTTPError as error:
        status = error.code
    return status, (time.perf_counter() - started) * 1000


def wait_until_up() -> None:
    for _ in range(300):
        try:
            fetch("/healthz")
            return
        except OSError:
            time.sleep(0.2)
    raise SystemExit("the server did not start")


def main() -> None:
    log = Path(tempfile.mkstemp(suffix=".log")[1])
    env = dict(os.environ, DEBUG="0", LOG_LEVEL="INFO", CACHE_KEY_PREFIX=f"coldload-{uuid.uuid4().hex[:8]}")
    env.pop("ALLOWED_HOSTS", None)
    command = [sys.executable, "-m", "gunicorn", "tracker.wsgi", "-b", f"127.0.0.1:{PORT}", "-w", WORKERS]
    with log.open("w") as out:
        server = subprocess.Popen(command + ["--timeout", "120"], cwd=BASE_DIR, env=env, stdout=out, stderr=out)
    try:
        wait_until_up()
        for path in OTHER_PAGES:  # each page rendered once and in the page cache, as on a live site
            fetch(path)
        done = threading.Event()
        others: list[tuple[float, str, int, float]] = []

        def read_the_rest() -> None:
            start = time.perf_counter()
            i = 0
            while not done.is_set():
                path = OTHER_PAGES[i % len(OTHER_PAGES)]
                status, ms = fetch(path)
                others.append((time.perf_counter() - start, path, status, ms))
                i += 1
                time.sleep(0.05)

        reader = threading.Thread(target=read_the_rest)
        reader.start()
        time.sleep(0.3)
        started = time.perf_counter()
        with ThreadPoolExecutor(8) as pool:
            answers = list(pool.map(lambda _: fetch("/statistics/"), range(8)))
        # Keep reading the rest until the figures are there (a reload after Retry-After gets them).
        while fetch("/statistics/")[0] != 200:
            time.sleep(2)
        ready = (time.perf_counter() - started) * 1000
        done.set()
        reader.join()
    finally:
        server.terminate()
        server.wait(30)
    computed = re.findall(r"statistics computed key=\S+ in (\d+) ms", log.read_text())
    print(f"8 readers of cold /statistics/ at once, {WORKERS} synchronous workers:")
    for status, ms in sorted(answers):
        print(f"  {status} in {ms:8.1f} ms")
    print(
        f"computations: {len(computed)} ({', '.join(computed)} ms); figures served {ready:.0f} ms after the eight asked"
    )
    during = [ms for _, _, status, ms in others]
    failed = [(path, status) for _, path, status, _ in others if status != 200]
    print(
        f"other pages meanwhile: {len(others)} answered, non-200: {failed or 'none'}, "
        f"median {statistics.median(during):.1f} ms, max {max(during):.1f} ms"
    )


if __name__ == "__main__":
    main()
