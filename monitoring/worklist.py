"""The monitors' worklist: what needs doing today, in a constant number of queries.

`build_worklist(today=..., court=..., city=...)` returns one list per section. Each section is
one query (plus one for the holiday calendar), whatever the number of rows. Retracted records
never appear: they are closed. "City" here is the court's city (for incidents, the incident's).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.db.models import Exists, F, OuterRef, Q

from cases.models import Case, Charge, Custody, Hearing
from cases.workdays import WorkingCalendar
from incidents.models import Incident, Status

UNVERIFIED_AFTER_DAYS = 30
LIVE = (Status.DRAFT, Status.PUBLISHED)


@dataclass
class Worklist:
    over_limit: list = field(default_factory=list)  # (case, working days over)
    overdue_hearings: list = field(default_factory=list)
    no_next_date: list = field(default_factory=list)
    unverified: list = field(default_factory=list)
    absconding: list = field(default_factory=list)
    draft_incidents: list = field(default_factory=list)
    draft_cases: list = field(default_factory=list)

    @property
    def draft_count(self) -> int:
        return len(self.draft_incidents) + len(self.draft_cases)

    @property
    def total(self) -> int:
        return sum(
            len(rows)
            for rows in (
                self.over_limit,
                self.overdue_hearings,
                self.no_next_date,
                self.unverified,
                self.absconding,
                self.draft_incidents,
                self.draft_cases,
            )
        )


def _case_scope(court=None, city=None, prefix: str = ""):
    """Q for live cases, optionally in one court or one city (the court's city)."""
    q = Q(**{f"{prefix}status__in": LIVE})
    if court is not None:
        q &= Q(**{f"{prefix}court": court})
    if city is not None:
        q &= Q(**{f"{prefix}court__city": city})
    return q


def over_statutory_limit(cases, *, today: datetime.date, calendar: WorkingCalendar) -> list[tuple[Case, int]]:
    """Pending cases past the ATA s.19(7) seven working days, most overdue first."""
    rows = []
    for case in cases:
        over = case.days_over_statutory_limit(today, calendar=calendar)
        if over > 0:
            rows.append((case, over))
    rows.sort(key=lambda row: (-row[1], row[0].pk))
    return rows


def build_worklist(*, today: datetime.date, court=None, city=None) -> Worklist:
    """Every section of the worklist for `today`, filtered by court and city."""
    calendar = WorkingCalendar()
    scope = _case_scope(court, city)
    pending = Case.objects.pending().filter(scope).select_related("court", "court__city")

    # Cognizance at least 8 calendar days ago is necessary for 8 working days: cheap pre-filter.
    clock = pending.filter(cognizance_date__lte=today - datetime.timedelta(days=8))
    upcoming = Hearing.objects.filter(case=OuterRef("pk"), date__gte=today)
    unverified_before = today - datetime.timedelta(days=UNVERIFIED_AFTER_DAYS)

    incidents = Incident.objects.filter(status=Status.DRAFT).select_related("province", "city")
    if city is not None:
        incidents = incidents.filter(city=city)
    if court is not None:
        incidents = incidents.filter(cases__court=court).distinct()

    return Worklist(
        over_limit=over_statutory_limit(clock, today=today, calendar=calendar),
        overdue_hearings=list(
            Hearing.objects.scheduled()
            .filter(date__lt=today)
            .filter(_case_scope(court, city, "case__"))
            .select_related("case", "case__court", "court")
            .order_by("date", "id")
        ),
        no_next_date=list(pending.filter(~Exists(upcoming)).order_by("court__name", "id")),
        unverified=list(
            pending.filter(Q(last_verified_on__isnull=True) | Q(last_verified_on__lt=unverified_before)).order_by(
                F("last_verified_on").asc(nulls_first=True), "id"
            )
        ),
        absconding=list(
            Charge.objects.filter(custody__in=[Custody.ABSCONDING, Custody.PROCLAIMED_OFFENDER])
            .filter(_case_scope(court, city, "case__"))
            .select_related("case", "case__court", "accused")
            .order_by("case__court__name", "case_id", "id")
        ),
        draft_incidents=list(incidents.order_by("-updated_at", "-id")),
        draft_cases=list(
            Case.objects.filter(status=Status.DRAFT)
            .filter(_case_scope(court, city))
            .select_related("court")
            .order_by("-updated_at", "-id")
        ),
    )
