"""/staff/hearings/record/: find the case, record the outcome, schedule the next date, move the stage."""

from __future__ import annotations

import datetime

import pytest
from django.test import Client

from cases.models import Hearing, HearingOutcome, Stage
from core.models import Status
from tests import factories as f
from tests.conftest import login

pytestmark = pytest.mark.django_db
URL = "/staff/hearings/record/"
D = datetime.date


@pytest.fixture
def case():
    court = f.CourtFactory(name="ATC III, Karachi")
    case = f.CaseFactory(
        court=court,
        case_number="Special Case 41/2026",
        fir_number="112/2026",
        cognizance_date=D(2026, 9, 1),
        stage=Stage.CHARGE_FRAMED,
    )
    f.ChargeFactory(case=case, accused=f.AccusedFactory(name="Rashid Khan"))
    return case


@pytest.fixture
def scheduled(case):
    return f.HearingFactory(case=case, date=D(2026, 11, 20), purpose=Stage.PROSECUTION_EVIDENCE, judge="Judge A")


def _post(client, case, **fields):
    """What the form sends, with the version of the case's hearings its page carries (issue 13)."""
    page = client.get(URL, {"case": case.pk})
    data = {
        "case": case.pk,
        "record_version": page.context["form"]["record_version"].value() if page.status_code == 200 else "",
        "date": "2026-11-20",
        "purpose": "",
        "outcome": "",
        "adjournment_reason": "",
        "next_date": "",
        "judge": "",
        "notes": "",
    }
    data.update(fields)
    return client.post(URL, data)


@pytest.mark.parametrize("query", ["112/2026", "Special Case 41", "ATC III", "Rashid"])
def test_search_finds_the_case_by_fir_number_case_number_court_or_accused(case, monitor_client, query):
    f.CaseFactory(case_number="Other 1/2026", fir_number="999/2020")
    response = monitor_client.get(URL, {"q": query})
    assert [c.pk for c in response.context["results"]] == [case.pk]
    assert f'href="?case={case.pk}"' in response.content.decode()


def test_search_finds_drafts_but_not_retracted_cases(monitor_client):
    draft = f.CaseFactory(fir_number="77/2026", status=Status.DRAFT)
    f.CaseFactory(fir_number="77/2026 (old)", status=Status.RETRACTED)
    response = monitor_client.get(URL, {"q": "77/2026"})
    assert [c.pk for c in response.context["results"]] == [draft.pk]


def test_choosing_the_case_prefills_the_hearing_waiting_for_its_outcome(case, scheduled, monitor_client):
    response = monitor_client.get(URL, {"case": case.pk})
    form = response.context["form"]
    assert form.initial == {"date": D(2026, 11, 20), "purpose": Stage.PROSECUTION_EVIDENCE, "judge": "Judge A"}
    assert 'type="date"' in response.content.decode()


def test_recording_fills_the_scheduled_row_and_schedules_the_next(case, scheduled, monitor_client, monitor):
    response = _post(
        monitor_client,
        case,
        outcome="adjourned",
        adjournment_reason="witness_absent",
        next_date="2026-12-04",
        judge="Judge A",
        monitor_present="on",
        notes="PW-3 absent.",
    )
    assert response.status_code == 302
    rows = list(case.hearings.order_by("date").values_list("date", "outcome", "adjournment_reason", "next_date"))
    assert rows == [
        (D(2026, 11, 20), "adjourned", "witness_absent", D(2026, 12, 4)),
        (D(2026, 12, 4), "", "", None),
    ]
    scheduled.refresh_from_db()
    assert scheduled.recorded_by == monitor
    assert scheduled.monitor_present is True
    assert scheduled.purpose == Stage.PROSECUTION_EVIDENCE  # kept from the scheduled row
    page = monitor_client.get(response["Location"])
    assert "Friday 4 December 2026" in page.content.decode()


