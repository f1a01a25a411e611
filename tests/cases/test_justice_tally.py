"""JusticeTally (cases/tallies.py): each incident's charges in its published cases counted, current
after every change to a case, a charge, an appeal or a case's incidents, from either side."""

from __future__ import annotations

import datetime
import importlib

import pytest
from django.apps import apps as django_apps
from django.core.management import call_command

from cases import tallies
from cases.models import AppealOutcome, Custody, JusticeTally, Verdict
from core.models import Status
from incidents.models import Incident
from tests import factories as f

pytestmark = pytest.mark.django_db

D = datetime.date
FIELDS = [field.name for field in JusticeTally._meta.fields if field.name != "incident"]


def stored() -> dict[int, dict]:
    return {t.incident_id: {name: getattr(t, name) for name in FIELDS} for t in JusticeTally.objects.all()}


def recounted() -> dict[int, dict]:
    """The tallies counted afresh from the cases, charges and appeals (what must be stored)."""
    rows = tallies._count_justice(Incident.objects.all())
    return {t.incident_id: {name: getattr(t, name) for name in FIELDS} for t in rows}


def assert_current() -> dict[int, dict]:
    table = stored()
    assert table == recounted()
    return table


@pytest.fixture
def world():
    """Incident A with a published case: one convict (no appeal), one acquitted, one absconding."""
    a = f.IncidentFactory(title="A", killed=3)
    b = f.IncidentFactory(title="B", killed=1)
    case = f.CaseFactory(incidents=[a])
    convict, acquitted, absconder = f.AccusedFactory(), f.AccusedFactory(), f.AccusedFactory()
    conviction = f.ChargeFactory(case=case, accused=convict, verdict=Verdict.CONVICTED, verdict_date=D(2014, 1, 2))
    f.ChargeFactory(case=case, accused=acquitted, verdict=Verdict.ACQUITTED, verdict_date=D(2014, 1, 3))
    f.ChargeFactory(case=case, accused=absconder, custody=Custody.ABSCONDING)
    return {"a": a, "b": b, "case": case, "conviction": conviction, "convict": convict, "free": (acquitted, absconder)}


def test_an_incident_with_a_published_case_is_counted_exactly(world):
    row = assert_current()[world["a"].pk]
    free_ids = sorted(p.pk for p in world["free"])
    assert row == {
        "charged": 3,
        "concluded": 2,
        "convicted": 1,
        "upheld_on_appeal": 0,
        "first_unappealed_conviction": D(2014, 1, 2),
        "convicted_min": world["convict"].pk,
        "convicted_max": world["convict"].pk,
        "free_min": free_ids[0],
        "free_max": free_ids[1],
    }
    assert world["b"].pk not in stored()  # no case: no row


def test_appeals_follow_their_outcome(world):
    appeal = f.AppealFactory(charge=world["conviction"], outcome=AppealOutcome.PENDING)
    row = assert_current()[world["a"].pk]
    assert (row["upheld_on_appeal"], row["first_unappealed_conviction"]) == (0, None)
    appeal.outcome, appeal.decided_on = AppealOutcome.UPHELD, D(2015, 5, 1)
    appeal.save()
    assert assert_current()[world["a"].pk]["upheld_on_appeal"] == 1
    second = f.AppealFactory(charge=world["conviction"], outcome=AppealOutcome.REMANDED, decided_on=D(2015, 6, 1))
    assert assert_current()[world["a"].pk]["upheld_on_appeal"] == 0
    second.delete()
    appeal.delete()
    row = assert_current()[world["a"].pk]
    assert (row["upheld_on_appeal"], row["first_unappealed_conviction"]) == (0, D(2014, 1, 2))


