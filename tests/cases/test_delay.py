"""The court and delay figures (cases/delay.py, hearing_stats.py, verdict_stats.py, courts.py) on
small hand-built data with exact expected values, fixed dates and constant query counts."""

from __future__ import annotations

import datetime
from dataclasses import asdict

import pytest
from django.db import connection
from django.template import Context, Template
from django.test.utils import CaptureQueriesContext

from cases import courts, delay, figures, hearing_stats, verdict_stats
from cases.models import AdjournmentReason, Case, Custody, HearingOutcome, Stage, Verdict
from cases.workdays import WorkingCalendar
from core.models import Status
from tests import factories as f

D = datetime.date
TODAY = D(2026, 11, 25)  # a Wednesday
NO_HOLIDAYS = WorkingCalendar(holidays=[])
K1_COGNIZANCE, K1_JUDGMENT = D(2012, 6, 1), D(2013, 1, 10)
pytestmark = pytest.mark.django_db


def cases():
    return Case.objects.public()


def decided(court=None, start=K1_COGNIZANCE, end=K1_JUDGMENT, **kwargs):
    kwargs.setdefault("stage", Stage.DECIDED)
    if court is not None:
        kwargs["court"] = court
    return f.CaseFactory(cognizance_date=start, judgment_date=end, **kwargs)


def pending(cognizance=None, fir=None, **kwargs):
    kwargs.setdefault("stage", Stage.PROSECUTION_EVIDENCE)
    return f.CaseFactory(cognizance_date=cognizance, fir_date=fir, **kwargs)


def charge(case, verdict=Verdict.PENDING, custody=Custody.ARRESTED):
    date = None if verdict in (Verdict.PENDING, Verdict.TRANSFERRED) else D(2014, 1, 1)
    return f.ChargeFactory(case=case, verdict=verdict, verdict_date=date, custody=custody)


def hearing(case, outcome="", reason="", court=None, day=1):
    return f.HearingFactory(case=case, outcome=outcome, adjournment_reason=reason, court=court, date=D(2012, 6, day))


# helpers ------------------------------------------------------------------------------------------


def test_percentile_is_linear_interpolation():
    assert figures.percentile([], 0.5) is None
    assert figures.percentile([7], 0.9) == 7
    assert figures.percentile([3, 1], 0.5) == 2.0
    assert figures.percentile([3, 1], 0.9) == pytest.approx(2.8)
    values = [10, 1, 9, 2, 8, 3, 7, 4, 6, 5]
    assert figures.percentile(values, 0.5) == 5.5
    assert figures.percentile(values, 0.9) == pytest.approx(9.1)  # numpy.percentile(values, 90)


def test_date_helpers_clamp_to_month_end():
    assert figures.years_before(D(2016, 2, 29), 3) == D(2013, 2, 28)
    assert figures.months_before(D(2026, 8, 31), 6) == D(2026, 2, 28)
    assert figures.months_before(D(2026, 3, 15), 6) == D(2025, 9, 15)
    assert figures.months_before(D(2026, 1, 31), 1) == D(2025, 12, 31)


def test_small_numbers_are_fewer_than_five():
    assert [figures.too_few(n) for n in (0, 1, 4, 5, 6)] == [True, True, True, False, False]
    assert figures.too_few_text(3) == "too few to say (n = 3)"


# disposal time and compliance -------------------------------------------------------------------


def test_worked_example_k1_takes_223_days_159_working_days_and_misses_the_limit():
    decided()
    disposal = delay.disposal_times(cases=cases(), calendar=NO_HOLIDAYS)
    assert (disposal.count, disposal.n, disposal.median_days, disposal.median_working_days) == (1, 1, 223, 159)
    assert (disposal.p90_days, disposal.p90_working_days) == (223, 159)
    assert delay.statutory_compliance(cases=cases(), calendar=NO_HOLIDAYS) == delay.Compliance(
        decided=1, within_limit=0, rate=0.0, n=1
    )


