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
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

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
    rendered_filter_form,
)
from incidents.models import Incident, Source
from incidents.views import filter_errors_as_text
from tracker.csv import csv_response, wants_csv

from .courts import court_statistics
from .delay import disposal_times
from .documents import Document
from .figures import WorkingDays
from .filters import CaseFilter
from .models import Appeal, Case, Charge, Court, Hearing, Verdict
from .uploads import MediaType
from .verdict_stats import clearance_by_year
from .workdays import WorkingCalendar

# A record not checked against the court file for longer than this gets a visible warning.
VERIFICATION_STALE_AFTER_DAYS = 60

CASE_SORTS = {
    "-date": SortChoice(gettext_lazy("Latest cognizance first"), (F("cognizance_date").desc(nulls_last=True), "-id")),
    "date": SortChoice(gettext_lazy("Earliest cognizance first"), (F("cognizance_date").asc(nulls_last=True), "id")),
    "-fir_date": SortChoice(gettext_lazy("Latest FIR first"), (F("fir_date").desc(nulls_last=True), "-id")),
    "fir_date": SortChoice(gettext_lazy("Earliest FIR first"), (F("fir_date").asc(nulls_last=True), "id")),
    "-judgment": SortChoice(gettext_lazy("Latest judgment first"), (F("judgment_date").desc(nulls_last=True), "-id")),
    "judgment": SortChoice(gettext_lazy("Earliest judgment first"), (F("judgment_date").asc(nulls_last=True), "id")),
    "court": SortChoice(gettext_lazy("Court A–Z"), (Lower("court__name"), "-id")),  # case-blind
    # Ordered in Python by ``clock_order`` (the working calendar is not in the database).
    "-clock": SortChoice(gettext_lazy("Most working days on the s.19(7) clock first"), ()),
    "clock": SortChoice(gettext_lazy("Fewest working days on the s.19(7) clock first"), ()),
}
CLOCK_SORTS = {"-clock": True, "clock": False}  # sort key: descending

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
    "working_days_since_cognizance",
    "over_limit_by",
]


def visible_incidents(user, *fields: str) -> Prefetch:
    """A case's incidents, only those the reader may see (drafts stay hidden from the public);
    ``fields``, when given, the only fields read (the list links each incident by its date)."""
    incidents = Incident.objects.visible_to(user).order_by("date", "id")
    return Prefetch("incidents", queryset=incidents.only(*fields) if fields else incidents)


def case_list(request: HttpRequest) -> HttpResponse | StreamingHttpResponse:
    """Cases, filtered (CaseFilter), sorted (`sort`), paginated (`page`); `?format=csv` downloads them.

    CSV columns, in this order: id, case_number, fir_number, fir_date, police_station, court,
    challan_date, cognizance_date, charge_framed_date, judgment_date, stage (code), transferred_to
    (court name), transferred_on, incidents (ids of the incidents the reader may see, "; "),
    accused_count (accused charged), then the number of accused per verdict: pending_count,
    convicted_count, acquitted_count, discharged_count, abated_count, transferred_count;
    last_verified_on; working_days_since_cognizance (to the judgment, or to today: empty before
    cognizance) and over_limit_by (working days beyond the 7 of ATA s.19(7), 0 within them). Dates
    are ISO.
    """
    case_filter = CaseFilter(request.GET or None, queryset=Case.objects.visible_to(request.user), request=request)
    valid = case_filter.is_valid() if case_filter.is_bound else True
    day, calendar = today(), WorkingCalendar()
    if wants_csv(request):
        if not valid:
            return filter_errors_as_text(case_filter)
        rows, sorting = apply_sort(case_filter.qs, request, CASE_SORTS, "-date")
        ids = (
            clock_order(rows, calendar=calendar, today=day, descending=CLOCK_SORTS[sorting.key])
            if (sorting.key in CLOCK_SORTS)
            else None
        )
        return case_csv(rows, request.user, calendar=calendar, today=day, ids=ids)
    dress_filter_form(case_filter.form)
    context = {"filter": case_filter, "sort_choices": CASE_SORTS, "limit": settings.STATUTORY_LIMIT_WORKING_DAYS}
    if valid:
        # The charge counts are worked out for the page's rows only (neither the COUNT nor the
        # subquery that cuts the page reads them).
        rows = case_filter.qs.select_related("court", "court__city").prefetch_related(
            visible_incidents(request.user, "id", "date")
        )
        rows, sorting = apply_sort(rows, request, CASE_SORTS, "-date")
        ids = None
        if sorting.key in CLOCK_SORTS:
            ids = clock_order(rows, calendar=calendar, today=day, descending=CLOCK_SORTS[sorting.key])
        page = paginate(request, rows, ids=ids, for_page=with_charge_counts)
        page.object_list = attach_clock(page.object_list, calendar=calendar, today=day)
        context.update(page=page, page_links=page_links(page), sorting=sorting)
    context["filter_form"] = rendered_filter_form(request, context)
    return render(request, "cases/case_list.html", context, status=200 if valid else 400)