def test_an_appeal_moved_to_another_charge_recounts_both_incidents(world):
    other_case = f.CaseFactory(incidents=[world["b"]])
    other = f.ChargeFactory(case=other_case, verdict=Verdict.CONVICTED, verdict_date=D(2013, 5, 5))
    appeal = f.AppealFactory(charge=world["conviction"], outcome=AppealOutcome.UPHELD, decided_on=D(2015, 1, 1))
    appeal.charge = other
    appeal.save()
    table = assert_current()
    assert table[world["a"].pk]["upheld_on_appeal"] == 0
    assert table[world["b"].pk]["upheld_on_appeal"] == 1


def test_charges_changed_moved_and_deleted(world):
    conviction = world["conviction"]
    conviction.verdict, conviction.verdict_date = Verdict.ACQUITTED, D(2014, 1, 2)
    conviction.save()
    assert assert_current()[world["a"].pk]["convicted"] == 0
    other_case = f.CaseFactory(incidents=[world["b"]])
    conviction.case = other_case
    conviction.save()
    table = assert_current()
    assert (table[world["a"].pk]["charged"], table[world["b"].pk]["charged"]) == (2, 1)
    conviction.delete()
    assert assert_current()[world["b"].pk]["charged"] == 0  # the case is still there: a row of zeros


def test_only_published_cases_count(world):
    case = world["case"]
    case.status = Status.DRAFT
    case.save()
    assert world["a"].pk not in assert_current()
    case.status = Status.PUBLISHED
    case.save()
    assert assert_current()[world["a"].pk]["charged"] == 3


def test_case_incident_links_from_either_side(world):
    case, a, b = world["case"], world["a"], world["b"]
    case.incidents.add(b)
    assert assert_current()[b.pk]["charged"] == 3
    case.incidents.remove(a)
    assert a.pk not in assert_current()
    b.cases.remove(case)  # from the incident's side
    assert b.pk not in assert_current()
    a.cases.add(case)
    assert assert_current()[a.pk]["charged"] == 3
    case.incidents.clear()
    assert assert_current() == {}
    case.incidents.set([a, b])
    a.cases.clear()  # cleared from the incident's side
    assert set(assert_current()) == {b.pk}


def test_deleting_a_case_or_an_incident_removes_its_counts(world):
    a, b = world["a"], world["b"]
    second = f.CaseFactory(incidents=[a, b])
    f.ChargeFactory(case=second, verdict=Verdict.CONVICTED, verdict_date=D(2016, 1, 1))
    assert assert_current()[a.pk]["charged"] == 4
    world["case"].delete()  # its charges go with it
    table = assert_current()
    assert (table[a.pk]["charged"], table[b.pk]["charged"]) == (1, 1)
    b.delete()
    assert set(assert_current()) == {a.pk}


def test_refresh_tallies_rebuilds_the_same_table(world, capsys):
    f.AppealFactory(charge=world["conviction"], outcome=AppealOutcome.UPHELD, decided_on=D(2015, 1, 1))
    before = assert_current()
    JusticeTally.objects.filter(incident=world["a"]).update(charged=99, convicted=0)
    JusticeTally.objects.create(incident=world["b"], charged=5)
    call_command("refresh_tallies")
    assert stored() == before
    assert "Justice tallies recounted: 1 rows." in capsys.readouterr().out


def test_suspended_signals_leave_the_recount_to_the_caller(world):
    with tallies.suspended():
        f.ChargeFactory(case=world["case"], verdict=Verdict.CONVICTED, verdict_date=D(2015, 1, 1))
    assert stored()[world["a"].pk]["charged"] == 3  # not recounted inside
    tallies.refresh_justice([world["a"].pk])
    assert assert_current()[world["a"].pk]["charged"] == 4


def test_the_migration_counts_as_the_application_does(world):
    f.AppealFactory(charge=world["conviction"], outcome=AppealOutcome.PENDING)
    expected = assert_current()
    JusticeTally.objects.all().delete()
    migration = importlib.import_module("cases.migrations.0006_justice_tally")
    migration.count_existing_charges(django_apps, None)
    assert stored() == expected
