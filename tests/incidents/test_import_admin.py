"""The admin import: upload → dry-run preview → confirm; only holders of incidents.import_incidents."""

from __future__ import annotations

from io import StringIO
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse

from core.models import Status
from incidents.models import ImportRun, Incident

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "import"
IMPORT_URL = "/admin/incidents/importrun/import/"
CONFIRM_URL = "/admin/incidents/importrun/import/confirm/"

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def seeded(db):
    call_command("load_seeds", "--no-holidays", stdout=StringIO())


def upload(name: str = "pbc_small.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, (FIXTURES / name).read_bytes(), content_type="text/csv")


def test_urls_are_the_admin_ones():
    assert reverse("admin:incidents_importrun_import") == IMPORT_URL
    assert reverse("admin:incidents_importrun_import_confirm") == CONFIRM_URL


def test_monitor_cannot_open_or_post_the_import(monitor_client):
    before = Incident.objects.count()
    assert monitor_client.get(IMPORT_URL).status_code == 403
    response = monitor_client.post(IMPORT_URL, {"file": upload(), "format": "pk-suicide-attacks"})
    assert response.status_code == 403
    assert monitor_client.post(CONFIRM_URL, {"token": "anything"}).status_code == 403
    assert Incident.objects.count() == before
    assert not ImportRun.objects.exists()


def test_anonymous_is_sent_to_login(client):
    response = client.post(IMPORT_URL, {"file": upload(), "format": "pk-suicide-attacks"})
    assert response.status_code == 302
    assert not ImportRun.objects.exists()


def test_editor_sees_the_import_button_and_form(editor_client):
    assert "Import a file" in editor_client.get("/admin/incidents/importrun/").content.decode()
    response = editor_client.get(IMPORT_URL)
    assert response.status_code == 200
    assert 'name="file"' in response.content.decode()


def test_preview_is_a_dry_run_then_confirm_imports(editor_client, editor):
    before = Incident.objects.count()
    response = editor_client.post(IMPORT_URL, {"file": upload(), "format": "pk-suicide-attacks", "publish": "on"})
    assert response.status_code == 200
    body = response.content.decode()
    assert "<td>8</td><td>8</td><td>0</td><td>0</td><td>0</td>" in body
    assert "Injured Max given as &#x27;40+&#x27; (at least 40)" in body
    assert Incident.objects.count() == before
    assert list(ImportRun.objects.values_list("dry_run", "ok", "started_by")) == [(True, True, editor.pk)]

    token = response.context["token"]
    response = editor_client.post(CONFIRM_URL, {"token": token})
    real = ImportRun.objects.get(dry_run=False)
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:incidents_importrun_change", args=[real.pk])
    assert (real.ok, real.created, real.started_by_id) == (True, 8, editor.pk)
    assert Incident.objects.count() == before + 8
    assert Incident.objects.filter(status=Status.PUBLISHED).count() == before + 8

    again = editor_client.post(CONFIRM_URL, {"token": token})  # a token works once
    assert again.status_code == 302 and again["Location"] == IMPORT_URL
    assert ImportRun.objects.filter(dry_run=False).count() == 1


def test_preview_lists_bad_rows_and_offers_no_confirm(editor_client, tmp_path):
    text = (FIXTURES / "pbc_small.csv").read_bytes().replace(b"Thursday-May 9-2002", b"someday")
    response = editor_client.post(
        IMPORT_URL,
        {"file": SimpleUploadedFile("bad.csv", text), "format": "pk-suicide-attacks"},
    )
    body = response.content.decode()
    assert "row 9, column &#x27;Date&#x27;, value &#x27;someday&#x27;" in body
    assert CONFIRM_URL not in body
    assert ImportRun.objects.get().ok is False


def test_mapping_upload_previews_with_the_mapping(editor_client):
    mapping = SimpleUploadedFile("map.json", (FIXTURES / "mapped.json").read_bytes(), content_type="application/json")
    response = editor_client.post(IMPORT_URL, {"file": upload("mapped.csv"), "mapping": mapping})
    assert response.status_code == 200
    assert response.context["result"].created == 6
    assert ImportRun.objects.get().format == "mapping"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({}, "Choose a built-in format or upload a mapping file"),
        ({"format": "pk-suicide-attacks", "mapping": b'{"a": 1}'}, "Choose a built-in format or upload a mapping file"),
        ({"mapping": b"{nope"}, "Not valid JSON"),
        ({"mapping": b'{"columns": {}}'}, "needs a &quot;source&quot;"),
    ],
)
def test_bad_form_is_refused_with_a_message(editor_client, data, message):
    post = {"file": upload(), **data}
    if "mapping" in post:
        post["mapping"] = SimpleUploadedFile("map.json", post["mapping"])
    response = editor_client.post(IMPORT_URL, post)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not ImportRun.objects.exists()


def test_import_log_is_read_only_in_the_admin(editor_client):
    editor_client.post(IMPORT_URL, {"file": upload(), "format": "pk-suicide-attacks"})
    run = ImportRun.objects.get()
    response = editor_client.get(reverse("admin:incidents_importrun_change", args=[run.pk]))
    assert response.status_code == 200
    assert run.sha256 in response.content.decode()
    assert editor_client.post(reverse("admin:incidents_importrun_delete", args=[run.pk])).status_code == 403
