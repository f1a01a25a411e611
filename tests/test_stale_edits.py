"""No lost edits (issue 13): a form opened before a colleague's save is refused, their change kept.

Two staff users, each with their own signed-in session (2FA verified), open the same form and save
in turn: the admin's incident, case and court forms, and the phone hearing form. The last test
runs on PostgreSQL with real commits: two saves of one case racing, on two threads.
"""

from __future__ import annotations

import datetime
import threading
import time

import pytest
from django.db import connection
from django.db.models.signals import post_save
from django.test import Client
from django.test.utils import CaptureQueriesContext

from cases.models import Case, Court, CourtKind, Hearing, Stage
from core.models import Status
from incidents.models import Incident
from monitoring.forms import hearings_version
from tests import factories as f
from tests.admin_forms import admin_url, changeform_data
from tests.conftest import login, make_user
from tracker.roles import EDITORS, MONITORS
from tracker.versioning import NO_VERSION, STALE, VERSION_FIELD

pytestmark = pytest.mark.django_db
D = datetime.date
# 10:00 UTC is 15:00 in Karachi, the time the messages give.
NOW = datetime.datetime(2026, 11, 25, 10, 0, tzinfo=datetime.UTC)
PHONE_URL = "/staff/hearings/record/"


@pytest.fixture(autouse=True)
def fixed_now(time_machine):
    time_machine.move_to(NOW, tick=False)


def _staff(django_user_model, username: str, name: str, group: str | None) -> Client:
    user = make_user(django_user_model, username, group=group, superuser=group is None)
    user.first_name, user.last_name = name.split()
    user.save()
    return login(Client(), user)


@pytest.fixture
def amina(django_user_model):
    return _staff(django_user_model, "amina", "Amina Siddiqui", EDITORS)


@pytest.fixture
def bilal(django_user_model):
    return _staff(django_user_model, "bilal", "Bilal Ahmed", EDITORS)


@pytest.fixture
def monitor(django_user_model):
    return _staff(django_user_model, "sana", "Sana Baloch", MONITORS)


def _errors(response) -> list[str]:
    return list(response.context["adminform"].form.non_field_errors())


# Incidents ----------------------------------------------------------------------------------


@pytest.fixture
def incident():
    incident = f.IncidentFactory(title="Bomb blast at a market", killed=4, injured=10, status=Status.DRAFT)
    f.IncidentSourceFactory(incident=incident, reported_killed=4)
    f.AttributionFactory(incident=incident)
    return incident


@pytest.mark.parametrize(
    "second_edit",
    [{"killed": "5"}, {"title": "Blast at a market"}],
    ids=["different-field", "same-field"],
)
def test_second_editor_of_an_incident_is_refused_and_the_first_edit_kept(amina, bilal, incident, second_edit):
    url = admin_url(Incident, "change", incident.pk)
    first = changeform_data(amina, url, title="Suicide bombing at a market")
    second = changeform_data(bilal, url, **second_edit)

    assert amina.post(url, first).status_code == 302
    response = bilal.post(url, second)

    assert response.status_code == 409
    assert _errors(response) == [STALE, "Amina Siddiqui changed this incident (title) on 25 Nov 2026 at 15:00."]
    assert "Open the current version of this incident" in response.content.decode()
    incident.refresh_from_db()
    assert (incident.title, incident.killed) == ("Suicide bombing at a market", 4)
    # Sent again, the stale form is still refused: it still carries the version it was opened at.
    assert bilal.post(url, second).status_code == 409
    incident.refresh_from_db()
    assert incident.title == "Suicide bombing at a market"


def test_a_change_to_an_incidents_source_row_makes_its_form_stale(amina, bilal, incident):
    url = admin_url(Incident, "change", incident.pk)
    first = changeform_data(amina, url, **{"source_links-0-reported_killed": "6"})
    second = changeform_data(bilal, url, injured="12")
    assert amina.post(url, first).status_code == 302

    response = bilal.post(url, second)

    assert response.status_code == 409
    link = incident.source_links.get()
    assert _errors(response)[1] == (
        f"Amina Siddiqui changed source of an incident “{link}” (reported killed) on 25 Nov 2026 at 15:00."
    )
    link.refresh_from_db()
    incident.refresh_from_db()
    assert (link.reported_killed, incident.injured) == (6, 10)


def test_one_editor_saving_in_turn_is_never_refused(amina, incident):
    """A form shown again for another error still carries the current version: corrected, it saves."""
    url = admin_url(Incident, "change", incident.pk)
    data = changeform_data(amina, url, killed="-1")
    response = amina.post(url, data)
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["killed"]
    assert amina.post(url, {**data, "killed": "5"}).status_code == 302
    # A fresh form after the save is current again.
    assert amina.post(url, changeform_data(amina, url, killed="6")).status_code == 302
    incident.refresh_from_db()
    assert incident.killed == 6


