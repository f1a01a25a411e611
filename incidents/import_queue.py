"""Imports from the admin run on the job queue (issue 19): the web request only stores the file.

1. The upload is stored (Django storage, ``upload_storage``: a private folder) and an ImportRun is
   made "queued" for its dry run; ``run_queued_import`` is queued. The admin shows a page that
   follows the run (incidents/import_admin.py).
2. A worker runs it: the ImportRun turns "running"; every ``PROGRESS_EVERY`` rows the counts so far
   go to a small file beside the upload (``ProgressFile``), which the page reads: the import's own
   rows are written inside its one transaction, which no other connection sees until it commits
   (and on SQLite no other connection may write meanwhile), so the progress cannot live in the
   database. At the end the ImportRun is "done" or "failed", with its report.
3. Confirming a dry run queues the real run on the same file (its sha256 checked against the
   preview's), with the reason for the correction when the import changes published figures.

A task run twice (a worker killed mid-import: the task is put back in the queue, jobs/recovery.py)
imports once: a run that ended is not run again, and one cut short wrote nothing (all or nothing).
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import time
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.files.storage import FileSystemStorage
from django.utils import timezone, translation
from django.utils.text import get_valid_filename
from django.utils.translation import gettext

from jobs.queue import enqueue, job

from .importing import ImportFailed, ImportResult, get_format, run_import
from .importing.engine import printable
from .importing.readers import file_sha256
from .models import ImportRun

PROGRESS_EVERY = 500
PROGRESS_NAME = "progress.json"


def upload_storage() -> FileSystemStorage:
    """Where uploaded files wait for the worker and the editor's confirmation: ``settings.IMPORT_UPLOAD_DIR``,
    a folder only the server's user may enter (0700, files 0600).

    Never a predictable folder in the shared temporary directory, where another local user could
    create it first and then read the uploads or swap a file between the preview and the import.
    Workers on other hosts need the same folder (a shared file system).
    """
    root = Path(settings.IMPORT_UPLOAD_DIR)
    root.mkdir(mode=0o700, parents=True, exist_ok=True)
    if root.stat().st_uid != os.getuid():
        raise ImproperlyConfigured(f"{root} belongs to another user: imports will not keep files there.")
    root.chmod(0o700)
    return FileSystemStorage(location=root, file_permissions_mode=0o600, directory_permissions_mode=0o700)


def _remove_stale_uploads(storage: FileSystemStorage, max_age_seconds: int = 86400) -> None:
    """Previews that were never confirmed leave their file behind: drop those older than a day."""
    limit = time.time() - max_age_seconds
    for folder in Path(storage.location).iterdir():
        if folder.is_dir() and folder.stat().st_mtime < limit:
            shutil.rmtree(folder, ignore_errors=True)


def store_upload(upload) -> str:
    """Keep an uploaded file in its own folder of the storage; its storage name."""
    storage = upload_storage()
    _remove_stale_uploads(storage)
    token = secrets.token_urlsafe(16)
    return storage.save(f"{token}/{get_valid_filename(Path(upload.name).name) or 'upload'}", upload)


def stored_path(run: ImportRun) -> Path | None:
    """The run's stored file, when it is still there."""
    if not run.stored_file:
        return None
    path = Path(upload_storage().path(run.stored_file))
    return path if path.is_file() else None


def discard(run: ImportRun) -> None:
    """Delete the run's stored file (and its progress) once nothing will read it again."""
    if run.stored_file:
        shutil.rmtree(Path(upload_storage().path(run.stored_file)).parent, ignore_errors=True)


