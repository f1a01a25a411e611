"""Each court and delay figure beside the best hand-written SQL for the same figure, and the
court pages cold. Not part of the test run; PostgreSQL only.

Usage (100,000 fictional incidents, see README "Benchmarks"):

    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/tracker_bench
    .venv/bin/python manage.py migrate
    .venv/bin/python bench/bench_courts.py [--runs 9]

For each figure: the production function (cases/delay.py, hearing_stats.py, verdict_stats.py,
courts.py) over all published cases, and one or more hand-written SQL statements that compute
the same figure in the database (working days from a calendar of running counts, medians and
percentiles by ``percentile_cont``). The script checks that both give the same numbers, then
prints the fastest and the median time of ``--runs`` runs of each, and the ratio of the
function's fastest time to the fastest SQL's (the target: at most 1.5). Then the court pages
(/courts/ and a court's scorecard) through Django's test client, with the public page cache off
(they use no other cache: every request computes its figures), and the period report's court
figures (the report page itself is served from the statistics cache after its first request).
"""

# The SQL below is assembled from constants of this file only, never from input:
# ruff: noqa: S608

from __future__ import annotations

import argparse
import datetime
import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tracker.settings")
os.environ["PAGE_CACHE_SECONDS"] = "0"

import django  # noqa: E402

django.setup()
from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from django.http import QueryDict  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from cases import courts, delay, hearing_stats, verdict_stats  # noqa: E402
from cases.models import Case, Court  # noqa: E402
from cases.workdays import WorkingCalendar  # noqa: E402
from dashboard.api import statistics_filters  # noqa: E402

TODAY = datetime.date(2026, 11, 25)
REPORT_FROM, REPORT_TO = "2012-01-01", "2013-06-30"
LIMIT = settings.STATUTORY_LIMIT_WORKING_DAYS
# ISO day numbers (Monday 1) of the working weekdays, for the SQL calendar.
ISO_WEEKDAYS = tuple(day + 1 for day in settings.WORKING_WEEKDAYS)

# A calendar of running working-day counts over the span of the cases' dates: working days in
# (a, b] are through(b) − through(a).
CALENDAR_CTE = """
cal AS (
  SELECT d::date AS day,
         count(*) FILTER (WHERE extract(isodow FROM d) = ANY(%(weekdays)s) AND h.date IS NULL)
           OVER (ORDER BY d) AS through
  FROM generate_series(
         (SELECT least(min(cognizance_date), min(fir_date)) FROM cases_case),
         greatest((SELECT max(judgment_date) FROM cases_case), %(today)s::date), '1 day') d
  LEFT JOIN cases_holiday h ON h.date = d::date
)"""

# Working days by arithmetic (weekdays from an epoch) minus the holidays in between, counted per case.
WEEKDAYS_THROUGH = "(5 * (({d} - date '0001-01-01') / 7) + least(({d} - date '0001-01-01') %% 7 + 1, 5))"
HOLIDAYS_BETWEEN = (
    "(SELECT count(*) FROM cases_holiday h WHERE h.date > {a} AND h.date <= {b} AND extract(isodow FROM h.date) <= 5)"
)


def arithmetic_working_days(a: str, b: str) -> str:
    return f"({WEEKDAYS_THROUGH.format(d=b)} - {WEEKDAYS_THROUGH.format(d=a)} - {HOLIDAYS_BETWEEN.format(a=a, b=b)})"


PUBLISHED = "c.status = 'published'"
DECIDED = f"{PUBLISHED} AND c.judgment_date IS NOT NULL AND c.cognizance_date IS NOT NULL"
PENDING = (
    f"{PUBLISHED} AND c.judgment_date IS NULL AND c.stage NOT IN ('transferred', 'closed', 'decided', 'on_appeal')"
)
DISPOSAL_AGGREGATES = """count(*),
  percentile_cont(0.5) WITHIN GROUP (ORDER BY days), percentile_cont(0.9) WITHIN GROUP (ORDER BY days),
  percentile_cont(0.5) WITHIN GROUP (ORDER BY wd), percentile_cont(0.9) WITHIN GROUP (ORDER BY wd),
  count(*) FILTER (WHERE wd <= %(limit)s)"""