def test_recording_a_new_date_creates_one_row(case, monitor_client):
    _post(monitor_client, case, date="2026-11-23", outcome="not_taken_up")
    assert list(case.hearings.values_list("date", "outcome")) == [(D(2026, 11, 23), "not_taken_up")]


def test_proceeded_moves_the_stage_to_the_purpose(case, monitor_client):
    _post(monitor_client, case, outcome="proceeded", purpose="prosecution_evidence", next_date="2026-12-01")
    case.refresh_from_db()
    assert case.stage == Stage.PROSECUTION_EVIDENCE


def test_judgment_decides_the_case(case, editor_client):
    response = _post(editor_client, case, outcome="judgment")
    assert response.status_code == 302
    case.refresh_from_db()
    assert (case.stage, case.judgment_date) == (Stage.DECIDED, D(2026, 11, 20))


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"outcome": "adjourned"}, "adjournment_reason", "Say why the hearing was adjourned."),
        (
            {"outcome": "proceeded", "adjournment_reason": "witness_absent"},
            "adjournment_reason",
            "Give a reason only when the hearing was adjourned.",
        ),
        (
            {"outcome": "proceeded", "next_date": "2026-11-19"},
            "next_date",
            "The next date must come after the hearing's date.",
        ),
        ({"outcome": ""}, "outcome", "This field is required."),
        ({"outcome": "proceeded", "date": "2026-11-26"}, "date", "before it has taken place"),
        ({"outcome": "judgment", "date": "2026-08-03"}, "date", "The judgment cannot come before cognizance."),
        ({"outcome": "proceeded", "date": "20/11/2026x"}, "date", "Enter a valid date."),
    ],
)
def test_invalid_input_shows_a_message_and_changes_nothing(case, scheduled, monitor_client, fields, field, message):
    response = _post(monitor_client, case, **fields)
    assert response.status_code == 200
    assert any(message in error for error in response.context["form"].errors[field])
    assert list(case.hearings.values_list("date", "outcome")) == [(D(2026, 11, 20), "")]
    case.refresh_from_db()
    assert case.stage == Stage.CHARGE_FRAMED


def test_a_date_already_recorded_is_not_duplicated(case, monitor_client):
    f.HearingFactory(case=case, date=D(2026, 11, 20), outcome=HearingOutcome.PROCEEDED)
    response = _post(monitor_client, case, outcome="proceeded")
    assert "already recorded" in response.context["form"].errors["date"][0]
    assert case.hearings.count() == 1


def test_csrf_is_enforced(case, monitor):
    client = login(Client(enforce_csrf_checks=True), monitor)
    response = _post(client, case, outcome="not_taken_up")
    assert response.status_code == 403
    assert not Hearing.objects.exists()


def test_anonymous_goes_to_login(case, client):
    response = _post(client, case, outcome="not_taken_up")
    assert response.status_code == 302
    assert "login" in response["Location"]
    assert not Hearing.objects.exists()


def test_staff_without_the_hearing_permission_is_refused(case, client, staff_no_role):
    login(client, staff_no_role)
    assert client.get(URL).status_code == 403
    assert _post(client, case, outcome="not_taken_up").status_code == 403
    assert not Hearing.objects.exists()


def test_a_retracted_case_cannot_be_chosen(monitor_client):
    retracted = f.CaseFactory(status=Status.RETRACTED)
    assert monitor_client.get(URL, {"case": retracted.pk}).status_code == 404


def test_search_runs_a_constant_number_of_queries(monitor_client):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def count():
        with CaptureQueriesContext(connection) as ctx:
            monitor_client.get(URL, {"q": "Bulk"})
        return len(ctx.captured_queries)

    f.ChargeFactory(case=f.CaseFactory(case_number="Bulk 0"))
    one = count()
    for n in range(1, 6):
        f.ChargeFactory(case=f.CaseFactory(case_number=f"Bulk {n}"))
    assert count() == one
