"""Importing from the admin (issue 4 item 5): upload → dry-run preview → confirm; and the ImportRun log.

An editor uploads a CSV or XLSX file with a built-in format or a mapping JSON. The file is kept in a
private folder of the project (``upload_storage``) and dry-run: the preview shows the counts, each bad row with its column,
value and reason, the remarks and what would change. Confirming runs the same import for real, on
the same file (its sha256 is checked). Both steps check the `incidents.import_incidents` permission
on the server: a monitor, or anyone without it, gets 403 even when posting directly.

Registered from IncidentsConfig.ready(), so the admin helper's incidents/admin.py stays untouched.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import time
from pathlib import Path

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import ImproperlyConfigured, PermissionDenied
from django.core.files.storage import FileSystemStorage
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.http import urlencode
from django.utils.text import get_valid_filename

from .importing import BUILT_IN_FORMATS, ImportFailed, get_format, run_import
from .importing.readers import file_sha256
from .models import ImportRun

IMPORT_PERMISSION = "incidents.import_incidents"
SESSION_KEY = "pending_imports"
MAX_MAPPING_BYTES = 200_000


class ImportForm(forms.Form):
    file = forms.FileField(
        label="File to import",
        help_text="A CSV file (in the mapping's encoding) or an XLSX file.",
        allow_empty_file=True,  # the import answers an empty file itself, and logs the run
        error_messages={
            "required": "No file was received. Choose one; if you did, rename it with plain letters and "
            "digits (a name the browser sends in another encoding is dropped on the way)."
        },
    )
    format = forms.ChoiceField(
        label="Built-in format",
        required=False,
        choices=[("", "— none: use a mapping file —")] + [(name, name) for name in BUILT_IN_FORMATS],
        help_text="pk-suicide-attacks: the Pakistan Body Count suicide-attacks dataset.",
    )
    mapping = forms.FileField(
        label="Mapping file (JSON)",
        required=False,
        help_text="How the file's columns become incidents; see docs/importing.md. Leave empty with a built-in format.",
    )
    publish = forms.BooleanField(
        label="Publish the imported incidents", required=False, help_text="Otherwise they are imported as drafts."
    )
    attach_duplicates_above = forms.FloatField(
        label="Attach probable duplicates scoring at least",
        required=False,
        min_value=0,
        max_value=1,
        help_text="From 0 to 1, e.g. 0.8. A row that probably records an incident already in the tracker with "
        "this score or more becomes a further source of it, with its own figures, instead of a new incident. "
        "Leave empty to only list such rows in the preview.",
    )

    def clean(self):
        data = super().clean()
        has_format, has_mapping = bool(data.get("format")), bool(data.get("mapping"))
        if has_format == has_mapping:
            raise forms.ValidationError("Choose a built-in format or upload a mapping file (one of the two).")
        if has_mapping:
            upload = data["mapping"]
            if upload.size > MAX_MAPPING_BYTES:
                raise forms.ValidationError("The mapping file is too large to be a mapping.")
            try:
                data["mapping_json"] = json.loads(upload.read().decode("utf-8-sig"))
                get_format(mapping=data["mapping_json"])
            except (ValueError, UnicodeDecodeError) as error:
                self.add_error("mapping", f"Not valid JSON: {error}")
            except ImportFailed as error:
                self.add_error("mapping", str(error))
        return data


def _require_import_permission(request: HttpRequest) -> None:
    if not (request.user.is_active and request.user.has_perm(IMPORT_PERMISSION)):
        raise PermissionDenied("You may not import datasets.")


def upload_storage() -> FileSystemStorage:
    """Where uploaded files wait for the editor's confirmation: ``settings.IMPORT_UPLOAD_DIR``, a folder
    only the server's user may enter (0700, files 0600).

    Never a predictable folder in the shared temporary directory, where another local user could
    create it first and then read the uploads or swap a file between the preview and the import.
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


def _store_upload(upload) -> tuple[str, Path]:
    storage = upload_storage()
    _remove_stale_uploads(storage)
    token = secrets.token_urlsafe(16)
    name = storage.save(f"{token}/{get_valid_filename(Path(upload.name).name) or 'upload'}", upload)
    return token, Path(storage.path(name))


def created_incidents_url(run: ImportRun) -> str | None:
    """The admin's incident list narrowed to the incidents `run` created (None when it wrote none).

    Incidents keep no link to their run: they are the ones created by the run's user while it ran,
    in the status it gave them (drafts unless it published). Every lookup used is a local field of
    Incident, which the admin's change list accepts without a declared filter.
    """
    if run.dry_run or not run.ok or not run.created or run.finished_at is None:
        return None
    query = {
        "created_at__gte": run.started_at.isoformat(),
        "created_at__lte": run.finished_at.isoformat(),
        "status__exact": "published" if run.publish else "draft",
    }
    if run.started_by_id:
        query["created_by__id__exact"] = run.started_by_id
    return f"{reverse('admin:incidents_incident_changelist')}?{urlencode(query)}"


