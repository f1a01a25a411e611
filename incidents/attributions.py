"""Keeping ``Attribution.counted`` current: one attribution per (incident, organisation) pair, the
first by id, is the one the figures count (an organisation both claimed and suspected of an attack
counts it once).

``refresh_counted(incident_ids)`` sets the flags of every attribution of these incidents (two
``update()`` queries, which write no history). It runs in the transaction that changed an
attribution, from the signals connected in IncidentsConfig.ready(): an attribution saved or
deleted recounts its incident (and its former incident if it moved). Code that writes
attributions in bulk (``bulk_create``) sends no signal and calls it itself, as the importer and
``generate_synthetic`` do; ``refresh_counted_all()`` sets every flag (``manage.py refresh_tallies``).
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Min
from django.db.models.signals import post_delete, post_save, pre_save

from .models import Attribution


def _set(attributions) -> None:
    firsts = attributions.order_by().values("incident_id", "organisation_id").annotate(first=Min("pk")).values("first")
    attributions.filter(pk__in=firsts, counted=False).update(counted=True)
    attributions.exclude(pk__in=firsts).exclude(counted=False).update(counted=False)


def refresh_counted(incident_ids: Iterable[int | None]) -> None:
    """Set the ``counted`` flag of every attribution of these incidents."""
    ids = sorted({pk for pk in incident_ids if pk is not None})
    if ids:
        _set(Attribution.objects.filter(incident_id__in=ids))


def refresh_counted_all() -> int:
    """Set every attribution's ``counted`` flag; returns how many attributions are counted."""
    _set(Attribution.objects.all())
    return Attribution.objects.filter(counted=True).count()


def _remember_former_incident(sender, instance: Attribution, raw: bool = False, **kwargs) -> None:
    former = None
    if instance.pk is not None and not raw:
        former = Attribution.objects.filter(pk=instance.pk).values_list("incident_id", flat=True).first()
    instance._counted_former_incident_id = former


def _attribution_changed(sender, instance: Attribution, **kwargs) -> None:
    refresh_counted([instance.incident_id, getattr(instance, "_counted_former_incident_id", None)])


def connect() -> None:
    """Called once from IncidentsConfig.ready()."""
    pre_save.connect(_remember_former_incident, sender=Attribution, dispatch_uid="counted_attribution_pre_save")
    post_save.connect(_attribution_changed, sender=Attribution, dispatch_uid="counted_attribution_saved")
    post_delete.connect(_attribution_changed, sender=Attribution, dispatch_uid="counted_attribution_deleted")