class ProgressFile:
    """The counts so far of a running import, in a small JSON file beside its upload (see the module)."""

    def __init__(self, run: ImportRun):
        self.path = Path(upload_storage().path(run.stored_file)).parent / PROGRESS_NAME if run.stored_file else None

    def write(self, result: ImportResult) -> None:
        if self.path is None or not self.path.parent.is_dir():
            return
        partial = self.path.with_suffix(".partial")
        partial.write_text(json.dumps({"rows_read": result.rows_read, "errors": len(result.errors)}))
        os.replace(partial, self.path)  # readers see the old counts or the new ones, never half

    def read(self) -> dict[str, int]:
        try:
            return json.loads(self.path.read_text()) if self.path is not None else {}
        except (OSError, ValueError):
            return {}


def queue_import(
    *,
    stored_file: str,
    file_name: str,
    format_name: str | None,
    mapping: dict | None,
    publish: bool,
    user,
    dry_run: bool,
    preview: ImportRun | None = None,
    reason: str = "",
    attach_duplicates_above: float | None = None,
) -> ImportRun:
    """Log the run as queued and queue it; the ImportRun to follow."""
    run = ImportRun.objects.create(
        file_name=printable(file_name)[:300],
        format=format_name or "mapping",
        mapping=mapping,
        dry_run=dry_run,
        publish=publish,
        started_by=user if getattr(user, "pk", None) else None,
        status=ImportRun.Status.QUEUED,
        queued_at=timezone.now(),
        stored_file=stored_file,
        sha256=preview.sha256 if preview else "",
        preview=preview,
        reason=reason.strip(),
        attach_duplicates_above=attach_duplicates_above,
    )
    # The report is written in the language of the page the import was started from.
    enqueue(run_queued_import, run.pk, language=translation.get_language())
    return run


def _fail(run: ImportRun, message: str) -> None:
    ImportRun.objects.filter(pk=run.pk).update(
        status=ImportRun.Status.FAILED, ok=False, report=message, finished_at=timezone.now()
    )


@job
def run_queued_import(run_id: int, language: str | None = None) -> dict:
    """Run a queued import (dry run or real) and fill in its ImportRun (see the module docstring), its
    messages in `language` (the queuing page's; the site's language when None)."""
    with translation.override(language or settings.LANGUAGE_CODE):
        return _run_queued_import(run_id)


def _run_queued_import(run_id: int) -> dict:
    run = ImportRun.objects.select_related("started_by", "preview").get(pk=run_id)
    if run.finished_at is not None:  # it ran to its end already: a second run imports nothing again
        return {"status": run.status, "again": True}
    ImportRun.objects.filter(pk=run.pk).update(status=ImportRun.Status.RUNNING, started_at=timezone.now())
    path = stored_path(run)
    if path is None:
        _fail(
            run,
            gettext("The uploaded file is no longer there (kept a day at most); upload it again. Nothing was written."),
        )
        return {"status": ImportRun.Status.FAILED}
    if run.preview is not None and file_sha256(path) != run.preview.sha256:
        _fail(run, gettext("The stored file changed since the preview; upload it again. Nothing was written."))
        discard(run)
        return {"status": ImportRun.Status.FAILED}
    try:
        fmt = get_format(mapping=run.mapping) if run.format == "mapping" else get_format(name=run.format)
    except ImportFailed as error:
        _fail(run, f"{error} Nothing was written.")
        discard(run)
        return {"status": ImportRun.Status.FAILED}
    try:
        result = run_import(
            path,
            fmt,
            user=run.started_by,
            publish=run.publish,
            dry_run=run.dry_run,
            file_name=run.file_name,
            reason=run.reason,
            attach_duplicates_above=run.attach_duplicates_above,
            progress=ProgressFile(run).write,
            progress_every=PROGRESS_EVERY,
            run=run,
        )
    except Exception:
        # The import wrote nothing; its log row says why it stopped until the retry (jobs/queue.py) runs it.
        ImportRun.objects.filter(pk=run.pk).update(status=ImportRun.Status.QUEUED)
        raise
    if run.dry_run is False or not result.ok:
        discard(run)  # a good preview keeps its file for the confirmation
    return {"status": result.run.status, "rows_read": result.rows_read, "errors": len(result.errors)}
