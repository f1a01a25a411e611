"""`/api/statistics/`: every public figure of DESIGN.md "Metrics" as JSON, for any filter.

`statistics_filters` and `statistics_payload` are the one way to go from query parameters to
figures: the statistics page, its CSV, the period report and this API all call them, so their
numbers always agree. The counting itself lives in `incidents/stats.py`, `cases/justice.py` and the
court statistics.
"""

from __future__ import annotations

import datetime
from dataclasses import asdict, dataclass
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

from cases import justice
from cases.courts import court_statistics
from cases.filters import CLOCK_CHOICES, CaseFilter
from cases.models import Case, Stage, Verdict
from core.clock import today
from incidents import stats as incident_stats
from incidents.filters import IncidentFilter
from incidents.models import JUSTICE_STATUS_GROUPS, AttackType, Incident, JusticeStatus

DATE_PARAMS = ("date_from", "date_to")


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

    Each figure is its own function (incidents/stats.py, cases/justice.py, the court figures);
    where several read the same grouped rows (``incident_groups``, ``justice_counts``, the court
    rows), the rows are read once here and each figure's ``*_of`` adds them up. The keys DESIGN.md lists for /api/statistics/ are kept
    exactly; ``period`` says which months the monthly average divides by, ``impunity`` gives the
    rate with its coverage and counts (``impunity_rate`` is its rate), ``partial_justice`` its
    count and share, and ``courts`` holds the delay figures.
    """
    groups = incident_stats.incident_groups(incidents=incidents)
    summary = incident_stats.summary_of(groups)
    totals = {key: summary[key] for key in incident_stats.FIGURES}
    start, end = date_from or summary["first_date"], date_to or summary["last_date"]
    justice_counts = justice.justice_counts(incidents=incidents, today=today)
    impunity = justice.impunity_of(justice_counts)
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
        "by_year": incident_stats.by_year_of(groups),
        "by_province": incident_stats.by_province_of(groups),
        "by_city": incident_stats.by_city_of(groups),
        "by_attack_type": incident_stats.by_attack_type_of(groups),
        "by_community": incident_stats.by_community(incidents=incidents, total=totals),
        "by_organisation": incident_stats.by_organisation(incidents=incidents, total=totals),
        "funnel": asdict(justice.funnel_of(justice_counts)),
        "impunity_rate": impunity.rate,
        "impunity": asdict(impunity),
        "partial_justice": asdict(justice.partial_justice_of(justice_counts)),
        "courts": court_statistics(
            cases=cases, today=today, date_from=date_from, date_to=date_to, clearance_cases=clearance_cases
        ).as_dict(),
    }


def _slug_parameter(name: str, what: str) -> OpenApiParameter:
    return OpenApiParameter(name, OpenApiTypes.STR, description=f"{what} slug.")


FILTER_PARAMETERS = [
    OpenApiParameter("date_from", OpenApiTypes.DATE, description="Incidents on or after this ISO date."),
    OpenApiParameter("date_to", OpenApiTypes.DATE, description="Incidents on or before this ISO date."),
    _slug_parameter("province", "Province"),
    _slug_parameter("city", "City"),
    OpenApiParameter(
        "district", OpenApiTypes.STR, description="District slug, as on the district map (/statistics/map/)."
    ),
    OpenApiParameter("attack_type", OpenApiTypes.STR, enum=AttackType.values, description="Attack type code."),
    _slug_parameter("community", "Targeted community"),
    _slug_parameter("organisation", "Organisation (attributed in any way)"),
    OpenApiParameter("q", OpenApiTypes.STR, description="Words in the incident's title, place or description."),
    OpenApiParameter(
        "fatal", OpenApiTypes.STR, enum=["yes", "no"], description="yes: someone killed; no: nobody, or unknown."
    ),
    OpenApiParameter(
        "justice",
        OpenApiTypes.STR,
        enum=[*JusticeStatus.values, *JUSTICE_STATUS_GROUPS],
        description="Incidents with this justice status (from published cases), or of a group: researched, "
        "unpunished (researched with no standing conviction). See /methodology/#justice-status.",
    ),
    OpenApiParameter("court", OpenApiTypes.INT, description="Court id: restricts the court figures."),
    OpenApiParameter("stage", OpenApiTypes.STR, enum=Stage.values, description="Case stage: court figures."),
    OpenApiParameter(
        "verdict", OpenApiTypes.STR, enum=Verdict.values, description="Cases with an accused with this verdict."
    ),
    OpenApiParameter(
        "clock",
        OpenApiTypes.STR,
        enum=[value for value, _ in CLOCK_CHOICES],
        description="Cases by the ATA s.19(7) clock today: over_limit (pending, past 7 working days), pending "
        "(since cognizance), decided. Court figures.",
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
        "funnel": serializers.DictField(
            child=serializers.IntegerField(),
            help_text="Fatal incidents (fatal_incidents) reaching each step in a published case: case_registered, "
            "accused_charged, trial_concluded (a standing final verdict), convicted (a standing conviction), "
            "conviction_upheld (appealed with every appeal decided and none overturned or remanded, or not "
            "appealed and more than 30 days old).",
        ),
        "impunity_rate": serializers.FloatField(
            allow_null=True,
            help_text="The same as impunity.rate: among the researched fatal incidents at least 3 years old, the "
            "share (0..1) with no standing conviction of anyone; null when none is researched.",
        ),
        "impunity": inline_serializer(
            "Impunity",
            {
                "rate": serializers.FloatField(
                    allow_null=True,
                    help_text="unpunished ÷ researched (its n is researched); null when researched is 0.",
                ),
                "fatal_old": serializers.IntegerField(help_text="Fatal incidents (killed > 0) at least 3 years old."),
                "researched": serializers.IntegerField(
                    help_text="Of those, the incidents whose court record is researched: a published case, or a "
                    "recorded check of the courts and police (court_record_checked_on)."
                ),
                "unpunished": serializers.IntegerField(
                    help_text="Researched incidents with no standing conviction (appeals applied) of anyone."
                ),
                "coverage": serializers.FloatField(
                    allow_null=True, help_text="researched ÷ fatal_old; null when fatal_old is 0."
                ),
            },
        ),
        "partial_justice": inline_serializer(
            "PartialJustice",
            {
                "incidents": serializers.IntegerField(
                    help_text="Researched fatal incidents at least 3 years old with a standing conviction while "
                    "another accused stands acquitted or discharged, or absconds before a verdict."
                ),
                "with_standing_conviction": serializers.IntegerField(
                    help_text="Researched fatal incidents at least 3 years old with a standing conviction (the n)."
                ),
                "share": serializers.FloatField(
                    allow_null=True, help_text="incidents ÷ with_standing_conviction; null when there is none."
                ),
            },
        ),
        "courts": serializers.DictField(
            help_text='Courts and delay over the published cases (DESIGN.md "Courts and delay"): disposal, '
            "disposal_by_year, statutory_compliance, pending_ages, over_statutory_limit, adjournments, "
            "conviction_rate, clearance_rate and per-court scorecards. Every median, percentile and rate comes "
            "with the number it rests on: n beside it (or <figure>_n where a block holds figures over different "
            "counts: hearings_per_decided_case_n, median_excess_n, per_accused_n, per_case_n). Pages print "
            '"too few to say" when n is under 5; the API gives the value and its n.'
        ),
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
            "matching the filters. Rates are fractions from 0 to 1 and null when there is nothing to divide by; "
            "each comes with the count it is over (its n): the pages say 'too few to say' under 5. "
            "Verdicts are standing verdicts: the trial verdict as changed by the latest decided appeal. "
            "The impunity rate is over researched incidents only, with its coverage and counts. "
            "An incident with two communities or organisations counts once in each group and once in the total. "
            "Invalid parameters answer 400 with the errors per parameter."
        ),
        parameters=FILTER_PARAMETERS,
        responses={
            200: STATISTICS_RESPONSE,
            400: OpenApiResponse(description="Invalid filter parameters."),
            503: OpenApiResponse(
                description="The figures for these filters are being computed after a change and there are no "
                "earlier ones to give: ask again after the Retry-After seconds "
                '(`{"detail": "…", "retry_after": seconds}`).'
            ),
        },
    )
    def get(self, request: Request) -> Response:
        filters = statistics_filters(request.query_params)
        if not filters.is_valid():
            return Response({"errors": filters.errors}, status=status.HTTP_400_BAD_REQUEST)
        from .cache import FiguresPending, mark_stale, pending_headers, statistics_for  # cache imports this module

        try:
            figures = statistics_for(filters, today=today())
        except FiguresPending as pending:
            detail = {"detail": str(pending), "retry_after": pending.retry_after}
            return pending_headers(Response(detail, status=status.HTTP_503_SERVICE_UNAVAILABLE), pending)
        return mark_stale(Response(figures.payload), figures)
