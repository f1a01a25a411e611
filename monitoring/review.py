"""Review and publishing: the queue of drafts, each with its diff against the last published version.

The queue is read at the scale of an import (issue 14): 50 drafts a page, newest change first,
filtered by kind, by the import run that wrote them and by who made them (`QueueFilter`); a page
costs the same few queries with 50 or 50,000 drafts waiting. A draft never published shows all
its fields and its sources instead of a diff. Editors (and superusers) publish a draft or send it
back with a note, or tick several and publish them after a confirmation page that lists them
(`publish_selected`); monitors see the queue but every POST checks `tracker.roles.can_publish`
on the server. Retracting keeps the record
and needs a public note. Publishing and retracting go through the models' own `publish(user)`
and `retract(user, note)`; figures changed on a published record reach the corrections log
through the one hook in core/corrections.py.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import django_filters
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import IntegerField, PositiveIntegerField, Prefetch, QuerySet, Value
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_POST

from cases.models import Case
from core.models import Status
from incidents.models import CourtRecordCheck, ImportRun, Incident, IncidentSource
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
KINDS = tuple(MODELS)  # the union's `kind_n` column numbers them in this order
PAGE_SIZE = 50
# A ticked box is "incident:12" or "case:3"; anything else is refused (400).
SELECTED = re.compile(r"^(incident|case):([1-9][0-9]{0,17})$")


@dataclass
class Change:
    field: str
    old: str
    new: str


@dataclass
class FieldValue:
    """One field of a record never published: its name and value, as shown to the reviewer."""

    field: str
    value: str


@dataclass
class QueueItem:
    kind: str
    record: Incident | Case
    published_before: bool
    changes: list[Change]
    fields: list[FieldValue] = field(default_factory=list)  # never published: every field, to review in full


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


def _all_fields(model, kind: str, record, names) -> list[FieldValue]:
    """Every compared field of a draft never published, empty ones too (a reviewer checks them all)."""
    values = [
        FieldValue(str(model._meta.get_field(name).verbose_name), _show(model, name, getattr(record, attname), names))
        for name in DIFF_FIELDS[kind]
        for attname in [model._meta.get_field(name).attname]
    ]
    if kind == "incident":
        communities = ", ".join(str(c) for c in record.communities.all())
        values.append(FieldValue("communities targeted", communities or "—"))
    else:
        values.append(FieldValue("offences", ", ".join(str(o) for o in record.offences.all()) or "—"))
        values.append(FieldValue("incidents", "; ".join(str(i) for i in record.incidents.all()) or "—"))
    return values


def _records(kind: str, ids) -> list[Incident | Case]:
    """The drafts of one kind with these ids, with what their review shows (a constant number of queries)."""
    model = MODELS[kind]
    if kind == "incident":
        links = Prefetch("source_links", queryset=IncidentSource.objects.select_related("source").order_by("id"))
        records = model.objects.select_related("province", "city").prefetch_related(links, "communities")
    else:
        records = model.objects.select_related("court").prefetch_related("offences", "incidents")
    return list(records.filter(pk__in=ids, status=Status.DRAFT).order_by("-updated_at", "-id"))


def build_queue(kind: str, ids=None) -> list[QueueItem]:
    """Drafts of one kind (those in `ids`, else all), newest first, each with its diff against the last
    published version or, never published, all its fields (a constant number of queries)."""
    model = MODELS[kind]
    if ids is None:
        ids = model.objects.filter(status=Status.DRAFT).values("pk")
    drafts = _records(kind, ids)
    if not drafts:
        return []
    published = last_published_versions(model, [d.pk for d in drafts])
    names = _related_names(model, DIFF_FIELDS[kind], [*drafts, *published.values()])
    return [
        QueueItem(
            kind=kind,
            record=draft,
            published_before=draft.pk in published,
            changes=diff(model, kind, draft, published[draft.pk], names) if draft.pk in published else [],
            fields=[] if draft.pk in published else _all_fields(model, kind, draft, names),
        )
        for draft in drafts
    ]


def _staff_users():
    return get_user_model().objects.filter(is_staff=True, is_active=True).order_by("username")


def _import_runs():
    """Runs that wrote something: a dry run or a stopped run left no draft to review."""
    return ImportRun.objects.filter(dry_run=False, ok=True).order_by("-started_at", "-id")


class QueueFilter(django_filters.FilterSet):
    """The queue's filters. Each model is filtered by `drafts()`; this class checks and shows them."""

    kind = django_filters.ChoiceFilter(
        choices=[("incident", gettext_lazy("Incidents")), ("case", gettext_lazy("Cases"))],
        empty_label=gettext_lazy("Incidents and cases"),
        label=gettext_lazy("Kind"),
        method="keep",
    )
    run = django_filters.ModelChoiceFilter(
        queryset=_import_runs(),
        label=gettext_lazy("Import run"),
        empty_label=gettext_lazy("Any (or none)"),
        method="keep",
        help_text=gettext_lazy("Only the incidents that run created or changed."),
    )
    author = django_filters.ModelChoiceFilter(
        queryset=_staff_users(),
        label=gettext_lazy("Made by"),
        empty_label=gettext_lazy("Anyone"),
        method="keep",
    )

    class Meta:
        model = Incident
        fields = ["kind", "run", "author"]

    def keep(self, queryset, name, value):
        return queryset


