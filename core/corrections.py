"""The public corrections log, written from ONE place.

A correction is a change to a *published* record's public figure. `record_changes(old, new,
user, note)` compares two versions of a record (model instances or simple_history rows) over
the fields in `CORRECTED_FIELDS` and writes one `Correction` per changed field.

It is called from one bookkeeping hook: simple_history's `post_create_historical_record`
signal (connected by `connect()` from `monitoring.apps`). Every save of an incident, case or
charge already writes a historical row, whoever saves it (the admin, the hearing form, the
review queue, a shell), so the log cannot be bypassed by a new edit path. Bulk `update()`
calls write no history and no corrections: they are used only for bookkeeping fields.

What counts as a correction:

- Incident: any change of date, place, attack type, killed or injured while published.
- Case and charge: a change of a figure that was already set (cognizance moved, a verdict
  changed from convicted to acquitted). Filling a blank (judgment_date set when the case is
  decided, pending → convicted) is the trial moving on, reported by the digests, not a
  correction.
- Publishing a draft is not a correction; retracting is logged by `record_retraction`
  (called by `PublishableModel.retract`), and the changes made in the same save are not.
- Merging a published incident into another (issue 17) is logged by `record_merge`, called by
  `incidents.merging.merge`; the kept incident's changed figures go through the hook as usual.

The bulk writes of the import bypass the hook: its update path calls `record_changes` itself.

Since issue 14: a form that corrects a published figure asks for the reason (`corrected_fields`,
core/forms.py), given to the save by `set_reason` and written as the entry's public note; the
public pages name each entry's record as it is public TODAY (`show_today`), never by the label
stored at the time; a superuser can `redact` an entry, and each redaction is logged.
"""

from __future__ import annotations

import datetime
import functools

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext, gettext_noop
from django.utils.translation import gettext_lazy as _

from .models import Correction, CorrectionRedaction, Status

# app_label.model -> the public fields whose change is a correction.
CORRECTED_FIELDS: dict[str, tuple[str, ...]] = {
    "incidents.incident": ("date", "province", "city", "attack_type", "killed", "injured"),
    "cases.case": ("court", "fir_date", "cognizance_date", "charge_framed_date", "judgment_date", "transferred_to"),
    "cases.charge": ("verdict", "verdict_date", "sentence_kind"),
}
# Models whose blank → value changes are progress, not corrections (see the module docstring).
PROGRESS_MODELS = {"cases.case", "cases.charge"}
BLANK_VALUES = (None, "", "pending")

REASON_LABEL = _("Reason for the correction")
REASON_HELP = _(
    "Public: shown in the corrections log. Needed when you change a published record's date, place, "
    "figures, court dates or verdict."
)
REASON_REQUIRED = _("Give the reason for the correction: it is shown in the public corrections log.")


def in_site_language(function):
    """Run `function` in the site's language (settings.LANGUAGE_CODE), whatever the page's.

    A log entry is stored text, read by everyone: its field name, values and record label and URL are
    written once, the same whether the editor worked in the English or the Urdu admin (a /ur/ URL or
    an Urdu label stored in the log would be wrong for every English reader).
    """

    @functools.wraps(function)
    def wrapper(*args, **kwargs):
        with translation.override(settings.LANGUAGE_CODE):
            return function(*args, **kwargs)

    return wrapper


def _label(model) -> str:
    return model._meta.label_lower


def _display(record, field) -> str:
    """The public wording of `record`'s value for `field` ("unknown" for NULL)."""
    value = getattr(record, field.attname)
    if value is None or value == "":
        return "unknown" if field.null else ""
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if field.is_relation:
        related = field.related_model._default_manager.filter(pk=value).first()
        return str(related) if related is not None else str(value)
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value)


def public_record(instance) -> tuple[str, str]:
    """The public label and URL of the record a correction is about (never a confidential name)."""
    label = _label(type(instance))
    if label == "cases.charge":
        case = instance.case
        return f"{case.title}: {instance.accused.public_name}", case.get_absolute_url()
    if label == "cases.case":
        return instance.title, instance.get_absolute_url()
    return str(instance), instance.get_absolute_url()


