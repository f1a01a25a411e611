"""ChargeTally (cases/tallies.py): each case's charges counted by verdict, current after every
change to a charge, and what the conviction rates read."""

from __future__ import annotations

import datetime
import importlib

import pytest
from django.apps import apps as django_apps
from django.core.management import call_command

from cases import stats, tallies
from cases.models import Case, Charge, ChargeTally, Verdict
from core.models import Status
from tests import factories as f

pytestmark = pytest.mark.django_db

D = datetime.date


def stored() -> dict[int, tuple[int, int]]:
    return {t.case_id: (t.concluded, t.convicted) for t in ChargeTally.objects.all()}


def assert_current() -> dict[int, tuple[int, int]]:
    """The stored tallies equal a fresh count of the charges, and are returned."""
    table = stored()
    assert table == {t.case_id: (t.concluded, t.convicted) for t in tallies._count_charges(Charge.objects.all())}
    return table


@pytest.fixture
def cases():
    """Case A: one convicted, one acquitted, one pending; case B: one abated; case C: no charge."""
    a, b, c = f.CaseFactory(), f.CaseFactory(), f.CaseFactory()
    f.ChargeFactory(case=a, verdict=Verdict.CONVICTED, verdict_date=D(2014, 1, 2))
    f.ChargeFactory(case=a, verdict=Verdict.ACQUITTED, verdict_date=D(2014, 1, 2))
    f.ChargeFactory(case=a)
    f.ChargeFactory(case=b, verdict=Verdict.ABATED, verdict_date=D(2015, 3, 1))
    return a, b, c


def test_each_case_with_a_charge_is_counted_exactly(cases):
    a, b, c = cases
    assert assert_current() == {a.pk: (2, 1), b.pk: (1, 0)}  # C has no charge: no row


def test_charges_changed_moved_and_deleted(cases):
    a, b, c = cases
    pending = Charge.objects.get(case=a, verdict=Verdict.PENDING)
    pending.verdict, pending.verdict_date = Verdict.CONVICTED, D(2016, 1, 1)
    pending.save()
    assert assert_current()[a.pk] == (3, 2)
    pending.case = c  # moved to another case: both are recounted
    pending.save()
    assert assert_current() == {a.pk: (2, 1), b.pk: (1, 0), c.pk: (1, 1)}
    pending.delete()
    Charge.objects.get(case=b).delete()
    assert assert_current() == {a.pk: (2, 1)}
    a.delete()  # its charges and its tally go with it
    assert assert_current() == {}


def test_conviction_rate_reads_the_tallies_of_published_cases_only(cases):
    a, b, c = cases
    assert stats.conviction_rate(cases=Case.objects.all()) == {
        "charges_decided": 3,
        "charges_convicted": 1,
        "per_accused": 1 / 3,
        "cases_decided": 2,
        "cases_convicted": 1,
        "per_case": 1 / 2,
    }
    Case.objects.filter(pk=a.pk).update(status=Status.DRAFT)
    assert stats.conviction_rate(cases=Case.objects.all())["charges_decided"] == 1


def test_refresh_tallies_rebuilds_the_same_table(cases, capsys):
    a, b, c = cases
    before = assert_current()
    ChargeTally.objects.filter(case=a).update(concluded=99)
    ChargeTally.objects.create(case=c, convicted=5)
    call_command("refresh_tallies")
    assert stored() == before
    assert "Charge tallies recounted: 2 rows." in capsys.readouterr().out


def test_suspended_signals_leave_the_recount_to_the_caller(cases):
    a, b, c = cases
    with tallies.suspended():
        f.ChargeFactory(case=c, verdict=Verdict.CONVICTED, verdict_date=D(2015, 1, 1))
    assert c.pk not in stored()
    tallies.refresh_charges([c.pk])
    assert assert_current()[c.pk] == (1, 1)


def test_the_migration_counts_as_the_application_does(cases):
    expected = assert_current()
    ChargeTally.objects.all().delete()
    migration = importlib.import_module("cases.migrations.0007_charge_tally")
    migration.count_existing_charges(django_apps, None)
    assert stored() == expected
