"""DESIGN.md "Metrics", the worked example: every figure it states, from the stats functions and the API."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse

from cases import delay, justice
from cases.models import AppealOutcome, Case, Custody, Verdict
from cases.workdays import WorkingCalendar
from core.models import Status
from incidents import stats as incident_stats
from incidents.filters import IncidentFilter
from incidents.models import AttackType, Incident
from tests import factories as f

D = datetime.date
# "computed any day after 2015-04-02": a fixed day, never today().
DAY_AFTER = D(2015, 4, 3)
PERIOD = {"date_from": "2012-03-01", "date_to": "2012-05-31"}

pytestmark = pytest.mark.django_db


@pytest.fixture
def example():
    sindh = f.ProvinceFactory(name="Sindh", slug="sindh")
    kp = f.ProvinceFactory(name="Khyber Pakhtunkhwa", slug="khyber-pakhtunkhwa")
    karachi = f.CityFactory(name="Karachi", slug="karachi", province=sindh)
    peshawar = f.CityFactory(name="Peshawar", slug="peshawar", province=kp)
    shia = f.CommunityFactory(name="Shia", slug="shia")
    christian = f.CommunityFactory(name="Christian", slug="christian")
    ahmadi = f.CommunityFactory(name="Ahmadi", slug="ahmadi")
    e1 = f.IncidentFactory(
        date=D(2012, 3, 10),
        province=sindh,
        city=karachi,
        attack_type=AttackType.TARGET_KILLING,
        killed=2,
        injured=1,
        communities=[shia],
    )
    e2 = f.IncidentFactory(
        date=D(2012, 4, 2),
        province=kp,
        city=peshawar,
        attack_type=AttackType.BOMBING,
        killed=10,
        injured=None,
        communities=[shia, christian],
    )
    e3 = f.IncidentFactory(
        date=D(2012, 5, 20),
        province=sindh,
        city=karachi,
        attack_type=AttackType.TARGET_KILLING,
        killed=0,
        injured=3,
        communities=[ahmadi],
    )
    e4 = f.IncidentFactory(
        date=D(2012, 4, 15),
        province=sindh,
        city=karachi,
        killed=50,
        injured=20,
        status=Status.DRAFT,
        communities=[shia],
    )
    court = f.CourtFactory(name="Anti-Terrorism Court II, Karachi")
    k1 = f.CaseFactory(
        court=court, incidents=[e1], cognizance_date=D(2012, 6, 1), judgment_date=D(2013, 1, 10), stage="decided"
    )
    x = f.ChargeFactory(case=k1, verdict=Verdict.CONVICTED, verdict_date=D(2013, 1, 10))
    f.AppealFactory(charge=x, filed_on=D(2013, 2, 1), decided_on=D(2014, 5, 6), outcome=AppealOutcome.UPHELD)
    f.ChargeFactory(case=k1, verdict=Verdict.ACQUITTED, verdict_date=D(2013, 1, 10))
    k2 = f.CaseFactory(court=court, incidents=[e2], cognizance_date=D(2012, 8, 1), stage="prosecution_evidence")
    f.ChargeFactory(case=k2, verdict=Verdict.PENDING, custody=Custody.ABSCONDING)
    # The draft E4 has a draft case with a conviction: neither may count anywhere.
    k4 = f.CaseFactory(court=court, incidents=[e4], status=Status.DRAFT, cognizance_date=D(2012, 5, 1))
    f.ChargeFactory(case=k4, verdict=Verdict.CONVICTED, verdict_date=D(2012, 5, 2))
    return {"e1": e1, "e2": e2, "e3": e3, "e4": e4, "k1": k1, "k2": k2}


def _incidents():
    return IncidentFilter(PERIOD, queryset=Incident.objects.public()).qs


def test_casualty_totals(example):
    assert incident_stats.totals(incidents=_incidents()) == {
        "incidents": 3,
        "killed": 12,
        "injured": 4,
        "killed_unknown": 0,
        "injured_unknown": 1,
    }


def test_monthly_average_killed_is_12_over_3_months(example):
    average = incident_stats.monthly_average_killed(
        incidents=_incidents(), date_from=D(2012, 3, 1), date_to=D(2012, 5, 31)
    )
    assert average == 4.0


def test_by_community_groups_sum_to_more_than_total(example):
    rows = {r["community"]: (r["incidents"], r["killed"]) for r in incident_stats.by_community(incidents=_incidents())}
    assert rows == {"Shia": (2, 12), "Christian": (1, 10), "Ahmadi": (1, 0)}
    assert sum(n for n, _ in rows.values()) == 4


def test_funnel(example):
    assert justice.funnel(incidents=_incidents(), today=DAY_AFTER) == justice.Funnel(
        fatal_incidents=2,
        case_registered=2,
        accused_charged=2,
        trial_concluded=1,
        convicted=1,
        conviction_upheld=1,
    )


def test_impunity_rate_is_one_half_after_2015_04_02_with_full_coverage(example):
    # Both fatal incidents have a published case, so both are researched: coverage 2 ÷ 2 = 1.
    assert justice.impunity(incidents=_incidents(), today=DAY_AFTER) == justice.Impunity(
        rate=0.5, fatal_old=2, researched=2, unpunished=1, coverage=1.0
    )


def test_no_fatal_incident_is_three_years_old_on_2015_04_01(example):
    # E2 (2 April 2012) is three years old on 2 April 2015, E1 already: on 1 April only E1 counts.
    assert justice.impunity(incidents=_incidents(), today=D(2015, 4, 1)) == justice.Impunity(
        rate=0.0, fatal_old=1, researched=1, unpunished=0, coverage=1.0
    )


def test_e1_is_partial_justice(example):
    assert justice.partial_justice(incidents=_incidents(), today=DAY_AFTER) == justice.PartialJustice(
        incidents=1, with_standing_conviction=1, share=1.0
    )


def test_k1_disposal_and_statutory_compliance(example):
    calendar = WorkingCalendar(holidays=[])
    cases = Case.objects.public()
    disposal = delay.disposal_times(cases=cases, calendar=calendar)
    assert disposal.count == 1
    assert disposal.median_days == 223
    assert disposal.median_working_days == 159
    assert delay.statutory_compliance(cases=cases, calendar=calendar) == delay.Compliance(
        decided=1, within_limit=0, rate=0.0, n=1
    )


def test_draft_e4_never_counted(example):
    everything = Incident.objects.public()
    assert incident_stats.totals(incidents=everything)["killed"] == 12
    # Even when a caller passes the draft incident itself, its draft case never counts.
    assert justice.funnel(incidents=Incident.objects.filter(pk=example["e4"].pk), today=DAY_AFTER) == justice.Funnel(
        fatal_incidents=1, case_registered=0, accused_charged=0, trial_concluded=0, convicted=0, conviction_upheld=0
    )


def test_api_statistics_gives_the_worked_example(example, client):
    response = client.get(reverse("api:api-statistics"), PERIOD)
    assert response.status_code == 200
    data = response.json()
    assert {k: data[k] for k in ("incidents", "killed", "injured", "killed_unknown", "injured_unknown")} == {
        "incidents": 3,
        "killed": 12,
        "injured": 4,
        "killed_unknown": 0,
        "injured_unknown": 1,
    }
    assert data["monthly_average_killed"] == 4.0
    communities = {r["community"]: (r["incidents"], r["killed"]) for r in data["by_community"]}
    assert communities == {"Shia": (2, 12), "Christian": (1, 10), "Ahmadi": (1, 0)}
    assert data["funnel"] == {
        "fatal_incidents": 2,
        "case_registered": 2,
        "accused_charged": 2,
        "trial_concluded": 1,
        "convicted": 1,
        "conviction_upheld": 1,
    }
    # Any day after 2015-04-02 (the API counts on today).
    assert data["impunity"] == {"rate": 0.5, "fatal_old": 2, "researched": 2, "unpunished": 1, "coverage": 1.0}
    assert data["impunity_rate"] == data["impunity"]["rate"] == 0.5
    assert data["partial_justice"] == {"incidents": 1, "with_standing_conviction": 1, "share": 1.0}
