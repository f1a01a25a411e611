"""Issue 14, item 7: the smaller things a person notices.

Proscription "not verified", case-blind A–Z, CSV in the chosen order, cities narrowed by province,
no empty parameters in links, Pakistan time in the import record's title, saved searches titled in
words, and no empty pending-cases chart. (Phone and admin widths: tests/browser/test_widths.py.)
"""

from __future__ import annotations

import datetime
import re

import pytest
from django.urls import reverse

from alerts.models import describe_search
from cases.models import Stage, Verdict
from incidents.models import AttackType, ImportRun, Organisation
from tests import factories as f
from tests.conftest import TODAY
from tests.test_csv import download

pytestmark = pytest.mark.django_db
D = datetime.date


# Proscription -------------------------------------------------------------------------------


@pytest.fixture
def three_organisations():
    lej = f.OrganisationFactory(
        name="Lashkar-e-Jhangvi", slug="lej", proscribed=True, proscribed_on=D(2001, 8, 14), proscription_verified=True
    )
    checked = f.OrganisationFactory(name="Checked Group", slug="checked", proscription_verified=True)
    unchecked = f.OrganisationFactory(name="Unchecked Group", slug="unchecked")
    return lej, checked, unchecked


def test_organisation_status_has_three_states(three_organisations):
    lej, checked, unchecked = three_organisations
    assert [o.proscription_status for o in (lej, checked, unchecked)] == ["proscribed", "not_proscribed", "unverified"]


def test_organisation_list_says_proscription_not_verified_only_where_unchecked(client, three_organisations):
    html = client.get(reverse("incidents:organisation_list")).content.decode().split("<tbody>", 1)[1]
    rows = {
        name: re.sub(r"<[^>]+>", "", cells).strip()
        for name, cells in re.findall(
            r'>([A-Z][\w -]+)</a>.*?</th>\s*<td class="wide-only">(.*?)</td>', html, flags=re.S
        )
    }
    assert rows == {
        "Checked Group": "Not proscribed",
        "Lashkar-e-Jhangvi": "Proscribed since 14 Aug 2001",
        "Unchecked Group": "Proscription not verified",
    }


def test_organisation_page_says_proscription_not_verified(client, three_organisations):
    _, checked, unchecked = three_organisations
    page = client.get(reverse("incidents:organisation_detail", args=[unchecked.pk])).content.decode()
    assert "Proscription not verified" in page and "Not proscribed" not in page
    page = client.get(reverse("incidents:organisation_detail", args=[checked.pk])).content.decode()
    assert "Not proscribed (checked" in page and "not verified" not in page


# Case-blind A–Z ------------------------------------------------------------------------------


def test_al_qaeda_sorts_with_the_as_in_the_list_and_the_filter(client):
    for name in ["Tehreek-e-Taliban Pakistan", "al Qaeda", "Ahle Sunnat Wal Jamaat", "Jundullah"]:
        f.OrganisationFactory(name=name, slug=name.lower().replace(" ", "-"))
    expected = ["Ahle Sunnat Wal Jamaat", "al Qaeda", "Jundullah", "Tehreek-e-Taliban Pakistan"]
    assert list(Organisation.objects.values_list("name", flat=True)) == expected
    response = client.get(reverse("incidents:organisation_list"))
    assert [org.name for org, _ in response.context["rows"]] == expected
    response = client.get(reverse("incidents:incident_list"))
    choices = [label for value, label in response.context["filter"].form.fields["organisation"].choices if value]
    assert choices == expected


def test_title_order_is_case_blind(client):
    for title in ["Zarghoon Road", "bus attack", "Alamdar Road"]:
        f.IncidentFactory(title=title)
    response = client.get(reverse("incidents:incident_list"), {"sort": "title"})
    assert [i.title for i in response.context["page"].object_list] == ["Alamdar Road", "bus attack", "Zarghoon Road"]


# CSV in the chosen order ---------------------------------------------------------------------


def test_incident_csv_follows_the_title_sort(client):
    for title in ["Zarghoon Road", "bus attack", "Alamdar Road"]:
        f.IncidentFactory(title=title)
    rows = download(client, reverse("incidents:incident_list"), {"sort": "title"})
    assert [row[2] for row in rows[1:]] == ["Alamdar Road", "bus attack", "Zarghoon Road"]


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        ("date", ["C-2011", "A-2012", "B-2013"]),
        ("-date", ["B-2013", "A-2012", "C-2011"]),
        ("court", ["B-2013", "A-2012", "C-2011"]),  # atc a, ATC b, ATC c: case-blind
    ],
)
def test_case_csv_follows_the_chosen_sort(client, sort, expected):
    f.CaseFactory(case_number="A-2012", cognizance_date=D(2012, 1, 1), court=f.CourtFactory(name="ATC b"))
    f.CaseFactory(case_number="B-2013", cognizance_date=D(2013, 1, 1), court=f.CourtFactory(name="atc a"))
    f.CaseFactory(case_number="C-2011", cognizance_date=D(2011, 1, 1), court=f.CourtFactory(name="ATC c"))
    rows = download(client, reverse("cases:case_list"), {"sort": sort})
    assert [row[1] for row in rows[1:]] == expected
    page = client.get(reverse("cases:case_list"), {"sort": sort})
    assert [case.case_number for case in page.context["page"].object_list] == expected


