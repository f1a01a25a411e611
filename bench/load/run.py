"""Bounded load test of the public pages under gunicorn with production settings, on loopback only.

    .venv/bin/python bench/load/run.py                       # SQLite scratch file, 300 synthetic incidents
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/tracker_load .venv/bin/python bench/load/run.py \\
        --synthetic 100000 --duration 30
    .venv/bin/python bench/load/run.py --no-page-cache        # every request renders (uncached figures)
    .venv/bin/python bench/load/run.py --pages / /statistics/ --no-mixed   # only these pages
    .venv/bin/python bench/load/run.py --pages --duration 30  # only the mixed load

What it does: migrates the database in DATABASE_URL (default: a scratch SQLite file in /tmp), adds
fictional records with `generate_synthetic` until it holds at least --synthetic incidents (0: use
what is there), runs collectstatic, starts gunicorn on 127.0.0.1 with DEBUG=0, a random SECRET_KEY,
ALLOWED_HOSTS=127.0.0.1 and SECURE_SSL_REDIRECT=0 (plain HTTP on loopback), and loads the site with
--connections concurrent clients for --duration seconds (at most 60) per load using wrk
(`apt-get install wrk`), or a small threaded Python client when wrk is absent. Each load prints a
line: requests/s, p50/p95/p99 latency and errors (socket errors + non-2xx/3xx answers); then the
script stops gunicorn and prints one summary line saying which loads met the target. The rate
limits are raised for the run (every request comes from one address).

The page cache (tracker/pagecache.py): with --page-cache (the default) gunicorn runs with
PAGE_CACHE_SECONDS=600, with --no-page-cache with 0. Either way it gets a fresh PAGE_CACHE_DIR in a
temporary directory, removed at the end, so no run reuses an earlier run's pages.

The loads, one after the other (before each, the script waits until gunicorn has worked off what
the previous load left queued):

- per page (--pages; default: the public pages, one URL each; `--pages` alone: none): one warm-up
  request, then wrk asks for that one URL over and over. With the page cache on this measures
  cache hits; with --no-page-cache, rendering that page under load.
- mixed (--mixed, the default; --no-mixed skips it): one run in which every request asks for the
  next of ~520 different public pages (bench/load/mixed.lua reads the list from a temporary
  file): detail pages of 200 incidents and 200 cases spread over the ids, pages 1..50 of the
  incident and case lists, a dozen filtered incident lists and ten filtered statistics pages,
  shuffled, with no warm-up, so that, as when real readers spread over the site, most requests
  miss the cache. It also counts the X-Page-Cache answers (hit / miss / absent: not cacheable or
  cache off). A run short enough not to come back to a page measures misses only.

wrk counts only the requests answered before the end of a run: when answers under load take a good
part of --duration (uncached statistics), the percentiles understate; read req/s alongside them.
Targets (issue 6): zero errors and p95 under 500 ms at 50 clients.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import http.client
import json
import os
import random
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
HOST = "127.0.0.1"  # loopback only: never point this at another machine
PAGES = [
    "/",
    "/incidents/",
    "/incidents/?province=sindh&date_from=2012-01-01",
    "/incidents/{incident}/",
    "/cases/",
    "/cases/{case}/",
    "/courts/",
    "/courts/{court}/",
    "/organisations/",
    "/statistics/",
    "/statistics/report/",
    "/api/incidents/",
    "/api/statistics/",
]
MAX_DURATION = 60
PAGE_CACHE_SECONDS = 600  # with --page-cache (the production default)
# The mixed load: how many pages of each kind (fewer when the database holds fewer).
MIXED_DETAILS = 200  # incident detail pages, and as many case detail pages
MIXED_LIST_PAGES = 50  # pages 1..50 of the incident list, and of the case list


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def app_env(database_url: str, page_cache: bool, page_cache_dir: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    env.update(
        DATABASE_URL=database_url,
        PAGE_CACHE_SECONDS=str(PAGE_CACHE_SECONDS if page_cache else 0),
        PAGE_CACHE_DIR=page_cache_dir,
        DEBUG="0",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS=HOST,
        SECURE_SSL_REDIRECT="0",
        SECURE_HSTS_SECONDS="0",
        RATE_LIMIT_API="100000000",
        RATE_LIMIT_CSV="100000000",
        LOG_LEVEL="ERROR",
    )
    return env


def manage(env: dict, *args: str, capture: bool = False) -> str:
    result = subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True, capture_output=capture, text=True
    )
    return result.stdout if capture else ""


def prepare(env: dict, synthetic: int) -> dict[str, int | None]:
    """Migrate, top up synthetic data, collect static files; return sample ids for detail pages."""
    manage(env, "migrate", "--noinput", "-v0")
    script = (
        "import json\n"
        "from incidents.models import Incident\n"
        "from cases.models import Case, Court\n"
        "first = lambda qs: qs.order_by('pk').values_list('pk', flat=True).first()\n"
        "print(json.dumps({'count': Incident.objects.count(), 'incident': first(Incident.objects.public()),"
        " 'case': first(Case.objects.public()), 'court': first(Court.objects.all())}))\n"
    )
    ids = json.loads(manage(env, "shell", "-c", script, capture=True).strip().splitlines()[-1])
    if synthetic and ids["count"] < synthetic:
        manage(env, "generate_synthetic", "--incidents", str(synthetic - ids["count"]), "-v0")
        ids = json.loads(manage(env, "shell", "-c", script, capture=True).strip().splitlines()[-1])
    manage(env, "collectstatic", "--noinput", "-v0")
    return ids


def mixed_paths(env: dict) -> list[str]:
    """Many different public pages, in a fixed shuffled order, for the mixed load.

    Detail pages of MIXED_DETAILS public incidents and cases spread evenly over their ids, pages
    1..MIXED_LIST_PAGES of the incident and case lists (no more than there are), a dozen filtered
    incident lists (province and year, attack type, community) and ten filtered statistics pages.
    """
    script = (
        "import json\n"
        "from incidents.models import Community, Incident, Province\n"
        "from incidents.listing import PAGE_SIZE\n"
        "from cases.models import Case\n"
        f"n = {MIXED_DETAILS}\n"
        "def spread(qs):\n"
        "    pks = list(qs.order_by('pk').values_list('pk', flat=True))\n"
        "    return pks[:: max(1, len(pks) // n)][:n]\n"
        "dates = Incident.objects.public().order_by('date').values_list('date', flat=True)\n"
        "first, last = dates.first(), dates.last()\n"
        "print(json.dumps({'incidents': spread(Incident.objects.public()), 'cases': spread(Case.objects.public()),"
        " 'incident_pages': -(-Incident.objects.public().count() // PAGE_SIZE),"
        " 'case_pages': -(-Case.objects.public().count() // PAGE_SIZE),"
        " 'provinces': list(Province.objects.order_by('slug').values_list('slug', flat=True)),"
        " 'communities': list(Community.objects.order_by('slug').values_list('slug', flat=True)[:3]),"
        " 'years': [first.year, last.year] if first else []}))\n"
    )
    data = json.loads(manage(env, "shell", "-c", script, capture=True).strip().splitlines()[-1])
    paths = [f"/incidents/{pk}/" for pk in data["incidents"]] + [f"/cases/{pk}/" for pk in data["cases"]]
    paths += [f"/incidents/?page={n}" for n in range(1, min(MIXED_LIST_PAGES, data["incident_pages"]) + 1)]
    paths += [f"/cases/?page={n}" for n in range(1, min(MIXED_LIST_PAGES, data["case_pages"]) + 1)]
    provinces, communities = data["provinces"], data["communities"]
    years = list(range(data["years"][0], data["years"][1] + 1)) if data["years"] else []
    # Recent years first (the ones readers ask for), then older ones.
    years = years[::-1][::2] + years[::-1][1::2]
    lists = [f"province={p}&date_from={y}-01-01&date_to={y}-12-31" for p, y in zip(provinces, years, strict=False)]
    lists += [f"attack_type={kind}" for kind in ("target_killing", "bombing", "mob_violence")]
    lists += [f"community={c}" for c in communities]
    paths += [f"/incidents/?{query}" for query in lists[:12]]
    statistics = [f"province={p}" for p in provinces[:4]]
    statistics += [f"date_from={y}-01-01&date_to={y}-12-31" for y in years[:3]]
    statistics += [f"attack_type={kind}" for kind in ("target_killing", "bombing")]
    statistics += [f"community={c}" for c in communities[:1]]
    paths += [f"/statistics/?{query}" for query in statistics[:10]]
    random.Random(6).shuffle(paths)  # a fixed order: the expensive pages spread through the list
    return paths


def start_gunicorn(env: dict, port: int, workers: int) -> subprocess.Popen:
    server = subprocess.Popen(  # noqa: S603
        [
            sys.executable, "-m", "gunicorn", "tracker.wsgi",
            "-b", f"{HOST}:{port}", "-w", str(workers), "--timeout", "60", "--log-level", "warning",
        ],
        cwd=ROOT,
        env=env,
    )  # fmt: skip
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://{HOST}:{port}/healthz", timeout=5) as response:  # noqa: S310
                if response.status == 200:
                    return server
        except OSError:
            time.sleep(0.5)
    server.terminate()
    raise SystemExit("gunicorn did not answer /healthz within 60 s")


def drain(port: int, workers: int, limit: float = 180) -> float:
    """Wait until the server has worked off the requests a finished load left queued (wrk closes its
    connections at the end, but each sync worker still renders what it accepted, and the listen
    backlog holds more), so that one load's backlog does not slow the next. Returns the seconds
    waited: until `workers` simultaneous /healthz requests all answer within 0.5 s (at most `limit`)."""
    started = time.monotonic()

    def healthz(_: int) -> float:
        begun = time.monotonic()
        try:
            with urllib.request.urlopen(f"http://{HOST}:{port}/healthz", timeout=limit) as response:  # noqa: S310
                response.read()
        except OSError:
            return limit
        return time.monotonic() - begun

    while time.monotonic() - started < limit:
        with concurrent.futures.ThreadPoolExecutor(workers) as pool:
            if max(pool.map(healthz, range(workers))) < 0.5:
                break
    return time.monotonic() - started


def run_wrk(
    url: str, connections: int, duration: int, threads: int, paths_file: str | None = None, headers: dict | None = None
) -> dict:
    """One wrk run: `url` over and over, or (with `paths_file`) each path of that file in turn (mixed.lua),
    sending `headers` with every request."""
    script = "mixed.lua" if paths_file else "wrk_report.lua"
    command = [
        "wrk", f"-t{threads}", f"-c{connections}", f"-d{duration}s", "--timeout", "10s",
        "-s", str(HERE / script), url,
    ]  # fmt: skip
    for name, value in (headers or {}).items():
        command[1:1] = ["-H", f"{name}: {value}"]
    if paths_file:
        command += ["--", paths_file, str(threads)]
    output = subprocess.run(command, capture_output=True, text=True, check=True, timeout=duration + 60).stdout  # noqa: S603
    line = next(line for line in reversed(output.splitlines()) if line.startswith("{"))
    result = json.loads(line)
    result["errors"] = sum(
        result[key] for key in ("connect_errors", "read_errors", "write_errors", "timeouts", "non_2xx_3xx")
    )
    return result


def run_python_client(url: str, connections: int, duration: int, paths: list[str] | None = None) -> dict:
    """Fallback when wrk is absent: `connections` threads, each a keep-alive HTTP/1.1 connection,
    asking for `url` over and over, or (with `paths`) each path in turn, client n starting n/connections
    of the way down the list."""
    target = urllib.request.urlparse(url)
    paths = paths or [target.path + (f"?{target.query}" if target.query else "")]
    latencies: list[float] = []
    errors = [0]
    cache = {"hit": 0, "miss": 0, None: 0}
    lock = threading.Lock()
    deadline = time.monotonic() + duration

    def client(number: int) -> None:
        connection = http.client.HTTPConnection(target.hostname, target.port, timeout=10)
        mine, failed, answers = [], 0, dict.fromkeys(cache, 0)
        position = number * len(paths) // connections
        while time.monotonic() < deadline:
            started = time.monotonic()
            try:
                connection.request("GET", paths[position % len(paths)])
                position += 1
                response = connection.getresponse()
                response.read()
                answer = response.getheader("X-Page-Cache")
                answers[answer if answer in answers else None] += 1
                if response.status >= 400:
                    failed += 1
            except (OSError, http.client.HTTPException):
                failed += 1
                connection.close()
                connection = http.client.HTTPConnection(target.hostname, target.port, timeout=10)
            mine.append(time.monotonic() - started)
        with lock:
            latencies.extend(mine)
            errors[0] += failed
            for key, count in answers.items():
                cache[key] += count

    started = time.monotonic()
    workers = [threading.Thread(target=client, args=(number,)) for number in range(connections)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    elapsed = time.monotonic() - started
    latencies.sort()

    def pct(p: float) -> float:
        return latencies[min(len(latencies) - 1, int(p / 100 * len(latencies)))] * 1000 if latencies else 0.0

    return {
        "requests": len(latencies),
        "rps": len(latencies) / elapsed,
        "p50_ms": pct(50),
        "p95_ms": pct(95),
        "p99_ms": pct(99),
        "errors": errors[0],
        "paths": len(paths),
        "cache_hits": cache["hit"],
        "cache_misses": cache["miss"],
        "not_cached": cache[None],
    }


def row(label: str, result: dict) -> str:
    return (
        f"{label:55} {result['rps']:8.1f} {result['p50_ms']:8.1f} {result['p95_ms']:8.1f} "
        f"{result['p99_ms']:8.1f} {result['errors']:7d}"
    )


def verdict(result: dict) -> str:
    if not result["requests"]:
        return "OVER TARGET (no request answered)"
    return "OK" if result["errors"] == 0 and result["p95_ms"] < 500 else "OVER TARGET"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--synthetic", type=int, default=300, help="top up to this many incidents (0: as is)")
    parser.add_argument("--duration", type=int, default=20, help=f"seconds per load (at most {MAX_DURATION})")
    parser.add_argument("--connections", type=int, default=50, help="concurrent clients")
    parser.add_argument("--workers", type=int, default=2 * (os.cpu_count() or 1) + 1, help="gunicorn workers")
    parser.add_argument("--client", choices=["auto", "wrk", "python"], default="auto")
    parser.add_argument("--pages", nargs="*", help="paths to load one by one (default: the public pages; none: skip)")
    parser.add_argument(
        "--page-cache",
        action=argparse.BooleanOptionalAction,
        default=True,
        help=f"serve anonymous readers from the page cache (PAGE_CACHE_SECONDS={PAGE_CACHE_SECONDS}; off: 0)",
    )
    parser.add_argument("--mixed", action=argparse.BooleanOptionalAction, default=True, help="end with the mixed load")
    args = parser.parse_args()
    duration = max(1, min(args.duration, MAX_DURATION))
    database_url = os.environ.get("DATABASE_URL", "sqlite:////tmp/tracker-load.sqlite3")
    use_wrk = args.client == "wrk" or (args.client == "auto" and shutil.which("wrk"))
    pages = PAGES if args.pages is None else args.pages

    scratch = Path(tempfile.mkdtemp(prefix="tracker-load-"))  # this run's page cache and path list
    try:
        env = app_env(database_url, args.page_cache, str(scratch / "pages"))
        ids = prepare(env, args.synthetic)
        paths = mixed_paths(env) if args.mixed else []
        port = free_port()
        server = start_gunicorn(env, port, args.workers)
        try:
            summary = load(args, ids, pages, paths, port, duration, use_wrk, scratch, database_url)
        finally:
            server.terminate()
            server.wait(timeout=30)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    print(summary)


def load(args, ids, pages, paths, port, duration, use_wrk, scratch: Path, database_url: str) -> str:
    """Run the per-page loads, then the mixed one; print a line each; return the summary line."""
    engine = database_url.split(":", 1)[0]
    cache = f"page cache on ({PAGE_CACHE_SECONDS} s)" if args.page_cache else "page cache off"
    print(
        f"# {ids['count']} incidents on {engine}; {cache}; gunicorn {args.workers} workers; "
        f"{args.connections} clients x {duration} s per load; client: {'wrk' if use_wrk else 'python'}"
    )
    print(f"{'page':55} {'req/s':>8} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'errors':>7}")
    worst = {"requests": 1, "p95_ms": 0.0, "errors": 0}
    loaded = 0
    for page in pages:
        try:
            path = page.format(**ids)
        except KeyError:
            continue
        if "None" in path:
            print(f"{page:55} skipped: no public record for it")
            continue
        url = f"http://{HOST}:{port}{path}"
        drain(port, args.workers)
        try:
            with urllib.request.urlopen(url, timeout=120) as response:  # noqa: S310 (warm-up)
                status = response.status
        except urllib.error.HTTPError as error:
            status = error.code
        if status != 200:
            print(f"{path:55} skipped: answers {status}")
            continue
        result = (
            run_wrk(url, args.connections, duration, threads=2)
            if use_wrk
            else run_python_client(url, args.connections, duration)
        )
        worst["p95_ms"] = max(worst["p95_ms"], result["p95_ms"])
        worst["errors"] += result["errors"]
        worst["requests"] = min(worst["requests"], result["requests"])
        loaded += 1
        print(row(path, result), flush=True)
    parts = []
    if loaded:
        parts.append(
            f"per page ({loaded} pages): worst p95 {worst['p95_ms']:.1f} ms, {worst['errors']} errors: {verdict(worst)}"
        )
    if paths:
        paths_file = scratch / "mixed-paths.txt"
        paths_file.write_text("\n".join(paths) + "\n")
        url = f"http://{HOST}:{port}"
        drain(port, args.workers)
        result = (
            run_wrk(url, args.connections, duration, threads=2, paths_file=str(paths_file))
            if use_wrk
            else run_python_client(url, args.connections, duration, paths=paths)
        )
        print(row(f"mixed: {len(paths)} pages in turn, no warm-up", result), flush=True)
        answered = result["cache_hits"] + result["cache_misses"] + result["not_cached"]
        print(
            f"#   mixed: {result['requests']} requests; X-Page-Cache hit {result['cache_hits']}, "
            f"miss {result['cache_misses']}, absent {result['not_cached']} "
            f"({100 * result['cache_hits'] / max(answered, 1):.0f}% hits)"
        )
        parts.append(f"mixed: p95 {result['p95_ms']:.1f} ms, {result['errors']} errors: {verdict(result)}")
    return f"# {cache}; " + "; ".join(parts or ["nothing loaded"]) + " (target: 0 errors, p95 < 500 ms)"


if __name__ == "__main__":
    main()
