"""The read-only incidents API: `/api/incidents/` and `/api/incidents/<id>/`.

Rows come through `Incident.objects.visible_to(request.user)` (hidden records answer 404) and
are filtered by the same `IncidentFilter` as the pages, CSV and statistics: a bad parameter
answers 400 with the filter's message. Each request runs a constant number of queries.
"""

from __future__ import annotations

from django.db.models import Prefetch
from django.http import Http404, HttpResponsePermanentRedirect
from django.urls import reverse
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import viewsets

from .filters import IncidentFilter
from .models import Attribution, Incident, IncidentSource, Victim
from .serializers import IncidentDetailSerializer, IncidentSerializer
from .views import survivor_visible_to


@extend_schema_view(
    list=extend_schema(
        summary="Incidents",
        description="Published incidents, newest first, 50 to a page, filtered like the incident list "
        "(`/incidents/`). A bad parameter answers 400 with a message per parameter.",
    ),
    retrieve=extend_schema(
        summary="One incident",
        description="An incident with its sources (and each source's own figures), the organisations "
        "it is attributed to, and its victims (named only when the name is public). "
        "A draft or retracted incident answers 404; a duplicate merged into another answers 301 to it.",
    ),
)
class IncidentViewSet(viewsets.ReadOnlyModelViewSet):
    """Incidents, newest first. Filters: the incident list's parameters."""

    filter_backends = [DjangoFilterBackend]
    filterset_class = IncidentFilter

    def get_queryset(self):
        queryset = Incident.objects.visible_to(self.request.user).with_related()
        if self.action == "retrieve":
            # The status from this incident's own cases (see ``paginate_queryset``).
            pk = self.kwargs.get(self.lookup_field, "")
            queryset = queryset.with_justice_status(within=[int(pk)] if str(pk).isdigit() else [])
            queryset = queryset.prefetch_related(
                Prefetch("source_links", queryset=IncidentSource.objects.select_related("source")),
                Prefetch("attributions", queryset=Attribution.objects.select_related("organisation")),
                Prefetch("victims", queryset=Victim.objects.select_related("community")),
            )
        return queryset.order_by("-date", "-id")

    def paginate_queryset(self, queryset):
        """The page's rows with their justice status worked out from their own cases: unnarrowed,
        the status's subqueries read every case and charge for 50 rows. The page's ids are cut
        first (with the count), then their rows read, as the incident list does."""
        page_ids = super().paginate_queryset(queryset.prefetch_related(None).values_list("pk", flat=True))
        if page_ids is None:
            return None
        rows = queryset.with_justice_status(within=page_ids).filter(pk__in=page_ids)
        return list(rows)

    def retrieve(self, request, *args, **kwargs):
        """One incident; a duplicate merged into another answers 301 to that one's address."""
        try:
            return super().retrieve(request, *args, **kwargs)
        except Http404:
            survivor = survivor_visible_to(request.user, kwargs.get("pk"))
            if survivor is None:
                raise
            return HttpResponsePermanentRedirect(reverse("api:incident-detail", args=[survivor.pk]))

    def get_serializer_class(self):
        return IncidentDetailSerializer if self.action == "retrieve" else IncidentSerializer