def drafts(kind: str, data: dict) -> QuerySet:
    """The drafts of one kind the filters keep.

    An import run is found through the history rows it wrote (`import of <file>`, by its user,
    between its start and its end): a draft imported, then edited by hand, still belongs to it."""
    model = MODELS[kind]
    chosen = data.get("kind")
    if chosen and chosen != kind:
        return model.objects.none()
    queryset = model.objects.filter(status=Status.DRAFT)
    if data.get("author"):
        queryset = queryset.filter(created_by=data["author"])
    run = data.get("run")
    if run:
        if kind != "incident":
            return model.objects.none()
        written = Incident.history.filter(
            history_date__gte=run.started_at,
            history_date__lte=run.finished_at or run.started_at,
            history_user_id=run.started_by_id,
            history_change_reason=f"import of {run.file_name}",
        )
        queryset = queryset.filter(pk__in=written.values("id"))
    return queryset


def queue_page(data: dict, page_number) -> tuple[object, list[QueueItem]]:
    """One page (PAGE_SIZE) of the filtered drafts of both kinds, newest change first, and its items.

    The page is cut from a UNION of (kind, updated_at, id) of both tables, so reading page 1 of
    50,000 drafts reads 50 records, not 50,000."""
    keys = [
        drafts(kind, data)
        .order_by()
        .annotate(kind_n=Value(n, output_field=IntegerField()))
        .values_list("kind_n", "updated_at", "id")
        for n, kind in enumerate(KINDS)
    ]
    union = keys[0].union(keys[1], all=True).order_by("-updated_at", "-kind_n", "-id")
    page = Paginator(union, PAGE_SIZE).get_page(page_number)
    rows = list(page.object_list)
    by_kind = {
        kind: {item.record.pk: item for item in build_queue(kind, [pk for n, _, pk in rows if n == i])}
        for i, kind in enumerate(KINDS)
        if any(n == i for n, _, _ in rows)
    }
    items = [by_kind[KINDS[n]][pk] for n, _, pk in rows if pk in by_kind.get(KINDS[n], {})]
    return page, items


@access.staff_required()
def queue(request: HttpRequest) -> HttpResponse:
    filters = QueueFilter(request.GET or None, queryset=Incident.objects.none())
    if filters.is_bound and not filters.is_valid():
        context = {"filters": filters, "items": [], "page": None}
        return render(request, "monitoring/review_queue.html", context, status=400)
    data = filters.form.cleaned_data if filters.is_bound else {}
    page, items = queue_page(data, request.GET.get("page"))
    context = {
        "filters": filters,
        "page": page,
        "page_links": page.paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1),
        "items": items,
        "incidents": [item for item in items if item.kind == "incident"],
        "cases": [item for item in items if item.kind == "case"],
        "court_checks": list(CourtRecordCheck.objects.select_related("incident", "checked_by")),
        "can_publish_incidents": can_publish(request.user, "incidents"),
        "can_publish_cases": can_publish(request.user, "cases"),
        "note_form": NoteForm(),
    }
    return render(request, "monitoring/review_queue.html", context)


