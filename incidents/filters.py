"""The incident filters (DESIGN.md "Public interface"): one FilterSet, reused by the list,
the statistics, CSV and the API, so their numbers always agree.

Parameters: date_from, date_to (ISO dates, inclusive), province, city, community,
organisation (slugs), attack_type (code), q (text search). An unknown slug or a bad date
is a form error: pages show it, the API answers 400.
"""

from __future__ import annotations

import django_filters
from django.db.models import Exists, OuterRef, Q

from .models import AttackType, Attribution, City, Community, Incident, Organisation, Province


class IncidentFilter(django_filters.FilterSet):
    date_from = django_filters.DateFilter(
        field_name="date", lookup_expr="gte", label="From", help_text="ISO date, inclusive (YYYY-MM-DD)."
    )
    date_to = django_filters.DateFilter(
        field_name="date", lookup_expr="lte", label="To", help_text="ISO date, inclusive (YYYY-MM-DD)."
    )
    province = django_filters.ModelChoiceFilter(
        queryset=Province.objects.all(), to_field_name="slug", label="Province", empty_label="Any province"
    )
    city = django_filters.ModelChoiceFilter(
        queryset=City.objects.all(), to_field_name="slug", label="City", empty_label="Any city"
    )
    attack_type = django_filters.ChoiceFilter(choices=AttackType.choices, label="Attack type", empty_label="Any type")
    community = django_filters.ModelChoiceFilter(
        queryset=Community.objects.all(),
        to_field_name="slug",
        method="filter_community",
        label="Targeted community",
        empty_label="Any community",
    )
    organisation = django_filters.ModelChoiceFilter(
        queryset=Organisation.objects.all(),
        to_field_name="slug",
        method="filter_organisation",
        label="Organisation",
        empty_label="Any organisation",
        help_text="Incidents attributed to the organisation in any way (claimed, suspected, named, convicted).",
    )
    q = django_filters.CharFilter(
        method="filter_q", label="Search", help_text="Words in the title, place or description."
    )

    class Meta:
        model = Incident
        fields = ["date_from", "date_to", "province", "city", "attack_type", "community", "organisation", "q"]

    def filter_community(self, queryset, name, value):
        # Exists, not a join: an incident must appear once however many rows match.
        through = Incident.communities.through
        return queryset.filter(Exists(through.objects.filter(incident_id=OuterRef("pk"), community=value)))

    def filter_organisation(self, queryset, name, value):
        return queryset.filter(Exists(Attribution.objects.filter(incident_id=OuterRef("pk"), organisation=value)))

    def filter_q(self, queryset, name, value):
        words = value.split()[:10]
        for word in words:
            queryset = queryset.filter(
                Q(title__icontains=word)
                | Q(locality__icontains=word)
                | Q(description__icontains=word)
                | Q(city__name__icontains=word)
                | Q(province__name__icontains=word)
            )
        return queryset
