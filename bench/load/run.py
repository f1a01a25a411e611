"""Bounded load test of the public pages under gunicorn with production settings, on loopback only.

    .venv/bin/python bench/load/run.py                       # SQLite scratch file, 300 synthetic incidents
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/tracker_load .venv/bin/python bench/load/run.py \\
        --synthetic 100000 --duration 30

What it does: migrates the database in DATABASE_URL (default: a scratch SQLite file in /tmp), adds
fictional records with `generate_synthetic` until it holds at least --synthetic incidents (0: use
what is there), runs collectstatic, starts gunicorn on 127.0.0.1 with DEBUG=0, a random SECRET_KEY,
ALLOWED_HOSTS=127.0.0.1 and SECURE_SSL_REDIRECT=0 (plain HTTP on loopback), then loads each public
page in turn with --connections concurrent clients for --duration seconds (at most 60) using wrk
(`apt-get install wrk`), or a small threaded Python client when wrk is absent. Prints one line per
page: requests/s, p50/p95/p99 latency and errors (socket errors + non-2xx/3xx answers), then stops
gunicorn. The rate limits are raised for the run (every request comes from one address).
Targets (issue 6): zero errors and p95 under 500 ms at 50 clients.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import secrets
import shutil
import socket
import subprocess
import sys
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


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def app_env(database_url: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    env.update(
        DATABASE_URL=database_url,
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


def run_wrk(url: str, connections: int, duration: int, threads: int) -> dict:
    command = [
        "wrk", f"-t{threads}", f"-c{connections}", f"-d{duration}s", "--timeout", "10s",
        "-s", str(HERE / "wrk_report.lua"), url,
    ]  # fmt: skip
    output = subprocess.run(command, capture_output=True, text=True, check=True, timeout=duration + 60).stdout  # noqa: S603
    line = next(line for line in reversed(output.splitlines()) if line.startswith("{"))
    result = json.loads(line)
    result["errors"] = sum(
        result[key] for key in ("connect_errors", "read_errors", "write_errors", "timeouts", "non_2xx_3xx")
    )
    return result


def run_python_client(url: str, connections: int, duration: int) -> dict:
    """Fallback when wrk is absent: `connections` threads, each a keep-alive HTTP/1.1 connection."""
    target = urllib.request.urlparse(url)
    path = target.path + (f"?{target.query}" if target.query else "")
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()
    deadline = time.monotonic() + duration

    def client() -> None:
        connection = http.client.HTTPConnection(target.hostname, target.port, timeout=10)
        mine, failed = [], 0
        while time.monotonic() < deadline:
            started = time.monotonic()
            try:
                connection.request("GET", path)
                response = connection.getresponse()
                response.read()
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

    started = time.monotonic()
    workers = [threading.Thread(target=client) for _ in range(connections)]
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
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--synthetic", type=int, default=300, help="top up to this many incidents (0: as is)")
    parser.add_argument("--duration", type=int, default=20, help=f"seconds per page (at most {MAX_DURATION})")
    parser.add_argument("--connections", type=int, default=50, help="concurrent clients")
    parser.add_argument("--workers", type=int, default=2 * (os.cpu_count() or 1) + 1, help="gunicorn workers")
    parser.add_argument("--client", choices=["auto", "wrk", "python"], default="auto")
    parser.add_argument("--pages", nargs="*", help="paths to load (default: the public pages)")
    args = parser.parse_args()
    duration = max(1, min(args.duration, MAX_DURATION))
    database_url = os.environ.get("DATABASE_URL", "sqlite:////tmp/tracker-load.sqlite3")
    use_wrk = args.client == "wrk" or (args.client == "auto" and shutil.which("wrk"))

    env = app_env(database_url)
    ids = prepare(env, args.synthetic)
    port = free_port()
    server = start_gunicorn(env, port, args.workers)
    engine = database_url.split(":", 1)[0]
    print(
        f"# {ids['count']} incidents on {engine}; gunicorn {args.workers} workers; "
        f"{args.connections} clients x {duration} s per page; client: {'wrk' if use_wrk else 'python'}"
    )
    print(f"{'page':55} {'req/s':>8} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'errors':>7}")
    worst_p95, total_errors = 0.0, 0
    try:
        for page in args.pages or PAGES:
            try:
                path = page.format(**ids)
            except KeyError:
                continue
            if "None" in path:
                print(f"{page:55} skipped: no public record for it")
                continue
            url = f"http://{HOST}:{port}{path}"
            try:
                with urllib.request.urlopen(url, timeout=120) as response:  # noqa: S310
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
            worst_p95 = max(worst_p95, result["p95_ms"])
            total_errors += result["errors"]
            print(
                f"{path:55} {result['rps']:8.1f} {result['p50_ms']:8.1f} {result['p95_ms']:8.1f} "
                f"{result['p99_ms']:8.1f} {result['errors']:7d}",
                flush=True,
            )
    finally:
        server.terminate()
        server.wait(timeout=30)
    verdict = "OK" if total_errors == 0 and worst_p95 < 500 else "OVER TARGET"
    print(f"# worst p95 {worst_p95:.1f} ms, {total_errors} errors: {verdict} (target: 0 errors, p95 < 500 ms)")


if __name__ == "__main__":
    main()
