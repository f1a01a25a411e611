"""Atom feeds of new and changed published incidents and cases, and of corrections."""

from __future__ import annotations

import datetime
import xml.etree.ElementTree as ET

import pytest
from django.contrib.contenttypes.models import ContentType

from cases.models import Case
from core.models import Correction, Status
from incidents.feeds import FEED_LIMIT
from incidents.models import Incident
from tests import factories as f
from tests.api_world import assert_no_secrets, build_world

pytestmark = pytest.mark.django_db
ATOM = "{http://www.w3.org/2005/Atom}"


def entries(response) -> list[dict]:
    assert response.status_code == 200, response.content
    assert response["Content-Type"].startswith("application/atom+xml")
    root = ET.fromstring(response.content)  # noqa: S314  (our own response, in a test)
    assert root.findtext(f"{ATOM}author/{ATOM}name") == "Tracker"  # required by RFC 4287
    return [
        {
            "title": e.findtext(f"{ATOM}title"),
            "link": e.find(f"{ATOM}link").get("href"),
            "id": e.findtext(f"{ATOM}id"),
            "published": e.findtext(f"{ATOM}published"),
            "updated": e.findtext(f"{ATOM}updated"),
            "summary": e.findtext(f"{ATOM}summary"),
            "categories": [c.get("term") for c in e.findall(f"{ATOM}category")],
        }
        for e in root.findall(f"{ATOM}entry")
    ]


def test_incident_feed_entry_shows_public_fields_only(client):
    world = build_world()
    response = client.get("/feeds/incidents/")
    assert entries(response) == [
        {
            "title": "Shooting at a clinic (2012-03-10)",
            "link": f"http://testserver/incidents/{world.incident.pk}/",
            "id": f"http://testserver/incidents/{world.incident.pk}/",
            "published": "2012-03-11T05:00:00+00:00",
            "updated": "2013-01-02T07:30:00+00:00",
            "summary": "10 March 2012, Soldier Bazaar, Karachi, Sindh. Target killing. Killed: 2; injured: unknown. "
            "Communities targeted: Shia. Two doctors shot dead; injured not reported.",
            "categories": ["Target killing", "Shia"],
        }
    ]
    assert_no_secrets(response.content.decode())


def test_incident_feed_is_ordered_by_last_change_and_limited(client):
    old = f.IncidentFactory(title="Changed long ago")
    recent = f.IncidentFactory(title="Changed recently")
    Incident.objects.filter(pk=old.pk).update(updated_at=datetime.datetime(2013, 1, 1, tzinfo=datetime.UTC))
    Incident.objects.filter(pk=recent.pk).update(updated_at=datetime.datetime(2014, 1, 1, tzinfo=datetime.UTC))
    assert [e["title"].split(" (")[0] for e in entries(client.get("/feeds/incidents/"))] == [
        "Changed recently",
        "Changed long ago",
    ]
    f.IncidentFactory.create_batch(FEED_LIMIT)
    assert len(entries(client.get("/feeds/incidents/"))) == FEED_LIMIT


def test_incident_feed_takes_the_list_filters(client):
    world = build_world()
    f.IncidentFactory(title="Elsewhere")
    assert [e["title"] for e in entries(client.get("/feeds/incidents/?province=sindh"))] == [
        "Shooting at a clinic (2012-03-10)"
    ]
    assert entries(client.get("/feeds/incidents/?community=shia&date_from=2013-01-01")) == []
    # The feed's own link is the incident list with the same filters.
    root = ET.fromstring(client.get("/feeds/incidents/?province=sindh").content)  # noqa: S314
    assert root.find(f"{ATOM}link[@rel='alternate']").get("href") == "http://testserver/incidents/?province=sindh"
    assert world.incident.pk


def test_bad_feed_filter_is_400_with_a_message(client):
    response = client.get("/feeds/incidents/?date_from=soon&province=atlantis")
    assert response.status_code == 400
    text = response.content.decode()
    assert "date_from: Enter a valid date." in text
    assert "province: Select a valid choice." in text
    assert client.get("/feeds/cases/?stage=finished").status_code == 400


