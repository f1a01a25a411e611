"""Importing from the admin (issue 4 item 5): upload → dry-run preview → confirm; and the ImportRun log.

An editor uploads a CSV or XLSX file with a built-in format or a mapping JSON. The file is kept in a
private folder of the project (``upload_storage``) and its dry run queued (issue 19,
incidents/import_queue.py): the request ends at once on a page that follows the run (rows read and
errors so far; it reloads itself every few seconds, no JavaScript) and becomes the preview: the
counts, each bad row with its column, value and reason, the remarks and what would change.
Confirming queues the same import for real, on the same file (its sha256 is checked), with the
reason for the correction when it changes published figures (asked for on the preview). Every step
checks the `incidents.import_incidents` permission on the server: a monitor, or anyone without it,
gets 403 even when posting directly.

Registered from IncidentsConfig.ready(), so the admin helper's incidents/admin.py stays untouched.
"""

from __future__ import annotations

import json

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from core.corrections import REASON_HELP, REASON_LABEL

from .import_queue import ProgressFile, queue_import, store_upload, stored_path
from .importing import BUILT_IN_FORMATS, ImportFailed, get_format
from .models import ImportRun

IMPORT_PERMISSION = "incidents.import_incidents"
MAX_MAPPING_BYTES = 200_000
# How often the page following a queued or running import reloads itself (seconds).
REFRESH_SECONDS = 2


class ImportForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("File to import"),
        help_text=gettext_lazy("A CSV file (in the mapping's encoding) or an XLSX file."),
        allow_empty_file=True,  # the import answers an empty file itself, and logs the run
        error_messages={
            "required": "No file was received. Choose one; if you did, rename it with plain letters and "
            "digits (a name the browser sends in another encoding is dropped on the way)."
        },
    )
    format = forms.ChoiceField(
        label=gettext_lazy("Built-in format"),
        required=False,
        choices=[("", "— none: use a mapping file —")] + [(name, name) for name in BUILT_IN_FORMATS],
        help_text=gettext_lazy("pk-suicide-attacks: the Pakistan Body Count suicide-attacks dataset."),
    )
    mapping = forms.FileField(
        label=gettext_lazy("Mapping file (JSON)"),
        required=False,
        help_text=gettext_lazy(
            "How the file's columns become incidents; see docs/importing.md. Leave empty with a built-in format."
        ),
    )
    publish = forms.BooleanField(
        label=gettext_lazy("Publish the imported incidents"),
        required=False,
        help_text=gettext_lazy("Otherwise they are imported as drafts."),
    )
    attach_duplicates_above = forms.FloatField(
        label=gettext_lazy("Attach probable duplicates scoring at least"),
        required=False,
        min_value=0,
        max_value=1,
        help_text=gettext_lazy(
            "From 0 to 1, e.g. 0.8. A row that probably records an incident already in the tracker with "
            "this score or more becomes a further source of it, with its own figures, instead of a new incident. "
            "Leave empty to only list such rows in the preview."
        ),
    )

    def clean(self):
        data = super().clean()
        has_format, has_mapping = bool(data.get("format")), bool(data.get("mapping"))
        if has_format == has_mapping:
            raise forms.ValidationError(_("Choose a built-in format or upload a mapping file (one of the two)."))
        if has_mapping:
            upload = data["mapping"]
            if upload.size > MAX_MAPPING_BYTES:
                raise forms.ValidationError(_("The mapping file is too large to be a mapping."))
            try:
                data["mapping_json"] = json.loads(upload.read().decode("utf-8-sig"))
                get_format(mapping=data["mapping_json"])
            except (ValueError, UnicodeDecodeError) as error:
                self.add_error("mapping", _("Not valid JSON: %(error)s") % {"error": error})
            except ImportFailed as error:
                self.add_error("mapping", str(error))
        return data


def _require_import_permission(request: HttpRequest) -> None:
    if not (request.user.is_active and request.user.has_perm(IMPORT_PERMISSION)):
        raise PermissionDenied("You may not import datasets.")


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
    if not run.publish:  # the review queue, filtered to this run (its "run" filter)
        queue = f"{reverse('monitoring:review_queue')}?{urlencode({'kind': 'incident', 'run': run.pk})}"
        text = ngettext(
            '<a href="{queue}">Review the {count} draft this import made</a> (or <a href="{url}">list them in the admin</a>)',
            '<a href="{queue}">Review the {count} drafts this import made</a> (or <a href="{url}">list them in the admin</a>)',
            run.created,
        )
        return format_html(text, queue=queue, count=run.created, url=url)
    text = ngettext(
        '<a href="{url}">Review the {count} published incident this import made</a>',
        '<a href="{url}">Review the {count} published incidents this import made</a>',
        run.created,
    )
    return format_html(text, url=url, count=run.created)


