"""cases/stats.py: delay and court figures, on small hand-built data (the justice figures: test_justice*.py)."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from hypothesis import given
from hypothesis import strategies as st

from cases import stats
from cases.models import (
    AdjournmentReason,
    AppealOutcome,
    Case,
    Custody,
    HearingOutcome,
    Stage,
    Verdict,
)
from cases.workdays import WorkingCalendar
from core.models import Status
from incidents.models import Incident
from tests import factories as f

D = datetime.date
TODAY = D(2026, 11, 25)  # a Wednesday
NO_HOLIDAYS = WorkingCalendar(holidays=[])
OLD_VERDICT = D(2014, 1, 10)
K1_COGNIZANCE, K1_JUDGMENT = D(2012, 6, 1), D(2013, 1, 10)
pytestmark = pytest.mark.django_db


def incidents():
    return Incident.objects.public()


def cases():
    return Case.objects.public()


# percentile ---------------------------------------------------------------------------------


def test_percentile_of_nothing_is_none():
    assert stats.percentile([], 0.5) is None


def test_percentile_of_one_value_is_that_value():
    assert stats.percentile([7], 0.5) == 7
    assert stats.percentile([7], 0.9) == 7


def test_percentile_of_two_values_interpolates():
    assert stats.percentile([3, 1], 0.5) == 2.0
    assert stats.percentile([3, 1], 0.9) == pytest.approx(2.8)


def test_percentile_of_ten_values_matches_linear_interpolation():
    values = [10, 1, 9, 2, 8, 3, 7, 4, 6, 5]
    assert stats.percentile(values, 0.5) == 5.5
    assert stats.percentile(values, 0.9) == pytest.approx(9.1)  # numpy.percentile(values, 90)
    assert stats.percentile(values, 0.0) == 1
    assert stats.percentile(values, 1.0) == 10


def test_date_helpers_clamp_to_month_end():
    assert stats.years_before(D(2016, 2, 29), 3) == D(2013, 2, 28)
    assert stats.months_before(D(2026, 8, 31), 6) == D(2026, 2, 28)
    assert stats.months_before(D(2026, 3, 15), 6) == D(2025, 9, 15)


def _charge(case, verdict=Verdict.PENDING, custody=Custody.ARRESTED, accused=None):
    date = None if verdict == Verdict.PENDING else D(2014, 1, 1)
    kwargs = {"accused": accused} if accused else {}
    return f.ChargeFactory(case=case, verdict=verdict, verdict_date=date, custody=custody, **kwargs)


# disposal and compliance -------------------------------------------------------------------------


def decided(court=None, start=K1_COGNIZANCE, end=K1_JUDGMENT, **kwargs):
    kwargs.setdefault("stage", Stage.DECIDED)
    if court is not None:
        kwargs["court"] = court
    return f.CaseFactory(cognizance_date=start, judgment_date=end, **kwargs)


def test_disposal_times_median_and_90th_percentile():
    # Mon 2012-06-04 + 1, 3, 8 calendar days: Tue (1 working day), Thu (3), next Tue (6).
    for end in (D(2012, 6, 5), D(2012, 6, 7), D(2012, 6, 12)):
        decided(start=D(2012, 6, 4), end=end)
    decided(start=D(2012, 6, 4), end=None, stage=Stage.ARGUMENTS)  # pending: not decided
    decided(start=D(2012, 6, 4), end=D(2012, 6, 5), status=Status.DRAFT)
    result = stats.disposal_times(cases=cases(), calendar=NO_HOLIDAYS)
    assert result == {
        "count": 3,
        "median_days": 3,
        "p90_days": pytest.approx(3 + 0.8 * 5),
        "median_working_days": 3,
        "p90_working_days": pytest.approx(3 + 0.8 * 3),
        "within_statutory_limit": 3,
        "statutory_compliance": 1.0,
    }


def test_disposal_times_of_no_decided_case_are_none():
    assert stats.disposal_times(cases=cases(), calendar=NO_HOLIDAYS) == {
        "count": 0,
        "median_days": None,
        "p90_days": None,
        "median_working_days": None,
        "p90_working_days": None,
        "within_statutory_limit": 0,
        "statutory_compliance": None,
    }


def test_disposal_working_days_skip_holidays():
    decided(start=D(2012, 6, 4), end=D(2012, 6, 8))  # Tue..Fri: 4 working days
    calendar = WorkingCalendar(holidays=[D(2012, 6, 6)])
    assert stats.disposal_times(cases=cases(), calendar=calendar)["median_working_days"] == 3


def test_disposal_times_grouped_by_court_city_and_year():
    karachi = f.CityFactory(name="Karachi", slug="karachi")
    quetta = f.CityFactory(name="Quetta", slug="quetta")
    atc1 = f.CourtFactory(name="ATC I, Karachi", city=karachi)
    atc2 = f.CourtFactory(name="ATC II, Karachi", city=karachi)
    atc3 = f.CourtFactory(name="ATC I, Quetta", city=quetta)
    decided(atc1, D(2012, 6, 1), D(2012, 6, 11))
    decided(atc1, D(2013, 6, 3), D(2013, 6, 7))
    decided(atc2, D(2013, 1, 1), D(2013, 1, 31))
    decided(atc3, D(2013, 1, 1), D(2013, 12, 31))
    by_court = stats.disposal_times(cases=cases(), group_by="court", calendar=NO_HOLIDAYS)
    assert [(r["court_id"], r["court"], r["count"], r["median_days"]) for r in by_court] == [
        (atc1.pk, "ATC I, Karachi", 2, 7.0),
        (atc3.pk, "ATC I, Quetta", 1, 364),
        (atc2.pk, "ATC II, Karachi", 1, 30),
    ]
    by_city = stats.disposal_times(cases=cases(), group_by="city", calendar=NO_HOLIDAYS)
    assert [(r["city"], r["slug"], r["count"]) for r in by_city] == [("Karachi", "karachi", 3), ("Quetta", "quetta", 1)]
    by_year = stats.disposal_times(cases=cases(), group_by="year", calendar=NO_HOLIDAYS)
    assert [(r["year"], r["count"], r["median_days"]) for r in by_year] == [(2012, 1, 10), (2013, 3, 30)]


def test_disposal_times_reject_an_unknown_grouping():
    with pytest.raises(ValueError, match="group_by"):
        stats.disposal_times(cases=cases(), group_by="judge", calendar=NO_HOLIDAYS)


def test_statutory_compliance_counts_cases_within_seven_working_days():
    decided(start=D(2012, 6, 1), end=D(2012, 6, 12))  # Fri -> Tue week after: 7 working days
    decided(start=D(2012, 6, 1), end=D(2012, 6, 13))  # 8 working days
    assert stats.statutory_compliance(cases=cases(), calendar=NO_HOLIDAYS) == {
        "decided": 2,
        "within_limit": 1,
        "rate": 0.5,
    }


def test_statutory_compliance_of_no_decided_case_is_none():
    assert stats.statutory_compliance(cases=cases(), calendar=NO_HOLIDAYS)["rate"] is None


# pending ages and the statutory limit ---------------------------------------------------------


def pending(cognizance=None, fir=None, **kwargs):
    kwargs.setdefault("stage", Stage.PROSECUTION_EVIDENCE)
    return f.CaseFactory(cognizance_date=cognizance, fir_date=fir, **kwargs)


def ages(calendar=NO_HOLIDAYS) -> dict[str, int]:
    return {r["bucket"]: r["count"] for r in stats.pending_ages(cases=cases(), today=TODAY, calendar=calendar)}


def test_pending_age_buckets_boundaries():
    # TODAY is Wednesday 2026-11-25; seven working days back reach Monday 2026-11-16.
    pending(D(2026, 11, 16))  # 7 working days
    pending(D(2026, 11, 15))  # 8 working days, 10 calendar days
    pending(D(2026, 10, 26))  # 30 days
    pending(D(2026, 10, 25))  # 31 days
    pending(D(2026, 5, 25))  # exactly 6 months
    pending(D(2026, 5, 24))
    pending(D(2025, 11, 25))  # exactly 1 year
    pending(D(2025, 11, 24))
    pending(D(2023, 11, 25))  # exactly 3 years
    pending(D(2021, 11, 25))  # exactly 5 years
    pending(D(2021, 11, 24))
    assert ages() == {
        "le_7_working_days": 1,
        "le_30_days": 2,
        "le_6_months": 2,
        "le_1_year": 2,
        "1_to_3_years": 2,
        "3_to_5_years": 1,
        "gt_5_years": 1,
        "unknown": 0,
    }


def test_pending_ages_in_order_with_labels():
    rows = stats.pending_ages(cases=cases(), today=TODAY, calendar=NO_HOLIDAYS)
    assert [r["bucket"] for r in rows] == [key for key, _ in stats.PENDING_AGE_BUCKETS]
    assert rows[0]["label"] == "≤ 7 working days"
    assert all(r["count"] == 0 for r in rows)


def test_seven_working_day_bucket_uses_the_holiday_calendar():
    pending(D(2026, 11, 13))  # Friday: 8 working days, 7 with a holiday on Friday 2026-11-20
    assert ages()["le_7_working_days"] == 0
    assert ages(WorkingCalendar(holidays=[D(2026, 11, 20)]))["le_7_working_days"] == 1


def test_pending_age_falls_back_on_fir_date_and_decided_cases_are_not_pending():
    pending(None, fir=D(2010, 1, 1))
    pending(None, fir=None)
    decided(start=D(2010, 1, 1), end=D(2011, 1, 1))
    pending(D(2010, 1, 1), stage=Stage.TRANSFERRED)
    pending(D(2010, 1, 1), status=Status.RETRACTED)
    assert ages()["gt_5_years"] == 1
    assert ages()["unknown"] == 1
    assert sum(ages().values()) == 2


def test_working_day_threshold_with_holidays():
    calendar = WorkingCalendar(holidays=[D(2026, 11, 20)])
    assert stats.working_day_threshold(today=TODAY, working_days=7, calendar=NO_HOLIDAYS) == D(2026, 11, 16)
    assert stats.working_day_threshold(today=TODAY, working_days=7, calendar=calendar) == D(2026, 11, 13)


def test_over_statutory_limit_counts_pending_cases_by_their_excess():
    pending(D(2026, 11, 16))  # 7 working days: within
    pending(D(2026, 11, 13))  # 8: over by 1
    pending(D(2026, 11, 2))  # 17: over by 10
    pending(None, fir=D(2020, 1, 1))  # no cognizance yet: the clock has not started
    decided(start=D(2012, 1, 1), end=D(2013, 1, 1))
    assert stats.over_statutory_limit(cases=cases(), today=TODAY, calendar=NO_HOLIDAYS) == {
        "pending_with_cognizance": 3,
        "over_limit": 2,
        "share": 2 / 3,
        "median_excess_working_days": 5.5,
        "max_excess_working_days": 10,
    }


def test_over_statutory_limit_of_nothing():
    assert stats.over_statutory_limit(cases=cases(), today=TODAY, calendar=NO_HOLIDAYS)["share"] is None


# adjournments --------------------------------------------------------------------------------


def hearing(case, outcome="", reason="", court=None, day=1):
    return f.HearingFactory(case=case, outcome=outcome, adjournment_reason=reason, court=court, date=D(2012, 6, day))


def test_adjournment_rate_and_reasons():
    done = decided()
    hearing(done, HearingOutcome.ADJOURNED, AdjournmentReason.WITNESS_ABSENT, day=1)
    hearing(done, HearingOutcome.ADJOURNED, AdjournmentReason.LAWYERS_STRIKE, day=2)
    hearing(done, HearingOutcome.ADJOURNED, AdjournmentReason.WITNESS_ABSENT, day=3)
    hearing(done, HearingOutcome.JUDGMENT, day=4)
    waiting = pending(D(2012, 6, 1))
    hearing(waiting, HearingOutcome.PROCEEDED, day=5)
    hearing(waiting, "", day=6)  # only scheduled: not counted
    hidden = pending(D(2012, 6, 1), status=Status.DRAFT)
    hearing(hidden, HearingOutcome.ADJOURNED, AdjournmentReason.OTHER, day=7)
    result = stats.adjournments(cases=cases())
    assert {k: v for k, v in result.items() if k != "by_reason"} == {
        "decided_cases": 1,
        "hearings_of_decided_cases": 4,
        "hearings_per_decided_case": 4.0,
        "hearings_held": 5,
        "adjourned": 3,
        "adjournment_rate": 0.6,
    }
    reasons = result["by_reason"]
    assert [(r["reason"], r["count"]) for r in reasons[:3]] == [
        ("witness_absent", 2),
        ("lawyers_strike", 1),
        ("judge_absent_or_vacant", 0),
    ]
    assert reasons[0]["share"] == 2 / 3
    assert len(reasons) == len(AdjournmentReason.choices)


def test_adjournments_of_nothing_are_none_not_zero():
    result = stats.adjournments(cases=cases())
    assert result["adjournment_rate"] is None
    assert result["hearings_per_decided_case"] is None
    assert all(r["share"] is None for r in result["by_reason"])


def test_adjournments_per_court_go_to_the_court_that_heard_them():
    atc1 = f.CourtFactory(name="ATC I")
    atc2 = f.CourtFactory(name="ATC II")
    case = decided(atc1)
    hearing(case, HearingOutcome.ADJOURNED, AdjournmentReason.PROSECUTOR_ABSENT, day=1)
    hearing(case, HearingOutcome.ADJOURNED, AdjournmentReason.RECORD_AWAITED, court=atc2, day=2)
    hearing(case, HearingOutcome.JUDGMENT, day=3)
    rows = {r["court"]: r for r in stats.adjournments(cases=cases(), group_by="court")}
    assert (rows["ATC I"]["hearings_held"], rows["ATC I"]["adjourned"], rows["ATC I"]["decided_cases"]) == (2, 1, 1)
    assert rows["ATC I"]["hearings_per_decided_case"] == 3.0
    assert (rows["ATC II"]["hearings_held"], rows["ATC II"]["adjourned"], rows["ATC II"]["decided_cases"]) == (1, 1, 0)
    assert rows["ATC II"]["by_reason"][0]["reason"] == "record_awaited"
    assert rows["ATC II"]["hearings_per_decided_case"] is None


# conviction and clearance rates -----------------------------------------------------------------


def test_conviction_rate_per_accused_and_per_case():
    k1 = f.CaseFactory()
    _charge(k1, Verdict.CONVICTED)
    _charge(k1, Verdict.ACQUITTED)
    _charge(k1, Verdict.PENDING)  # no final verdict: not counted
    k2 = f.CaseFactory()
    _charge(k2, Verdict.DISCHARGED)
    _charge(k2, Verdict.ACQUITTED)
    _charge(f.CaseFactory(), Verdict.TRANSFERRED)  # not a final verdict
    _charge(f.CaseFactory(status=Status.DRAFT), Verdict.CONVICTED)
    assert stats.conviction_rate(cases=cases()) == {
        "charges_decided": 4,
        "charges_convicted": 1,
        "per_accused": 0.25,
        "cases_decided": 2,
        "cases_convicted": 1,
        "per_case": 0.5,
    }


def test_conviction_rate_without_verdicts_is_none():
    _charge(f.CaseFactory(), Verdict.PENDING)
    result = stats.conviction_rate(cases=cases())
    assert (result["per_accused"], result["per_case"]) == (None, None)


def test_clearance_rate_is_decided_over_cognizance_in_the_period():
    decided(start=D(2011, 12, 1), end=D(2012, 2, 1))  # decided in 2012
    decided(start=D(2012, 3, 1), end=D(2012, 12, 31))  # both in 2012
    decided(start=D(2012, 5, 1), end=D(2013, 1, 1))  # cognizance in 2012 only
    pending(D(2012, 7, 1))
    pending(D(2013, 7, 1))
    result = stats.clearance_rate(cases=cases(), date_from=D(2012, 1, 1), date_to=D(2012, 12, 31))
    assert result == {"decided": 2, "cognizance": 3, "rate": 2 / 3}
    assert stats.clearance_rate(cases=cases(), date_from=None, date_to=None) == {
        "decided": 3,
        "cognizance": 5,
        "rate": 0.6,
    }


def test_clearance_rate_without_cognizance_in_period_is_none():
    decided(start=D(2011, 12, 1), end=D(2012, 2, 1))
    result = stats.clearance_rate(cases=cases(), date_from=D(2012, 1, 1), date_to=D(2012, 12, 31))
    assert result == {"decided": 1, "cognizance": 0, "rate": None}


# scorecards -----------------------------------------------------------------------------------


def test_court_scorecards_one_row_per_court():
    karachi = f.CityFactory(name="Karachi", slug="karachi")
    atc1 = f.CourtFactory(name="ATC I, Karachi", city=karachi)
    atc2 = f.CourtFactory(name="ATC II, Karachi", city=karachi)
    k1 = decided(atc1, D(2012, 6, 1), D(2013, 1, 10))
    _charge(k1, Verdict.CONVICTED)
    _charge(k1, Verdict.ACQUITTED)
    hearing(k1, HearingOutcome.ADJOURNED, AdjournmentReason.JUDGE_ABSENT_OR_VACANT)
    hearing(k1, HearingOutcome.JUDGMENT, day=2)
    pending(D(2026, 11, 2), court=atc1)
    pending(D(2026, 11, 20), court=atc2)
    rows = stats.court_scorecards(cases=cases(), today=TODAY, calendar=NO_HOLIDAYS)
    assert [(r["court"], r["city"], r["cases"], r["decided"], r["pending"]) for r in rows] == [
        ("ATC I, Karachi", "Karachi", 2, 1, 1),
        ("ATC II, Karachi", "Karachi", 1, 0, 1),
    ]
    first, second = rows
    assert (first["disposal"]["median_days"], first["disposal"]["median_working_days"]) == (223, 159)
    assert first["disposal"]["statutory_compliance"] == 0.0
    assert first["over_statutory_limit"]["over_limit"] == 1
    assert first["adjournments"]["adjournment_rate"] == 0.5
    assert first["adjournments"]["hearings_per_decided_case"] == 2.0
    assert first["conviction_rate"]["per_accused"] == 0.5
    assert second["disposal"]["median_days"] is None
    assert second["over_statutory_limit"]["over_limit"] == 0
    assert second["adjournments"]["adjournment_rate"] is None
    assert second["conviction_rate"]["per_case"] is None


# query counts -----------------------------------------------------------------------------


def _all_figures():
    calendar = NO_HOLIDAYS
    return [
        stats.disposal_times(cases=cases(), calendar=calendar),
        stats.disposal_times(cases=cases(), group_by="court", calendar=calendar),
        stats.statutory_compliance(cases=cases(), calendar=calendar),
        stats.pending_ages(cases=cases(), today=TODAY, calendar=calendar),
        stats.over_statutory_limit(cases=cases(), today=TODAY, calendar=calendar),
        stats.adjournments(cases=cases()),
        stats.adjournments(cases=cases(), group_by="court"),
        stats.conviction_rate(cases=cases()),
        stats.clearance_rate(cases=cases(), date_from=D(2012, 1, 1), date_to=D(2012, 12, 31)),
        stats.court_scorecards(cases=cases(), today=TODAY, calendar=calendar),
    ]


def _make_case(n: int):
    incident = f.IncidentFactory(killed=n % 3, date=D(2005 + n, 1, 1))
    court = f.CourtFactory()
    case = decided(court, D(2012, 1, 1 + n), D(2013, 1, 1), incidents=[incident])
    charge = _charge(case, Verdict.CONVICTED)
    f.AppealFactory(charge=charge, outcome=AppealOutcome.PENDING)
    _charge(case, Verdict.PENDING, Custody.ABSCONDING)
    hearing(case, HearingOutcome.ADJOURNED, AdjournmentReason.WITNESS_ABSENT, day=1 + n)
    pending(D(2026, 1, 1 + n), court=court, incidents=[incident])


def test_query_count_does_not_grow_with_data():
    _make_case(0)
    with CaptureQueriesContext(connection) as few:
        _all_figures()
    for n in range(1, 12):
        _make_case(n)
    with CaptureQueriesContext(connection) as many:
        result = _all_figures()
    assert len(few.captured_queries) == len(many.captured_queries)
    assert len(result[-1]) == 12  # twelve courts, still the same number of queries


# the memoised working-day counter -----------------------------------------------------------


@given(
    start=st.dates(min_value=D(1990, 1, 1), max_value=D(2030, 12, 31)),
    end=st.dates(min_value=D(1990, 1, 1), max_value=D(2030, 12, 31)),
    holidays=st.lists(st.dates(min_value=D(1990, 1, 1), max_value=D(2030, 12, 31)), max_size=20),
)
def test_memoised_counter_agrees_with_the_working_calendar(start, end, holidays):
    calendar = WorkingCalendar(holidays=holidays)
    counter = stats._calendar(calendar)
    assert counter.between(start, end) == calendar.between(start, end)
    assert counter.between(start, end) == calendar.between(start, end)  # and again from the cache
