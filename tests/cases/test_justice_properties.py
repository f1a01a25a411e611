"""cases/justice.py against a plain-Python reading of DESIGN.md "Metrics" on random small worlds.

Each figure is one grouped query over the source tables; here the same figure is computed record
by record, straight from the definitions (standing verdicts, researched incidents, the funnel,
impunity and its coverage, partial justice), on seeded random worlds with drafts, retracted
cases, several cases per incident, several appeals per charge decided on the same or different
days, checked and unchecked incidents and unknown tolls, and through the callers' querysets
(the FilterSet's, and one that joins and de-duplicates itself).
"""

from __future__ import annotations

import datetime
import random

import pytest

from cases import justice
from cases.models import FINAL_VERDICTS, AppealOutcome, Charge, Custody, Verdict
from core.models import Status
from incidents.filters import IncidentFilter
from incidents.models import Incident
from tests import factories as f

pytestmark = pytest.mark.django_db
TODAY = datetime.date(2026, 11, 25)
D = datetime.date
APPEAL_DAYS = [D(2025, 6, 1), D(2025, 6, 1), D(2026, 1, 1)]  # ties decided by id


def build(seed: int) -> None:
    rng = random.Random(seed)
    court = f.CourtFactory()
    province = f.ProvinceFactory(name="Sindh", slug="sindh")
    incidents = [
        f.IncidentFactory(
            date=D(rng.choice([2015, 2020, 2023, 2024, 2026]), rng.randint(1, 12), rng.randint(1, 28)),
            killed=rng.choice([None, 0, 1, 3]),
            status=rng.choice([Status.PUBLISHED] * 4 + [Status.DRAFT]),
            province=rng.choice([province, f.ProvinceFactory()]),
            court_record_checked_on=rng.choice([None, None, D(2026, 1, 1)]),
        )
        for _ in range(14)
    ]
    people = [f.AccusedFactory() for _ in range(6)]
    for _ in range(10):
        case = f.CaseFactory(court=court, status=rng.choice([Status.PUBLISHED] * 3 + [Status.DRAFT, Status.RETRACTED]))
        case.incidents.set(rng.sample(incidents, rng.randint(1, 2)))
        for accused in rng.sample(people, rng.randint(0, 3)):
            verdict = rng.choice(Verdict.values)
            dated = verdict not in (Verdict.PENDING, Verdict.TRANSFERRED) or rng.random() < 0.3
            charge = f.ChargeFactory(
                case=case,
                accused=accused,
                verdict=verdict,
                verdict_date=rng.choice([D(2025, 1, 1), D(2026, 11, 1)]) if dated and verdict != "pending" else None,
                custody=rng.choice(Custody.values),
            )
            for _ in range(rng.choice([0, 0, 1, 2, 3])):
                outcome = rng.choice(AppealOutcome.values)
                decided_on = None if outcome == AppealOutcome.PENDING else rng.choice(APPEAL_DAYS)
                f.AppealFactory(charge=charge, outcome=outcome, decided_on=decided_on, filed_on=D(2025, 2, 1))


# The definitions, record by record ----------------------------------------------------------------


def standing(charge: Charge) -> str:
    """The trial verdict as changed by the latest decided appeal (by decided_on, then id)."""
    decided = sorted(
        (a for a in charge.appeals.all() if a.outcome != AppealOutcome.PENDING), key=lambda a: (a.decided_on, a.pk)
    )
    if not decided:
        return charge.verdict
    latest = decided[-1].outcome
    if latest == AppealOutcome.REMANDED:
        return Verdict.PENDING
    if latest == AppealOutcome.OVERTURNED and charge.verdict == Verdict.CONVICTED:
        return Verdict.ACQUITTED
    if latest == AppealOutcome.OVERTURNED and charge.verdict in (Verdict.ACQUITTED, Verdict.DISCHARGED):
        return Verdict.CONVICTED
    return charge.verdict


def upheld(charge: Charge) -> bool:
    """A conviction with appeals, all decided and none overturned or remanded; or none and over 30 days old."""
    if charge.verdict != Verdict.CONVICTED:
        return False
    outcomes = [a.outcome for a in charge.appeals.all()]
    if outcomes:
        return all(o in (AppealOutcome.UPHELD, AppealOutcome.MODIFIED) for o in outcomes)
    return charge.verdict_date < TODAY - datetime.timedelta(days=30)


def free(charge: Charge) -> bool:
    verdict = standing(charge)
    return verdict in (Verdict.ACQUITTED, Verdict.DISCHARGED) or (
        verdict == Verdict.PENDING and charge.custody in (Custody.ABSCONDING, Custody.PROCLAIMED_OFFENDER)
    )


def expected(incidents) -> tuple[justice.Funnel, justice.Impunity, justice.PartialJustice]:
    cutoff = D(TODAY.year - 3, TODAY.month, TODAY.day)
    funnel = dict.fromkeys(
        ["fatal_incidents", "case_registered", "accused_charged", "trial_concluded", "convicted", "conviction_upheld"],
        0,
    )
    fatal_old = researched = unpunished = with_conviction = partial = 0
    for incident in incidents:
        cases = [c for c in incident.cases.all() if c.status == Status.PUBLISHED]
        charges = [ch for c in cases for ch in c.charges.all()]
        convicted = {ch.accused_id for ch in charges if standing(ch) == Verdict.CONVICTED}
        if not incident.killed:
            continue
        funnel["fatal_incidents"] += 1
        funnel["case_registered"] += bool(cases)
        funnel["accused_charged"] += bool(charges)
        funnel["trial_concluded"] += any(standing(ch) in FINAL_VERDICTS for ch in charges)
        funnel["convicted"] += bool(convicted)
        funnel["conviction_upheld"] += any(upheld(ch) for ch in charges)
        if incident.date > cutoff:
            continue
        fatal_old += 1
        if not (cases or incident.court_record_checked_on):
            continue
        researched += 1
        unpunished += not convicted
        if convicted:
            with_conviction += 1
            left = {ch.accused_id for ch in charges if free(ch)}
            partial += any(a != b for a in convicted for b in left)
    return (
        justice.Funnel(**funnel),
        justice.Impunity(
            rate=unpunished / researched if researched else None,
            fatal_old=fatal_old,
            researched=researched,
            unpunished=unpunished,
            coverage=researched / fatal_old if fatal_old else None,
        ),
        justice.PartialJustice(
            incidents=partial,
            with_standing_conviction=with_conviction,
            share=partial / with_conviction if with_conviction else None,
        ),
    )


def querysets():
    public = Incident.objects.public()
    return [
        public,
        IncidentFilter({"province": "sindh", "date_from": "2015-01-01"}, queryset=public).qs,
        public.filter(killed__gt=1),
        public.filter(cases__court__isnull=False).distinct(),  # a caller's own join, de-duplicated
    ]


@pytest.mark.parametrize("seed", range(10))
def test_justice_figures_match_the_definitions(seed):
    build(seed)
    for incidents in querysets():
        got = (
            justice.funnel(incidents=incidents, today=TODAY),
            justice.impunity(incidents=incidents, today=TODAY),
            justice.partial_justice(incidents=incidents, today=TODAY),
        )
        assert got == expected(list(incidents))


@pytest.mark.parametrize("seed", range(10))
def test_standing_verdicts_match_the_definition(seed):
    build(seed)
    charges = list(Charge.objects.prefetch_related("appeals"))
    for verdict in Verdict.values:
        assert set(Charge.objects.filter(justice.standing(verdict)).values_list("pk", flat=True)) == {
            ch.pk for ch in charges if standing(ch) == verdict
        }, verdict
