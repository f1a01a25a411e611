"""load_seeds: sourced reference lists, the four op-ed incidents as the PBC import gives them, holidays."""

from __future__ import annotations

import datetime
from io import StringIO
from pathlib import Path

import holidays
import pytest
from django.conf import settings
from django.core.management import call_command

from cases.management.commands.load_holidays import load_holidays
from cases.models import Holiday
from core.models import Status
from incidents.importing import get_format, run_import
from incidents.importing.pk_suicide_attacks import SOURCE
from incidents.models import City, Community, Incident, IncidentSource, Organisation, Province, Source

PBC_FILE = Path(settings.BASE_DIR).parent / "shared/data/pk-suicide-attacks/PakistanSuicideAttacks-Ver11-2017-11-30.csv"
PBC_TITLE = SOURCE["title"]
OPED_PUBLISHER = "Daily Times"

pytestmark = pytest.mark.django_db


def seed():
    call_command("load_seeds", "--no-holidays", stdout=StringIO())


def seeded_incident(sn: str) -> tuple[Incident, IncidentSource, IncidentSource | None]:
    pbc = IncidentSource.objects.select_related("incident").get(source__title=PBC_TITLE, external_id=sn)
    oped = IncidentSource.objects.filter(incident=pbc.incident, source__publisher=OPED_PUBLISHER).first()
    return pbc.incident, pbc, oped


def test_provinces_have_the_design_slugs_and_aliases():
    seed()
    assert sorted(Province.objects.values_list("slug", flat=True)) == [
        "azad-kashmir",
        "balochistan",
        "fata",
        "gilgit-baltistan",
        "islamabad",
        "khyber-pakhtunkhwa",
        "punjab",
        "sindh",
    ]
    table = Province.objects.lookup_table()
    for alias, slug in [
        ("KPK", "khyber-pakhtunkhwa"),
        ("nwfp", "khyber-pakhtunkhwa"),
        ("Baluchistan", "balochistan"),
        ("Capital", "islamabad"),
        ("ICT", "islamabad"),
        ("AJK", "azad-kashmir"),
        ("Azad Kashmir", "azad-kashmir"),
        ("FATA", "fata"),
    ]:
        assert table[alias.casefold()].slug == slug


def test_communities_and_cities_with_aliases():
    seed()
    assert Community.objects.count() == 12
    assert Community.objects.lookup("Shiite").slug == "shia"
    assert Community.objects.lookup("Ahmedi").slug == "ahmadi"
    assert City.objects.lookup("Kuram Agency").slug == "kurram-agency"
    assert City.objects.lookup("D.I. Khan").slug == "dera-ismail-khan"
    assert City.objects.get(slug="parachinar").province.slug == "fata"
    assert City.objects.get(slug="taftan").province.slug == "balochistan"


def test_organisations_with_sourced_proscription_dates_only():
    seed()
    rows = {
        o.abbreviation or o.slug: (o.proscribed, o.proscribed_on, o.proscription_verified)
        for o in Organisation.objects.all()
    }
    assert rows == {
        "LeJ": (True, datetime.date(2001, 8, 14), True),
        "SSP": (True, datetime.date(2002, 1, 14), True),
        # Notification of 15 Feb 2012 (Dawn and The Nation, March 2012; seeds/organisations.yaml).
        "ASWJ": (True, datetime.date(2012, 2, 15), True),
        "jundullah": (False, None, False),  # no source at hand: "Proscription not verified"
        "TTP": (True, datetime.date(2008, 8, 25), True),
        "AQ": (True, datetime.date(2003, 3, 17), True),
    }
    assert Organisation.objects.get(abbreviation="SSP").umbrella.abbreviation == "ASWJ"


def test_the_four_incidents_are_published_with_both_sources_and_their_figures():
    seed()
    expected = {
        "426": (datetime.date(2014, 6, 8), "taftan", "balochistan", 30, 16, (23, 30), 30),
        "369": (datetime.date(2013, 1, 10), "quetta", "balochistan", 93, 121, (51, 93), None),
        "373": (datetime.date(2013, 2, 16), "quetta", "balochistan", 84, 200, (64, 84), None),
        "397": (datetime.date(2013, 7, 26), "kurram-agency", "fata", 50, 200, (43, 50), 58),
    }
    for sn, (date, city, province, killed, injured, pbc_range, oped_killed) in expected.items():
        incident, pbc, oped = seeded_incident(sn)
        assert (incident.date, incident.city.slug, incident.province.slug) == (date, city, province)
        assert (incident.killed, incident.injured, incident.status) == (killed, injured, Status.PUBLISHED)
        assert (pbc.reported_killed, pbc.reported_killed_max) == pbc_range
        assert oped is not None and oped.reported_killed == oped_killed
        assert list(incident.communities.values_list("slug", flat=True)) == ["shia"]
    assert Incident.objects.count() == 4


def test_seeded_pbc_source_is_the_import_formats_source():
    seed()
    source = Source.objects.get(title=PBC_TITLE)
    assert (source.publisher, source.url, source.citation) == (SOURCE["publisher"], SOURCE["url"], SOURCE["citation"])
    oped = Source.objects.get(publisher=OPED_PUBLISHER)
    assert oped.url == ""  # not known: never invented
    assert "359 and 356 attacks" in oped.citation  # aggregate claims kept as the source's text only


def test_load_seeds_twice_changes_nothing():
    seed()
    counts = [m.objects.count() for m in (Province, City, Community, Organisation, Source, Incident, IncidentSource)]
    history = Incident.history.count(), IncidentSource.history.count()
    seed()
    assert [
        m.objects.count() for m in (Province, City, Community, Organisation, Source, Incident, IncidentSource)
    ] == counts
    assert (Incident.history.count(), IncidentSource.history.count()) == history


