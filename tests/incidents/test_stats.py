"""incidents/stats.py: casualty figures, monthly average and shares, on small hand-built data."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core.models import Status
from incidents import stats
from incidents.models import AttackType, AttributionKind, Incident
from tests import factories as f

D = datetime.date
pytestmark = pytest.mark.django_db


def public():
    return Incident.objects.public()


# totals -------------------------------------------------------------------------------------


def test_totals_sum_known_figures_and_count_unknown_ones():
    f.IncidentFactory(killed=3, injured=None)
    f.IncidentFactory(killed=None, injured=5)
    f.IncidentFactory(killed=0, injured=0)
    assert stats.totals(incidents=public()) == {
        "incidents": 3,
        "killed": 3,
        "injured": 5,
        "killed_unknown": 1,
        "injured_unknown": 1,
    }


def test_totals_of_nothing_are_zero():
    assert stats.totals(incidents=public()) == dict.fromkeys(stats.FIGURES, 0)


def test_totals_skip_drafts_and_retracted_incidents():
    f.IncidentFactory(killed=2)
    f.IncidentFactory(killed=40, status=Status.DRAFT)
    f.IncidentFactory(killed=50, status=Status.RETRACTED)
    assert stats.totals(incidents=public())["killed"] == 2
    assert stats.totals(incidents=public())["incidents"] == 1


# monthly average -----------------------------------------------------------------------------


def test_months_in_period_counts_both_end_months():
    assert stats.months_in_period(D(2012, 3, 31), D(2012, 5, 1)) == 3
    assert stats.months_in_period(D(2013, 1, 1), D(2014, 6, 30)) == 18
    assert stats.months_in_period(D(2012, 5, 1), D(2012, 5, 1)) == 1
    assert stats.months_in_period(D(2012, 5, 1), D(2012, 4, 30)) == 0


def test_eighteen_month_window_divides_by_18():
    f.IncidentFactory(date=D(2013, 2, 1), killed=30)
    f.IncidentFactory(date=D(2014, 1, 1), killed=6)
    average = stats.monthly_average_killed(incidents=public(), date_from=D(2013, 1, 1), date_to=D(2014, 6, 30))
    assert average == 36 / 18


def test_period_without_dates_runs_from_earliest_to_latest_incident_month():
    f.IncidentFactory(date=D(2012, 3, 30), killed=4)
    f.IncidentFactory(date=D(2012, 6, 2), killed=None)
    f.IncidentFactory(date=D(2012, 4, 15), killed=4)
    # March to June: four months, killed 8.
    assert stats.monthly_average_killed(incidents=public()) == 2.0
    assert stats.period(incidents=public()) == (D(2012, 3, 30), D(2012, 6, 2))


def test_period_with_only_date_from_ends_at_latest_incident():
    f.IncidentFactory(date=D(2012, 2, 10), killed=9)
    assert stats.monthly_average_killed(incidents=public(), date_from=D(2011, 12, 1)) == 3.0


def test_monthly_average_of_no_incidents_and_no_dates_is_none():
    assert stats.monthly_average_killed(incidents=public()) is None


def test_monthly_average_over_a_given_period_with_no_incidents_is_zero():
    assert stats.monthly_average_killed(incidents=public(), date_from=D(2012, 1, 1), date_to=D(2012, 12, 31)) == 0.0


def test_monthly_average_over_a_reversed_period_is_none():
    f.IncidentFactory(date=D(2012, 2, 10), killed=9)
    assert stats.monthly_average_killed(incidents=public(), date_from=D(2012, 5, 1), date_to=D(2012, 3, 1)) is None


# groups -----------------------------------------------------------------------------------


def test_by_year_oldest_first_with_shares():
    f.IncidentFactory(date=D(2013, 1, 1), killed=1, injured=None)
    f.IncidentFactory(date=D(2012, 5, 1), killed=3, injured=2)
    f.IncidentFactory(date=D(2012, 6, 1), killed=None, injured=1)
    rows = stats.by_year(incidents=public())
    assert rows == [
        {
            "year": 2012,
            "incidents": 2,
            "killed": 3,
            "injured": 3,
            "killed_unknown": 1,
            "injured_unknown": 0,
            "share_incidents": 2 / 3,
            "share_killed": 0.75,
        },
        {
            "year": 2013,
            "incidents": 1,
            "killed": 1,
            "injured": 0,
            "killed_unknown": 0,
            "injured_unknown": 1,
            "share_incidents": 1 / 3,
            "share_killed": 0.25,
        },
    ]


def test_by_province_names_slugs_and_shares_most_incidents_first():
    sindh = f.ProvinceFactory(name="Sindh", slug="sindh")
    punjab = f.ProvinceFactory(name="Punjab", slug="punjab")
    f.IncidentFactory(province=punjab, killed=10)
    f.IncidentFactory(province=sindh, killed=0)
    f.IncidentFactory(province=sindh, killed=0)
    rows = stats.by_province(incidents=public())
    assert [(r["province"], r["slug"], r["incidents"], r["killed"]) for r in rows] == [
        ("Sindh", "sindh", 2, 0),
        ("Punjab", "punjab", 1, 10),
    ]
    assert [r["share_incidents"] for r in rows] == [2 / 3, 1 / 3]
    assert [r["share_killed"] for r in rows] == [0.0, 1.0]


def test_share_of_killed_is_none_when_nobody_was_killed():
    sindh = f.ProvinceFactory(name="Sindh", slug="sindh")
    f.IncidentFactory(province=sindh, killed=0)
    f.IncidentFactory(province=sindh, killed=None)
    (row,) = stats.by_province(incidents=public())
    assert row["share_killed"] is None
    assert row["share_incidents"] == 1.0


def test_by_city_puts_incidents_without_a_city_in_a_none_group_last():
    karachi = f.CityFactory(name="Karachi", slug="karachi")
    f.IncidentFactory(city=karachi, province=karachi.province, killed=1)
    f.IncidentFactory(city=None, killed=5)
    f.IncidentFactory(city=None, killed=5)
    rows = stats.by_city(incidents=public())
    assert [(r["city"], r["slug"], r["incidents"], r["killed"]) for r in rows] == [
        ("Karachi", "karachi", 1, 1),
        (None, None, 2, 10),
    ]
    assert rows[0]["province"] == karachi.province.name
    assert sum(r["incidents"] for r in rows) == 3


def test_by_attack_type_gives_code_and_label():
    f.IncidentFactory(attack_type=AttackType.SUICIDE_BOMBING, killed=20)
    f.IncidentFactory(attack_type=AttackType.TARGET_KILLING, killed=1)
    f.IncidentFactory(attack_type=AttackType.TARGET_KILLING, killed=2)
    rows = stats.by_attack_type(incidents=public())
    assert [(r["attack_type"], r["label"], r["incidents"], r["killed"]) for r in rows] == [
        ("target_killing", "Target killing", 2, 3),
        ("suicide_bombing", "Suicide bombing", 1, 20),
    ]
    assert rows[1]["share_killed"] == 20 / 23


def test_two_communities_count_incident_once_in_each_and_once_in_total():
    shia = f.CommunityFactory(name="Shia", slug="shia")
    christian = f.CommunityFactory(name="Christian", slug="christian")
    f.IncidentFactory(killed=10, injured=None, communities=[shia, christian])
    f.IncidentFactory(killed=2, injured=1, communities=[shia])
    f.IncidentFactory(killed=1, injured=1)  # no community recorded
    rows = stats.by_community(incidents=public())
    assert [(r["community"], r["slug"], r["incidents"], r["killed"], r["injured_unknown"]) for r in rows] == [
        ("Shia", "shia", 2, 12, 1),
        ("Christian", "christian", 1, 10, 1),
        (None, None, 1, 1, 0),
    ]
    # Shares are of the total (3 incidents, 13 killed), so they add up to more than 1.
    assert [r["share_incidents"] for r in rows] == [2 / 3, 1 / 3, 1 / 3]
    assert rows[0]["share_killed"] == 12 / 13


def test_by_community_ignores_draft_incidents_and_accepts_a_given_total():
    shia = f.CommunityFactory(name="Shia", slug="shia")
    f.IncidentFactory(killed=2, communities=[shia])
    f.IncidentFactory(killed=50, communities=[shia], status=Status.DRAFT)
    total = stats.totals(incidents=public())
    rows = stats.by_community(incidents=public(), total=total)
    assert [(r["community"], r["incidents"], r["killed"], r["share_killed"]) for r in rows] == [("Shia", 1, 2, 1.0)]


def test_two_organisations_count_incident_once_in_each_and_two_kinds_once():
    lej = f.OrganisationFactory(name="Lashkar-e-Jhangvi", slug="lej", abbreviation="LeJ")
    ttp = f.OrganisationFactory(name="Tehreek-e-Taliban Pakistan", slug="ttp", abbreviation="TTP")
    both = f.IncidentFactory(killed=10, injured=4)
    f.AttributionFactory(incident=both, organisation=lej, kind=AttributionKind.CLAIMED)
    f.AttributionFactory(incident=both, organisation=lej, kind=AttributionKind.SUSPECTED)
    f.AttributionFactory(incident=both, organisation=ttp, kind=AttributionKind.SUSPECTED)
    lej_only = f.IncidentFactory(killed=1, injured=None)
    f.AttributionFactory(incident=lej_only, organisation=lej)
    f.IncidentFactory(killed=7)  # attributed to nobody
    rows = stats.by_organisation(incidents=public())
    assert [(r["organisation"], r["abbreviation"], r["incidents"], r["killed"], r["injured"]) for r in rows] == [
        ("Lashkar-e-Jhangvi", "LeJ", 2, 11, 4),
        ("Tehreek-e-Taliban Pakistan", "TTP", 1, 10, 4),
        (None, None, 1, 7, 0),
    ]
    assert rows[0]["share_killed"] == 11 / 18
    assert rows[0]["injured_unknown"] == 1


def test_groups_of_a_filtered_queryset_only_count_matching_incidents():
    shia = f.CommunityFactory(name="Shia", slug="shia")
    f.IncidentFactory(date=D(2012, 1, 1), killed=5, communities=[shia])
    f.IncidentFactory(date=D(2014, 1, 1), killed=7, communities=[shia])
    rows = stats.by_community(incidents=public().filter(date__year=2012))
    assert [(r["community"], r["incidents"], r["killed"]) for r in rows] == [("Shia", 1, 5)]


def test_empty_groups_are_empty_lists():
    for function in (
        stats.by_year,
        stats.by_province,
        stats.by_city,
        stats.by_attack_type,
        stats.by_community,
        stats.by_organisation,
    ):
        assert function(incidents=public()) == []


# query counts -------------------------------------------------------------------------------


def _all_figures():
    qs = public()
    return [
        stats.totals(incidents=qs),
        stats.monthly_average_killed(incidents=qs),
        stats.by_year(incidents=qs),
        stats.by_province(incidents=qs),
        stats.by_city(incidents=qs),
        stats.by_attack_type(incidents=qs),
        stats.by_community(incidents=qs),
        stats.by_organisation(incidents=qs),
    ]


def _queries(callable_) -> int:
    with CaptureQueriesContext(connection) as ctx:
        callable_()
    return len(ctx.captured_queries)


def test_query_count_does_not_grow_with_data():
    shia = f.CommunityFactory(name="Shia", slug="shia")
    org = f.OrganisationFactory()
    first = f.IncidentFactory(killed=1, communities=[shia])
    f.AttributionFactory(incident=first, organisation=org)
    few = _queries(_all_figures)
    for year in range(2005, 2015):
        city = f.CityFactory()
        community = f.CommunityFactory()
        incident = f.IncidentFactory(
            date=D(year, 3, 1), city=city, province=city.province, killed=year % 4, communities=[shia, community]
        )
        f.AttributionFactory(incident=incident, organisation=f.OrganisationFactory())
    many = _queries(_all_figures)
    assert few == many
    # totals 1, monthly average 2, four single-valued groups 6 (provinces and cities: the grouped
    # rows, the names), communities 3, organisations 3 (each: the grouped rows, the names, the total)
    assert many == 15