# Cities narrowed by province -----------------------------------------------------------------


@pytest.fixture
def places():
    sindh = f.ProvinceFactory(name="Sindh", slug="sindh")
    balochistan = f.ProvinceFactory(name="Balochistan", slug="balochistan")
    karachi = f.CityFactory(name="Karachi", slug="karachi", province=sindh)
    f.CityFactory(name="Hyderabad", slug="hyderabad", province=sindh)
    quetta = f.CityFactory(name="Quetta", slug="quetta", province=balochistan)
    f.IncidentFactory(title="In Karachi", province=sindh, city=karachi)
    f.IncidentFactory(title="In Quetta", province=balochistan, city=quetta)


def city_choices(response) -> list[str]:
    return [label for value, label in response.context["filter"].form.fields["city"].choices if value]


@pytest.mark.parametrize("name", ["incidents:incident_list", "cases:case_list"])
def test_city_choices_narrow_to_the_chosen_province(client, places, name):
    assert city_choices(client.get(reverse(name))) == ["Hyderabad", "Karachi", "Quetta"]
    assert city_choices(client.get(reverse(name), {"province": "sindh"})) == ["Hyderabad", "Karachi"]
    assert city_choices(client.get(reverse(name), {"province": ""})) == ["Hyderabad", "Karachi", "Quetta"]


def test_a_city_of_the_chosen_province_filters_as_before(client, places):
    response = client.get(reverse("incidents:incident_list"), {"province": "sindh", "city": "karachi"})
    assert response.status_code == 200
    assert [i.title for i in response.context["page"].object_list] == ["In Karachi"]


@pytest.mark.parametrize(
    ("url", "params"),
    [
        ("incidents:incident_list", {}),
        ("incidents:incident_list", {"format": "csv"}),
        ("cases:case_list", {}),
        ("dashboard:statistics", {}),
        ("api:incident-list", {}),
    ],
)
def test_a_city_of_another_province_is_a_clear_400(client, places, url, params):
    response = client.get(reverse(url), {"province": "sindh", "city": "quetta", **params})
    assert response.status_code == 400
    body = b"".join(response.streaming_content) if response.streaming else response.content
    assert "That city is not in the chosen province" in body.decode()


# No empty parameters in links ----------------------------------------------------------------


def test_links_built_on_the_server_drop_empty_parameters(client):
    f.IncidentFactory.create_batch(51)
    params = {"date_from": "", "date_to": "", "province": "", "city": "", "q": "", "sort": "-date", "attack_type": ""}
    html = client.get(reverse("incidents:incident_list"), params).content.decode()
    links = re.findall(r'href="([^"]*\?[^"]*)"', html)
    page_links = [link for link in links if "page=" in link]
    assert page_links and all(re.fullmatch(r"\?sort=-date&amp;page=[12]", link) for link in page_links)
    assert '?sort=-date&amp;format=csv"' in html
    assert f'href="{reverse("dashboard:statistics")}"' in html  # no filters left: no query string at all
    assert f'href="{reverse("alerts:follow_search")}"' in html
    assert not [link for link in links if re.search(r"[?&;](\w+)=(&|$)", link)]


EMPTY_FILTERS = {"date_from": "", "date_to": "", "province": "", "city": "", "community": "", "q": ""}


@pytest.mark.parametrize(
    "url", ["dashboard:statistics", "dashboard:report", "cases:case_list", "incidents:corrections"]
)
def test_no_link_on_the_shared_pages_carries_an_empty_parameter(client, url):
    f.IncidentFactory(date=D(2013, 1, 10), killed=3)
    response = client.get(reverse(url), EMPTY_FILTERS)
    assert response.status_code == 200
    links = re.findall(r'href="([^"]*\?[^"]*)"', response.content.decode())
    assert not [link for link in links if re.search(r"=(&|$)", link)]


def test_links_keep_the_filters_chosen(client):
    f.IncidentFactory(province=f.ProvinceFactory(name="Sindh", slug="sindh"))
    html = client.get(reverse("incidents:incident_list"), {"province": "sindh", "city": "", "q": ""}).content.decode()
    assert f'href="{reverse("dashboard:statistics")}?province=sindh"' in html
    assert f'href="{reverse("alerts:follow_search")}?province=sindh"' in html
    assert 'href="?province=sindh&amp;sort=-killed"' in html  # the Killed header: most killed first


