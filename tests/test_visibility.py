"""Walk every public page of the site's lists and details (and their CSV) as an anonymous reader.

Planted confidential strings (names of victims not public, a juvenile accused's name, an
accused's aliases, confidential notes, review notes, the username of who recorded a hearing)
must appear nowhere; draft and retracted records answer 404; staff do see drafts.
"""

from __future__ import annotations

import datetime

import pytest
from django.test import Client
from django.urls import reverse

from cases.models import HearingOutcome, Verdict
from core.models import Status
from tests.factories import (
    AccusedFactory,
    AttributionFactory,
    CaseFactory,
    ChargeFactory,
    HearingFactory,
    IncidentFactory,
    IncidentSourceFactory,
    VictimFactory,
)

pytestmark = pytest.mark.django_db
D = datetime.date

PLANTED = [
    "PLANTED-VICTIM-NAME",
    "PLANTED-JUVENILE-NAME",
    "PLANTED-ACCUSED-ALIAS",
    "PLANTED-CONFIDENTIAL-NOTE",
    "PLANTED-INCIDENT-REVIEW",
    "PLANTED-CASE-REVIEW",
    "planted-recorder",
    "planted-editor",
    "PLANTED-DRAFT-INCIDENT",
    "PLANTED-RETRACTED-INCIDENT",
    "PLANTED-DRAFT-CASE",
    "PLANTED-RETRACTED-CASE",
    "PLANTED-DRAFT-VICTIM",
]


@pytest.fixture
def world(django_user_model, time_machine):
    time_machine.move_to(D(2026, 11, 25))
    recorder = django_user_model.objects.create_user(username="planted-recorder", is_staff=True)
    editor = django_user_model.objects.create_user(username="planted-editor", is_staff=True)
    published = IncidentFactory(
        title="Published attack", review_note="PLANTED-INCIDENT-REVIEW", created_by=editor, updated_by=editor
    )
    IncidentSourceFactory(incident=published)
    AttributionFactory(incident=published)
    VictimFactory(incident=published, name="PLANTED-VICTIM-NAME", is_public=False)
    VictimFactory(incident=published, name="Named With Consent", is_public=True)
    draft = IncidentFactory(title="PLANTED-DRAFT-INCIDENT", date=D(2026, 1, 1), status=Status.DRAFT, killed=40)
    VictimFactory(incident=draft, name="PLANTED-DRAFT-VICTIM", is_public=True)
    retracted = IncidentFactory(
        title="PLANTED-RETRACTED-INCIDENT", status=Status.RETRACTED, killed=70, retraction_note="Duplicate."
    )

    case = CaseFactory(
        case_number="Special Case 5/2013",
        cognizance_date=D(2013, 2, 1),
        confidential_notes="PLANTED-CONFIDENTIAL-NOTE",
        review_note="PLANTED-CASE-REVIEW",
        incidents=[published, draft, retracted],
        created_by=editor,
    )
    ChargeFactory(case=case, accused=AccusedFactory(name="PLANTED-JUVENILE-NAME", is_juvenile=True))
    ChargeFactory(
        case=case,
        accused=AccusedFactory(name="Adult Accused", aliases="PLANTED-ACCUSED-ALIAS"),
        verdict=Verdict.CONVICTED,
        verdict_date=D(2014, 1, 1),
    )
    HearingFactory(case=case, date=D(2013, 3, 1), outcome=HearingOutcome.PROCEEDED, recorded_by=recorder)
    HearingFactory(case=case, date=D(2026, 12, 1))
    draft_case = CaseFactory(case_number="PLANTED-DRAFT-CASE", status=Status.DRAFT, incidents=[published])
    HearingFactory(case=draft_case, date=D(2026, 12, 2))
    HearingFactory(case=draft_case, date=D(2026, 11, 2), outcome=HearingOutcome.PROCEEDED, recorded_by=recorder)
    retracted_case = CaseFactory(case_number="PLANTED-RETRACTED-CASE", status=Status.RETRACTED)
    HearingFactory(case=retracted_case, date=D(2026, 12, 3))
    return {
        "published": published,
        "draft": draft,
        "retracted": retracted,
        "case": case,
        "draft_case": draft_case,
        "retracted_case": retracted_case,
    }


def public_urls(world) -> list[str]:
    incidents = reverse("incidents:incident_list")
    cases = reverse("cases:case_list")
    return [
        reverse("dashboard:home"),
        incidents,
        incidents + "?sort=-killed",
        incidents + "?q=attack",
        incidents + "?format=csv",
        world["published"].get_absolute_url(),
        cases,
        cases + "?verdict=convicted",
        cases + "?format=csv",
        world["case"].get_absolute_url(),
        reverse("incidents:data"),
    ]


def body(response) -> str:
    if hasattr(response, "streaming_content"):
        return b"".join(response.streaming_content).decode()
    return response.content.decode()


def test_anonymous_pages_show_no_planted_string(world):
    client = Client()
    for url in public_urls(world):
        response = client.get(url)
        assert response.status_code == 200, url
        text = body(response)
        for planted in PLANTED:
            assert planted not in text, f"{planted} leaked on {url}"


def test_anonymous_pages_do_show_what_is_public(world):
    client = Client()
    html = body(client.get(world["published"].get_absolute_url()))
    assert "Named With Consent" in html and "Name withheld" in html
    html = body(client.get(world["case"].get_absolute_url()))
    assert "Adult Accused" in html and "Juvenile (name withheld)" in html
    assert "Published attack" in html


def test_hidden_records_answer_404_for_the_public(world):
    client = Client()
    for key in ["draft", "retracted", "draft_case", "retracted_case"]:
        assert client.get(world[key].get_absolute_url()).status_code == 404, key


def test_404_pages_leak_nothing(world):
    response = Client().get(world["draft"].get_absolute_url())
    for planted in PLANTED:
        assert planted not in response.content.decode()


def test_staff_see_drafts_and_retracted_records(world, monitor_client):
    for key in ["draft", "retracted", "draft_case", "retracted_case"]:
        assert monitor_client.get(world[key].get_absolute_url()).status_code == 200, key
    assert "PLANTED-DRAFT-INCIDENT" in body(monitor_client.get(reverse("incidents:incident_list")))
    assert "PLANTED-DRAFT-CASE" in body(monitor_client.get(reverse("cases:case_list")))
    assert "PLANTED-DRAFT-INCIDENT" in body(monitor_client.get(reverse("incidents:incident_list") + "?format=csv"))


def test_home_shows_public_figures_even_to_staff(world, monitor_client):
    response = monitor_client.get(reverse("dashboard:home"))
    assert response.context["totals"]["incidents"] == 1
    assert "PLANTED-DRAFT-CASE" not in body(response)