@pytest.mark.parametrize(
    ("token", "message"),
    [(None, NO_VERSION), ("forged", NO_VERSION)],
    ids=["missing", "forged"],
)
def test_a_change_form_without_a_valid_version_is_refused(amina, incident, token, message):
    url = admin_url(Incident, "change", incident.pk)
    data = changeform_data(amina, url, title="Changed")
    data.pop(VERSION_FIELD)
    if token:
        data[VERSION_FIELD] = token
    response = amina.post(url, data)
    assert response.status_code == 200
    assert _errors(response) == [message]
    incident.refresh_from_db()
    assert incident.title == "Bomb blast at a market"


def test_the_version_of_one_record_is_refused_on_another(amina, incident):
    other = f.IncidentFactory(title="Another attack", status=Status.DRAFT)
    token = changeform_data(amina, admin_url(Incident, "change", incident.pk))[VERSION_FIELD]
    url = admin_url(Incident, "change", other.pk)
    data = {**changeform_data(amina, url, title="Changed"), VERSION_FIELD: token}
    assert _errors(amina.post(url, data)) == [NO_VERSION]
    other.refresh_from_db()
    assert other.title == "Another attack"


def test_adding_an_incident_needs_no_version(amina):
    province = f.ProvinceFactory()
    url = admin_url(Incident, "add")
    data = {
        "title": "New attack",
        "date": "2026-11-20",
        "attack_type": "target_killing",
        "killed": "1",
        "injured": "0",
        "province": province.pk,
        "status": "draft",
        "source_links-TOTAL_FORMS": "0",
        "source_links-INITIAL_FORMS": "0",
        "attributions-TOTAL_FORMS": "0",
        "attributions-INITIAL_FORMS": "0",
        "victims-TOTAL_FORMS": "0",
        "victims-INITIAL_FORMS": "0",
    }
    response = amina.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert Incident.objects.filter(title="New attack").count() == 1


# Cases, with a hearing recorded on the phone form in between ---------------------------------


@pytest.fixture
def case():
    case = f.CaseFactory(
        court=f.CourtFactory(name="ATC III, Karachi"),
        case_number="Special Case 41/2026",
        cognizance_date=D(2026, 9, 1),
        stage=Stage.CHARGE_FRAMED,
    )
    f.ChargeFactory(case=case, accused=f.AccusedFactory(name="Rashid Khan"))
    f.HearingFactory(case=case, date=D(2026, 11, 20), purpose=Stage.PROSECUTION_EVIDENCE, judge="Judge A")
    return case


def _phone_form(client, case) -> dict:
    """What the phone form sends when a monitor records an adjournment (its version from the page)."""
    page = client.get(PHONE_URL, {"case": case.pk})
    assert page.status_code == 200
    return {
        "case": case.pk,
        VERSION_FIELD: page.context["form"][VERSION_FIELD].value(),
        "date": "2026-11-20",
        "purpose": "prosecution_evidence",
        "outcome": "adjourned",
        "adjournment_reason": "witness_absent",
        "next_date": "2026-12-04",
        "judge": "Judge A",
        "monitor_present": "on",
        "notes": "PW-3 absent.",
    }


def test_case_form_opened_before_a_hearing_was_recorded_keeps_the_outcome(amina, monitor, case):
    url = admin_url(Case, "change", case.pk)
    stale = changeform_data(amina, url, public_notes="Charge framed in September.")
    assert stale["hearings-0-outcome"] == ""  # the editor's form shows the hearing still scheduled

    assert monitor.post(PHONE_URL, _phone_form(monitor, case)).status_code == 302
    response = amina.post(url, stale)

    assert response.status_code == 409
    recorded, scheduled = case.hearings.order_by("date")
    assert _errors(response) == [
        STALE,
        f"Sana Baloch changed hearing “{recorded}” (outcome, adjournment reason, next date, "
        "monitor present, notes, recorded by) on 25 Nov 2026 at 15:00.",
        f"Sana Baloch added hearing “{scheduled}” on 25 Nov 2026 at 15:00.",
    ]
    rows = list(
        case.hearings.order_by("date").values_list("date", "outcome", "adjournment_reason", "next_date", "notes")
    )
    assert rows == [
        (D(2026, 11, 20), "adjourned", "witness_absent", D(2026, 12, 4), "PW-3 absent."),
        (D(2026, 12, 4), "", "", None, ""),
    ]
    case.refresh_from_db()
    assert case.public_notes == ""


