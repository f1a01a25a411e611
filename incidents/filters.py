"""The incident filters (DESIGN.md "Public interface"): one FilterSet, reused by the list,
the statistics, CSV and the API, so their numbers always agree.

Parameters: date_from, date_to (ISO dates, inclusive), province, city, community,
organisation (slugs), district (a district of the map, incidents/districts.py), attack_type (code),
q (text search), fatal (yes: someone killed; no: nobody or unknown), justice (a ``JusticeStatus``
code, or a group: researched, unpunished). An unknown slug, value or a bad date is a form error:
pages show it, the API answers 400.
"""

from __future__ import annotations

import re

import django_filters
from django.db.models import Exists, OuterRef, Q, Value
from django.utils.translation import gettext_lazy as _

from .districts import district_choices, district_of
from .models import (
    JUSTICE_STATUS_GROUPS,
    AttackType,
    Attribution,
    City,
    Community,
    Incident,
    JusticeStatus,
    Organisation,
    Province,
    justice_status,
)

FATAL_CHOICES = [("yes", _("Someone killed")), ("no", _("Nobody killed, or toll unknown"))]
JUSTICE_CHOICES = [
    (_("Status"), JusticeStatus.choices),
    (_("Groups of statuses"), [(key, label) for key, (label, _) in JUSTICE_STATUS_GROUPS.items()]),
]


class IncidentFilter(django_filters.FilterSet):
    date_from = django_filters.DateFilter(
        field_name="date", lookup_expr="gte", label=_("From"), help_text=_("ISO date, inclusive (YYYY-MM-DD).")
    )
    date_to = django_filters.DateFilter(
        field_name="date", lookup_expr="lte", label=_("To"), help_text=_("ISO date, inclusive (YYYY-MM-DD).")
    )
    province = django_filters.ModelChoiceFilter(
        queryset=Province.objects.all(), to_field_name="slug", label=_("Province"), empty_label=_("Any province")
    )
    city = django_filters.ModelChoiceFilter(
        queryset=City.objects.all(), to_field_name="slug", label=_("City"), empty_label=_("Any city")
    )
    district = django_filters.ChoiceFilter(
        choices=district_choices,
        method="filter_district",
        label=_("District"),
        empty_label=_("Any district"),
        help_text=_("As drawn on the district map (the 2010s division, FATA agencies included)."),
    )
    attack_type = django_filters.ChoiceFilter(
        choices=AttackType.choices, label=_("Attack type"), empty_label=_("Any type")
    )
    community = django_filters.ModelChoiceFilter(
        queryset=Community.objects.all(),
        to_field_name="slug",
        method="filter_community",
        label=_("Targeted community"),
        empty_label=_("Any community"),
    )
    organisation = django_filters.ModelChoiceFilter(
        queryset=Organisation.objects.all(),
        to_field_name="slug",
        method="filter_organisation",
        label=_("Organisation"),
        empty_label=_("Any organisation"),
        help_text=_("Incidents attributed to the organisation in any way (claimed, suspected, named, convicted)."),
    )
    q = django_filters.CharFilter(
        method="filter_q", label=_("Search"), help_text=_("Words in the title, place or description.")
    )
    fatal = django_filters.ChoiceFilter(
        choices=FATAL_CHOICES, method="filter_fatal", label=_("Killed"), empty_label=_("Any toll")
    )
    justice = django_filters.ChoiceFilter(
        choices=JUSTICE_CHOICES,
        method="filter_justice",
        label=_("Justice status"),
        empty_label=_("Any status"),
        help_text=_("Where the court record stands, from published cases (see the methodology)."),
    )

    class Meta:
        model = Incident
        fields = [
            "date_from",
            "date_to",
            "province",
            "city",
            "district",
            "attack_type",
            "community",
            "organisation",
            "q",
            "fatal",
            "justice",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        narrow_cities_to_province(self)

    def filter_community(self, queryset, name, value):
        # Exists, not a join: an incident must appear once however many rows match.
        through = Incident.communities.through
        return queryset.filter(Exists(through.objects.filter(incident_id=OuterRef("pk"), community=value)))

    def filter_organisation(self, queryset, name, value):
        return queryset.filter(Exists(Attribution.objects.filter(incident_id=OuterRef("pk"), organisation=value)))

    def filter_fatal(self, queryset, name, value):
        fatal = Q(killed__gt=0)
        return queryset.filter(fatal) if value == "yes" else queryset.exclude(fatal)

    def filter_justice(self, queryset, name, value):
        """Incidents with this justice status, or with any status of a group (``JUSTICE_STATUS_GROUPS``)."""
        codes = JUSTICE_STATUS_GROUPS[value][1] if value in JUSTICE_STATUS_GROUPS else (value,)
        return queryset.alias(justice_filter=justice_status()).filter(justice_filter__in=codes)

    def filter_district(self, queryset, name: str, value: str):
        """Incidents in a city that the map places in the district (incidents.districts.district_of):
        the cities are read first (one small query), so the incident query stays a plain IN."""
        cities = City.objects.order_by().values_list("pk", "name", "district")
        ids = [pk for pk, city, district in cities if district_of(city_name=city, city_district=district) == value]
        return queryset.filter(city_id__in=ids)

    def filter_q(self, queryset, name, value):
        """Every word in the title, locality, description, city name or province name (icontains).

        The city and province matches are looked up first in their small tables (one query for all
        the words), so the incident query has no joins and PostgreSQL can use its trigram indexes
        (migrations/0002_indexes_and_search.py) with a bitmap OR.
        """
        words = value.split()[:10]
        if not words:
            return queryset
        cities, provinces = place_matches(words)
        for index, word in enumerate(words):
            match = Q(title__icontains=word) | Q(locality__icontains=word) | Q(description__icontains=word)
            if cities[index]:
                match |= Q(city_id__in=sorted(cities[index]))
            if provinces[index]:
                match |= Q(province_id__in=sorted(provinces[index]))
            queryset = queryset.filter(match)
        return queryset


SLUG = re.compile(r"[-a-zA-Z0-9_]+")


def narrow_cities_to_province(filterset: django_filters.FilterSet) -> None:
    """With a `province` given, the city filter offers (and accepts) only that province's cities.

    Without one every city is offered, so the plain form works without JavaScript: choose a
    province, apply, and the city list narrows. A city of another province is a form error
    saying so (400 on the pages and the API), never a silently empty list. No extra query: the
    narrowing is a join in the city choices' own query.
    """
    province = filterset.data.get("province") if filterset.data else None
    if not isinstance(province, str) or not SLUG.fullmatch(province):  # no such province: its own error
        return
    city = filterset.filters["city"]
    city.queryset = City.objects.filter(province__slug=province)
    city.extra["error_messages"] = {
        "invalid_choice": _("That city is not in the chosen province: choose one of its cities, or “Any city”.")
    }


def place_matches(words: list[str]) -> tuple[list[set[int]], list[set[int]]]:
    """For each word, the ids of the cities and of the provinces whose name contains it (icontains).

    One UNION query, matched by the database itself so that case-folding is the database's, as in
    the `icontains` of the other fields.
    """
    parts = []
    for index, word in enumerate(words):
        for kind, model in ((0, City), (1, Province)):
            parts.append(
                model.objects.filter(name__icontains=word)
                .order_by()
                .annotate(kind=Value(kind), word=Value(index))
                .values_list("kind", "word", "pk")
            )
    cities: list[set[int]] = [set() for _ in words]
    provinces: list[set[int]] = [set() for _ in words]
    for kind, index, pk in parts[0].union(*parts[1:], all=True):
        (provinces if kind else cities)[index].add(pk)
    return cities, provinces