def disposal_sql(key: str = "", join: str = "") -> str:
    """Disposal figures of the published decided cases, grouped by the expression ``key`` if given."""
    inner = f"{key} AS k, " if key else ""
    outer, group = ("k, ", "GROUP BY k ORDER BY k") if key else ("", "")
    return f"""WITH {CALENDAR_CTE},
dec AS (SELECT {inner}c.judgment_date - c.cognizance_date AS days, j.through - s.through AS wd
        FROM cases_case c JOIN cal s ON s.day = c.cognizance_date JOIN cal j ON j.day = c.judgment_date {join}
        WHERE {DECIDED})
SELECT {outer}{DISPOSAL_AGGREGATES} FROM dec {group}"""


DISPOSAL_ARITHMETIC_SQL = f"""WITH dec AS (
  SELECT c.judgment_date - c.cognizance_date AS days,
         {arithmetic_working_days("c.cognizance_date", "c.judgment_date")} AS wd
  FROM cases_case c WHERE {DECIDED})
SELECT {DISPOSAL_AGGREGATES} FROM dec"""

OVER_LIMIT_SQL = f"""WITH {CALENDAR_CTE},
p AS (SELECT t.through - s.through AS wd FROM cases_case c JOIN cal s ON s.day = c.cognizance_date
      JOIN cal t ON t.day = %(today)s::date WHERE {PENDING} AND c.cognizance_date IS NOT NULL)
SELECT count(*), count(*) FILTER (WHERE wd > %(limit)s),
       percentile_cont(0.5) WITHIN GROUP (ORDER BY wd - %(limit)s) FILTER (WHERE wd > %(limit)s),
       max(wd - %(limit)s) FILTER (WHERE wd > %(limit)s)
FROM p"""

PENDING_AGES_SQL = f"""SELECT
  count(*) FILTER (WHERE s >= %(t0)s), count(*) FILTER (WHERE s >= %(t1)s AND s < %(t0)s),
  count(*) FILTER (WHERE s >= %(t2)s AND s < %(t1)s), count(*) FILTER (WHERE s >= %(t3)s AND s < %(t2)s),
  count(*) FILTER (WHERE s >= %(t4)s AND s < %(t3)s), count(*) FILTER (WHERE s >= %(t5)s AND s < %(t4)s),
  count(*) FILTER (WHERE s < %(t5)s), count(*) FILTER (WHERE s IS NULL)
FROM (SELECT coalesce(c.cognizance_date, c.fir_date) AS s FROM cases_case c WHERE {PENDING}) p"""

HEARINGS_JOIN = f"FROM cases_hearing h JOIN cases_case c ON c.id = h.case_id WHERE {PUBLISHED} AND h.outcome <> ''"
ADJOURNMENTS_SQL = f"""SELECT h.outcome, h.adjournment_reason,
  (c.judgment_date IS NOT NULL AND c.cognizance_date IS NOT NULL) AS of_decided, count(*)
{HEARINGS_JOIN} GROUP BY 1, 2, 3"""
ADJOURNMENTS_BY_COURT_SQL = f"""SELECT coalesce(h.court_id, c.court_id), c.court_id,
  (c.judgment_date IS NOT NULL AND c.cognizance_date IS NOT NULL), h.outcome, h.adjournment_reason, count(*)
{HEARINGS_JOIN} GROUP BY 1, 2, 3, 4, 5"""
HEARINGS_PER_CASE_SQL = f"""SELECT
  (SELECT count(*) FROM cases_case c WHERE {DECIDED}),
  (SELECT count(*) {HEARINGS_JOIN} AND c.judgment_date IS NOT NULL AND c.cognizance_date IS NOT NULL)"""
