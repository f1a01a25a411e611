"""The monitors' worklist: what needs doing today, in a constant number of queries.

`build_worklist(today=..., court=..., city=...)` returns one list per section. Each section is
one query (plus one for the holiday calendar), whatever the number of rows. Retracted records
never appear: they are closed. "City" here is the court's city (for incidents, the incident's).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.db.models import Exists, F, OuterRef, Q

from cases.justice import researched
from cases.models import Case, Charge, Custody, Hearing
from cases.workdays import WorkingCalendar
from core.models import Status
from incidents.models import Incident

UNVERIFIED_AFTER_DAYS = 30
LIVE = (Status.DRAFT, Status.PUBLISHED)


SECTIONS = (
    "over_limit",
    "overdue_hearings",
    "no_next_date",
    "unverified",
    "absconding",
    "draft_incidents",
    "draft_cases",
    "unresearched",
)


@dataclass
class Worklist:
    """Each section's rows (at most `limit`, in order) and, in `counts`, how many there are in all."""

    over_limit: list = field(default_factory=list)  # (case, working days over)
    overdue_hearings: list = field(default_factory=list)
    no_next_date: list = field(default_factory=list)
    unverified: list = field(default_factory=list)
    absconding: list = field(default_factory=list)
    draft_incidents: list = field(default_factory=list)
    draft_cases: list = field(default_factory=list)
    unresearched: list = field(default_factory=list)  # fatal published incidents nobody has looked into
    counts: dict = field(default_factory=dict)

    @property
    def draft_count(self) -> int:
        return self.counts["draft_incidents"] + self.counts["draft_cases"]

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def _case_scope(court=None, city=None, prefix: str = ""):
    """Q for live cases, optionally in one court or one city (the court's city)."""
    q = Q(**{f"{prefix}status__in": LIVE})
    if court is not None:
        q &= Q(**{f"{prefix}court": court})
    if city is not None:
        q &= Q(**{f"{prefix}court__city": city})
    return q


def over_statutory_limit(cases, *, today: datetime.date, calendar: WorkingCalendar) -> list[tuple[int, int]]:
    """(case id, working days over) of the pending cases past the ATA s.19(7) seven working days,
    most overdue first. Only the dates are loaded: thousands of cases stay cheap."""
    rows = []
    for case in cases.only("id", "cognizance_date", "judgment_date"):
        over = case.days_over_statutory_limit(today, calendar=calendar)
        if over > 0:
            rows.append((case.pk, over))
    rows.sort(key=lambda row: (-row[1], row[0]))
    return rows


def unresearched_incidents(court=None, city=None):
    """Fatal published incidents whose court record nobody has researched yet: no published case
    and no ``court_record_checked_on`` (cases/justice.py ``researched``), each with
    ``check_waiting``, the day of a monitor's check awaiting review (None when there is none).
    The impunity rate leaves them out until someone looks. With a court: those with a draft case
    there."""
    incidents = Incident.objects.filter(status=Status.PUBLISHED, killed__gt=0).exclude(researched())
    if city is not None:
        incidents = incidents.filter(city=city)
    if court is not None:
        incidents = incidents.filter(
            Exists(Case.incidents.through.objects.filter(incident_id=OuterRef("pk"), case__court=court))
        )
    return incidents.select_related("province", "city").annotate(check_waiting=F("court_record_check__checked_on"))


def _head(queryset, limit: int) -> tuple[list, int]:
    """The first `limit` rows and the count of all (two queries, whatever the size)."""
    return list(queryset[:limit]), queryset.count()


def build_worklist(*, today: datetime.date, court=None, city=None, limit: int = 100) -> Worklist:
    """Every section of the worklist for `today`, filtered by court and city, `limit` rows each."""
    calendar = WorkingCalendar()
    scope = _case_scope(court, city)
    pending = Case.objects.pending().filter(scope).select_related("court", "court__city")

    # Cognizance at least 8 calendar days ago is necessary for 8 working days: cheap pre-filter.
    clock = over_statutory_limit(
        Case.objects.pending().filter(scope, cognizance_date__lte=today - datetime.timedelta(days=8)),
        today=today,
        calendar=calendar,
    )
    top = dict(clock[:limit])
    over_cases = pending.in_bulk(list(top))
    upcoming = Hearing.objects.filter(case=OuterRef("pk"), date__gte=today)
    unverified_before = today - datetime.timedelta(days=UNVERIFIED_AFTER_DAYS)

    incidents = Incident.objects.filter(status=Status.DRAFT).select_related("province", "city")
    if city is not None:
        incidents = incidents.filter(city=city)
    if court is not None:
        incidents = incidents.filter(cases__court=court).distinct()

    sections = {
        "overdue_hearings": Hearing.objects.scheduled()
        .filter(date__lt=today)
        .filter(_case_scope(court, city, "case__"))
        .select_related("case", "case__court", "court")
        .order_by("date", "id"),
        "no_next_date": pending.filter(~Exists(upcoming)).order_by("court__name", "id"),
        "unverified": pending.filter(
            Q(last_verified_on__isnull=True) | Q(last_verified_on__lt=unverified_before)
        ).order_by(F("last_verified_on").asc(nulls_first=True), "id"),
        "absconding": Charge.objects.filter(custody__in=[Custody.ABSCONDING, Custody.PROCLAIMED_OFFENDER])
        .filter(_case_scope(court, city, "case__"))
        .select_related("case", "case__court", "accused")
        .order_by("case__court__name", "case_id", "id"),
        "draft_incidents": incidents.order_by("-updated_at", "-id"),
        "draft_cases": Case.objects.filter(status=Status.DRAFT)
        .filter(_case_scope(court, city))
        .select_related("court")
        .order_by("-updated_at", "-id"),
        "unresearched": unresearched_incidents(court=court, city=city).order_by("date", "id"),
    }
    work = Worklist(over_limit=[(over_cases[pk], over) for pk, over in top.items()], counts={"over_limit": len(clock)})
    for name, queryset in sections.items():
        rows, work.counts[name] = _head(queryset, limit)
        setattr(work, name, rows)
    return work
