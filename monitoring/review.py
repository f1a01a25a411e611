"""Review and publishing: the queue of drafts, each with its diff against the last published version.

Editors (and superusers) publish a draft or send it back with a note; monitors see the queue
but every POST checks `tracker.roles.can_publish` on the server. Retracting keeps the record
and needs a public note. Publishing and retracting go through the models' own `publish(user)`
and `retract(user, note)`; figures changed on a published record reach the corrections log
through the one hook in core/corrections.py.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import PositiveIntegerField
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from cases.models import Case
from core.models import Status
from incidents.models import CourtRecordCheck, Incident
from tracker.roles import can_publish

from . import access
from .forms import NoteForm, RetractForm

# The fields shown in the diff, in this order (many-to-many links are not compared).
DIFF_FIELDS = {
    "incident": (
        "title",
        "date",
        "province",
        "city",
        "locality",
        "latitude",
        "longitude",
        "attack_type",
        "killed",
        "injured",
        "description",
        "court_record_checked_on",
    ),
    "case": (
        "court",
        "case_number",
        "fir_number",
        "fir_date",
        "police_station",
        "challan_date",
        "cognizance_date",
        "charge_framed_date",
        "judgment_date",
        "stage",
        "transferred_to",
        "transferred_on",
        "last_verified_on",
        "public_notes",
    ),
}
MODELS = {"incident": Incident, "case": Case}


@dataclass
class Change:
    field: str
    old: str
    new: str


@dataclass
class QueueItem:
    kind: str
    record: Incident | Case
    published_before: bool
    changes: list[Change]


def _model_for(kind: str):
    try:
        return MODELS[kind]
    except KeyError:
        raise Http404("No such kind of record.") from None


def last_published_versions(model, ids) -> dict[int, object]:
    """The latest historical row with status=published of each record in `ids` (one query)."""
    latest: dict[int, object] = {}
    rows = model.history.filter(id__in=ids, status=Status.PUBLISHED).order_by("id", "-history_date", "-history_id")
    for row in rows:
        latest.setdefault(row.id, row)
    return latest


def _related_names(model, fields, records) -> dict[tuple[str, object], str]:
    """Names of the rows the foreign keys point to, one query per related model."""
    names: dict[tuple[str, object], str] = {}
    for name in fields:
        field = model._meta.get_field(name)
        if not field.is_relation:
            continue
        ids = {getattr(r, field.attname) for r in records} - {None}
        for pk, obj in field.related_model._default_manager.in_bulk(ids).items():
            names[(name, pk)] = str(obj)
    return names


def _show(model, name, value, names) -> str:
    field = model._meta.get_field(name)
    if value is None and isinstance(field, PositiveIntegerField):
        return "unknown"  # killed / injured: NULL means not known, never 0
    if value is None or value == "":
        return "—"
    if field.is_relation:
        return names.get((name, value), str(value))
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    return str(value)


def diff(model, kind: str, record, published, names) -> list[Change]:
    """Field by field, what differs between the published version and the draft now."""
    changes = []
    for name in DIFF_FIELDS[kind]:
        attname = model._meta.get_field(name).attname
        old, new = getattr(published, attname), getattr(record, attname)
        if old != new:
            changes.append(
                Change(
                    str(model._meta.get_field(name).verbose_name), *(_show(model, name, v, names) for v in (old, new))
                )
            )
    return changes


def build_queue(kind: str) -> list[QueueItem]:
    """Drafts of one kind, newest first, each with its diff (a constant number of queries)."""
    model = MODELS[kind]
    related = ("province", "city") if kind == "incident" else ("court",)
    drafts = list(model.objects.filter(status=Status.DRAFT).select_related(*related).order_by("-updated_at", "-id"))
    published = last_published_versions(model, [d.pk for d in drafts])
    names = _related_names(model, DIFF_FIELDS[kind], [*drafts, *published.values()])
    return [
        QueueItem(
            kind=kind,
            record=draft,
            published_before=draft.pk in published,
            changes=diff(model, kind, draft, published[draft.pk], names) if draft.pk in published else [],
        )
        for draft in drafts
    ]


@access.staff_required()
def queue(request: HttpRequest) -> HttpResponse:
    context = {
        "incidents": build_queue("incident"),
        "cases": build_queue("case"),
        "court_checks": list(CourtRecordCheck.objects.select_related("incident", "checked_by")),
        "can_publish_incidents": can_publish(request.user, "incidents"),
        "can_publish_cases": can_publish(request.user, "cases"),
        "note_form": NoteForm(),
    }
    return render(request, "monitoring/review_queue.html", context)


def _editable(request: HttpRequest, kind: str, pk: int, status: str):
    """The record, after the server-side check that this user may publish this kind."""
    model = _model_for(kind)
    if not can_publish(request.user, model._meta.app_label):
        raise PermissionDenied("Only editors may publish, send back or retract.")
    return get_object_or_404(model, pk=pk, status=status)


@require_POST
@access.staff_required()
def publish(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    record = _editable(request, kind, pk, Status.DRAFT)
    try:
        record.publish(request.user)
    except ValidationError as error:
        messages.error(request, f"Not published: {' '.join(error.messages)}")
        return redirect("monitoring:review_queue")
    messages.success(request, f"Published: {record}.")
    return redirect("monitoring:review_queue")


@require_POST
@access.staff_required()
def send_back(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    record = _editable(request, kind, pk, Status.DRAFT)
    form = NoteForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Say what needs changing: the note is required. Nothing was changed.")
        return redirect("monitoring:review_queue")
    record.review_note = form.cleaned_data["note"]
    record.updated_by = request.user
    record.save(update_fields=["review_note", "updated_by", "updated_at"])
    messages.success(request, f"Sent back with a note: {record}.")
    return redirect("monitoring:review_queue")


@require_POST
@access.staff_required()
def decide_court_check(request: HttpRequest, pk: int, decision: str) -> HttpResponse:
    """An editor confirms a monitor's court-record check (the incident then counts as researched)
    or discards it; monitors see the checks waiting but cannot decide them."""
    if not can_publish(request.user, "incidents"):
        raise PermissionDenied("Only editors may confirm or discard a court-record check.")
    check = get_object_or_404(CourtRecordCheck.objects.select_related("incident", "checked_by"), pk=pk)
    if decision == "confirm":
        check.confirm(request.user)
        messages.success(request, f"Confirmed: {check.incident} court record checked on {check.checked_on:%d %b %Y}.")
    else:
        check.delete()
        messages.success(request, f"Discarded the court-record check of {check.incident}.")
    return redirect("monitoring:review_queue")


@access.staff_required()
def retract(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    """GET: the form; POST: retract with a public note (the record is kept)."""
    record = _editable(request, kind, pk, Status.PUBLISHED)
    form = RetractForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            record.retract(request.user, form.cleaned_data["note"])
        except ValidationError as error:
            messages.error(request, f"Not retracted: {' '.join(error.messages)}")
            return redirect("monitoring:review_queue")
        messages.success(request, f"Retracted: {record}. The note is in the public corrections log.")
        return redirect("monitoring:review_queue")
    return render(request, "monitoring/retract.html", {"record": record, "kind": kind, "form": form})
