"""The courts, cases and hearings API: exact JSON, visibility, filters, constant queries."""

from __future__ import annotations

import datetime

import pytest

from cases.models import Accused, Appeal, Case, Charge, Court, Document, Hearing
from cases.serializers import (
    AccusedSerializer,
    AppealSerializer,
    CaseDetailSerializer,
    CaseSerializer,
    ChargeSerializer,
    CourtSerializer,
    DocumentSerializer,
    HearingSerializer,
)
from core.models import Status
from tests import factories as f
from tests.api_world import JUVENILE, assert_no_secrets, build_world

pytestmark = pytest.mark.django_db
D = datetime.date


@pytest.fixture
def world():
    return build_world()


def court_ref(court) -> dict:
    return {"id": court.pk, "name": court.name}


def case_json(w) -> dict:
    c = w.case
    return {
        "id": c.pk,
        "title": "Special Case 12/2012, Anti-Terrorism Court II, Karachi",
        # The draft incident the case also names is not listed.
        "incidents": [w.incident.pk],
        "court": court_ref(w.court),
        "case_number": "Special Case 12/2012",
        "fir_number": "45/2012",
        "fir_date": "2012-03-10",
        "police_station": "Preedy",
        "offences": [{"id": c.offences.get().pk, "code": "ATA 1997 s.7(a)", "title": "Act of terrorism causing death"}],
        "challan_date": None,
        "cognizance_date": "2012-06-01",
        "charge_framed_date": None,
        "judgment_date": "2013-01-10",
        "stage": "decided",
        "transferred_to": None,
        "transferred_on": None,
        "status": "published",
        "last_verified_on": None,
        "public_notes": "Two accused tried together.",
        "updated_at": "2013-01-02T12:30:00+05:00",
        # DESIGN.md's worked example: 159 working days from cognizance to judgment (no holidays).
        "working_days_since_cognizance": 159,
        "over_limit_by": 152,
        "url": f"http://testserver/cases/{c.pk}/",
    }


def test_case_list_gives_exact_json_of_published_cases_only(client, world):
    response = client.get("/api/cases/")
    assert response.status_code == 200
    assert response.json() == {"count": 1, "next": None, "previous": None, "results": [case_json(world)]}
    assert_no_secrets(response.content.decode())


def test_case_detail_names_accused_publicly_and_lists_hearings(client, world):
    response = client.get(f"/api/cases/{world.case.pk}/")
    assert response.status_code == 200
    body = response.json()
    juvenile_charge = Charge.objects.get(accused=world.juvenile)
    assert body == case_json(world) | {
        "charges": [
            {
                "id": world.adult_charge.pk,
                "accused": {
                    "id": world.adult.pk,
                    "public_name": "Akram Adult",
                    "affiliation": {
                        "id": world.lej.pk,
                        "name": "Lashkar-e-Jhangvi",
                        "slug": "lej",
                        "abbreviation": "LeJ",
                        "proscribed": True,
                    },
                    "is_juvenile": False,
                },
                "custody": "arrested",
                "verdict": "convicted",
                "verdict_date": "2013-01-10",
                "sentence": "Death",
                "sentence_kind": "death",
                "verdict_source": None,
                "appeals": [
                    {
                        "id": world.appeal.pk,
                        "court": court_ref(world.appeal.court),
                        "appellant": "convict",
                        "filed_on": "2013-02-01",
                        "decided_on": None,
                        "outcome": "pending",
                    }
                ],
            },
            {
                "id": juvenile_charge.pk,
                "accused": {
                    "id": world.juvenile.pk,
                    "public_name": "Juvenile (name withheld)",
                    "affiliation": None,
                    "is_juvenile": True,
                },
                "custody": "absconding",
                "verdict": "pending",
                "verdict_date": None,
                "sentence": "",
                "sentence_kind": "",
                "verdict_source": None,
                "appeals": [],
            },
        ],
        "hearings": [
            {
                "id": world.past_hearing.pk,
                "date": "2012-06-05",
                "court": court_ref(world.court),
                "judge": "Judge Rehman",
                "purpose": "charge_framed",
                "outcome": "adjourned",
                "adjournment_reason": "witness_absent",
                "next_date": "2012-06-12",
                "monitor_present": True,
                "notes": "Witness did not come.",
            },
            {
                "id": world.hearing.pk,
                "date": "2026-12-01",
                "court": court_ref(world.court),
                "judge": "Judge Rehman",
                "purpose": "arguments",
                "outcome": "",
                "adjournment_reason": "",
                "next_date": None,
                "monitor_present": False,
                "notes": "",
            },
            {
                "id": world.hearing_elsewhere.pk,
                "date": "2026-12-03",
                "court": court_ref(world.other_court),
                "judge": "",
                "purpose": "",
                "outcome": "",
                "adjournment_reason": "",
                "next_date": None,
                "monitor_present": False,
                "notes": "",
            },
        ],
        "documents": [],
    }
    assert_no_secrets(response.content.decode())


