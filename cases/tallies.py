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

JusticeTally: each incident's charges in its published cases counted (for the justice funnel,
impunity and partial justice). ``refresh_justice(incident_ids)`` recounts the given incidents,
from the signals too: a charge or an appeal saved or deleted recounts the incidents of its case
(and of its former case or charge if it moved); a case saved or deleted (its status decides
whether it counts), and a case's incidents added, removed or cleared, recount the incidents
concerned.

Code that writes these rows in bulk (``bulk_create``, ``update()``) sends no signal and must
call the refresh functions itself, as ``generate_synthetic`` does; ``manage.py refresh_tallies``
recounts everything.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from contextlib import contextmanager

from django.db.models import Count, Max, Min, Q
from django.db.models.functions import Coalesce
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_delete, pre_save

from core.models import Status
from incidents.models import Incident

from .models import (
    FINAL_VERDICTS,
    AdjournmentReason,
    Appeal,
    AppealOutcome,
    Case,
    Charge,
    ChargeTally,
    Custody,
    Hearing,
    HearingOutcome,
    HearingTally,
    JusticeTally,
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


# Justice tallies -----------------------------------------------------------------------------

# Appeal outcomes that mean a conviction is not (or not yet) upheld.
NOT_UPHELD = (AppealOutcome.PENDING, AppealOutcome.OVERTURNED, AppealOutcome.REMANDED)
# On a Charge: the accused is free of it (acquitted or discharged), or still at large before a verdict.
LEFT_FREE = Q(verdict__in=[Verdict.ACQUITTED, Verdict.DISCHARGED]) | Q(
    verdict=Verdict.PENDING, custody__in=[Custody.ABSCONDING, Custody.PROCLAIMED_OFFENDER]
)


def _on_charges(condition: Q) -> Q:
    """``condition`` (on a Charge) reached from an Incident through its cases' charges."""
    out = Q()
    out.connector, out.negated = condition.connector, condition.negated
    out.children = [
        _on_charges(child) if isinstance(child, Q) else ("cases__charges__" + child[0], child[1])
        for child in condition.children
    ]
    return out


def _count_justice(incidents) -> list[JusticeTally]:
    """One JusticeTally per incident of ``incidents`` with a published case. One query, grouped
    per incident; the appeals are two uncorrelated ``IN`` lists, hashed once."""
    charges = "cases__charges"
    convicted = Q(verdict=Verdict.CONVICTED)
    on_convicted, on_free = _on_charges(convicted), _on_charges(LEFT_FREE)
    appealed = Q(pk__in=Appeal.objects.order_by().values("charge_id"))
    blocking = Q(pk__in=Appeal.objects.order_by().filter(outcome__in=NOT_UPHELD).values("charge_id"))
    rows = (
        # The filter on cases comes first, so that the counts reuse its join: published cases only.
        incidents.order_by()
        .filter(cases__status=Status.PUBLISHED)
        .values("pk")
        .annotate(
            charged=Count(charges),
            concluded=Count(charges, filter=_on_charges(Q(verdict__in=FINAL_VERDICTS))),
            convicted=Count(charges, filter=on_convicted),
            upheld_on_appeal=Count(charges, filter=_on_charges(convicted & appealed & ~blocking)),
            first_unappealed_conviction=Min(f"{charges}__verdict_date", filter=_on_charges(convicted & ~appealed)),
            convicted_min=Min(f"{charges}__accused_id", filter=on_convicted),
            convicted_max=Max(f"{charges}__accused_id", filter=on_convicted),
            free_min=Min(f"{charges}__accused_id", filter=on_free),
            free_max=Max(f"{charges}__accused_id", filter=on_free),
        )
    )
    return [JusticeTally(incident_id=row.pop("pk"), **row) for row in rows]


def refresh_justice(incident_ids: Iterable[int]) -> None:
    """Recount the justice tallies of these incidents from their published cases' charges."""
    ids = sorted(set(incident_ids) - {None})
    if ids:
        tallies = JusticeTally.objects.filter(incident_id__in=ids)
        _rewrite(tallies, lambda: _count_justice(Incident.objects.filter(pk__in=ids)))


def refresh_justice_all() -> int:
    """Recount every incident's justice tally; returns the number of rows written."""
    return _rewrite(JusticeTally.objects.all(), lambda: _count_justice(Incident.objects.all()))


def _incidents_of_cases(case_ids: Iterable[int | None]) -> list[int]:
    ids = [pk for pk in case_ids if pk is not None]
    if not ids:
        return []
    return list(Case.incidents.through.objects.filter(case_id__in=ids).values_list("incident_id", flat=True))


def _cases_of_charges(charge_ids: Iterable[int | None]) -> list[int]:
    ids = [pk for pk in charge_ids if pk is not None]
    return list(Charge.objects.filter(pk__in=ids).values_list("case_id", flat=True)) if ids else []


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


# The field naming the row a hearing, charge or appeal belongs to: if a save moves it, the former
# owner's tallies are recounted too.
PARENT = {Hearing: "case_id", Charge: "case_id", Appeal: "charge_id"}


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
    if not created and _active():  # a new case has no hearings, charges or incidents yet
        refresh([instance.pk])
        refresh_justice(_incidents_of_cases([instance.pk]))


def _remember_case_incidents(sender, instance: Case, **kwargs) -> None:
    if _active():
        instance._tally_incident_ids = _incidents_of_cases([instance.pk])


def _case_deleted(sender, instance: Case, **kwargs) -> None:
    if _active():
        refresh_justice(getattr(instance, "_tally_incident_ids", []))


def _charge_changed(sender, instance: Charge, **kwargs) -> None:
    if _active():
        cases = [instance.case_id, getattr(instance, "_tally_former_parent", None)]
        refresh_charges(cases)
        refresh_justice(_incidents_of_cases(cases))


def _appeal_changed(sender, instance: Appeal, **kwargs) -> None:
    if _active():
        charges = [instance.charge_id, getattr(instance, "_tally_former_parent", None)]
        refresh_justice(_incidents_of_cases(_cases_of_charges(charges)))


def _case_incidents_changed(sender, instance, action: str, reverse: bool, pk_set, **kwargs) -> None:
    """A case's incidents (or an incident's cases, from the other side) added, removed or cleared."""
    if not _active():
        return
    if action == "pre_clear":
        # The links are about to go: remember whose tallies will need recounting.
        instance._tally_cleared = [instance.pk] if reverse else _incidents_of_cases([instance.pk])
    elif action in ("post_add", "post_remove"):
        refresh_justice([instance.pk] if reverse else pk_set or [])
    elif action == "post_clear":
        refresh_justice(getattr(instance, "_tally_cleared", []))


def connect() -> None:
    """Called once from CasesConfig.ready()."""
    pre_save.connect(_remember_former_parent, sender=Hearing, dispatch_uid="tally_hearing_pre_save")
    post_save.connect(_hearing_changed, sender=Hearing, dispatch_uid="tally_hearing_saved")
    post_delete.connect(_hearing_changed, sender=Hearing, dispatch_uid="tally_hearing_deleted")
    post_save.connect(_case_saved, sender=Case, dispatch_uid="tally_case_saved")
    pre_delete.connect(_remember_case_incidents, sender=Case, dispatch_uid="tally_case_pre_delete")
    post_delete.connect(_case_deleted, sender=Case, dispatch_uid="tally_case_deleted")
    pre_save.connect(_remember_former_parent, sender=Charge, dispatch_uid="tally_charge_pre_save")
    post_save.connect(_charge_changed, sender=Charge, dispatch_uid="tally_charge_saved")
    post_delete.connect(_charge_changed, sender=Charge, dispatch_uid="tally_charge_deleted")
    pre_save.connect(_remember_former_parent, sender=Appeal, dispatch_uid="tally_appeal_pre_save")
    post_save.connect(_appeal_changed, sender=Appeal, dispatch_uid="tally_appeal_saved")
    post_delete.connect(_appeal_changed, sender=Appeal, dispatch_uid="tally_appeal_deleted")
    m2m_changed.connect(_case_incidents_changed, sender=Case.incidents.through, dispatch_uid="tally_case_incidents")
