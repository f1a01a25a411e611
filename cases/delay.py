"""Delay (DESIGN.md "Metrics", "Courts and delay"): one function per figure.

- Disposal time of a decided case = judgment_date − cognizance_date, in calendar days and in
  working days (the working days d with cognizance < d ≤ judgment): ``disposal_times``, overall
  or per court, city or year of cognizance (median and 90th percentile).
- Statutory compliance (ATA s.19(7)) = decided cases disposed of within 7 working days ÷
  decided cases: ``statutory_compliance``. A pending case more than 7 working days past its
  cognizance (to today) is over the limit by the excess: ``over_statutory_limit``.
- Pending age = today − cognizance_date (else − fir_date), in buckets: ``pending_ages``.

Hearings and adjournments are in cases/hearing_stats.py, conviction and clearance rates in
cases/verdict_stats.py, court scorecards and the ``courts`` block of ``/api/statistics/`` in
cases/courts.py; what they share (the small-number rule, percentiles, working days) in
cases/figures.py.

Every function is keyword-only, takes a queryset of cases the caller has restricted (the
FilterSets), counts only the published ones and reads the cases with one grouped query
(``values().annotate()``): one row per court and distinct dates, with how many cases share them.
Working days are worked out once per distinct date with one ``WorkingCalendar`` (one query for
the holidays), which a page loads once and passes in. Every median, percentile and rate carries
the ``n`` it is computed from.
"""

from __future__ import annotations

import datetime
from bisect import bisect_right
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import NamedTuple

from django.conf import settings
from django.db.models import Count, Q, QuerySet
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy

from incidents.stats import share

from .figures import (
    DECIDED,
    PENDING,
    CourtName,
    WorkingDays,
    court_names,
    interpolated,
    months_before,
    published,
    years_before,
)
from .models import Case
from .workdays import WorkingCalendar

PENDING_AGE_BUCKETS = (
    ("le_7_working_days", gettext_lazy("≤ 7 working days")),
    ("le_30_days", gettext_lazy("≤ 30 days")),
    ("le_6_months", gettext_lazy("≤ 6 months")),
    ("le_1_year", gettext_lazy("≤ 1 year")),
    ("1_to_3_years", gettext_lazy("1–3 years")),
    ("3_to_5_years", gettext_lazy("3–5 years")),
    ("gt_5_years", gettext_lazy("> 5 years")),
    ("unknown", gettext_lazy("No cognizance or FIR date recorded")),
)


# Disposal time and statutory compliance -------------------------------------------------------


class Duration(NamedTuple):
    """How long one decided case took, with what it is grouped by."""

    court_id: int
    year: int  # of cognizance
    days: int
    working_days: int


@dataclass(frozen=True)
class Disposal:
    """Disposal times of ``count`` decided cases (``n``, the same number, is what the medians,
    percentiles and compliance are computed from)."""

    count: int
    n: int
    median_days: float | None
    p90_days: float | None
    median_working_days: float | None
    p90_working_days: float | None
    within_statutory_limit: int
    statutory_compliance: float | None


@dataclass(frozen=True)
class CourtDisposal(Disposal):
    court_id: int
    court: str


@dataclass(frozen=True)
class CityDisposal(Disposal):
    city: str | None
    slug: str | None


@dataclass(frozen=True)
class YearDisposal(Disposal):
    year: int


@dataclass(frozen=True)
class Compliance:
    """ATA s.19(7): decided cases disposed of within the limit, of ``decided`` (= ``n``)."""

    decided: int
    within_limit: int
    rate: float | None
    n: int


def durations(cases: QuerySet[Case], days: WorkingDays) -> list[Duration]:
    """The disposal time of each published decided case. One query: a row per case, since every
    case's time goes into the medians and percentiles (grouping equal dates first made the query
    three times slower and the rows no fewer)."""
    rows = published(cases).filter(DECIDED).values_list("court_id", "cognizance_date", "judgment_date")
    through = days.through  # judgment ≥ cognizance (a constraint): working days are through(j) − through(c)
    return [
        Duration(court, start.year, (end - start).days, through(end) - through(start)) for court, start, end in rows
    ]