def test_load_seeds_restores_an_edited_seed_in_place():
    seed()
    Province.objects.filter(slug="fata").update(aliases="")
    seed()
    assert Province.objects.get(slug="fata").alias_list() == ["FATA"]
    assert Province.objects.count() == 8


def test_home_page_shows_the_seeded_cited_incidents(client):
    seed()
    body = client.get("/").content.decode()
    assert "Taftan" in body and "Parachinar" in body


def test_holidays_are_pakistans_gazetted_holidays_and_edits_are_kept():
    Holiday.objects.create(date=datetime.date(2013, 8, 8), name="Eid ul-Fitr (moon sighted; edited)")
    added = load_holidays(2013, 2013)
    expected = holidays.country_holidays("PK", years=[2013])
    assert added == len(expected) - 1
    assert set(Holiday.objects.values_list("date", flat=True)) == set(expected)
    assert Holiday.objects.get(date=datetime.date(2013, 8, 8)).name == "Eid ul-Fitr (moon sighted; edited)"
    assert Holiday.objects.get(date=datetime.date(2013, 3, 23)).name == "Pakistan Day"
    assert load_holidays(2013, 2013) == 0


def test_load_seeds_fills_holidays_from_1997():
    call_command("load_seeds", stdout=StringIO())
    assert Holiday.objects.filter(date=datetime.date(1997, 8, 14)).exists()
    assert Holiday.objects.filter(date__year=2013).count() == len(holidays.country_holidays("PK", years=[2013]))


@pytest.mark.realdata
@pytest.mark.skipif(not PBC_FILE.exists(), reason=f"real data not present at {PBC_FILE}")
def test_importing_the_pbc_file_after_the_seeds_finds_the_four_unchanged():
    seed()
    result = run_import(PBC_FILE, get_format(name="pk-suicide-attacks"))
    assert result.ok, result.errors
    assert (result.created, result.updated, result.unchanged) == (492, 0, 4)
    assert Incident.objects.filter(status=Status.PUBLISHED).count() == 4  # the import did not touch them


# The offences most charged in ATC cases (issue 14 item 8) ---------------------------------------------


ATC_OFFENCES = [
    "ATA 1997 s.6",
    *(f"ATA 1997 s.7({letter})" for letter in "abcdefghi"),
    "ATA 1997 s.11-F",
    "ATA 1997 s.11-W",
    "ATA 1997 s.21-L",
    "PPC s.302",
    "PPC s.324",
    "PPC s.120-B",
    "PPC s.109",
    "PPC s.34",
    "Explosive Substances Act 1908 s.3",
    "Explosive Substances Act 1908 s.4",
    "Explosive Substances Act 1908 s.5",
]
STATUTES = {
    "ATA 1997": "Anti-Terrorism Act, 1997 (XXVII of 1997)",
    "PPC": "Pakistan Penal Code (Act XLV of 1860)",
    "Explosive Substances Act 1908": "Explosive Substances Act, 1908 (VI of 1908)",
}


def test_the_offences_most_charged_in_atc_cases_cite_their_statute():
    from cases.models import Offence

    out = StringIO()
    call_command("load_seeds", "--no-holidays", stdout=out)
    assert "21 offences" in out.getvalue()
    offences = {o.code: o for o in Offence.objects.select_related("source")}
    assert sorted(offences) == sorted(ATC_OFFENCES)
    for code, offence in offences.items():
        statute = next(title for prefix, title in STATUTES.items() if code.startswith(prefix + " s."))
        assert offence.source.title == statute, code
        assert offence.source.publisher == "Government of Pakistan"
        assert offence.title, code
    assert offences["PPC s.302"].title == "Qatl-i-amd (murder)"
    assert offences["ATA 1997 s.7(a)"].title == "Act of terrorism causing death"
    assert offences["ATA 1997 s.11-F"].title == "Membership, support and meetings relating to a proscribed organisation"


def test_offences_are_safe_to_seed_twice_and_a_seed_title_wins():
    from cases.models import Offence

    seed()
    Offence.objects.filter(code="PPC s.302").update(title="edited")
    seed()
    assert Offence.objects.count() == 21
    assert Source.objects.filter(title__in=STATUTES.values()).count() == 3
    assert Offence.objects.get(code="PPC s.302").title == "Qatl-i-amd (murder)"


def test_a_monitor_sees_the_seeded_offences_but_cannot_add_one(monitor_client):
    from cases.models import Offence

    seed()
    assert monitor_client.get("/admin/cases/offence/").status_code == 200
    response = monitor_client.post("/admin/cases/offence/add/", {"code": "PPC s.1", "title": "x"})
    assert response.status_code == 403
    assert Offence.objects.count() == 21


# The first set-up note: courts first (issue 14 item 8) ------------------------------------------------


def test_admin_index_tells_an_editor_to_add_the_courts_first(editor_client):
    html = editor_client.get("/admin/").content.decode()
    assert "First set up: add the courts" in html
    assert '<a href="/admin/cases/court/add/">add a court</a>' in html


def test_admin_index_tells_a_monitor_who_adds_courts(monitor_client):
    html = monitor_client.get("/admin/").content.decode()
    assert "First set up: add the courts" in html
    assert "Courts are added by an editor: ask one to add the Anti-Terrorism Courts you follow first." in html
    assert "/admin/cases/court/add/" not in html
    assert monitor_client.post("/admin/cases/court/add/", {"name": "ATC I", "kind": "atc"}).status_code == 403


def test_the_note_goes_once_a_court_exists(editor_client):
    from tests.factories import CourtFactory

    CourtFactory()
    assert "First set up" not in editor_client.get("/admin/").content.decode()
