"""The district map: placing cities on the map's districts, by_district's figures, the colour
classes, the `district` filter, and /statistics/map/ (filters, links, errors, visibility, queries)."""

from __future__ import annotations

import datetime
import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from core.models import Status
from dashboard.maps import NONE_FILL, PALETTE, colour_classes, nice_number
from incidents import stats
from incidents.districts import DISTRICT_ALIASES, district_map, district_of, district_slug, normalise_place
from incidents.maps.build_district_map import PROVINCE_OF
from tests import factories as f
from tests.conftest import TODAY

D = datetime.date
URL = "/statistics/map/"


@pytest.fixture(autouse=True)
def fixed_today(time_machine):
    time_machine.move_to(TODAY)


# Placing places -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "slug"),
    [
        ("Kurram Agency", "kurram"),
        ("Kuram", "kurram"),
        ("Karachi South", "karachi"),
        ("D.I. Khan", "dera-ismail-khan"),
        ("  dera ismail   KHAN ", "dera-ismail-khan"),
        ("Khyber Agency", "khyber"),
        ("Sheikhupura", "shaikhupura"),
        ("Chagai", "chaghai"),
        ("Mirpur", "mirpur"),
        ("Mirpur Khas", "mirpur-khas"),
        ("Atlantis", None),
        ("", None),
    ],
)
def test_district_slug_matches_names_aliases_and_suffixes(name, slug):
    assert district_slug(name) == slug


def test_normalise_place_drops_punctuation_and_suffix():
    assert normalise_place("D.I. Khan") == "d i khan"
    assert normalise_place("Kurram Tribal District") == "kurram"
    assert normalise_place("Agency") == "agency"


def test_city_is_placed_by_its_district_then_its_own_name():
    assert district_of(city_name="Parachinar", city_district="Kurram Agency") == "kurram"
    assert district_of(city_name="Quetta", city_district="") == "quetta"
    assert district_of(city_name="Karachi", city_district="Gulshan Town") == "karachi"
    assert district_of(city_name="Atlantis", city_district="Deep") is None
    assert district_of(city_name=None, city_district=None) is None


def test_committed_map_has_every_district_with_its_province_and_the_outlines():
    the_map = district_map()
    assert len(the_map.districts) == 144
    assert the_map.view_box == "27 28 1628 1544"
    assert {d.slug: d.province for d in the_map.districts} == PROVINCE_OF
    assert [slug for slug, _ in the_map.province_outlines] == [
        "islamabad",
        "balochistan",
        "sindh",
        "punjab",
        "khyber-pakhtunkhwa",
        "fata",
        "azad-kashmir",
        "gilgit-baltistan",
    ]
    assert all(re.fullmatch(r"(M-?\d+ -?\d+l[-\d ]+z)+", d.path) for d in the_map.districts)
    assert set(DISTRICT_ALIASES) <= set(the_map.by_slug())


def test_no_alias_names_two_districts():
    names = {}
    for district in district_map().districts:
        for name in (district.name, *DISTRICT_ALIASES.get(district.slug, ())):
            assert names.setdefault(normalise_place(name), district.slug) == district.slug


# Figures ----------------------------------------------------------------------------------------


@pytest.fixture
def places(db):
    sindh = f.ProvinceFactory(name="Sindh", slug="sindh")
    fata = f.ProvinceFactory(name="Federally Administered Tribal Areas", slug="fata")
    balochistan = f.ProvinceFactory(name="Balochistan", slug="balochistan")
    return {
        "sindh": sindh,
        "fata": fata,
        "balochistan": balochistan,
        "karachi": f.CityFactory(name="Karachi", slug="karachi", province=sindh, district="Karachi South"),
        "parachinar": f.CityFactory(name="Parachinar", slug="parachinar", province=fata, district="Kurram Agency"),
        "kurram": f.CityFactory(name="Kurram Agency", slug="kurram-agency", province=fata),
        "quetta": f.CityFactory(name="Quetta", slug="quetta", province=balochistan),
        "atlantis": f.CityFactory(name="Atlantis", slug="atlantis", province=sindh, district="Deep"),
    }


