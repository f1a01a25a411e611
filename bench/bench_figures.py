"""Each incident and justice figure beside the best hand-written SQL for the same figure, and the
whole statistics payload cold. Not part of the test run; PostgreSQL only.

Usage (100,000 fictional incidents, see README "Benchmarks"):

    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/tracker_bench
    .venv/bin/python manage.py migrate
    .venv/bin/python bench/bench_figures.py [--runs 9] [--province sindh]

For each figure: the production function (incidents/stats.py, cases/justice.py) over the
published incidents, unfiltered and filtered by province, and one hand-written SQL statement that
computes the same figure in the database (DISTINCT ON for each charge's latest decided appeal, one
pass over the incidents with FILTERed counts). The script checks that both give the same numbers,
then prints the fastest and the median of ``--runs`` runs of each, and the ratio of the
function's fastest time to the SQL's (the target: at most 1.5). Then ``statistics_payload``,
every figure of /api/statistics/ one after the other, unfiltered and filtered, each run cold for
the application (no statistics cache in between).
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
from dataclasses import asdict, is_dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tracker.settings")
os.environ["PAGE_CACHE_SECONDS"] = "0"

import django  # noqa: E402

django.setup()
from django.db import connection  # noqa: E402

from cases import justice  # noqa: E402
from cases.models import Case  # noqa: E402
from dashboard.api import statistics_filters, statistics_payload  # noqa: E402
from incidents import stats  # noqa: E402
from incidents.models import Incident, Province  # noqa: E402

TODAY = datetime.date(2026, 11, 25)
OLD = justice.years_before(TODAY, justice.IMPUNITY_YEARS)
UPHELD_BEFORE = TODAY - datetime.timedelta(days=justice.APPEAL_WINDOW_DAYS)

FIGURES_SQL = """count(*), coalesce(sum(i.killed), 0), coalesce(sum(i.injured), 0),
  count(*) FILTER (WHERE i.killed IS NULL), count(*) FILTER (WHERE i.injured IS NULL)"""

# Each published charge with its standing verdict and whether it is an upheld conviction.
CHARGES_CTE = """
latest AS (
  SELECT DISTINCT ON (charge_id) charge_id, outcome FROM cases_appeal
  WHERE outcome <> 'pending' ORDER BY charge_id, decided_on DESC, id DESC
),
appeals AS (
  SELECT charge_id, count(*) FILTER (WHERE outcome IN ('pending', 'overturned', 'remanded')) AS blocking
  FROM cases_appeal GROUP BY charge_id
),
charges AS (
  SELECT ch.case_id, ch.accused_id, ch.custody,
    CASE
      WHEN l.outcome = 'remanded' THEN 'pending'
      WHEN l.outcome = 'overturned' AND ch.verdict = 'convicted' THEN 'acquitted'
      WHEN l.outcome = 'overturned' AND ch.verdict IN ('acquitted', 'discharged') THEN 'convicted'
      ELSE ch.verdict
    END AS standing,
    ch.verdict = 'convicted' AND (
      (a.charge_id IS NOT NULL AND a.blocking = 0) OR (a.charge_id IS NULL AND ch.verdict_date < %(upheld_before)s)
    ) AS upheld
  FROM cases_charge ch
  JOIN cases_case c ON c.id = ch.case_id AND c.status = 'published'
  LEFT JOIN latest l ON l.charge_id = ch.id
  LEFT JOIN appeals a ON a.charge_id = ch.id
),
per_incident AS (
  SELECT ci.incident_id,
    bool_or(ch.standing IN ('convicted', 'acquitted', 'discharged', 'abated')) AS concluded,
    bool_or(ch.standing = 'convicted') AS convicted,
    bool_or(ch.upheld) AS upheld,
    min(ch.accused_id) FILTER (WHERE ch.standing = 'convicted') AS c_min,
    max(ch.accused_id) FILTER (WHERE ch.standing = 'convicted') AS c_max,
    min(ch.accused_id) FILTER (WHERE ch.standing IN ('acquitted', 'discharged')
      OR (ch.standing = 'pending' AND ch.custody IN ('absconding', 'proclaimed_offender'))) AS f_min,
    max(ch.accused_id) FILTER (WHERE ch.standing IN ('acquitted', 'discharged')
      OR (ch.standing = 'pending' AND ch.custody IN ('absconding', 'proclaimed_offender'))) AS f_max
  FROM charges ch JOIN cases_case_incidents ci ON ci.case_id = ch.case_id
  GROUP BY ci.incident_id
),
registered AS (
  SELECT DISTINCT ci.incident_id FROM cases_case_incidents ci
  JOIN cases_case c ON c.id = ci.case_id AND c.status = 'published'
)"""


def where(alias: str = "i") -> str:
    return f"{alias}.status = 'published' AND (%(province)s::bigint IS NULL OR {alias}.province_id = %(province)s)"


SQL = {
    "summary": f"SELECT {FIGURES_SQL}, min(i.date), max(i.date) FROM incidents_incident i WHERE {where()}",
    "by_year": f"SELECT extract(year FROM i.date)::int, {FIGURES_SQL} FROM incidents_incident i WHERE {where()} "
    "GROUP BY 1",
    "by_province": f"SELECT p.name, {FIGURES_SQL} FROM incidents_incident i "
    f"JOIN incidents_province p ON p.id = i.province_id WHERE {where()} GROUP BY p.id",
    "by_city": f"SELECT c.name, {FIGURES_SQL} FROM incidents_incident i "
    f"LEFT JOIN incidents_city c ON c.id = i.city_id WHERE {where()} GROUP BY c.id",
    "by_attack_type": f"SELECT i.attack_type, {FIGURES_SQL} FROM incidents_incident i WHERE {where()} GROUP BY 1",
    "by_community": f"SELECT co.name, {FIGURES_SQL} FROM incidents_incident i "
    "LEFT JOIN incidents_incident_communities ic ON ic.incident_id = i.id "
    f"LEFT JOIN incidents_community co ON co.id = ic.community_id WHERE {where()} GROUP BY co.id",
    "by_organisation": f"""
      SELECT o.name, {FIGURES_SQL} FROM incidents_incident i
      LEFT JOIN (SELECT DISTINCT incident_id, organisation_id FROM incidents_attribution) a ON a.incident_id = i.id
      LEFT JOIN incidents_organisation o ON o.id = a.organisation_id
      WHERE {where()} GROUP BY o.id""",
    "funnel": f"""WITH {CHARGES_CTE}
      SELECT count(*), count(r.incident_id), count(p.incident_id), count(*) FILTER (WHERE p.concluded),
        count(*) FILTER (WHERE p.convicted), count(*) FILTER (WHERE p.upheld)
      FROM incidents_incident i
      LEFT JOIN registered r ON r.incident_id = i.id LEFT JOIN per_incident p ON p.incident_id = i.id
      WHERE {where()} AND i.killed > 0""",
    "impunity": f"""WITH {CHARGES_CTE}
      SELECT count(*),
        count(*) FILTER (WHERE r.incident_id IS NOT NULL OR i.court_record_checked_on IS NOT NULL),
        count(*) FILTER (WHERE (r.incident_id IS NOT NULL OR i.court_record_checked_on IS NOT NULL)
                         AND p.convicted IS NOT TRUE)
      FROM incidents_incident i
      LEFT JOIN registered r ON r.incident_id = i.id LEFT JOIN per_incident p ON p.incident_id = i.id
      WHERE {where()} AND i.killed > 0 AND i.date <= %(old)s""",
    "partial_justice": f"""WITH {CHARGES_CTE}
      SELECT count(*), count(*) FILTER (WHERE p.f_min IS NOT NULL
                                        AND NOT (p.c_min = p.c_max AND p.c_max = p.f_min AND p.f_min = p.f_max))
      FROM incidents_incident i JOIN per_incident p ON p.incident_id = i.id
      WHERE {where()} AND i.killed > 0 AND i.date <= %(old)s AND p.convicted""",
}


def plain(value):
    """A figure as comparable numbers: named rows and dicts to the SQL's tuples."""
    if is_dataclass(value):
        value = asdict(value)
    return value