def test_staff_get_drafts_but_never_a_juveniles_name(monitor_client, world):
    response = monitor_client.get(f"/api/cases/{world.draft_case.pk}/")
    assert response.status_code == 200
    assert response.json()["status"] == "draft"
    detail = monitor_client.get(f"/api/cases/{world.case.pk}/").content.decode()
    assert JUVENILE not in detail
    assert "confidential_notes" not in detail


def test_hidden_case_and_its_hearings_are_404(client, world):
    assert client.get(f"/api/cases/{world.draft_case.pk}/").status_code == 404
    assert client.get(f"/api/hearings/{world.draft_hearing.pk}/").status_code == 404
    Case.objects.filter(pk=world.case.pk).update(status=Status.RETRACTED)
    assert client.get(f"/api/cases/{world.case.pk}/").status_code == 404
    assert client.get(f"/api/hearings/{world.hearing.pk}/").status_code == 404
    assert client.get("/api/hearings/").json()["count"] == 0


def test_hearing_list_exact_json_latest_first(client, world):
    response = client.get("/api/hearings/")
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 3
    assert [row["id"] for row in body["results"]] == [
        world.hearing_elsewhere.pk,
        world.hearing.pk,
        world.past_hearing.pk,
    ]
    assert body["results"][0] == {
        "id": world.hearing_elsewhere.pk,
        "case": world.case.pk,
        "case_title": "Special Case 12/2012, Anti-Terrorism Court II, Karachi",
        "date": "2026-12-03",
        "court": court_ref(world.other_court),
        "judge": "",
        "purpose": "",
        "outcome": "",
        "adjournment_reason": "",
        "next_date": None,
        "monitor_present": False,
        "notes": "",
    }
    assert_no_secrets(response.content.decode())


def test_hearings_filter_by_effective_court_case_and_dates(client, world):
    def ids(query):
        response = client.get(f"/api/hearings/?{query}")
        assert response.status_code == 200, response.content
        return [row["id"] for row in response.json()["results"]]

    # A hearing with no court of its own sits in its case's court.
    assert ids(f"court={world.court.pk}") == [world.hearing.pk, world.past_hearing.pk]
    assert ids(f"court={world.other_court.pk}") == [world.hearing_elsewhere.pk]
    assert ids(f"case={world.case.pk}&date_from=2026-12-01&date_to=2026-12-02") == [world.hearing.pk]
    assert ids("date_to=2012-12-31") == [world.past_hearing.pk]


def test_hearing_filter_errors_are_400_and_hidden_cases_are_unknown(client, world):
    response = client.get("/api/hearings/?date_from=yesterday&court=abc")
    assert response.status_code == 400
    assert response.json() == {
        "date_from": ["Enter a valid date."],
        "court": ["Select a valid choice. That choice is not one of the available choices."],
    }
    # A draft case's id is answered exactly like an id that does not exist.
    draft = client.get(f"/api/hearings/?case={world.draft_case.pk}")
    missing = client.get("/api/hearings/?case=999999")
    assert draft.status_code == missing.status_code == 400
    assert draft.json() == missing.json()


