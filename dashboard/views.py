"""Public statistics pages: the `/statistics/` dashboard, court scorecards and organisation pages.

Figures come from `dashboard.api.statistics_payload` (which calls incidents/stats.py and
cases/stats.py), so the page, its CSV tables and `/api/statistics/` always agree; filters come
from the shared FilterSets (`dashboard.api.statistics_filters`). Tables and charts are arranged
in dashboard/tables.py and dashboard/sections.py (SVG from dashboard/charts.py). Each page runs
a fixed number of queries whatever the number of rows.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.core.paginator import Paginator
from django.db.models import Exists, OuterRef
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import urlencode

from cases import stats as case_stats
from cases.models import Case, Charge, Court, Verdict
from cases.workdays import WorkingCalendar
from core.clock import today
from core.visibility import get_visible_or_404
from incidents import stats as incident_stats
from incidents.filters import IncidentFilter
from incidents.listing import dress_filter_form, page_links, paginate
from incidents.models import Attribution, AttributionKind, Incident, Organisation
from tracker.csv import csv_response, wants_csv

from . import charts
from .api import statistics_filters, statistics_payload
from .sections import headline_figures, statistics_sections
from .tables import Table, statistics_tables

COURT_PAGE_SIZE = 25


# The statistics page ------------------------------------------------------------------------


def filter_query(request: HttpRequest) -> str:
    """The request's filter parameters (those of IncidentFilter), as a query string for links."""
    names = IncidentFilter.base_filters.keys()
    return urlencode([(k, v) for k in names for v in request.GET.getlist(k) if v])


def filter_errors_response(errors: dict[str, list[str]]) -> HttpResponse:
    lines = [f"{name}: {' '.join(messages)}" for name, messages in errors.items()]
    return HttpResponse(
        "Bad filter parameters; nothing exported.\n" + "\n".join(lines) + "\n",
        status=400,
        content_type="text/plain; charset=utf-8",
    )


def table_csv(table: Table, query: str) -> StreamingHttpResponse:
    suffix = "-filtered" if query else ""
    return csv_response(f"statistics-{table.name}{suffix}.csv", table.csv_header, table.csv_rows())


def statistics(request: HttpRequest) -> HttpResponse | StreamingHttpResponse:
    """The statistics dashboard for any filter; `?format=csv&table=<name>` downloads one table."""
    filters = statistics_filters(request.GET)
    valid = filters.is_valid()
    if wants_csv(request) and not valid:
        return filter_errors_response(filters.errors)
    form = dress_filter_form(filters.incident_filter.form)
    query = filter_query(request)
    context: dict[str, Any] = {"form": form, "query": query, "valid": valid, "errors": filters.errors}
    if not valid:
        return render(request, "statistics/dashboard.html", context, status=400)
    day = today()
    payload = statistics_payload(
        incidents=filters.incidents,
        cases=filters.cases,
        today=day,
        date_from=filters.date_from,
        date_to=filters.date_to,
        clearance_cases=filters.undated_case_filter.qs,
    )
    tables = statistics_tables(payload)
    if wants_csv(request):
        table = tables.get(request.GET.get("table", ""))
        if table is None:
            return HttpResponse(
                "Say which table to download: ?format=csv&table=<name>, one of: " + ", ".join(tables) + "\n",
                status=400,
                content_type="text/plain; charset=utf-8",
            )
        return table_csv(table, query)
    base = reverse("dashboard:statistics")
    for name, table in tables.items():
        table.csv_url = f"{base}?{urlencode({'format': 'csv', 'table': name})}" + (f"&{query}" if query else "")
    context.update(
        payload=payload,
        tables=tables,
        sections=statistics_sections(payload, tables),
        headline=headline_figures(payload),
        today=day,
    )
    return render(request, "statistics/dashboard.html", context)


# Courts ---------------------------------------------------------------------------------------


def court_list(request: HttpRequest) -> HttpResponse:
    """Every court, with the disposal times of its published decided cases (cases.stats.disposal_times).

    The full scorecard (pending cases, adjournments, verdicts) is on each court's page: a list of
    every court stays quick by loading only the decided cases of the courts on the page.
    """
    courts = Court.objects.public().select_related("city").order_by("name")
    page = paginate(request, courts, per_page=COURT_PAGE_SIZE)
    cases = Case.objects.public().filter(court__in=[c.pk for c in page.object_list])
    disposal = {row["court_id"]: row for row in case_stats.disposal_times(cases=cases, group_by="court")}
    rows = [(court, disposal.get(court.pk)) for court in page.object_list]
    return render(request, "cases/court_list.html", {"page": page, "page_links": page_links(page), "rows": rows})


CLEARANCE_YEARS = 5


def clearance_by_year(cases, this_year: int) -> list[dict[str, Any]]:
    """The clearance rate for each of the last calendar years (this one so far included); one query a year."""
    rows = []
    for year in range(this_year - CLEARANCE_YEARS + 1, this_year + 1):
        figures = case_stats.clearance_rate(
            cases=cases, date_from=datetime.date(year, 1, 1), date_to=datetime.date(year, 12, 31)
        )
        rows.append({"year": year} | figures)
    return rows