def test_disposal_times_median_and_90th_percentile():
    # Mon 2012-06-04 + 1, 3, 8 calendar days: Tue (1 working day), Thu (3), next Tue (6).
    for end in (D(2012, 6, 5), D(2012, 6, 7), D(2012, 6, 12)):
        decided(start=D(2012, 6, 4), end=end)
    decided(start=D(2012, 6, 4), end=D(2012, 6, 7))  # a second case with the same dates
    decided(start=D(2012, 6, 4), end=None, stage=Stage.ARGUMENTS)  # pending: not decided
    decided(start=D(2012, 6, 4), end=D(2012, 6, 5), status=Status.DRAFT)
    result = delay.disposal_times(cases=cases(), calendar=NO_HOLIDAYS)
    # calendar days 1, 3, 3, 8; working days 1, 3, 3, 6
    assert result == delay.Disposal(
        count=4,
        n=4,
        median_days=3,
        p90_days=pytest.approx(3 + 0.7 * 5),
        median_working_days=3,
        p90_working_days=pytest.approx(3 + 0.7 * 3),
        within_statutory_limit=4,
        statutory_compliance=1.0,
    )


def test_disposal_times_of_no_decided_case_are_none():
    assert delay.disposal_times(cases=cases(), calendar=NO_HOLIDAYS) == delay.Disposal(
        0, 0, None, None, None, None, 0, None
    )


def test_disposal_working_days_skip_holidays_and_the_day_of_cognizance():
    decided(start=D(2012, 6, 4), end=D(2012, 6, 8))  # Mon → Fri: Tue..Fri = 4 working days
    assert delay.disposal_times(cases=cases(), calendar=NO_HOLIDAYS).median_working_days == 4
    calendar = WorkingCalendar(holidays=[D(2012, 6, 6), D(2012, 6, 4)])  # cognizance day itself never counts
    assert delay.disposal_times(cases=cases(), calendar=calendar).median_working_days == 3


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
    by_court = delay.disposal_times(cases=cases(), group_by="court", calendar=NO_HOLIDAYS)
    assert [(r.court_id, r.court, r.count, r.median_days) for r in by_court] == [
        (atc1.pk, "ATC I, Karachi", 2, 7.0),
        (atc3.pk, "ATC I, Quetta", 1, 364),
        (atc2.pk, "ATC II, Karachi", 1, 30),
    ]
    by_city = delay.disposal_times(cases=cases(), group_by="city", calendar=NO_HOLIDAYS)
    assert [(r.city, r.slug, r.count, r.median_days) for r in by_city] == [
        ("Karachi", "karachi", 3, 10),
        ("Quetta", "quetta", 1, 364),
    ]
    by_year = delay.disposal_times(cases=cases(), group_by="year", calendar=NO_HOLIDAYS)
    assert [(r.year, r.count, r.n, r.median_days) for r in by_year] == [(2012, 1, 1, 10), (2013, 3, 3, 30)]


def test_disposal_times_reject_an_unknown_grouping():
    with pytest.raises(ValueError, match="group_by"):
        delay.disposal_times(cases=cases(), group_by="judge", calendar=NO_HOLIDAYS)


def test_statutory_compliance_of_no_decided_case_is_none():
    pending(D(2012, 6, 1))
    assert delay.statutory_compliance(cases=cases(), calendar=NO_HOLIDAYS) == delay.Compliance(0, 0, None, 0)


def test_statutory_compliance_counts_cases_within_seven_working_days():
    decided(start=D(2012, 6, 1), end=D(2012, 6, 12))  # Fri → Tue week after: 7 working days
    decided(start=D(2012, 6, 1), end=D(2012, 6, 13))  # 8 working days
    assert delay.statutory_compliance(cases=cases(), calendar=NO_HOLIDAYS) == delay.Compliance(2, 1, 0.5, 2)


# pending ages and the statutory limit ------------------------------------------------------------


def ages(calendar=NO_HOLIDAYS) -> dict[str, int]:
    return {r.bucket: r.count for r in delay.pending_ages(cases=cases(), today=TODAY, calendar=calendar)}


def test_pending_age_bucket_edges():
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
    rows = delay.pending_ages(cases=cases(), today=TODAY, calendar=NO_HOLIDAYS)
    assert [r.bucket for r in rows] == [key for key, _ in delay.PENDING_AGE_BUCKETS]
    assert rows[0].label == "≤ 7 working days"
    assert all(r.count == 0 for r in rows)


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
    assert delay.working_day_threshold(today=TODAY, working_days=7, calendar=NO_HOLIDAYS) == D(2026, 11, 16)
    assert delay.working_day_threshold(today=TODAY, working_days=7, calendar=calendar) == D(2026, 11, 13)


