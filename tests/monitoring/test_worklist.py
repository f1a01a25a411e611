"""The worklist: each section on hand-built data, filters, roles, constant queries."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cases.models import Custody, HearingOutcome, Holiday, Stage
from core.models import Status
from monitoring.worklist import build_worklist
from tests import factories as f
from tests.conftest import TODAY, login

pytestmark = pytest.mark.django_db
URL = "/staff/worklist/"
D = datetime.date


@pytest.fixture
def world():
    """TODAY is Wednesday 2026-11-25. Two courts in two cities."""
    karachi = f.CityFactory(name="Karachi", slug="karachi")
    quetta = f.CityFactory(name="Quetta", slug="quetta")
    court_a = f.CourtFactory(name="ATC I, Karachi", city=karachi)
    court_b = f.CourtFactory(name="ATC II, Quetta", city=quetta)
    Holiday.objects.create(date=D(2026, 11, 9), name="Iqbal Day")
    # 17 weekdays after Mon 2 Nov to 25 Nov, minus the holiday on Mon 9 Nov = 16: 9 over.
    over = f.CaseFactory(
        court=court_a, case_number="SC 1/2026", cognizance_date=D(2026, 11, 2), last_verified_on=D(2026, 11, 20)
    )
    # Mon 16 Nov → 25 Nov: exactly 7 working days, not over.
    within = f.CaseFactory(
        court=court_b, case_number="SC 2/2026", cognizance_date=D(2026, 11, 16), last_verified_on=D(2026, 10, 1)
    )
    # Fri 13 Nov → 25 Nov: 8 working days, 1 over; a draft.
    draft = f.CaseFactory(court=court_a, case_number="SC 3/2026", cognizance_date=D(2026, 11, 13), status=Status.DRAFT)
    retracted = f.CaseFactory(
        court=court_a, case_number="SC 4/2026", cognizance_date=D(2020, 1, 1), status=Status.RETRACTED
    )
    decided = f.CaseFactory(
        court=court_b,
        case_number="SC 5/2026",
        cognizance_date=D(2025, 1, 6),
        judgment_date=D(2025, 6, 2),
        stage=Stage.DECIDED,
    )
    f.HearingFactory(case=over, date=D(2026, 11, 20))  # passed, no outcome
    f.HearingFactory(case=over, date=D(2026, 11, 18), outcome=HearingOutcome.PROCEEDED)  # recorded
    f.HearingFactory(case=within, date=D(2026, 12, 1))  # the next date
    f.HearingFactory(case=retracted, date=D(2026, 11, 2))  # retracted: never on the worklist
    f.ChargeFactory(case=within, accused=f.AccusedFactory(name="Absconder One"), custody=Custody.ABSCONDING)
    f.ChargeFactory(case=over, accused=f.AccusedFactory(name="In Custody"), custody=Custody.ARRESTED)
    f.ChargeFactory(case=draft, accused=f.AccusedFactory(name="Proclaimed Two"), custody=Custody.PROCLAIMED_OFFENDER)
    draft_incident = f.IncidentFactory(title="Draft attack", status=Status.DRAFT, city=quetta)
    f.IncidentFactory(title="Published attack")
    return {
        "court_a": court_a,
        "court_b": court_b,
        "over": over,
        "within": within,
        "draft": draft,
        "decided": decided,
        "draft_incident": draft_incident,
    }


def test_sections_on_hand_built_data(world):
    work = build_worklist(today=TODAY)
    assert [(c.case_number, n) for c, n in work.over_limit] == [("SC 1/2026", 9), ("SC 3/2026", 1)]
    assert [(h.case.case_number, h.date) for h in work.overdue_hearings] == [("SC 1/2026", D(2026, 11, 20))]
    assert [c.case_number for c in work.no_next_date] == ["SC 1/2026", "SC 3/2026"]
    assert [c.case_number for c in work.unverified] == ["SC 3/2026", "SC 2/2026"]  # never verified first
    assert [ch.accused.name for ch in work.absconding] == ["Proclaimed Two", "Absconder One"]
    assert [i.title for i in work.draft_incidents] == ["Draft attack"]
    assert [c.case_number for c in work.draft_cases] == ["SC 3/2026"]


def test_filter_by_court_and_city(world):
    work = build_worklist(today=TODAY, court=world["court_b"])
    assert work.over_limit == []
    assert [c.case_number for c in work.unverified] == ["SC 2/2026"]
    assert [ch.accused.name for ch in work.absconding] == ["Absconder One"]
    assert work.draft_cases == []
    work = build_worklist(today=TODAY, city=world["court_a"].city)
    assert [c.case_number for c, _ in work.over_limit] == ["SC 1/2026", "SC 3/2026"]
    assert work.draft_incidents == []  # the draft incident is in Quetta


def test_page_shows_rows_linked_to_the_admin(world, monitor_client):
    response = monitor_client.get(URL)
    assert response.status_code == 200
    body = response.content.decode()
    assert "9 working days over" in body
    assert "1 working day over" in body
    assert reverse("admin:cases_case_change", args=[world["over"].pk]) in body
    assert reverse("admin:incidents_incident_change", args=[world["draft_incident"].pk]) in body
    assert "SC 4/2026" not in body  # retracted


def test_page_filter_through_query_parameters(world, monitor_client):
    body = monitor_client.get(URL, {"city": "quetta"}).content.decode()
    assert "SC 2/2026" in body
    assert "SC 1/2026" not in body
    assert monitor_client.get(URL, {"court": "not-a-number"}).status_code == 200  # bad filter: ignored, shown


def test_anonymous_goes_to_login(client):
    response = client.get(URL)
    assert response.status_code == 302
    assert "login" in response["Location"]


def test_non_staff_never_sees_it(client, django_user_model):
    user = django_user_model.objects.create_user(username="reader", password="x-correct-horse-battery")
    login(client, user)
    response = client.get(URL)
    assert response.status_code in (302, 403)
    assert b"Worklist" not in response.content


def test_non_staff_refused_by_the_view_itself(rf, django_user_model):
    """The view checks staff itself too, not only the 2FA middleware."""
    from django.core.exceptions import PermissionDenied

    from monitoring.views import worklist

    request = rf.get(URL)
    request.user = django_user_model.objects.create_user(username="reader2", password="x-correct-horse-battery")
    with pytest.raises(PermissionDenied):
        worklist(request)


@pytest.mark.parametrize("role_client", ["monitor_client", "editor_client", "superuser_client"])
def test_every_staff_role_sees_it(role_client, request):
    assert request.getfixturevalue(role_client).get(URL).status_code == 200


def _queries(client) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(URL).status_code == 200
    return len(ctx.captured_queries)


def _one_of_each(court, n):
    case = f.CaseFactory(court=court, cognizance_date=D(2026, 1, 5), case_number=f"Bulk {n}")
    f.HearingFactory(case=case, date=D(2026, 11, 2))
    f.ChargeFactory(case=case, custody=Custody.ABSCONDING)
    f.CaseFactory(court=court, status=Status.DRAFT, case_number=f"Bulk draft {n}")
    f.IncidentFactory(status=Status.DRAFT)


def test_constant_number_of_queries(monitor_client):
    court = f.CourtFactory(name="ATC III, Lahore", city=f.CityFactory(name="Lahore", slug="lahore"))
    _one_of_each(court, 0)
    one = _queries(monitor_client)
    for n in range(1, 6):
        _one_of_each(court, n)
    assert _queries(monitor_client) == one


def test_mark_verified_today(world, monitor_client):
    case = world["within"]
    response = monitor_client.post(reverse("monitoring:mark_verified", args=[case.pk]), {"next": URL})
    assert response.status_code == 302
    assert response["Location"] == URL
    case.refresh_from_db()
    assert case.last_verified_on == TODAY
    assert case.history.first().last_verified_on == TODAY  # kept in the history


def test_mark_verified_needs_post_and_change_permission(world, client, staff_no_role):
    login(client, staff_no_role)
    url = reverse("monitoring:mark_verified", args=[world["within"].pk])
    assert client.post(url).status_code == 403
    world["within"].refresh_from_db()
    assert world["within"].last_verified_on == D(2026, 10, 1)


def test_mark_verified_refuses_a_foreign_next(world, monitor_client):
    url = reverse("monitoring:mark_verified", args=[world["within"].pk])
    response = monitor_client.post(url, {"next": "https://evil.example/"})
    assert response["Location"] == URL


def test_mark_verified_get_not_allowed(world, monitor_client):
    assert monitor_client.get(reverse("monitoring:mark_verified", args=[world["within"].pk])).status_code == 405


def test_admin_home_links_to_the_worklist(superuser_client):
    body = superuser_client.get("/admin/").content.decode()
    assert URL in body


def test_rows_are_capped_and_counts_stay_complete(world):
    work = build_worklist(today=TODAY, limit=1)
    assert [(c.case_number, n) for c, n in work.over_limit] == [("SC 1/2026", 9)]
    assert [c.case_number for c in work.unverified] == ["SC 3/2026"]
    assert work.counts == {
        "over_limit": 2,
        "overdue_hearings": 1,
        "no_next_date": 2,
        "unverified": 2,
        "absconding": 2,
        "draft_incidents": 1,
        "draft_cases": 1,
        "unresearched": 1,  # the published incident of the world: fatal, no published case, never checked
    }
    assert (work.total, work.draft_count) == (12, 2)


def test_page_says_when_a_section_is_cut(world, monitor_client, monkeypatch):
    monkeypatch.setattr("monitoring.views.SECTION_LIMIT", 1)
    body = monitor_client.get(URL).content.decode()
    assert "Showing the first 1 of 2." in body
