"""Merging two incidents that record the same event (issue 17), and deciding on candidate pairs.

`merge(keep, other, user, note)` keeps `keep` and folds `other` into it, in one transaction with
both rows locked (in id order, so two editors merging overlapping pairs wait for each other
instead of deadlocking, and the second sees the first's result):

- every source of `other` moves to `keep` with its own reported figures (marked `attached`, so a
  re-import of that dataset updates its figures but never the kept incident's fields); an
  incident cites a source once, so two incidents citing one source are refused, with the reason;
- attributions, victims, targeted communities and case links move too (case links through the
  case's own many-to-many field, so the case's history records the change);
- blanks of `keep` (city, locality, coordinates, tolls, description, court check) are filled from
  `other`; a figure both give stays `keep`'s (each source's own figure stays on its link);
- `keep` is published if either was: the public keeps the event, counted once;
- `other` is kept with its history, marked merged (status and `merged_into`): every public
  queryset leaves it out, its page and API answer 301 to `keep`;
- the histories of both say so; the corrections log lists the merge when a published record
  disappears or a published figure changes.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from core.corrections import record_merge, set_reason
from core.models import Status
from tracker.roles import can_publish

from .models import Attribution, CourtRecordCheck, DuplicatePair, Incident, PairDecision

FILLED_FIELDS = (
    "city",
    "locality",
    "latitude",
    "longitude",
    "killed",
    "injured",
    "description",
    "court_record_checked_on",
)


def can_merge(user) -> bool:
    """Editors decide on duplicates (merge, not the same); monitors only propose."""
    return bool(user and user.is_authenticated and can_publish(user, "incidents"))


def can_propose(user) -> bool:
    return bool(user and user.is_authenticated and user.is_staff and user.has_perm("incidents.change_incident"))


def _locked_pair(keep_id: int, other_id: int) -> tuple[Incident, Incident]:
    if keep_id == other_id:
        raise ValidationError("An incident cannot be merged into itself.")
    rows = {row.pk: row for row in Incident.objects.select_for_update().filter(pk__in=sorted([keep_id, other_id]))}
    if len(rows) != 2:
        raise ValidationError("One of the two incidents no longer exists.")
    keep, other = rows[keep_id], rows[other_id]
    for row in (keep, other):
        if row.status == Status.MERGED:
            raise ValidationError(f"Incident #{row.pk} was already merged into #{row.merged_into_id}.")
    return keep, other


def _move_sources(keep: Incident, other: Incident) -> None:
    links = list(other.source_links.select_related("source"))
    shared = set(keep.source_links.values_list("source_id", flat=True)) & {link.source_id for link in links}
    if shared:
        titles = ", ".join(sorted(link.source.title for link in links if link.source_id in shared))
        raise ValidationError(
            f"Both incidents cite {titles}: a source gives one account of an event, so these may be two "
            "events it lists apart. Remove the wrong link first if they really are one."
        )
    for link in links:
        link.incident, link.attached = keep, True
        link.save()


def _move_children(keep: Incident, other: Incident) -> None:
    existing = set(keep.attributions.values_list("organisation_id", "kind"))
    for attribution in Attribution.objects.filter(incident=other):
        if (attribution.organisation_id, attribution.kind) in existing:
            attribution.delete()  # the kept incident already says the same
        else:
            attribution.incident = keep
            attribution.save()
    for victim in other.victims.all():
        victim.incident = keep
        victim.save()
    keep.communities.add(*other.communities.all())
    # A monitor's court-record check waiting on the other incident now concerns the kept one
    # (one waits per incident: when the kept one has its own, that one stays).
    waiting = CourtRecordCheck.objects.filter(incident=other)
    if CourtRecordCheck.objects.filter(incident=keep).exists():
        waiting.delete()
    else:
        waiting.update(incident=keep)
    # Case links (and any other app's many-to-many to incidents), through the owner's own field.
    for relation in Incident._meta.related_objects:
        if relation.many_to_many:
            for owner in getattr(other, relation.get_accessor_name()).all():
                field = getattr(owner, relation.field.name)
                field.remove(other)
                field.add(keep)


def merge(keep: Incident | int, other: Incident | int, user, note: str = "", score: float | None = None) -> Incident:
    """Fold `other` into `keep` (see the module docstring); returns the kept incident."""
    if not can_merge(user):
        raise PermissionDenied("Only editors merge incidents.")
    keep_id, other_id = getattr(keep, "pk", keep), getattr(other, "pk", other)
    note = (note or "").strip() or f"Incident #{other_id} recorded the same event and was merged into #{keep_id}."
    with transaction.atomic():
        keep, other = _locked_pair(keep_id, other_id)
        was_public = {row.pk: row.status == Status.PUBLISHED for row in (keep, other)}
        _move_sources(keep, other)
        _move_children(keep, other)
        for name in FILLED_FIELDS:
            attname = Incident._meta.get_field(name).attname
            if getattr(keep, attname) in (None, "") and getattr(other, attname) not in (None, ""):
                setattr(keep, attname, getattr(other, attname))
        if keep.city_id and keep.city.province_id != keep.province_id:
            keep.province_id = keep.city.province_id
        keep.updated_by, keep._history_user = user, user
        set_reason(keep, note)
        keep._change_reason = f"Merged #{other.pk} into this incident"
        keep.save()
        if was_public[other.pk] and not was_public[keep.pk]:
            keep.publish(user)
        other.status, other.merged_into = Status.MERGED, keep
        other.updated_by, other._history_user = user, user
        other._change_reason = f"Merged into #{keep.pk}"
        other.save()
        if was_public[other.pk]:
            record_merge(other, keep, user, note)
        a, b = DuplicatePair.ordered(keep.pk, other.pk)
        DuplicatePair.objects.update_or_create(
            incident_id=a, other_id=b, defaults={"decision": PairDecision.MERGED, "decided_by": user, "score": score}
        )
    return keep


def mark_not_same(a: int, b: int, user, note: str = "", score: float | None = None) -> DuplicatePair:
    """An editor says two incidents are different events: the pair is never proposed again."""
    if not can_merge(user):
        raise PermissionDenied("Only editors decide that two incidents are different events.")
    a, b = DuplicatePair.ordered(a, b)
    with transaction.atomic():
        pair, _ = DuplicatePair.objects.update_or_create(
            incident_id=a,
            other_id=b,
            defaults={"decision": PairDecision.NOT_SAME, "decided_by": user, "note": note, "score": score},
        )
    return pair


def propose(a: int, b: int, user, note: str = "", score: float | None = None) -> DuplicatePair:
    """A monitor (or an editor) flags a pair as the same event for an editor to decide."""
    if not can_propose(user):
        raise PermissionDenied("Only staff who may change incidents propose duplicates.")
    a, b = DuplicatePair.ordered(a, b)
    pair, created = DuplicatePair.objects.get_or_create(
        incident_id=a,
        other_id=b,
        defaults={"decision": PairDecision.PROPOSED, "proposed_by": user, "note": note, "score": score},
    )
    if not created and pair.decision == PairDecision.PROPOSED:
        pair.proposed_by, pair.note, pair.score = user, note or pair.note, score
        pair.save()
    return pair
