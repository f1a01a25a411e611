"""The statistics pages in Urdu under /ur/ (issue 16): the period report's sentences, the tables'
headers, the methodology's headings, "too few to say", with the DESIGN.md worked example or a few
hand-made incidents. The English pages and the language-neutral API and CSV stay as they were.
"""

from __future__ import annotations

import csv
import datetime
import io
import re
from html import unescape

import pytest
from django.utils import translation

from dashboard import report
from tests import factories as f
from tests.test_worked_example import PERIOD, example  # noqa: F401  (the DESIGN.md worked example fixture)

D = datetime.date
TODAY = D(2026, 11, 25)
pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fixed_today(time_machine):
    time_machine.move_to(TODAY)


def words(html: str) -> str:
    """A page's words, tags removed and spaces collapsed (links leave a space before their full stop)."""
    text = " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())
    return text.replace(" ۔", "۔").replace(" .", ".")


def report_text(client, path: str, **params) -> str:
    html = client.get(path, params).content.decode()
    return words(html[html.index('<article class="report"') : html.index("</article>")])


# The period report ----------------------------------------------------------------------------


def test_urdu_report_of_three_attacks_says_attacks_and_people_in_the_plural(client):
    f.IncidentFactory(date=D(2013, 1, 10), killed=None, injured=3)
    f.IncidentFactory(date=D(2013, 1, 20), killed=5, injured=2)
    f.IncidentFactory(date=D(2013, 1, 25), killed=2, injured=0)
    text = report_text(client, "/ur/statistics/report/")
    assert (
        "جنوری 2013 میں، 3 حملوں میں کم از کم 7 افراد (1 حملے میں جاں بحق افراد کی تعداد معلوم نہیں) "
        "جاں بحق اور 5 زخمی ہوئے۔ 3 واقعات دیکھیے۔"
    ) in text
    assert (
        "یعنی 1 کیلنڈر مہینے کی مدت میں، دونوں سروں کے مہینے شامل کر کے، ہر ماہ اوسطاً 7.0 افراد جاں بحق ہوئے۔"
    ) in text


def test_urdu_report_of_one_attack_says_attack_and_person_in_the_singular(client):
    f.IncidentFactory(date=D(2013, 1, 20), killed=1, injured=4)
    text = report_text(client, "/ur/statistics/report/")
    assert "جنوری 2013 میں، 1 حملے میں 1 فرد جاں بحق اور 4 زخمی ہوئے۔ واقعہ دیکھیے۔" in text


def test_english_report_of_the_same_attacks_is_unchanged(client):
    f.IncidentFactory(date=D(2013, 1, 20), killed=1, injured=4)
    text = report_text(client, "/statistics/report/")
    assert "In January 2013, 1 attack killed 1 person and injured 4. See the incident." in text
    assert not re.search("[\u0600-\u06ff]", text)  # no Urdu letter on the English page


URDU_WORKED_EXAMPLE_SENTENCES = [
    "مارچ اور مئی 2012 کے درمیان، 3 حملوں میں 12 افراد جاں بحق اور کم از کم 4 زخمی "
    "(1 حملے میں زخمیوں کی تعداد معلوم نہیں) ہوئے۔",
    # Two fatal attacks are too few for a percentage: the counts only.
    "کسی کی جان لینے والے 2 حملوں میں سے 2 پر شائع شدہ عدالتی مقدمہ بنا، 2 میں کم از کم ایک ملزم پر فردِ جرم "
    "عائد ہوئی، 1 میں ٹرائل مکمل ہوا اور 1 میں کم از کم ایک فرد کی سزا برقرار ہے۔",
    "25 نومبر 2026 کو کم از کم 3 سال پرانے 2 جان لیوا حملوں میں سے 2 کے عدالتی ریکارڈ کی تحقیق ہو چکی ہے: "
    "کوئی شائع شدہ مقدمہ، یا عدالتوں اور پولیس میں تلاش جس میں کچھ نہیں ملا۔ ان میں سے 1 میں کسی کی سزا "
    "برقرار نہیں؛ شرح بتانے کے لیے بہت کم (n = 2)۔",
    "عدالتوں نے ایک مقدمے کا فیصلہ کیا؛ سماعت کے لیے منظوری سے فیصلے تک اس میں 223 دن (159 کام کے دن) لگے۔",
    "انسدادِ دہشت گردی ایکٹ عدالت کو مقدمے کا فیصلہ کرنے کے لیے سات کام کے دن دیتا ہے؛ اس مقدمے میں اس مدت "
    "کی پابندی نہیں ہوئی۔",
    "جن 2 ملزمان کا ٹرائل ختم ہو چکا ہے، ان میں سے 1 کو سزا ہوئی۔",
]


