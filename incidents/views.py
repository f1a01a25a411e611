"""Public pages about incidents and organisations."""

from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from tracker.visibility import get_visible_or_404

from .models import Incident, IncidentSource, Organisation


def home(request: HttpRequest) -> HttpResponse:
    """Published incidents, newest first, each with its sources and their figures."""
    incidents = (
        Incident.objects.visible_to(request.user)
        .filter(status="published")
        .with_related()
        .prefetch_related(
            Prefetch("source_links", queryset=IncidentSource.objects.select_related("source").order_by("source__title"))
        )[:50]
    )
    return render(request, "incidents/home.html", {"incidents": incidents})


def incident_detail(request: HttpRequest, pk: int) -> HttpResponse:
    incident = get_visible_or_404(Incident.objects.with_related(), request.user, pk=pk)
    links = IncidentSource.objects.filter(incident=incident).select_related("source")
    return render(request, "incidents/incident_detail.html", {"incident": incident, "source_links": links})


def organisation_detail(request: HttpRequest, pk: int) -> HttpResponse:
    organisation = get_visible_or_404(Organisation.objects.all(), request.user, pk=pk)
    return render(request, "incidents/organisation_detail.html", {"organisation": organisation})
