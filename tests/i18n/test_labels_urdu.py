"""The data model's and the inputs' words in Urdu (issue 16): choice labels, model names, filter
and import errors follow docs/urdu-glossary.md on Urdu pages, while the English stays word for
word, and what is stored or served as data (API, corrections log, imported titles) never changes
with the language.
"""

from __future__ import annotations

import copy
import datetime

import pytest
from django.utils import translation

from cases.models import Accused, AppealOutcome, Custody, HearingOutcome, Stage, Verdict
from core.corrections import record_changes
from incidents.importing.cells import parse_count
from incidents.importing.errors import RowError
from incidents.importing.rows import build_title
from incidents.models import AttackType, Incident, JusticeStatus
from tests.api_world import build_world
from tests.factories import CityFactory, IncidentFactory, ProvinceFactory

URDU_LABELS = [
    (AttackType.SUICIDE_BOMBING, "خودکش حملہ"),
    (AttackType.TARGET_KILLING, "ٹارگٹ کلنگ"),
    (Verdict.CONVICTED, "سزا یافتہ"),
    (Verdict.ACQUITTED, "بری"),
    (Verdict.ABATED, "ساقط"),
    (Verdict.PENDING, "زیرِ التوا"),
    (Custody.ON_BAIL, "ضمانت پر"),
    (Custody.PROCLAIMED_OFFENDER, "اشتہاری ملزم"),
    (Custody.ABSCONDING, "مفرور"),
    (Stage.CHARGE_FRAMED, "فردِ جرم عائد"),
    (HearingOutcome.NOT_TAKEN_UP, "سماعت نہیں ہوئی"),
    (AppealOutcome.OVERTURNED, "کالعدم"),
    (JusticeStatus.NOT_RESEARCHED, "ابھی تحقیق نہیں ہوئی"),
]


@pytest.mark.parametrize(("choice", "urdu"), URDU_LABELS)
def test_choice_label_is_the_glossary_word_in_urdu(choice, urdu):
    with translation.override("ur"):
        assert choice.label == urdu


def test_choice_labels_stay_english_outside_urdu():
    assert AttackType.SUICIDE_BOMBING.label == "Suicide bombing"
    assert Verdict.CONVICTED.label == "Convicted"
    assert Custody.ARRESTED.label == "Arrested (in custody)"


def test_model_names_are_translated_and_english_unchanged():
    with translation.override("ur"):
        assert Incident._meta.verbose_name == "واقعہ"
        assert Incident._meta.verbose_name_plural == "واقعات"
        assert Accused._meta.verbose_name_plural == "ملزمان"
        assert Incident._meta.get_field("attack_type").verbose_name == "حملے کی قسم"
    assert Incident._meta.verbose_name_plural == "incidents"
    assert Accused._meta.verbose_name_plural == "accused"
    assert Incident._meta.get_field("attack_type").verbose_name == "attack type"


@pytest.mark.django_db
def test_bad_date_filter_error_is_in_urdu_on_urdu_page_and_english_on_english_page(client):
    urdu = client.get("/ur/incidents/?date_from=notadate").content.decode()
    english = client.get("/incidents/?date_from=notadate").content.decode()
    assert "درست تاریخ درج کریں۔" in urdu
    assert "Enter a valid date." not in urdu
    assert "Enter a valid date." in english


@pytest.mark.django_db
def test_city_of_another_province_error_is_in_urdu(client):
    ProvinceFactory(name="Sindh", slug="sindh")
    CityFactory(name="Lahore", slug="lahore", province=ProvinceFactory(name="Punjab", slug="punjab"))
    response = client.get("/ur/incidents/?province=sindh&city=lahore")
    assert "یہ شہر منتخب صوبے میں نہیں ہے" in response.content.decode()


def test_import_error_keeps_its_structure_and_gives_the_reason_in_urdu():
    with translation.override("ur"), pytest.raises(RowError) as error:
        parse_count("many", "Killed Min")
    error.value.row = 7
    assert str(error.value) == "row 7, column 'Killed Min', value 'many': مکمل عدد نہیں"


def test_import_error_reason_stays_english_outside_urdu():
    with pytest.raises(RowError) as error:
        parse_count("-3", "Killed Min")
    assert error.value.reason == "a count cannot be negative"


def test_imported_title_is_english_whatever_the_language():
    with translation.override("ur"):
        title = build_title(attack_type=AttackType.SUICIDE_BOMBING, locality="Parachinar Bazaar", city_name="Kurram")
    assert title == "Suicide bombing, Parachinar Bazaar, Kurram"


@pytest.mark.django_db
def test_correction_written_from_urdu_admin_is_stored_in_english():
    incident = IncidentFactory(attack_type=AttackType.TARGET_KILLING, date=datetime.date(2013, 1, 10))
    old = copy.copy(incident)
    incident.attack_type = AttackType.SUICIDE_BOMBING
    with translation.override("ur"):
        (correction,) = record_changes(old, incident, note="Source corrected")
    assert (correction.field, correction.old_value, correction.new_value) == (
        "attack type",
        "Target killing",
        "Suicide bombing",
    )
    assert correction.record_url == f"/incidents/{incident.pk}/"


@pytest.mark.django_db
@pytest.mark.parametrize(
    "path",
    [
        "/api/incidents/",
        "/api/cases/",
        "/api/hearings/",
        "/api/incidents/?date_from=notadate",
        "/api/cases/?verdict=nonsense",
    ],
)
def test_api_output_does_not_change_with_the_language(client, path):
    build_world()
    plain = client.get(path)
    urdu = client.get(path, HTTP_ACCEPT_LANGUAGE="ur")
    assert plain.status_code == urdu.status_code
    assert plain.json() == urdu.json()
    assert "Content-Language" not in urdu or urdu["Content-Language"] != "ur"


@pytest.mark.django_db
def test_api_gives_choice_codes_not_labels(client):
    build_world()
    incident = client.get("/api/incidents/", HTTP_ACCEPT_LANGUAGE="ur").json()["results"][0]
    assert incident["attack_type"] == "target_killing"
    assert incident["status"] == "published"
