"""A 50,000-row import from the admin, in Chromium, with a real task worker (issue 19).

The upload answers at once with a page that follows the queued dry run (no JavaScript: it reloads
itself), shows the rows read while the worker runs it, then the preview; confirming answers at once
too, and the page follows the real run to its end. Each of the two requests that start work must
answer within a second; the import itself runs in the worker (here a thread of the test process
running django_tasks_db's worker loop, on the test database, as `manage.py worker` does).
"""

from __future__ import annotations

import json
import re
import threading
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from playwright.sync_api import expect

from incidents.models import ImportRun, Incident
from tests.conftest import make_user
from tests.incidents.test_import_hostile import MAPPING

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

ROWS = 50_000


def run_worker_once() -> threading.Thread:
    """A worker that runs what is queued, then stops (db_worker's loop in batch mode)."""
    from django.db import connections
    from django_tasks_db.management.commands.db_worker import Worker

    def work():
        try:
            Worker(
                queue_names=["default"],
                interval=0.1,
                batch=True,
                backend_name="default",
                startup_delay=False,
                max_tasks=None,
                worker_id="browser-test",
                excluded_queue_names=[],
            ).run()
        finally:
            connections.close_all()

    thread = threading.Thread(target=work, daemon=True)
    thread.start()
    return thread


def timed_click(page, button) -> float:
    """Click `button` and wait for the page it leads to; the longest of the requests this made (the
    POST and the page it redirects to), each from its start to its last byte, in seconds."""
    requests = []

    def record(request):
        requests.append(request)

    page.on("requestfinished", record)
    try:
        with page.expect_navigation():
            button.click()
    finally:
        page.remove_listener("requestfinished", record)
    documents = [r for r in requests if r.resource_type == "document"]
    assert [r.method for r in documents] == ["POST", "GET"], [(r.method, r.url) for r in documents]
    return max(r.timing["responseEnd"] for r in documents) / 1000


@pytest.mark.skipif(
    connection.vendor == "sqlite",
    reason="the test database is an in-memory SQLite shared by threads, which locks whole tables between the "
    "live server and the worker thread; tests/jobs/test_worker.py runs a real worker on an SQLite file",
)
def test_a_big_import_from_the_admin_answers_at_once_and_shows_its_progress(
    page, live_server, staff_page, roles, django_user_model, settings, tmp_path
):
    call_command("load_seeds", "--no-holidays", stdout=StringIO())
    before = Incident.objects.count()
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    settings.IMPORT_UPLOAD_DIR = tmp_path / "uploads"
    data, mapping = tmp_path / "big.csv", tmp_path / "map.json"
    with data.open("w") as out:
        out.write("Date,Province,Place,Killed\n")
        out.writelines(f"2012-03-{1 + n % 28:02d},Sindh,Place {n},{n % 7}\n" for n in range(ROWS))
    mapping.write_text(json.dumps(MAPPING))
    staff_page(make_user(django_user_model, "editor", group="Editors"))

    page.goto(f"{live_server.url}/admin/incidents/importrun/import/")
    page.set_input_files("#id_file", str(data))
    page.set_input_files("#id_mapping", str(mapping))
    upload_seconds = timed_click(page, page.get_by_role("button", name="Preview (dry run)"))
    assert upload_seconds < 1, f"the upload held the request {upload_seconds:.2f} s"
    expect(page.get_by_text("Waiting for a worker")).to_be_visible()
    assert page.locator('meta[http-equiv="refresh"]').count() == 1
    page.screenshot(path=str(tmp_path / "import-queued.png"), full_page=True)

    worker = run_worker_once()
    # The page reloads itself: the rows read so far, while the dry run runs.
    expect(page.get_by_text("Running:")).to_be_visible(timeout=30_000)
    rows = page.locator(".rows-read")
    expect(rows).to_have_text(re.compile(r"^[1-9][\d,]*$"), timeout=30_000)
    seen = int(rows.inner_text().replace(",", ""))
    assert 0 < seen < ROWS
    page.screenshot(path=str(tmp_path / "import-running.png"), full_page=True)
    expect(page.get_by_text("Dry run: this is exactly what the import will do")).to_be_visible(timeout=180_000)
    worker.join(timeout=30)
    expect(page.get_by_role("table", name="Summary")).to_contain_text(f"{ROWS}")
    assert Incident.objects.count() == before  # a dry run writes nothing

    confirm_seconds = timed_click(page, page.get_by_role("button", name=re.compile("^Confirm: import")))
    assert confirm_seconds < 1, f"the confirmation held the request {confirm_seconds:.2f} s"
    expect(page.get_by_text("Waiting for a worker")).to_be_visible()
    worker = run_worker_once()
    expect(page.get_by_text("Imported: nothing else to do.")).to_be_visible(timeout=180_000)
    worker.join(timeout=30)
    page.screenshot(path=str(tmp_path / "import-done.png"), full_page=True)
    real = ImportRun.objects.get(dry_run=False)
    assert (real.status, real.created, Incident.objects.count()) == ("done", ROWS, before + ROWS)
    print(f"upload answered in {upload_seconds:.2f} s, confirm in {confirm_seconds:.2f} s; {seen} rows seen mid-run")