DECIDED_COUNT_SQL = f"SELECT count(*) FROM cases_case c WHERE {DECIDED}"

FINAL = "('convicted', 'acquitted', 'discharged', 'abated')"
CONVICTION_DISTINCT_SQL = f"""SELECT count(*) FILTER (WHERE ch.verdict IN {FINAL}),
  count(*) FILTER (WHERE ch.verdict = 'convicted'),
  count(DISTINCT ch.case_id) FILTER (WHERE ch.verdict IN {FINAL}),
  count(DISTINCT ch.case_id) FILTER (WHERE ch.verdict = 'convicted')
FROM cases_charge ch JOIN cases_case c ON c.id = ch.case_id WHERE {PUBLISHED}"""
CONVICTION_PER_CASE_SQL = f"""SELECT sum(f), sum(v), count(*) FILTER (WHERE f > 0), count(*) FILTER (WHERE v > 0)
FROM (SELECT count(*) FILTER (WHERE ch.verdict IN {FINAL}) AS f, count(*) FILTER (WHERE ch.verdict = 'convicted') AS v
      FROM cases_charge ch JOIN cases_case c ON c.id = ch.case_id WHERE {PUBLISHED} GROUP BY ch.case_id) t"""
CLEARANCE_SQL = f"""SELECT count(*) FILTER (WHERE c.judgment_date BETWEEN %(start)s AND %(end)s),
  count(*) FILTER (WHERE c.cognizance_date BETWEEN %(start)s AND %(end)s) FROM cases_case c WHERE {PUBLISHED}"""


def sql(statement: str, **params) -> Callable[[], list[tuple]]:
    params = {"weekdays": list(ISO_WEEKDAYS), "limit": LIMIT, "today": TODAY} | params

    def run() -> list[tuple]:
        with connection.cursor() as cursor:
            cursor.execute(statement, params)
            return cursor.fetchall()

    return run


def timed(fn: Callable[[], object], runs: int) -> tuple[float, float, object]:
    result = fn()  # warm: the first run reads the table pages into memory
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return min(times), statistics.median(times), result


def close(a, b) -> bool:
    if isinstance(a, float) or isinstance(b, float):
        return a is not None and b is not None and abs(float(a) - float(b)) < 1e-6
    return a == b


