"""Public pages about cases and courts: the case list (page and CSV) and the case detail with its
hearing timeline, accused and verdicts, appeals and the ATA s.19(7) statutory clock; the court
list and each court's scorecard (figures from cases/courts.py and cases/delay.py).

Rows always come through `visible_to(request.user)` and `get_visible_or_404`; filters from
CaseFilter. Every page runs a constant number of queries whatever the number of rows.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.db.models import F, Prefetch
from django.db.models.functions import Lower
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render

from core import charts
from core.clock import today
from core.visibility import get_visible_or_404
from incidents.listing import (
    CSV_BATCH,
    SortChoice,
    apply_sort,
    batched,
    dress_filter_form,
    joined_by_key,
    page_links,
    paginate,
)
from incidents.models import Incident
from incidents.views import filter_errors_as_text
from tracker.csv import csv_response, wants_csv

from .courts import court_statistics
from .delay import disposal_times
from .filters import CaseFilter
from .models import Appeal, Case, Charge, Court, Hearing, Verdict
from .verdict_stats import clearance_by_year
from .workdays import WorkingCalendar

# A record not checked against the court file for longer than this gets a visible warning.
VERIFICATION_STALE_AFTER_DAYS = 60

CASE_SORTS = {
    "-date": SortChoice("Latest cognizance first", (F("cognizance_date").desc(nulls_last=True), "-id")),
    "date": SortChoice("Earliest cognizance first", (F("cognizance_date").asc(nulls_last=True), "id")),
    "-fir_date": SortChoice("Latest FIR first", (F("fir_date").desc(nulls_last=True), "-id")),
    "fir_date": SortChoice("Earliest FIR first", (F("fir_date").asc(nulls_last=True), "id")),
    "-judgment": SortChoice("Latest judgment first", (F("judgment_date").desc(nulls_last=True), "-id")),
    "judgment": SortChoice("Earliest judgment first", (F("judgment_date").asc(nulls_last=True), "id")),
    "court": SortChoice("Court A–Z", (Lower("court__name"), "-id")),  # case-blind
}

CASE_CSV_COLUMNS = [
    "id",
    "case_number",
    "fir_number",
    "fir_date",
    "police_station",
    "court",
    "challan_date",
    "cognizance_date",
    "charge_framed_date",
    "judgment_date",
    "stage",
    "transferred_to",
    "transferred_on",
    "incidents",
    "accused_count",
    *[f"{verdict}_count" for verdict in Verdict.values],
    "last_verified_on",
]


def visible_incidents(user) -> Prefetch:
    """A case's incidents, only those the reader may see (drafts stay hidden from the public)."""
    return Prefetch("incidents", queryset=Incident.objects.visible_to(user).order_by("date", "id"))


def case_list(request: HttpRequest) -> HttpResponse | StreamingHttpResponse:
    """Cases, filtered (CaseFilter), sorted (`sort`), paginated (`page`); `?format=csv` downloads them.

    CSV columns, in this order: id, case_number, fir_number, fir_date, police_station, court,
    challan_date, cognizance_date, charge_framed_date, judgment_date, stage (code), transferred_to
    (court name), transferred_on, incidents (ids of the incidents the reader may see, "; "),
    accused_count (accused charged), then the number of accused per verdict: pending_count,
    convicted_count, acquitted_count, discharged_count, abated_count, transferred_count; and
    last_verified_on. Dates are ISO.
    """
    case_filter = CaseFilter(request.GET or None, queryset=Case.objects.visible_to(request.user))
    valid = case_filter.is_valid() if case_filter.is_bound else True
    if wants_csv(request):
        if not valid:
            return filter_errors_as_text(case_filter)
        rows, _ = apply_sort(case_filter.qs, request, CASE_SORTS, "-date")
        return case_csv(rows, request.user)
    dress_filter_form(case_filter.form)
    context = {"filter": case_filter, "sort_choices": CASE_SORTS}
    if valid:
        # The charge counts are correlated subqueries: worked out for the page's rows only (neither
        # the COUNT nor the subquery that cuts the page reads them).
        rows = (
            case_filter.qs.select_related("court", "court__city")
            .prefetch_related(visible_incidents(request.user))
            .with_charge_counts()
        )
        rows, sorting = apply_sort(rows, request, CASE_SORTS, "-date")
        page = paginate(request, rows)
        context.update(page=page, page_links=page_links(page), sorting=sorting)
    return render(request, "cases/case_list.html", context, status=200 if valid else 400)


