"""Keeping HearingTally current: each case's hearings counted per court that heard them.

``refresh(case_ids)`` recounts the given cases from their hearings (delete, then insert: three
queries whatever the number of cases). It runs inside the transaction that changed the hearings,
from the signals connected in CasesConfig.ready(): a hearing saved or deleted recounts its case
(and, if it moved, its former case); a case saved recounts itself (its court is the court of its
hearings that name none). Code that writes hearings or cases in bulk (``bulk_create``,
``update()``) sends no signal and must call ``refresh`` itself, as ``generate_synthetic`` does;
``manage.py refresh_tallies`` recounts everything.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from contextlib import contextmanager

from django.db.models import Count, Q
from django.db.models.functions import Coalesce
from django.db.models.signals import post_delete, post_save, pre_save

from .models import AdjournmentReason, Case, Hearing, HearingOutcome, HearingTally

BATCH = 5000


def reason_field(code: str) -> str:
    return f"reason_{code}"


def _counts() -> dict[str, Count]:
    adjourned = Q(outcome=HearingOutcome.ADJOURNED)
    counts = {"held": Count("pk"), "adjourned": Count("pk", filter=adjourned)}
    for code in AdjournmentReason.values:
        reasons = [code, ""] if code == AdjournmentReason.OTHER else [code]
        counts[reason_field(code)] = Count("pk", filter=adjourned & Q(adjournment_reason__in=reasons))
    return counts


def _count(hearings) -> list[HearingTally]:
    rows = (
        hearings.order_by()
        .filter(outcome__gt="")  # held: an outcome is recorded
        .annotate(heard_by=Coalesce("court_id", "case__court_id"))
        .values("case_id", "heard_by")
        .annotate(**_counts())
    )
    return [HearingTally(case_id=row.pop("case_id"), court_id=row.pop("heard_by"), **row) for row in rows]


def refresh(case_ids: Iterable[int]) -> None:
    """Recount the tallies of these cases from their hearings."""
    ids = sorted(set(case_ids) - {None})
    if not ids:
        return
    HearingTally.objects.filter(case_id__in=ids).delete()
    HearingTally.objects.bulk_create(_count(Hearing.objects.filter(case_id__in=ids)), batch_size=BATCH)


def refresh_all() -> int:
    """Recount every case's tallies; returns the number of rows written."""
    HearingTally.objects.all().delete()
    return len(HearingTally.objects.bulk_create(_count(Hearing.objects.all()), batch_size=BATCH))


# Signals -------------------------------------------------------------------------------------

_state = threading.local()


@contextmanager
def suspended():
    """No recount per row inside: for code that deletes or writes many hearings, then calls ``refresh``."""
    _state.suspended = True
    try:
        yield
    finally:
        _state.suspended = False


def _active() -> bool:
    return not getattr(_state, "suspended", False)


def _remember_former_case(sender, instance: Hearing, **kwargs) -> None:
    if not _active():
        return
    former = None
    if instance.pk is not None:
        former = Hearing.objects.filter(pk=instance.pk).values_list("case_id", flat=True).first()
    instance._tally_former_case_id = former


def _hearing_changed(sender, instance: Hearing, **kwargs) -> None:
    if _active():
        refresh([instance.case_id, getattr(instance, "_tally_former_case_id", None)])


def _case_saved(sender, instance: Case, created: bool, **kwargs) -> None:
    if not created and _active():  # a new case has no hearings yet
        refresh([instance.pk])


def connect() -> None:
    """Called once from CasesConfig.ready()."""
    pre_save.connect(_remember_former_case, sender=Hearing, dispatch_uid="tally_hearing_pre_save")
    post_save.connect(_hearing_changed, sender=Hearing, dispatch_uid="tally_hearing_saved")
    post_delete.connect(_hearing_changed, sender=Hearing, dispatch_uid="tally_hearing_deleted")
    post_save.connect(_case_saved, sender=Case, dispatch_uid="tally_case_saved")
