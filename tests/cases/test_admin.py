"""The cases admin: the s.19(7) clock columns, recording a hearing, and hearings in date order."""

from __future__ import annotations

import datetime

import pytest
from django.contrib import admin

from cases.models import Case, Hearing, Holiday
from core.models import Status
from tests.admin_forms import add_inline_rows, admin_url, changeform_data, management
from tests.factories import CaseFactory, ChargeFactory, CourtFactory, HearingFactory

pytestmark = pytest.mark.django_db

D = datetime.date
TODAY = D(2012, 6, 15)  # a Friday


@pytest.fixture
def pinned_today(time_machine):
    time_machine.move_to(TODAY)
    return TODAY


@pytest.fixture
def clock_cases():
    """A pending case, a decided case (DESIGN.md's K1) and a case not yet before the court."""
    Holiday.objects.create(date=D(2012, 6, 11), name="A Monday holiday")
    pending = CaseFactory(case_number="Pending 1/2012", cognizance_date=D(2012, 6, 1))
    ChargeFactory.create_batch(2, case=pending)
    HearingFactory(case=pending, date=D(2012, 6, 5), outcome="adjourned", adjournment_reason="witness_absent")
    HearingFactory(case=pending, date=D(2012, 6, 14), outcome="proceeded")
    HearingFactory(case=pending, date=D(2012, 6, 15))
    HearingFactory(case=pending, date=D(2012, 6, 20))
    decided = CaseFactory(
        case_number="Decided 2/2012", cognizance_date=D(2012, 6, 1), judgment_date=D(2013, 1, 10), stage="decided"
    )
    fresh = CaseFactory(case_number="FIR only 3/2012")
    return pending, decided, fresh


def columns(case_admin, row) -> dict:
    names = [
        "days_since_cognizance",
        "working_days",
        "over_statutory_limit",
        "last_hearing",
        "next_hearing",
        "accused_count",
        "hearing_count",
    ]
    return {name: getattr(case_admin, name)(row) for name in names}


def test_changelist_shows_the_statutory_clock_and_hearings(superuser_client, pinned_today, clock_cases):
    pending, decided, fresh = clock_cases
    response = superuser_client.get(admin_url(Case))
    assert response.status_code == 200
    rows = {row.pk: row for row in response.context["cl"].result_list}
    case_admin = admin.site._registry[Case]
    # 1 June (Fri) to 15 June (Fri): 14 days; 10 weekdays minus the holiday on 11 June.
    assert columns(case_admin, rows[pending.pk]) == {
        "days_since_cognizance": 14,
        "working_days": 9,
        "over_statutory_limit": 2,
        "last_hearing": D(2012, 6, 14),
        "next_hearing": D(2012, 6, 15),  # today's hearing is upcoming
        "accused_count": 2,
        "hearing_count": 4,
    }
    # K1 of DESIGN.md: 223 days, 159 working days without holidays, here 158 (one holiday): the clock stops at judgment.
    assert columns(case_admin, rows[decided.pk]) == {
        "days_since_cognizance": 223,
        "working_days": 158,
        "over_statutory_limit": 151,
        "last_hearing": None,
        "next_hearing": None,
        "accused_count": 0,
        "hearing_count": 0,
    }
    assert columns(case_admin, rows[fresh.pk])["working_days"] is None
    assert columns(case_admin, rows[fresh.pk])["over_statutory_limit"] is None
    content = response.content.decode()
    assert '<td class="field-over_statutory_limit">151</td>' in content
    assert '<td class="field-working_days">9</td>' in content


def test_case_form_shows_the_clock(superuser_client, pinned_today, clock_cases):
    pending = clock_cases[0]
    response = superuser_client.get(admin_url(Case, "change", pending.pk))
    assert "14 days, 9 working days to today: over the statutory limit by 2 working days." in response.content.decode()


def test_case_form_lists_hearings_by_date(superuser_client):
    case = CaseFactory()
    for day in (20, 5, 12):
        HearingFactory(case=case, date=D(2012, 6, day))
    response = superuser_client.get(admin_url(Case, "change", case.pk))
    hearings = next(f for f in response.context["inline_admin_formsets"] if f.formset.model is Hearing)
    assert [form.instance.date.day for form in hearings.formset.initial_forms] == [5, 12, 20]


def test_recording_a_hearing_on_the_case_schedules_the_next_one(monitor_client, monitor):
    case = CaseFactory(court=CourtFactory(name="ATC I, Quetta"))
    hearing = HearingFactory(case=case, date=D(2013, 2, 4))
    url = admin_url(Case, "change", case.pk)
    data = changeform_data(
        monitor_client,
        url,
        **{
            "hearings-0-outcome": "adjourned",
            "hearings-0-adjournment_reason": "witness_absent",
            "hearings-0-next_date": "2013-02-18",
            "hearings-0-monitor_present": "on",
        },
    )
    assert monitor_client.post(url, data).status_code == 302
    hearing.refresh_from_db()
    assert (hearing.outcome, hearing.recorded_by, hearing.monitor_present) == ("adjourned", monitor, True)
    assert list(case.hearings.values_list("date", "outcome")) == [(D(2013, 2, 4), "adjourned"), (D(2013, 2, 18), "")]
    assert hearing.history.latest("history_id").history_user == monitor


def test_next_date_already_listed_in_the_same_save_is_not_duplicated(editor_client):
    case = CaseFactory()
    url = admin_url(Case, "change", case.pk)
    data = changeform_data(editor_client, url)
    add_inline_rows(
        data,
        "hearings",
        [
            {"date": "2013-02-04", "outcome": "proceeded", "next_date": "2013-02-11"},
            {"date": "2013-02-11", "purpose": "prosecution_evidence"},
        ],
    )
    assert editor_client.post(url, data).status_code == 302
    assert list(case.hearings.values_list("date", "purpose")) == [
        (D(2013, 2, 4), ""),
        (D(2013, 2, 11), "prosecution_evidence"),
    ]


