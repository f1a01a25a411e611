"""The `/statistics/` dashboard (court pages are in cases/views.py, organisation pages in
incidents/views.py).

Figures come from `dashboard.api.statistics_payload` (which calls the statistics modules of
incidents and cases) through the statistics cache (`dashboard.cache.statistics_for`: computed once
per filter set and data version), so the page, its CSV tables and `/api/statistics/` always agree; filters come
from the shared FilterSets (`dashboard.api.statistics_filters`). Tables and charts are arranged
in dashboard/tables.py and dashboard/sections.py (SVG from core/charts.py). Each page runs
a fixed number of queries whatever the number of rows.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse, QueryDict, StreamingHttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.cache import patch_cache_control
from django.utils.http import urlencode
from django.utils.translation import get_language, gettext

from cases.models import Hearing
from core.clock import today
from incidents import stats as incident_stats
from incidents.filters import IncidentFilter
from incidents.listing import dress_filter_form, rendered_filter_form
from incidents.models import Incident, Province
from tracker.csv import csv_response, wants_csv

from . import methodology
from .api import statistics_filters
from .cache import FiguresPending, figures_for, mark_stale, pending_response, rendered_from, statistics_for
from .maps import LEGEND_TITLES, MEASURES, NONE_FILL, colour_classes, legend_swatch, render_map
from .place_names import page_names
from .sections import headline_figures, home_figures, statistics_sections
from .tables import Table, statistics_tables

# The home page -----------------------------------------------------------------------------

HOME_INCIDENTS = 10
HOME_HEARINGS = 8


def home(request: HttpRequest) -> HttpResponse:
    """The op-ed's question answered: the impunity rate with its coverage and counts, the cases over
    the s.19(7) limit and by how much, the median disposal time (``sections.home_figures``), each
    linking to the records behind it; the casualty totals; the latest published incidents with their
    sources and justice status; recent and upcoming hearings.

    The figures are the unfiltered statistics of ``/statistics/`` and ``/api/statistics/``, from the
    same cache (``dashboard.cache.statistics_for``): computed once per change, never a second way.
    While they are being computed after a change and there are none to show, the page says so and
    still lists the latest records. The home page is the public face: published records only,
    whoever is logged in.
    """
    published = Incident.objects.public()
    hearings = Hearing.objects.public().select_related("case", "case__court", "court")
    day = today()
    try:
        figures = statistics_for(statistics_filters(QueryDict()), today=day)
    except FiguresPending:
        figures = None
    payload = figures.payload if figures else None
    context = {
        "figures": figures,
        "totals": {key: payload[key] for key in incident_stats.FIGURES} if payload else None,
        "answers": home_figures(payload, today=day) if payload else [],
        "how_counted": methodology.url_for("incidents"),
        "incidents": latest_incidents(published),
        "recent_hearings": hearings.held().filter(date__lte=day).order_by("-date", "-id")[:HOME_HEARINGS],
        "upcoming_hearings": hearings.scheduled().upcoming(day).order_by("date", "id")[:HOME_HEARINGS],
        "today": day,
    }
    response = render(request, "statistics/home.html", context)
    if figures is None:  # figures still being counted: no cache keeps this page
        patch_cache_control(response, no_store=True)
        return response
    return mark_stale(response, figures)


def latest_incidents(published) -> list:
    """The newest published incidents, with their sources and their justice status worked out
    from their own cases (the status's subqueries read every case and charge unless narrowed)."""
    ids = list(published.order_by("-date", "-id").values_list("pk", flat=True)[:HOME_INCIDENTS])
    rows = published.with_related().with_sources().with_justice_status(within=ids).filter(pk__in=ids)
    return list(rows.order_by("-date", "-id"))


# The statistics page ------------------------------------------------------------------------


def filter_query(request: HttpRequest) -> str:
    """The request's filter parameters (those of IncidentFilter), as a query string for links."""
    names = IncidentFilter.base_filters.keys()
    return urlencode([(k, v) for k in names for v in request.GET.getlist(k) if v])


def filter_errors_response(errors: dict[str, list[str]]) -> HttpResponse:
    lines = [f"{name}: {' '.join(messages)}" for name, messages in errors.items()]
    return HttpResponse(
        gettext("Bad filter parameters; nothing exported.") + "\n" + "\n".join(lines) + "\n",
        status=400,
        content_type="text/plain; charset=utf-8",
    )


def table_csv(table: Table, query: str) -> StreamingHttpResponse:
    suffix = "-filtered" if query else ""
    return csv_response(f"statistics-{table.name}{suffix}.csv", table.csv_header, table.csv_rows())


STATISTICS_FILTER_FORM = "statistics/_filter_form.html"


def statistics(request: HttpRequest) -> HttpResponse | StreamingHttpResponse:
    """The statistics dashboard for any filter; `?format=csv&table=<name>` downloads one table.

    The filter form (``rendered_filter_form``) and everything below it (``statistics_body``) are
    rendered once per data version and kept in the shared cache like the figures they show.
    """
    filters = statistics_filters(request.GET)
    valid = filters.is_valid()
    if wants_csv(request) and not valid:
        return filter_errors_response(filters.errors)
    dress_filter_form(filters.incident_filter.form)
    query = filter_query(request)
    context: dict[str, Any] = {"query": query, "valid": valid, "errors": filters.errors}
    if not wants_csv(request):
        context["filter_form"] = rendered_filter_form(
            request, {"filter": filters.incident_filter}, STATISTICS_FILTER_FORM
        )
    if not valid:
        return render(request, "statistics/dashboard.html", context, status=400)
    day = today()
    try:
        figures = statistics_for(filters, today=day)
    except FiguresPending as pending:
        return pending_response(request, pending)
    if wants_csv(request):
        # The CSV keeps the figures' English names (the page names places and groups in its language).
        tables = statistics_tables(figures.payload)
        table = tables.get(request.GET.get("table", ""))
        if table is None:
            return HttpResponse(
                gettext("Say which table to download: ?format=csv&table=<name>, one of: %(tables)s")
                % {"tables": ", ".join(tables)}
                + "\n",
                status=400,
                content_type="text/plain; charset=utf-8",
            )
        return table_csv(table, query)
    context.update(
        body=rendered_from(
            figures,
            [get_language(), query, day.isoformat()],
            lambda: statistics_body(figures.payload, query),
        ),
        figures=figures,
    )
    return mark_stale(render(request, "statistics/dashboard.html", context), figures)


def statistics_body(payload: dict[str, Any], query: str) -> str:
    """The statistics page below the filters, from the figures alone (no request, no reader): the
    headline, the sections with their charts, and the tables with their CSV links (``query``: the
    filters, kept in the links)."""
    page_payload = page_names(payload)  # places and groups named in the page's language
    tables = statistics_tables(page_payload)
    base = reverse("dashboard:statistics")
    for name, table in tables.items():
        table.csv_url = f"{base}?{urlencode({'format': 'csv', 'table': name})}" + (f"&{query}" if query else "")
    context = {
        "payload": payload,
        "query": query,
        "tables": tables,
        "sections": statistics_sections(page_payload, tables),
        "headline": headline_figures(payload),
    }
    return render_to_string("statistics/_body.html", context)


# The district map ----------------------------------------------------------------------------


def district_map(request: HttpRequest) -> HttpResponse:
    """Districts shaded by incidents or killed (``measure``), with the statistics' incident filters,
    a legend and the table of every figure; each district links to its incidents.

    The figures (``incidents.stats.by_district``, one grouped query) are cached like the statistics'
    (``dashboard.cache.figures_for``), and the page itself by the public page cache.
    """
    incident_filter = IncidentFilter(request.GET, queryset=Incident.objects.public())
    errors = {name: [str(m) for m in messages] for name, messages in incident_filter.errors.items()}
    measure = request.GET.get("measure") or "incidents"
    if measure not in MEASURES:
        errors["measure"] = [gettext("Shade by one of: %(measures)s.") % {"measures": ", ".join(MEASURES)}]
        measure = "incidents"
    form = dress_filter_form(incident_filter.form)
    query = filter_query(request)
    context: dict[str, Any] = {
        "form": form,
        "query": query,
        "errors": errors,
        "measure": measure,
        "measures": MEASURES,
        "statistics_url": reverse("dashboard:statistics") + (f"?{query}" if query else ""),
    }
    if errors:
        return render(request, "statistics/map.html", context, status=400)
    try:
        figures = figures_for(
            "districts",
            incident_filter,
            lambda: {"rows": incident_stats.by_district(incidents=incident_filter.qs)},
            today=today(),
        )
    except FiguresPending as pending:
        return pending_response(request, pending)
    rows = figures.payload["rows"]
    provinces = {province.slug: province.display_name for province in Province.objects.order_by()}
    classes = colour_classes(max((row[measure] for row in rows if row["slug"]), default=0))
    list_url = reverse("incidents:incident_list")

    others = [(k, v) for k in IncidentFilter.base_filters if k != "district" for v in request.GET.getlist(k) if v]

    def link(slug: str) -> str:
        return f"{list_url}?{urlencode([('district', slug), *others])}"

    placed = sorted(
        (row for row in rows if row["slug"]), key=lambda r: (-r[measure], -r["incidents"], r["district"].casefold())
    )
    context.update(
        svg=render_map(rows, measure=measure, classes=classes, province_names=provinces, link=link),
        legend=[(legend_swatch(c.colour), c.label) for c in classes],
        none_swatch=legend_swatch(NONE_FILL),
        measure_label=MEASURES[measure],
        legend_title=LEGEND_TITLES[measure],
        table=[(row, provinces.get(row["province"], row["province"]), link(row["slug"])) for row in placed],
        unplaced=next((row for row in rows if row["slug"] is None), None),
        totals={key: sum(row[key] for row in rows) for key in incident_stats.FIGURES},
        figures=figures,
    )
    return mark_stale(render(request, "statistics/map.html", context), figures)