def summarise_disposal(spans: Iterable[Duration], cls: type[Disposal] = Disposal, **keys) -> Disposal:
    """``Disposal`` of these durations (``cls`` with ``keys`` for a group's row)."""
    spans = list(spans)
    calendar_days = sorted(span.days for span in spans)
    working_days = sorted(span.working_days for span in spans)
    n = len(spans)
    within = bisect_right(working_days, settings.STATUTORY_LIMIT_WORKING_DAYS)
    return cls(
        count=n,
        n=n,
        median_days=interpolated(calendar_days, 0.5),
        p90_days=interpolated(calendar_days, 0.9),
        median_working_days=interpolated(working_days, 0.5),
        p90_working_days=interpolated(working_days, 0.9),
        within_statutory_limit=within,
        statutory_compliance=share(within, n),
        **keys,
    )


def disposal_groups(spans: Iterable[Duration], group_by: str, names: dict[int, CourtName]) -> list:
    """``disposal_times`` per court, city or year of cognizance, from the durations."""
    groups: dict[tuple, list[Duration]] = defaultdict(list)
    for span in spans:
        if group_by == "year":
            key: tuple = (span.year,)
        elif group_by == "court":
            key = (span.court_id, names[span.court_id].court)
        else:
            key = (names[span.court_id].city, names[span.court_id].slug)
        groups[key].append(span)
    if group_by == "year":
        return [summarise_disposal(groups[key], YearDisposal, year=key[0]) for key in sorted(groups)]
    if group_by == "court":
        out = [summarise_disposal(s, CourtDisposal, court_id=k[0], court=k[1]) for k, s in groups.items()]
        return sorted(out, key=lambda r: (-r.count, r.court))
    out = [summarise_disposal(s, CityDisposal, city=k[0], slug=k[1]) for k, s in groups.items()]
    return sorted(out, key=lambda r: (-r.count, r.city or ""))


GROUPINGS = (None, "court", "city", "year")


def disposal_times(
    *, cases: QuerySet[Case], group_by: str | None = None, calendar: WorkingCalendar | None = None
) -> Disposal | list[Disposal]:
    """Disposal time of the published decided cases (judgment − cognizance), in calendar days and
    working days: median and 90th percentile (``percentile``), with how many cases were decided
    within the statutory limit. None figures when no case is decided.

    ``group_by`` "court" (``CourtDisposal``, most cases first), "city" (the court's city,
    ``CityDisposal``, most cases first) or "year" (of cognizance, ``YearDisposal``, oldest first)
    gives a list, one row per group. One query (two when grouped by court or city: the courts'
    names; one more to load the working calendar when none is given).
    """
    if group_by not in GROUPINGS:
        raise ValueError(f"group_by must be one of {GROUPINGS}, not {group_by!r}")
    spans = durations(cases, WorkingDays(calendar))
    if group_by is None:
        return summarise_disposal(spans)
    return disposal_groups(spans, group_by, court_names() if group_by != "year" else {})


def compliance_of(disposal: Disposal) -> Compliance:
    """The statutory compliance of a disposal summary."""
    return Compliance(
        decided=disposal.count,
        within_limit=disposal.within_statutory_limit,
        rate=disposal.statutory_compliance,
        n=disposal.n,
    )


def statutory_compliance(*, cases: QuerySet[Case], calendar: WorkingCalendar | None = None) -> Compliance:
    """ATA s.19(7): the share of published decided cases disposed of within 7 working days of
    cognizance (working days d with cognizance < d ≤ judgment). One query (and the calendar)."""
    return compliance_of(disposal_times(cases=cases, calendar=calendar))


# Pending cases: their age and the statutory limit ------------------------------------------------


class PendingRow(NamedTuple):
    """Pending cases (of one court, or of all when ``court_id`` is None) taken up on the same day."""

    court_id: int | None
    cognizance_date: datetime.date
    n: int


@dataclass(frozen=True)
class PendingAge:
    bucket: str
    label: str
    count: int


@dataclass(frozen=True)
class OverLimit:
    """Pending cases since cognizance (``n``, the share's base) and those over the limit
    (``median_excess_n``, the base of the median excess)."""

    pending_with_cognizance: int
    over_limit: int
    share: float | None
    median_excess_working_days: float | None
    max_excess_working_days: int | None
    n: int
    median_excess_n: int


