"""The public incident pages: home, list (filters, sort, pages), detail, data page."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cases.models import AdjournmentReason, HearingOutcome
from core.models import Status
from incidents.models import AttackType, AttributionKind, VictimOutcome
from tests.conftest import TODAY
from tests.factories import (
    AttributionFactory,
    CaseFactory,
    CityFactory,
    CommunityFactory,
    HearingFactory,
    IncidentFactory,
    IncidentSourceFactory,
    OrganisationFactory,
    ProvinceFactory,
    SourceFactory,
    VictimFactory,
)

pytestmark = pytest.mark.django_db
D = datetime.date


@pytest.fixture(autouse=True)
def fixed_today(time_machine):
    time_machine.move_to(TODAY)


def count_queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
        if hasattr(response, "streaming_content"):
            b"".join(response.streaming_content)
    assert response.status_code == 200, url
    return len(ctx.captured_queries)


def worked_example():
    """DESIGN.md's worked example: E1, E2, E3 published, E4 a draft with 50 killed."""
    sindh = ProvinceFactory(name="Sindh", slug="sindh")
    kp = ProvinceFactory(name="Khyber Pakhtunkhwa", slug="khyber-pakhtunkhwa")
    karachi = CityFactory(name="Karachi", slug="karachi", province=sindh)
    peshawar = CityFactory(name="Peshawar", slug="peshawar", province=kp)
    shia = CommunityFactory(name="Shia", slug="shia")
    christian = CommunityFactory(name="Christian", slug="christian")
    ahmadi = CommunityFactory(name="Ahmadi", slug="ahmadi")
    e1 = IncidentFactory(
        title="E1", date=D(2012, 3, 10), province=sindh, city=karachi, killed=2, injured=1, communities=[shia]
    )
    e2 = IncidentFactory(
        title="E2",
        date=D(2012, 4, 2),
        province=kp,
        city=peshawar,
        attack_type=AttackType.BOMBING,
        killed=10,
        injured=None,
        communities=[shia, christian],
    )
    e3 = IncidentFactory(
        title="E3", date=D(2012, 5, 20), province=sindh, city=karachi, killed=0, injured=3, communities=[ahmadi]
    )
    e4 = IncidentFactory(title="E4 draft", date=D(2012, 5, 1), province=sindh, killed=50, status=Status.DRAFT)
    return e1, e2, e3, e4


# Home -----------------------------------------------------------------------------------


def test_home_headline_figures_count_published_only(client):
    worked_example()
    response = client.get(reverse("dashboard:home"))
    assert response.status_code == 200
    assert response.context["totals"] == {
        "incidents": 3,
        "killed": 12,
        "injured": 4,
        "killed_unknown": 0,
        "injured_unknown": 1,
    }
    html = response.content.decode()
    assert "E4 draft" not in html
    assert "not known for 1 incident<" in html


def test_home_lists_latest_incidents_with_each_source_and_its_figures(client):
    e1, e2, e3, _ = worked_example()
    IncidentSourceFactory(
        incident=e2, source=SourceFactory(title="Dawn report"), reported_killed=8, reported_killed_max=11
    )
    IncidentSourceFactory(incident=e2, source=SourceFactory(title="Op-ed"), reported_killed=10)
    response = client.get(reverse("dashboard:home"))
    assert [i.title for i in response.context["incidents"]] == ["E3", "E2", "E1"]
    html = response.content.decode()
    assert "Dawn report" in html and "killed 8–11" in html
    assert "Op-ed" in html and "killed 10," in html


