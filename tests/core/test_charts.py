"""The SVG chart functions: structure, scale, accessibility and escaping."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import pytest

from core import charts

SVG = "{http://www.w3.org/2000/svg}"


def parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)  # noqa: S314 - our own output, parsed to check it is well-formed


def rects(root: ET.Element) -> list[ET.Element]:
    return root.findall(f".//{SVG}rect")


def test_bar_chart_is_accessible_svg_with_title_and_desc():
    svg = charts.bar_chart([("Karachi", 12), ("Quetta", 3)], title="Killed by city", desc="Two cities", chart_id="c1")
    root = parse(svg)
    assert root.get("role") == "img"
    assert root.get("aria-labelledby") == "c1-title c1-desc"
    assert root.find(f"{SVG}title").text == "Killed by city"
    assert root.find(f"{SVG}title").get("id") == "c1-title"
    assert root.find(f"{SVG}desc").text == "Two cities"
    assert "<script" not in svg and "http://" not in svg.replace('xmlns="http://www.w3.org/2000/svg"', "")


def test_bar_chart_bars_are_proportional_to_values():
    root = parse(charts.bar_chart([("A", 12), ("B", 3), ("C", 0)], title="t", desc="d", chart_id="c", width=484))
    widths = [float(r.get("width")) for r in rects(root)]
    # 484 - 84 units of room for the value text: the largest bar is 400 wide.
    assert widths == [400.0, 100.0, 0.0]
    texts = [t.text for t in root.iter(f"{SVG}text")]
    assert texts == ["A", "12", "B", "3", "C", "0"]


def test_bar_chart_unknown_value_reads_unknown_and_draws_no_bar():
    root = parse(charts.bar_chart([("A", None), ("B", 5)], title="t", desc="d", chart_id="c"))
    assert float(rects(root)[0].get("width")) == 0
    assert [t.text for t in root.iter(f"{SVG}text")][:2] == ["A", "unknown"]


def test_bar_chart_escapes_labels_and_titles():
    svg = charts.bar_chart(
        [("<script>alert(1)</script>", 1)], title='A "quoted" <b>title</b>', desc="x & y", chart_id="c"
    )
    assert "<script>" not in svg
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in svg
    assert "<b>" not in svg
    root = parse(svg)  # still well-formed XML
    assert root.find(f"{SVG}title").text == 'A "quoted" <b>title</b>'
    assert root.find(f"{SVG}desc").text == "x & y"


def test_chart_id_cannot_break_out_of_attribute():
    svg = charts.bar_chart([("A", 1)], title="t", desc="d", chart_id='x" onload="alert(1)')
    root = parse(svg)
    assert root.get("onload") is None
    assert re.fullmatch(r"[a-z0-9-]+-title [a-z0-9-]+-desc", root.get("aria-labelledby"))


def test_long_labels_are_truncated_but_kept_whole_in_the_tooltip():
    label = "Anti-Terrorism Court number seventeen of the city of Karachi, Sindh province"
    root = parse(charts.bar_chart([(label, 4)], title="t", desc="d", chart_id="c", label_limit=20))
    shown = [t.text for t in root.iter(f"{SVG}text")][0]
    assert len(shown) == 20 and shown.endswith("…")
    assert root.find(f"{SVG}g/{SVG}title").text == f"{label}: 4"


def test_empty_chart_says_no_data():
    root = parse(charts.bar_chart([], title="t", desc="d", chart_id="c"))
    assert [t.text for t in root.iter(f"{SVG}text")] == ["No data for this selection."]
    assert rects(root) == []


def test_numbers_are_formatted_with_thousands_separators():
    assert charts.format_number(1234567) == "1,234,567"
    assert charts.format_number(2.5) == "2.5"
    assert charts.format_number(4.0) == "4"
    assert charts.format_number(None) == "unknown"


@pytest.mark.parametrize(
    ("largest", "step"),
    [(0, 1), (3, 1), (10, 5), (12, 5), (97, 50), (1000, 500), (1221, 500), (40000, 10000), (0.5, 1)],
)
def test_nice_step(largest, step):
    assert charts.nice_step(largest) == step


def test_column_chart_has_one_column_per_item_on_a_shared_scale():
    items = [("2012", 10), ("2013", 5), ("2014", 0)]
    root = parse(charts.column_chart(items, title="By year", desc="d", chart_id="years", height=220))
    heights = [float(r.get("height")) for r in rects(root)]
    # plot height 220 - 10 - 28 = 182; axis top is 10 (step 5), so 10 fills it.
    assert heights == [182.0, 91.0, 0.0]
    tooltips = [g.find(f"{SVG}title").text for g in root.iter(f"{SVG}g")]
    assert tooltips == ["2012: 10", "2013: 5", "2014: 0"]
    labels = [t.text for t in root.iter(f"{SVG}text")]
    assert labels[:3] == ["0", "5", "10"]  # value axis
    assert labels[3:] == ["2012", "2013", "2014"]  # few columns: every one labelled


def year_labels(root: ET.Element) -> list[str]:
    """The text under the columns (the value axis labels sit left of the plot, anchored at its end)."""
    return [t.text for t in root.iter(f"{SVG}text") if t.get("text-anchor") == "middle"]


@pytest.mark.parametrize("count", [2, 3, 5, 16])
def test_column_chart_labels_every_column_when_there_is_room(count):
    items = [(str(2010 + i), i + 1) for i in range(count)]
    root = parse(charts.column_chart(items, title="t", desc="d", chart_id="c"))
    assert year_labels(root) == [str(2010 + i) for i in range(count)]
    # Each label's room (4 digits at 13 units, 0.6 em each, plus an 8-unit gap = 39.2) fits its column.
    xs = [float(t.get("x")) for t in root.iter(f"{SVG}text") if t.get("text-anchor") == "middle"]
    assert all(b - a == 40 for a, b in zip(xs, xs[1:], strict=False))


def test_column_chart_labels_longer_text_in_wider_columns():
    items = [("Jan 2013", 1), ("Feb 2013", 2), ("Mar 2013", 3)]
    root = parse(charts.column_chart(items, title="t", desc="d", chart_id="c"))
    assert year_labels(root) == ["Jan 2013", "Feb 2013", "Mar 2013"]
    assert [float(r.get("width")) for r in rects(root)] == [65.0, 65.0, 65.0]  # 8*13*0.6+8 = 70.4 -> 71, less 6


def test_column_chart_thins_labels_only_past_the_room_for_all():
    """17 years no longer fit at full label width: every second one is labelled, from the first."""
    items = [(str(2000 + i), 1) for i in range(17)]
    root = parse(charts.column_chart(items, title="t", desc="d", chart_id="c"))
    assert year_labels(root) == [str(2000 + i) for i in range(0, 17, 2)]


def test_column_chart_thins_labels_when_there_are_many_columns():
    items = [(str(year), year - 1990) for year in range(1995, 2027)]
    root = parse(charts.column_chart(items, title="t", desc="d", chart_id="c"))
    year_labels = [t.text for t in root.iter(f"{SVG}text") if t.text and len(t.text) == 4 and t.text.isdigit()]
    year_labels = [label for label in year_labels if label.startswith(("19", "20")) and int(label) >= 1995]
    assert year_labels[0] == "1995"
    assert 8 <= len(year_labels) < len(items)
    assert len(rects(root)) == len(items)


def test_column_chart_escapes_labels():
    svg = charts.column_chart([("<img>", 1)], title="<t>", desc="d", chart_id="c")
    assert "<img>" not in svg and "&lt;img&gt;" in svg
    parse(svg)


def test_funnel_shows_counts_and_share_of_first_step():
    steps = [("Fatal incidents", 40), ("Case registered", 20), ("Convicted", 4), ("Conviction upheld", 0)]
    root = parse(charts.funnel_chart(steps, title="Funnel", desc="d", chart_id="f", width=400))
    widths = [float(r.get("width")) for r in rects(root)]
    assert widths == [400.0, 200.0, 40.0, 0.0]
    xs = [float(r.get("x")) for r in rects(root)]
    assert xs == [0.0, 100.0, 180.0, 200.0]  # centred
    lines = ["".join(t.itertext()) for t in root.iter(f"{SVG}text")]
    assert lines == ["Fatal incidents: 40", "Case registered: 20, 50%", "Convicted: 4, 10%", "Conviction upheld: 0, 0%"]


def test_funnel_with_zero_first_step_has_no_shares():
    root = parse(charts.funnel_chart([("Fatal", 0), ("Case", 0)], title="t", desc="d", chart_id="f"))
    assert ["".join(t.itertext()) for t in root.iter(f"{SVG}text")] == ["Fatal: 0", "Case: 0"]


def test_funnel_escapes_labels():
    svg = charts.funnel_chart([("<script>x</script>", 1)], title="t", desc="d", chart_id="f")
    assert "<script>" not in svg and "&lt;script&gt;" in svg
    parse(svg)
