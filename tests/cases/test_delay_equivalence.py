"""The court and delay figures against a plain-Python reading of DESIGN.md "Courts and delay",
case by case and hearing by hearing, on random small worlds: drafts, pending and decided cases,
transferred and closed ones, cases with no date, hearings at another court or only scheduled,
adjournments with no reason, charges of every verdict, holidays."""

from __future__ import annotations

import datetime
import random
from collections import defaultdict

import pytest
from django.conf import settings

from cases import courts
from cases.figures import percentile, years_before
from cases.models import FINAL_VERDICTS, NOT_PENDING_STAGES, AdjournmentReason, Case, HearingOutcome, Stage, Verdict
from cases.workdays import WorkingCalendar
from core.models import Status
from tests import factories as f

pytestmark = pytest.mark.django_db
D = datetime.date
TODAY = D(2026, 11, 25)
HOLIDAYS = [D(2024, 5, 1), D(2025, 3, 31), D(2026, 8, 14), D(2026, 11, 20)]
CALENDAR = WorkingCalendar(holidays=HOLIDAYS)
LIMIT = settings.STATUTORY_LIMIT_WORKING_DAYS


def build(seed: int) -> None:
    rng = random.Random(seed)
    court_list = [f.CourtFactory(city=rng.choice([None, f.CityFactory()])) for _ in range(3)]
    for _ in range(14):
        cognizance = rng.choice([None, D(2020, 1, 6), D(2024, 5, 2), D(2026, 11, 13), D(2026, 11, 18), TODAY])
        judgment = None
        if cognizance and rng.random() < 0.5:
            judgment = cognizance + datetime.timedelta(days=rng.choice([0, 3, 9, 40, 400]))
        case = f.CaseFactory(
            court=rng.choice(court_list),
            status=rng.choice([Status.PUBLISHED] * 4 + [Status.DRAFT, Status.RETRACTED]),
            cognizance_date=cognizance,
            judgment_date=judgment,
            fir_date=rng.choice([None, D(2019, 3, 3), D(2026, 10, 1)]) if not cognizance else None,
            stage=rng.choice([Stage.DECIDED, Stage.ARGUMENTS, Stage.TRANSFERRED, Stage.CHARGE_FRAMED, Stage.CLOSED]),
        )
        for _ in range(rng.randint(0, 3)):
            verdict = rng.choice(Verdict.values)
            final = verdict not in (Verdict.PENDING, Verdict.TRANSFERRED)
            f.ChargeFactory(case=case, verdict=verdict, verdict_date=D(2025, 1, 1) if final else None)
        for day in range(rng.randint(0, 5)):
            outcome = rng.choice(["", *HearingOutcome.values, HearingOutcome.ADJOURNED])
            reason = rng.choice(["", *AdjournmentReason.values]) if outcome == HearingOutcome.ADJOURNED else ""
            f.HearingFactory(
                case=case,
                date=D(2024, 6, 1 + day),
                outcome=outcome,
                adjournment_reason=reason,
                court=rng.choice([None, None, rng.choice(court_list)]),
            )


def working_days(start: datetime.date, end: datetime.date) -> int:
    """Working days d with start < d ≤ end, counted one day at a time."""
    return sum(
        1
        for i in range(1, (end - start).days + 1)
        if (d := start + datetime.timedelta(days=i)).weekday() < 5 and d not in HOLIDAYS
    )


def share(part, whole):
    return part / whole if whole else None


def expected_disposal(decided: list[Case]) -> dict:
    days = [(c.judgment_date - c.cognizance_date).days for c in decided]
    work = [working_days(c.cognizance_date, c.judgment_date) for c in decided]
    within = sum(1 for w in work if w <= LIMIT)
    return {
        "count": len(decided),
        "n": len(decided),
        "median_days": percentile(days, 0.5),
        "p90_days": percentile(days, 0.9),
        "median_working_days": percentile(work, 0.5),
        "p90_working_days": percentile(work, 0.9),
        "within_statutory_limit": within,
        "statutory_compliance": share(within, len(decided)),
    }


def expected_over_limit(pending: list[Case]) -> dict:
    started = [c for c in pending if c.cognizance_date]
    excess = sorted(w - LIMIT for c in started if (w := working_days(c.cognizance_date, TODAY)) > LIMIT)
    return {
        "pending_with_cognizance": len(started),
        "over_limit": len(excess),
        "share": share(len(excess), len(started)),
        "median_excess_working_days": percentile(excess, 0.5),
        "max_excess_working_days": max(excess) if excess else None,
        "n": len(started),
        "median_excess_n": len(excess),
    }


def expected_bucket(case: Case) -> str:
    start = case.cognizance_date or case.fir_date
    if start is None:
        return "unknown"
    if working_days(start, TODAY) <= LIMIT:
        return "le_7_working_days"
    if (TODAY - start).days <= 30:
        return "le_30_days"
    six_months_ago = D(2026, 5, 25)
    if start >= six_months_ago:
        return "le_6_months"
    for years, bucket in ((1, "le_1_year"), (3, "1_to_3_years"), (5, "3_to_5_years")):
        if start >= years_before(TODAY, years):
            return bucket
    return "gt_5_years"


