"""The incidents API: exact JSON, visibility (404 for hidden records), filters and their errors,
and a constant number of queries."""

from __future__ import annotations

import datetime

import pytest

from core.models import Status
from incidents.models import Incident, Victim
from incidents.serializers import IncidentDetailSerializer, IncidentSerializer, VictimSerializer
from tests import factories as f
from tests.api_world import HIDDEN_VICTIM, assert_no_secrets, build_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    return build_world()


def incident_json(w) -> dict:
    i = w.incident
    return {
        "id": i.pk,
        "title": "Shooting at a clinic",
        "date": "2012-03-10",
        "province": {"id": w.sindh.pk, "name": "Sindh", "slug": "sindh"},
        "city": {"id": w.karachi.pk, "name": "Karachi", "slug": "karachi", "district": "Karachi South"},
        "locality": "Soldier Bazaar",
        "latitude": None,
        "longitude": None,
        "attack_type": "target_killing",
        "communities": [{"id": w.shia.pk, "name": "Shia", "slug": "shia"}],
        "killed": 2,
        "injured": None,
        "description": "Two doctors shot dead; injured not reported.",
        "status": "published",
        # Asia/Karachi is UTC+5: the times are given in the site's time zone.
        "published_at": "2012-03-11T10:00:00+05:00",
        "updated_at": "2013-01-02T12:30:00+05:00",
        # The adult's conviction stands (its appeal is pending); the draft case plays no part.
        "justice_status": "convicted",
        "url": f"http://testserver/incidents/{i.pk}/",
    }


def test_list_gives_exact_public_json_of_published_incidents_only(client, world):
    response = client.get("/api/incidents/")
    assert response.status_code == 200
    assert response.json() == {"count": 1, "next": None, "previous": None, "results": [incident_json(world)]}
    assert_no_secrets(response.content.decode())


def test_detail_adds_sources_attributions_and_victims_by_public_name(client, world):
    response = client.get(f"/api/incidents/{world.incident.pk}/")
    assert response.status_code == 200
    expected = incident_json(world) | {
        "sources": [
            {
                "source": {
                    "id": world.source.pk,
                    "title": "Dawn report",
                    "publisher": "Dawn",
                    "url": "https://example.org/dawn-1",
                    "published_on": None,
                    "citation": "",
                },
                "reported_killed": 2,
                "reported_killed_max": 3,
                "reported_injured": None,
                "reported_injured_max": None,
                "note": "2-3 dead",
            }
        ],
        "attributions": [
            {
                "organisation": {
                    "id": world.lej.pk,
                    "name": "Lashkar-e-Jhangvi",
                    "slug": "lej",
                    "abbreviation": "LeJ",
                    "proscribed": True,
                },
                "kind": "claimed",
                "source": world.source.pk,
            }
        ],
        "victims": [
            {
                "id": world.public_victim.pk,
                "public_name": "Dr Ali Raza",
                "age": 45,
                "gender": "unknown",
                "community": "Shia",
                "occupation": "",
                "outcome": "killed",
            },
            {
                "id": world.hidden_victim.pk,
                "public_name": "Name withheld",
                "age": None,
                "gender": "male",
                "community": None,
                "occupation": "",
                "outcome": "killed",
            },
        ],
    }
    assert response.json() == expected
    assert_no_secrets(response.content.decode())


@pytest.mark.parametrize("which", ["draft_incident", "retracted_incident"])
def test_hidden_incident_is_404_for_the_public(client, world, which):
    response = client.get(f"/api/incidents/{getattr(world, which).pk}/")
    assert response.status_code == 404
    assert_no_secrets(response.content.decode())


def test_missing_and_non_numeric_ids_are_404(client, world):
    assert client.get("/api/incidents/999999/").status_code == 404
    assert client.get("/api/incidents/abc/").status_code == 404


def test_staff_see_drafts_but_still_only_public_fields(monitor_client, world):
    response = monitor_client.get(f"/api/incidents/{world.draft_incident.pk}/")
    assert response.status_code == 200
    assert response.json()["status"] == "draft"
    assert "review_note" not in response.json()
    listed = monitor_client.get("/api/incidents/").json()
    assert listed["count"] == 3
    # Even staff get victims only by public name from the API.
    detail = monitor_client.get(f"/api/incidents/{world.incident.pk}/").content.decode()
    assert HIDDEN_VICTIM not in detail


