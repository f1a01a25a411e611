"""cases/justice.py: the funnel, impunity and partial justice step by step, on small hand-built
data (moved from the tests of cases/stats.py with the figures)."""

from __future__ import annotations

import datetime
from dataclasses import asdict

import pytest

from cases import justice
from cases.models import AppealOutcome, Custody, Verdict
from core.models import Status
from incidents.models import Incident
from tests import factories as f

D = datetime.date
TODAY = D(2026, 11, 25)  # a Wednesday
OLD_VERDICT = D(2014, 1, 10)
CHECKED = D(2026, 1, 1)  # a court-record check that found nothing
pytestmark = pytest.mark.django_db


def incidents():
    return Incident.objects.public()


# funnel -------------------------------------------------------------------------------------


def convicted_case(incident, *, verdict_date=OLD_VERDICT, status=Status.PUBLISHED):
    case = f.CaseFactory(incidents=[incident], status=status)
    charge = f.ChargeFactory(case=case, verdict=Verdict.CONVICTED, verdict_date=verdict_date)
    return case, charge


def upheld(today=TODAY) -> int:
    return justice.funnel(incidents=incidents(), today=today).conviction_upheld


def test_funnel_steps_each_count_fatal_incidents():
    no_case = f.IncidentFactory(killed=1)  # noqa: F841
    registered = f.IncidentFactory(killed=1)
    f.CaseFactory(incidents=[registered])
    charged = f.IncidentFactory(killed=1)
    f.ChargeFactory(case=f.CaseFactory(incidents=[charged]))
    acquitted = f.IncidentFactory(killed=1)
    f.ChargeFactory(case=f.CaseFactory(incidents=[acquitted]), verdict=Verdict.ABATED, verdict_date=D(2013, 1, 1))
    convicted_case(f.IncidentFactory(killed=1))
    f.IncidentFactory(killed=0)  # not fatal
    f.IncidentFactory(killed=None)  # unknown: not known to be fatal
    assert asdict(justice.funnel(incidents=incidents(), today=TODAY)) == {
        "fatal_incidents": 5,
        "case_registered": 4,
        "accused_charged": 3,
        "trial_concluded": 2,
        "convicted": 1,
        "conviction_upheld": 1,
    }


def test_incident_with_two_cases_counts_once():
    incident = f.IncidentFactory(killed=3)
    convicted_case(incident)
    convicted_case(incident)
    assert justice.funnel(incidents=incidents(), today=TODAY).convicted == 1


def test_draft_and_retracted_cases_do_not_count_at_any_step():
    incident = f.IncidentFactory(killed=3)
    convicted_case(incident, status=Status.DRAFT)
    convicted_case(incident, status=Status.RETRACTED)
    assert asdict(justice.funnel(incidents=incidents(), today=TODAY)) == {
        "fatal_incidents": 1,
        "case_registered": 0,
        "accused_charged": 0,
        "trial_concluded": 0,
        "convicted": 0,
        "conviction_upheld": 0,
    }


def test_conviction_without_appeal_exactly_30_days_old_is_not_yet_upheld():
    convicted_case(f.IncidentFactory(killed=1), verdict_date=TODAY - datetime.timedelta(days=30))
    assert upheld() == 0
    assert upheld(today=TODAY + datetime.timedelta(days=1)) == 1


@pytest.mark.parametrize(
    ("outcomes", "expected"),
    [
        ([AppealOutcome.UPHELD], 1),
        ([AppealOutcome.MODIFIED], 1),
        ([AppealOutcome.PENDING], 0),
        ([AppealOutcome.OVERTURNED], 0),
        ([AppealOutcome.REMANDED], 0),
        ([AppealOutcome.UPHELD, AppealOutcome.PENDING], 0),
        ([AppealOutcome.UPHELD, AppealOutcome.MODIFIED], 1),
    ],
)
def test_conviction_upheld_depends_on_every_appeal(outcomes, expected):
    # The verdict is old: without appeals it would count as upheld.
    _, charge = convicted_case(f.IncidentFactory(killed=1))
    for outcome in outcomes:
        decided = None if outcome == AppealOutcome.PENDING else D(2015, 3, 1)
        f.AppealFactory(charge=charge, filed_on=D(2014, 2, 1), decided_on=decided, outcome=outcome)
    assert upheld() == expected


def test_one_upheld_conviction_is_enough_for_the_incident():
    incident = f.IncidentFactory(killed=1)
    _, overturned = convicted_case(incident)
    f.AppealFactory(charge=overturned, decided_on=D(2015, 1, 1), outcome=AppealOutcome.OVERTURNED)
    convicted_case(incident)
    assert upheld() == 1