def test_home_shows_upcoming_and_recent_hearings_of_published_cases_only(client):
    published = CaseFactory(case_number="Special Case 1/2026")
    draft = CaseFactory(case_number="Hidden Case 2/2026", status=Status.DRAFT)
    HearingFactory(
        case=published,
        date=D(2026, 11, 2),
        outcome=HearingOutcome.ADJOURNED,
        adjournment_reason=AdjournmentReason.LAWYERS_STRIKE,
        next_date=D(2026, 12, 1),
    )
    HearingFactory(case=published, date=D(2026, 12, 1))
    HearingFactory(case=published, date=D(2026, 10, 1))  # listed in the past, outcome never recorded
    HearingFactory(case=draft, date=D(2026, 12, 2))
    HearingFactory(case=draft, date=D(2026, 11, 3), outcome=HearingOutcome.PROCEEDED)
    response = client.get(reverse("dashboard:home"))
    assert [h.date for h in response.context["upcoming_hearings"]] == [D(2026, 12, 1)]
    assert [h.date for h in response.context["recent_hearings"]] == [D(2026, 11, 2)]
    html = response.content.decode()
    assert "Adjourned: lawyers&#x27; strike" in html
    assert "Hidden Case" not in html


def test_home_runs_the_same_queries_for_one_or_twenty_incidents(client):
    def build(n):
        for i in range(n):
            incident = IncidentFactory(communities=[CommunityFactory()])
            IncidentSourceFactory(incident=incident)
            HearingFactory(case=CaseFactory(incidents=[incident]), date=D(2026, 12, 1) + datetime.timedelta(days=i))
            HearingFactory(
                case=CaseFactory(), date=D(2026, 1, 1) + datetime.timedelta(days=i), outcome=HearingOutcome.PROCEEDED
            )

    build(1)
    one = count_queries(client, reverse("dashboard:home"))
    build(19)
    assert count_queries(client, reverse("dashboard:home")) == one


# Incident list ----------------------------------------------------------------------------


def test_list_filters_with_the_shared_filterset(client):
    worked_example()
    response = client.get(reverse("incidents:incident_list"), {"province": "sindh"})
    assert response.status_code == 200
    assert [i.title for i in response.context["page"]] == ["E3", "E1"]
    response = client.get(reverse("incidents:incident_list"), {"community": "shia", "date_to": "2012-03-31"})
    assert [i.title for i in response.context["page"]] == ["E1"]


def test_list_bad_filter_shows_form_errors_with_400(client):
    worked_example()
    response = client.get(reverse("incidents:incident_list"), {"province": "atlantis", "date_from": "2012-13-45"})
    assert response.status_code == 400
    html = response.content.decode()
    assert "Select a valid choice" in html
    assert "Enter a valid date" in html
    assert "Some filters could not be used" in html
    assert 'aria-describedby="id_province_error" aria-invalid="true"' in html
    assert "E1" not in html


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        ("-date", ["E3", "E2", "E1"]),
        ("date", ["E1", "E2", "E3"]),
        ("-killed", ["E2", "E1", "E3"]),
        ("killed", ["E3", "E1", "E2"]),
        ("-injured", ["E3", "E1", "E2"]),  # unknown injured last
        ("title", ["E1", "E2", "E3"]),
    ],
)
def test_list_sorts_by_whitelisted_keys(client, sort, expected):
    worked_example()
    response = client.get(reverse("incidents:incident_list"), {"sort": sort})
    assert [i.title for i in response.context["page"]] == expected


def test_list_unknown_sort_is_ignored_with_a_message(client):
    worked_example()
    response = client.get(reverse("incidents:incident_list"), {"sort": "status;drop"})
    assert response.status_code == 200
    assert [i.title for i in response.context["page"]] == ["E3", "E2", "E1"]
    assert "Unknown sort order" in response.content.decode()


def test_list_paginates_with_links_that_keep_the_filters(client):
    province = ProvinceFactory(slug="punjab", name="Punjab")
    for day in range(55):
        IncidentFactory(title=f"P{day:02d}", province=province, date=D(2013, 1, 1) + datetime.timedelta(days=day))
    response = client.get(reverse("incidents:incident_list"), {"province": "punjab", "sort": "date", "page": "2"})
    page = response.context["page"]
    assert page.number == 2
    assert [i.title for i in page] == ["P50", "P51", "P52", "P53", "P54"]
    html = response.content.decode()
    assert 'href="?province=punjab&amp;sort=date&amp;page=1"' in html
    # A nonsense page number gives a page, not an error.
    assert client.get(reverse("incidents:incident_list"), {"page": "zzz"}).status_code == 200


