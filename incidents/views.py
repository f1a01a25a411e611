"""Public pages about incidents and organisations: the home page, the incident list (page and CSV)
and the incident detail; the organisation list and each organisation's page.

Rows always come through `visible_to(request.user)` / `public()` and `get_visible_or_404`
(core/visibility.py); figures come from incidents/stats.py; filters from IncidentFilter.
Every page runs a constant number of queries whatever the number of rows.
"""

from __future__ import annotations

from django.apps import apps
from django.core.paginator import Paginator
from django.db.models import Exists, F, OuterRef
from django.db.models.functions import Lower
from django.http import Http404, HttpRequest, HttpResponse, HttpResponsePermanentRedirect, StreamingHttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.visibility import get_visible_or_404
from tracker.csv import csv_response

from . import stats
from .exports import EXPORT_FORMATS, INCIDENT_COLUMNS, incident_geojson, incident_rows, incident_xlsx
from .filters import IncidentFilter
from .listing import SortChoice, apply_sort, dress_filter_form, page_links, paginate, rendered_filter_form
from .models import Attribution, AttributionKind, Incident, Organisation, Victim

INCIDENT_SORTS = {
    "-date": SortChoice(gettext_lazy("Newest first"), ("-date", "-id")),
    "date": SortChoice(gettext_lazy("Oldest first"), ("date", "id")),
    "-killed": SortChoice(gettext_lazy("Most killed first"), (F("killed").desc(nulls_last=True), "-date", "-id")),
    "killed": SortChoice(gettext_lazy("Fewest killed first"), (F("killed").asc(nulls_last=True), "-date", "-id")),
    "-injured": SortChoice(gettext_lazy("Most injured first"), (F("injured").desc(nulls_last=True), "-date", "-id")),
    "injured": SortChoice(gettext_lazy("Fewest injured first"), (F("injured").asc(nulls_last=True), "-date", "-id")),
    "title": SortChoice(gettext_lazy("Title A–Z"), (Lower("title"), "id")),  # case-blind, like every A–Z order
}

# The tracker's own incident format (CSV, XLSX, GeoJSON properties): see incidents/exports.py.
INCIDENT_CSV_COLUMNS = INCIDENT_COLUMNS


def incident_list(request: HttpRequest) -> HttpResponse | StreamingHttpResponse:
    """Incidents, filtered (IncidentFilter), sorted (`sort`), paginated (`page`); `?format=csv`, `xlsx` or
    `geojson` downloads them (incidents/exports.py: the same rows and columns in each format).

    The CSV is the tracker's own incident format, one row per incident, columns in this order:
    id, date (ISO), title, province (name), city (name, or empty), locality, latitude, longitude
    (decimal degrees, or empty), attack_type (the code, e.g. target_killing), communities (names,
    separated by "; "), killed, injured (empty = unknown, 0 = nobody), sources (titles, "; "),
    justice_status (a ``JusticeStatus`` code: where the court record stands). It honours the same filters and sort as the page, is streamed, and neutralises cells a
    spreadsheet would run as formulae.
    """
    incident_filter = IncidentFilter(request.GET or None, queryset=Incident.objects.visible_to(request.user))
    valid = incident_filter.is_valid() if incident_filter.is_bound else True
    export = request.GET.get("format")
    if export in EXPORT_FORMATS:
        if not valid:
            return filter_errors_as_text(incident_filter)
        rows, _ = apply_sort(incident_filter.qs, request, INCIDENT_SORTS, "-date")
        return {"csv": incident_csv, "xlsx": incident_xlsx, "geojson": incident_geojson}[export](rows)
    dress_filter_form(incident_filter.form)
    context = {"filter": incident_filter, "sort_choices": INCIDENT_SORTS}
    if valid:
        rows, sorting = apply_sort(incident_filter.qs.with_related(), request, INCIDENT_SORTS, "-date")
        page = paginate(request, rows, for_page=with_justice_status)
        context.update(page=page, page_links=page_links(page), sorting=sorting)
    context["filter_form"] = rendered_filter_form(request, context)
    return render(request, "incidents/incident_list.html", context, status=200 if valid else 400)