def court_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A court's scorecard: disposal times, statutory compliance, pending ages, cases over the
    s.19(7) limit, adjournments and their reasons, conviction and clearance rates; its pending cases."""
    court = get_visible_or_404(Court.objects.select_related("city"), request.user, pk=pk)
    day = today()
    calendar = WorkingCalendar()
    cases = Case.objects.public().filter(court=court)
    cards = case_stats.court_scorecards(cases=cases, today=day, calendar=calendar)
    card = cards[0] if cards else None
    pending_ages = case_stats.pending_ages(cases=cases, today=day, calendar=calendar)
    by_year = case_stats.disposal_times(cases=cases, group_by="year", calendar=calendar)
    clearance = clearance_by_year(cases, day.year)
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
    reasons = card["adjournments"]["by_reason"] if card else []
    context = {
        "court": court,
        "card": card,
        "today": day,
        "pending_ages": pending_ages,
        "pending_rows": pending_rows,
        "page": page,
        "page_links": page_links(page),
        "disposal_by_year": by_year,
        "clearance": clearance,
        "pending_chart": charts.bar_chart(
            [(row["label"], row["count"]) for row in pending_ages],
            title=f"Pending cases at {court.name} by time waiting",
            desc="Bar chart of pending cases by time since cognizance (or since the FIR before cognizance). "
            "The table gives the figures.",
            chart_id="court-pending-ages",
            colour=charts.PURPLE,
        ),
        "reasons": reasons,
        "reasons_chart": charts.bar_chart(
            [(row["label"], row["count"]) for row in reasons if row["count"]],
            title=f"Adjournments at {court.name} by reason",
            desc="Bar chart of adjourned hearings by the reason recorded. The table gives the figures.",
            chart_id="court-adjournment-reasons",
            colour=charts.GREEN,
        ),
        "limit": 7,
    }
    return render(request, "cases/court_detail.html", context)


# Organisations ------------------------------------------------------------------------------

ORGANISATION_PAGE_SIZE = 50
ORGANISATION_INCIDENTS_PAGE_SIZE = 25


def organisation_list(request: HttpRequest) -> HttpResponse:
    """Every organisation with the published incidents attributed to it (incidents.stats.by_organisation)."""
    organisations = Organisation.objects.public().select_related("umbrella").order_by("name")
    page = paginate(request, organisations, per_page=ORGANISATION_PAGE_SIZE)
    figures = incident_stats.organisation_figures(
        incidents=Incident.objects.public(), organisations=[org.pk for org in page.object_list]
    )
    rows = [(org, figures.get(org.pk)) for org in page.object_list]
    return render(
        request, "incidents/organisation_list.html", {"page": page, "page_links": page_links(page), "rows": rows}
    )


def organisation_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """An organisation: the published incidents attributed to it (in any way, by kind) and the
    convictions of accused said to belong to it."""
    organisation = get_visible_or_404(Organisation.objects.select_related("umbrella"), request.user, pk=pk)
    published = Incident.objects.public()
    links = Attribution.objects.filter(incident_id=OuterRef("pk"), organisation=organisation)
    attributed = published.filter(Exists(links))
    figures = incident_stats.attribution_kinds(incidents=published, organisation=organisation.pk)
    kinds = [(label, figures["by_kind"][kind]) for kind, label in AttributionKind.choices]
    incidents = attributed.select_related("province", "city").order_by("-date", "-id")
    # The paginator needs no COUNT: the total is the number of incidents attributed in any way.
    page = paginate(request, incidents, per_page=ORGANISATION_INCIDENTS_PAGE_SIZE, count=figures["total"]["incidents"])
    kinds_by_incident: dict[int, list[str]] = {}
    for incident_id, kind in (
        Attribution.objects.filter(organisation=organisation, incident__in=[i.pk for i in page.object_list])
        .order_by("kind")
        .values_list("incident_id", "kind")
    ):
        kinds_by_incident.setdefault(incident_id, []).append(AttributionKind(kind).label)
    convictions = (
        Charge.objects.public()
        .filter(verdict=Verdict.CONVICTED, accused__affiliation=organisation)
        .select_related("accused", "case", "case__court")
        .order_by("-verdict_date", "-id")
    )
    conviction_page = paginate_named(request, convictions, "convictions_page", ORGANISATION_INCIDENTS_PAGE_SIZE)
    context = {
        "organisation": organisation,
        "totals": figures["total"],
        "kinds": kinds,
        "page": page,
        "page_links": page_links(page),
        "incident_rows": [(i, kinds_by_incident.get(i.pk, [])) for i in page.object_list],
        "convictions": conviction_page,
        "conviction_links": page_links(conviction_page),
        "members": list(organisation.members.order_by("name")),
    }
    return render(request, "incidents/organisation_detail.html", context)


def paginate_named(request: HttpRequest, queryset, param: str, per_page: int):
    """Like `paginate`, but reading the page number from `param` (two lists on one page)."""
    return Paginator(queryset, per_page).get_page(request.GET.get(param))