def test_filters_are_the_incident_lists(client, world):
    peshawar = f.IncidentFactory(title="Peshawar bombing", date=datetime.date(2012, 4, 2), killed=10)
    ids = lambda query: [row["id"] for row in client.get(f"/api/incidents/?{query}").json()["results"]]  # noqa: E731
    assert ids("province=sindh") == [world.incident.pk]
    assert ids("city=karachi") == [world.incident.pk]
    assert ids("community=shia") == [world.incident.pk]
    assert ids("organisation=lej") == [world.incident.pk]
    assert ids("date_from=2012-04-01") == [peshawar.pk]
    assert ids("date_from=2012-04-01&date_to=2012-04-30") == [peshawar.pk]
    assert ids("") == [peshawar.pk, world.incident.pk]
    assert ids("date_to=2012-03-10") == [world.incident.pk]
    assert ids("q=clinic") == [world.incident.pk]
    assert ids("attack_type=bombing") == []


def test_bad_date_is_400_with_the_parameter_named(client, world):
    response = client.get("/api/incidents/?date_from=2012-13-01")
    assert response.status_code == 400
    assert response.json() == {"date_from": ["Enter a valid date."]}


def test_unknown_slug_and_attack_type_are_400(client, world):
    response = client.get("/api/incidents/?province=atlantis&attack_type=laser")
    assert response.status_code == 400
    body = response.json()
    assert set(body) == {"province", "attack_type"}
    assert body["province"] == ["Select a valid choice. That choice is not one of the available choices."]
    assert body["attack_type"] == ["Select a valid choice. laser is not one of the available choices."]


def test_page_beyond_the_end_is_404_not_500(client, world):
    response = client.get("/api/incidents/?page=7")
    assert response.status_code == 404
    assert response.json() == {"detail": "Invalid page."}
    assert client.get("/api/incidents/?page=abc").status_code == 404


def test_list_runs_the_same_number_of_queries_for_one_or_many_incidents(client, world, django_assert_num_queries):
    # count + the page's ids + their cases (the justice status narrowed to them) + page + communities
    with django_assert_num_queries(5):
        assert client.get("/api/incidents/").status_code == 200
    for n in range(12):
        f.IncidentFactory(title=f"Extra {n}", province=world.sindh, city=world.karachi, communities=[world.shia])
    with django_assert_num_queries(5):
        assert client.get("/api/incidents/").json()["count"] == 13


def test_detail_runs_a_constant_number_of_queries(client, world, django_assert_num_queries):
    # its cases (the justice status narrowed to them) + incident (with places) + communities + sources
    # + attributions + victims
    with django_assert_num_queries(6):
        client.get(f"/api/incidents/{world.incident.pk}/")
    for n in range(5):
        f.VictimFactory(incident=world.incident, name=f"Extra victim {n}", community=world.shia)
        f.IncidentSourceFactory(incident=world.incident)
    with django_assert_num_queries(6):
        assert len(client.get(f"/api/incidents/{world.incident.pk}/").json()["victims"]) == 7


@pytest.mark.parametrize(
    ("serializer", "model"),
    [(IncidentSerializer, Incident), (IncidentDetailSerializer, Incident), (VictimSerializer, Victim)],
)
def test_serializers_show_only_public_fields(serializer, model):
    # "url" is the public page; the detail's nested lists are public records of their own; the
    # justice status is derived from published cases.
    extra = {"url", "sources", "attributions", "victims", "justice_status"}
    assert set(serializer.Meta.fields) - extra <= set(model.PUBLIC_FIELDS)


def test_retracting_removes_an_incident_from_the_api(client, world):
    Incident.objects.filter(pk=world.incident.pk).update(status=Status.RETRACTED)
    assert client.get("/api/incidents/").json()["count"] == 0
    assert client.get(f"/api/incidents/{world.incident.pk}/").status_code == 404
