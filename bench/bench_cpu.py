"""CPU time per request of the pages bench/bench_throughput.py loads, in this process: a figure a busy
machine does not blur (wrk's req/s on a shared machine follow everyone else's load).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/tracker_bench REDIS_URL=redis://127.0.0.1:6379/0 \\
        .venv/bin/python bench/bench_cpu.py [--runs 200]

Each request goes through the WSGI application, the whole middleware stack included, as gunicorn
calls it (``X-Forwarded-Proto: https`` set); the time is this process's CPU time
(``time.process_time``), so the database's and Redis's own work is not in it. Prints the
milliseconds per request of the hello-world and each page from the page cache (hits), then of
the plain list and each list page rendered (PAGE_CACHE_SECONDS=0), and the ratios.
"""

from __future__ import annotations

import argparse
import io
import os
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE), str(HERE.parent)]
os.environ["DJANGO_SETTINGS_MODULE"] = "throughput_settings"
os.environ.setdefault("SECRET_KEY", "bench-cpu-only")
os.environ["PAGE_CACHE_SECONDS"] = "600"
os.environ.setdefault("CACHE_KEY_PREFIX", f"bench-cpu-{os.getpid()}")

import django  # noqa: E402

django.setup()
from bench_throughput import HELLO, LISTS, PAGES, PLAIN_LIST  # noqa: E402
from django.conf import settings  # noqa: E402
from django.core.wsgi import get_wsgi_application  # noqa: E402

application = get_wsgi_application()


def request(path: str) -> tuple[str, dict]:
    route, _, query = path.partition("?")
    environ = {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": route,
        "QUERY_STRING": query,
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "80",
        "HTTP_HOST": "127.0.0.1",
        "HTTP_X_FORWARDED_PROTO": "https",
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(),
        "wsgi.errors": sys.stderr,
    }
    answer = {}

    def start_response(status, headers, exc_info=None):
        answer.update(status=status, headers=dict(headers))

    body = application(environ, start_response)
    b"".join(body)
    body.close()
    return answer["status"], answer["headers"]


def cpu_ms(path: str, runs: int) -> float:
    for _ in range(3):
        status, _ = request(path)
    if not status.startswith("200"):
        raise SystemExit(f"{path}: {status}")
    started = time.process_time()
    for _ in range(runs):
        request(path)
    return (time.process_time() - started) * 1000 / runs


def main() -> None:
    from cases.models import Case, Court
    from incidents.models import Incident

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=200)
    args = parser.parse_args()
    first = lambda qs: qs.order_by("pk").values_list("pk", flat=True).first()  # noqa: E731
    ids = {
        "incident": first(Incident.objects.public()),
        "case": first(Case.objects.public()),
        "court": first(Court.objects.all()),
    }
    paths = [page.format(**ids) for page in PAGES]
    print(
        f"CPU ms per request in this process; {args.runs} runs each; shared cache: {settings.CACHES['default']['BACKEND']}"
    )
    hello = cpu_ms(HELLO, args.runs)
    print(f"{'hello-world':58} {hello:7.2f}")
    for path in paths:
        hit = cpu_ms(path, args.runs)
        print(f"{path[:48]:48} cached {hit:7.2f}  hello ÷ page {hello / hit:5.2f}")
    settings.PAGE_CACHE_SECONDS = 0
    plain = cpu_ms(PLAIN_LIST, max(20, args.runs // 10))
    print(f"{'plain list':58} {plain:7.2f}")
    for path in paths:
        if path.split("?")[0] in LISTS:
            rendered = cpu_ms(path, max(20, args.runs // 10))
            print(f"{path[:48]:48} rendered {rendered:7.2f}  plain ÷ page {plain / rendered:5.2f}")


if __name__ == "__main__":
    main()
