"""/courts/ and /courts/<id>/: the scorecard of published cases only, fixed dates, constant queries."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cases.models import AdjournmentReason, Custody, HearingOutcome, Stage, Verdict
from core.models import Status
from tests import factories as f
from tests.conftest import TODAY

D = datetime.date

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fixed_today(time_machine):
    time_machine.move_to(TODAY)


@pytest.fixture
def court():
    """K1 (the worked example's decided case), a pending case over the limit, a draft case that must not count."""
    court = f.CourtFactory(name="Anti-Terrorism Court II, Karachi")
    k1 = f.CaseFactory(
        court=court, case_number="K1", cognizance_date=D(2012, 6, 1), judgment_date=D(2013, 1, 10), stage=Stage.DECIDED
    )
    f.ChargeFactory(case=k1, verdict=Verdict.CONVICTED, verdict_date=D(2013, 1, 10))
    f.ChargeFactory(case=k1, verdict=Verdict.ACQUITTED, verdict_date=D(2013, 1, 10))
    f.HearingFactory(case=k1, date=D(2012, 7, 2), outcome=HearingOutcome.PROCEEDED)
    f.HearingFactory(
        case=k1,
        date=D(2012, 8, 1),
        outcome=HearingOutcome.ADJOURNED,
        adjournment_reason=AdjournmentReason.WITNESS_ABSENT,
    )
    f.HearingFactory(case=k1, date=D(2013, 1, 10), outcome=HearingOutcome.JUDGMENT)
    # Pending since Monday 2026-11-02: 17 working days to Wednesday 2026-11-25, so 10 over the limit.
    k2 = f.CaseFactory(court=court, case_number="K2", cognizance_date=D(2026, 11, 2), stage=Stage.CHARGE_FRAMED)
    f.ChargeFactory(case=k2, custody=Custody.ABSCONDING)
    f.HearingFactory(
        case=k2,
        date=D(2026, 11, 10),
        outcome=HearingOutcome.ADJOURNED,
        adjournment_reason=AdjournmentReason.LAWYERS_STRIKE,
    )
    draft = f.CaseFactory(court=court, case_number="SECRET-DRAFT", cognizance_date=D(2026, 11, 20), status=Status.DRAFT)
    f.ChargeFactory(case=draft, verdict=Verdict.CONVICTED, verdict_date=D(2026, 11, 21))
    f.HearingFactory(
        case=draft, date=D(2026, 11, 21), outcome=HearingOutcome.ADJOURNED, adjournment_reason=AdjournmentReason.OTHER
    )
    return court


def test_scorecard_counts_published_cases_only(client, court):
    response = client.get(reverse("cases:court_detail", args=[court.pk]))
    assert response.status_code == 200
    card = response.context["card"]
    assert (card.cases, card.decided, card.pending) == (2, 1, 1)
    disposal = card.disposal
    assert (disposal.median_days, disposal.p90_days, disposal.median_working_days, disposal.n) == (223, 223, 159, 1)
    assert disposal.statutory_compliance == 0.0
    assert card.over_statutory_limit.over_limit == 1
    assert card.over_statutory_limit.max_excess_working_days == 10
    assert (card.adjournments.hearings_held, card.adjournments.adjourned, card.adjournments.n) == (4, 2, 4)
    assert card.adjournments.adjournment_rate == 0.5
    assert (card.conviction_rate.per_accused, card.conviction_rate.per_accused_n) == (0.5, 2)
    html = response.content.decode()
    assert "SECRET-DRAFT" not in html
    # One decided case, four hearings, two accused: too few for a median or a rate to be printed.
    assert "223 days" not in html and "159 working days" not in html and "50%" not in html
    assert "too few to say (n = 1)" in html
    assert "too few to say (n = 4)" in html
    assert "too few to say (n = 2)" in html


def test_scorecard_pending_ages_and_reasons(client, court):
    response = client.get(reverse("cases:court_detail", args=[court.pk]))
    ages = {row.bucket: row.count for row in response.context["pending_ages"]}
    assert ages["le_30_days"] == 1  # K2: 23 days, 17 working days
    assert sum(ages.values()) == 1
    reasons = {row.reason: row.count for row in response.context["reasons"] if row.count}
    assert reasons == {"witness_absent": 1, "lawyers_strike": 1}
    html = response.content.decode()
    assert html.count('<svg class="chart" role="img"') == 2
    assert "Lawyers&#x27; strike" in html or "Lawyers' strike" in html


def test_pending_cases_show_the_clock(client, court):
    response = client.get(reverse("cases:court_detail", args=[court.pk]))
    rows = [(case.case_number, used, over) for case, used, over in response.context["pending_rows"]]
    assert rows == [("K2", 17, 10)]
    assert "10 working days" in response.content.decode()


def test_clearance_rate_by_year(client, court):
    response = client.get(reverse("cases:court_detail", args=[court.pk]))
    by_year = {row.year: (row.cognizance, row.decided, row.rate) for row in response.context["clearance"]}
    assert sorted(by_year) == [2022, 2023, 2024, 2025, 2026]
    assert by_year[2026] == (1, 0, 0.0)  # K2 taken up; the draft does not count
    assert by_year[2022] == (0, 0, None)


def test_disposal_by_year_of_cognizance(client, court):
    response = client.get(reverse("cases:court_detail", args=[court.pk]))
    (row,) = response.context["disposal_by_year"]
    assert (row.year, row.count, row.median_days, row.n) == (2012, 1, 223, 1)


def test_court_without_cases(client):
    empty = f.CourtFactory(name="Anti-Terrorism Court IX, Quetta")
    response = client.get(reverse("cases:court_detail", args=[empty.pk]))
    assert response.status_code == 200
    assert response.context["card"] is None
    assert "No published case is recorded at this court yet." in response.content.decode()


def test_unknown_court_is_404(client):
    assert client.get(reverse("cases:court_detail", args=[987654])).status_code == 404


def test_court_list_shows_each_courts_figures(client, court):
    other = f.CourtFactory(name="Anti-Terrorism Court I, Quetta")
    response = client.get(reverse("cases:court_list"))
    assert response.status_code == 200
    rows = {c.name: disposal for c, disposal in response.context["rows"]}
    assert rows[other.name] is None
    disposal = rows[court.name]
    assert (disposal.count, disposal.median_days, disposal.median_working_days, disposal.n) == (1, 223, 159, 1)
    assert (disposal.within_statutory_limit, disposal.statutory_compliance) == (0, 0.0)
    html = response.content.decode()
    assert court.get_absolute_url() in html and other.get_absolute_url() in html
    assert "SECRET-DRAFT" not in html


def test_court_list_is_paginated(client):
    for i in range(30):
        f.CourtFactory(name=f"Court {i:02d}")
    response = client.get(reverse("cases:court_list"))
    assert len(response.context["rows"]) == 25
    assert response.context["page"].paginator.num_pages == 2
    assert len(client.get(reverse("cases:court_list"), {"page": 2}).context["rows"]) == 5


def add_cases(court, n: int, start: int) -> None:
    for i in range(start, start + n):
        case = f.CaseFactory(
            court=court,
            cognizance_date=D(2015, 1, 1 + i % 28),
            judgment_date=D(2016, 1, 1) if i % 2 else None,
            stage=Stage.DECIDED if i % 2 else Stage.ARGUMENTS,
        )
        f.ChargeFactory(
            case=case,
            verdict=Verdict.CONVICTED if i % 2 else Verdict.PENDING,
            verdict_date=D(2016, 1, 1) if i % 2 else None,
        )
        f.HearingFactory(
            case=case, date=D(2015, 3, 2), outcome=HearingOutcome.ADJOURNED, adjournment_reason=AdjournmentReason.OTHER
        )


def queries(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_court_pages_run_a_constant_number_of_queries(client):
    courts = [f.CourtFactory(name=f"Court {i}") for i in range(3)]
    add_cases(courts[0], 1, 0)
    detail, listing = reverse("cases:court_detail", args=[courts[0].pk]), reverse("cases:court_list")
    small = (queries(client, detail), queries(client, listing))
    for court in courts:
        add_cases(court, 12, 100)
    assert (queries(client, detail), queries(client, listing)) == small


def test_scorecard_prints_medians_and_rates_from_five_cases(client):
    """Five decided cases taken up on Monday 2012-06-04 and decided 1, 2, 3, 4 and 7 calendar days
    later (1, 2, 3, 4 and 5 working days): enough for the figures to be printed."""
    court = f.CourtFactory(name="Anti-Terrorism Court III, Lahore")
    for days in (1, 2, 3, 4, 7):
        f.CaseFactory(
            court=court,
            cognizance_date=D(2012, 6, 4),
            judgment_date=D(2012, 6, 4) + datetime.timedelta(days=days),
            stage=Stage.DECIDED,
        )
    response = client.get(reverse("cases:court_detail", args=[court.pk]))
    disposal = response.context["card"].disposal
    assert (disposal.n, disposal.median_days, disposal.median_working_days) == (5, 3, 3)
    assert (disposal.p90_days, disposal.p90_working_days) == (pytest.approx(5.8), pytest.approx(4.6))
    html = response.content.decode()
    assert "3 days" in html and "3 working days" in html and "5.8 days" in html
    assert "100%" in html  # all five within seven working days
    assert "too few to say (n = 5)" not in html
    listing = client.get(reverse("cases:court_list")).content.decode()
    assert "3 days" in listing and "5 of 5" in listing
