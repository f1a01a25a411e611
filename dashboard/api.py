"""`/api/statistics/`: every public figure of DESIGN.md "Metrics" as JSON, for any filter.

`statistics_filters` and `statistics_payload` are the one way to go from query parameters to
figures: the statistics page, its CSV, the period report and this API all call them, so their
numbers always agree. The counting itself lives in `incidents/stats.py` and `cases/stats.py`.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from functools import partial
from typing import Any

from django.db.models import QuerySet
from django.http import QueryDict
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from cases import stats as case_stats
from cases.filters import CaseFilter
from cases.models import Case, Stage, Verdict
from core.clock import today
from incidents import stats as incident_stats
from incidents.filters import IncidentFilter
from incidents.models import AttackType, Incident
from tracker.concurrency import run_concurrently

DATE_PARAMS = ("date_from", "date_to")
BREAKDOWNS = ("by_year", "by_province", "by_city", "by_attack_type", "by_community", "by_organisation")


@dataclass
class StatisticsFilters:
    """The incident and case FilterSets for one set of query parameters, built the same way everywhere."""

    incident_filter: IncidentFilter
    case_filter: CaseFilter
    # The cases filtered by everything but the dates: the clearance rate's period is the dates.
    undated_case_filter: CaseFilter

    def is_valid(self) -> bool:
        return all(f.is_valid() for f in (self.incident_filter, self.case_filter, self.undated_case_filter))

    @property
    def errors(self) -> dict[str, list[str]]:
        errors: dict[str, list[str]] = {}
        for f in (self.incident_filter, self.case_filter):
            for field, messages in f.errors.items():
                errors.setdefault(field, [])
                errors[field] += [str(m) for m in messages if str(m) not in errors[field]]
        return errors

    @property
    def incidents(self) -> QuerySet[Incident]:
        return self.incident_filter.qs

    @property
    def cases(self) -> QuerySet[Case]:
        return self.case_filter.qs

    @property
    def date_from(self) -> datetime.date | None:
        return self.incident_filter.form.cleaned_data.get("date_from")

    @property
    def date_to(self) -> datetime.date | None:
        return self.incident_filter.form.cleaned_data.get("date_to")


def statistics_filters(data: QueryDict | dict) -> StatisticsFilters:
    """FilterSets over the PUBLIC incidents and cases for the query parameters in `data`."""
    undated = data.copy()
    for param in DATE_PARAMS:
        undated.pop(param, None)
    return StatisticsFilters(
        incident_filter=IncidentFilter(data, queryset=Incident.objects.public()),
        case_filter=CaseFilter(data, queryset=Case.objects.public()),
        undated_case_filter=CaseFilter(undated, queryset=Case.objects.public()),
    )


def statistics_payload(
    *,
    incidents: QuerySet[Incident],
    cases: QuerySet[Case],
    today: datetime.date,
    date_from: datetime.date | None = None,
    date_to: datetime.date | None = None,
    clearance_cases: QuerySet[Case] | None = None,
) -> dict[str, Any]:
    """Every figure of DESIGN.md "Metrics" for already-filtered public incidents and cases.

    The keys DESIGN.md lists for /api/statistics/ are kept exactly; ``period`` says which months
    the monthly average divides by, ``impunity`` and ``partial_justice`` give the counts behind the
    rates, and ``courts`` holds the delay figures (see `court_statistics`).
    """
    # The court figures, the breakdowns and the justice outcomes are independent reads (seven of
    # them): made at once where tracker.concurrency allows. The court figures come first: most of
    # their time is Python counting the cases, which then overlaps the database's work on the others.
    court_parts, combine_courts = case_stats.court_statistics_parts(
        cases=cases, today=today, date_from=date_from, date_to=date_to, clearance_cases=clearance_cases
    )
    breakdown_parts = incident_stats.breakdown_parts(incidents)
    *court_results, rollup, communities, organisations, justice = run_concurrently(
        *court_parts,
        *breakdown_parts,
        partial(case_stats.justice_outcomes, incidents=incidents, today=today),
    )
    groups = incident_stats.combine_breakdowns(rollup, communities, organisations)
    courts = combine_courts(court_results)
    summary = groups["summary"]
    totals = {key: summary[key] for key in incident_stats.FIGURES}
    start, end = date_from or summary["first_date"], date_to or summary["last_date"]
    return {
        "period": {
            "date_from": start,
            "date_to": end,
            "months": incident_stats.months_in_period(start, end) if start and end else None,
        },
        **totals,
        "monthly_average_killed": incident_stats.monthly_average_killed(
            incidents=incidents, date_from=start, date_to=end, killed=totals["killed"]
        ),
        **{key: groups[key] for key in BREAKDOWNS},
        "funnel": justice["funnel"],
        "impunity_rate": justice["impunity"]["rate"],
        "impunity": justice["impunity"],
        "partial_justice": justice["partial_justice"],
        "courts": courts,
    }


def _slug_parameter(name: str, what: str) -> OpenApiParameter:
    return OpenApiParameter(name, OpenApiTypes.STR, description=f"{what} slug.")


FILTER_PARAMETERS = [
    OpenApiParameter("date_from", OpenApiTypes.DATE, description="Incidents on or after this ISO date."),
    OpenApiParameter("date_to", OpenApiTypes.DATE, description="Incidents on or before this ISO date."),
    _slug_parameter("province", "Province"),
    _slug_parameter("city", "City"),
    OpenApiParameter("attack_type", OpenApiTypes.STR, enum=AttackType.values, description="Attack type code."),
    _slug_parameter("community", "Targeted community"),
    _slug_parameter("organisation", "Organisation (attributed in any way)"),
    OpenApiParameter("q", OpenApiTypes.STR, description="Words in the incident's title, place or description."),
    OpenApiParameter("court", OpenApiTypes.INT, description="Court id: restricts the court figures."),
    OpenApiParameter("stage", OpenApiTypes.STR, enum=Stage.values, description="Case stage: court figures."),
    OpenApiParameter(
        "verdict", OpenApiTypes.STR, enum=Verdict.values, description="Cases with an accused with this verdict."
    ),
]

_group = serializers.ListField(child=serializers.DictField())
STATISTICS_RESPONSE = inline_serializer(
    "Statistics",
    {
        "period": serializers.DictField(),
        "incidents": serializers.IntegerField(),
        "killed": serializers.IntegerField(help_text="Sum over incidents where the figure is known."),
        "injured": serializers.IntegerField(help_text="Sum over incidents where the figure is known."),
        "killed_unknown": serializers.IntegerField(help_text="Incidents whose killed figure is unknown."),
        "injured_unknown": serializers.IntegerField(help_text="Incidents whose injured figure is unknown."),
        "monthly_average_killed": serializers.FloatField(
            allow_null=True, help_text="Killed ÷ calendar months in the period, both end months counted."
        ),
        "by_year": _group,
        "by_province": _group,
        "by_city": _group,
        "by_attack_type": _group,
        "by_community": _group,
        "by_organisation": _group,
        "funnel": serializers.DictField(child=serializers.IntegerField()),
        "impunity_rate": serializers.FloatField(
            allow_null=True,
            help_text="Share (0..1) of fatal incidents at least 3 years old with no conviction; null if none.",
        ),
        "impunity": serializers.DictField(),
        "partial_justice": serializers.DictField(),
        "courts": serializers.DictField(),
    },
)


class StatisticsView(APIView):
    """Casualty, justice and court statistics over published records, with the list filters."""

    permission_classes = [AllowAny]

    @extend_schema(
        operation_id="statistics",
        summary="Statistics for any filter",
        description=(
            "Every figure of the tracker's Metrics for the published incidents (and their published cases) "
            "matching the filters. Rates are fractions from 0 to 1 and null when there is nothing to divide by. "
            "An incident with two communities or organisations counts once in each group and once in the total. "
            "Invalid parameters answer 400 with the errors per parameter."
        ),
        parameters=FILTER_PARAMETERS,
        responses={200: STATISTICS_RESPONSE, 400: OpenApiResponse(description="Invalid filter parameters.")},
    )
    def get(self, request: Request) -> Response:
        filters = statistics_filters(request.query_params)
        if not filters.is_valid():
            return Response({"errors": filters.errors}, status=status.HTTP_400_BAD_REQUEST)
        from .cache import mark_stale, statistics_for  # dashboard.cache imports this module

        figures = statistics_for(filters, today=today())
        return mark_stale(Response(figures.payload), figures)