def test_urdu_report_of_the_worked_example(client, example):  # noqa: F811
    text = report_text(client, "/ur/statistics/report/", **PERIOD)
    for sentence in URDU_WORKED_EXAMPLE_SENTENCES:
        assert sentence in text
    assert "25 نومبر 2023 تک کے حملے دیکھیے" in text  # the cut-off date, in Urdu
    assert "حملے اور جانی نقصان" in text and "عدالتوں میں" in text  # the headings


def test_urdu_numbers_percentages_and_months_are_localised():
    with translation.override("ur"):
        assert report.people(2018) == "2,018 افراد"
        assert report.percent(1, 1000) == "1 فیصد سے کم"
        assert report.percent(2, 3) == "67 فیصد"
        assert report.days(7.5, working=True) == "7.5 کام کے دن"
        assert report.month_span(D(2013, 1, 1), D(2014, 6, 30)) == "جنوری 2013 اور جون 2014 کے درمیان"


# The statistics page and the methodology ------------------------------------------------------


def test_urdu_statistics_tables_have_urdu_captions_and_headers(client, example):  # noqa: F811
    html = client.get("/ur/statistics/", PERIOD).content.decode()
    table = html[html.index('id="table-by_province"') :]
    table = table[: table.index("</thead>")]
    assert "صوبے یا علاقے کے لحاظ سے واقعات اور جانی نقصان" in table
    headers = re.findall(r'<th scope="col"[^>]*>(.*?)</th>', table)
    assert headers == ["صوبہ", "واقعات", "واقعات میں حصہ", "جاں بحق", "جاں بحق افراد میں حصہ", "زخمی"]
    assert "<h1>اعداد و شمار</h1>" in html
    assert "یہ جدول CSV میں ڈاؤن لوڈ کیجیے" in html


def test_urdu_statistics_say_too_few_to_say_with_the_n(client, example):  # noqa: F811
    text = words(client.get("/ur/statistics/", PERIOD).content.decode())
    # Two researched incidents are too few for an impunity rate; one decided case for a median.
    assert "سزا سے استثنیٰ کی شرح کہنے کے لیے بہت کم (n = 2)" in text
    assert "فیصلے میں لگے وقت کا میڈین کہنے کے لیے بہت کم (n = 1)" in text
    english = words(client.get("/statistics/", PERIOD).content.decode())
    assert "Impunity rate too few to say (n = 2)" in english


def test_urdu_methodology_headings_and_working_weekdays(client):
    html = client.get("/ur/methodology/").content.decode()
    headings = re.findall(r"<h2 id=\"[\w-]+-heading\">(.*?)</h2>", html)
    assert headings[:2] == ["کیا شمار ہوتا ہے: صرف شائع شدہ ریکارڈ", "واقعات، جاں بحق اور زخمی"]
    assert {"سزا سے استثنیٰ کی شرح", "جزوی انصاف", "چھوٹی تعداد", "معلوم خامیاں"} <= set(headings)
    assert "<h1>اعداد و شمار کیسے شمار کیے جاتے ہیں</h1>" in html
    assert "کام کا دن وہ پیر، منگل، بدھ، جمعرات اور جمعہ ہے" in html
    english = client.get("/methodology/").content.decode()
    assert "A working day is a Monday, Tuesday, Wednesday, Thursday and Friday" in english


# What stays the same in every language --------------------------------------------------------


def test_statistics_api_is_the_same_whatever_the_language(client, example):  # noqa: F811
    # The Urdu page first, so that the cached figures were counted during an Urdu request.
    assert client.get("/ur/statistics/", PERIOD).status_code == 200
    plain = client.get("/api/statistics/", PERIOD)
    urdu = client.get("/api/statistics/", PERIOD, HTTP_ACCEPT_LANGUAGE="ur")
    assert plain.status_code == urdu.status_code == 200
    assert plain.content == urdu.content
    labels = {row["attack_type"]: row["label"] for row in plain.json()["by_attack_type"]}
    assert labels["bombing"] == "Bombing (planted, IED, grenade)"
    assert plain.json()["courts"]["pending_ages"][0]["label"] == "≤ 7 working days"


def test_statistics_csv_headers_are_the_same_in_urdu(client, example):  # noqa: F811
    def header(path: str) -> list[str]:
        response = client.get(path, PERIOD | {"format": "csv", "table": "courts"})
        return next(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))

    assert header("/ur/statistics/") == header("/statistics/")
    assert header("/ur/statistics/")[:3] == ["court", "court_id", "city"]


@pytest.mark.parametrize("prefix", ["", "/ur"])
def test_a_start_date_with_no_incident_after_it_says_so_in_both_languages(client, prefix):
    # No incident: the period has no end and no months to count (was a 500: a plural of nothing).
    response = client.get(f"{prefix}/statistics/?date_from=2000-01-01")
    assert response.status_code == 200
    expected = "کوئی واقعہ ان فلٹرز سے مطابقت نہیں رکھتا۔" if prefix else "No incident matches these filters."
    assert expected in response.content.decode()
