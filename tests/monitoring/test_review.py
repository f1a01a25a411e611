"""Review and publishing: the queue with its diffs, and who may publish, send back or retract."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from core.models import Correction, Status
from tests import factories as f
from tests.conftest import login

pytestmark = pytest.mark.django_db
QUEUE = "/staff/review/"
D = datetime.date


@pytest.fixture
def reopened():
    """An incident published with 5 killed in Quetta, then taken back to draft and edited."""
    quetta = f.CityFactory(name="Quetta", slug="quetta")
    incident = f.IncidentFactory(title="Snooker hall bombing", killed=5, injured=None, province=quetta.province)
    f.IncidentSourceFactory(incident=incident)
    incident.status = Status.DRAFT
    incident.killed = 7
    incident.injured = 100
    incident.city = quetta
    incident.save()
    return incident


def test_queue_shows_the_diff_against_the_last_published_version(reopened, monitor_client):
    response = monitor_client.get(QUEUE)
    assert response.status_code == 200
    (item,) = response.context["incidents"]
    assert item.published_before is True
    assert [(c.field, c.old, c.new) for c in item.changes] == [
        ("city", "—", "Quetta"),
        ("killed", "5", "7"),
        ("injured", "unknown", "100"),
    ]
    body = response.content.decode()
    assert "<del>5</del>" in body and "<ins>7</ins>" in body


def test_the_diff_uses_the_latest_published_version():
    incident = f.IncidentFactory(killed=5)
    incident.killed = 6
    incident.save()  # published again with 6
    incident.status, incident.killed = Status.DRAFT, 8
    incident.save()
    from monitoring.review import build_queue

    (item,) = build_queue("incident")
    assert [(c.field, c.old, c.new) for c in item.changes] == [("killed", "6", "8")]


def test_a_never_published_draft_is_marked_new(monitor_client):
    f.CaseFactory(case_number="New 1/2026", status=Status.DRAFT)
    (item,) = monitor_client.get(QUEUE).context["cases"]
    assert item.published_before is False
    assert "never published" in monitor_client.get(QUEUE).content.decode()


def test_monitors_see_no_buttons_and_cannot_post(reopened, monitor_client):
    body = monitor_client.get(QUEUE).content.decode()
    assert reverse("monitoring:publish", args=["incident", reopened.pk]) not in body
    for name, data in [("publish", {}), ("send_back", {"note": "Check the toll."})]:
        response = monitor_client.post(reverse(f"monitoring:{name}", args=["incident", reopened.pk]), data)
        assert response.status_code == 403
    retract = reverse("monitoring:retract", args=["incident", reopened.pk])
    assert monitor_client.post(retract, {"note": "x"}).status_code == 403
    reopened.refresh_from_db()
    assert (reopened.status, reopened.review_note) == (Status.DRAFT, "")


def test_editor_publishes(reopened, editor_client, editor):
    response = editor_client.post(reverse("monitoring:publish", args=["incident", reopened.pk]))
    assert response.status_code == 302
    reopened.refresh_from_db()
    assert reopened.status == Status.PUBLISHED
    assert reopened.updated_by == editor


def test_publishing_without_a_source_is_refused_with_a_message(editor_client):
    draft = f.IncidentFactory(status=Status.DRAFT)
    response = editor_client.post(reverse("monitoring:publish", args=["incident", draft.pk]), follow=True)
    assert "no source yet" in response.content.decode()
    draft.refresh_from_db()
    assert draft.status == Status.DRAFT


def test_editor_publishes_a_case(editor_client):
    draft = f.CaseFactory(status=Status.DRAFT)
    editor_client.post(reverse("monitoring:publish", args=["case", draft.pk]))
    draft.refresh_from_db()
    assert draft.status == Status.PUBLISHED


def test_editor_sends_back_with_a_note_and_the_draft_stays_draft(reopened, editor_client):
    url = reverse("monitoring:send_back", args=["incident", reopened.pk])
    editor_client.post(url, {"note": "Which source gives 7?"})
    reopened.refresh_from_db()
    assert (reopened.status, reopened.review_note) == (Status.DRAFT, "Which source gives 7?")
    assert "Which source gives 7?" in editor_client.get(QUEUE).content.decode()


def test_send_back_needs_a_note(reopened, editor_client):
    editor_client.post(reverse("monitoring:send_back", args=["incident", reopened.pk]), {"note": "  "})
    reopened.refresh_from_db()
    assert reopened.review_note == ""


def test_publish_a_published_record_or_unknown_kind_is_404(editor_client):
    published = f.IncidentFactory()
    assert editor_client.post(reverse("monitoring:publish", args=["incident", published.pk])).status_code == 404
    assert editor_client.post(reverse("monitoring:publish", args=["victim", published.pk])).status_code == 404


def test_publish_needs_post(reopened, editor_client):
    assert editor_client.get(reverse("monitoring:publish", args=["incident", reopened.pk])).status_code == 405


def test_retract_keeps_the_record_and_logs_the_public_note(editor_client):
    case = f.CaseFactory(case_number="SC 9/2013")
    url = reverse("monitoring:retract", args=["case", case.pk])
    assert editor_client.get(url).status_code == 200
    response = editor_client.post(url, {"note": "Entered twice; see SC 8/2013."})
    assert response.status_code == 302
    case.refresh_from_db()
    assert (case.status, case.retraction_note) == (Status.RETRACTED, "Entered twice; see SC 8/2013.")
    assert list(Correction.objects.values_list("record_label", "note")) == [
        (case.title, "Entered twice; see SC 8/2013.")
    ]


def test_retract_without_a_note_changes_nothing(editor_client):
    case = f.CaseFactory()
    response = editor_client.post(reverse("monitoring:retract", args=["case", case.pk]), {"note": ""})
    assert response.status_code == 200
    assert response.context["form"].errors["note"]
    case.refresh_from_db()
    assert case.status == Status.PUBLISHED
    assert not Correction.objects.exists()


def test_staff_without_a_role_may_read_the_queue_only(client, staff_no_role):
    draft = f.CaseFactory(status=Status.DRAFT)
    login(client, staff_no_role)
    assert client.get(QUEUE).status_code == 200
    assert client.post(reverse("monitoring:publish", args=["case", draft.pk])).status_code == 403


def test_anonymous_goes_to_login(client):
    assert "login" in client.get(QUEUE)["Location"]


def _queries(client) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(QUEUE).status_code == 200
    return len(ctx.captured_queries)


def _reopen(n):
    city = f.CityFactory(name=f"Town {n}", slug=f"town-{n}")
    incident = f.IncidentFactory(killed=n, province=city.province)
    incident.status, incident.city = Status.DRAFT, city
    incident.save()
    case = f.CaseFactory(case_number=f"Case {n}")
    case.status, case.court = Status.DRAFT, f.CourtFactory(name=f"Court {n}")
    case.save()


def test_queue_runs_a_constant_number_of_queries(editor_client):
    _reopen(0)
    one = _queries(editor_client)
    for n in range(1, 6):
        _reopen(n)
    assert _queries(editor_client) == one
