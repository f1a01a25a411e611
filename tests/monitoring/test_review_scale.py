"""The review queue at the scale of an import (issue 14 item 4): pages of 50, filters by kind, import
run and author, a new record reviewed in full, and publishing several after a confirmation page."""

from __future__ import annotations

import datetime
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from core.models import Status
from incidents.importing import get_format, run_import
from incidents.models import Incident
from monitoring.review import PAGE_SIZE
from tests import factories as f
from tests.conftest import login

pytestmark = pytest.mark.django_db
QUEUE = "/staff/review/"
BULK = "/staff/review/publish-selected/"
PBC_SMALL = Path(__file__).resolve().parent.parent / "fixtures" / "import" / "pbc_small.csv"
D = datetime.date


def draft_incident(title="Draft attack", *, sourced=True, **fields):
    incident = f.IncidentFactory(title=title, status=Status.DRAFT, **fields)
    if sourced:
        f.IncidentSourceFactory(incident=incident)
    return incident


def titles(response) -> list[str]:
    return [item.record.title for item in response.context["items"]]


def test_the_queue_is_paginated_by_50_newest_first(monitor_client):
    for n in range(PAGE_SIZE + 1):
        draft_incident(f"Draft {n:02d}", sourced=False)
    first = monitor_client.get(QUEUE)
    assert first.status_code == 200
    assert first.context["page"].paginator.count == PAGE_SIZE + 1
    assert titles(first) == [f"Draft {n:02d}" for n in range(PAGE_SIZE, 0, -1)]
    assert titles(monitor_client.get(QUEUE, {"page": 2})) == ["Draft 00"]
    assert "51 drafts: 1 to 50 shown, page 1 of 2." in first.content.decode()


@pytest.mark.parametrize("page", ["abc", "-1", "0", "99999999999999999999", "\u0661"])
def test_a_bad_page_number_shows_a_page_not_an_error(monitor_client, page):
    draft_incident()
    assert monitor_client.get(QUEUE, {"page": page}).status_code == 200


def test_both_kinds_in_one_list_and_the_kind_filter(monitor_client):
    incident = draft_incident("Draft incident")
    case = f.CaseFactory(case_number="Draft 1/2026", status=Status.DRAFT)
    both = monitor_client.get(QUEUE).context["items"]
    assert [(i.kind, i.record.pk) for i in both] == [("case", case.pk), ("incident", incident.pk)]
    only = monitor_client.get(QUEUE, {"kind": "incident"}).context["items"]
    assert [(i.kind, i.record.pk) for i in only] == [("incident", incident.pk)]
    only = monitor_client.get(QUEUE, {"kind": "case"}).context["items"]
    assert [(i.kind, i.record.pk) for i in only] == [("case", case.pk)]


def test_filter_by_who_made_the_draft(monitor_client, monitor, editor):
    mine = draft_incident("Mine", created_by=monitor)
    draft_incident("Theirs", created_by=editor)
    items = monitor_client.get(QUEUE, {"author": monitor.pk}).context["items"]
    assert [i.record.pk for i in items] == [mine.pk]


def test_filter_by_import_run(monitor_client, editor):
    call_command("load_seeds", "--no-holidays", stdout=StringIO())
    hand = draft_incident("Typed by hand", created_by=editor)
    before = set(Incident.objects.values_list("pk", flat=True))
    result = run_import(PBC_SMALL, get_format(name="pk-suicide-attacks"), user=editor)
    assert result.ok and result.created == 8
    imported = set(Incident.objects.values_list("pk", flat=True)) - before
    assert len(imported) == 8
    run = result.run
    response = monitor_client.get(QUEUE, {"run": run.pk})
    assert response.status_code == 200
    assert {i.record.pk for i in response.context["items"]} == imported
    # Without the filter the hand-made draft is there too.
    assert {i.record.pk for i in monitor_client.get(QUEUE).context["items"]} == imported | {hand.pk}
    # A case never comes from an import; the run offered in the filter is this one.
    assert monitor_client.get(QUEUE, {"run": run.pk, "kind": "case"}).context["items"] == []
    assert f'<option value="{run.pk}">' in monitor_client.get(QUEUE).content.decode()