def test_case_form_opened_after_the_recording_saves(amina, monitor, case):
    assert monitor.post(PHONE_URL, _phone_form(monitor, case)).status_code == 302
    url = admin_url(Case, "change", case.pk)
    assert amina.post(url, changeform_data(amina, url, public_notes="Adjourned.")).status_code == 302
    assert case.hearings.get(date=D(2026, 11, 20)).outcome == "adjourned"


def test_a_change_to_the_cases_offences_is_named(amina, bilal, case):
    url = admin_url(Case, "change", case.pk)
    offence = f.OffenceFactory(code="ATA s.7")
    first = changeform_data(amina, url, offences=[offence.pk])
    second = changeform_data(bilal, url, police_station="Saddar")
    assert amina.post(url, first).status_code == 302

    response = bilal.post(url, second)

    assert _errors(response)[1] == "Amina Siddiqui changed this case (offences) on 25 Nov 2026 at 15:00."
    case.refresh_from_db()
    assert (list(case.offences.all()), case.police_station) == ([offence], "")


def test_the_hearings_own_form_and_the_case_form_refuse_each_other(amina, bilal, case):
    hearing = case.hearings.get()
    case_url, hearing_url = admin_url(Case, "change", case.pk), admin_url(Hearing, "change", hearing.pk)
    case_form = changeform_data(amina, case_url, **{"hearings-0-judge": "Judge B"})
    hearing_form = changeform_data(bilal, hearing_url, judge="Judge C")

    assert bilal.post(hearing_url, hearing_form).status_code == 302
    response = amina.post(case_url, case_form)

    assert _errors(response)[1] == f"Bilal Ahmed changed hearing “{hearing}” (judge) on 25 Nov 2026 at 15:00."
    hearing.refresh_from_db()
    assert hearing.judge == "Judge C"


def test_a_row_deleted_by_a_colleague_is_named_and_stays_deleted(amina, bilal, case):
    charge = case.charges.get()
    label = str(charge)
    url = admin_url(Case, "change", case.pk)
    first = changeform_data(amina, url, **{"charges-0-DELETE": "on"})
    second = changeform_data(bilal, url, **{"charges-0-custody": "bail"})
    assert amina.post(url, first).status_code == 302

    response = bilal.post(url, second)

    assert response.status_code == 409
    assert _errors(response)[1] == f"Amina Siddiqui deleted charge “{label}” on 25 Nov 2026 at 15:00."
    assert not case.charges.exists()


# Courts: no history of their own, the admin's log says who ------------------------------------


def test_second_editor_of_a_court_is_refused(amina, bilal):
    court = f.CourtFactory(name="ATC I, Quetta", kind=CourtKind.ATC)
    url = admin_url(Court, "change", court.pk)
    first = changeform_data(amina, url, name="Anti-Terrorism Court I, Quetta")
    second = changeform_data(bilal, url, kind=CourtKind.SESSIONS)

    assert amina.post(url, first).status_code == 302
    response = bilal.post(url, second)

    assert response.status_code == 409
    assert _errors(response) == [STALE, "Amina Siddiqui changed this court (name) on 25 Nov 2026 at 15:00."]
    court.refresh_from_db()
    assert (court.name, court.kind) == ("Anti-Terrorism Court I, Quetta", CourtKind.ATC)


# The phone form ----------------------------------------------------------------------------


@pytest.fixture
def second_monitor(django_user_model):
    return _staff(django_user_model, "omar", "Omar Farooq", MONITORS)


def test_second_monitor_recording_the_same_hearing_is_refused(monitor, second_monitor, case):
    first = _phone_form(monitor, case)
    second = {**_phone_form(second_monitor, case), "outcome": "not_taken_up", "adjournment_reason": "", "notes": ""}

    assert monitor.post(PHONE_URL, first).status_code == 302
    response = second_monitor.post(PHONE_URL, {**second, "next_date": ""})

    assert response.status_code == 409
    recorded, scheduled = case.hearings.order_by("date")
    errors = list(response.context["form"].non_field_errors())
    assert errors == [
        STALE,
        f"Sana Baloch changed hearing “{recorded}” (outcome, adjournment reason, next date, "
        "monitor present, notes, recorded by) on 25 Nov 2026 at 15:00.",
        f"Sana Baloch added hearing “{scheduled}” on 25 Nov 2026 at 15:00.",
    ]
    assert "Open the case's hearings as they are now" in response.content.decode()
    assert (recorded.outcome, recorded.notes) == ("adjourned", "PW-3 absent.")
    assert case.hearings.count() == 2