@pytest.fixture
def incidents(places):
    p = places
    made = {
        "k1": f.IncidentFactory(title="K1", date=D(2013, 1, 1), province=p["sindh"], city=p["karachi"], killed=2),
        "k2": f.IncidentFactory(title="K2", date=D(2013, 2, 1), province=p["sindh"], city=p["karachi"], killed=None),
        "p1": f.IncidentFactory(title="P1", date=D(2013, 3, 1), province=p["fata"], city=p["parachinar"], killed=40),
        "a1": f.IncidentFactory(title="A1", date=D(2014, 1, 1), province=p["fata"], city=p["kurram"], killed=3),
        "q1": f.IncidentFactory(title="Q1", date=D(2014, 2, 1), province=p["balochistan"], city=p["quetta"], killed=5),
        "x1": f.IncidentFactory(title="X1", date=D(2014, 3, 1), province=p["sindh"], city=p["atlantis"], killed=1),
        "n1": f.IncidentFactory(title="N1", date=D(2014, 4, 1), province=p["sindh"], city=None, killed=0),
        "draft": f.IncidentFactory(
            title="Draft", date=D(2014, 5, 1), province=p["sindh"], city=p["karachi"], killed=90, status=Status.DRAFT
        ),
    }
    return made


def _figures(row):
    return {k: row[k] for k in ("incidents", "killed", "injured", "killed_unknown")}


def test_by_district_regroups_cities_and_keeps_the_unplaced_last(incidents):
    from incidents.models import Incident

    with CaptureQueriesContext(connection) as queries:
        rows = stats.by_district(incidents=Incident.objects.public())
    assert len(queries) == 1
    assert [(r["slug"], r["district"], r["province"]) for r in rows] == [
        ("kurram", "Kurram", "fata"),
        ("karachi", "Karachi", "sindh"),
        ("quetta", "Quetta", "balochistan"),
        (None, None, None),
    ]
    assert [(r["incidents"], r["killed"], r["killed_unknown"]) for r in rows] == [
        (2, 43, 0),
        (2, 2, 1),
        (1, 5, 0),
        (2, 1, 0),
    ]
    assert rows[-1]["places"] == ["Deep"]
    assert rows[0]["share_killed"] == pytest.approx(43 / 51)
    assert rows[0]["share_incidents"] == pytest.approx(2 / 7)
    assert sum(r["incidents"] for r in rows) == 7


def test_nice_number_and_colour_classes():
    assert [nice_number(v) for v in (0.5, 1, 1.4, 1.5, 3.2, 7.3, 12, 101)] == [1, 1, 1, 2, 5, 10, 10, 100]
    assert colour_classes(0) == []
    assert [(c.low, c.high, c.colour) for c in colour_classes(1)] == [(1, 1, PALETTE[2])]
    assert [(c.low, c.high) for c in colour_classes(12)] == [(1, 2), (3, 5), (6, 10), (11, 12)]
    assert [(c.low, c.high) for c in colour_classes(377)] == [(1, 5), (6, 10), (11, 50), (51, 100), (101, 377)]
    assert [c.colour for c in colour_classes(377)] == list(PALETTE)
    assert [c.label for c in colour_classes(12)] == ["1–2", "3–5", "6–10", "11–12"]


# The district filter ---------------------------------------------------------------------------


def test_district_filter_on_the_incident_list_takes_every_city_placed_there(client, incidents):
    response = client.get("/incidents/", {"district": "kurram", "format": "csv"})
    body = b"".join(response.streaming_content).decode()
    titles = sorted(line.split(",")[2] for line in body.splitlines()[1:])
    assert titles == ["A1", "P1"]


def test_unknown_district_is_a_form_error(client, incidents):
    response = client.get("/incidents/", {"district": "atlantis"})
    assert response.status_code == 400
    assert "district" in response.context["filter"].errors


# The page ---------------------------------------------------------------------------------------


def _district_path(content: str, slug: str, name: str) -> str:
    match = re.search(
        rf'<a href="([^"]*district={slug}[^"]*)" aria-label="{name} \(([^)]*)\): ([^"]*)"><path d="[^"]*" fill="(#\w+)">',
        content,
    )
    assert match, f"{slug} is not a link on the map"
    return match


