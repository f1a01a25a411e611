"""The incidents admin: per-row counts, autocomplete for monitors, the read-only corrections log."""

from __future__ import annotations

import pytest
from django.contrib import admin

from core.models import Correction, Status
from incidents.models import Incident
from tests.admin_forms import admin_url, changeform_data
from tests.factories import CityFactory, IncidentFactory, IncidentSourceFactory, ProvinceFactory

pytestmark = pytest.mark.django_db


def test_changelist_counts_sources_per_incident(superuser_client):
    two = IncidentFactory(title="Two sources")
    IncidentSourceFactory.create_batch(2, incident=two)
    none = IncidentFactory(title="No source", status=Status.DRAFT)
    response = superuser_client.get(admin_url(Incident))
    rows = {row.pk: row for row in response.context["cl"].result_list}
    incident_admin = admin.site._registry[Incident]
    assert incident_admin.source_count(rows[two.pk]) == 2
    assert incident_admin.source_count(rows[none.pk]) == 0


def test_changelist_filters_by_status_and_searches_by_city(superuser_client):
    quetta = CityFactory(name="Quetta", slug="quetta")
    draft = IncidentFactory(status=Status.DRAFT, city=quetta, province=quetta.province)
    IncidentFactory(status=Status.PUBLISHED)
    response = superuser_client.get(admin_url(Incident), {"status__exact": "draft"})
    assert [row.pk for row in response.context["cl"].result_list] == [draft.pk]
    response = superuser_client.get(admin_url(Incident), {"q": "quetta"})
    assert [row.pk for row in response.context["cl"].result_list] == [draft.pk]


def test_monitor_can_pick_a_city_with_autocomplete(monitor_client):
    ProvinceFactory(name="Balochistan", slug="balochistan")
    CityFactory(name="Quetta", slug="quetta")
    CityFactory(name="Karachi", slug="karachi")
    params = {"app_label": "incidents", "model_name": "incident", "field_name": "city", "term": "quet"}
    response = monitor_client.get("/admin/autocomplete/", params)
    assert response.status_code == 200
    assert [result["text"] for result in response.json()["results"]] == ["Quetta"]


def test_corrections_log_is_read_only_even_for_editors(editor_client, editor):
    incident = IncidentFactory(status=Status.PUBLISHED)
    correction = incident.retract(editor, "Duplicate record.")
    assert editor_client.get(admin_url(Correction)).status_code == 200
    assert editor_client.get(admin_url(Correction, "add")).status_code == 403
    url = admin_url(Correction, "change", correction.pk)
    assert editor_client.post(url, {"note": "Rewritten"}).status_code == 403
    assert editor_client.post(admin_url(Correction, "delete", correction.pk), {"post": "yes"}).status_code == 403
    correction.refresh_from_db()
    assert correction.note == "Duplicate record."


def test_incident_history_page_shows_who_changed_what(editor_client, editor):
    incident = IncidentFactory(status=Status.DRAFT, killed=3)
    IncidentSourceFactory(incident=incident)
    incident.publish(editor)
    response = editor_client.get(admin_url(Incident, "history", incident.pk))
    assert response.status_code == 200
    content = response.content.decode()
    table = content[content.index('id="change-history"') :]
    newest_row = table[table.index("<tbody>") : table.index("</tr>", table.index("<tbody>"))]
    assert "editor" in newest_row
    assert "<strong>Status:</strong>" in newest_row
    assert "draft" in newest_row and "published" in newest_row


def test_incident_history_page_lists_changes_to_its_sources_with_who_and_what(monitor_client, monitor):
    incident = IncidentFactory(status=Status.DRAFT)
    link = IncidentSourceFactory(incident=incident, reported_killed=3)
    url = admin_url(Incident, "change", incident.pk)
    data = changeform_data(monitor_client, url, **{"source_links-0-reported_killed": "5"})
    assert monitor_client.post(url, data).status_code == 302
    response = monitor_client.get(admin_url(Incident, "history", incident.pk))
    changes = response.context["related_changes"]
    assert [(c["label"], c["record"].history_type, c["fields"]) for c in changes] == [
        (f"source of an incident #{link.pk}", "~", ["reported killed"]),
        (f"source of an incident #{link.pk}", "+", []),
    ]
    assert changes[0]["record"].history_user == monitor
    assert "Changes to the rows entered on this form" in response.content.decode()