# What the log's readers need to render each kind of record's public label in one query.
LABEL_RELATED: dict[str, tuple[str, ...]] = {"cases.case": ("court",), "cases.charge": ("case__court", "accused")}


def _owner(instance):
    """The record whose status decides whether `instance` is public (a charge's case)."""
    return instance.case if _label(type(instance)) == "cases.charge" else instance


def hidden_label(instance) -> str:
    """What the log says of a record the public may not see now (never its name)."""
    if instance is None:
        return gettext("A record since deleted")
    owner = _owner(instance)
    name = owner._meta.verbose_name
    if getattr(owner, "status", None) == Status.RETRACTED:
        return gettext("A retracted %(record)s") % {"record": name}
    if getattr(owner, "status", None) == Status.MERGED:
        return gettext("A duplicate %(record)s, merged into another") % {"record": name}
    return gettext("A %(record)s no longer published") % {"record": name}


def show_today(corrections) -> list[Correction]:
    """Give each log entry the label and link its record has TODAY, under today's visibility rules.

    The label stored when the entry was written is never shown: an accused marked juvenile since
    shows as "Juvenile (name withheld)", a retracted record as "A retracted incident" with no
    link, a deleted one as "A record since deleted". Sets `record_label`, `record_url` and
    `is_linkable` on the (unsaved) rows; one query per kind of record, whatever the number of rows.
    """
    from collections import defaultdict

    rows = list(corrections)
    ids_by_type: dict[int, set[int]] = defaultdict(set)
    for row in rows:
        ids_by_type[row.content_type_id].add(row.object_id)
    records: dict[tuple[int, int], object] = {}
    for type_id, ids in ids_by_type.items():
        model = ContentType.objects.get_for_id(type_id).model_class()
        if model is None:
            continue
        queryset = model._default_manager.filter(pk__in=ids).select_related(*LABEL_RELATED.get(_label(model), ()))
        records.update(((type_id, record.pk), record) for record in queryset)
    for row in rows:
        record = records.get((row.content_type_id, row.object_id))
        if record is not None and hasattr(_owner(record), "status") and is_published(record):
            row.record_label, row.record_url = public_record(record)
        else:
            row.record_label, row.record_url = hidden_label(record), ""
        row.is_linkable = bool(row.record_url)
    return rows


def is_published(instance) -> bool:
    """Whether the record (or, for a charge, its case) is published now."""
    if _label(type(instance)) == "cases.charge":
        return instance.case.status == Status.PUBLISHED
    return instance.status == Status.PUBLISHED


def corrected_fields(instance, new_values: dict) -> list[str]:
    """The public figures of the saved, published `instance` that `new_values` (a form's cleaned
    data) would correct: what asks the person saving for a reason. Progress (a blank filled in a
    case or charge) is not a correction, as in `record_changes`."""
    label = _label(type(instance))
    if instance.pk is None or label not in CORRECTED_FIELDS or not is_published(instance):
        return []
    progress = label in PROGRESS_MODELS
    changed = []
    for name in CORRECTED_FIELDS[label]:
        if name not in new_values:
            continue
        field = instance._meta.get_field(name)
        before, after = getattr(instance, field.attname), new_values[name]
        if field.is_relation:
            after = after.pk if after is not None else None
        if after == "" and field.null:
            after = None
        if before == after or (progress and before in BLANK_VALUES):
            continue
        changed.append(name)
    return changed


def set_reason(instance, reason: str) -> None:
    """Give the next save of `instance` its correction reason: the public note of the log entries it
    writes (any length), and simple_history's change reason (its column holds 100 characters)."""
    reason = (reason or "").strip()
    instance._correction_note = reason
    instance._change_reason = reason[:100] or None