def _selection(request: HttpRequest) -> list[tuple[str, int]] | None:
    """The ticked drafts as (kind, pk), in the order given, each once; None when a value is malformed."""
    chosen: list[tuple[str, int]] = []
    for value in request.POST.getlist("selected"):
        match = SELECTED.match(value)
        if match is None:
            return None
        key = (match.group(1), int(match.group(2)))
        if key not in chosen:
            chosen.append(key)
    return chosen


def _back(request: HttpRequest) -> str:
    """Where to return after publishing: the queue page the selection came from (same site only)."""
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return reverse("monitoring:review_queue")


@require_POST
@access.staff_required()
def publish_selected(request: HttpRequest) -> HttpResponse:
    """Publish the ticked drafts: first a confirmation page listing them, then (with `confirm`) each
    one through its own `publish(user)`, so its checks and history apply; a draft that cannot be
    published is reported with the reason and the others are published."""
    chosen = _selection(request)
    if chosen is None or len(chosen) > PAGE_SIZE:
        if chosen:
            message = _("Choose at most %(limit)d drafts from the queue.") % {"limit": PAGE_SIZE}
        else:
            message = _("Not a draft of the queue.")
        context = {"error": message, "next": reverse("monitoring:review_queue")}
        return render(request, "monitoring/publish_confirm.html", context, status=400)
    if not chosen:
        messages.error(request, _("Tick the drafts to publish first. Nothing was published."))
        return redirect(_back(request))
    for kind in {kind for kind, _pk in chosen}:
        if not can_publish(request.user, MODELS[kind]._meta.app_label):
            raise PermissionDenied("Only editors may publish.")
    found = {
        (kind, record.pk): record
        for kind in KINDS
        for record in MODELS[kind].objects.filter(pk__in=[pk for k, pk in chosen if k == kind], status=Status.DRAFT)
    }
    records = [(kind, found[(kind, pk)]) for kind, pk in chosen if (kind, pk) in found]
    gone = len(chosen) - len(records)
    if request.POST.get("confirm") != "yes":
        context = {"records": records, "gone": gone, "next": _back(request)}
        return render(request, "monitoring/publish_confirm.html", context)
    published, refused = [], []
    for _kind, record in records:
        try:
            with transaction.atomic():
                record.publish(request.user)
        except ValidationError as error:
            refused.append(f"{record}: {' '.join(error.messages)}")
        else:
            published.append(str(record))
    if published:
        messages.success(
            request,
            ngettext("Published %(count)d: %(records)s.", "Published %(count)d: %(records)s.", len(published))
            % {"count": len(published), "records": _("; ").join(published)},
        )
    for reason in refused:
        messages.error(request, _("Not published: %(reason)s") % {"reason": reason})
    if gone:
        messages.warning(
            request, _("%(count)d of the drafts chosen are no longer drafts: left as they are.") % {"count": gone}
        )
    return redirect(_back(request))


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
        messages.error(request, _("Not published: %(reason)s") % {"reason": " ".join(error.messages)})
        return redirect("monitoring:review_queue")
    messages.success(request, _("Published: %(record)s.") % {"record": record})
    return redirect("monitoring:review_queue")


@require_POST
@access.staff_required()
def send_back(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    record = _editable(request, kind, pk, Status.DRAFT)
    form = NoteForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Say what needs changing: the note is required. Nothing was changed."))
        return redirect("monitoring:review_queue")
    record.review_note = form.cleaned_data["note"]
    record.updated_by = request.user
    record.save(update_fields=["review_note", "updated_by", "updated_at"])
    messages.success(request, _("Sent back with a note: %(record)s.") % {"record": record})
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
        messages.success(
            request,
            _("Confirmed: %(incident)s court record checked on %(date)s.")
            % {"incident": check.incident, "date": date_format(check.checked_on, "d M Y")},
        )
    else:
        check.delete()
        messages.success(request, _("Discarded the court-record check of %(incident)s.") % {"incident": check.incident})
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
            messages.error(request, _("Not retracted: %(reason)s") % {"reason": " ".join(error.messages)})
            return redirect("monitoring:review_queue")
        messages.success(
            request, _("Retracted: %(record)s. The note is in the public corrections log.") % {"record": record}
        )
        return redirect("monitoring:review_queue")
    return render(request, "monitoring/retract.html", {"record": record, "kind": kind, "form": form})