def ours(name: str, incidents, total) -> Callable[[], object]:
    if name in ("funnel", "impunity", "partial_justice"):
        return lambda: getattr(justice, name)(incidents=incidents, today=TODAY)
    if name in ("by_community", "by_organisation"):
        return lambda: getattr(stats, name)(incidents=incidents, total=total)
    return lambda: getattr(stats, name)(incidents=incidents)


def sql(name: str, province: int | None) -> Callable[[], list[tuple]]:
    params = {"province": province, "old": OLD, "upheld_before": UPHELD_BEFORE}

    def run():
        with connection.cursor() as cursor:
            cursor.execute(SQL[name], params)
            return cursor.fetchall()

    return run


def same(name: str, mine, theirs: list[tuple]) -> bool:
    """Whether the function's figure and the SQL's rows hold the same numbers."""
    mine = plain(mine)
    if name == "summary":
        return tuple(mine[k] for k in (*stats.FIGURES, "first_date", "last_date")) == theirs[0]
    if name.startswith("by_"):
        key = {"by_year": "year", "by_attack_type": "attack_type"}.get(name, name.removeprefix("by_"))
        got = {(r[key], *(r[k] for k in stats.FIGURES)) for r in mine}
        return got == set(theirs)
    if name == "funnel":
        return tuple(mine.values()) == theirs[0]
    if name == "impunity":
        return (mine["fatal_old"], mine["researched"], mine["unpunished"]) == theirs[0]
    return (mine["with_standing_conviction"], mine["incidents"]) == theirs[0]


