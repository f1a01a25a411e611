"""The admin import: upload → dry-run preview → confirm; only holders of incidents.import_incidents."""

from __future__ import annotations

from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse

from core.models import Status
from incidents.import_queue import ProgressFile, run_queued_import
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
    assert monitor_client.post(CONFIRM_URL, {"run": "1"}).status_code == 403
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


def follow_url(run: ImportRun) -> str:
    return reverse("admin:incidents_importrun_follow", args=[run.pk])


def test_upload_queues_the_dry_run_and_follows_it_then_confirm_imports(editor_client, editor):
    before = Incident.objects.count()
    response = editor_client.post(IMPORT_URL, {"file": upload(), "format": "pk-suicide-attacks", "publish": "on"})
    preview = ImportRun.objects.get()
    assert response.status_code == 302 and response["Location"] == follow_url(preview)
    # The tests' task backend runs the queued dry run at once: the page shows its preview.
    assert (preview.dry_run, preview.status, preview.ok, preview.started_by) == (True, "done", True, editor)
    assert preview.queued_at is not None and preview.finished_at >= preview.started_at
    body = editor_client.get(follow_url(preview)).content.decode()
    assert "<td>8</td><td>8</td><td>0</td><td>0</td><td>0</td>" in body
    assert "Injured Max given as &#x27;40+&#x27; (at least 40)" in body
    assert 'http-equiv="refresh"' not in body  # finished: no more reloading
    assert 'name="reason"' not in body  # nothing published changes: no reason asked
    assert Incident.objects.count() == before

    response = editor_client.post(CONFIRM_URL, {"run": preview.pk})
    real = ImportRun.objects.get(dry_run=False)
    assert response.status_code == 302 and response["Location"] == follow_url(real)
    assert (real.status, real.ok, real.created, real.started_by_id, real.preview) == (
        "done",
        True,
        8,
        editor.pk,
        preview,
    )
    assert Incident.objects.count() == before + 8
    assert Incident.objects.filter(status=Status.PUBLISHED).count() == before + 8
    assert not (Path(settings.IMPORT_UPLOAD_DIR) / preview.stored_file).exists()  # the file is gone once imported

    again = editor_client.post(CONFIRM_URL, {"run": preview.pk})  # a preview is confirmed once
    assert again.status_code == 302 and again["Location"] == IMPORT_URL
    assert ImportRun.objects.filter(dry_run=False).count() == 1


def test_a_queued_import_page_shows_progress_and_reloads_itself(editor_client, editor, settings):
    """With a real queue the upload only queues: the page says so and reloads itself, no JavaScript."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    response = editor_client.post(IMPORT_URL, {"file": upload(), "format": "pk-suicide-attacks"}, follow=True)
    run = ImportRun.objects.get()
    assert (run.status, run.rows_read, run.finished_at) == ("queued", 0, None)
    body = response.content.decode()
    assert '<meta http-equiv="refresh" content="2">' in body
    assert "Waiting for a worker" in body and '<td class="rows-read">0</td>' in body
    assert "no-store" in response["Cache-Control"]
    ImportRun.objects.filter(pk=run.pk).update(status="running")
    ProgressFile(run).path.write_text('{"rows_read": 1500, "errors": 2}')
    body = editor_client.get(follow_url(run)).content.decode()
    assert "Running" in body and '<td class="rows-read">1,500</td><td class="errors-so-far">2</td>' in body
    from django_tasks import default_task_backend

    [queued] = default_task_backend.results
    assert (queued.task.name, queued.args) == ("run_queued_import", [run.pk])


def test_the_queued_task_run_twice_imports_once(editor_client):
    editor_client.post(IMPORT_URL, {"file": upload(), "format": "pk-suicide-attacks"})
    editor_client.post(CONFIRM_URL, {"run": ImportRun.objects.get().pk})
    real = ImportRun.objects.get(dry_run=False)
    count = Incident.objects.count()
    assert run_queued_import.call(real.pk) == {"status": "done", "again": True}
    assert Incident.objects.count() == count and ImportRun.objects.count() == 2


def test_a_correcting_import_asks_for_the_reason_on_its_preview(editor_client, editor, tmp_path):
    from core.models import Correction

    editor_client.post(IMPORT_URL, {"file": upload(), "format": "pk-suicide-attacks", "publish": "on"})
    editor_client.post(CONFIRM_URL, {"run": ImportRun.objects.get().pk})
    text = (FIXTURES / "pbc_small.csv").read_bytes().replace(b",Shiite,10,12,20,25,", b",Shiite,10,14,20,25,")
    corrected = SimpleUploadedFile("pbc_fixed.csv", text, content_type="text/csv")
    response = editor_client.post(IMPORT_URL, {"file": corrected, "format": "pk-suicide-attacks"}, follow=True)
    preview = response.context["run"]
    assert (preview.ok, preview.corrected) == (True, 1)
    body = response.content.decode()
    assert "This import changes the public figures of 1 published" in body and 'name="reason"' in body

    refused = editor_client.post(CONFIRM_URL, {"run": preview.pk, "reason": "  "})
    assert refused.status_code == 400
    assert "give the reason for the correction" in refused.content.decode()
    assert not ImportRun.objects.filter(preview=preview).exists() and not Correction.objects.exists()

    editor_client.post(CONFIRM_URL, {"run": preview.pk, "reason": "PBC revised the toll"})
    real = ImportRun.objects.get(preview=preview)
    assert (real.ok, real.updated, real.corrected, real.reason) == (True, 1, 1, "PBC revised the toll")
    assert list(Correction.objects.values_list("field", "old_value", "new_value", "note", "created_by")) == [
        ("killed", "12", "14", "PBC revised the toll", editor.pk)
    ]


def test_preview_lists_bad_rows_and_offers_no_confirm(editor_client, tmp_path):
    text = (FIXTURES / "pbc_small.csv").read_bytes().replace(b"Thursday-May 9-2002", b"someday")
    response = editor_client.post(
        IMPORT_URL, {"file": SimpleUploadedFile("bad.csv", text), "format": "pk-suicide-attacks"}, follow=True
    )
    body = response.content.decode()
    assert "row 9, column &#x27;Date&#x27;, value &#x27;someday&#x27;" in body
    assert CONFIRM_URL not in body
    assert ImportRun.objects.get().ok is False


def test_mapping_upload_previews_with_the_mapping(editor_client):
    mapping = SimpleUploadedFile("map.json", (FIXTURES / "mapped.json").read_bytes(), content_type="application/json")
    response = editor_client.post(IMPORT_URL, {"file": upload("mapped.csv"), "mapping": mapping}, follow=True)
    assert response.status_code == 200
    run = ImportRun.objects.get()
    assert (run.format, run.created, response.context["run"]) == ("mapping", 6, run)


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