# impunity -----------------------------------------------------------------------------------


def test_impunity_counts_researched_fatal_incidents_at_least_three_years_old_without_conviction():
    f.IncidentFactory(date=D(2023, 11, 25), killed=1, court_record_checked_on=CHECKED)  # exactly 3 years old
    convicted_case(f.IncidentFactory(date=D(2020, 1, 1), killed=2))
    f.IncidentFactory(date=D(2023, 11, 26), killed=1, court_record_checked_on=CHECKED)  # a day short of 3 years
    f.IncidentFactory(date=D(2010, 1, 1), killed=0, court_record_checked_on=CHECKED)  # nobody killed
    f.IncidentFactory(date=D(2010, 1, 1), killed=4)  # not researched: only in the coverage
    assert justice.impunity(incidents=incidents(), today=TODAY) == justice.Impunity(
        rate=0.5, fatal_old=3, researched=2, unpunished=1, coverage=2 / 3
    )


def test_impunity_rate_is_none_when_no_fatal_incident_is_old_enough():
    f.IncidentFactory(date=D(2025, 1, 1), killed=5, court_record_checked_on=CHECKED)
    assert justice.impunity(incidents=incidents(), today=TODAY) == justice.Impunity(None, 0, 0, 0, None)


def test_conviction_in_a_draft_case_neither_researches_nor_convicts():
    incident = f.IncidentFactory(date=D(2012, 1, 1), killed=2)
    convicted_case(incident, status=Status.DRAFT)
    assert justice.impunity(incidents=incidents(), today=TODAY).rate is None
    Incident.objects.filter(pk=incident.pk).update(court_record_checked_on=CHECKED)
    assert justice.impunity(incidents=incidents(), today=TODAY).rate == 1.0


# partial justice ------------------------------------------------------------------------------


def _charge(case, verdict=Verdict.PENDING, custody=Custody.ARRESTED, accused=None):
    date = None if verdict == Verdict.PENDING else D(2014, 1, 1)
    kwargs = {"accused": accused} if accused else {}
    return f.ChargeFactory(case=case, verdict=verdict, verdict_date=date, custody=custody, **kwargs)


@pytest.mark.parametrize(
    ("other_verdict", "other_custody", "partial"),
    [
        (Verdict.ACQUITTED, Custody.RELEASED, True),
        (Verdict.DISCHARGED, Custody.RELEASED, True),
        (Verdict.PENDING, Custody.ABSCONDING, True),
        (Verdict.PENDING, Custody.PROCLAIMED_OFFENDER, True),
        (Verdict.PENDING, Custody.ON_BAIL, False),
        (Verdict.CONVICTED, Custody.ARRESTED, False),
        (Verdict.ABATED, Custody.DIED, False),
    ],
)
def test_partial_justice_needs_a_conviction_and_another_accused_left_free(other_verdict, other_custody, partial):
    incident = f.IncidentFactory(killed=1)
    case = f.CaseFactory(incidents=[incident])
    _charge(case, Verdict.CONVICTED)
    _charge(case, other_verdict, other_custody)
    assert justice.partial_justice(incidents=incidents(), today=TODAY).incidents == (1 if partial else 0)


def test_partial_justice_across_two_cases_of_the_same_incident():
    incident = f.IncidentFactory(killed=1)
    _charge(f.CaseFactory(incidents=[incident]), Verdict.CONVICTED)
    _charge(f.CaseFactory(incidents=[incident]), Verdict.PENDING, Custody.ABSCONDING)
    assert justice.partial_justice(incidents=incidents(), today=TODAY) == justice.PartialJustice(1, 1, 1.0)


def test_same_person_convicted_in_one_case_and_acquitted_in_another_is_not_partial_justice():
    incident = f.IncidentFactory(killed=1)
    person = f.AccusedFactory()
    _charge(f.CaseFactory(incidents=[incident]), Verdict.CONVICTED, accused=person)
    _charge(f.CaseFactory(incidents=[incident]), Verdict.ACQUITTED, Custody.RELEASED, accused=person)
    assert justice.partial_justice(incidents=incidents(), today=TODAY).incidents == 0


def test_partial_justice_ignores_draft_cases_and_has_no_share_without_convictions():
    incident = f.IncidentFactory(killed=1)
    _charge(f.CaseFactory(incidents=[incident], status=Status.DRAFT), Verdict.CONVICTED)
    _charge(f.CaseFactory(incidents=[incident]), Verdict.ACQUITTED)
    assert justice.partial_justice(incidents=incidents(), today=TODAY) == justice.PartialJustice(0, 0, None)
