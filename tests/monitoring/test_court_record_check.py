"""'Court record checked: nothing found': the worklist's unresearched incidents, the action per role,
a monitor's check waiting for an editor in the review queue, and the incident admin's field."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cases import justice
from core.models import Status
from incidents.models import CourtRecordCheck, Incident
from monitoring.worklist import build_worklist
from tests import factories as f
from tests.conftest import TODAY, login

pytestmark = pytest.mark.django_db
D = datetime.date


@pytest.fixture
def incidents():
    """Fatal published incidents: one with a published case, one already checked, two not researched
    (one of them with only a draft case); and a non-fatal and a draft one, never listed."""
    with_case = f.IncidentFactory(title="With a case", killed=3, date=D(2012, 1, 1))
    f.CaseFactory(incidents=[with_case])
    checked = f.IncidentFactory(title="Checked", killed=3, date=D(2012, 2, 1), court_record_checked_on=D(2020, 1, 1))
    older = f.IncidentFactory(title="Older", killed=2, date=D(2011, 5, 1))
    draft_case_only = f.IncidentFactory(title="Draft case only", killed=9, date=D(2013, 1, 1))
    f.CaseFactory(incidents=[draft_case_only], status=Status.DRAFT)
    f.IncidentFactory(title="Nobody killed", killed=0, date=D(2012, 1, 1))
    f.IncidentFactory(title="A draft", killed=4, status=Status.DRAFT)
    return {"with_case": with_case, "checked": checked, "older": older, "draft_case_only": draft_case_only}


def researched_count() -> int:
    return justice.impunity(incidents=Incident.objects.public(), today=TODAY).researched


def test_worklist_lists_fatal_published_incidents_not_researched_oldest_first(incidents):
    work = build_worklist(today=TODAY)
    assert [i.title for i in work.unresearched] == ["Older", "Draft case only"]
    assert work.counts["unresearched"] == 2


def test_editor_records_the_check_at_once_and_the_incident_counts_as_researched(client, editor, incidents):
    login(client, editor)
    assert researched_count() == 2
    response = client.post(reverse("monitoring:court_record_checked", args=[incidents["older"].pk]))
    assert response.status_code == 302
    incidents["older"].refresh_from_db()
    assert incidents["older"].court_record_checked_on == TODAY
    assert researched_count() == 3
    assert not CourtRecordCheck.objects.exists()
    # Kept in the incident's history, with who and why.
    latest = incidents["older"].history.latest()
    assert (latest.history_user, latest.court_record_checked_on) == (editor, TODAY)
    assert "nothing found" in latest.history_change_reason
    assert [i.title for i in build_worklist(today=TODAY).unresearched] == ["Draft case only"]


def test_monitors_check_waits_for_an_editor_then_counts(client, monitor, editor, incidents):
    older = incidents["older"]
    login(client, monitor)
    client.post(reverse("monitoring:court_record_checked", args=[older.pk]))
    older.refresh_from_db()
    # Nothing changed on the published incident: the check waits in the review queue.
    assert older.court_record_checked_on is None
    assert researched_count() == 2
    check = CourtRecordCheck.objects.get()
    assert (check.incident, check.checked_on, check.checked_by) == (older, TODAY, monitor)
    worklist = client.get(reverse("monitoring:worklist")).content.decode()
    assert "waiting for review" in worklist
    queue = client.get(reverse("monitoring:review_queue")).content.decode()
    assert "Older" in queue and reverse("monitoring:confirm_court_check", args=[check.pk]) not in queue
    # A monitor cannot confirm it.
    assert client.post(reverse("monitoring:confirm_court_check", args=[check.pk])).status_code == 403
    assert researched_count() == 2
    # The editor confirms it: the incident is researched, with the monitor named in its history.
    client.logout()
    login(client, editor)
    assert (
        reverse("monitoring:confirm_court_check", args=[check.pk])
        in client.get(reverse("monitoring:review_queue")).content.decode()
    )
    client.post(reverse("monitoring:confirm_court_check", args=[check.pk]))
    older.refresh_from_db()
    assert older.court_record_checked_on == TODAY
    assert researched_count() == 3
    assert not CourtRecordCheck.objects.exists()
    latest = older.history.latest()
    assert latest.history_user == editor and monitor.username in latest.history_change_reason


def test_editor_discards_a_monitors_check(client, monitor, editor, incidents):
    older = incidents["older"]
    older.record_court_check(monitor, TODAY)
    check = CourtRecordCheck.objects.get()
    login(client, editor)
    client.post(reverse("monitoring:discard_court_check", args=[check.pk]))
    older.refresh_from_db()
    assert older.court_record_checked_on is None and not CourtRecordCheck.objects.exists()


def test_monitor_sets_the_date_on_a_draft_incident_directly(monitor):
    draft = f.IncidentFactory(status=Status.DRAFT, killed=1)
    assert draft.record_court_check(monitor, TODAY) is None
    draft.refresh_from_db()
    assert draft.court_record_checked_on == TODAY


def test_staff_without_a_role_and_the_public_cannot_record_a_check(client, staff_no_role, incidents):
    url = reverse("monitoring:court_record_checked", args=[incidents["older"].pk])
    assert client.post(url).status_code == 302  # anonymous: to the login page
    login(client, staff_no_role)
    assert client.post(url).status_code == 403
    assert "Court record checked: nothing found" not in client.get(reverse("monitoring:worklist")).content.decode()
    incidents["older"].refresh_from_db()
    assert incidents["older"].court_record_checked_on is None and not CourtRecordCheck.objects.exists()


def test_a_check_of_a_draft_or_unknown_incident_is_404(client, editor):
    login(client, editor)
    draft = f.IncidentFactory(status=Status.DRAFT)
    assert client.post(reverse("monitoring:court_record_checked", args=[draft.pk])).status_code == 404
    assert client.post(reverse("monitoring:court_record_checked", args=[99999])).status_code == 404
    assert client.get(reverse("monitoring:court_record_checked", args=[99999])).status_code == 405


def test_a_later_check_keeps_the_latest_date(editor, incidents):
    checked = incidents["checked"]
    checked.record_court_check(editor, D(2019, 1, 1))  # earlier than the one recorded: kept as it was
    checked.refresh_from_db()
    assert checked.court_record_checked_on == D(2020, 1, 1)


def test_incident_admin_shows_the_field_and_refuses_a_future_date(client, editor, incidents):
    login(client, editor)
    older = incidents["older"]
    page = client.get(reverse("admin:incidents_incident_change", args=[older.pk])).content.decode()
    assert 'name="court_record_checked_on"' in page
    older.court_record_checked_on = TODAY + datetime.timedelta(days=1)
    with pytest.raises(ValidationError, match="future"):
        older.full_clean()
    older.court_record_checked_on = D(2011, 4, 1)
    with pytest.raises(ValidationError, match="before the incident"):
        older.full_clean()


def test_worklist_queries_do_not_grow_with_unresearched_incidents(client, editor, incidents):
    login(client, editor)
    client.get(reverse("monitoring:worklist"))
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("monitoring:worklist"))
    for n in range(5):
        f.IncidentFactory(title=f"More {n}", killed=1)
    with CaptureQueriesContext(connection) as many:
        client.get(reverse("monitoring:worklist"))
    assert len(many.captured_queries) == len(few.captured_queries)
