"""The staff calendar page and the private, revocable iCalendar feed."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from core.models import Status
from monitoring.calendar import by_day_and_court, upcoming_hearings
from monitoring.models import CalendarToken
from tests import factories as f
from tests.conftest import TODAY

pytestmark = pytest.mark.django_db
PAGE = "/staff/calendar/"
D = datetime.date


@pytest.fixture
def hearings():
    a = f.CourtFactory(name="ATC A")
    b = f.CourtFactory(name="ATC B")
    published = f.CaseFactory(court=b, case_number="Pub 1")
    draft = f.CaseFactory(court=a, case_number="Draft 2", status=Status.DRAFT)
    retracted = f.CaseFactory(court=a, case_number="Gone 3", status=Status.RETRACTED)
    f.HearingFactory(case=published, date=TODAY)
    f.HearingFactory(case=draft, date=TODAY)
    f.HearingFactory(case=published, date=D(2026, 12, 2), court=a)  # heard before another court that day
    f.HearingFactory(case=retracted, date=D(2026, 12, 2))
    f.HearingFactory(case=published, date=D(2026, 11, 24))  # past
    f.HearingFactory(case=published, date=D(2027, 3, 1))  # beyond four weeks
    return {"published": published, "draft": draft}


def test_upcoming_hearings_grouped_by_day_and_court(hearings):
    days = by_day_and_court(upcoming_hearings(today=TODAY, days=28))
    shown = [(day, [(court, [h.case.case_number for h in rows]) for court, rows in courts]) for day, courts in days]
    assert shown == [
        (TODAY, [("ATC A", ["Draft 2"]), ("ATC B", ["Pub 1"])]),
        (D(2026, 12, 2), [("ATC A", ["Pub 1"])]),
    ]


def test_page_lists_them_for_monitors(hearings, monitor_client):
    body = monitor_client.get(PAGE).content.decode()
    assert "Wednesday 25 November 2026" in body
    assert "Draft 2" in body and "Gone 3" not in body


def test_page_runs_a_constant_number_of_queries(monitor_client):
    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert monitor_client.get(PAGE).status_code == 200
        return len(ctx.captured_queries)

    f.HearingFactory(date=TODAY)
    one = count()
    for n in range(1, 6):
        f.HearingFactory(date=TODAY + datetime.timedelta(days=n), case=f.CaseFactory(court=f.CourtFactory()))
    assert count() == one


def test_token_made_regenerated_and_revoked(hearings, monitor_client, monitor, client):
    monitor_client.post(reverse("monitoring:calendar_token"), {"action": "regenerate"})
    token = CalendarToken.objects.get(user=monitor)
    page = monitor_client.get(PAGE).content.decode()
    assert f"/staff/calendar/{token.token}.ics" in page
    first = token.token
    monitor_client.post(reverse("monitoring:calendar_token"), {"action": "regenerate"})
    token.refresh_from_db()
    assert token.token != first
    monitor_client.post(reverse("monitoring:calendar_token"), {"action": "revoke"})
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert f"/staff/calendar/{token.token}.ics" not in monitor_client.get(PAGE).content.decode()


def _feed(rf, token):
    from monitoring.calendar import staff_feed

    return staff_feed(rf.get(f"/staff/calendar/{token}.ics"), token)


def test_feed_holds_every_upcoming_hearing_including_drafts(hearings, monitor, rf):
    token = CalendarToken.objects.create(user=monitor)
    response = _feed(rf, token.token)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    body = response.content.decode()
    assert body.count("BEGIN:VEVENT") == 4
    assert "Draft 2" in body and "Gone 3" not in body
    assert "DTSTART;VALUE=DATE:20261125" in body


def test_unknown_revoked_or_regenerated_tokens_are_404(hearings, monitor, rf):
    from django.http import Http404

    token = CalendarToken.objects.create(user=monitor)
    old = token.token
    token.regenerate()
    for value in ["nope", old]:
        with pytest.raises(Http404):
            _feed(rf, value)
    token.revoke()
    with pytest.raises(Http404):
        _feed(rf, token.token)


def test_a_token_stops_working_when_its_owner_leaves_the_staff(hearings, monitor, rf):
    from django.http import Http404

    token = CalendarToken.objects.create(user=monitor)
    monitor.is_staff = False
    monitor.save()
    with pytest.raises(Http404):
        _feed(rf, token.token)


def test_feed_url_answers_without_a_session(hearings, monitor, client):
    """Calendar apps cannot log in: the token alone opens the feed, past the staff 2FA gate."""
    token = CalendarToken.objects.create(user=monitor)
    response = client.get(f"/staff/calendar/{token.token}.ics")
    assert response.status_code == 200
    assert client.get("/staff/calendar/not-a-token.ics").status_code == 404