@in_site_language
def record_changes(old, new, user=None, note: str = "", *, instance=None) -> list[Correction]:
    """Write one Correction per public figure that differs between `old` and `new`.

    `old` and `new` are two versions of the same record: model instances or historical rows.
    `instance` is the live record (defaults to `new`), used for its label, URL and type.
    """
    instance = instance if instance is not None else new
    model = type(instance)
    label = _label(model)
    progress = label in PROGRESS_MODELS
    rows = []
    for name in CORRECTED_FIELDS.get(label, ()):
        field = model._meta.get_field(name)
        before, after = getattr(old, field.attname), getattr(new, field.attname)
        if before == after or (progress and before in BLANK_VALUES):
            continue
        rows.append((field, _display(old, field), _display(new, field)))
    if not rows:
        return []
    record_label, record_url = public_record(instance)
    content_type = ContentType.objects.get_for_model(model)
    return Correction.objects.bulk_create(
        Correction(
            content_type=content_type,
            object_id=instance.pk,
            record_label=record_label[:300],
            record_url=record_url,
            field=str(field.verbose_name),
            old_value=old_value,
            new_value=new_value,
            note=note,
            created_by=user if user is not None and user.is_authenticated else None,
        )
        for field, old_value, new_value in rows
    )


@in_site_language
def _log_entry(instance, user=None, **fields) -> Correction:
    """One log entry about `instance`, labelled as it is public now, written by `user`."""
    record_label, record_url = public_record(instance)
    return Correction.objects.create(
        content_type=ContentType.objects.get_for_model(type(instance)),
        object_id=instance.pk,
        record_label=record_label[:300],
        record_url=record_url,
        created_by=user if user is not None and user.is_authenticated else None,
        **fields,
    )


def record_retraction(instance, user=None, note: str = "") -> Correction:
    """The log entry for a retracted record: no field, the public retraction note."""
    return _log_entry(instance, user, note=note)


@in_site_language
def record_merge(merged, survivor, user=None, note: str = "") -> Correction:
    """The log entry for a published record merged into another (issue 17): it recorded the same
    event, so it leaves the public figures; the entry names the record it lives on in."""
    survivor_label, survivor_url = public_record(survivor)
    return _log_entry(
        merged,
        user,
        field=gettext_noop("merged into"),  # stored in English; the log page translates it
        old_value=f"#{merged.pk}",
        new_value=f"{survivor_label} ({survivor_url})",
        note=note,
    )


REDACTED = "[redacted]"
REDACTABLE_FIELDS = ("record_label", "old_value", "new_value", "note")


@in_site_language
def redact(correction: Correction, user, reason: str) -> CorrectionRedaction:
    """Replace the entry's stored texts with "[redacted]" and log who, when and why.

    Only texts that hold something are replaced (an empty note stays empty); the field name and the
    date stay, so the public still sees that a correction was made. The public label is rendered at
    read time anyway (`show_today`); the stored one is redacted too, so no copy is left in the admin.
    """
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(_("Say why the entry is redacted."))
    changed = [name for name in REDACTABLE_FIELDS if getattr(correction, name) not in ("", REDACTED)]
    with transaction.atomic():
        for name in changed:
            setattr(correction, name, REDACTED)
        if changed:
            correction.save(update_fields=changed)
        return CorrectionRedaction.objects.create(
            correction=correction,
            fields=", ".join(str(Correction._meta.get_field(name).verbose_name) for name in changed) or "nothing left",
            reason=reason,
            redacted_by=user if user is not None and user.is_authenticated else None,
        )


def on_history_saved(sender, instance, history_instance, history_user=None, history_change_reason=None, **kwargs):
    """post_create_historical_record: log the changed figures of a record published before and after."""
    if history_instance.history_type != "~" or _label(type(instance)) not in CORRECTED_FIELDS:
        return
    previous = history_instance.prev_record
    if previous is None or not is_published(instance):
        return
    if hasattr(previous, "status") and previous.status != Status.PUBLISHED:
        return  # publishing a draft: not a correction
    note = getattr(instance, "_correction_note", None) or history_change_reason or ""
    record_changes(previous, history_instance, history_user, note, instance=instance)


def connect() -> None:
    """Attach the hook to the history of every model in CORRECTED_FIELDS (called once, at start-up)."""
    from django.apps import apps
    from simple_history.signals import post_create_historical_record

    for label in CORRECTED_FIELDS:
        model = apps.get_model(label)
        post_create_historical_record.connect(
            on_history_saved, sender=model.history.model, dispatch_uid=f"corrections-{label}"
        )