def test_over_statutory_limit_counts_pending_cases_by_their_excess():
    pending(D(2026, 11, 16))  # 7 working days: within
    pending(D(2026, 11, 13))  # 8: over by 1
    pending(D(2026, 11, 2))  # 17: over by 10
    pending(D(2026, 11, 2))  # the same day: over by 10 too
    pending(None, fir=D(2020, 1, 1))  # no cognizance yet: the clock has not started
    decided(start=D(2012, 1, 2), end=D(2013, 1, 2))
    assert delay.over_statutory_limit(cases=cases(), today=TODAY, calendar=NO_HOLIDAYS) == delay.OverLimit(
        pending_with_cognizance=4,
        over_limit=3,
        share=0.75,
        median_excess_working_days=10,
        max_excess_working_days=10,
        n=4,
        median_excess_n=3,
    )


def test_over_statutory_limit_of_nothing():
    result = delay.over_statutory_limit(cases=cases(), today=TODAY, calendar=NO_HOLIDAYS)
    assert (result.share, result.median_excess_working_days, result.n) == (None, None, 0)


# hearings and adjournments -----------------------------------------------------------------------


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
    result = hearing_stats.adjournments(cases=cases())
    assert (result.hearings_held, result.adjourned, result.adjournment_rate, result.n) == (5, 3, 0.6, 5)
    assert (result.decided_cases, result.hearings_of_decided_cases, result.hearings_per_decided_case) == (1, 4, 4.0)
    assert result.hearings_per_decided_case_n == 1
    assert [(r.reason, r.count, r.share, r.n) for r in result.by_reason[:3]] == [
        ("witness_absent", 2, 2 / 3, 3),
        ("lawyers_strike", 1, 1 / 3, 3),
        ("judge_absent_or_vacant", 0, 0.0, 3),
    ]
    assert len(result.by_reason) == len(AdjournmentReason.choices)
    assert hearing_stats.hearings_per_decided_case(cases=cases()) == hearing_stats.HearingsPerCase(1, 4, 4.0, 1)


def test_adjournments_of_nothing_are_none_not_zero():
    result = hearing_stats.adjournments(cases=cases())
    assert (result.adjournment_rate, result.hearings_per_decided_case, result.n) == (None, None, 0)
    assert all(r.share is None for r in result.by_reason)


def test_adjournments_per_court_go_to_the_court_that_heard_them():
    atc1 = f.CourtFactory(name="ATC I")
    atc2 = f.CourtFactory(name="ATC II")
    case = decided(atc1)
    hearing(case, HearingOutcome.ADJOURNED, AdjournmentReason.PROSECUTOR_ABSENT, day=1)
    hearing(case, HearingOutcome.ADJOURNED, AdjournmentReason.RECORD_AWAITED, court=atc2, day=2)
    hearing(case, HearingOutcome.JUDGMENT, day=3)
    rows = {r.court: r for r in hearing_stats.adjournments(cases=cases(), group_by="court")}
    assert (rows["ATC I"].hearings_held, rows["ATC I"].adjourned, rows["ATC I"].decided_cases) == (2, 1, 1)
    assert rows["ATC I"].hearings_per_decided_case == 3.0
    assert (rows["ATC II"].hearings_held, rows["ATC II"].adjourned, rows["ATC II"].decided_cases) == (1, 1, 0)
    assert rows["ATC II"].by_reason[0].reason == "record_awaited"
    assert rows["ATC II"].hearings_per_decided_case is None


def test_an_adjournment_with_no_reason_recorded_counts_as_other():
    case = pending(D(2012, 6, 1))
    hearing(case, HearingOutcome.ADJOURNED, "", day=1)
    reasons = {r.reason: r.count for r in hearing_stats.adjournments(cases=cases()).by_reason}
    assert reasons["other"] == 1


# conviction and clearance rates -------------------------------------------------------------------


def test_conviction_rate_per_accused_and_per_case():
    k1 = f.CaseFactory()
    charge(k1, Verdict.CONVICTED)
    charge(k1, Verdict.ACQUITTED)
    charge(k1, Verdict.PENDING)  # no final verdict: not counted
    k2 = f.CaseFactory()
    charge(k2, Verdict.DISCHARGED)
    charge(k2, Verdict.ACQUITTED)
    charge(f.CaseFactory(), Verdict.TRANSFERRED)  # not a final verdict
    charge(f.CaseFactory(status=Status.DRAFT), Verdict.CONVICTED)
    assert verdict_stats.conviction_rate(cases=cases()) == verdict_stats.ConvictionRate(
        charges_decided=4,
        charges_convicted=1,
        per_accused=0.25,
        per_accused_n=4,
        cases_decided=2,
        cases_convicted=1,
        per_case=0.5,
        per_case_n=2,
    )


