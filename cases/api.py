"""The read-only API of courts, cases and hearings under /api/.

Rows come through `visible_to(request.user)` (a hidden case, and its hearings, answer 404), cases
are filtered by the same `CaseFilter` as the pages, CSV and statistics, and a bad parameter
answers 400 with the filter's message. Each request runs a constant number of queries.
"""

from __future__ import annotations

import django_filters
from django.db.models import Prefetch
from django.utils.functional import SimpleLazyObject
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import viewsets

from core.clock import today
from incidents.models import Incident

from .filters import CaseFilter
from .models import Appeal, Case, Charge, Court, CourtKind, Document, Hearing
from .serializers import CaseDetailSerializer, CaseSerializer, CourtSerializer, HearingSerializer
from .workdays import WorkingCalendar


def visible_cases(request):
    return Case.objects.visible_to(getattr(request, "user", None))


class HearingFilter(django_filters.FilterSet):
    """Hearings by case, by the court they sat in, and by date (ISO dates, inclusive)."""

    # Only cases the user may see are valid choices: a hidden case's id is as unknown as a missing one.
    case = django_filters.ModelChoiceFilter(queryset=visible_cases, label="Case", help_text="Case id.")
    court = django_filters.ModelChoiceFilter(
        queryset=Court.objects.all(),
        method="filter_court",
        label="Court",
        help_text="Court id: hearings before that court (a hearing with no court of its own sits in its case's court).",
    )
    date_from = django_filters.DateFilter(
        field_name="date", lookup_expr="gte", label="From", help_text="ISO date, inclusive (YYYY-MM-DD)."
    )
    date_to = django_filters.DateFilter(
        field_name="date", lookup_expr="lte", label="To", help_text="ISO date, inclusive (YYYY-MM-DD)."
    )

    class Meta:
        model = Hearing
        fields = ["case", "court", "date_from", "date_to"]

    def filter_court(self, queryset, name, value):
        return queryset.at_court(value)


class CourtFilter(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(choices=CourtKind.choices, label="Kind of court")
    city = django_filters.CharFilter(field_name="city__slug", label="City", help_text="City slug.")

    class Meta:
        model = Court
        fields = ["kind", "city"]


@extend_schema_view(
    list=extend_schema(summary="Courts", description="Courts, by name; filter by `kind` and `city` (slug)."),
    retrieve=extend_schema(summary="One court"),
)
class CourtViewSet(viewsets.ReadOnlyModelViewSet):
    """Courts (all public), by name."""

    serializer_class = CourtSerializer
    filter_backends = [DjangoFilterBackend]
    filterset_class = CourtFilter

    def get_queryset(self):
        return Court.objects.visible_to(self.request.user).select_related("city").order_by("name", "id")


@extend_schema_view(
    list=extend_schema(
        summary="Cases",
        description="Published cases, latest cognizance first, 50 to a page, filtered like the case list "
        "(`/cases/`): the incident parameters apply to the cases' incidents. A bad parameter answers 400.",
    ),
    retrieve=extend_schema(
        summary="One case",
        description="A case with its accused (by public name: a juvenile's name is withheld), their custody, "
        "verdicts, sentences and appeals, its hearings in date order and its public court documents. "
        "A draft or retracted case answers 404.",
    ),
)
class CaseViewSet(viewsets.ReadOnlyModelViewSet):
    """Cases, latest cognizance first. Filters: the case list's parameters."""

    filter_backends = [DjangoFilterBackend]
    filterset_class = CaseFilter

    def get_queryset(self):
        user = self.request.user
        # A published case may name an incident that is still a draft: list only the visible ones.
        visible_incidents = Incident.objects.visible_to(user).only("id")
        queryset = (
            Case.objects.visible_to(user)
            .select_related("court", "transferred_to")
            .prefetch_related(Prefetch("incidents", queryset=visible_incidents), "offences")
        )
        if self.action == "retrieve":
            documents = Document.objects.visible_to(user).order_by("date", "id")
            charges = Charge.objects.select_related("accused__affiliation").prefetch_related(
                Prefetch("appeals", queryset=Appeal.objects.select_related("court")),
                Prefetch("verdict_source", queryset=documents, to_attr="visible_verdict_source"),
            )
            queryset = queryset.prefetch_related(
                Prefetch("charges", queryset=charges),
                Prefetch("hearings", queryset=Hearing.objects.select_related("court")),
                Prefetch("documents", queryset=documents),
            )
        return queryset.order_by("-cognizance_date", "-id")

    def get_serializer_class(self):
        return CaseDetailSerializer if self.action == "retrieve" else CaseSerializer

    def get_serializer_context(self):
        """Today and one working calendar (one query, when first used) for every case's s.19(7) clock."""
        return {**super().get_serializer_context(), "today": today(), "calendar": SimpleLazyObject(WorkingCalendar)}


@extend_schema_view(
    list=extend_schema(
        summary="Hearings",
        description="Hearings of published cases, latest first, 50 to a page; filter by `case`, `court` "
        "(the court the hearing sat in) and `date_from`/`date_to`. A hearing with no outcome is only scheduled.",
    ),
    retrieve=extend_schema(summary="One hearing"),
)
class HearingViewSet(viewsets.ReadOnlyModelViewSet):
    """Hearings of visible cases, latest first."""

    serializer_class = HearingSerializer
    filter_backends = [DjangoFilterBackend]
    filterset_class = HearingFilter

    def get_queryset(self):
        return (
            Hearing.objects.visible_to(self.request.user)
            .select_related("case__court", "court")
            .order_by("-date", "-id")
        )
