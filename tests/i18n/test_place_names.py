"""Names of places and groups in Urdu (issue 16, item 5): the Urdu pages show a province's, city's,
community's or organisation's Urdu name (``name_ur``) where one is set, the English name where not;
English pages, the API and the CSV keep the English names exactly; load_seeds fills blank Urdu names
and never replaces an editor's."""

from __future__ import annotations

import csv
import datetime
import io
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from incidents.models import Community, Organisation, Province
from tests import factories as f
from tests.admin_forms import admin_url, changeform_data
from tests.conftest import login, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fixed_today(time_machine):
    time_machine.move_to(datetime.date(2026, 11, 25))


@pytest.fixture
def incident():
    """An attack in Quetta, Balochistan, on the Hazara, claimed by LeJ: each place and group named in Urdu."""
    balochistan = f.ProvinceFactory(name="Balochistan", slug="balochistan", name_ur="بلوچستان")
    quetta = f.CityFactory(name="Quetta", slug="quetta", province=balochistan, name_ur="کوئٹہ")
    hazara = f.CommunityFactory(name="Hazara (Shia)", slug="hazara", name_ur="ہزارہ (شیعہ)")
    lej = f.OrganisationFactory(name="Lashkar-e-Jhangvi", slug="lashkar-e-jhangvi", name_ur="لشکر جھنگوی")
    attack = f.IncidentFactory(
        title="Bombing on Alamdar Road",
        locality="Alamdar Road",
        province=balochistan,
        city=quetta,
        communities=[hazara],
        killed=81,
    )
    f.AttributionFactory(incident=attack, organisation=lej)
    return attack


URDU_NAMES = ["بلوچستان", "کوئٹہ", "ہزارہ (شیعہ)", "لشکر جھنگوی"]
ENGLISH_NAMES = ["Balochistan", "Quetta", "Hazara (Shia)", "Lashkar-e-Jhangvi"]


def test_urdu_incident_page_names_places_and_groups_in_urdu_and_keeps_the_entered_data(client, incident):
    page = client.get(f"/ur/incidents/{incident.pk}/").content.decode()
    for name in URDU_NAMES:
        assert name in page
    # What was entered in English stays as entered: the title and the locality.
    assert "Bombing on Alamdar Road" in page
    assert "Alamdar Road, کوئٹہ" in page
    assert ">Lashkar-e-Jhangvi<" not in page


def test_english_incident_page_keeps_the_english_names(client, incident):
    page = client.get(f"/incidents/{incident.pk}/").content.decode()
    for name in ENGLISH_NAMES:
        assert name in page
    for name in URDU_NAMES:
        assert name not in page


def test_urdu_incident_list_offers_provinces_in_urdu_and_english_list_in_english(client, incident):
    urdu = client.get("/ur/incidents/").content.decode()
    english = client.get("/incidents/").content.decode()
    assert '<option value="balochistan">بلوچستان</option>' in urdu
    assert '<option value="lashkar-e-jhangvi">لشکر جھنگوی</option>' in urdu
    assert '<option value="balochistan">Balochistan</option>' in english
    assert "کوئٹہ, بلوچستان" in urdu  # the incident's place in the list
    assert "Quetta, Balochistan" in english
    for name in URDU_NAMES:
        assert name not in english


def test_a_blank_urdu_name_falls_back_to_the_english_name(client):
    sindh = f.ProvinceFactory(name="Sindh", slug="sindh", name_ur="")
    shia = f.CommunityFactory(name="Shia", slug="shia", name_ur="")
    attack = f.IncidentFactory(province=sindh, communities=[shia])
    page = client.get(f"/ur/incidents/{attack.pk}/").content.decode()
    assert "Sindh" in page
    assert "Shia" in page
    assert '<option value="sindh">Sindh</option>' in client.get("/ur/incidents/").content.decode()


