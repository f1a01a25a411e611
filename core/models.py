"""What every app shares: the publishing life of a record (Status, PublishableModel) and the
public corrections log (Correction). Who sees what is in `core/visibility.py`, the clock in
`core/clock.py`. This app imports no other app of the project: incidents, then cases, then the
pages built on both, all import from here.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from .visibility import AllPublicQuerySet, VisibilityQuerySet


def not_before(later: str, earlier: str, *, name: str) -> models.CheckConstraint:
    """A database rule: field ``later`` is not less than field ``earlier`` of the same row, where both are known."""
    return models.CheckConstraint(
        condition=models.Q(**{f"{later}__isnull": True})
        | models.Q(**{f"{earlier}__isnull": True})
        | models.Q(**{f"{later}__gte": models.F(earlier)}),
        name=name,
    )


# Choice labels per (choices, language), as plain strings: see ``choice_label``.
_LABELS: dict[tuple[type, str | None], dict[str, str]] = {}


def choice_label(choices: type[models.Choices], value) -> str:
    """The label of ``value`` among ``choices``, in the active language. The lists print a label or
    two on every row: a lazy label is translated each time it is printed (en-gb looks through a chain
    of catalogues for each), so the labels are translated once per language."""
    key = (choices, translation.get_language())
    labels = _LABELS.get(key)
    if labels is None:
        labels = _LABELS[key] = {choice.value: str(choice.label) for choice in choices}
    return labels[value]


class Status(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")
    RETRACTED = "retracted", _("Retracted")
    # An incident found to record the same event as another and merged into it (issue 17): kept,
    # with its history, but never public and never counted; its URL answers 301 to the survivor.
    MERGED = "merged", _("Merged into another record")


class PublishableQuerySet(VisibilityQuerySet):
    """Records with a draft / published / retracted life: the public sees published ones only."""

    def public(self):
        return self.filter(status=Status.PUBLISHED)


class PublishableModel(models.Model):
    """Bookkeeping shared by incidents and cases: status, who and when, retraction, review."""

    status = models.CharField(
        _("status"),
        max_length=10,
        choices=Status.choices,
        default=Status.DRAFT,
        db_index=True,
        help_text=_(
            "Only published records are public and counted in public figures. "
            "Retracting keeps the record and shows the retraction note in the corrections log."
        ),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
        verbose_name=_("created by"),
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
        verbose_name=_("updated by"),
    )
    published_at = models.DateTimeField(
        _("published at"), null=True, blank=True, editable=False, help_text=_("When the record was first published.")
    )
    retracted_at = models.DateTimeField(_("retracted at"), null=True, blank=True, editable=False)
    retraction_note = models.TextField(
        _("retraction note"),
        blank=True,
        help_text=_("Public: why the record was retracted. Shown in the corrections log."),
    )
    review_note = models.TextField(
        _("review note"), blank=True, help_text=_("Staff only: the reviewer's note when a draft is sent back.")
    )
    is_synthetic = models.BooleanField(
        default=False,
        editable=False,
        help_text=_("Fictional record made by generate_synthetic for demos and benchmarks."),
    )

    class Meta:
        abstract = True

    @property
    def is_public(self) -> bool:
        return self.status == Status.PUBLISHED

    # Publishing and retracting (used by the admin's actions and its status field) ------
    def check_publishable(self) -> None:
        """Raise ValidationError when the record may not be published yet (subclasses add rules)."""

    def publish(self, user) -> None:
        """Publish: status, the time of the first publication, and who did it."""
        self.check_publishable()
        self.status = Status.PUBLISHED
        if self.published_at is None:
            self.published_at = timezone.now()
        self.updated_by = user
        self._history_user = user  # simple_history: who, also outside a request
        self.save()

    def retract(self, user, note: str) -> Correction:
        """Retract a published record: keep it, say why in public, and log it in the corrections log."""
        note = (note or "").strip()
        if not note:
            raise ValidationError({"retraction_note": _("Give a public note saying why the record is retracted.")})
        if self.status != Status.PUBLISHED:
            raise ValidationError(_("Only a published record can be retracted."))
        with transaction.atomic():
            self.status = Status.RETRACTED
            self.retracted_at = timezone.now()
            self.retraction_note = note
            self.updated_by = user
            self._history_user = user
            self.save()
            from .corrections import record_retraction  # corrections imports this module

            return record_retraction(self, user, note)


class Correction(models.Model):
    """A public log entry: a published figure changed, or a record was retracted."""

    PUBLIC_FIELDS = ("id", "created_at", "record_label", "record_url", "field", "old_value", "new_value", "note")

    content_type = models.ForeignKey("contenttypes.ContentType", on_delete=models.PROTECT)
    object_id = models.PositiveBigIntegerField()
    record_label = models.CharField(
        _("record label"), max_length=300, help_text=_("The record's public title at the time.")
    )
    record_url = models.CharField(_("record url"), max_length=300, blank=True)
    field = models.CharField(_("field"), max_length=100, blank=True, help_text=_("Empty for a retraction or a note."))
    old_value = models.TextField(_("old value"), blank=True)
    new_value = models.TextField(_("new value"), blank=True)
    note = models.TextField(_("note"), blank=True, help_text=_("Public explanation of the change."))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True, db_index=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("created by"),
    )

    objects = AllPublicQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("correction")
        verbose_name_plural = _("corrections")

    def __str__(self) -> str:
        return f"{self.record_label}: {self.field or 'note'}"


class CorrectionRedaction(models.Model):
    """Staff-only log of redactions: a superuser blanked a corrections log entry's text, and why.

    The entry stays in the public log with "[redacted]" in place of its old and new values and its
    note (a name that should never have been public, say); this row keeps who did it, when and why,
    and which of the entry's texts were replaced. It holds no copy of the text removed.
    """

    correction = models.ForeignKey(
        Correction, on_delete=models.PROTECT, related_name="redactions", verbose_name=_("correction")
    )
    fields = models.CharField(_("fields"), max_length=200, help_text=_("Which texts of the entry were replaced."))
    reason = models.TextField(_("reason"), help_text=_("Staff only: why the text was redacted."))
    redacted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("redacted by"),
    )
    redacted_at = models.DateTimeField(_("redacted at"), auto_now_add=True)

    class Meta:
        ordering = ["-redacted_at", "-id"]
        verbose_name = _("correction redaction")
        verbose_name_plural = _("correction redactions")

    def __str__(self) -> str:
        return f"Redaction of correction #{self.correction_id}"
