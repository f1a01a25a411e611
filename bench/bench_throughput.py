"""Requests per second of every public page beside a Django hello-world and a plain list (issue 18).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/tracker_bench REDIS_URL=redis://127.0.0.1:6379/0 \\
        .venv/bin/python bench/bench_throughput.py [--duration 8] [--only incidents] [--port 8141]

One run, side by side, so that a busy machine slows every figure alike and the ratios hold:

- gunicorn with WORKERS (2) sync workers on 127.0.0.1, production settings (DEBUG=0, ALLOWED_HOSTS
  given, a random SECRET_KEY, collected static files), every request sent with
  ``X-Forwarded-Proto: https`` as the reverse proxy sends it; wrk with 8 connections, `--duration`
  seconds per page (`apt-get install wrk`);
- the reference pages of bench/throughput_settings.py, served by the same server and middleware:
  ``/bench/hello/`` (a Django hello-world) and ``/bench/plain-list/`` (the 50 newest published
  incidents with their city and the total count: raw SQL, a template string);
- every public page twice: from the page cache (PAGE_CACHE_SECONDS=600, after one warm-up request
  that stores it; the run checks the next answer says ``X-Page-Cache: hit``), then rendered
  (a second server with PAGE_CACHE_SECONDS=0). The statistics cache keeps its production setting
  either way: rendered statistics pages read cached figures, as they do in production.

Before each page the reference is loaded again on the same server (the hello-world before a cached
page, the plain list before a rendered one): the machine's load drifts, and each ratio compares two
loads seconds apart. Prints req/s and p99 for each, the ratios (cached ÷ hello-world; rendered lists
÷ plain list) and whether the issue's targets are met: every
page from the cache ≥ 0.5 of the hello-world, /incidents/ and /cases/ rendered ≥ 0.5 of the plain
list, no answer other than 2xx. The run uses a cache key prefix of its own, so it never meets
pages cached by another run; the shared cache is Redis when REDIS_URL is set, else the database.
The rate limits are raised (every request comes from one address), but still counted.
"""

from __future__ import annotations

import argparse
import os
import secrets
import shutil
import sys
import tempfile
import urllib.error
import urllib.request
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE / "load"))

from run import drain, prepare, run_wrk, start_gunicorn  # noqa: E402  (bench/load/run.py)

HOST = "127.0.0.1"  # loopback only
HEADERS = {"X-Forwarded-Proto": "https"}
HELLO = "/bench/hello/"
PLAIN_LIST = "/bench/plain-list/"
PAGES = [
    "/",
    "/incidents/",
    "/incidents/?province=sindh&attack_type=target_killing",
    "/incidents/?sort=-killed&page=200",
    "/incidents/{incident}/",
    "/cases/",
    "/cases/?verdict=convicted",
    "/cases/{case}/",
    "/courts/",
    "/courts/{court}/",
    "/organisations/",
    "/corrections/",
    "/statistics/",
    "/api/incidents/",
    "/api/statistics/",
    "/feeds/incidents/",
]
# Rendered without the cache, these are compared with the plain list.
LISTS = ("/incidents/", "/cases/")
TARGET = 0.5


def server_env(page_cache: bool, static_root: str, prefix: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    env.update(
        DJANGO_SETTINGS_MODULE="throughput_settings",
        PYTHONPATH=os.pathsep.join([str(HERE), str(ROOT)]),
        DEBUG="0",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS=HOST,
        STATIC_ROOT=static_root,
        CACHE_KEY_PREFIX=prefix,
        PAGE_CACHE_SECONDS="600" if page_cache else "0",
        RATE_LIMIT_API="100000000",
        RATE_LIMIT_CSV="100000000",
        LOG_LEVEL="ERROR",
    )
    return env


def fetch(port: int, path: str) -> tuple[int, str]:
    request = urllib.request.Request(f"http://{HOST}:{port}{path}", headers=HEADERS)  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=300) as response:  # noqa: S310
            response.read()
            return response.status, response.headers.get("X-Page-Cache", "")
    except urllib.error.HTTPError as error:
        return error.code, ""


def load(port: int, path: str, args, *, expect_hit: bool) -> dict:
    """Warm up `path` (the first answer stores it, or computes the statistics), check it, then wrk it."""
    drain(port, args.workers)
    fetch(port, path)
    status, cached = fetch(port, path)
    result = {"status": status, "cache": cached, "rps": 0.0, "p99_ms": 0.0, "errors": 0}
    if status != 200 or (expect_hit and cached != "hit"):
        return result
    result.update(run_wrk(f"http://{HOST}:{port}{path}", args.connections, args.duration, 2, headers=HEADERS))
    return result


