"""Court documents: order sheets, judgments, FIR copies, cause lists attached to a case or a hearing.

A document is public only when it is marked public AND its case is published
(`DocumentQuerySet.public`, the one rule of core/visibility.py); who uploaded it is never public.
The file is checked before it is stored (cases/uploads.py), kept through Django's storage API
under a random name (the `documents` storage: the file system by default, S3 when configured,
tracker/storage.py) and served only by `cases.views.document_file`, which applies that rule.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.storage import storages
from django.db import models, transaction
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core.models import Status
from core.visibility import VisibilityQuerySet

from .uploads import EXTENSIONS, MediaType


def document_storage():
    """The `documents` entry of settings.STORAGES (a callable, so migrations do not freeze it)."""
    return storages["documents"]


def random_name(instance: Document, filename: str) -> str:
    """A random name with the extension of the checked type: nothing of the uploader's file name is used."""
    return f"documents/{uuid.uuid4().hex}.{EXTENSIONS[instance.media_type]}"


class DocumentKind(models.TextChoices):
    JUDGMENT = "judgment", _("Judgment")
    ORDER_SHEET = "order_sheet", _("Order sheet")
    FIR_COPY = "fir_copy", _("FIR copy")
    CHALLAN = "challan", _("Challan (police report)")
    CAUSE_LIST = "cause_list", _("Cause list")
    APPEAL_JUDGMENT = "appeal_judgment", _("Appeal judgment")
    OTHER = "other", _("Other")


class DocumentQuerySet(VisibilityQuerySet):
    def public(self):
        """Marked public, of a published case."""
        return self.filter(is_public=True, case__status=Status.PUBLISHED)


class Document(models.Model):
    """A file from the court record of a case, optionally of one of its hearings."""

    PUBLIC_FIELDS = ("id", "case", "hearing", "kind", "date", "title", "media_type", "size", "pages", "sha256")

    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="documents", verbose_name=_("case"))
    hearing = models.ForeignKey(
        "cases.Hearing",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="documents",
        verbose_name=_("hearing"),
        help_text=_("The hearing the document comes from (an order sheet, a cause list), if any."),
    )
    kind = models.CharField(_("kind"), max_length=20, choices=DocumentKind.choices)
    date = models.DateField(
        _("date"), help_text=_("The date the document bears (of the order, the judgment, the FIR).")
    )
    title = models.CharField(
        _("title"),
        max_length=200,
        blank=True,
        help_text=_('Public, optional: e.g. "Judgment of ATC II, Karachi, 12 pages".'),
    )
    is_public = models.BooleanField(
        default=False,
        verbose_name=_("public"),
        help_text=_(
            "Shown to the public once the case is published. Leave unticked for a confidential document "
            "(only staff see it)."
        ),
    )
    file = models.FileField(
        _("file"),
        storage=document_storage,
        upload_to=random_name,
        max_length=200,
        help_text=_("A PDF, or a PNG, JPEG or WebP scan or photo."),
    )
    # What the upload checks found (cases/uploads.py); never typed in.
    media_type = models.CharField(_("media type"), max_length=20, choices=MediaType.choices, editable=False)
    size = models.PositiveBigIntegerField(_("size"), editable=False, help_text=_("Bytes."))
    pages = models.PositiveIntegerField(_("pages"), null=True, blank=True, editable=False, help_text=_("PDFs only."))
    text = models.TextField(
        _("text"), blank=True, editable=False, help_text=_("A PDF's text, for the case list's search.")
    )
    sha256 = models.CharField(
        _("sha256"), max_length=64, editable=False, help_text=_("Lets a reader check their copy.")
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
        verbose_name=_("uploaded by"),
        help_text=_("Staff only: never shown to the public."),
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    objects = DocumentQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["text"])

    class Meta:
        ordering = ["case", "date", "id"]
        verbose_name = _("document")
        verbose_name_plural = _("documents")
        constraints = [
            models.CheckConstraint(condition=models.Q(size__gt=0), name="document_not_empty"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} of {self.date:%d %b %Y}" if self.date else self.get_kind_display()

    def get_absolute_url(self) -> str:
        return reverse("cases:document_file", args=[self.case_id, self.pk])

    @property
    def is_pdf(self) -> bool:
        return self.media_type == MediaType.PDF

    @property
    def download_name(self) -> str:
        """The file name offered to the reader: made from the record, never the uploader's."""
        return f"case-{self.case_id}-{self.kind}-{self.date:%Y-%m-%d}-{self.pk}.{EXTENSIONS[self.media_type]}"

    def clean(self) -> None:
        if self.hearing_id and self.case_id and self.hearing.case_id != self.case_id:
            raise ValidationError({"hearing": _("Choose a hearing of this case.")})


def remove_file(sender, instance: Document, using: str, **kwargs) -> None:
    """post_delete receiver (CasesConfig.ready): delete the stored file once the deletion commits."""
    name, storage = instance.file.name, instance.file.storage
    if name:
        transaction.on_commit(lambda: storage.delete(name), using=using)