def test_drafts_and_retracted_records_are_in_no_feed(client):
    world = build_world()
    incidents = entries(client.get("/feeds/incidents/"))
    cases = entries(client.get("/feeds/cases/"))
    assert [e["link"] for e in incidents] == [f"http://testserver/incidents/{world.incident.pk}/"]
    assert [e["link"] for e in cases] == [f"http://testserver/cases/{world.case.pk}/"]
    Incident.objects.filter(pk=world.incident.pk).update(status=Status.RETRACTED)
    Case.objects.filter(pk=world.case.pk).update(status=Status.RETRACTED)
    assert entries(client.get("/feeds/incidents/")) == []
    assert entries(client.get("/feeds/cases/")) == []


def test_case_feed_entry(client):
    world = build_world()
    response = client.get("/feeds/cases/")
    assert entries(response) == [
        {
            "title": "Special Case 12/2012, Anti-Terrorism Court II, Karachi",
            "link": f"http://testserver/cases/{world.case.pk}/",
            "id": f"http://testserver/cases/{world.case.pk}/",
            "published": "2012-03-11T05:00:00+00:00",
            "updated": "2013-01-02T07:30:00+00:00",
            "summary": "Stage: Decided. Dates: FIR 10 March 2012; cognizance 1 June 2012; judgment 10 January 2013. "
            "Two accused tried together.",
            "categories": ["Decided"],
        }
    ]
    assert_no_secrets(response.content.decode())
    court = [e["title"] for e in entries(client.get(f"/feeds/cases/?court={world.other_court.pk}"))]
    assert court == []


def test_record_text_is_escaped_as_text(client):
    f.IncidentFactory(title="A <b>bold</b> title", description="<script>alert(1)</script>")
    entry = entries(client.get("/feeds/incidents/"))[0]
    # The summary is HTML: the record's own markup arrives as visible text, not as markup.
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in entry["summary"]


def test_feeds_run_a_constant_number_of_queries(client, django_assert_num_queries):
    world = build_world()
    with django_assert_num_queries(2):  # incidents with places + communities
        client.get("/feeds/incidents/")
    with django_assert_num_queries(1):
        client.get("/feeds/cases/")
    for _ in range(8):
        f.IncidentFactory(province=world.sindh, city=world.karachi, communities=[world.shia])
        f.CaseFactory(court=world.court)
    with django_assert_num_queries(2):
        assert len(entries(client.get("/feeds/incidents/"))) == 9
    with django_assert_num_queries(1):
        assert len(entries(client.get("/feeds/cases/"))) == 9


def test_corrections_feed_lists_public_fields_newest_first(client, django_user_model):
    author = django_user_model.objects.create_user(username="corrector-username-q9", password="x-unused-pw-123")
    incident = f.IncidentFactory(title="Quetta blast", date=datetime.date(2013, 1, 10))
    kind = ContentType.objects.get_for_model(Incident)
    first = Correction.objects.create(
        content_type=kind,
        object_id=incident.pk,
        record_label="2013-01-10 Quetta blast",
        record_url=incident.get_absolute_url(),
        field="killed",
        old_value="81",
        new_value="93",
        note="Hospital list, 12 January.",
        created_by=author,
    )
    second = Correction.objects.create(
        content_type=kind, object_id=incident.pk, record_label="2013-01-10 Quetta blast", note="Retracted: duplicate."
    )
    Correction.objects.filter(pk=first.pk).update(created_at=datetime.datetime(2013, 1, 12, tzinfo=datetime.UTC))
    Correction.objects.filter(pk=second.pk).update(created_at=datetime.datetime(2013, 2, 1, tzinfo=datetime.UTC))
    response = client.get("/feeds/corrections/")
    assert entries(response) == [
        {
            "title": "Correction to 2013-01-10 Quetta blast",
            "link": f"http://testserver/corrections/#correction-{second.pk}",
            "id": f"http://testserver/corrections/#correction-{second.pk}",
            "published": "2013-02-01T00:00:00+00:00",
            "updated": "2013-02-01T00:00:00+00:00",
            "summary": "Retracted: duplicate.",
            "categories": [],
        },
        {
            "title": "2013-01-10 Quetta blast: killed corrected",
            "link": f"http://testserver/corrections/#correction-{first.pk}",
            "id": f"http://testserver/corrections/#correction-{first.pk}",
            "published": "2013-01-12T00:00:00+00:00",
            "updated": "2013-01-12T00:00:00+00:00",
            "summary": "killed: 81 → 93. Hospital list, 12 January.",
            "categories": [],
        },
    ]
    assert "corrector-username-q9" not in response.content.decode()