def test_conviction_rate_without_verdicts_is_none():
    charge(f.CaseFactory(), Verdict.PENDING)
    result = verdict_stats.conviction_rate(cases=cases())
    assert (result.per_accused, result.per_case, result.per_accused_n) == (None, None, 0)


def test_clearance_rate_is_decided_over_cognizance_in_the_period():
    decided(start=D(2011, 12, 1), end=D(2012, 2, 1))  # decided in 2012
    decided(start=D(2012, 3, 1), end=D(2012, 12, 31))  # both in 2012
    decided(start=D(2012, 5, 1), end=D(2013, 1, 1))  # cognizance in 2012 only
    pending(D(2012, 7, 1))
    pending(D(2013, 7, 1))
    pending(D(2012, 7, 1), status=Status.DRAFT)
    result = verdict_stats.clearance_rate(cases=cases(), date_from=D(2012, 1, 1), date_to=D(2012, 12, 31))
    assert result == verdict_stats.Clearance(decided=2, cognizance=3, rate=2 / 3, n=3)
    assert verdict_stats.clearance_rate(cases=cases(), date_from=None, date_to=None) == verdict_stats.Clearance(
        3, 5, 0.6, 5
    )
    by_year = verdict_stats.clearance_by_year(cases=cases(), years=[2011, 2012, 2013])
    assert [(r.year, r.decided, r.cognizance, r.rate) for r in by_year] == [
        (2011, 0, 1, 0.0),
        (2012, 2, 3, 2 / 3),
        (2013, 1, 1, 1.0),
    ]


def test_clearance_rate_without_cognizance_in_period_is_none():
    decided(start=D(2011, 12, 1), end=D(2012, 2, 1))
    result = verdict_stats.clearance_rate(cases=cases(), date_from=D(2012, 1, 1), date_to=D(2012, 12, 31))
    assert result == verdict_stats.Clearance(decided=1, cognizance=0, rate=None, n=0)


# scorecards and the court statistics block -------------------------------------------------------


def two_courts():
    karachi = f.CityFactory(name="Karachi", slug="karachi")
    atc1 = f.CourtFactory(name="ATC I, Karachi", city=karachi)
    atc2 = f.CourtFactory(name="ATC II, Karachi", city=karachi)
    k1 = decided(atc1, K1_COGNIZANCE, K1_JUDGMENT)
    charge(k1, Verdict.CONVICTED)
    charge(k1, Verdict.ACQUITTED)
    hearing(k1, HearingOutcome.ADJOURNED, AdjournmentReason.JUDGE_ABSENT_OR_VACANT)
    hearing(k1, HearingOutcome.JUDGMENT, day=2)
    pending(D(2026, 11, 2), court=atc1)
    pending(D(2026, 11, 20), court=atc2)
    return atc1, atc2


def test_court_scorecards_one_row_per_court():
    two_courts()
    rows = courts.court_scorecards(cases=cases(), today=TODAY, calendar=NO_HOLIDAYS)
    assert [(r.court, r.city, r.cases, r.decided, r.pending) for r in rows] == [
        ("ATC I, Karachi", "Karachi", 2, 1, 1),
        ("ATC II, Karachi", "Karachi", 1, 0, 1),
    ]
    first, second = rows
    assert (first.disposal.median_days, first.disposal.median_working_days, first.disposal.n) == (223, 159, 1)
    assert first.disposal.statutory_compliance == 0.0
    assert (first.over_statutory_limit.over_limit, first.over_statutory_limit.max_excess_working_days) == (1, 10)
    assert (first.adjournments.adjournment_rate, first.adjournments.hearings_per_decided_case) == (0.5, 2.0)
    assert first.conviction_rate.per_accused == 0.5
    assert second.disposal.median_days is None
    assert second.over_statutory_limit.over_limit == 0
    assert second.adjournments.adjournment_rate is None
    assert second.conviction_rate.per_case is None