def test_the_statistics_page_in_urdu_names_the_groups_in_urdu_and_the_api_and_csv_in_english(client, incident):
    urdu = client.get("/ur/statistics/").content.decode()
    assert '<th scope="row">بلوچستان</th>' in urdu  # by province
    assert '<th scope="row">کوئٹہ</th><td>بلوچستان</td>' in urdu  # by city, with its province
    assert '<th scope="row">ہزارہ (شیعہ)</th>' in urdu
    assert '<th scope="row">لشکر جھنگوی</th>' in urdu
    english = client.get("/statistics/").content.decode()
    assert '<th scope="row">Quetta</th><td>Balochistan</td>' in english
    assert not any(name in english for name in URDU_NAMES)

    api = client.get("/api/statistics/").json()
    assert [(r["province"], r["slug"]) for r in api["by_province"]] == [("Balochistan", "balochistan")]
    assert [(r["city"], r["province"]) for r in api["by_city"]] == [("Quetta", "Balochistan")]
    assert [r["community"] for r in api["by_community"]] == ["Hazara (Shia)"]

    for table, expected in [
        ("by_province", ["Balochistan"]),
        ("by_city", ["Quetta", "Balochistan"]),
        ("by_community", ["Hazara (Shia)"]),
        ("by_organisation", ["Lashkar-e-Jhangvi"]),
    ]:
        response = client.get(f"/ur/statistics/?format=csv&table={table}")
        rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
        assert rows[1][: len(expected)] == expected, table


def test_the_urdu_statistics_page_reads_the_urdu_names_in_one_query_more_than_the_english(client, incident):
    def queries(path: str) -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(path).status_code == 200
        return len(captured)

    assert queries("/ur/statistics/") == queries("/statistics/") + 1


def test_the_district_map_in_urdu_names_the_provinces_in_urdu(client, incident):
    urdu = client.get("/ur/statistics/map/").content.decode()
    english = client.get("/statistics/map/").content.decode()
    assert "بلوچستان" in urdu
    assert "بلوچستان" not in english
    assert "Balochistan" in english


def seed() -> None:
    call_command("load_seeds", "--no-holidays", stdout=StringIO())


def test_load_seeds_fills_blank_urdu_names_and_keeps_an_editors_twice_over():
    # Rows made before the Urdu names existed (or by an import) have none; an editor set one.
    Province.objects.create(name="Punjab", slug="punjab")
    Community.objects.create(name="Christian", slug="christian", name_ur="عیسائی")
    seed()
    assert Province.objects.get(slug="punjab").name_ur == "پنجاب"
    assert Community.objects.get(slug="christian").name_ur == "عیسائی"  # the editor's, not the seed's مسیحی
    assert Organisation.objects.get(slug="tehreek-e-taliban-pakistan").name_ur == "تحریک طالبان پاکستان"
    seed()
    assert Community.objects.get(slug="christian").name_ur == "عیسائی"
    assert Province.objects.get(slug="fata").name_ur == "وفاق کے زیرِ انتظام قبائلی علاقہ جات (فاٹا)"


def test_every_seeded_place_and_group_has_an_urdu_name():
    seed()
    for model in (Province, Community, Organisation):
        assert list(model.objects.filter(name_ur="").values_list("slug", flat=True)) == [], model
    assert Province.objects.get(slug="khyber-pakhtunkhwa").name_ur == "خیبر پختونخوا"


def test_an_editor_sets_the_urdu_name_in_the_admin(client, django_user_model):
    editor = make_user(django_user_model, "amina", group="Editors")
    login(client, editor)
    city = f.CityFactory(name="Parachinar", slug="parachinar")
    url = admin_url(type(city), "change", city.pk)
    response = client.post(url, changeform_data(client, url, name_ur="پاراچنار"))
    assert response.status_code == 302
    city.refresh_from_db()
    assert (city.name, city.name_ur) == ("Parachinar", "پاراچنار")
    found = client.get(admin_url(type(city)), {"q": "پاراچنار"}).content.decode()
    assert "Parachinar" in found
