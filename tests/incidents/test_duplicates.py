"""Finding duplicates (issue 17): the rule set on small hand-built records, blocking, the command."""

from __future__ import annotations

import datetime
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from core.models import Status
from incidents.duplicates import compare, find_duplicates, find_matches, load_records, place_keys
from incidents.models import AttackType, DuplicatePair, PairDecision
from tests import factories as f

pytestmark = pytest.mark.django_db
D = datetime.date


@pytest.fixture
def places():
    kpk = f.ProvinceFactory(slug="khyber-pakhtunkhwa", name="Khyber Pakhtunkhwa")
    fata = f.ProvinceFactory(slug="fata", name="FATA")
    punjab = f.ProvinceFactory(slug="punjab", name="Punjab")
    return {
        "kpk": kpk,
        "fata": fata,
        "punjab": punjab,
        "kurram": f.CityFactory(name="Kurram Agency", slug="kurram-agency", province=fata, aliases="Kuram Agency"),
        "parachinar": f.CityFactory(name="Parachinar", slug="parachinar", province=fata, district="Kurram Agency"),
        "peshawar": f.CityFactory(name="Peshawar", slug="peshawar", province=kpk),
        "lahore": f.CityFactory(name="Lahore", slug="lahore", province=punjab),
    }


DAY = D(2013, 7, 26)


def incident(places, city, *, date=DAY, killed=50, attack=AttackType.SUICIDE_BOMBING, locality="", **kw):
    city = places[city]
    return f.IncidentFactory(
        date=date, province=city.province, city=city, killed=killed, attack_type=attack, locality=locality, **kw
    )


def records(*incidents):
    by_id = {r.id: r for r in load_records()}
    return [by_id[i.pk] for i in incidents]


def test_place_keys_drop_words_naming_the_kind_of_place():
    assert place_keys("Kurram Agency", "D.I. Khan") == {"kurram agency", "kurram", "d i khan"}


def test_a_town_and_its_agency_a_day_apart_with_tolls_in_range_score_high(places):
    pbc = incident(places, "kurram", killed=50, locality="Parachinar Bazaar")
    f.IncidentSourceFactory(incident=pbc, reported_killed=43, reported_killed_max=50)
    other = incident(places, "parachinar", date=D(2013, 7, 27), killed=45, attack=AttackType.BOMBING)
    match = compare(*records(pbc, other))
    # day 0.6, place 0.9 (town and agency), toll 1 (45 in 43-50), type 0.7 (bombing family), locality 0.5
    assert match.features == {"day": 0.6, "place": 0.9, "toll": 1.0, "type": 0.7, "locality": 0.5}
    assert match.score == round(0.25 * 0.6 + 0.35 * 0.9 + 0.2 + 0.1 * 0.7 + 0.1 * 0.5, 3) == 0.785
    assert "Kurram Agency and Parachinar: a town and its agency or district" in match.reasons()


def test_a_toll_just_outside_the_range_is_close_not_far(places):
    pbc = incident(places, "kurram", killed=50)
    f.IncidentSourceFactory(incident=pbc, reported_killed=43, reported_killed_max=50)
    other = incident(places, "kurram", killed=58)
    assert compare(*records(pbc, other)).features["toll"] == 0.6  # 8 apart of 58: within 20 %


def test_the_same_day_in_another_city_is_kept_apart(places):
    a = incident(places, "peshawar")
    b = incident(places, "parachinar")  # same group (KPK and FATA), another place
    match = compare(*records(a, b))
    assert match.features["place"] == 0 and match.score < 0.5
    assert find_duplicates() == []


def test_the_same_city_a_day_later_with_another_attack_and_toll_is_kept_apart(places):
    a = incident(places, "peshawar", killed=30, locality="Qissa Khwani Bazaar")
    b = incident(
        places, "peshawar", date=D(2013, 7, 27), killed=1, attack=AttackType.TARGET_KILLING, locality="Hayatabad"
    )
    assert compare(*records(a, b)).score < 0.3
    assert find_duplicates() == []