def with_charge_counts(rows, page_ids):
    """The page's rows with their charge counts (``CaseQuerySet.with_charge_counts``)."""
    return rows.with_charge_counts()


def clock_order(cases, *, calendar: WorkingCalendar, today: datetime.date, descending: bool) -> list[int]:
    """The ids of ``cases`` by working days on the s.19(7) clock (``Case.working_days_since_cognizance``:
    to the judgment, or to ``today``), latest id first among equals, cases with no cognizance last.

    One query reading three columns per case, then Python: working days need the working calendar
    (weekdays setting and holiday table), which the database does not have; each distinct date is
    worked out once (``figures.WorkingDays``).
    """
    days = WorkingDays(calendar)
    started, unstarted = [], []
    rows = cases.order_by().prefetch_related(None).values_list("pk", "cognizance_date", "judgment_date")
    for pk, start, end in rows.iterator(chunk_size=CSV_BATCH):
        if start is None:
            unstarted.append(pk)
        else:
            used = days.between(start, end or today)
            started.append((-used if descending else used, -pk))
    started.sort()
    unstarted.sort(reverse=True)
    return [-negated for _, negated in started] + unstarted


def attach_clock(cases: list[Case], *, calendar: WorkingCalendar, today: datetime.date) -> list[Case]:
    """Set ``clock_working_days`` (None before cognizance) and ``clock_over_by`` on a page of cases:
    the case's own clock methods, with one working calendar for the page."""
    for case in cases:
        case.clock_working_days = case.working_days_since_cognizance(today, calendar=calendar)
        case.clock_over_by = case.days_over_statutory_limit(today, calendar=calendar)
    return cases


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


