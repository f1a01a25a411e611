"""Incident downloads as XLSX and GeoJSON: the CSV's columns, filters, sort and visibility,
typed and formula-safe cells, points only where coordinates exist, constant queries."""

from __future__ import annotations

import datetime
import io
import json
from decimal import Decimal

import pytest
from django.test import Client
from openpyxl import load_workbook

from core.models import Status
from incidents.exports import INCIDENT_COLUMNS, XLSX_TYPE
from incidents.models import AttackType, Incident
from tests.factories import (
    CityFactory,
    CommunityFactory,
    IncidentFactory,
    IncidentSourceFactory,
    ProvinceFactory,
    SourceFactory,
)
from tests.incidents.test_views import count_queries

pytestmark = pytest.mark.django_db
D = datetime.date
URL = "/incidents/"


def xlsx_rows(client, params: dict | None = None) -> list[tuple]:
    response = client.get(URL, {**(params or {}), "format": "xlsx"})
    assert response.status_code == 200
    assert response["Content-Type"] == XLSX_TYPE
    assert response["Content-Disposition"] == 'attachment; filename="incidents.xlsx"'
    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True)
    assert workbook.sheetnames == ["incidents"]
    return list(workbook["incidents"].iter_rows(values_only=True))


def geojson(client, params: dict | None = None) -> dict:
    response = client.get(URL, {**(params or {}), "format": "geojson"})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/geo+json; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="incidents.geojson"'
    return json.loads(b"".join(response.streaming_content))


@pytest.fixture
def quetta_bombing():
    balochistan = ProvinceFactory(name="Balochistan", slug="balochistan")
    quetta = CityFactory(name="Quetta", slug="quetta", province=balochistan)
    incident = IncidentFactory(
        title="Snooker hall bombing",
        date=D(2013, 1, 10),
        province=balochistan,
        city=quetta,
        locality="Alamdar Road",
        latitude=Decimal("30.209500"),
        longitude=Decimal("67.018200"),
        attack_type=AttackType.SUICIDE_BOMBING,
        killed=93,
        injured=None,
        communities=[CommunityFactory(name="Shia", slug="shia"), CommunityFactory(name="Hazara", slug="hazara")],
    )
    IncidentSourceFactory(incident=incident, source=SourceFactory(title="PBC"))
    IncidentSourceFactory(incident=incident, source=SourceFactory(title="Dawn"))
    return incident


def test_columns_are_public_fields_only():
    public = set(Incident.PUBLIC_FIELDS)
    # The public sources' titles, and the justice status worked out from the published cases.
    assert set(INCIDENT_COLUMNS) - public == {"sources", "justice_status"}


def test_xlsx_has_the_csv_columns_with_typed_cells(client, quetta_bombing):
    rows = xlsx_rows(client)
    assert rows[0] == tuple(INCIDENT_COLUMNS)
    assert rows[1] == (
        quetta_bombing.pk,
        datetime.datetime(2013, 1, 10),  # a date cell (spreadsheets store dates as date-times)
        "Snooker hall bombing",
        "Balochistan",
        "Quetta",
        "Alamdar Road",
        30.2095,
        67.0182,
        "suicide_bombing",
        "Hazara; Shia",
        93,
        None,  # unknown stays empty, never 0
        "Dawn; PBC",
        "not_researched",
    )
    assert len(rows) == 2


def test_xlsx_neutralises_formulae_and_drops_characters_xml_cannot_hold(client):
    IncidentFactory(title='=HYPERLINK("http://evil.example")', locality="@SUM(A1)\x07", killed=0, city=None)
    row = xlsx_rows(client)[1]
    assert row[2] == '\'=HYPERLINK("http://evil.example")'
    assert row[5] == "'@SUM(A1)"
    assert row[4] is None
    assert row[10] == 0


def test_xlsx_and_geojson_apply_the_filters_and_sort_of_the_page(client):
    sindh = ProvinceFactory(slug="sindh", name="Sindh")
    IncidentFactory(title="A", province=sindh, killed=2, latitude=Decimal("25"), longitude=Decimal("67"))
    IncidentFactory(title="B", province=sindh, killed=9, latitude=Decimal("25.5"), longitude=Decimal("68"))
    IncidentFactory(title="Elsewhere", killed=50, latitude=Decimal("30"), longitude=Decimal("70"))
    params = {"province": "sindh", "sort": "-killed"}
    assert [r[2] for r in xlsx_rows(client, params)[1:]] == ["B", "A"]
    assert [f["properties"]["title"] for f in geojson(client, params)["features"]] == ["B", "A"]


@pytest.mark.parametrize("export", ["xlsx", "geojson"])
def test_bad_filters_are_a_400_with_the_reason(client, export):
    response = client.get(URL, {"format": export, "date_to": "yesterday"})
    assert response.status_code == 400
    assert "date_to: Enter a valid date." in response.content.decode()


def test_public_downloads_leave_out_drafts_and_retracted_staff_ones_do_not(monitor_client):
    for title, status in (("Published", Status.PUBLISHED), ("Draft", Status.DRAFT), ("Retracted", Status.RETRACTED)):
        IncidentFactory(title=title, status=status, latitude=Decimal("30"), longitude=Decimal("70"))
    assert [r[2] for r in xlsx_rows(Client())[1:]] == ["Published"]
    assert [f["properties"]["title"] for f in geojson(Client())["features"]] == ["Published"]
    assert {r[2] for r in xlsx_rows(monitor_client)[1:]} == {"Published", "Draft", "Retracted"}
    assert {f["properties"]["title"] for f in geojson(monitor_client)["features"]} == {
        "Published",
        "Draft",
        "Retracted",
    }


def test_geojson_has_a_point_per_incident_with_coordinates(client, quetta_bombing):
    IncidentFactory(title="No coordinates", latitude=None, longitude=None)
    collection = geojson(client)
    assert collection["type"] == "FeatureCollection"
    assert collection["features"] == [
        {
            "type": "Feature",
            "id": quetta_bombing.pk,
            "geometry": {"type": "Point", "coordinates": [67.0182, 30.2095]},  # longitude first (RFC 7946)
            "properties": {
                "id": quetta_bombing.pk,
                "date": "2013-01-10",
                "title": "Snooker hall bombing",
                "province": "Balochistan",
                "city": "Quetta",
                "locality": "Alamdar Road",
                "attack_type": "suicide_bombing",
                "communities": "Hazara; Shia",
                "killed": 93,
                "injured": None,
                "sources": "Dawn; PBC",
                "justice_status": "not_researched",
            },
        }
    ]


def test_geojson_with_no_located_incident_is_an_empty_collection(client):
    IncidentFactory(latitude=None, longitude=None)
    assert geojson(client) == {"type": "FeatureCollection", "features": []}


@pytest.mark.parametrize("export", ["xlsx", "geojson"])
def test_downloads_run_the_same_queries_for_one_or_twenty_rows(client, export):
    def build(n):
        for _ in range(n):
            incident = IncidentFactory(
                city=CityFactory(), communities=[CommunityFactory()], latitude=Decimal("30"), longitude=Decimal("70")
            )
            IncidentSourceFactory(incident=incident)

    build(1)
    one = count_queries(client, f"{URL}?format={export}")
    build(19)
    assert count_queries(client, f"{URL}?format={export}") == one
