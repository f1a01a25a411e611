"""Read-only API representations of incidents: public fields only.

Every serializer lists a subset of its model's `PUBLIC_FIELDS` (checked by a test), so no
confidential field (`review_note`, a hidden victim's `name`, `created_by`, ...) can be added here
by accident. Reference rows (province, city, community, organisation) are nested as
`{"id", "name", "slug"}` so clients need no second request and can build filter parameters.
Victims appear only by `public_name`.
"""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from .models import (
    Attribution,
    City,
    Community,
    Incident,
    IncidentSource,
    JusticeStatus,
    Organisation,
    Province,
    Source,
    Victim,
)


@extend_schema_field(OpenApiTypes.URI)
class AbsoluteUrlField(serializers.Field):
    """The object's public page as an absolute URL (its `get_absolute_url()` on this host)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("source", "*")
        kwargs.setdefault("read_only", True)
        kwargs.setdefault("help_text", "The record's public page.")
        super().__init__(**kwargs)

    def to_representation(self, value) -> str:
        path = value.get_absolute_url()
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request is not None else path


class PlaceSerializer(serializers.ModelSerializer):
    """A province or community: `{"id", "name", "slug"}`."""

    class Meta:
        model = Province
        fields = ("id", "name", "slug")


class CommunitySerializer(PlaceSerializer):
    class Meta(PlaceSerializer.Meta):
        model = Community


class CitySerializer(serializers.ModelSerializer):
    class Meta:
        model = City
        fields = ("id", "name", "slug", "district")


class OrganisationRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Organisation
        fields = ("id", "name", "slug", "abbreviation", "proscribed")


class SourceSerializer(serializers.ModelSerializer):
    class Meta:
        model = Source
        fields = ("id", "title", "publisher", "url", "published_on", "citation")


class IncidentSourceSerializer(serializers.ModelSerializer):
    """A source's account of the incident, with its own figures (sources disagree)."""

    source = SourceSerializer(read_only=True)

    class Meta:
        model = IncidentSource
        fields = (
            "source",
            "reported_killed",
            "reported_killed_max",
            "reported_injured",
            "reported_injured_max",
            "note",
        )


class AttributionSerializer(serializers.ModelSerializer):
    organisation = OrganisationRefSerializer(read_only=True)
    source = serializers.PrimaryKeyRelatedField(read_only=True, help_text="Id of the source that reported it.")

    class Meta:
        model = Attribution
        fields = ("organisation", "kind", "source")


class VictimSerializer(serializers.ModelSerializer):
    """A victim, named only when the name is public ("Name withheld" otherwise)."""

    public_name = serializers.CharField(read_only=True)
    community = serializers.SlugRelatedField(slug_field="name", read_only=True)

    class Meta:
        model = Victim
        fields = ("id", "public_name", "age", "gender", "community", "occupation", "outcome")


class IncidentSerializer(serializers.ModelSerializer):
    """An incident in a list: its public fields, places and communities nested."""

    province = PlaceSerializer(read_only=True)
    city = CitySerializer(read_only=True, allow_null=True)
    communities = CommunitySerializer(many=True, read_only=True)
    justice_status = serializers.ChoiceField(
        choices=JusticeStatus.choices,
        read_only=True,
        help_text="Where the court record stands, counted from published cases only: not_researched, "
        "nothing_found, case_registered, trial_pending, convicted (a standing conviction), acquitted, "
        "conviction_overturned. See /methodology/#justice-status.",
    )
    url = AbsoluteUrlField()

    class Meta:
        model = Incident
        fields = (*Incident.PUBLIC_FIELDS, "justice_status", "url")  # the whitelist, the derived status, the link


class IncidentDetailSerializer(IncidentSerializer):
    """One incident with its sources (each with its own figures), attributions and victims."""

    sources = IncidentSourceSerializer(source="source_links", many=True, read_only=True)
    attributions = AttributionSerializer(many=True, read_only=True)
    victims = VictimSerializer(many=True, read_only=True)

    class Meta(IncidentSerializer.Meta):
        fields = (*IncidentSerializer.Meta.fields, "sources", "attributions", "victims")