CHARGE_COUNT_FIELDS = ("accused_count", *[f"{verdict}_count" for verdict in Verdict.values])

CASE_CSV_FIELDS = (
    "pk",
    "case_number",
    "fir_number",
    "fir_date",
    "police_station",
    "court__name",
    "challan_date",
    "cognizance_date",
    "charge_framed_date",
    "judgment_date",
    "stage",
    "transferred_to__name",
    "transferred_on",
    "last_verified_on",
)


def case_csv(cases, user) -> StreamingHttpResponse:
    """Stream the cases as plain tuples; per batch of rows, one query for the incidents the reader
    may see and one for the charge counts."""
    rows = cases.values_list(*CASE_CSV_FIELDS)
    through = Case.incidents.through.objects
    visible = Incident.objects.visible_to(user).values("pk")

    def cell(value):
        return value.isoformat() if isinstance(value, datetime.date) else ("" if value is None else value)

    def lines():
        for batch in batched(rows.iterator(chunk_size=CSV_BATCH)):
            ids = [row[0] for row in batch]
            incidents = joined_by_key(
                through.filter(case_id__in=ids, incident_id__in=visible)
                .order_by("incident_id")
                .values_list("case_id", "incident_id")
            )
            counts = {
                row[0]: row[1:]
                for row in Case.objects.filter(pk__in=ids).with_charge_counts().values_list("pk", *CHARGE_COUNT_FIELDS)
            }
            for *row, last_verified_on in batch:
                pk = row[0]
                yield [*map(cell, row), incidents.get(pk, ""), *counts[pk], cell(last_verified_on)]

    return csv_response("cases.csv", CASE_CSV_COLUMNS, lines())


@dataclass(frozen=True)
class StatutoryClock:
    """The ATA s.19(7) clock of one case, as the detail page shows it."""

    started: bool
    decided: bool
    working_days: int | None  # since cognizance, to the judgment or to today
    limit: int
    over_by: int  # working days beyond the limit (0 when within it)
    disposal_days: int | None  # calendar days, decided cases only
    disposal_working_days: int | None
    end: datetime.date | None  # the judgment date, or today


def statutory_clock(case: Case, *, calendar: WorkingCalendar, today: datetime.date) -> StatutoryClock:
    limit = settings.STATUTORY_LIMIT_WORKING_DAYS
    if not case.cognizance_date:
        return StatutoryClock(False, bool(case.judgment_date), None, limit, 0, None, None, None)
    end = case.judgment_date or today
    used = calendar.between(case.cognizance_date, end)
    decided = case.judgment_date is not None
    return StatutoryClock(
        started=True,
        decided=decided,
        working_days=used,
        limit=limit,
        over_by=max(0, used - limit),
        disposal_days=case.disposal_days() if decided else None,
        disposal_working_days=used if decided else None,
        end=end,
    )