@pytest.mark.parametrize("query", [{"run": "abc"}, {"run": "99999"}, {"kind": "victim"}, {"author": "-1"}])
def test_a_bad_filter_is_a_400_saying_so(monitor_client, query):
    response = monitor_client.get(QUEUE, query)
    assert response.status_code == 400
    assert "could not be read" in response.content.decode()


def test_a_new_record_shows_all_its_fields_and_sources(monitor_client):
    quetta = f.CityFactory(name="Quetta", slug="quetta")
    incident = draft_incident(
        "Market bombing", sourced=False, province=quetta.province, city=quetta, killed=None, locality="Meezan Chowk"
    )
    f.IncidentSourceFactory(
        incident=incident,
        source=f.SourceFactory(title="Dawn report", url="https://example.org/dawn"),
        reported_killed=4,
    )
    (item,) = monitor_client.get(QUEUE).context["items"]
    assert item.published_before is False
    shown = {v.field: v.value for v in item.fields}
    assert shown["title"] == "Market bombing"
    assert shown["city"] == "Quetta"
    assert shown["locality"] == "Meezan Chowk"
    assert shown["killed"] == "unknown"
    assert shown["latitude"] == "—"
    body = monitor_client.get(QUEUE).content.decode()
    assert "New record, never published: all its fields" in body
    assert '<a href="https://example.org/dawn" rel="noopener noreferrer">Dawn report</a>' in body
    assert "4 killed" in body


def test_a_new_case_shows_its_fields_offences_and_incidents(monitor_client):
    case = f.CaseFactory(case_number="ATC 12/2026", status=Status.DRAFT)
    case.incidents.add(f.IncidentFactory(title="Bus attack"))
    (item,) = monitor_client.get(QUEUE).context["items"]
    shown = {v.field: v.value for v in item.fields}
    assert shown["case number"] == "ATC 12/2026"
    assert shown["incidents"].endswith("Bus attack")
    assert shown["offences"] == "—"


# -- publishing several -----------------------------------------------------------------------------


def test_editor_ticks_several_sees_them_listed_then_publishes(editor_client, editor):
    one, two = draft_incident("One"), draft_incident("Two")
    case = f.CaseFactory(case_number="ATC 1/2026", status=Status.DRAFT)
    selected = [f"incident:{one.pk}", f"case:{case.pk}", f"incident:{two.pk}"]
    confirm = editor_client.post(BULK, {"selected": selected, "next": "/staff/review/?kind=incident"})
    assert confirm.status_code == 200
    body = confirm.content.decode()
    assert "Publish 3 drafts?" in body
    assert "One" in body and "Two" in body and "ATC 1/2026" in body
    assert Incident.objects.filter(status=Status.DRAFT).count() == 2  # nothing published yet
    done = editor_client.post(BULK, {"selected": selected, "confirm": "yes", "next": "/staff/review/?kind=incident"})
    assert done.status_code == 302 and done["Location"] == "/staff/review/?kind=incident"
    for record in (one, two, case):
        record.refresh_from_db()
        assert (record.status, record.updated_by) == (Status.PUBLISHED, editor)
        assert record.history.first().history_user == editor  # published through publish(user)


def test_a_draft_that_cannot_be_published_is_reported_and_the_others_published(editor_client):
    good, bare = draft_incident("Sourced"), draft_incident("Unsourced", sourced=False)
    response = editor_client.post(
        BULK, {"selected": [f"incident:{bare.pk}", f"incident:{good.pk}"], "confirm": "yes"}, follow=True
    )
    body = response.content.decode()
    assert "Published 1: " in body and "Not published: " in body and "no source yet" in body
    good.refresh_from_db()
    bare.refresh_from_db()
    assert (good.status, bare.status) == (Status.PUBLISHED, Status.DRAFT)