def expected(cases: list[Case]) -> dict:
    published = [c for c in cases if c.status == Status.PUBLISHED]
    decided = [c for c in published if c.judgment_date and c.cognizance_date]
    pending = [c for c in published if not c.judgment_date and c.stage not in NOT_PENDING_STAGES]
    held = [h for c in published for h in c.hearings.all() if h.outcome]
    adjourned = [h for h in held if h.outcome == HearingOutcome.ADJOURNED]
    reasons = defaultdict(int)
    for h in adjourned:
        reasons[h.adjournment_reason or AdjournmentReason.OTHER] += 1
    of_decided = sum(1 for c in decided for h in c.hearings.all() if h.outcome)
    charges = [ch for c in published for ch in c.charges.all()]
    final = [ch for ch in charges if ch.verdict in FINAL_VERDICTS]
    convicted = [ch for ch in final if ch.verdict == Verdict.CONVICTED]
    cases_final = {ch.case_id for ch in final}
    cases_convicted = {ch.case_id for ch in convicted}
    buckets = defaultdict(int)
    for c in pending:
        buckets[expected_bucket(c)] += 1
    by_year = defaultdict(list)
    for c in decided:
        by_year[c.cognizance_date.year].append(c)
    return {
        "disposal": expected_disposal(decided),
        "disposal_by_year": [{**expected_disposal(by_year[y]), "year": y} for y in sorted(by_year)],
        "over_statutory_limit": expected_over_limit(pending),
        "pending_ages": dict(buckets),
        "adjournments": {
            "hearings_held": len(held),
            "adjourned": len(adjourned),
            "adjournment_rate": share(len(adjourned), len(held)),
            "decided_cases": len(decided),
            "hearings_of_decided_cases": of_decided,
            "hearings_per_decided_case": share(of_decided, len(decided)),
            "reasons": dict(reasons),
        },
        "conviction_rate": {
            "charges_decided": len(final),
            "charges_convicted": len(convicted),
            "per_accused": share(len(convicted), len(final)),
            "cases_decided": len(cases_final),
            "cases_convicted": len(cases_convicted),
            "per_case": share(len(cases_convicted), len(cases_final)),
        },
        "clearance_rate": {
            "decided": sum(1 for c in published if c.judgment_date and c.judgment_date.year == 2025),
            "cognizance": sum(1 for c in published if c.cognizance_date and c.cognizance_date.year == 2025),
        },
    }


def approx(value):
    return pytest.approx(value) if isinstance(value, float) else value


@pytest.mark.parametrize("seed", range(10))
def test_court_statistics_match_the_definitions(seed):
    build(seed)
    for cases in (Case.objects.all(), Case.objects.filter(court=Case.objects.order_by("pk").first().court)):
        got = courts.court_statistics(
            cases=cases, today=TODAY, calendar=CALENDAR, date_from=D(2025, 1, 1), date_to=D(2025, 12, 31)
        ).as_dict()
        want = expected(list(cases.prefetch_related("hearings", "charges")))
        assert got["disposal"] == {k: approx(v) for k, v in want["disposal"].items()}
        assert len(got["disposal_by_year"]) == len(want["disposal_by_year"])
        for row, wanted in zip(got["disposal_by_year"], want["disposal_by_year"], strict=True):
            assert row == {k: approx(v) for k, v in wanted.items()}
        assert got["over_statutory_limit"] == {k: approx(v) for k, v in want["over_statutory_limit"].items()}
        assert {r["bucket"]: r["count"] for r in got["pending_ages"] if r["count"]} == want["pending_ages"]
        adjournments, wanted = got["adjournments"], want["adjournments"]
        for key in ("hearings_held", "adjourned", "decided_cases", "hearings_of_decided_cases"):
            assert adjournments[key] == wanted[key], key
        assert adjournments["adjournment_rate"] == approx(wanted["adjournment_rate"])
        assert adjournments["hearings_per_decided_case"] == approx(wanted["hearings_per_decided_case"])
        assert {r["reason"]: r["count"] for r in adjournments["by_reason"] if r["count"]} == wanted["reasons"]
        conviction = {k: v for k, v in got["conviction_rate"].items() if not k.endswith("_n")}
        assert conviction == {k: approx(v) for k, v in want["conviction_rate"].items()}
        clearance = got["clearance_rate"]
        assert (clearance["decided"], clearance["cognizance"]) == (
            want["clearance_rate"]["decided"],
            want["clearance_rate"]["cognizance"],
        )
        # Each court's scorecard is the same reading of that court's cases (hearings at the court
        # that heard them).
        for card in got["scorecards"]:
            own = expected(list(Case.objects.filter(court_id=card["court_id"]).prefetch_related("hearings", "charges")))
            assert card["disposal"] == {k: approx(v) for k, v in own["disposal"].items()}
            assert card["over_statutory_limit"] == {k: approx(v) for k, v in own["over_statutory_limit"].items()}
            assert card["conviction_rate"]["charges_decided"] == own["conviction_rate"]["charges_decided"]
            assert card["adjournments"]["decided_cases"] == own["adjournments"]["decided_cases"]
            heard_here = [
                h
                for c in cases.filter(status=Status.PUBLISHED).prefetch_related("hearings")
                for h in c.hearings.all()
                if h.outcome and (h.court_id or c.court_id) == card["court_id"]
            ]
            assert card["adjournments"]["hearings_held"] == len(heard_here)
            assert card["adjournments"]["adjourned"] == sum(h.outcome == HearingOutcome.ADJOURNED for h in heard_here)
