"""/api/statistics/: the DESIGN.md keys, the shared filters, 400 on bad input, constant queries."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cases.models import AdjournmentReason, HearingOutcome, Stage, Verdict
from core.models import Status
from incidents.models import AttackType
from tests import factories as f

D = datetime.date
TODAY = D(2026, 11, 25)
pytestmark = pytest.mark.django_db

DESIGN_KEYS = {
    "incidents",
    "killed",
    "injured",
    "killed_unknown",
    "injured_unknown",
    "monthly_average_killed",
    "by_year",
    "by_province",
    "by_city",
    "by_attack_type",
    "by_community",
    "funnel",
    "impunity_rate",
    "courts",
}


@pytest.fixture(autouse=True)
def fixed_today(time_machine):
    time_machine.move_to(TODAY)


@pytest.fixture
def places():
    sindh = f.ProvinceFactory(name="Sindh", slug="sindh")
    punjab = f.ProvinceFactory(name="Punjab", slug="punjab")
    return {
        "sindh": sindh,
        "punjab": punjab,
        "karachi": f.CityFactory(name="Karachi", slug="karachi", province=sindh),
        "lahore": f.CityFactory(name="Lahore", slug="lahore", province=punjab),
        "shia": f.CommunityFactory(name="Shia", slug="shia"),
    }


def get(client, **params):
    return client.get(reverse("api:api-statistics"), params)


def test_statistics_have_every_design_key_with_names_and_codes(client, places):
    incident = f.IncidentFactory(
        date=D(2013, 1, 10),
        province=places["sindh"],
        city=places["karachi"],
        attack_type=AttackType.SUICIDE_BOMBING,
        killed=5,
        injured=None,
        communities=[places["shia"]],
    )
    f.AttributionFactory(incident=incident, organisation=f.OrganisationFactory(name="LeJ", slug="lej"))
    response = get(client)
    assert response.status_code == 200
    data = response.json()
    assert set(data) >= DESIGN_KEYS
    assert set(data["funnel"]) == {
        "fatal_incidents",
        "case_registered",
        "accused_charged",
        "trial_concluded",
        "convicted",
        "conviction_upheld",
    }
    assert {"year", "incidents", "killed", "injured"} <= set(data["by_year"][0])
    assert data["by_year"][0]["year"] == 2013
    assert data["by_province"][0]["province"] == "Sindh"
    assert data["by_city"][0]["city"] == "Karachi"
    assert data["by_attack_type"][0]["attack_type"] == "suicide_bombing"
    assert data["by_community"][0]["community"] == "Shia"
    assert data["by_organisation"][0]["organisation"] == "LeJ"
    assert data["monthly_average_killed"] == 5.0
    assert data["period"] == {"date_from": "2013-01-10", "date_to": "2013-01-10", "months": 1}
    # 2013-01-10 is more than 3 years before the fixed today, but nobody has looked for a case:
    # not researched, so no rate, and a coverage of 0.
    assert data["impunity_rate"] is None
    assert data["impunity"] == {"rate": None, "fatal_old": 1, "researched": 0, "unpunished": 0, "coverage": 0.0}
    incident.court_record_checked_on = D(2020, 1, 1)
    incident.save()
    data = get(client).json()
    assert data["impunity"] == {"rate": 1.0, "fatal_old": 1, "researched": 1, "unpunished": 1, "coverage": 1.0}
    assert data["impunity_rate"] == data["impunity"]["rate"]
    assert data["partial_justice"] == {"incidents": 0, "with_standing_conviction": 0, "share": None}
    assert {"disposal", "statutory_compliance", "pending_ages", "adjournments", "scorecards"} <= set(data["courts"])


def test_no_data_gives_zero_counts_and_null_rates(client):
    data = get(client).json()
    assert (data["incidents"], data["killed"], data["injured"]) == (0, 0, 0)
    assert data["monthly_average_killed"] is None
    assert data["impunity_rate"] is None
    assert data["courts"]["statutory_compliance"]["rate"] is None
    assert data["courts"]["conviction_rate"]["per_accused"] is None
    assert data["by_year"] == []


def test_querysets_that_can_match_nothing_give_the_empty_figures(client, places):
    """A filter Django knows matches nothing (``pk__in=[]``, ``none()``) sends no query; the
    figures must still come out as for an empty table."""
    from cases.models import Case
    from dashboard.api import statistics_payload
    from incidents.models import Incident

    empty = statistics_payload(
        incidents=Incident.objects.public().filter(pk__in=[]), cases=Case.objects.none(), today=TODAY
    )
    assert (empty["incidents"], empty["killed"], empty["by_year"], empty["by_city"]) == (0, 0, [], [])
    assert empty["period"] == {"date_from": None, "date_to": None, "months": None}
    assert (empty["courts"]["disposal"]["count"], empty["courts"]["scorecards"]) == (0, [])
    assert [row["count"] for row in empty["courts"]["pending_ages"]] == [0] * 8


def test_filters_are_the_incident_list_filters(client, places):
    f.IncidentFactory(province=places["sindh"], city=places["karachi"], killed=3, date=D(2012, 5, 1))
    f.IncidentFactory(province=places["punjab"], city=places["lahore"], killed=7, date=D(2012, 7, 1))
    f.IncidentFactory(province=places["sindh"], killed=100, status=Status.DRAFT)
    assert get(client).json()["killed"] == 10
    assert get(client, province="sindh").json()["killed"] == 3
    assert get(client, city="lahore").json()["killed"] == 7
    assert get(client, date_from="2012-06-01").json()["killed"] == 7
    sindh = get(client, province="sindh", date_from="2012-01-01", date_to="2012-12-31").json()
    assert sindh["incidents"] == 1
    assert sindh["monthly_average_killed"] == 0.25
    assert sindh["period"]["months"] == 12


def test_court_figures_follow_the_case_filters(client, places):
    karachi_incident = f.IncidentFactory(province=places["sindh"], killed=1)
    lahore_incident = f.IncidentFactory(province=places["punjab"], killed=1)
    atc = f.CourtFactory(name="ATC I, Karachi")
    decided = f.CaseFactory(
        court=atc,
        incidents=[karachi_incident],
        cognizance_date=D(2012, 6, 1),
        judgment_date=D(2013, 1, 10),
        stage=Stage.DECIDED,
    )
    f.ChargeFactory(case=decided, verdict=Verdict.CONVICTED, verdict_date=D(2013, 1, 10))
    f.HearingFactory(case=decided, outcome=HearingOutcome.ADJOURNED, adjournment_reason=AdjournmentReason.OTHER)
    f.CaseFactory(court=atc, incidents=[lahore_incident], cognizance_date=D(2026, 11, 20), stage=Stage.ARGUMENTS)
    everything = get(client).json()["courts"]
    assert everything["disposal"]["median_days"] == 223
    # Every median, percentile and rate comes with the n it rests on (here one decided case, one
    # hearing, one accused with a verdict).
    assert (everything["disposal"]["n"], everything["statutory_compliance"]["n"]) == (1, 1)
    assert (everything["adjournments"]["n"], everything["adjournments"]["hearings_per_decided_case_n"]) == (1, 1)
    assert (everything["conviction_rate"]["per_accused_n"], everything["conviction_rate"]["per_case_n"]) == (1, 1)
    assert everything["over_statutory_limit"]["n"] == 1
    assert everything["adjournments"]["by_reason"][0] == {
        "reason": "other",
        "label": "Other",
        "count": 1,
        "share": 1.0,
        "n": 1,
    }
    assert everything["scorecards"][0]["cases"] == 2
    assert sum(b["count"] for b in everything["pending_ages"]) == 1
    punjab = get(client, province="punjab").json()["courts"]
    assert punjab["disposal"]["count"] == 0
    assert punjab["scorecards"][0]["cases"] == 1
    assert get(client, court=atc.pk, stage="decided").json()["courts"]["scorecards"][0]["cases"] == 1


@pytest.mark.parametrize(
    "params",
    [
        {"date_from": "2012-13-01"},
        {"province": "atlantis"},
        {"attack_type": "earthquake"},
        {"community": "nobody"},
        {"court": "999999"},
        {"verdict": "maybe"},
    ],
)
def test_invalid_parameters_answer_400_with_the_errors(client, params):
    response = get(client, **params)
    assert response.status_code == 400
    (field,) = params
    assert field in response.json()["errors"]
    assert response.json()["errors"][field]


def test_schema_documents_the_statistics_endpoint_and_its_filters(client):
    response = client.get(reverse("api:schema"), {"format": "json"})
    assert response.status_code == 200
    operation = response.json()["paths"]["/api/statistics/"]["get"]
    names = {p["name"] for p in operation["parameters"]}
    assert {"date_from", "date_to", "province", "city", "attack_type", "community", "organisation", "q"} <= names
    assert "400" in operation["responses"]


def _make(n: int, places):
    incident = f.IncidentFactory(
        date=D(2005 + n, 1, 1),
        province=places["sindh"] if n % 2 else places["punjab"],
        city=places["karachi"] if n % 2 else places["lahore"],
        killed=n,
        communities=[places["shia"], f.CommunityFactory()],
    )
    f.AttributionFactory(incident=incident, organisation=f.OrganisationFactory())
    case = f.CaseFactory(
        court=f.CourtFactory(),
        incidents=[incident],
        cognizance_date=D(2010, 1, 1 + n),
        judgment_date=D(2011, 1, 1) if n % 2 else None,
        stage=Stage.DECIDED if n % 2 else Stage.ARGUMENTS,
    )
    f.ChargeFactory(
        case=case,
        verdict=Verdict.CONVICTED if n % 2 else Verdict.PENDING,
        verdict_date=None if n % 2 == 0 else D(2011, 1, 1),
    )
    f.HearingFactory(case=case, outcome=HearingOutcome.ADJOURNED, adjournment_reason=AdjournmentReason.WITNESS_ABSENT)


def test_query_count_does_not_grow_with_data(client, places):
    _make(1, places)
    with CaptureQueriesContext(connection) as few:
        assert get(client).status_code == 200
    for n in range(2, 14):
        _make(n, places)
    with CaptureQueriesContext(connection) as many:
        data = get(client).json()
    assert data["incidents"] == 13
    assert len(few.captured_queries) == len(many.captured_queries)
