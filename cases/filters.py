"""The case filters: the incident parameters, applied through a case's published incidents
(a case matches when at least one of its incidents matches), plus court (id), stage and
verdict (a case matches when at least one charge has that verdict), and clock (where the case
stands on the ATA s.19(7) clock today: over_limit, pending, decided; the sets behind the figures
of cases/delay.py). Reused by the case list, the court statistics, CSV and the API. `q` also
searches the text of the case's court documents the reader may see (public ones, or all for staff
when the filter is given the request).
"""

from __future__ import annotations

import django_filters
from django.conf import settings
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from core.clock import today
from incidents.filters import IncidentFilter, narrow_cities_to_province
from incidents.models import Incident

from .delay import working_day_threshold
from .documents import Document
from .figures import DECIDED, PENDING
from .models import Case, Charge, Court, Stage, Verdict
from .workdays import WorkingCalendar

INCIDENT_PARAMS = (
    "date_from",
    "date_to",
    "province",
    "city",
    "attack_type",
    "community",
    "organisation",
    "fatal",
    "justice",
)

CLOCK_CHOICES = [
    ("over_limit", _("Pending, over the 7-working-day limit")),
    ("pending", _("Pending since cognizance")),
    ("decided", _("Decided (cognizance and judgment dated)")),
]


class CaseFilter(django_filters.FilterSet):
    # The incident parameters are validated by IncidentFilter's own fields.
    date_from = IncidentFilter.base_filters["date_from"]
    date_to = IncidentFilter.base_filters["date_to"]
    province = IncidentFilter.base_filters["province"]
    city = IncidentFilter.base_filters["city"]
    attack_type = IncidentFilter.base_filters["attack_type"]
    community = IncidentFilter.base_filters["community"]
    organisation = IncidentFilter.base_filters["organisation"]
    fatal = IncidentFilter.base_filters["fatal"]
    justice = IncidentFilter.base_filters["justice"]
    q = django_filters.CharFilter(
        method="filter_q",
        label=_("Search"),
        help_text=_("Case or FIR number, police station, court, accused name or words in a court document."),
    )
    court = django_filters.ModelChoiceFilter(queryset=Court.objects.all(), label=_("Court"), empty_label=_("Any court"))
    stage = django_filters.ChoiceFilter(choices=Stage.choices, label=_("Stage"), empty_label=_("Any stage"))
    verdict = django_filters.ChoiceFilter(
        choices=Verdict.choices,
        method="filter_verdict",
        label=_("Verdict"),
        empty_label=_("Any verdict"),
        help_text=_("Cases with at least one accused with this verdict."),
    )
    clock = django_filters.ChoiceFilter(
        choices=CLOCK_CHOICES,
        method="filter_clock",
        label=_("s.19(7) clock"),
        empty_label=pgettext_lazy("filter", "Any"),
        help_text=_("Where the case stands today on the seven-working-day clock of ATA s.19(7)."),
    )

    class Meta:
        model = Case
        fields = [*INCIDENT_PARAMS, "q", "court", "stage", "verdict", "clock"]

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

    def filter_clock(self, queryset, name, value):
        """The decided cases, the pending ones since cognizance, or those of them over the limit today:
        the cases ``delay.disposal_times`` and ``delay.over_statutory_limit`` count. Over the limit is
        "taken up before the earliest day with at most 7 working days to today" (the working calendar)."""
        if value == "decided":
            return queryset.filter(DECIDED)
        pending = queryset.filter(PENDING, cognizance_date__isnull=False)
        if value == "pending":
            return pending
        limit = settings.STATUTORY_LIMIT_WORKING_DAYS
        threshold = working_day_threshold(today=today(), working_days=limit, calendar=WorkingCalendar())
        return pending.filter(cognizance_date__lt=threshold)

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