def test_the_filter_forms_load_the_script_that_skips_empty_fields(client):
    html = client.get(reverse("incidents:incident_list")).content.decode()
    assert '<script src="/static/js/filters.js" defer></script>' in html


# One time zone --------------------------------------------------------------------------------


def test_import_record_title_is_in_pakistan_time():
    run = ImportRun.objects.create(file_name="sheet.csv", sha256="0" * 64, format="tracker")
    ImportRun.objects.filter(pk=run.pk).update(started_at=datetime.datetime(2026, 12, 6, 20, 30, tzinfo=datetime.UTC))
    run.refresh_from_db()
    assert str(run) == "sheet.csv at 2026-12-07 01:30"  # UTC+5, the next day in Karachi


# Saved searches in words ----------------------------------------------------------------------


def test_a_saved_search_is_described_in_words(places):
    params = {
        "province": "sindh",
        "attack_type": AttackType.TARGET_KILLING,
        "date_from": "2013-01-01",
        "date_to": "2013-12-31",
    }
    assert describe_search(params) == "incidents in Sindh, target killing, 2013"
    assert describe_search({"city": "quetta", "province": "balochistan"}) == "incidents in Quetta, Balochistan"
    assert describe_search({"date_from": "2013-02-01"}) == "incidents, from 1 Feb 2013"
    assert describe_search({"date_from": "2013-02-01", "date_to": "2013-03-31", "q": "bus"}) == (
        "incidents, 1 Feb 2013 to 31 Mar 2013, matching “bus”"
    )
    assert describe_search({}) == "all incidents"


def test_follow_search_page_titles_itself_in_words(client, places):
    params = {"province": "sindh", "attack_type": "target_killing", "date_from": "2013-01-01", "date_to": "2013-12-31"}
    html = client.get(reverse("alerts:follow_search"), params).content.decode()
    assert "<title>Follow incidents in Sindh, target killing, 2013 by e-mail ·" in html
    assert "<h1>Follow incidents in Sindh, target killing, 2013</h1>" in html
    assert "province=" not in html.split("<main", 1)[1].split("</h1>", 1)[0]


# No empty chart ---------------------------------------------------------------------------------


@pytest.fixture
def fixed_today(time_machine):
    time_machine.move_to(TODAY)


def test_court_without_pending_cases_says_so_and_draws_no_chart(client, fixed_today):
    court = f.CourtFactory(name="Anti-Terrorism Court I, Quetta")
    case = f.CaseFactory(court=court, cognizance_date=D(2012, 6, 1), judgment_date=D(2013, 1, 10), stage=Stage.DECIDED)
    f.ChargeFactory(case=case, verdict=Verdict.CONVICTED, verdict_date=D(2013, 1, 10))
    html = client.get(reverse("cases:court_detail", args=[court.pk])).content.decode()
    assert "No pending cases at this court." in html
    assert 'id="court-pending-ages-title"' not in html and 'id="pending-caption"' not in html


def test_court_with_a_pending_case_keeps_its_chart(client, fixed_today):
    court = f.CourtFactory(name="Anti-Terrorism Court I, Quetta")
    case = f.CaseFactory(court=court, cognizance_date=D(2026, 11, 2), stage=Stage.CHARGE_FRAMED)
    f.ChargeFactory(case=case)
    html = client.get(reverse("cases:court_detail", args=[court.pk])).content.decode()
    assert "No pending cases at this court." not in html
    assert 'id="court-pending-ages-title"' in html and 'id="pending-caption"' in html


def test_court_without_adjournments_says_so_and_draws_no_chart(client, fixed_today):
    court = f.CourtFactory(name="Anti-Terrorism Court I, Quetta")
    case = f.CaseFactory(court=court, cognizance_date=D(2026, 11, 2), stage=Stage.CHARGE_FRAMED)
    f.HearingFactory(case=case, date=D(2026, 11, 10), outcome="proceeded")
    html = client.get(reverse("cases:court_detail", args=[court.pk])).content.decode()
    assert "No adjourned hearings at this court." in html
    assert 'id="reasons-caption"' not in html


def test_a_worker_freezes_what_its_first_requests_loaded_once(monkeypatch):
    import gc

    from django.core.signals import request_finished

    from tracker import wsgi

    monkeypatch.setattr(wsgi, "_requests_seen", 0)
    request_finished.connect(wsgi._freeze_after_first_requests)
    for _ in range(wsgi.FREEZE_AFTER_REQUESTS - 1):
        request_finished.send(sender=None)
    frozen = gc.get_freeze_count()
    loaded_late = [[n] for n in range(10)]  # alive when the worker freezes
    request_finished.send(sender=None)
    assert gc.get_freeze_count() >= frozen + len(loaded_late)
    # Once only: the worker stops counting.
    assert request_finished.disconnect(wsgi._freeze_after_first_requests) is False
