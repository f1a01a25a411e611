"""Attribution.counted (incidents/attributions.py): exactly one attribution per (incident,
organisation), the first by id, after every change, so the figures count an organisation once per
incident however many ways it is linked."""

from __future__ import annotations

import importlib

import pytest
from django.apps import apps as django_apps
from django.core.management import call_command

from incidents import stats
from incidents.attributions import refresh_counted
from incidents.models import Attribution, AttributionKind, Incident
from tests import factories as f

pytestmark = pytest.mark.django_db

CLAIMED, SUSPECTED, NAMED = AttributionKind.CLAIMED, AttributionKind.SUSPECTED, AttributionKind.NAMED_BY_OFFICIALS


def flags() -> dict[int, bool]:
    return dict(Attribution.objects.values_list("pk", "counted"))


def expected() -> dict[int, bool]:
    """The first attribution by id of each (incident, organisation) pair, counted; the others not."""
    firsts = {}
    for pk, incident, organisation in Attribution.objects.order_by("pk").values_list(
        "pk", "incident_id", "organisation_id"
    ):
        firsts.setdefault((incident, organisation), pk)
    return {pk: pk in firsts.values() for pk in Attribution.objects.values_list("pk", flat=True)}


@pytest.fixture
def pair():
    organisation = f.OrganisationFactory(name="LeJ", slug="lej")
    incident = f.IncidentFactory(killed=10, injured=None)
    claimed = f.AttributionFactory(incident=incident, organisation=organisation, kind=CLAIMED)
    suspected = f.AttributionFactory(incident=incident, organisation=organisation, kind=SUSPECTED)
    return {"organisation": organisation, "incident": incident, "claimed": claimed, "suspected": suspected}


def test_the_first_of_a_pair_is_counted(pair):
    assert flags() == {pair["claimed"].pk: True, pair["suspected"].pk: False} == expected()
    other = f.AttributionFactory(incident=pair["incident"], kind=CLAIMED)  # another organisation: its own pair
    assert flags()[other.pk] is True
    row = stats.by_organisation(incidents=Incident.objects.public())
    assert [(r["organisation"], r["incidents"], r["killed"], r["injured_unknown"]) for r in row][:1] == [
        ("LeJ", 1, 10, 1)
    ]


def test_deleting_the_counted_one_counts_the_next(pair):
    named = f.AttributionFactory(incident=pair["incident"], organisation=pair["organisation"], kind=NAMED)
    pair["claimed"].delete()
    assert flags() == {pair["suspected"].pk: True, named.pk: False} == expected()


def test_moving_an_attribution_recounts_both_incidents(pair):
    elsewhere = f.IncidentFactory()
    moved = pair["claimed"]
    moved.incident = elsewhere
    moved.save()
    assert flags() == {moved.pk: True, pair["suspected"].pk: True} == expected()
    moved.incident = pair["incident"]
    moved.save()
    assert flags() == expected() == {moved.pk: True, pair["suspected"].pk: False}


def test_bulk_writes_leave_the_flags_to_refresh_counted(pair):
    extra = Attribution.objects.bulk_create(
        [Attribution(incident=pair["incident"], organisation=pair["organisation"], kind=NAMED)]
    )
    assert flags()[extra[0].pk] is True  # no signal: wrong until refreshed
    refresh_counted([pair["incident"].pk])
    assert flags() == expected()


def test_refresh_tallies_sets_every_flag(pair, capsys):
    Attribution.objects.update(counted=True)
    call_command("refresh_tallies")
    assert flags() == expected()
    assert "Attributions counted once per incident and organisation: 1." in capsys.readouterr().out


def test_the_attribution_history_does_not_hold_the_flag(pair):
    assert "counted" not in {field.name for field in Attribution.history.model._meta.fields}


def test_the_migration_sets_the_same_flags(pair):
    f.AttributionFactory(incident=pair["incident"], organisation=pair["organisation"], kind=NAMED)
    want = expected()
    Attribution.objects.update(counted=True)
    migration = importlib.import_module("incidents.migrations.0003_attribution_counted")
    migration.count_first_attributions(django_apps, None)
    assert flags() == want
