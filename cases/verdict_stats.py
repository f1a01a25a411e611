"""Verdicts and clearance (DESIGN.md "Courts and delay"): the conviction rate = convicted ÷
charges with a final verdict, per accused and per case; the clearance rate (CEPEJ) = cases
decided in a period ÷ cases that reached cognizance in it.

Grouped queries over the charges and the published cases; every rate carries its ``n``
(cases/figures.py).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import NamedTuple

from django.db.models import Count, Q, QuerySet

from incidents.stats import share

from .figures import published
from .models import FINAL_VERDICTS, Case, Verdict


@dataclass(frozen=True)
class ConvictionRate:
    """Per accused: convicted ÷ charges with a final verdict (``per_accused_n``). Per case: cases
    with a conviction ÷ cases with a final verdict (``per_case_n``)."""

    charges_decided: int
    charges_convicted: int
    per_accused: float | None
    per_accused_n: int
    cases_decided: int
    cases_convicted: int
    per_case: float | None
    per_case_n: int


class ConvictionCounts(NamedTuple):
    charges_decided: int = 0
    charges_convicted: int = 0
    cases_decided: int = 0
    cases_convicted: int = 0


def _conviction_counts() -> dict[str, Count]:
    """``ConvictionCounts`` as aggregates over published cases joined to their charges: charges
    with a final verdict and convicted, cases with at least one of each."""
    final = Q(charges__verdict__in=FINAL_VERDICTS)
    convicted = Q(charges__verdict=Verdict.CONVICTED)
    return {
        "charges_decided": Count("charges", filter=final),
        "charges_convicted": Count("charges", filter=convicted),
        "cases_decided": Count("pk", filter=final, distinct=True),
        "cases_convicted": Count("pk", filter=convicted, distinct=True),
    }


def conviction_counts(cases: QuerySet[Case]) -> dict[int, ConvictionCounts]:
    """``ConvictionCounts`` of each court with a final verdict. One grouped query."""
    rows = (
        published(cases)
        .values("court_id")
        .annotate(**_conviction_counts())
        .values_list("court_id", *ConvictionCounts._fields)
    )
    return {court: ConvictionCounts(*counts) for court, *counts in rows if counts[0]}


def conviction_rate_of(counts: Iterable[ConvictionCounts]) -> ConvictionRate:
    total = [sum(column) for column in zip(ConvictionCounts(), *counts, strict=False)]
    charges_decided, charges_convicted, cases_decided, cases_convicted = total
    return ConvictionRate(
        charges_decided=charges_decided,
        charges_convicted=charges_convicted,
        per_accused=share(charges_convicted, charges_decided),
        per_accused_n=charges_decided,
        cases_decided=cases_decided,
        cases_convicted=cases_convicted,
        per_case=share(cases_convicted, cases_decided),
        per_case_n=cases_decided,
    )


def conviction_rate(*, cases: QuerySet[Case]) -> ConvictionRate:
    """Conviction rate of the published ``cases`` = convicted ÷ charges with a final verdict
    (convicted, acquitted, discharged, abated). Per accused: over charges (one accused in one
    case). Per case: cases with at least one conviction ÷ cases with at least one final verdict.
    One query (``conviction_counts``' counts over all the cases at once)."""
    return conviction_rate_of([ConvictionCounts(**published(cases).aggregate(**_conviction_counts()))])


@dataclass(frozen=True)
class Clearance:
    """Cases decided in the period ÷ cases that reached cognizance in it (``n``)."""

    decided: int
    cognizance: int
    rate: float | None
    n: int


@dataclass(frozen=True)
class YearClearance(Clearance):
    year: int


def _within(field: str, date_from: datetime.date | None, date_to: datetime.date | None) -> Q:
    """``field`` falls in the inclusive period (an open end is unbounded)."""
    q = Q(**{f"{field}__isnull": False})
    if date_from:
        q &= Q(**{f"{field}__gte": date_from})
    if date_to:
        q &= Q(**{f"{field}__lte": date_to})
    return q


def _clearance_counts(
    cases: QuerySet[Case], periods: Sequence[tuple[datetime.date | None, datetime.date | None]]
) -> list[Clearance]:
    counts = {}
    for i, (start, end) in enumerate(periods):
        counts[f"decided_{i}"] = Count("pk", filter=_within("judgment_date", start, end))
        counts[f"cognizance_{i}"] = Count("pk", filter=_within("cognizance_date", start, end))
    row = published(cases).aggregate(**counts)
    out = []
    for i in range(len(periods)):
        decided, cognizance = row[f"decided_{i}"], row[f"cognizance_{i}"]
        out.append(Clearance(decided, cognizance, share(decided, cognizance), cognizance))
    return out


def clearance_rate(
    *, cases: QuerySet[Case], date_from: datetime.date | None, date_to: datetime.date | None
) -> Clearance:
    """Clearance rate (CEPEJ) = published cases decided in the period ÷ published cases that
    reached cognizance in it. The period is inclusive; an open end (None) is unbounded. One query."""
    return _clearance_counts(cases, [(date_from, date_to)])[0]


def clearance_by_year(*, cases: QuerySet[Case], years: Sequence[int]) -> list[YearClearance]:
    """``clearance_rate`` of each calendar year in ``years``, in that order. One query."""
    periods = [(datetime.date(year, 1, 1), datetime.date(year, 12, 31)) for year in years]
    rows = _clearance_counts(cases, periods)
    return [YearClearance(r.decided, r.cognizance, r.rate, r.n, year=year) for year, r in zip(years, rows, strict=True)]
