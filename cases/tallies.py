"""Keeping the tallies current: derived tables the statistics read instead of the raw rows.

HearingTally: each case's hearings counted per court that heard them. ``refresh(case_ids)``
recounts the given cases from their hearings (delete, then insert: three queries whatever the
number of cases). It runs inside the transaction that changed the hearings, from the signals
connected in CasesConfig.ready(): a hearing saved or deleted recounts its case (and, if it moved,
its former case); a case saved recounts itself (its court is the court of its hearings that name
none).

ChargeTally: each case's charges counted by verdict (for the conviction rates).
``refresh_charges(case_ids)`` recounts the given cases, from the signals too: a charge saved or
deleted recounts its case (and its former case if it moved).

Code that writes these rows in bulk (``bulk_create``, ``update()``) sends no signal and must
call the refresh functions itself, as ``generate_synthetic`` does; ``manage.py refresh_tallies``
recounts everything.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from contextlib import contextmanager

from django.db.models import Count, Q
from django.db.models.functions import Coalesce
from django.db.models.signals import post_delete, post_save, pre_save

from .models import (
    FINAL_VERDICTS,
    AdjournmentReason,
    Case,
    Charge,
    ChargeTally,
    Hearing,
    HearingOutcome,
    HearingTally,
    Verdict,
)

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


def _rewrite(tallies, recount: Callable[[], list]) -> int:
    """Replace ``tallies`` (a queryset of tally rows) by ``recount()``; returns the rows written."""
    tallies.delete()
    return len(tallies.model.objects.bulk_create(recount(), batch_size=BATCH))


def refresh(case_ids: Iterable[int]) -> None:
    """Recount the tallies of these cases from their hearings."""
    ids = sorted(set(case_ids) - {None})
    if ids:
        _rewrite(HearingTally.objects.filter(case_id__in=ids), lambda: _count(Hearing.objects.filter(case_id__in=ids)))


def refresh_all() -> int:
    """Recount every case's tallies; returns the number of rows written."""
    return _rewrite(HearingTally.objects.all(), lambda: _count(Hearing.objects.all()))


# Charge tallies ------------------------------------------------------------------------------


def _count_charges(charges) -> list[ChargeTally]:
    rows = (
        charges.order_by()
        .values("case_id")
        .annotate(
            concluded=Count("pk", filter=Q(verdict__in=FINAL_VERDICTS)),
            convicted=Count("pk", filter=Q(verdict=Verdict.CONVICTED)),
        )
    )
    return [ChargeTally(case_id=row.pop("case_id"), **row) for row in rows]


def refresh_charges(case_ids: Iterable[int | None]) -> None:
    """Recount the charge tallies of these cases from their charges."""
    ids = sorted(set(case_ids) - {None})
    if ids:
        _rewrite(
            ChargeTally.objects.filter(case_id__in=ids), lambda: _count_charges(Charge.objects.filter(case_id__in=ids))
        )


def refresh_charges_all() -> int:
    """Recount every case's charge tally; returns the number of rows written."""
    return _rewrite(ChargeTally.objects.all(), lambda: _count_charges(Charge.objects.all()))


# Signals -------------------------------------------------------------------------------------

_state = threading.local()


@contextmanager
def suspended():
    """No recount per row inside: for code that deletes or writes many rows, then calls the refresh functions."""
    _state.suspended = True
    try:
        yield
    finally:
        _state.suspended = False


def _active() -> bool:
    return not getattr(_state, "suspended", False)


# The field naming the row a hearing or charge belongs to: if a save moves it, the former
# owner's tallies are recounted too.
PARENT = {Hearing: "case_id", Charge: "case_id"}


def _remember_former_parent(sender, instance, **kwargs) -> None:
    if not _active():
        return
    former = None
    if instance.pk is not None:
        former = sender._base_manager.filter(pk=instance.pk).values_list(PARENT[sender], flat=True).first()
    instance._tally_former_parent = former


def _hearing_changed(sender, instance: Hearing, **kwargs) -> None:
    if _active():
        refresh([instance.case_id, getattr(instance, "_tally_former_parent", None)])


def _case_saved(sender, instance: Case, created: bool, **kwargs) -> None:
    if not created and _active():  # a new case has no hearings or charges yet
        refresh([instance.pk])


def _charge_changed(sender, instance: Charge, **kwargs) -> None:
    if _active():
        refresh_charges([instance.case_id, getattr(instance, "_tally_former_parent", None)])


def connect() -> None:
    """Called once from CasesConfig.ready()."""
    pre_save.connect(_remember_former_parent, sender=Hearing, dispatch_uid="tally_hearing_pre_save")
    post_save.connect(_hearing_changed, sender=Hearing, dispatch_uid="tally_hearing_saved")
    post_delete.connect(_hearing_changed, sender=Hearing, dispatch_uid="tally_hearing_deleted")
    post_save.connect(_case_saved, sender=Case, dispatch_uid="tally_case_saved")
    pre_save.connect(_remember_former_parent, sender=Charge, dispatch_uid="tally_charge_pre_save")
    post_save.connect(_charge_changed, sender=Charge, dispatch_uid="tally_charge_saved")
    post_delete.connect(_charge_changed, sender=Charge, dispatch_uid="tally_charge_deleted")