def timed(call: Callable[[], object], runs: int) -> tuple[float, float, object]:
    times, result = [], None
    for _ in range(runs):
        start = time.perf_counter()
        result = call()
        times.append((time.perf_counter() - start) * 1000)
    return min(times), statistics.median(times), result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=9)
    parser.add_argument("--province", default="sindh")
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        raise SystemExit("PostgreSQL only: set DATABASE_URL.")
    province = Province.objects.get(slug=args.province)
    print(
        f"{Incident.objects.public().count():,} published incidents, {Case.objects.public().count():,} published cases"
    )
    worst = 0.0
    for label, incidents, province_id in [
        ("all", Incident.objects.public(), None),
        (args.province, statistics_filters({"province": args.province}).incidents, province.pk),
    ]:
        total = stats.totals(incidents=incidents)
        print(f"\n{label}: figure, ours fastest / median ms, SQL fastest / median ms, ours ÷ SQL")
        for name in SQL:
            best, median, mine = timed(ours(name, incidents, total), args.runs)
            sql_best, sql_median, theirs = timed(sql(name, province_id), args.runs)
            agree = "" if same(name, mine, theirs) else "   DIFFERENT RESULTS"
            ratio = best / sql_best
            worst = max(worst, ratio)
            print(
                f"  {name:<16} {best:8.1f} / {median:8.1f}   {sql_best:8.1f} / {sql_median:8.1f}   {ratio:5.2f}{agree}"
            )
    print(f"\nworst ratio: {worst:.2f} (target ≤ 1.5)")
    print("\nstatistics_payload, cold for the application (no statistics cache), fastest / median / p95 ms:")
    for label, data in [("all", {}), (args.province, {"province": args.province})]:
        filters = statistics_filters(data)
        assert filters.is_valid()

        def payload(filters=filters):
            return statistics_payload(
                incidents=filters.incidents,
                cases=filters.cases,
                today=TODAY,
                date_from=filters.date_from,
                date_to=filters.date_to,
                clearance_cases=filters.undated_case_filter.qs,
            )

        times = sorted(timed(payload, 1)[0] for _ in range(args.runs))
        p95 = times[min(len(times) - 1, round(0.95 * (len(times) - 1)))]
        print(f"  {label:<8} {times[0]:8.1f} / {statistics.median(times):8.1f} / {p95:8.1f}")


if __name__ == "__main__":
    main()
