"""No lost edits: a form carries the version of what it shows, and a stale form is refused.

An edit form shows a record and rows edited with it (a case with its hearings and charges, an
incident with its sources, attributions and victims, a case's hearings on the phone form). What it
shows is the *version* it was opened at: one short hash per row, and per many-to-many field of the
record, of the values django-simple-history keeps (its tracked fields). The version goes with the
form as a signed hidden field (`record_version`). On save, under a lock on the record, the rows
are read again; when any differs, nothing is written and the form says what changed, who changed
it and when (from the history; from the admin's log for the few models without one), so the
colleague's change is kept. No column is added: the version is recomputed from the rows themselves,
which also catches changes that bypass the history (`update()`, bulk writes).

Why the lock (the race this closes): without it, two editors can both read version v1, both pass
the check, and the second save overwrites the first (check, then act). The view takes
`SELECT ... FOR NO KEY UPDATE` on the record's row (`lock_row`) before the check, in the
transaction that saves: the second editor's check then waits until the first commits, reads v2
and is refused. Every versioned form that can change a case's rows (the case form, the phone
form, a hearing's or a charge's own form) locks the *case* row first, in that one order, so they
queue on one row and cannot deadlock; "no key" so that rows merely referring to the record (a new
hearing, a case's link to an incident) are not blocked by it.

Used by the admin through `tracker.admin_versioning.VersionedAdminMixin` and by the phone hearing
form (monitoring/forms.py) through `VersionedFormMixin`.
"""

from __future__ import annotations

import datetime
import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from django import forms
from django.apps import apps
from django.contrib.admin.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy

VERSION_FIELD = "record_version"
_SALT = "tracker.versioning"
# History records read per changed row to say who changed it (a row changed more often since the
# form was opened is still refused; the message then names the latest editors only).
HISTORY_LOOKBACK = 50

NO_VERSION = gettext_lazy(
    "Not saved: this form does not say which version of the record it was opened at. "
    "Open the record again and make your changes there."
)
STALE = gettext_lazy(
    "Not saved: since you opened this form, someone else changed this record. Their changes are "
    "kept. Open the record again to see them, then make your changes again."
)


@dataclass(frozen=True)
class Rows:
    """Rows of one model that belong to a form's version, e.g. `Rows(Hearing, {"case_id": 5})`.

    `is_record`: the record the form edits (named "this case" in messages; its many-to-many
    fields are part of the version too).
    """

    model: type[models.Model]
    filters: Mapping = field(default_factory=dict)
    is_record: bool = False


@dataclass(frozen=True)
class Opened:
    """A version read back from a form: when it was taken and the hash of every row."""

    at: datetime.datetime
    hashes: dict[str, str]


@dataclass
class Change:
    """One row changed since a form was opened, for the message: who did what to which row, when."""

    what: str
    action: str  # "changed", "added" or "deleted"
    fields: list[str]
    who: list[str]
    when: datetime.datetime | None

    def __str__(self) -> str:
        who = _and(self.who) if self.who else "Someone"
        fields = f" ({', '.join(self.fields)})" if self.fields else ""
        when = ""
        if self.when is not None:
            local = timezone.localtime(self.when)
            when = f" on {local:%d %b %Y} at {local:%H:%M}"
        return capfirst(f"{who} {self.action} {self.what}{fields}{when}.")


@dataclass(frozen=True)
class Version:
    """What one form's version covers: `scope` names the record (a token is valid for it only)."""

    scope: str
    parts: tuple[Rows, ...]

    def read(self) -> dict[str, tuple]:
        """The current values of every row (and many-to-many field of the record), by row key."""
        values: dict[str, tuple] = {}
        for part in self.parts:
            values.update(_read(part))
        return values

    def token(self) -> str:
        """The signed version to put in the form, taken now."""
        hashes = {key: _hash(row) for key, row in self.read().items()}
        payload = {"scope": self.scope, "at": timezone.now().isoformat(), "rows": hashes}
        return signing.dumps(payload, salt=_SALT, compress=True)

    def opened(self, token: str | None) -> Opened | None:
        """The version `token` carries; None when it is missing, forged or for another record."""
        try:
            payload = signing.loads(token or "", salt=_SALT)
            at = datetime.datetime.fromisoformat(payload["at"])
            hashes = {str(key): str(value) for key, value in payload["rows"].items()}
        except (signing.BadSignature, KeyError, TypeError, ValueError, AttributeError):
            return None
        if payload.get("scope") != self.scope:
            return None
        return Opened(at=at, hashes=hashes)

    def changes_since(self, opened: Opened) -> list[Change]:
        """Every row changed, added or deleted since `opened`, described (empty: not stale)."""
        current = self.read()
        keys = opened.hashes.keys() | current.keys()
        stale = [key for key in keys if opened.hashes.get(key) != _maybe_hash(current, key)]
        if not stale:
            return []
        records = {part.model._meta.label_lower for part in self.parts if part.is_record}
        by_row: dict[str, list[str]] = {}
        for key in stale:
            by_row.setdefault(_row_key(key), []).append(key)
        changes = []
        # The record first, then its rows by model and id.
        for row_key in sorted(by_row, key=lambda row_key: (row_key.split(":")[0] not in records, _row_order(row_key))):
            label = row_key.rsplit(":", 1)[0]
            m2m = [key.rsplit(":", 1)[1] for key in by_row[row_key] if key != row_key]
            changes.append(_describe(row_key, opened, current.get(row_key), m2m=m2m, is_record=label in records))
        return changes