def case_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A case: court, numbers, dates and stage; the hearing timeline; accused, verdicts, custody,
    sentences and appeals; the statutory clock; when the record was last verified."""
    case = get_visible_or_404(
        Case.objects.select_related("court", "court__city", "transferred_to").prefetch_related(
            visible_incidents(request.user), "offences"
        ),
        request.user,
        pk=pk,
    )
    day = today()
    hearings = list(Hearing.objects.filter(case=case).select_related("court").order_by("date", "id"))
    charges = (
        Charge.objects.filter(case=case)
        .select_related("accused", "accused__affiliation")
        .prefetch_related(Prefetch("appeals", queryset=Appeal.objects.select_related("court").order_by("filed_on")))
        .order_by("id")
    )
    verified_age = (day - case.last_verified_on).days if case.last_verified_on else None
    context = {
        "case": case,
        "held_hearings": [h for h in hearings if not h.is_scheduled],
        "scheduled_hearings": [h for h in hearings if h.is_scheduled],
        "hearings": hearings,
        "charges": charges,
        "clock": statutory_clock(case, calendar=WorkingCalendar(), today=day),
        "today": day,
        "verified_age": verified_age,
        "verification_stale": verified_age is None or verified_age > VERIFICATION_STALE_AFTER_DAYS,
        "stale_after": VERIFICATION_STALE_AFTER_DAYS,
    }
    return render(request, "cases/case_detail.html", context)


# Courts ---------------------------------------------------------------------------------------

COURT_PAGE_SIZE = 25
CLEARANCE_YEARS = 5


def court_list(request: HttpRequest) -> HttpResponse:
    """Every court, with the disposal times of its published decided cases (``disposal_times``
    per court). The full scorecard is on each court's page: the list reads only the decided cases
    of the courts on the page."""
    courts = Court.objects.public().select_related("city").order_by("name")
    page = paginate(request, courts, per_page=COURT_PAGE_SIZE)
    cases = Case.objects.public().filter(court__in=[c.pk for c in page.object_list])
    disposal = {row.court_id: row for row in disposal_times(cases=cases, group_by="court")}
    rows = [(court, disposal.get(court.pk)) for court in page.object_list]
    return render(request, "cases/court_list.html", {"page": page, "page_links": page_links(page), "rows": rows})


def court_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A court's scorecard: disposal times, statutory compliance, pending ages, cases over the
    s.19(7) limit, adjournments and their reasons, conviction and clearance rates; its pending
    cases with their clock. One working calendar for the page."""
    court = get_visible_or_404(Court.objects.select_related("city"), request.user, pk=pk)
    day = today()
    calendar = WorkingCalendar()
    cases = Case.objects.public().filter(court=court)
    figures = court_statistics(cases=cases, today=day, calendar=calendar)
    card = next((card for card in figures.scorecards if card.court_id == court.pk), None)
    years = range(day.year - CLEARANCE_YEARS + 1, day.year + 1)
    pending = (
        cases.pending()
        .filter(cognizance_date__isnull=False)
        .order_by("cognizance_date", "id")
        .only("id", "case_number", "fir_number", "cognizance_date", "stage", "court_id", "judgment_date")
    )
    page = paginate(request, pending, per_page=COURT_PAGE_SIZE)
    pending_rows = [
        (
            case,
            case.working_days_since_cognizance(day, calendar=calendar),
            case.days_over_statutory_limit(day, calendar=calendar),
        )
        for case in page.object_list
    ]
    reasons = card.adjournments.by_reason if card else []
    context = {
        "court": court,
        "card": card,
        "today": day,
        "pending_ages": figures.pending_ages,
        # No chart over an all-zero table: the template says "No pending cases" instead.
        "pending_total": sum(row.count for row in figures.pending_ages),
        "pending_rows": pending_rows,
        "page": page,
        "page_links": page_links(page),
        "disposal_by_year": figures.disposal_by_year,
        "clearance": clearance_by_year(cases=cases, years=years),
        "pending_chart": charts.bar_chart(
            [(row.label, row.count) for row in figures.pending_ages],
            title=f"Pending cases at {court.name} by time waiting",
            desc="Bar chart of pending cases by time since cognizance (or since the FIR before cognizance). "
            "The table gives the figures.",
            chart_id="court-pending-ages",
            colour=charts.PURPLE,
        ),
        "reasons": reasons,
        "reasons_chart": charts.bar_chart(
            [(row.label, row.count) for row in reasons if row.count],
            title=f"Adjournments at {court.name} by reason",
            desc="Bar chart of adjourned hearings by the reason recorded. The table gives the figures.",
            chart_id="court-adjournment-reasons",
            colour=charts.GREEN,
        ),
        "limit": settings.STATUTORY_LIMIT_WORKING_DAYS,
    }
    return render(request, "cases/court_detail.html", context)