def serve_and_load(env: dict, args, paths: list[str], reference: str, *, page_cache: bool) -> dict[str, tuple]:
    """For each path, the reference page's load and then the path's, one after the other: on a shared
    machine whose load drifts, each ratio compares two loads a few seconds apart."""
    server = start_gunicorn(env, args.port, args.workers)
    results = {}
    try:
        for path in paths:
            results[path] = (
                load(args.port, reference, args, expect_hit=False),
                load(args.port, path, args, expect_hit=page_cache),
            )
            print(
                f"  {'cached' if page_cache else 'rendered'} {path}: {results[path][1]['rps']:.1f} req/s "
                f"({reference}: {results[path][0]['rps']:.1f})",
                flush=True,
            )
    finally:
        server.terminate()
        server.wait(timeout=30)
    return results


def ratio(value: float, base: float) -> str:
    return f"{value / base:.2f}" if base else "-"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=int, default=8, help="seconds per page")
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    parser.add_argument("--port", type=int, default=int(os.environ.get("BENCH_PORT", "8141")))
    parser.add_argument("--only", help="only pages whose path contains this text")
    args = parser.parse_args()
    if not shutil.which("wrk"):
        raise SystemExit("wrk not found: apt-get install wrk")
    if "DATABASE_URL" not in os.environ:
        raise SystemExit("set DATABASE_URL (a database with generate_synthetic's 100,000 incidents)")

    scratch = Path(tempfile.mkdtemp(prefix="tracker-throughput-"))
    prefix = f"throughput-{os.getpid()}"
    try:
        on = server_env(True, str(scratch / "static"), prefix)
        ids = prepare(on, 0)  # migrated, static files collected, sample ids
        paths = [p.format(**ids) for p in PAGES if not args.only or args.only in p]
        backend = "Redis" if os.environ.get("REDIS_URL") else "the database"
        print(
            f"# {ids['count']:,} incidents on {os.environ['DATABASE_URL'].split(':', 1)[0]}; shared cache: {backend}; "
            f"gunicorn {args.workers} sync workers; wrk {args.connections} connections x {args.duration} s per page"
        )
        cached = serve_and_load(on, args, paths, HELLO, page_cache=True)
        rendered = serve_and_load(
            server_env(False, on["STATIC_ROOT"], prefix), args, paths, PLAIN_LIST, page_cache=False
        )
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return report(cached, rendered, paths)


def report(cached: dict[str, tuple], rendered: dict[str, tuple], paths: list[str]) -> int:
    print(
        f"{'page':54} {'hello':>7} {'cached':>7} {'p99 ms':>7} {'÷hello':>6} {'plain':>6} {'rendered':>8} {'p99 ms':>7} {'÷plain':>6}"
    )
    missed, errors, failures = [], 0, []
    for path in paths:
        (hello, on), (plain, off) = cached[path], rendered[path]
        is_list = path.split("?")[0] in LISTS
        print(
            f"{path[:54]:54} {hello['rps']:7.1f} {on['rps']:7.1f} {on['p99_ms']:7.1f} {ratio(on['rps'], hello['rps']):>6}"
            f" {plain['rps']:6.1f} {off['rps']:8.1f} {off['p99_ms']:7.1f} {ratio(off['rps'], plain['rps']) if is_list else '':>6}"
        )
        if on["rps"] < TARGET * hello["rps"]:
            missed.append(f"{path} cached {ratio(on['rps'], hello['rps'])}")
        if is_list and off["rps"] < TARGET * plain["rps"]:
            missed.append(f"{path} rendered {ratio(off['rps'], plain['rps'])}")
        for result in (hello, on, plain, off):
            errors += result["errors"]
            if result["status"] != 200:
                failures.append(f"{path}: HTTP {result['status']} {result['cache']}".strip())
    print(f"# non-2xx or failed requests under load: {errors}; pages not loaded: {', '.join(failures) or 'none'}")
    print(f"# targets (≥ {TARGET} of the reference): " + ("all met" if not missed else "missed: " + "; ".join(missed)))
    return 1 if missed or errors or failures else 0


if __name__ == "__main__":
    sys.exit(main())