def check(label: str, got: tuple, want: tuple) -> None:
    if len(got) != len(want) or not all(close(g, w) for g, w in zip(got, want, strict=True)):
        raise SystemExit(f"{label}: the function gives {got}, the SQL {want}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=9)
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        raise SystemExit("PostgreSQL only (percentile_cont): set DATABASE_URL.")
    cases = Case.objects.public()
    calendar = WorkingCalendar()
    thresholds = [day for _, day in delay.age_thresholds(TODAY, calendar)]
    age_params = {f"t{i}": day for i, day in enumerate(thresholds)}

    def disposal_tuple(d) -> tuple:
        return (
            d.count,
            d.median_days,
            d.p90_days,
            d.median_working_days,
            d.p90_working_days,
            d.within_statutory_limit,
        )

    def over_tuple(o) -> tuple:
        return (o.pending_with_cognizance, o.over_limit, o.median_excess_working_days, o.max_excess_working_days)

    figures: list[tuple[str, Callable, Callable[[object], tuple], list[tuple[str, Callable, Callable]]]] = [
        (
            "disposal_times",
            lambda: delay.disposal_times(cases=cases, calendar=calendar),
            disposal_tuple,
            [
                ("calendar CTE", sql(disposal_sql()), lambda rows: tuple(rows[0])),
                ("arithmetic + holiday subquery", sql(DISPOSAL_ARITHMETIC_SQL), lambda rows: tuple(rows[0])),
            ],
        ),
        (
            "disposal_times by court",
            lambda: delay.disposal_times(cases=cases, group_by="court", calendar=calendar),
            lambda rows: tuple(sorted((r.court_id, *disposal_tuple(r)) for r in rows)),
            [("calendar CTE", sql(disposal_sql("c.court_id")), lambda rows: tuple(sorted(rows)))],
        ),
        (
            "disposal_times by year",
            lambda: delay.disposal_times(cases=cases, group_by="year", calendar=calendar),
            lambda rows: tuple((r.year, *disposal_tuple(r)) for r in rows),
            [
                (
                    "calendar CTE",
                    sql(disposal_sql("extract(year FROM c.cognizance_date)::int")),
                    lambda rows: tuple(tuple(r) for r in rows),
                )
            ],
        ),
        (
            "disposal_times by city",
            lambda: delay.disposal_times(cases=cases, group_by="city", calendar=calendar),
            lambda rows: tuple(sorted((r.slug or "", *disposal_tuple(r)) for r in rows)),
            [
                (
                    "calendar CTE",
                    sql(
                        disposal_sql(
                            "coalesce(ci.slug, '')",
                            "JOIN cases_court co ON co.id = c.court_id LEFT JOIN incidents_city ci ON ci.id = co.city_id",
                        )
                    ),
                    lambda rows: tuple(sorted(rows)),
                )
            ],
        ),
        (
            "statutory_compliance",
            lambda: delay.statutory_compliance(cases=cases, calendar=calendar),
            lambda c: (c.decided, c.within_limit),
            [("calendar CTE", sql(disposal_sql()), lambda rows: (rows[0][0], rows[0][5]))],
        ),
        (
            "pending_ages",
            lambda: delay.pending_ages(cases=cases, today=TODAY, calendar=calendar),
            lambda rows: tuple(r.count for r in rows),
            [("conditional counts", sql(PENDING_AGES_SQL, **age_params), lambda rows: tuple(rows[0]))],
        ),
        (
            "over_statutory_limit",
            lambda: delay.over_statutory_limit(cases=cases, today=TODAY, calendar=calendar),
            over_tuple,
            [("calendar CTE", sql(OVER_LIMIT_SQL), lambda rows: tuple(rows[0]))],
        ),
        (
            "adjournments",
            lambda: hearing_stats.adjournments(cases=cases),
            lambda a: (a.hearings_held, a.adjourned, a.hearings_of_decided_cases),
            [
                (
                    "grouped join + decided count",
                    lambda: (sql(ADJOURNMENTS_SQL)(), sql(DECIDED_COUNT_SQL)()),
                    lambda result: (
                        sum(r[3] for r in result[0]),
                        sum(r[3] for r in result[0] if r[0] == "adjourned"),
                        sum(r[3] for r in result[0] if r[2]),
                    ),
                )
            ],
        ),
        (
            "adjournments by court",
            lambda: hearing_stats.adjournments(cases=cases, group_by="court"),
            lambda rows: tuple(sorted((r.court_id, r.hearings_held, r.adjourned) for r in rows if r.hearings_held)),
            [
                (
                    "grouped join + decided count",
                    lambda: (sql(ADJOURNMENTS_BY_COURT_SQL)(), sql(DECIDED_COUNT_SQL)()),
                    lambda result: tuple(
                        sorted(
                            (
                                court,
                                sum(r[5] for r in result[0] if r[0] == court),
                                sum(r[5] for r in result[0] if r[0] == court and r[3] == "adjourned"),
                            )
                            for court in {r[0] for r in result[0]}
                        )
                    ),
                )
            ],
        ),
        (
            "hearings_per_decided_case",
            lambda: hearing_stats.hearings_per_decided_case(cases=cases),
            lambda h: (h.decided_cases, h.hearings_of_decided_cases),
            [("two counts", sql(HEARINGS_PER_CASE_SQL), lambda rows: tuple(rows[0]))],
        ),
        (
            "conviction_rate",
            lambda: verdict_stats.conviction_rate(cases=cases),
            lambda c: (c.charges_decided, c.charges_convicted, c.cases_decided, c.cases_convicted),
            [
                ("COUNT DISTINCT", sql(CONVICTION_DISTINCT_SQL), lambda rows: tuple(rows[0])),
                ("per-case subquery", sql(CONVICTION_PER_CASE_SQL), lambda rows: tuple(rows[0])),
            ],
        ),
        (
            "clearance_rate",
            lambda: verdict_stats.clearance_rate(
                cases=cases, date_from=datetime.date(2012, 1, 1), date_to=datetime.date(2012, 12, 31)
            ),
            lambda c: (c.decided, c.cognizance),
            [
                (
                    "conditional counts",
                    sql(CLEARANCE_SQL, start=datetime.date(2012, 1, 1), end=datetime.date(2012, 12, 31)),
                    lambda rows: tuple(rows[0]),
                )
            ],
        ),
    ]
    print(f"{Case.objects.count():,} cases ({cases.count():,} published), {Court.objects.count()} courts")
    print(f"{'figure':<28} {'function ms':>12} {'best SQL ms':>12} {'ratio':>6}  (min / median of {args.runs})")
    best_sum = 0.0
    for label, function, as_tuple, statements in figures:
        f_min, f_median, result = timed(function, args.runs)
        best = None
        for sql_label, statement, sql_tuple in statements:
            s_min, s_median, rows = timed(statement, args.runs)
            check(f"{label} / {sql_label}", as_tuple(result), sql_tuple(rows))
            if best is None or s_min < best[0]:
                best = (s_min, s_median, sql_label)
        best_sum += best[0]
        print(
            f"{label:<28} {f_min:6.1f} / {f_median:6.1f} {best[0]:6.1f} / {best[1]:6.1f} {f_min / best[0]:5.2f}x"
            f"  (best SQL: {best[2]})"
        )
    stats_min, stats_median, _ = timed(lambda: courts.court_statistics(cases=cases, today=TODAY), args.runs)
    print(
        f"{'court_statistics (all)':<28} {stats_min:6.1f} / {stats_median:6.1f}"
        f"   (the best SQL of its figures, one after another: {best_sum:.1f} ms)"
    )
    # The period report's court figures: the cases of the incidents of its period, as the report
    # filters them (the page itself is served from the statistics cache after its first request).
    report = statistics_filters(QueryDict(f"date_from={REPORT_FROM}&date_to={REPORT_TO}"))
    assert report.is_valid()
    report_min, report_median, _ = timed(
        lambda: courts.court_statistics(
            cases=report.cases,
            today=TODAY,
            date_from=report.date_from,
            date_to=report.date_to,
            clearance_cases=report.undated_case_filter.qs,
        ),
        args.runs,
    )
    print(f"{'report court figures':<28} {report_min:6.1f} / {report_median:6.1f}   ({REPORT_FROM} to {REPORT_TO})")

    client = Client()
    court = Court.objects.filter(kind="atc").order_by("pk").first()
    for label, url in (
        ("/courts/", "/courts/"),
        (f"/courts/{court.pk}/", f"/courts/{court.pk}/"),
    ):
        times = []
        for _ in range(args.runs + 1):
            with CaptureQueriesContext(connection) as queries:
                start = time.perf_counter()
                response = client.get(url)
                times.append((time.perf_counter() - start) * 1000)
            assert response.status_code == 200, (url, response.status_code)
        times = times[1:]
        times.sort()
        p95 = times[min(len(times) - 1, round(0.95 * (len(times) - 1)))]
        print(
            f"page {label:<40} median {statistics.median(times):6.1f} ms  p95 {p95:6.1f} ms  "
            f"{len(queries.captured_queries)} queries"
        )


if __name__ == "__main__":
    main()