def _created_link(run: ImportRun) -> str:
    url = created_incidents_url(run)
    if url is None:
        return ""
    noun = "published incident" if run.publish else "draft"
    if not run.publish:  # the review queue, filtered to this run (its "run" filter)
        queue = f"{reverse('monitoring:review_queue')}?{urlencode({'kind': 'incident', 'run': run.pk})}"
        return format_html(
            '<a href="{}">Review the {} {}{} this import made</a> (or <a href="{}">list them in the admin</a>)',
            queue,
            run.created,
            noun,
            "s" * (run.created != 1),
            url,
        )
    return format_html(
        '<a href="{}">Review the {} {}{} this import made</a>', url, run.created, noun, "s" * (run.created != 1)
    )


def _discard(pending: dict) -> None:
    shutil.rmtree(Path(pending["path"]).parent, ignore_errors=True)


@admin.register(ImportRun)
class ImportRunAdmin(admin.ModelAdmin):
    list_display = (
        "started_at",
        "file_name",
        "format",
        "dry_run",
        "ok",
        "rows_read",
        "created",
        "updated",
        "unchanged",
        "skipped",
        "started_by",
    )
    list_filter = ("ok", "dry_run", "format")
    search_fields = ("file_name", "sha256")
    date_hierarchy = "started_at"
    list_select_related = ("started_by",)
    readonly_fields = [f.name for f in ImportRun._meta.fields] + ["created_incidents"]
    change_list_template = "admin/incidents/import_changelist.html"

    @admin.display(description="Incidents created")
    def created_incidents(self, obj: ImportRun) -> str:
        return _created_link(obj) or "—"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_urls(self):
        own = [
            path("import/", self.admin_site.admin_view(self.import_view), name="incidents_importrun_import"),
            path(
                "import/confirm/",
                self.admin_site.admin_view(self.confirm_view),
                name="incidents_importrun_import_confirm",
            ),
        ]
        return own + super().get_urls()

    def changelist_view(self, request, extra_context=None):
        extra_context = {**(extra_context or {}), "can_import": request.user.has_perm(IMPORT_PERMISSION)}
        return super().changelist_view(request, extra_context)

    def _context(self, request, **extra):
        return {**self.admin_site.each_context(request), "opts": self.model._meta, **extra}

    def import_view(self, request: HttpRequest) -> HttpResponse:
        """Upload and dry-run: show what the import would do."""
        _require_import_permission(request)
        form = ImportForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            token, stored = _store_upload(data["file"])
            mapping = data.get("mapping_json")
            fmt = get_format(mapping=mapping) if mapping is not None else get_format(name=data["format"])
            result = run_import(
                stored,
                fmt,
                user=request.user,
                publish=data["publish"],
                dry_run=True,
                file_name=data["file"].name,
                attach_duplicates_above=data.get("attach_duplicates_above"),
            )
            if result.ok:
                pending = request.session.get(SESSION_KEY, {})
                pending[token] = {
                    "path": str(stored),
                    "file_name": data["file"].name,
                    "format": data["format"] or None,
                    "mapping": mapping,
                    "publish": data["publish"],
                    "attach_duplicates_above": data.get("attach_duplicates_above"),
                    "sha256": result.sha256,
                }
                request.session[SESSION_KEY] = pending
            else:
                _discard({"path": str(stored)})
            context = self._context(request, title="Import preview (dry run)", result=result, token=token)
            return render(request, "admin/incidents/import_preview.html", context)
        context = self._context(request, title="Import incidents from a file", form=form)
        return render(request, "admin/incidents/import_form.html", context, status=400 if form.errors else 200)

    def confirm_view(self, request: HttpRequest) -> HttpResponse:
        """Run the previewed import for real (POST only)."""
        _require_import_permission(request)
        if request.method != "POST":
            return HttpResponseRedirect(reverse("admin:incidents_importrun_import"))
        pending = request.session.get(SESSION_KEY, {}).pop(request.POST.get("token", ""), None)
        request.session.modified = True
        if pending is None or not Path(pending["path"]).exists():
            messages.error(request, "That preview has expired or was already imported; upload the file again.")
            return HttpResponseRedirect(reverse("admin:incidents_importrun_import"))
        try:
            if file_sha256(pending["path"]) != pending["sha256"]:
                messages.error(request, "The stored file changed since the preview; upload it again.")
                return HttpResponseRedirect(reverse("admin:incidents_importrun_import"))
            fmt = get_format(mapping=pending["mapping"]) if pending["mapping"] else get_format(name=pending["format"])
            result = run_import(
                pending["path"],
                fmt,
                user=request.user,
                publish=pending["publish"],
                file_name=pending["file_name"],
                attach_duplicates_above=pending.get("attach_duplicates_above"),
            )
        finally:
            _discard(pending)
        if result.ok:
            link = _created_link(result.run)
            messages.success(request, format_html("Imported {}: {}. {}", result.file_name, result.summary_line(), link))
        else:
            messages.error(request, f"The import stopped and wrote nothing: {result.errors[0]}")
        return HttpResponseRedirect(reverse("admin:incidents_importrun_change", args=[result.run.pk]))