class ConfirmForm(forms.Form):
    """The preview's confirmation: the reason for the correction, when the import changes published figures."""

    reason = forms.CharField(
        label=REASON_LABEL,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2, "cols": 60}),
        help_text=REASON_HELP,
    )

    def __init__(self, *args, needs_reason: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reason"].required = needs_reason
        self.fields["reason"].error_messages["required"] = _(
            "This import changes the public figures of published incidents: give the reason for the "
            "correction; it is shown in the public corrections log."
        )


@admin.register(ImportRun)
class ImportRunAdmin(admin.ModelAdmin):
    list_display = (
        "started_at",
        "file_name",
        "format",
        "dry_run",
        "status",
        "rows_read",
        "created",
        "updated",
        "unchanged",
        "skipped",
        "started_by",
    )
    list_filter = ("status", "dry_run", "format")
    search_fields = ("file_name", "sha256")
    date_hierarchy = "started_at"
    list_select_related = ("started_by",)
    readonly_fields = [f.name for f in ImportRun._meta.fields] + ["created_incidents"]
    change_list_template = "admin/incidents/import_changelist.html"

    @admin.display(description=gettext_lazy("Incidents created"))
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
            path(
                "<int:object_id>/follow/",
                self.admin_site.admin_view(self.follow_view),
                name="incidents_importrun_follow",
            ),
        ]
        return own + super().get_urls()

    def changelist_view(self, request, extra_context=None):
        extra_context = {**(extra_context or {}), "can_import": request.user.has_perm(IMPORT_PERMISSION)}
        return super().changelist_view(request, extra_context)

    def _context(self, request, **extra):
        return {**self.admin_site.each_context(request), "opts": self.model._meta, **extra}

    def import_view(self, request: HttpRequest) -> HttpResponse:
        """Upload: store the file, queue its dry run, and follow it (the request ends at once)."""
        _require_import_permission(request)
        form = ImportForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            run = queue_import(
                stored_file=store_upload(data["file"]),
                file_name=data["file"].name,
                format_name=data["format"] or None,
                mapping=data.get("mapping_json"),
                publish=data["publish"],
                user=request.user,
                dry_run=True,
                attach_duplicates_above=data.get("attach_duplicates_above"),
            )
            return HttpResponseRedirect(reverse("admin:incidents_importrun_follow", args=[run.pk]))
        context = self._context(request, title=_("Import incidents from a file"), form=form)
        return render(request, "admin/incidents/import_form.html", context, status=400 if form.errors else 200)

    def follow_view(
        self, request: HttpRequest, object_id: int, confirm_form: ConfirmForm | None = None
    ) -> HttpResponse:
        """A queued or running import's progress (the page reloads itself), then its preview or outcome."""
        _require_import_permission(request)
        run = get_object_or_404(ImportRun.objects.select_related("preview"), pk=object_id)
        working = run.status in (ImportRun.Status.QUEUED, ImportRun.Status.RUNNING)
        confirmation = run.confirmations.order_by("pk").first() if run.dry_run else None
        can_confirm = (
            run.dry_run
            and run.status == ImportRun.Status.DONE
            and confirmation is None
            and stored_path(run) is not None
        )
        if can_confirm and confirm_form is None:
            confirm_form = ConfirmForm(needs_reason=bool(run.corrected))
        progress = ProgressFile(run).read() if working else {}
        context = self._context(
            request,
            title=(_("Import of %(file)s (dry run)") if run.dry_run else _("Import of %(file)s"))
            % {"file": run.file_name},
            run=run,
            working=working,
            refresh_seconds=REFRESH_SECONDS,
            rows_read=progress.get("rows_read", run.rows_read),
            errors_so_far=progress.get("errors", 0),
            confirmation=confirmation,
            form=confirm_form if can_confirm else None,
            created_link=_created_link(run),
        )
        status = 400 if confirm_form is not None and confirm_form.errors else 200
        response = render(request, "admin/incidents/import_follow.html", context, status=status)
        response["Cache-Control"] = "no-store"
        return response

    def confirm_view(self, request: HttpRequest) -> HttpResponse:
        """Queue the previewed import for real (POST only), with the reason when it corrects published figures."""
        _require_import_permission(request)
        if request.method != "POST":
            return HttpResponseRedirect(reverse("admin:incidents_importrun_import"))
        run_id = request.POST.get("run", "")
        preview = ImportRun.objects.filter(
            pk=int(run_id) if run_id.isdigit() and len(run_id) < 12 else 0,
            dry_run=True,
            status=ImportRun.Status.DONE,
        ).first()
        if preview is None or stored_path(preview) is None:
            messages.error(request, _("That preview has expired or was already imported; upload the file again."))
            return HttpResponseRedirect(reverse("admin:incidents_importrun_import"))
        form = ConfirmForm(request.POST, needs_reason=bool(preview.corrected))
        if not form.is_valid():
            return self.follow_view(request, preview.pk, confirm_form=form)
        with transaction.atomic():
            # One confirmation per preview, even for two clicks at once: the preview's row is locked.
            ImportRun.objects.select_for_update().filter(pk=preview.pk).first()
            confirmation = preview.confirmations.first()
            if confirmation is None:
                confirmation = queue_import(
                    stored_file=preview.stored_file,
                    file_name=preview.file_name,
                    format_name=None if preview.format == "mapping" else preview.format,
                    mapping=preview.mapping,
                    publish=preview.publish,
                    user=request.user,
                    dry_run=False,
                    preview=preview,
                    reason=form.cleaned_data["reason"],
                    attach_duplicates_above=preview.attach_duplicates_above,
                )
            else:
                messages.info(request, _("This preview was already confirmed: here is its import."))
        return HttpResponseRedirect(reverse("admin:incidents_importrun_follow", args=[confirmation.pk]))