def lock_row(model: type[models.Model], pk) -> None:
    """Lock one row until the transaction ends (see the module docstring: the race this closes).

    SELECT ... FOR NO KEY UPDATE on PostgreSQL; SQLite, which lets one writer at a time, ignores it.
    """
    list(model._base_manager.select_for_update(no_key=True).filter(pk=pk).values_list("pk", flat=True))


class VersionField(forms.CharField):
    """The hidden field carrying the version; never a "changed" field (the admin logs those)."""

    widget = forms.HiddenInput

    def __init__(self, **kwargs):
        super().__init__(required=False, **kwargs)

    def has_changed(self, initial, data) -> bool:
        return False


class VersionedFormMixin:
    """A form that carries the version it was opened at and refuses to save over a newer one.

    The form sets `edit_version` (a `Version`) before `super().__init__()`, and may set
    `opened_version` (a token taken before the data it shows was read; otherwise it is taken when
    the form is made). Validate it inside the saving transaction, after `lock_row()` on the
    record: `is_valid()` is then False, with the message as a non-field error and the changes in
    `stale_changes`, when the rows changed since the form was opened.
    """

    edit_version: Version
    opened_version: str | None = None

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.stale_changes: list[Change] = []
        version = VersionField()
        if not self.is_bound:
            version.initial = self.opened_version or self.edit_version.token()
        self.fields[VERSION_FIELD] = version

    def clean(self):
        cleaned = super().clean()
        self.check_version()
        return cleaned

    def check_version(self) -> None:
        """Refuse a form without a readable version, or opened before the rows last changed."""
        opened = self.edit_version.opened(self.data.get(self.add_prefix(VERSION_FIELD)))
        if opened is None:
            self.add_error(None, ValidationError(NO_VERSION, code="no_version"))
            return
        self.stale_changes = self.edit_version.changes_since(opened)
        if self.stale_changes:
            lines = [STALE, *(str(change) for change in self.stale_changes)]
            self.add_error(None, ValidationError([ValidationError(line, code="stale") for line in lines]))


# Reading rows ------------------------------------------------------------------------------


def history_model(model: type[models.Model]) -> type[models.Model] | None:
    """The django-simple-history model of `model`, if it keeps one."""
    manager = getattr(model._meta, "simple_history_manager_attribute", None)
    return getattr(model, manager).model if manager else None


def tracked_fields(model: type[models.Model]) -> list[models.Field]:
    """The fields a version covers: the editable ones the history keeps.

    Not the bookkeeping: who last saved and when (a save of a case's hearing alone touches its
    case's `updated_at`), counts kept by signals (left out of the history too). No form writes
    them from what it showed: the admin saves the record as read after the lock.
    """
    history = history_model(model)
    fields = history.tracked_fields if history is not None else model._meta.concrete_fields
    return [f for f in fields if f.editable or f.primary_key]


def _read(part: Rows) -> dict[str, tuple]:
    """One query for the rows, one per many-to-many field of the record."""
    model = part.model
    label = model._meta.label_lower
    names = [f.attname for f in tracked_fields(model)]
    at = names.index(model._meta.pk.attname)
    rows = {row[at]: row for row in model._base_manager.filter(**part.filters).order_by().values_list(*names)}
    values = {f"{label}:{pk}": row for pk, row in rows.items()}
    if part.is_record and rows:
        for m2m in model._meta.many_to_many:
            source, target = m2m.m2m_field_name(), m2m.m2m_reverse_field_name()
            links: dict = {pk: [] for pk in rows}
            through = m2m.remote_field.through._base_manager.filter(**{f"{source}__in": list(rows)})
            for pk, other in through.values_list(source, target):
                links[pk].append(other)
            values.update({f"{label}:{pk}:{m2m.name}": tuple(sorted(ids)) for pk, ids in links.items()})
    return values


def _hash(values: Iterable) -> str:
    return hashlib.sha256(repr(tuple(values)).encode()).hexdigest()[:16]


def _maybe_hash(values: dict[str, tuple], key: str) -> str | None:
    return _hash(values[key]) if key in values else None


