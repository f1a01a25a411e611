"""Charts in Urdu are mirrored (core/charts.py): read from the right, time running right to left."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest
from django.utils import translation

from core import charts

SVG = "{http://www.w3.org/2000/svg}"
YEARS = [("2010", 1), ("2011", 2), ("2012", 4)]


def parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)  # noqa: S314 - our own output, parsed to check it


def draw(language: str, chart, *args, **kwargs) -> ET.Element:
    with translation.override(language):
        return parse(chart(*args, title="t", desc="d", chart_id="c", **kwargs))


def label_x(root: ET.Element, text: str) -> float:
    return next(float(t.get("x")) for t in root.iter(f"{SVG}text") if t.text == text)


def test_column_chart_puts_the_first_year_at_the_left_in_english_and_at_the_right_in_urdu():
    # Three 40-unit columns after a 56-unit value axis, in a 320-unit chart: 2010's centre at 76.
    english = draw("en-gb", charts.column_chart, YEARS)
    urdu = draw("ur", charts.column_chart, YEARS)
    assert [label_x(english, year) for year, _ in YEARS] == [76, 116, 156]
    assert [label_x(urdu, year) for year, _ in YEARS] == [244, 204, 164]
    assert english.get("direction") == "ltr" and urdu.get("direction") == "rtl"


def test_column_chart_in_urdu_mirrors_columns_and_puts_the_value_axis_on_the_right():
    english = draw("en-gb", charts.column_chart, YEARS)
    urdu = draw("ur", charts.column_chart, YEARS)
    assert [r.get("x") for r in english.iter(f"{SVG}rect")] == ["59", "99", "139"]
    assert [r.get("x") for r in urdu.iter(f"{SVG}rect")] == ["227", "187", "147"]
    # The gridline labels stand 6 units outside the plot: left of x=56, or right of x=264.
    assert label_x(english, "0") == 50
    assert label_x(urdu, "0") == 270


def test_bar_chart_in_urdu_grows_from_the_right_edge_with_the_value_beyond_the_bar():
    items = [("Karachi", 12), ("Quetta", 3)]
    english = draw("en-gb", charts.bar_chart, items, width=484)
    urdu = draw("ur", charts.bar_chart, items, width=484)
    assert [(r.get("x"), r.get("width")) for r in english.iter(f"{SVG}rect")] == [("0", "400"), ("0", "100")]
    assert [(r.get("x"), r.get("width")) for r in urdu.iter(f"{SVG}rect")] == [("84", "400"), ("384", "100")]
    assert (label_x(english, "Karachi"), label_x(english, "12")) == (0, 406)
    assert (label_x(urdu, "Karachi"), label_x(urdu, "12")) == (484, 78)


def test_funnel_labels_start_at_the_right_in_urdu_with_the_urdu_comma():
    urdu = draw("ur", charts.funnel_chart, [("Incidents", 40), ("Convicted", 12)], width=480)
    texts = list(urdu.iter(f"{SVG}text"))
    assert {t.get("x") for t in texts} == {"480"}
    assert "".join(texts[1].itertext()) == "Convicted: 12، 30%"


@pytest.mark.parametrize(("language", "expected"), [("en-gb", "unknown"), ("ur", "نامعلوم")])
def test_unknown_value_reads_in_the_page_language(language, expected):
    root = draw(language, charts.bar_chart, [("A", None)])
    assert [t.text for t in root.iter(f"{SVG}text")] == ["A", expected]


def test_empty_chart_says_so_in_urdu_from_the_right_edge():
    root = draw("ur", charts.bar_chart, [], width=480)
    text = root.find(f"{SVG}text")
    assert (text.get("x"), text.text) == ("480", "اس انتخاب کے لیے کوئی ڈیٹا نہیں۔")


def test_urdu_chart_keeps_its_title_and_description_for_screen_readers():
    root = draw("ur", charts.column_chart, YEARS)
    assert root.get("aria-labelledby") == "c-title c-desc"
    assert (root.find(f"{SVG}title").text, root.find(f"{SVG}desc").text) == ("t", "d")
