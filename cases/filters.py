"""The case filters: the incident parameters, applied through a case's published incidents
(a case matches when at least one of its incidents matches), plus court (id), stage and
verdict (a case matches when at least one charge has that verdict). Reused by the case list,
the court statistics, CSV and the API. `q` also searches the text of the case's court documents
the reader may see (public ones, or all for staff when the filter is given the request).
"""

from __future__ import annotations

import django_filters
from django.db.models import Exists, OuterRef, Q

from incidents.filters import IncidentFilter, narrow_cities_to_province
from incidents.models import Incident

from .documents import Document
from .models import Case, Charge, Court, Stage, Verdict

INCIDENT_PARAMS = ("date_from", "date_to", "province", "city", "attack_type", "community", "organisation")


class CaseFilter(django_filters.FilterSet):
    # The incident parameters are validated by IncidentFilter's own fields.
    date_from = IncidentFilter.base_filters["date_from"]
    date_to = IncidentFilter.base_filters["date_to"]
    province = IncidentFilter.base_filters["province"]
    city = IncidentFilter.base_filters["city"]
    attack_type = IncidentFilter.base_filters["attack_type"]
    community = IncidentFilter.base_filters["community"]
    organisation = IncidentFilter.base_filters["organisation"]
    q = django_filters.CharFilter(
        method="filter_q",
        label="Search",
        help_text="Case or FIR number, police station, court, accused name or words in a court document.",
    )
    court = django_filters.ModelChoiceFilter(queryset=Court.objects.all(), label="Court", empty_label="Any court")
    stage = django_filters.ChoiceFilter(choices=Stage.choices, label="Stage", empty_label="Any stage")
    verdict = django_filters.ChoiceFilter(
        choices=Verdict.choices,
        method="filter_verdict",
        label="Verdict",
        empty_label="Any verdict",
        help_text="Cases with at least one accused with this verdict.",
    )

    class Meta:
        model = Case
        fields = [*INCIDENT_PARAMS, "q", "court", "stage", "verdict"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Incident parameters are not fields of Case: route them through the incidents.
        for param in INCIDENT_PARAMS:
            self.filters[param].method = "filter_through_incidents"
        narrow_cities_to_province(self)

    def filter_through_incidents(self, queryset, name, value):
        return queryset  # applied all at once in filter_queryset

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        params = {p: self.form.cleaned_data.get(p) for p in INCIDENT_PARAMS}
        if any(v not in (None, "") for v in params.values()):
            incident_filter = IncidentFilter(
                {p: self.data.get(p) for p in INCIDENT_PARAMS if self.data.get(p)},
                queryset=Incident.objects.public(),
            )
            matching = incident_filter.qs.filter(cases=OuterRef("pk"))
            queryset = queryset.filter(Exists(matching))
        return queryset

    def filter_verdict(self, queryset, name, value):
        return queryset.filter(Exists(Charge.objects.filter(case_id=OuterRef("pk"), verdict=value)))

    def filter_q(self, queryset, name, value):
        user = getattr(self.request, "user", None)
        documents = Document.objects.visible_to(user).filter(case_id=OuterRef("pk"))
        for word in value.split()[:10]:
            accused = Charge.objects.filter(
                case_id=OuterRef("pk"), accused__name__icontains=word, accused__is_juvenile=False
            )
            queryset = queryset.filter(
                Q(case_number__icontains=word)
                | Q(fir_number__icontains=word)
                | Q(police_station__icontains=word)
                | Q(court__name__icontains=word)
                | Exists(accused)
                | Exists(documents.filter(text__icontains=word))
            )
        return queryset