def test_hearing_validation_messages_come_from_the_model(monitor_client):
    hearing = HearingFactory(date=D(2013, 2, 4))
    url = admin_url(Case, "change", hearing.case.pk)
    data = changeform_data(
        monitor_client, url, **{"hearings-0-outcome": "adjourned", "hearings-0-next_date": "2013-02-01"}
    )
    response = monitor_client.post(url, data)
    assert response.status_code == 200
    content = response.content.decode()
    assert "Say why the hearing was adjourned." in content
    assert "The next date must come after the hearing&#x27;s date." in content
    hearing.refresh_from_db()
    assert hearing.outcome == ""
    assert Hearing.objects.count() == 1


def test_hearing_admin_records_who_and_schedules_the_next_hearing(editor_client, editor):
    case = CaseFactory()
    data = {
        "case": case.pk,
        "date": "2013-03-01",
        "outcome": "proceeded",
        "purpose": "arguments",
        "next_date": "2013-03-08",
    }
    response = editor_client.post(admin_url(Hearing, "add"), data, follow=True)
    assert "Next hearing scheduled for 08 March 2013." in [str(m) for m in response.context["messages"]]
    held, scheduled = case.hearings.order_by("date")
    assert (held.recorded_by, held.outcome) == (editor, "proceeded")
    assert (scheduled.date, scheduled.outcome, scheduled.recorded_by) == (D(2013, 3, 8), "", None)


def test_saving_a_scheduled_hearing_records_nobody_and_schedules_nothing(editor_client):
    case = CaseFactory()
    assert editor_client.post(admin_url(Hearing, "add"), {"case": case.pk, "date": "2013-03-01"}).status_code == 302
    assert list(case.hearings.values_list("recorded_by", "outcome")) == [(None, "")]


def test_monitor_adds_a_case_only_as_a_draft(monitor_client, monitor):
    court = CourtFactory()
    data = {
        "court": court.pk,
        "case_number": "Special Case 9/2013",
        "stage": "fir_registered",
        "status": "published",
        **management("charges"),
        **management("hearings"),
        **management("documents"),
    }
    assert monitor_client.post(admin_url(Case, "add"), data).status_code == 302
    case = Case.objects.get()
    assert (case.status, case.created_by, case.published_at) == (Status.DRAFT, monitor, None)


def test_case_validation_message_from_clean(editor_client):
    case = CaseFactory(cognizance_date=D(2012, 6, 1))
    url = admin_url(Case, "change", case.pk)
    response = editor_client.post(url, changeform_data(editor_client, url, judgment_date="2012-05-01"))
    assert "The judgment cannot come before cognizance." in response.content.decode()
    case.refresh_from_db()
    assert case.judgment_date is None


def test_appeal_is_entered_on_the_charge(editor_client):
    charge = ChargeFactory(verdict="convicted", verdict_date=D(2013, 1, 10))
    high_court = CourtFactory(name="Balochistan High Court", kind="high_court")
    url = admin_url(charge, "change", charge.pk)
    data = changeform_data(editor_client, url)
    add_inline_rows(
        data, "appeals", [{"court": high_court, "appellant": "convict", "filed_on": "2013-02-01", "outcome": "pending"}]
    )
    assert editor_client.post(url, data).status_code == 302
    assert list(charge.appeals.values_list("court__name", "outcome")) == [("Balochistan High Court", "pending")]


def test_case_history_page_lists_hearing_changes_with_who(monitor_client, monitor):
    hearing = HearingFactory(date=D(2013, 2, 4))
    case = hearing.case
    url = admin_url(Case, "change", case.pk)
    data = changeform_data(
        monitor_client, url, **{"hearings-0-outcome": "proceeded", "hearings-0-next_date": "2013-02-11"}
    )
    assert monitor_client.post(url, data).status_code == 302
    response = monitor_client.get(admin_url(Case, "history", case.pk))
    changes = [
        (c["label"], c["record"].history_type, c["record"].history_user) for c in response.context["related_changes"]
    ]
    scheduled = case.hearings.get(date=D(2013, 2, 11))
    assert changes == [
        (f"hearing #{scheduled.pk}", "+", monitor),
        (f"hearing #{hearing.pk}", "~", monitor),
        (f"hearing #{hearing.pk}", "+", None),
    ]
    assert response.context["related_changes"][1]["fields"] == ["outcome", "next date", "recorded by"]


def test_recording_a_judgment_moves_the_case_on(editor_client):
    case = CaseFactory(stage="judgment_reserved", cognizance_date=D(2012, 6, 1))
    data = {"case": case.pk, "date": "2013-01-10", "outcome": "judgment"}
    assert editor_client.post(admin_url(Hearing, "add"), data).status_code == 302
    case.refresh_from_db()
    assert (case.stage, case.judgment_date) == ("decided", D(2013, 1, 10))


def test_hearing_recorded_on_the_case_form_moves_the_case_on_even_when_publishing(editor_client):
    case = CaseFactory(status=Status.DRAFT, stage="cognizance_taken", cognizance_date=D(2012, 6, 1))
    HearingFactory(case=case, date=D(2012, 6, 5))
    url = admin_url(Case, "change", case.pk)
    data = changeform_data(
        editor_client,
        url,
        status="published",
        **{"hearings-0-outcome": "proceeded", "hearings-0-purpose": "charge_framed"},
    )
    assert editor_client.post(url, data).status_code == 302
    case.refresh_from_db()
    assert (case.status, case.stage) == (Status.PUBLISHED, "charge_framed")