def test_case_filters_are_the_case_lists(client, world):
    other = f.CaseFactory(court=world.other_court, stage="charge_framed")

    def ids(query):
        response = client.get(f"/api/cases/?{query}")
        assert response.status_code == 200, response.content
        return [row["id"] for row in response.json()["results"]]

    assert ids(f"court={world.court.pk}") == [world.case.pk]
    assert ids("stage=charge_framed") == [other.pk]
    assert ids("verdict=convicted") == [world.case.pk]
    assert ids("province=sindh&date_from=2012-03-01&date_to=2012-03-31") == [world.case.pk]
    assert ids("community=shia") == [world.case.pk]
    assert ids("q=Preedy") == [world.case.pk]


def test_case_filter_errors_are_400(client, world):
    response = client.get("/api/cases/?stage=nowhere&date_to=2012-02-30&community=martians")
    assert response.status_code == 400
    assert set(response.json()) == {"stage", "date_to", "community"}
    assert response.json()["date_to"] == ["Enter a valid date."]


def test_courts_list_and_filters(client, world):
    response = client.get("/api/courts/?city=karachi")
    assert response.status_code == 200
    assert response.json()["results"] == [
        {
            "id": world.court.pk,
            "name": "Anti-Terrorism Court II, Karachi",
            "kind": "atc",
            "city": {"id": world.karachi.pk, "name": "Karachi", "slug": "karachi", "district": "Karachi South"},
            "url": f"http://testserver/courts/{world.court.pk}/",
        }
    ]
    kinds = client.get("/api/courts/?kind=high_court").json()["results"]
    assert [c["name"] for c in kinds] == ["Sindh High Court"]
    assert client.get("/api/courts/?kind=palace").status_code == 400
    assert client.get(f"/api/courts/{world.other_court.pk}/").json()["city"] is None


def many_more_cases(world, n: int) -> None:
    for i in range(n):
        case = f.CaseFactory(court=world.court, incidents=[world.incident], transferred_to=world.other_court)
        case.offences.set(world.case.offences.all())
        charge = f.ChargeFactory(case=case, accused=f.AccusedFactory(affiliation=world.lej))
        f.AppealFactory(charge=charge, court=world.other_court)
        f.HearingFactory(case=case, date=D(2026, 12, 1 + i % 20), court=world.other_court if i % 2 else None)


@pytest.mark.parametrize(
    ("url", "queries"),
    [
        # count + page + incidents + offences + the holidays (the s.19(7) clock)
        ("/api/cases/", 5),
        # count + page (hearings with case and courts)
        ("/api/hearings/", 2),
        ("/api/courts/", 2),
    ],
)
def test_lists_run_a_constant_number_of_queries(client, world, django_assert_num_queries, url, queries):
    with django_assert_num_queries(queries):
        assert client.get(url).status_code == 200
    many_more_cases(world, 10)
    with django_assert_num_queries(queries):
        assert client.get(url).status_code == 200


def test_case_detail_runs_a_constant_number_of_queries(client, world, django_assert_num_queries):
    # case + incidents + offences + charges (with accused) + appeals + hearings + documents + holidays
    with django_assert_num_queries(8):
        client.get(f"/api/cases/{world.case.pk}/")
    for i in range(6):
        charge = f.ChargeFactory(case=world.case, accused=f.AccusedFactory(affiliation=world.lej))
        f.AppealFactory(charge=charge, court=world.other_court)
        f.HearingFactory(case=world.case, date=D(2027, 1, 1 + i), court=world.other_court)
    with django_assert_num_queries(8):
        body = client.get(f"/api/cases/{world.case.pk}/").json()
    assert (len(body["charges"]), len(body["hearings"])) == (8, 9)


@pytest.mark.parametrize(
    ("serializer", "model"),
    [
        (CourtSerializer, Court),
        (CaseSerializer, Case),
        (CaseDetailSerializer, Case),
        (AccusedSerializer, Accused),
        (ChargeSerializer, Charge),
        (AppealSerializer, Appeal),
        (HearingSerializer, Hearing),
        (DocumentSerializer, Document),
    ],
)
def test_serializers_show_only_public_fields(serializer, model):
    # Not model fields: the page URL, the case's title, nested public records.
    extra = {"url", "title", "case_title", "charges", "hearings", "appeals", "documents"}
    extra |= {"working_days_since_cognizance", "over_limit_by"}  # the s.19(7) clock, derived
    assert set(serializer.Meta.fields) - extra <= set(model.PUBLIC_FIELDS)