def test_court_statistics_is_each_function_summarised_once():
    """The block /api/statistics/ gives under "courts" holds exactly what each figure's own
    function gives for the same cases."""
    two_courts()
    result = courts.court_statistics(cases=cases(), today=TODAY, calendar=NO_HOLIDAYS)
    assert result.disposal == delay.disposal_times(cases=cases(), calendar=NO_HOLIDAYS)
    assert result.disposal_by_year == delay.disposal_times(cases=cases(), group_by="year", calendar=NO_HOLIDAYS)
    assert result.statutory_compliance == delay.statutory_compliance(cases=cases(), calendar=NO_HOLIDAYS)
    assert result.pending_ages == delay.pending_ages(cases=cases(), today=TODAY, calendar=NO_HOLIDAYS)
    assert result.over_statutory_limit == delay.over_statutory_limit(cases=cases(), today=TODAY, calendar=NO_HOLIDAYS)
    assert result.adjournments == hearing_stats.adjournments(cases=cases())
    assert result.conviction_rate == verdict_stats.conviction_rate(cases=cases())
    assert result.clearance_rate == verdict_stats.clearance_rate(cases=cases(), date_from=None, date_to=None)
    assert result.scorecards == courts.court_scorecards(cases=cases(), today=TODAY, calendar=NO_HOLIDAYS)
    as_dict = result.as_dict()
    assert as_dict["disposal"] == asdict(result.disposal)
    assert as_dict["disposal"]["n"] == 1 and as_dict["disposal"]["count"] == 1
    assert as_dict["scorecards"][0]["adjournments"]["by_reason"][0]["reason"] == "judge_absent_or_vacant"


def test_a_join_in_the_callers_queryset_does_not_count_a_case_twice():
    incident_a, incident_b = f.IncidentFactory(), f.IncidentFactory()
    case = decided(incidents=[incident_a, incident_b])
    hearing(case, HearingOutcome.ADJOURNED, AdjournmentReason.OTHER)
    joined = Case.objects.public().filter(incidents__isnull=False)  # one row per incident
    assert joined.count() == 2
    assert delay.disposal_times(cases=joined, calendar=NO_HOLIDAYS).count == 1
    assert hearing_stats.adjournments(cases=joined).hearings_held == 1
    assert courts.court_statistics(cases=joined, today=TODAY, calendar=NO_HOLIDAYS).scorecards[0].cases == 1


# the small-number rule on pages ----------------------------------------------------------------


def render(source: str, **context) -> str:
    return Template("{% load court_figures %}" + source).render(Context(context))


def test_court_pages_print_too_few_to_say_below_five():
    assert render("{% days 223 1 %}") == "too few to say (n = 1)"
    assert render("{% days 223.5 5 %}") == "223.5 days"
    assert render('{% days 1 7 "working days" %}') == "1 working day"
    assert render("{% percent 0.25 4 %}") == "too few to say (n = 4)"
    assert render("{% percent 0.25 40 %}") == "25%"
    assert render("{% percent None 0 %}") == "–"
    assert render("{% decimal 11.25 3 %}") == "too few to say (n = 3)"
    assert render("{% if 4|too_few %}few{% endif %}{% if 5|too_few %}many{% endif %}") == "few"


# query counts --------------------------------------------------------------------------------------


def all_figures():
    calendar = NO_HOLIDAYS
    return [
        delay.disposal_times(cases=cases(), calendar=calendar),
        delay.disposal_times(cases=cases(), group_by="court", calendar=calendar),
        delay.disposal_times(cases=cases(), group_by="city", calendar=calendar),
        delay.statutory_compliance(cases=cases(), calendar=calendar),
        delay.pending_ages(cases=cases(), today=TODAY, calendar=calendar),
        delay.over_statutory_limit(cases=cases(), today=TODAY, calendar=calendar),
        hearing_stats.adjournments(cases=cases()),
        hearing_stats.adjournments(cases=cases(), group_by="court"),
        hearing_stats.hearings_per_decided_case(cases=cases()),
        verdict_stats.conviction_rate(cases=cases()),
        verdict_stats.clearance_rate(cases=cases(), date_from=D(2012, 1, 1), date_to=D(2012, 12, 31)),
        verdict_stats.clearance_by_year(cases=cases(), years=range(2010, 2020)),
        courts.court_statistics(cases=cases(), today=TODAY, calendar=calendar),
    ]


def make_court(n: int):
    court = f.CourtFactory()
    case = decided(court, D(2012, 1, 2 + n), D(2013, 1, 1))
    charge(case, Verdict.CONVICTED)
    charge(case, Verdict.PENDING, Custody.ABSCONDING)
    hearing(case, HearingOutcome.ADJOURNED, AdjournmentReason.WITNESS_ABSENT, day=1 + n)
    pending(D(2026, 1, 1 + n), court=court)


def test_query_count_does_not_grow_with_data():
    make_court(0)
    with CaptureQueriesContext(connection) as few:
        all_figures()
    for n in range(1, 12):
        make_court(n)
    with CaptureQueriesContext(connection) as many:
        result = all_figures()
    assert len(few.captured_queries) == len(many.captured_queries)
    assert len(result[-1].scorecards) == 12  # twelve courts, still the same number of queries
