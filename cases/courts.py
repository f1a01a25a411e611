"""Court scorecards and the court statistics block (DESIGN.md "Courts and delay").

A scorecard is one trial court's figures; ``court_statistics`` is every figure of
``cases/delay.py`` at once, as ``/api/statistics/`` gives it under ``courts`` and the statistics
page, its CSV and the period report show it. Nothing is counted here that ``cases/delay.py`` does
not define: each figure comes from that module's grouped rows and the same summarising function
as its own ``disposal_times``, ``pending_ages``, …; the rows are read once and summarised overall
and per court, so the page makes each grouped query once.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import asdict, dataclass
from typing import Any, NamedTuple

from django.db.models import Count, QuerySet

from .delay import (
    Compliance,
    Disposal,
    Duration,
    OverLimit,
    PendingAge,
    PendingRow,
    YearDisposal,
    compliance_of,
    disposal_groups,
    durations,
    excess_of,
    pending_ages,
    pending_rows,
    summarise_disposal,
)
from .figures import DECIDED, PENDING, CourtName, WorkingDays, court_names, published
from .hearing_stats import Adjournments, HearingRow, adjournments_per_court, hearing_rows, summarise_adjournments
from .models import Case
from .verdict_stats import (
    Clearance,
    ConvictionCounts,
    ConvictionRate,
    clearance_rate,
    conviction_counts,
    conviction_rate_of,
)
from .workdays import WorkingCalendar


class CaseCounts(NamedTuple):
    """One court's published cases: all of them, the decided and the pending."""

    court_id: int
    cases: int
    decided: int
    pending: int


def case_counts(cases: QuerySet[Case]) -> dict[int, CaseCounts]:
    """Published, decided and pending cases per court. One query."""
    rows = (
        published(cases)
        .values("court_id")
        .annotate(n=Count("pk"), decided=Count("pk", filter=DECIDED), pending=Count("pk", filter=PENDING))
        .values_list("court_id", "n", "decided", "pending")
    )
    return {row[0]: CaseCounts._make(row) for row in rows}


@dataclass(frozen=True)
class Scorecard:
    """One trial court's figures over its published cases; hearings and adjournment reasons
    counted at the court that heard them."""

    court_id: int
    court: str
    city: str | None
    cases: int
    decided: int
    pending: int
    disposal: Disposal
    over_statutory_limit: OverLimit
    adjournments: Adjournments
    conviction_rate: ConvictionRate


@dataclass(frozen=True)
class CourtStatistics:
    """Every court figure of a set of cases (``court_statistics``)."""

    disposal: Disposal
    disposal_by_year: list[YearDisposal]
    statutory_compliance: Compliance
    pending_ages: list[PendingAge]
    over_statutory_limit: OverLimit
    adjournments: Adjournments
    conviction_rate: ConvictionRate
    clearance_rate: Clearance
    scorecards: list[Scorecard]

    def as_dict(self) -> dict[str, Any]:
        """Plain dicts and lists, as ``/api/statistics/`` gives them under ``courts``."""
        return asdict(self)


class CourtRows(NamedTuple):
    """The grouped rows every court figure is summarised from (``court_rows``)."""

    today: datetime.date
    days: WorkingDays
    spans: list[Duration]
    pending: list[PendingRow]
    hearings: list[HearingRow]
    convictions: dict[int, ConvictionCounts]
    counts: dict[int, CaseCounts]
    names: dict[int, CourtName]


def court_rows(cases: QuerySet[Case], today: datetime.date, calendar: WorkingCalendar | None) -> CourtRows:
    """The grouped rows of the published ``cases``, read once: decided and pending cases,
    hearings, charges, case counts per court, court names (and the calendar when none is given)."""
    days = WorkingDays(calendar)
    return CourtRows(
        today=today,
        days=days,
        spans=durations(cases, days),
        pending=pending_rows(cases, per_court=True),
        hearings=hearing_rows(cases, per_court=True),
        convictions=conviction_counts(cases),
        counts=case_counts(cases),
        names=court_names(),
    )


def _scorecards(rows: CourtRows) -> list[Scorecard]:
    counts = rows.counts
    names = rows.names
    spans_by_court: dict[int, list[Duration]] = defaultdict(list)
    for span in rows.spans:
        spans_by_court[span.court_id].append(span)
    pending_by_court: dict[int, list[PendingRow]] = defaultdict(list)
    for row in rows.pending:
        pending_by_court[row.court_id].append(row)
    decided = {pk: count.decided for pk, count in counts.items()}
    hearings = adjournments_per_court(rows.hearings, decided, names)
    cards = [
        Scorecard(
            court_id=pk,
            court=names[pk].court,
            city=names[pk].city,
            cases=count.cases,
            decided=count.decided,
            pending=count.pending,
            disposal=summarise_disposal(spans_by_court[pk]),
            over_statutory_limit=excess_of(pending_by_court[pk], rows.today, rows.days),
            adjournments=hearings[pk],
            conviction_rate=conviction_rate_of([rows.convictions.get(pk, ConvictionCounts())]),
        )
        for pk, count in counts.items()
    ]
    return sorted(cards, key=lambda card: (-card.cases, card.court))


def court_scorecards(
    *, cases: QuerySet[Case], today: datetime.date, calendar: WorkingCalendar | None = None
) -> list[Scorecard]:
    """One ``Scorecard`` per trial court of the published ``cases``, most cases first: cases,
    decided, pending, disposal (as ``disposal_times``), over the statutory limit (as
    ``over_statutory_limit``), adjournments (as ``adjournments``) and conviction rate (as
    ``conviction_rate``). A constant number of queries whatever the number of courts."""
    return _scorecards(court_rows(cases, today, calendar))


def court_statistics(
    *,
    cases: QuerySet[Case],
    today: datetime.date,
    date_from: datetime.date | None = None,
    date_to: datetime.date | None = None,
    clearance_cases: QuerySet[Case] | None = None,
    calendar: WorkingCalendar | None = None,
) -> CourtStatistics:
    """Every court figure of the published ``cases`` at once, each as its own function in
    ``cases/delay.py`` gives it: disposal (overall and by year of cognizance), statutory
    compliance, pending ages, over the statutory limit, adjournments, conviction rate, the
    clearance rate of ``clearance_cases`` (default ``cases``) over date_from..date_to, and the
    scorecards. A constant number of queries."""
    rows = court_rows(cases, today, calendar)
    disposal = summarise_disposal(rows.spans)
    decided = sum(count.decided for count in rows.counts.values())
    return CourtStatistics(
        disposal=disposal,
        disposal_by_year=disposal_groups(rows.spans, "year", rows.names),
        statutory_compliance=compliance_of(disposal),
        pending_ages=pending_ages(cases=cases, today=today, calendar=rows.days.calendar),
        over_statutory_limit=excess_of(rows.pending, today, rows.days),
        adjournments=summarise_adjournments(rows.hearings, rows.hearings, decided),
        conviction_rate=conviction_rate_of(rows.convictions.values()),
        clearance_rate=clearance_rate(
            cases=clearance_cases if clearance_cases is not None else cases, date_from=date_from, date_to=date_to
        ),
        scorecards=_scorecards(rows),
    )