def case_csv(
    cases, user, *, calendar: WorkingCalendar, today: datetime.date, ids: list[int] | None = None
) -> StreamingHttpResponse:
    """Stream the cases as plain tuples; per batch of rows, one query for the incidents the reader
    may see and one for the charge counts. ``ids``: the cases' ids in the order to give them (an order
    made in Python, ``clock_order``), read a batch at a time."""
    rows = cases.values_list(*CASE_CSV_FIELDS)
    through = Case.incidents.through.objects
    visible = Incident.objects.visible_to(user).values("pk")
    limit = settings.STATUTORY_LIMIT_WORKING_DAYS
    cognizance, judgment = CASE_CSV_FIELDS.index("cognizance_date"), CASE_CSV_FIELDS.index("judgment_date")

    def cell(value):
        return value.isoformat() if isinstance(value, datetime.date) else ("" if value is None else value)

    def clock(row) -> list:
        """Working days on the clock and beyond the limit, as Case.working_days_since_cognizance says."""
        if row[cognizance] is None:
            return ["", 0]
        used = calendar.between(row[cognizance], row[judgment] or today)
        return [used, max(0, used - limit)]

    def batches():
        if ids is None:
            yield from batched(rows.iterator(chunk_size=CSV_BATCH))
            return
        for chunk in batched(ids):
            by_pk = {row[0]: row for row in rows.order_by().filter(pk__in=chunk)}
            yield [by_pk[pk] for pk in chunk]

    def lines():
        for batch in batches():
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
                yield [*map(cell, row), incidents.get(pk, ""), *counts[pk], cell(last_verified_on), *clock(row)]

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
    documents = list(
        Document.objects.visible_to(request.user).filter(case=case).select_related("hearing").order_by("date", "id")
    )
    shown = {document.pk: document for document in documents}
    charges = list(
        Charge.objects.filter(case=case)
        .select_related("accused", "accused__affiliation")
        .prefetch_related(Prefetch("appeals", queryset=Appeal.objects.select_related("court").order_by("filed_on")))
        .order_by("id")
    )
    for charge in charges:  # a verdict's source only when the reader may see that document
        charge.shown_source = shown.get(charge.verdict_source_id)
    verified_age = (day - case.last_verified_on).days if case.last_verified_on else None
    # The sources of the incidents the reader may see: what the case record rests on, for the citation.
    cite_sources = (
        Source.objects.filter(incident_links__incident__in=Incident.objects.visible_to(request.user).filter(cases=case))
        .distinct()
        .order_by("title", "id")
    )
    context = {
        "case": case,
        "cite_sources": list(cite_sources),
        "held_hearings": [h for h in hearings if not h.is_scheduled],
        "scheduled_hearings": [h for h in hearings if h.is_scheduled],
        "hearings": hearings,
        "charges": charges,
        "documents": documents,
        "clock": statutory_clock(case, calendar=WorkingCalendar(), today=day),
        "today": day,
        "verified_age": verified_age,
        "verification_stale": verified_age is None or verified_age > VERIFICATION_STALE_AFTER_DAYS,
        "stale_after": VERIFICATION_STALE_AFTER_DAYS,
    }
    return render(request, "cases/case_detail.html", context)


# The headers every document download carries: the browser takes the stored, checked type as it is
# (nosniff), runs nothing in it and lets no other site embed it. A PDF opens in the browser's viewer
# (which a CSP sandbox would switch off; scripts are refused at upload, cases/uploads.py); an image
# is always a download, in a sandbox.
DOCUMENT_CSP = "default-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"


def document_file(request: HttpRequest, case_pk: int, pk: int) -> FileResponse:
    """A court document's file, for those who may see the document (else 404), with safe headers."""
    document = get_visible_or_404(Document.objects.all(), request.user, pk=pk, case_id=case_pk)
    if document.media_type not in MediaType.values:  # only what the upload checks stored is ever served
        raise Http404("No document matches the given query.")
    try:
        handle = document.file.open("rb")
    except OSError:
        raise Http404("The document's file is missing.") from None
    response = FileResponse(
        handle,
        content_type=document.media_type,
        as_attachment=not document.is_pdf,
        filename=document.download_name,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = DOCUMENT_CSP if document.is_pdf else f"{DOCUMENT_CSP}; sandbox"
    response["Cross-Origin-Resource-Policy"] = "same-origin"
    # Never kept by a shared cache: a document made confidential must stop being served at once.
    response["Cache-Control"] = "private, no-cache"
    return response


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
            title=_("Pending cases at %(court)s by time waiting") % {"court": court.name},
            desc=_(
                "Bar chart of pending cases by time since cognizance (or since the FIR before cognizance). "
                "The table gives the figures."
            ),
            chart_id="court-pending-ages",
            colour=charts.PURPLE,
        ),
        "reasons": reasons,
        "reasons_chart": charts.bar_chart(
            [(row.label, row.count) for row in reasons if row.count],
            title=_("Adjournments at %(court)s by reason") % {"court": court.name},
            desc=_("Bar chart of adjourned hearings by the reason recorded. The table gives the figures."),
            chart_id="court-adjournment-reasons",
            colour=charts.GREEN,
        ),
        "limit": settings.STATUTORY_LIMIT_WORKING_DAYS,
    }
    return render(request, "cases/court_detail.html", context)