def test_misspelt_city_names_match_through_rapidfuzz(places):
    a = incident(places, "peshawar", locality="Qissa Khwani Bazaar")
    misspelt = f.CityFactory(name="Peshawer", slug="peshawer", province=places["kpk"])
    b = f.IncidentFactory(
        date=a.date,
        province=misspelt.province,
        city=misspelt,
        killed=50,
        attack_type=a.attack_type,
        locality="Qissa Khawani",
    )
    match = compare(*records(a, b))
    assert match.features["place"] == 0.8 and match.score >= 0.8


def test_blocking_never_compares_records_two_days_apart_or_in_other_provinces(places):
    a = incident(places, "kurram")
    incident(places, "kurram", date=D(2013, 7, 28))  # two days later
    incident(places, "lahore")  # Punjab: another block
    near = incident(places, "parachinar", date=D(2013, 7, 25))  # FATA/KPK group, a day before
    assert [(m.a.id, m.b.id) for m in find_matches(load_records())] == [(a.pk, near.pk)]


def test_two_rows_of_one_dataset_score_half(places):
    dataset = f.SourceFactory(title="Dataset")
    a, b = incident(places, "kurram"), incident(places, "kurram")
    f.IncidentSourceFactory(incident=a, source=dataset, external_id="1")
    f.IncidentSourceFactory(incident=b, source=dataset, external_id="2")
    match = compare(*records(a, b))
    assert match.same_dataset and match.score == 0.475  # (0.25 + 0.35 + 0.2 + 0.1 + 0.05) / 2


def test_drafts_are_candidates_merged_and_rejected_pairs_are_not(places):
    a = incident(places, "kurram")
    b = incident(places, "kurram", status=Status.DRAFT)
    c = incident(places, "kurram", status=Status.MERGED)
    assert [(m.a.id, m.b.id) for m in find_duplicates()] == [(a.pk, b.pk)]
    DuplicatePair.objects.create(incident=a, other=b, decision=PairDecision.NOT_SAME)
    assert find_duplicates() == []
    assert c.pk  # merged-away incidents are never compared


def test_the_command_writes_csv_best_first(places):
    a = incident(places, "kurram", locality="Parachinar Bazaar")
    b = incident(places, "kurram", locality="Parachinar Bazaar")  # 1.0
    c = incident(places, "parachinar", date=D(2013, 7, 27), killed=45, attack=AttackType.BOMBING)
    out = StringIO()
    call_command("find_duplicates", "--format", "csv", stdout=out)
    lines = out.getvalue().splitlines()
    assert lines[0] == "incident_id,other_id,score"
    assert lines[1] == f"{a.pk},{b.pk},1.000"
    rest = sorted(lines[2:])
    # day 0.6, place 0.9, toll 0.6 (45 and 50: 10 % apart), type 0.7, locality 0.5 (one blank)
    assert rest == sorted([f"{a.pk},{c.pk},0.705", f"{b.pk},{c.pk},0.705"])


def test_the_command_in_words_gives_the_reasons(places):
    a = incident(places, "kurram")
    b = incident(places, "parachinar", date=D(2013, 7, 27))
    out = StringIO()
    call_command("find_duplicates", stdout=out)
    text = out.getvalue()
    assert f"#{a.pk} (2013-07-26, Kurram Agency) and #{b.pk} (2013-07-27, Parachinar): score" in text
    assert "one day apart; Kurram Agency and Parachinar: a town and its agency or district" in text
    assert text.rstrip().endswith("1 candidate pair(s) scoring 0.6 or more.")


def test_the_command_refuses_a_score_outside_0_to_1():
    with pytest.raises(CommandError, match="between 0 and 1"):
        call_command("find_duplicates", "--min-score", "2", stdout=StringIO())
