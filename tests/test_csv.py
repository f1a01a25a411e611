"""CSV downloads of the incident and case lists: columns, values, filters, formula safety, visibility."""

from __future__ import annotations

import csv
import datetime
import io
from decimal import Decimal

import pytest
from django.http import StreamingHttpResponse
from django.test import Client
from django.urls import reverse

from cases.models import Stage, Verdict
from cases.views import CASE_CSV_COLUMNS
from core.models import Status
from incidents.models import AttackType
from incidents.views import INCIDENT_CSV_COLUMNS
from tests.factories import (
    CaseFactory,
    ChargeFactory,
    CityFactory,
    CommunityFactory,
    CourtFactory,
    IncidentFactory,
    IncidentSourceFactory,
    ProvinceFactory,
    SourceFactory,
)
from tests.incidents.test_views import count_queries

pytestmark = pytest.mark.django_db
D = datetime.date


def download(client, url: str, params: dict | None = None) -> list[list[str]]:
    response = client.get(url, {**(params or {}), "format": "csv"})
    assert response.status_code == 200
    assert isinstance(response, StreamingHttpResponse)
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    text = b"".join(response.streaming_content).decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:])))


def test_incident_csv_has_the_trackers_own_columns_and_values(client):
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
    IncidentSourceFactory(incident=incident, source=SourceFactory(title="Pakistan Body Count"))
    IncidentSourceFactory(incident=incident, source=SourceFactory(title="Daily Times op-ed"))
    rows = download(client, reverse("incidents:incident_list"))
    assert rows[0] == INCIDENT_CSV_COLUMNS
    assert INCIDENT_CSV_COLUMNS == [
        "id",
        "date",
        "title",
        "province",
        "city",
        "locality",
        "latitude",
        "longitude",
        "attack_type",
        "communities",
        "killed",
        "injured",
        "sources",
        "justice_status",
    ]
    assert rows[1] == [
        str(incident.pk),
        "2013-01-10",
        "Snooker hall bombing",
        "Balochistan",
        "Quetta",
        "Alamdar Road",
        "30.209500",
        "67.018200",
        "suicide_bombing",
        "Hazara; Shia",
        "93",
        "",
        "Daily Times op-ed; Pakistan Body Count",
        "not_researched",
    ]
    assert len(rows) == 2


def test_incident_csv_neutralises_formulae(client):
    IncidentFactory(title='=HYPERLINK("http://evil.example")', locality="+92 300", killed=0)
    row = download(client, reverse("incidents:incident_list"))[1]
    assert row[2] == '\'=HYPERLINK("http://evil.example")'
    assert row[5] == "'+92 300"
    assert row[10] == "0"


def test_incident_csv_applies_the_filters_and_sort_of_the_page(client):
    sindh = ProvinceFactory(slug="sindh", name="Sindh")
    IncidentFactory(title="A", province=sindh, killed=2)
    IncidentFactory(title="B", province=sindh, killed=9)
    IncidentFactory(title="Elsewhere", killed=50)
    rows = download(client, reverse("incidents:incident_list"), {"province": "sindh", "sort": "-killed"})
    assert [r[2] for r in rows[1:]] == ["B", "A"]


def test_incident_csv_with_bad_filters_is_a_400_with_the_reason(client):
    response = client.get(reverse("incidents:incident_list"), {"format": "csv", "date_to": "yesterday"})
    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/plain")
    assert "date_to: Enter a valid date." in response.content.decode()


def test_incident_csv_leaves_out_drafts_for_the_public_only(monitor_client):
    IncidentFactory(title="Published")
    IncidentFactory(title="Draft", status=Status.DRAFT)
    IncidentFactory(title="Retracted", status=Status.RETRACTED)
    public = [r[2] for r in download(Client(), reverse("incidents:incident_list"))[1:]]
    assert public == ["Published"]
    staff = {r[2] for r in download(monitor_client, reverse("incidents:incident_list"))[1:]}
    assert staff == {"Published", "Draft", "Retracted"}


def test_incident_csv_runs_the_same_queries_for_one_or_twenty_rows(client):
    def build(n):
        for _ in range(n):
            incident = IncidentFactory(city=CityFactory(), communities=[CommunityFactory()])
            IncidentSourceFactory(incident=incident)

    build(1)
    one = count_queries(client, reverse("incidents:incident_list") + "?format=csv")
    build(19)
    assert count_queries(client, reverse("incidents:incident_list") + "?format=csv") == one


def test_case_csv_columns_and_counts(client):
    court = CourtFactory(name="Anti-Terrorism Court II, Karachi")
    incident = IncidentFactory()
    draft_incident = IncidentFactory(status=Status.DRAFT)
    case = CaseFactory(
        court=court,
        case_number="Special Case 1/2012",
        fir_number="12/2012",
        fir_date=D(2012, 3, 11),
        police_station="Soldier Bazaar",
        cognizance_date=D(2012, 6, 1),
        judgment_date=D(2013, 1, 10),
        stage=Stage.DECIDED,
        last_verified_on=D(2026, 11, 1),
        incidents=[incident, draft_incident],
    )
    ChargeFactory(case=case, verdict=Verdict.CONVICTED, verdict_date=D(2013, 1, 10))
    ChargeFactory(case=case, verdict=Verdict.ACQUITTED, verdict_date=D(2013, 1, 10))
    ChargeFactory(case=case)
    rows = download(client, reverse("cases:case_list"))
    assert rows[0] == CASE_CSV_COLUMNS
    row = dict(zip(rows[0], rows[1], strict=True))
    assert row == {
        "id": str(case.pk),
        "case_number": "Special Case 1/2012",
        "fir_number": "12/2012",
        "fir_date": "2012-03-11",
        "police_station": "Soldier Bazaar",
        "court": "Anti-Terrorism Court II, Karachi",
        "challan_date": "",
        "cognizance_date": "2012-06-01",
        "charge_framed_date": "",
        "judgment_date": "2013-01-10",
        "stage": "decided",
        "transferred_to": "",
        "transferred_on": "",
        "incidents": str(incident.pk),
        "accused_count": "3",
        "pending_count": "1",
        "convicted_count": "1",
        "acquitted_count": "1",
        "discharged_count": "0",
        "abated_count": "0",
        "transferred_count": "0",
        "last_verified_on": "2026-11-01",
        # DESIGN.md's worked example: 159 working days from cognizance to judgment, 152 past the 7.
        "working_days_since_cognizance": "159",
        "over_limit_by": "152",
    }


def test_case_csv_applies_filters_and_hides_drafts(client):
    CaseFactory(case_number="Decided 1", stage=Stage.DECIDED)
    CaseFactory(case_number="Pending 2", stage=Stage.CHARGE_FRAMED)
    CaseFactory(case_number="Draft 3", stage=Stage.DECIDED, status=Status.DRAFT)
    rows = download(client, reverse("cases:case_list"), {"stage": "decided"})
    assert [r[1] for r in rows[1:]] == ["Decided 1"]
    response = client.get(reverse("cases:case_list"), {"format": "csv", "verdict": "hanged"})
    assert response.status_code == 400


def test_case_csv_runs_the_same_queries_for_one_or_twenty_rows(client):
    def build(n):
        for _ in range(n):
            case = CaseFactory(court=CourtFactory(), incidents=[IncidentFactory()])
            ChargeFactory(case=case)

    build(1)
    one = count_queries(client, reverse("cases:case_list") + "?format=csv")
    build(19)
    assert count_queries(client, reverse("cases:case_list") + "?format=csv") == one
