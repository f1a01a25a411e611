"""The set-based court figures against plain Python over the same random rows.

The hearing table behind `adjournments` (one pass from the cases with a conditional count per
reason) must agree with a direct reading of the definitions, row by row, on random small worlds
(drafts, several cases per incident, hearings at another court, appeals of every outcome,
unknown figures). The justice figures have theirs in test_justice_properties.py.
"""

from __future__ import annotations

import datetime
import random
from collections import defaultdict

import pytest

from cases import stats
from cases.models import (
    AdjournmentReason,
    AppealOutcome,
    Case,
    Custody,
    Hearing,
    HearingOutcome,
    Verdict,
)
from core.models import Status
from tests import factories as f

pytestmark = pytest.mark.django_db
TODAY = datetime.date(2026, 11, 25)
D = datetime.date


def build(seed: int) -> None:
    rng = random.Random(seed)
    courts = [f.CourtFactory() for _ in range(3)]
    incidents = [
        f.IncidentFactory(
            date=D(rng.choice([2015, 2020, 2023, 2024, 2026]), rng.randint(1, 12), rng.randint(1, 28)),
            killed=rng.choice([None, 0, 1, 3]),
            status=rng.choice([Status.PUBLISHED] * 4 + [Status.DRAFT]),
        )
        for _ in range(12)
    ]
    people = [f.AccusedFactory() for _ in range(6)]
    for _ in range(10):
        cognizance = rng.choice([None, D(2020, 1, 6), D(2024, 5, 2)])
        case = f.CaseFactory(
            court=rng.choice(courts),
            status=rng.choice([Status.PUBLISHED] * 4 + [Status.DRAFT]),
            cognizance_date=cognizance,
            judgment_date=rng.choice([None, D(2025, 3, 3)]) if cognizance else None,
        )
        case.incidents.set(rng.sample(incidents, rng.randint(1, 2)))
        for accused in rng.sample(people, rng.randint(0, 3)):
            verdict = rng.choice(Verdict.values)
            charge = f.ChargeFactory(
                case=case,
                accused=accused,
                verdict=verdict,
                verdict_date=rng.choice([D(2025, 1, 1), D(2026, 11, 20)]) if verdict != Verdict.PENDING else None,
                custody=rng.choice(Custody.values),
            )
            for _ in range(rng.choice([0, 0, 1, 2])):
                outcome = rng.choice(AppealOutcome.values)
                decided_on = None if outcome == AppealOutcome.PENDING else D(2026, 6, 1)
                f.AppealFactory(charge=charge, outcome=outcome, decided_on=decided_on)
        for day in range(rng.randint(0, 5)):
            outcome = rng.choice(["", *HearingOutcome.values, HearingOutcome.ADJOURNED])
            reason = rng.choice(["", *AdjournmentReason.values]) if outcome == HearingOutcome.ADJOURNED else ""
            f.HearingFactory(
                case=case,
                date=D(2024, 6, 1 + day),
                outcome=outcome,
                adjournment_reason=reason,
                court=rng.choice([None, None, rng.choice(courts)]),
            )


def expected_hearing_table(cases) -> dict:
    per: dict = defaultdict(lambda: {"held": 0, "adjourned": 0, "decided": 0, "of_decided": 0, "reasons": {}})
    published = [c for c in cases if c.status == Status.PUBLISHED]
    for case in published:
        decided = case.judgment_date is not None and case.cognizance_date is not None
        if decided:
            per[case.court_id]["decided"] += 1
        for hearing in Hearing.objects.filter(case=case).exclude(outcome=""):
            entry = per[hearing.court_id or case.court_id]
            entry["held"] += 1
            if hearing.outcome == HearingOutcome.ADJOURNED:
                entry["adjourned"] += 1
                reason = hearing.adjournment_reason or AdjournmentReason.OTHER
                entry["reasons"][reason] = entry["reasons"].get(reason, 0) + 1
            if decided:
                per[case.court_id]["of_decided"] += 1
    return {court: dict(entry) for court, entry in per.items()}


@pytest.mark.parametrize("seed", range(8))
def test_hearing_table_matches_the_definitions(seed):
    build(seed)
    for cases in (Case.objects.all(), Case.objects.public().filter(cognizance_date__isnull=False)):
        table = stats._hearing_table(cases)
        got = {court: entry | {"reasons": dict(entry["reasons"])} for court, entry in table.items()}
        assert got == expected_hearing_table(list(cases))


@pytest.mark.parametrize("seed", range(4))
def test_court_statistics_conviction_rate_is_the_sum_of_its_courts(seed):
    build(seed)
    for cases in (Case.objects.all(), Case.objects.public().filter(cognizance_date__isnull=False)):
        figures = stats.court_statistics(cases=cases, today=TODAY)
        assert figures["conviction_rate"] == stats.conviction_rate(cases=cases)
        per_court = {card["court_id"]: card["conviction_rate"] for card in figures["scorecards"]}
        for court_id, rate in per_court.items():
            assert rate == stats.conviction_rate(cases=cases.filter(court_id=court_id))
