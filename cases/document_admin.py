"""Court documents in the admin: inline on the case's form, and a list of their own.

Monitors and editors add and change documents (tracker/roles.py); only editors delete them. Every
new file passes cases/uploads.py before it is stored, and a refused file is a form error that
saves nothing, neither the record nor the file. Who uploaded a document is recorded here.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.template.defaultfilters import filesizeformat
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from incidents.admin import HistoryAdmin

from .documents import Document
from .models import Hearing
from .uploads import check_upload


class StoredFileInput(forms.ClearableFileInput):
    """The file of a saved document, linked to the view that serves it (the storage has no public URL)."""

    download_url = ""

    def format_value(self, value):
        if self.is_initial(value) and self.download_url:
            return StoredFileLink(self.download_url)
        return super().format_value(value)


class StoredFileLink(str):
    """What the widget's template shows as "Currently:" — a link text with a `url`."""

    def __new__(cls, url: str):
        link = super().__new__(cls, "open the stored file")
        link.url = url
        return link


class DocumentForm(forms.ModelForm):
    """A document's form: a new file is checked by its content, and what the checks found is kept.
    A saved document's file is fixed (its checksum is public): the field is then shown, not editable."""

    class Meta:
        model = Document
        fields = ["kind", "date", "hearing", "title", "is_public", "file"]
        widgets = {"file": StoredFileInput}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk and "file" in self.fields:
            self.fields["file"].widget.download_url = self.instance.get_absolute_url()
            self.fields["file"].disabled = True

    def clean_file(self):
        upload = self.cleaned_data.get("file")
        if upload and "file" in self.changed_data:
            checked = check_upload(upload)
            for field in ("media_type", "size", "pages", "text", "sha256"):
                setattr(self.instance, field, getattr(checked, field))
        return upload


def record_uploader(document: Document, user) -> None:
    if document.pk is None:
        document.uploaded_by = user


class DocumentInline(admin.StackedInline):
    model = Document
    form = DocumentForm
    fields = [("kind", "date", "is_public"), ("hearing", "title"), "file", "checked"]
    readonly_fields = ["checked"]
    extra = 0
    show_change_link = True

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("case", "hearing__case", "uploaded_by")

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        # Only this case's hearings to choose from (none before the case is saved).
        hearings = Hearing.objects.filter(case=obj).select_related("case__court") if obj else Hearing.objects.none()
        formset.form.base_fields["hearing"].queryset = hearings
        return formset

    @admin.display(description=gettext_lazy("file checked"))
    def checked(self, obj) -> str:
        return describe(obj)


def describe(document: Document | None) -> str:
    """What the checks found, and who uploaded the file: staff only."""
    if document is None or not document.pk:
        return _("Checked when saved: a PDF, PNG, JPEG or WebP file by its content.")
    pages = ""
    if document.pages:
        pages = ngettext(", %(count)d page", ", %(count)d pages", document.pages) % {"count": document.pages}
    who = document.uploaded_by.get_username() if document.uploaded_by else _("unknown")
    when = date_format(document.uploaded_at, "d M Y") if document.uploaded_at else ""
    return _("%(type)s, %(size)s%(pages)s; uploaded by %(who)s %(when)s") % {
        "type": document.get_media_type_display(),
        "size": filesizeformat(document.size),
        "pages": pages,
        "who": who,
        "when": when,
    }


@admin.register(Document)
class DocumentAdmin(HistoryAdmin):
    lock_first = ("case",)  # the case's form edits documents too
    form = DocumentForm
    list_display = ["__str__", "case", "kind", "date", "is_public", "media_type", "pages", "uploaded_by"]
    list_filter = ["kind", "is_public", "media_type", "case__status"]
    list_select_related = ["case__court", "uploaded_by"]
    search_fields = ["title", "case__case_number", "case__fir_number", "text"]
    date_hierarchy = "date"
    autocomplete_fields = ["case"]
    readonly_fields = ["checked"]

    def get_fields(self, request, obj=None):
        return ["case", *DocumentForm.Meta.fields, "checked"]

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        hearings = Hearing.objects.select_related("case__court")
        # A new document's hearing is checked against its case in Document.clean.
        form.base_fields["hearing"].queryset = hearings.filter(case=obj.case) if obj is not None else hearings
        return form

    @admin.display(description=gettext_lazy("file checked"))
    def checked(self, obj) -> str:
        return describe(obj)

    def save_model(self, request, obj, form, change):
        record_uploader(obj, request.user)
        super().save_model(request, obj, form, change)