def test_list_staff_see_drafts_marked(monitor_client):
    worked_example()
    response = monitor_client.get(reverse("incidents:incident_list"))
    assert "E4 draft" in [i.title for i in response.context["page"]]
    assert "badge-draft" in response.content.decode()


def test_list_runs_the_same_queries_for_one_or_twenty_incidents(client):
    url = reverse("incidents:incident_list") + "?community=c&sort=-killed"
    community = CommunityFactory(slug="c")

    def build(n):
        for _ in range(n):
            IncidentFactory(city=CityFactory(), communities=[community, CommunityFactory()])

    build(1)
    one = count_queries(client, url)
    build(19)
    assert count_queries(client, url) == one


# Incident detail --------------------------------------------------------------------------


def test_detail_shows_sources_with_their_figures_and_citation(client):
    incident = IncidentFactory(title="Alamdar Road", killed=93, injured=121)
    pbc = SourceFactory(title="Pakistan Body Count", citation="Usmani, Pakistan Body Count, Kaggle, 2017.")
    IncidentSourceFactory(incident=incident, source=pbc, reported_killed=51, reported_killed_max=93)
    IncidentSourceFactory(
        incident=incident, source=SourceFactory(title="Op-ed"), reported_injured=100, note="100+ injured"
    )
    html = client.get(incident.get_absolute_url()).content.decode()
    assert "51–93" in html
    assert "Usmani, Pakistan Body Count, Kaggle, 2017." in html
    assert "100+ injured" in html


def test_detail_shows_attributions_public_victims_and_published_cases(client):
    incident = IncidentFactory()
    AttributionFactory(
        incident=incident,
        organisation=OrganisationFactory(name="Lashkar-e-Jhangvi"),
        kind=AttributionKind.CLAIMED,
        source=SourceFactory(title="Press statement"),
    )
    VictimFactory(incident=incident, name="Private Person", age=34, outcome=VictimOutcome.KILLED)
    VictimFactory(incident=incident, name="Known Person", is_public=True, outcome=VictimOutcome.INJURED)
    CaseFactory(case_number="Special Case 7/2013", incidents=[incident])
    CaseFactory(case_number="Draft Case 8/2013", incidents=[incident], status=Status.DRAFT)
    html = client.get(incident.get_absolute_url()).content.decode()
    assert "Lashkar-e-Jhangvi" in html and "claimed responsibility" in html and "Press statement" in html
    assert "Known Person" in html
    assert "Private Person" not in html and "Name withheld" in html
    assert "Special Case 7/2013" in html
    assert "Draft Case 8/2013" not in html


def test_detail_of_a_draft_is_404_for_the_public_and_shown_to_staff(monitor_client):
    draft = IncidentFactory(title="Unchecked report", status=Status.DRAFT)
    assert Client().get(draft.get_absolute_url()).status_code == 404
    assert "Unchecked report" in monitor_client.get(draft.get_absolute_url()).content.decode()


def test_detail_runs_the_same_queries_for_one_or_twenty_related_rows(client):
    incident = IncidentFactory()

    def build(n):
        for _ in range(n):
            IncidentSourceFactory(incident=incident)
            AttributionFactory(incident=incident, source=SourceFactory())
            VictimFactory(incident=incident, community=CommunityFactory())
            CaseFactory(incidents=[incident])
            incident.communities.add(CommunityFactory())

    build(1)
    one = count_queries(client, incident.get_absolute_url())
    build(19)
    assert count_queries(client, incident.get_absolute_url()) == one


# Data page and navigation -----------------------------------------------------------------


def test_data_page_documents_the_csv_columns(client):
    from incidents.views import INCIDENT_CSV_COLUMNS

    html = client.get(reverse("incidents:data")).content.decode()
    for column in INCIDENT_CSV_COLUMNS:
        assert f"<code>{column}</code>" in html


def test_navigation_marks_the_current_section(client):
    html = client.get(reverse("incidents:incident_list")).content.decode()
    assert f'<a href="{reverse("incidents:incident_list")}" aria-current="page">Incidents</a>' in html
    assert f'<a href="{reverse("cases:case_list")}">Cases</a>' in html
