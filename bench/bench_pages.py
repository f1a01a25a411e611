"""Server time and query count of every public page, at scale. Not part of the test run.

Usage (PostgreSQL, 100,000 fictional incidents; takes a few minutes the first time):

    createdb -h 127.0.0.1 -U postgres tracker_bench
    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/tracker_bench
    .venv/bin/python manage.py migrate && .venv/bin/python manage.py load_seeds
    .venv/bin/python manage.py generate_synthetic --incidents 100000
    .venv/bin/python bench/bench_pages.py [--runs 20] [--only statistics] [--cold]

Each page is requested in-process through Django's test client (the whole request: URL
routing, middleware, queries, template rendering; not the network), three times to warm up and
then --runs times. Prints median and 95th percentile in milliseconds and the number of
queries, and flags pages over the budget (lists and details 150 ms, statistics 500 ms p95).
The public page cache is turned off here (PAGE_CACHE_SECONDS=0; bench/bench_cache.py and
bench/load/run.py measure pages served from it). The statistics cache (dashboard/cache.py) is
not: after the warm-up a statistics page is served from the cached figures and the HTML rendered
from them (dashboard/cache.py ``rendered_from``). With --cold the site's
cache is emptied before every request, so each statistics request computes its figures afresh
(issue 12's budget: unfiltered statistics page and API ≤ 1,000 ms p95 cold, filtered ≤ 500 ms). bench/bench_figures.py
times each statistics figure beside hand-written SQL.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tracker.settings")
# The budgets are for pages rendered, not served from the public page cache (tracker/pagecache.py).
os.environ["PAGE_CACHE_SECONDS"] = "0"

import django  # noqa: E402

django.setup()
from django.core.cache import cache  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

import tracker.wsgi  # noqa: E402, F401  (the server's start-up, its gc.freeze() included)

LIST_BUDGET_MS = 150
# A server process answers thousands of requests: the first few (a new PostgreSQL backend for each
# statistics thread answers its first queries tens of milliseconds slower) are not measured.
WARM_UP = 3
STATS_BUDGET_MS = 500
# Cold (--cold: figures computed afresh every time), the unfiltered statistics page and API.
COLD_BUDGETS_MS = {"statistics": 1000, "API statistics": 1000}


def sample_urls() -> list[tuple[str, str, int]]:
    """(label, url, budget) for every public page, with real ids from the database."""
    from cases.models import Case, Court
    from incidents.models import Incident, Organisation, Province

    incident = Incident.objects.public().order_by("-killed", "pk").first()
    case = Case.objects.public().filter(hearings__isnull=False).order_by("pk").first()
    court = Court.objects.filter(kind="atc").order_by("pk").first()
    organisation = Organisation.objects.order_by("pk").first()
    province = Province.objects.order_by("pk").first()
    urls = [
        ("home", "/", LIST_BUDGET_MS),
        ("incident list", "/incidents/", LIST_BUDGET_MS),
        ("incident list, filtered", f"/incidents/?province={province.slug}&date_from=2010-01-01", LIST_BUDGET_MS),
        ("incident list, sorted by killed, page 50", "/incidents/?sort=-killed&page=50", LIST_BUDGET_MS),
        ("incident list, text search", "/incidents/?q=bombing", LIST_BUDGET_MS),
        ("incident detail", f"/incidents/{incident.pk}/", LIST_BUDGET_MS),
        ("case list", "/cases/", LIST_BUDGET_MS),
        ("case list, verdict=convicted", "/cases/?verdict=convicted", LIST_BUDGET_MS),
        ("case detail", f"/cases/{case.pk}/", LIST_BUDGET_MS),
        ("court list", "/courts/", STATS_BUDGET_MS),
        ("court scorecard", f"/courts/{court.pk}/", STATS_BUDGET_MS),
        ("organisation list", "/organisations/", LIST_BUDGET_MS),
        ("organisation detail", f"/organisations/{organisation.pk}/", LIST_BUDGET_MS),
        ("statistics", "/statistics/", STATS_BUDGET_MS),
        ("statistics, filtered", f"/statistics/?province={province.slug}&date_from=2010-01-01", STATS_BUDGET_MS),
        ("period report", "/statistics/report/?date_from=2012-01-01&date_to=2013-06-30", STATS_BUDGET_MS),
        ("corrections log", "/corrections/", LIST_BUDGET_MS),
        ("API incidents", "/api/incidents/", LIST_BUDGET_MS),
        ("API cases", "/api/cases/", LIST_BUDGET_MS),
        ("API hearings", "/api/hearings/", LIST_BUDGET_MS),
        ("API courts", "/api/courts/", LIST_BUDGET_MS),
        ("API statistics", "/api/statistics/", STATS_BUDGET_MS),
        ("Atom incidents", "/feeds/incidents/", LIST_BUDGET_MS),
        ("Atom cases", "/feeds/cases/", LIST_BUDGET_MS),
        ("iCalendar, all", "/hearings.ics", LIST_BUDGET_MS),
        ("iCalendar, court", f"/courts/{court.pk}/hearings.ics", LIST_BUDGET_MS),
        ("iCalendar, case", f"/cases/{case.pk}/hearings.ics", LIST_BUDGET_MS),
    ]
    return urls


def _get(client: Client, url: str, cold: bool = False):
    if cold:
        cache.clear()  # this site's keys only: figures, locks and pages computed afresh
    response = client.get(url)
    _ = b"".join(response.streaming_content) if response.streaming else response.content
    return response


def measure(client: Client, url: str, runs: int, cold: bool = False) -> tuple[int, list[float], int]:
    for _ in range(WARM_UP):  # imports, templates, the connection and its caches
        _get(client, url, cold)
    times = []
    for _ in range(runs):
        if cold:
            cache.clear()  # outside the timing: emptying the cache is not the page's work
        start = time.perf_counter()
        response = _get(client, url)
        times.append((time.perf_counter() - start) * 1000)
    # The queries are counted in a transaction that is rolled back.
    with transaction.atomic(), CaptureQueriesContext(connection) as ctx:
        _get(client, url, cold)
        transaction.set_rollback(True)
    return response.status_code, times, len(ctx.captured_queries)


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--only", help="Only pages whose label contains this text.")
    parser.add_argument("--cold", action="store_true", help="Empty the site's cache before every request.")
    args = parser.parse_args()

    # No setup_test_environment(): its instrumented template rendering copies every template's
    # context for the test client (about a third of a list page's time), which no server does.
    from cases.models import Case, Hearing
    from incidents.models import Incident

    client = Client()
    print(
        f"database: {connection.vendor}; incidents {Incident.objects.count():,}, cases {Case.objects.count():,}, "
        f"hearings {Hearing.objects.count():,}; {args.runs} runs per page after {WARM_UP} warm-up requests"
        + ("; cache emptied before every request" if args.cold else "")
    )
    print(f"{'page':45} {'status':>6} {'median ms':>10} {'p95 ms':>8} {'queries':>8}  budget")
    over = 0
    for label, url, budget in sample_urls():
        if args.only and args.only not in label:
            continue
        if args.cold:
            budget = COLD_BUDGETS_MS.get(label, budget)
        status, times, queries = measure(client, url, args.runs, args.cold)
        worst = p95(times)
        flag = "ok" if worst <= budget and status == 200 else "OVER" if status == 200 else f"HTTP {status}"
        over += flag != "ok"
        print(f"{label:45} {status:>6} {statistics.median(times):>10.1f} {worst:>8.1f} {queries:>8}  {budget} {flag}")
    return 1 if over else 0


if __name__ == "__main__":
    sys.exit(main())
