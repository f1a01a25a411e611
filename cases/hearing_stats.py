"""Hearings and adjournments (DESIGN.md "Courts and delay"): hearings per decided case; the
adjournment rate = adjourned ÷ hearings with an outcome; adjournments by reason, overall and per
court.

One grouped query over the hearings of the published cases (``hearing_rows``), by the court that
heard them (the hearing's court, else its case's), the case's court, whether the case is decided,
the outcome and the reason; summarised here overall or per court. Every rate carries its ``n``
(cases/figures.py).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import NamedTuple

from django.db.models import BooleanField, Count, ExpressionWrapper, QuerySet
from django.db.models.functions import Coalesce

from incidents.stats import share

from .figures import DECIDED, CourtName, court_names, published
from .models import AdjournmentReason, Case, HearingOutcome


class HearingRow(NamedTuple):
    """Hearings with an outcome, counted by the court that heard them (the hearing's court, else
    its case's), the case's court, whether the case is decided, the outcome and the reason."""

    heard_by: int | None
    case_court_id: int | None
    of_decided: bool
    outcome: str
    adjournment_reason: str
    n: int


@dataclass(frozen=True)
class ReasonCount:
    """Adjournments for one reason, and their share of the ``n`` adjournments."""

    reason: str
    label: str
    count: int
    share: float | None
    n: int


@dataclass(frozen=True)
class HearingsPerCase:
    """Hearings with an outcome of the decided cases ÷ the decided cases (``n``)."""

    decided_cases: int
    hearings_of_decided_cases: int
    hearings_per_decided_case: float | None
    n: int


@dataclass(frozen=True)
class Adjournments:
    """Hearings held and adjourned (``adjournment_rate``'s base is ``n`` = hearings held), the
    reasons, and the hearings per decided case (its base ``hearings_per_decided_case_n``)."""

    decided_cases: int
    hearings_of_decided_cases: int
    hearings_per_decided_case: float | None
    hearings_per_decided_case_n: int
    hearings_held: int
    adjourned: int
    adjournment_rate: float | None
    n: int
    by_reason: list[ReasonCount]


@dataclass(frozen=True)
class CourtAdjournments(Adjournments):
    court_id: int
    court: str | None


def hearing_rows(cases: QuerySet[Case], *, per_court: bool = False) -> list[HearingRow]:
    """The hearings with an outcome of the published ``cases``, grouped (by the courts too when
    ``per_court``, else ``heard_by`` and ``case_court_id`` are None). One query: the cases joined
    to their hearings (the caller's filters apply to the cases themselves)."""
    courts = ("heard_by", "court_id") if per_court else ()
    fields = (*courts, "of_decided", "hearings__outcome", "hearings__adjournment_reason")
    rows = (
        published(cases)
        .filter(hearings__outcome__gt="")
        .annotate(
            heard_by=Coalesce("hearings__court_id", "court_id"),
            of_decided=ExpressionWrapper(DECIDED, output_field=BooleanField()),
        )
        .values(*fields)
        .annotate(n=Count("hearings__id"))
    )
    rows = rows.values_list(*fields, "n")
    return [HearingRow._make(row) for row in rows] if per_court else [HearingRow(None, None, *row) for row in rows]


def decided_per_court(cases: QuerySet[Case]) -> dict[int, int]:
    """The published decided cases of each court. One query."""
    rows = published(cases).filter(DECIDED).values("court_id").annotate(n=Count("pk"))
    return dict(rows.values_list("court_id", "n"))


def hearings_per_case_of(rows: Iterable[HearingRow], decided: int) -> HearingsPerCase:
    of_decided = sum(row.n for row in rows if row.of_decided)
    return HearingsPerCase(decided, of_decided, share(of_decided, decided), decided)


def hearings_per_decided_case(*, cases: QuerySet[Case]) -> HearingsPerCase:
    """Hearings with an outcome of the published decided cases ÷ those cases. Two queries (the
    hearings are read of the decided cases only)."""
    decided = published(cases).filter(DECIDED)
    return hearings_per_case_of(hearing_rows(decided), sum(decided_per_court(cases).values()))


def summarise_adjournments(
    heard: Iterable[HearingRow], of_cases: Iterable[HearingRow], decided: int, cls: type = Adjournments, **keys
) -> Adjournments:
    """``Adjournments`` of the hearings ``heard`` (rate and reasons), with the hearings per decided
    case from the hearings of the ``decided`` cases ``of_cases``. An adjourned hearing with no
    reason recorded counts as "other"; reasons most first (ties in the choices' order)."""
    held = adjourned = 0
    reasons: dict[str, int] = defaultdict(int)
    for row in heard:
        held += row.n
        if row.outcome == HearingOutcome.ADJOURNED:
            adjourned += row.n
            reasons[row.adjournment_reason or AdjournmentReason.OTHER] += row.n
    by_reason = sorted(
        (
            ReasonCount(code, label, reasons[code], share(reasons[code], adjourned), adjourned)
            for code, label in AdjournmentReason.choices
        ),
        key=lambda r: -r.count,
    )
    per_case = hearings_per_case_of(of_cases, decided)
    return cls(
        decided_cases=decided,
        hearings_of_decided_cases=per_case.hearings_of_decided_cases,
        hearings_per_decided_case=per_case.hearings_per_decided_case,
        hearings_per_decided_case_n=decided,
        hearings_held=held,
        adjourned=adjourned,
        adjournment_rate=share(adjourned, held),
        n=held,
        by_reason=by_reason,
        **keys,
    )


def adjournments_per_court(
    rows: list[HearingRow], decided: dict[int, int], names: dict[int, CourtName]
) -> dict[int, CourtAdjournments]:
    """``CourtAdjournments`` of each court with a hearing or a decided case: hearings and reasons
    at the court that heard them, hearings per decided case at the case's court."""
    heard: dict[int, list[HearingRow]] = defaultdict(list)
    of_cases: dict[int, list[HearingRow]] = defaultdict(list)
    for row in rows:
        heard[row.heard_by].append(row)
        of_cases[row.case_court_id].append(row)
    return {
        pk: summarise_adjournments(
            heard[pk], of_cases[pk], decided.get(pk, 0), CourtAdjournments, court_id=pk, court=names[pk].court
        )
        for pk in set(heard) | set(decided)
    }


def adjournments(*, cases: QuerySet[Case], group_by: str | None = None) -> Adjournments | list[CourtAdjournments]:
    """Hearings and adjournments of the published ``cases``: adjournment rate = adjourned ÷
    hearings with an outcome (scheduled hearings do not count); adjournments by reason, every
    reason, most first; hearings per decided case.

    ``group_by="court"``: one ``CourtAdjournments`` per court, most hearings first. Hearings and
    reasons go to the court that heard them (the case's court unless the hearing names another);
    hearings per decided case to the case's court. Two queries (three when grouped: the courts'
    names)."""
    if group_by not in (None, "court"):
        raise ValueError(f"group_by must be None or 'court', not {group_by!r}")
    rows, decided = hearing_rows(cases, per_court=group_by == "court"), decided_per_court(cases)
    if group_by is None:
        return summarise_adjournments(rows, rows, sum(decided.values()))
    per_court = adjournments_per_court(rows, decided, court_names()).values()
    return sorted(per_court, key=lambda r: (-r.hearings_held, r.court or ""))