def test_phone_form_opened_before_an_editor_corrected_the_hearing_is_refused(monitor, bilal, case):
    hearing = case.hearings.get()
    phone = _phone_form(monitor, case)
    url = admin_url(Hearing, "change", hearing.pk)
    assert bilal.post(url, changeform_data(bilal, url, judge="Judge B", purpose="defence_evidence")).status_code == 302

    response = monitor.post(PHONE_URL, phone)

    assert response.status_code == 409
    assert list(response.context["form"].non_field_errors())[1] == (
        f"Bilal Ahmed changed hearing “{hearing}” (judge, purpose) on 25 Nov 2026 at 15:00."
    )
    hearing.refresh_from_db()
    assert (hearing.judge, hearing.purpose, hearing.outcome) == ("Judge B", "defence_evidence", "")


@pytest.mark.parametrize("token", [None, "forged", "other-case"])
def test_phone_form_without_a_valid_version_is_refused(monitor, case, token):
    data = _phone_form(monitor, case)
    if token == "other-case":
        data[VERSION_FIELD] = hearings_version(f.CaseFactory()).token()
    elif token:
        data[VERSION_FIELD] = token
    else:
        del data[VERSION_FIELD]
    response = monitor.post(PHONE_URL, data)
    assert response.status_code == 200
    assert list(response.context["form"].non_field_errors()) == [NO_VERSION]
    assert case.hearings.get().outcome == ""


def test_phone_form_answers_404_for_a_case_id_that_is_not_a_number(monitor):
    assert monitor.get(PHONE_URL, {"case": "12abc"}).status_code == 404
    assert monitor.post(PHONE_URL, {"case": "12abc"}).status_code == 404


def test_reading_the_version_takes_the_same_queries_for_one_hearing_or_many(case):
    version = hearings_version(case)
    with CaptureQueriesContext(connection) as one:
        version.read()
    for day in range(1, 6):
        f.HearingFactory(case=case, date=D(2026, 12, day))
    with CaptureQueriesContext(connection) as six:
        assert len(version.read()) == 6
    assert len(one) == len(six) == 1


# Two saves racing on PostgreSQL ------------------------------------------------------------


def _waiting_for_a_lock() -> bool:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'"
        )
        return cursor.fetchone()[0] > 0


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks: PostgreSQL only")
@pytest.mark.django_db(transaction=True)  # tests after it remake the groups (tests.conftest.ensure_roles)
def test_two_saves_racing_on_one_case_one_wins_the_other_is_refused(django_user_model):
    """The first save is held inside its transaction, after its check and its write; the second
    posts meanwhile. Without the lock the second would pass its check (the first has not
    committed), wait for the row, then overwrite it: with the lock it waits before its check and
    is refused."""
    first_client = _staff(django_user_model, "amina", "Amina Siddiqui", None)
    second_client = _staff(django_user_model, "bilal", "Bilal Ahmed", None)
    case = f.CaseFactory(case_number="Special Case 41/2026")
    f.HearingFactory(case=case, date=D(2026, 11, 20))
    url = admin_url(Case, "change", case.pk)
    first_data = changeform_data(first_client, url, public_notes="First", **{"hearings-0-notes": "Adjourned."})
    second_data = changeform_data(second_client, url, police_station="Saddar")

    written, release = threading.Event(), threading.Event()
    first_thread = {}

    def hold_the_first(sender, instance, **kwargs):
        if threading.get_ident() == first_thread.get("id"):
            written.set()
            release.wait(timeout=20)

    responses = {}

    def save(name, client, data):
        if name == "first":
            first_thread["id"] = threading.get_ident()
        try:
            responses[name] = client.post(url, data)
        finally:
            connection.close()

    post_save.connect(hold_the_first, sender=Case, dispatch_uid="stale-edit-race")
    try:
        first = threading.Thread(target=save, args=("first", first_client, first_data))
        first.start()
        assert written.wait(timeout=20)
        second = threading.Thread(target=save, args=("second", second_client, second_data))
        second.start()
        deadline = time.monotonic() + 20
        while not _waiting_for_a_lock() and time.monotonic() < deadline:
            time.sleep(0.05)
        assert _waiting_for_a_lock(), "the second save should wait for the first one's lock"
        release.set()
        first.join(timeout=30)
        second.join(timeout=30)
    finally:
        release.set()
        post_save.disconnect(dispatch_uid="stale-edit-race", sender=Case)

    assert responses["first"].status_code == 302
    assert responses["second"].status_code == 409
    hearing = case.hearings.get()
    assert list(responses["second"].context["adminform"].form.non_field_errors()) == [
        STALE,
        "Amina Siddiqui changed this case (public notes) on 25 Nov 2026 at 15:00.",
        f"Amina Siddiqui changed hearing “{hearing}” (notes) on 25 Nov 2026 at 15:00.",
    ]
    case.refresh_from_db()
    assert (case.public_notes, case.police_station, hearing.notes) == ("First", "", "Adjourned.")