def test_a_record_no_longer_a_draft_is_left_alone(editor_client):
    published = f.IncidentFactory(title="Already out", killed=3)
    draft = draft_incident("Waiting")
    response = editor_client.post(
        BULK, {"selected": [f"incident:{published.pk}", f"incident:{draft.pk}"], "confirm": "yes"}, follow=True
    )
    assert "1 of the drafts chosen are no longer drafts" in response.content.decode()
    draft.refresh_from_db()
    assert draft.status == Status.PUBLISHED


def test_monitors_cannot_publish_several(monitor_client):
    draft = draft_incident()
    assert monitor_client.post(BULK, {"selected": [f"incident:{draft.pk}"], "confirm": "yes"}).status_code == 403
    draft.refresh_from_db()
    assert draft.status == Status.DRAFT
    assert 'id="bulk-publish"' not in monitor_client.get(QUEUE).content.decode()


def test_the_editor_sees_the_checkboxes(editor_client):
    draft = draft_incident()
    body = editor_client.get(QUEUE).content.decode()
    assert f'value="incident:{draft.pk}" form="bulk-publish"' in body
    assert 'id="bulk-publish"' in body


@pytest.mark.parametrize(
    "selected", [["incident:abc"], ["victim:1"], ["incident:-1"], ["incident:99999999999999999999"], ["a\x00b"]]
)
def test_a_malformed_selection_is_a_400_and_publishes_nothing(editor_client, selected):
    draft = draft_incident()
    response = editor_client.post(BULK, {"selected": [*selected, f"incident:{draft.pk}"], "confirm": "yes"})
    assert response.status_code == 400
    draft.refresh_from_db()
    assert draft.status == Status.DRAFT


def test_more_than_a_page_is_refused(editor_client):
    response = editor_client.post(BULK, {"selected": [f"incident:{n}" for n in range(1, PAGE_SIZE + 2)]})
    assert response.status_code == 400
    assert f"at most {PAGE_SIZE}" in response.content.decode()


def test_nothing_ticked_says_so(editor_client):
    response = editor_client.post(BULK, {"confirm": "yes"}, follow=True)
    assert "Tick the drafts to publish first" in response.content.decode()


def test_an_outside_next_is_ignored(editor_client):
    draft = draft_incident()
    response = editor_client.post(
        BULK, {"selected": [f"incident:{draft.pk}"], "confirm": "yes", "next": "https://evil.example/"}
    )
    assert response["Location"] == reverse("monitoring:review_queue")


def test_bulk_publish_needs_post_and_csrf(editor):
    draft = draft_incident()
    client = login(Client(enforce_csrf_checks=True), editor)
    assert client.get(BULK).status_code == 405
    assert client.post(BULK, {"selected": [f"incident:{draft.pk}"], "confirm": "yes"}).status_code == 403
    draft.refresh_from_db()
    assert draft.status == Status.DRAFT


# -- a constant number of queries --------------------------------------------------------------------


def _queries(client, **params) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(QUEUE, params).status_code == 200
    return len(ctx.captured_queries)


def _drafts(n: int, offset: int = 0):
    for i in range(offset, offset + n):
        city = f.CityFactory(name=f"Town {i}", slug=f"town-{i}")
        incident = draft_incident(f"New {i}", province=city.province, city=city)
        incident.communities.add(f.CommunityFactory())
        reopened = f.IncidentFactory(killed=i)
        reopened.status, reopened.killed = Status.DRAFT, i + 1
        reopened.save()
        case = f.CaseFactory(case_number=f"Case {i}", status=Status.DRAFT)
        case.incidents.add(incident)
        case.offences.add(f.OffenceFactory())


def test_a_full_page_costs_the_same_queries_as_a_short_one(editor_client, editor):
    _drafts(1)
    short = _queries(editor_client)
    filtered = _queries(editor_client, author=editor.pk, kind="incident")
    _drafts(24, offset=1)  # 75 drafts: a full page of 50 and a second page
    assert _queries(editor_client) == short
    assert _queries(editor_client, page=2) == short
    assert _queries(editor_client, author=editor.pk, kind="incident") == filtered