def with_justice_status(rows, page_ids):
    """The rows with their justice status, worked out from the page's incidents' own cases: the
    status's subqueries read every case and charge unless narrowed to the page."""
    return rows.with_justice_status(within=page_ids)


def filter_errors_as_text(filterset) -> HttpResponse:
    """A 400 answer listing what was wrong with the filter parameters (for CSV requests)."""
    lines = [f"{name}: {' '.join(errors)}" for name, errors in filterset.form.errors.items()]
    return HttpResponse(
        _("Bad filter parameters; nothing exported.") + "\n" + "\n".join(lines) + "\n",
        status=400,
        content_type="text/plain; charset=utf-8",
    )


def incident_csv(incidents) -> StreamingHttpResponse:
    """Stream the incidents as CSV (``incident_rows``: a constant number of queries per batch of rows,
    no model instances for a download of 100,000 rows)."""
    return csv_response("incidents.csv", INCIDENT_COLUMNS, incident_rows(incidents))


def incident_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """An incident with its sources (each with its own figures and citation), attributions,
    victims (public names only), its justice status (published cases only, whoever reads) and the
    cases about it that the reader may see. A duplicate merged into another incident answers 301 to
    that one (when the reader may see it)."""
    try:
        # The status from this incident's own cases: unnarrowed, it reads every case and charge.
        rows = Incident.objects.with_related().with_justice_status(within=[pk])
        incident = get_visible_or_404(rows, request.user, pk=pk)
    except Http404:
        survivor = survivor_visible_to(request.user, pk)
        if survivor is None:
            raise
        return HttpResponsePermanentRedirect(survivor.get_absolute_url())
    source_links = list(incident.source_links.select_related("source").order_by("source__title", "id"))
    context = {
        "incident": incident,
        "source_links": source_links,
        "cite_sources": list(dict.fromkeys(link.source for link in source_links)),
        "attributions": Attribution.objects.filter(incident=incident)
        .select_related("organisation", "source")
        .order_by("organisation__name", "kind"),
        "victims": Victim.objects.filter(incident=incident).select_related("community").order_by("id"),
        # The cases app's Case, through its link to the incident (incidents never imports cases).
        "cases": incident.cases.visible_to(request.user).select_related("court").order_by("cognizance_date", "id"),
    }
    return render(request, "incidents/incident_detail.html", context)


def survivor_visible_to(user, pk: int) -> Incident | None:
    """The incident a merged-away `pk` lives on in, if `user` may see it (else None: a 404 says nothing)."""
    survivor = Incident.objects.survivor_of(pk)
    if survivor is None or not Incident.objects.visible_to(user).filter(pk=survivor.pk).exists():
        return None
    return survivor


def data(request: HttpRequest) -> HttpResponse:
    """How to download the data: CSV of every list, the API, and how to cite it."""
    return render(request, "incidents/data.html", {"incident_csv_columns": INCIDENT_CSV_COLUMNS})


# Organisations ------------------------------------------------------------------------------

ORGANISATION_PAGE_SIZE = 50
ORGANISATION_INCIDENTS_PAGE_SIZE = 25


def organisation_list(request: HttpRequest) -> HttpResponse:
    """Every organisation with the published incidents attributed to it (incidents.stats.by_organisation)."""
    organisations = Organisation.objects.public().select_related("umbrella").order_by(Lower("name"), "id")
    page = paginate(request, organisations, per_page=ORGANISATION_PAGE_SIZE)
    figures = stats.organisation_figures(
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
    figures = stats.attribution_kinds(incidents=published, organisation=organisation.pk)
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
    # The cases app builds on this one (it imports incidents, never the reverse): its charges are
    # reached through the app registry, for this one list.
    convictions = (
        apps.get_model("cases", "Charge")
        .objects.public()
        .filter(verdict="convicted", accused__affiliation=organisation)
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
        "members": list(organisation.members.order_by(Lower("name"))),
    }
    return render(request, "incidents/organisation_detail.html", context)


def paginate_named(request: HttpRequest, queryset, param: str, per_page: int):
    """Like `paginate`, but reading the page number from `param` (two lists on one page)."""
    return Paginator(queryset, per_page).get_page(request.GET.get(param))
