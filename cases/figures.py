"""What every court figure shares (cases/delay.py, cases/hearing_stats.py, cases/verdict_stats.py,
cases/courts.py): the small-number rule, percentiles (rates: incidents.stats.share), the published cases of a
queryset, working days counted once per distinct date, court names.

Small numbers (DESIGN.md "Metrics"): a median, percentile or rate computed from fewer than
``MIN_N`` cases, hearings or accused is shown on pages as "too few to say (n = …)"
(``too_few_text``); the API gives the value and its n. A rate is a fraction from 0 to 1 and None
when there is nothing to divide by: no data is not 0 %.
"""

from __future__ import annotations

import datetime
import math
from collections.abc import Sequence
from typing import NamedTuple

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from incidents.models import Status

from .models import NOT_PENDING_STAGES, Case, Court
from .workdays import WorkingCalendar

# A median, percentile or rate from fewer cases (hearings, accused) than this is "too few to say".
MIN_N = 5

DECIDED = Q(judgment_date__isnull=False, cognizance_date__isnull=False)  # CaseQuerySet.decided
PENDING = Q(judgment_date__isnull=True) & ~Q(stage__in=NOT_PENDING_STAGES)  # CaseQuerySet.pending


def too_few(n: int) -> bool:
    """Whether a median, percentile or rate computed from ``n`` items is too few to print."""
    return n < MIN_N


def too_few_text(n: int) -> str:
    """What a page prints instead of a figure computed from fewer than ``MIN_N`` items."""
    return _("too few to say (n = %(n)s)") % {"n": n}


def percentile(values: Sequence[float], fraction: float) -> float | None:
    """The ``fraction`` (0..1) percentile of ``values`` by linear interpolation, None if empty.

    The definition of PostgreSQL's ``percentile_cont`` and numpy's default: sort the n values
    x[0] ≤ … ≤ x[n-1], take h = (n − 1) × fraction and interpolate x[⌊h⌋] + (h − ⌊h⌋) ×
    (x[⌊h⌋+1] − x[⌊h⌋]). The median is ``percentile(values, 0.5)``.
    """
    return interpolated(sorted(values), fraction)


def interpolated(ordered: Sequence[float], fraction: float) -> float | None:
    if not ordered:
        return None
    position = (len(ordered) - 1) * fraction
    low = math.floor(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (position - low) * (ordered[high] - ordered[low])


def years_before(day: datetime.date, years: int) -> datetime.date:
    """The same calendar day ``years`` earlier (29 February → 28 February)."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)


def months_before(day: datetime.date, months: int) -> datetime.date:
    """The same day of the month ``months`` earlier, clamped to the month's last day."""
    year, month = divmod(day.year * 12 + day.month - 1 - months, 12)
    for last in (31, 30, 29, 28):
        try:
            return datetime.date(year, month + 1, min(day.day, last))
        except ValueError:
            continue
    raise AssertionError("unreachable")  # pragma: no cover


def published(cases: QuerySet[Case]) -> QuerySet[Case]:
    """The published cases of ``cases``, each once, ready to group.

    A caller's join (a search across the court's name, a ``distinct()``) must not be reused, and
    rows multiplied, by a grouping: then the cases are taken by id."""
    cases = cases.order_by()
    if len(cases.query.alias_map) > 1 or cases.query.distinct:
        cases = Case.objects.filter(pk__in=cases.values("pk"))
    return cases.filter(status=Status.PUBLISHED)


class WorkingDays:
    """Working days between dates from one calendar, each distinct date worked out once."""

    def __init__(self, calendar: WorkingCalendar | None):
        self.calendar = calendar if calendar is not None else WorkingCalendar()
        self._through: dict[datetime.date, int] = {}

    def through(self, day: datetime.date) -> int:
        known = self._through.get(day)
        if known is None:
            known = self._through[day] = self.calendar.through(day)
        return known

    def between(self, start: datetime.date, end: datetime.date) -> int:
        """Working days d with start < d ≤ end (0 when end ≤ start)."""
        return self.through(end) - self.through(start) if end > start else 0


class CourtName(NamedTuple):
    court_id: int
    court: str
    city: str | None
    slug: str | None


def court_names() -> dict[int, CourtName]:
    """Every court's name and city, by id. One query, always: courts are a short reference list,
    and reading them all keeps a page's query count the same whatever its cases."""
    rows = Court.objects.order_by().values_list("pk", "name", "city__name", "city__slug")
    return {row[0]: CourtName._make(row) for row in rows}