def _row_key(key: str) -> str:
    """The row a key belongs to: a many-to-many field's key ("cases.case:5:offences") to its record's."""
    return ":".join(key.split(":")[:2])


def _row_order(row_key: str) -> tuple:
    label, pk = row_key.rsplit(":", 1)
    return (label, int(pk) if pk.isdigit() else 0, pk)


# Describing changes ----------------------------------------------------------------------------


def _describe(row_key: str, opened: Opened, current: tuple | None, *, m2m: list[str], is_record: bool) -> Change:
    """Which fields of the row changed since `opened` (its many-to-many fields `m2m` among them), by whom, when."""
    label, pk = row_key.rsplit(":", 1)
    model = apps.get_model(label)
    pk = model._meta.pk.to_python(pk)
    if row_key not in opened.hashes:
        action = "added"
    elif current is None:
        action = "deleted"
    else:
        action = "changed"
    m2m_names = [str(model._meta.get_field(name).verbose_name) for name in m2m]
    history = history_model(model)
    if history is None:
        who, when, fields = _from_admin_log(model, pk, opened.at)
        return Change(_label(model, pk, None, is_record), action, [*fields, *m2m_names], who, when)
    records = list(
        history.objects.filter(**{model._meta.pk.attname: pk})
        .select_related("history_user")
        .order_by("-history_date", "-history_id")[:HISTORY_LOOKBACK]
    )
    # Newest first, the history until the version the form showed: those after it are the changes.
    newer, matched = [], None
    for record in records:
        if action != "added" and _is_opened_version(record, model, row_key, opened, is_record):
            matched = record
            break
        newer.append(record)
    if matched is None and action == "changed":
        # No stored version is the one the form showed (a change the history missed, or older
        # than HISTORY_LOOKBACK): who changed it since the form was opened, as far as the dates tell.
        newer = [record for record in records if record.history_date >= opened.at]
    fields = []
    if matched is not None and action == "changed":
        before = [getattr(matched, f.attname) for f in tracked_fields(model)]
        fields = [
            str(f.verbose_name)
            for f, old, new in zip(tracked_fields(model), before, current, strict=True)
            if old != new and not f.primary_key
        ]
    who = _names(record.history_user for record in newer)
    when = newer[0].history_date if newer else None
    label = _label(model, pk, records[0] if records else None, is_record)
    return Change(label, action, [*fields, *m2m_names], who, when)


def _is_opened_version(record, model, row_key: str, opened: Opened, is_record: bool) -> bool:
    """Whether a historical `record` holds what the form showed: its fields, and for the record its
    many-to-many fields as the history kept them (one query each, for the few records read)."""
    if record.history_type == "-":
        return False
    if _hash(getattr(record, f.attname) for f in tracked_fields(model)) != opened.hashes[row_key]:
        return False
    for m2m in getattr(record, "_history_m2m_fields", []) if is_record else []:
        key = f"{row_key}:{m2m.name}"
        if key in opened.hashes:
            ids = sorted(getattr(record, m2m.name).values_list(m2m.m2m_reverse_field_name(), flat=True))
            if _hash(ids) != opened.hashes[key]:
                return False
    return True


def _from_admin_log(model, pk, since) -> tuple[list[str], datetime.datetime | None, list[str]]:
    """For a model without history (the courts): the admin's own log of who changed which fields."""
    entries = list(
        LogEntry.objects.filter(
            content_type=ContentType.objects.get_for_model(model, for_concrete_model=False),
            object_id=str(pk),
            action_time__gte=since,
        )
        .select_related("user")
        .order_by("-action_time", "-id")
    )
    fields: list[str] = []
    for entry in entries:
        try:
            logged = json.loads(entry.change_message or "[]")
        except ValueError:
            continue
        for item in logged if isinstance(logged, list) else []:
            for name in item.get("changed", {}).get("fields", []) if isinstance(item, dict) else []:
                if name.lower() not in fields:
                    fields.append(name.lower())
    return _names(entry.user for entry in entries), (entries[0].action_time if entries else None), fields


def _label(model, pk, record, is_record: bool) -> str:
    """The record itself is "this case"; a row is named (from its last history when deleted)."""
    name = str(model._meta.verbose_name)
    if is_record:
        return f"this {name}"
    obj = model._base_manager.filter(pk=pk).first()
    if obj is None and record is not None:
        obj = record.instance
    return f"{name} “{obj}”" if obj is not None else f"{name} #{pk}"


def _names(users) -> list[str]:
    """Each user once, in order: full name, else username; nobody recorded (an import) said so."""
    names: list[str] = []
    for user in users:
        name = (user.get_full_name() or user.get_username()) if user is not None else "someone (no user recorded)"
        if name not in names:
            names.append(name)
    return names


def _and(names: list[str]) -> str:
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"