def pending_rows(cases: QuerySet[Case], *, per_court: bool = False) -> list[PendingRow]:
    """The published pending cases (no judgment; not decided, transferred, on appeal or closed)
    that reached cognizance, grouped by cognizance date (and court). One query."""
    fields = ("court_id", "cognizance_date") if per_court else ("cognizance_date",)
    rows = (
        published(cases)
        .filter(PENDING, cognizance_date__isnull=False)
        .values(*fields)
        .annotate(n=Count("pk"))
        .values_list(*fields, "n")
    )
    return [PendingRow._make(row) for row in rows] if per_court else [PendingRow(None, *row) for row in rows]


def working_day_threshold(*, today: datetime.date, working_days: int, calendar: WorkingCalendar) -> datetime.date:
    """The earliest start date s with at most ``working_days`` working days in (s, today].

    Working days since s only grow as s moves back, so "≤ N working days old" is "started on or
    after this date"."""
    start = today
    for _ in range(3660):  # bounded: a calendar with no working days would never reach N
        earlier = start - datetime.timedelta(days=1)
        if calendar.between(earlier, today) > working_days:
            break
        start = earlier
    return start


def age_thresholds(today: datetime.date, calendar: WorkingCalendar) -> list[tuple[str, datetime.date]]:
    """(bucket, earliest start date) of each pending-age bucket with a lower bound, youngest first:
    a case belongs to the first bucket whose date it started on or after."""
    limit = settings.STATUTORY_LIMIT_WORKING_DAYS
    return [
        ("le_7_working_days", working_day_threshold(today=today, working_days=limit, calendar=calendar)),
        ("le_30_days", today - datetime.timedelta(days=30)),
        ("le_6_months", months_before(today, 6)),
        ("le_1_year", years_before(today, 1)),
        ("1_to_3_years", years_before(today, 3)),
        ("3_to_5_years", years_before(today, 5)),
    ]


def pending_ages(
    *, cases: QuerySet[Case], today: datetime.date, calendar: WorkingCalendar | None = None
) -> list[PendingAge]:
    """How long the published pending cases have waited: today − cognizance_date (or − fir_date
    before cognizance), in buckets, each case in the first that fits: ≤ 7 working days (the
    working calendar), ≤ 30 days, ≤ 6 months, ≤ 1 year, 1–3 years, 3–5 years (calendar months and
    years: a case started exactly 6 months ago is "≤ 6 months"), > 5 years; last the cases with
    neither date. Every bucket, zeros included.

    Each bucket is a range of start dates, worked out here from ``today`` and the calendar, so
    the cases are counted by the database: one query (and one for the calendar if none is given).
    """
    calendar = calendar if calendar is not None else WorkingCalendar()
    counts: dict[str, Count] = {}
    newer: datetime.date | None = None  # the start of the next younger bucket
    for bucket, since in age_thresholds(today, calendar):
        counts[bucket] = Count("pk", filter=Q(started__gte=since) & (Q(started__lt=newer) if newer else Q()))
        newer = since
    counts["gt_5_years"] = Count("pk", filter=Q(started__lt=newer))
    counts["unknown"] = Count("pk", filter=Q(started__isnull=True))
    row = published(cases).filter(PENDING).annotate(started=Coalesce("cognizance_date", "fir_date")).aggregate(**counts)
    return [PendingAge(key, label, row[key]) for key, label in PENDING_AGE_BUCKETS]


def excess_of(rows: Iterable[PendingRow], today: datetime.date, days: WorkingDays) -> OverLimit:
    """``over_statutory_limit`` of these pending rows."""
    limit = settings.STATUTORY_LIMIT_WORKING_DAYS
    with_cognizance = over = 0
    excess: list[int] = []
    for row in rows:
        with_cognizance += row.n
        beyond = days.between(row.cognizance_date, today) - limit
        if beyond > 0:
            over += row.n
            excess += [beyond] * row.n
    excess.sort()
    return OverLimit(
        pending_with_cognizance=with_cognizance,
        over_limit=over,
        share=share(over, with_cognizance),
        median_excess_working_days=interpolated(excess, 0.5),
        max_excess_working_days=excess[-1] if excess else None,
        n=with_cognizance,
        median_excess_n=over,
    )


def over_statutory_limit(
    *, cases: QuerySet[Case], today: datetime.date, calendar: WorkingCalendar | None = None
) -> OverLimit:
    """Published pending cases whose working days since cognizance (to ``today``) exceed the 7
    of ATA s.19(7), and by how much (the excess: working days beyond the seventh). One query (and
    the calendar)."""
    return excess_of(pending_rows(cases), today, WorkingDays(calendar))