@pytest.mark.django_db
def test_map_page_shades_links_and_tabulates_districts(client, incidents):
    response = client.get(URL, {"measure": "killed", "date_from": "2013-01-01"})
    assert response.status_code == 200
    content = response.content.decode()
    kurram = _district_path(content, "kurram", "Kurram")
    assert kurram.group(1) == "/incidents/?district=kurram&amp;date_from=2013-01-01"
    assert kurram.group(2) == "Federally Administered Tribal Areas"
    assert kurram.group(3) == "2 incidents, 43 killed"
    karachi = _district_path(content, "karachi", "Karachi")
    assert karachi.group(3) == "2 incidents, 2 or more killed"
    # Killed per district 43, 5, 2: classes 1–2, 3–5, 6–10, 11–20, 21–43.
    assert kurram.group(4) == PALETTE[4]
    assert karachi.group(4) == PALETTE[0]
    assert _district_path(content, "quetta", "Quetta").group(4) == PALETTE[1]
    assert [label for _, label in response.context["legend"]] == ["1–2", "3–5", "6–10", "11–20", "21–43"]
    assert (
        '<g aria-hidden="true"><path d="' in content
        and f'fill="{NONE_FILL}"><title>Lahore (punjab): no incidents' in content
    )
    assert content.count('class="province-outline"') == 8
    table = response.context["table"]
    assert [(row["district"], province, row["killed"]) for row, province, _ in table] == [
        ("Kurram", "Federally Administered Tribal Areas", 43),
        ("Quetta", "Balochistan", 5),
        ("Karachi", "Sindh", 2),
    ]
    assert response.context["unplaced"]["places"] == ["Deep"]
    assert response.context["totals"]["incidents"] == 7
    assert "Not on the map" in content and "Deep" in content


def test_map_counts_published_incidents_only_whoever_reads(monitor_client, incidents):
    for reader in (Client(), monitor_client):
        rows = {row["slug"]: row for row, _, _ in reader.get(URL).context["table"]}
        assert rows["karachi"]["incidents"] == 2
        assert rows["karachi"]["killed"] == 2


def test_map_follows_the_filters(client, incidents, places):
    response = client.get(URL, {"province": "fata"})
    assert [row["slug"] for row, _, _ in response.context["table"]] == ["kurram"]
    assert response.context["unplaced"] is None
    assert response.context["totals"]["incidents"] == 2


@pytest.mark.parametrize(
    ("params", "field"),
    [({"measure": "deaths"}, "measure"), ({"date_from": "yesterday"}, "date_from"), ({"district": "x"}, "district")],
)
def test_bad_parameters_answer_400_with_the_message(client, incidents, params, field):
    response = client.get(URL, params)
    assert response.status_code == 400
    assert field in response.context["errors"]
    assert b'<svg class="district-map"' not in response.content


def test_map_page_runs_a_constant_number_of_queries(client, places, django_assert_num_queries):
    f.IncidentFactory(province=places["sindh"], city=places["karachi"])
    with CaptureQueriesContext(connection) as few:
        assert client.get(URL, {"measure": "killed"}).status_code == 200
    for city in ("karachi", "quetta", "parachinar", "atlantis"):
        f.IncidentFactory.create_batch(3, province=places[city].province, city=places[city])
    f.IncidentFactory(province=places["sindh"], city=None)
    with django_assert_num_queries(len(few)):
        assert client.get(URL, {"measure": "killed"}).status_code == 200


def test_map_figures_are_cached_under_the_filters_and_the_data_version(
    client, settings, monkeypatch, incidents, django_capture_on_commit_callbacks
):
    from dashboard import cache as statistics_cache
    from incidents.models import Incident
    from tests.committing import committed

    settings.STATISTICS_CACHE_SECONDS = 600
    monkeypatch.setattr(statistics_cache, "schedule_refresh", lambda **kwargs: None)
    real = stats.by_district
    calls = []
    monkeypatch.setattr(stats, "by_district", lambda **kwargs: calls.append(kwargs) or real(**kwargs))

    def kurram_killed(params):
        rows = {row["slug"]: row for row, _, _ in client.get(URL, params).context["table"]}
        return rows["kurram"]["killed"]

    assert kurram_killed({"province": "fata", "measure": "killed"}) == 43
    assert kurram_killed({"measure": "incidents", "province": "fata", "page": "2"}) == 43  # same filters
    assert len(calls) == 1
    with committed(django_capture_on_commit_callbacks):
        Incident.objects.filter(pk=incidents["a1"].pk).update(killed=13)
    assert kurram_killed({"province": "fata"}) == 53
    assert len(calls) == 2


def test_a_followed_search_by_district_says_so_in_words(db):
    from alerts.models import describe_search

    f.ProvinceFactory(name="Federally Administered Tribal Areas", slug="fata")
    assert describe_search({"district": "kurram"}) == "incidents in Kurram district"
    assert describe_search({"district": "kurram", "province": "fata"}) == (
        "incidents in Kurram district, Federally Administered Tribal Areas"
    )
