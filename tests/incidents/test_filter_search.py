"""The text search `q` of IncidentFilter: exact results on hand-built data, the same as the plain
join-based icontains it replaced, on SQLite and PostgreSQL; the PostgreSQL indexes exist."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.models import Q

from core.models import Status
from incidents.filters import IncidentFilter, place_matches
from incidents.models import Incident
from tests.factories import CityFactory, IncidentFactory, ProvinceFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    sindh = ProvinceFactory(name="Sindh", slug="sindh")
    balochistan = ProvinceFactory(name="Balochistan", slug="balochistan")
    karachi = CityFactory(name="Karachi", slug="karachi", province=sindh)
    quetta = CityFactory(name="Quetta", slug="quetta", province=balochistan)
    return {
        "title": IncidentFactory(title="Bombing at a market", province=sindh, city=karachi),
        "locality": IncidentFactory(title="Shooting", locality="Alamdar Road bombing site", province=balochistan),
        "description": IncidentFactory(title="Attack", description="A BOMBING near the shrine", province=sindh),
        "city": IncidentFactory(title="Shooting", province=balochistan, city=quetta),
        "province": IncidentFactory(title="Arson", province=sindh),
        "draft": IncidentFactory(title="Bombing in Quetta", province=balochistan, status=Status.DRAFT),
    }


def reference(queryset, value):
    """The search as first written: icontains across the incident's fields and joined names."""
    for word in value.split()[:10]:
        queryset = queryset.filter(
            Q(title__icontains=word)
            | Q(locality__icontains=word)
            | Q(description__icontains=word)
            | Q(city__name__icontains=word)
            | Q(province__name__icontains=word)
        )
    return queryset


def search(value):
    incident_filter = IncidentFilter({"q": value}, queryset=Incident.objects.public())
    assert incident_filter.is_valid()
    return set(incident_filter.qs.values_list("pk", flat=True))


@pytest.mark.parametrize(
    "value, expected",
    [
        ("bombing", {"title", "locality", "description"}),
        ("BOMB", {"title", "locality", "description"}),
        ("quetta", {"city"}),
        ("sindh", {"title", "description", "province"}),
        ("shooting balochistan", {"locality", "city"}),
        ("karachi bombing", {"title"}),
        ("sindh quetta", set()),
        ("alamdar", {"locality"}),
        ("nothing-like-this", set()),
        ("%", set()),  # a literal percent sign, not a wildcard
        ("_", set()),
        ("", {"title", "locality", "description", "city", "province"}),
    ],
)
def test_search_exact_results_and_same_as_reference(world, value, expected):
    assert search(value) == {world[key].pk for key in expected}
    assert search(value) == set(reference(Incident.objects.public(), value).values_list("pk", flat=True))


def test_search_never_shows_drafts(world):
    assert world["draft"].pk not in search("bombing quetta")


def test_place_matches_per_word(world):
    cities, provinces = place_matches(["QUET", "ndh", "zzz"])
    quetta, karachi = world["city"].city_id, world["title"].city_id
    assert cities == [{quetta}, set(), set()]
    assert provinces == [set(), {world["title"].province_id}, set()]
    assert karachi not in cities[0]


def test_search_query_count_constant(world, django_assert_num_queries):
    # One query for the city/province names of all the words, one for the incidents.
    with django_assert_num_queries(2):
        search("bombing quetta sindh road")
    IncidentFactory.create_batch(5, title="Bombing again")
    with django_assert_num_queries(2):
        search("bombing quetta sindh road")


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL-only indexes")
def test_postgresql_indexes_exist():
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexname FROM pg_indexes WHERE tablename = 'incidents_incident'")
        names = {row[0] for row in cursor.fetchall()}
    expected = {"incident_title_trgm", "incident_locality_trgm", "incident_description_trgm"}
    expected |= {"incident_killed_desc", "incident_killed_asc", "incident_injured_desc", "incident_injured_asc"}
    assert expected | {"incident_updated_desc"} <= names


def test_portable_indexes_exist():
    """The feed's and the scheduled hearings' indexes exist on every database."""
    with connection.cursor() as cursor:
        incident = connection.introspection.get_constraints(cursor, "incidents_incident")
        hearing = connection.introspection.get_constraints(cursor, "cases_hearing")
    assert incident["incident_updated_desc"]["columns"] == ["updated_at", "id"]
    assert hearing["hearing_scheduled_date"]["columns"] == ["date", "id"]
