"""The district map in headless Chromium at a laptop's 1,366 px and a phone's 390 px: the map and
its table fit, sit side by side or stacked, and a district is a keyboard-reachable link to its incidents."""

from __future__ import annotations

import datetime

import pytest

from tests import factories as f

from .conftest import PHONE

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.usefixtures("roles"),
]
D = datetime.date
LAPTOP = {"width": 1366, "height": 768}


@pytest.fixture
def incidents():
    fata = f.ProvinceFactory(name="Federally Administered Tribal Areas", slug="fata")
    sindh = f.ProvinceFactory(name="Sindh", slug="sindh")
    parachinar = f.CityFactory(name="Parachinar", slug="parachinar", province=fata, district="Kurram Agency")
    karachi = f.CityFactory(name="Karachi", slug="karachi", province=sindh, district="Karachi East")
    f.IncidentFactory(title="Parachinar bazaar bombing", date=D(2013, 7, 26), province=fata, city=parachinar, killed=57)
    f.IncidentFactory(title="Karachi shooting", date=D(2013, 3, 4), province=sindh, city=karachi, killed=1)


@pytest.mark.parametrize("viewport", [LAPTOP, PHONE], ids=["1366", "390"])
def test_map_and_table_fit_and_a_district_links_to_its_incidents(page, live_server, incidents, viewport, tmp_path):
    page.set_viewport_size(viewport)
    page.goto(f"{live_server.url}/statistics/map/?measure=killed")
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
    the_map = page.locator("svg.district-map")
    table = page.get_by_role("table")
    map_box, table_box = the_map.bounding_box(), table.bounding_box()
    assert map_box["width"] >= viewport["width"] * 0.4
    if viewport is LAPTOP:
        assert table_box["x"] >= map_box["x"] + map_box["width"]  # beside the map
    else:
        assert table_box["y"] >= map_box["y"] + map_box["height"]  # below it
    first = table.get_by_role("row").nth(1).get_by_role("cell")
    assert first.all_inner_texts()[:2] == ["1", "57"]  # most killed first: Kurram, then Karachi
    assert table.get_by_role("rowheader").nth(0).inner_text().startswith("Kurram")
    assert table.evaluate("t => t.parentElement.scrollWidth <= t.parentElement.clientWidth")  # no sideways scroll
    legend = page.locator(".map-legend li")
    assert legend.all_inner_texts()[0] == "None"
    page.screenshot(path=str(tmp_path / f"map-{viewport['width']}.png"), full_page=True)

    # The keyboard reaches the shaded districts (SVG links) and Enter follows one.
    kurram = page.get_by_role("link", name="Kurram (Federally Administered Tribal Areas): 1 incident, 57 killed")
    kurram.focus()
    assert page.evaluate("document.activeElement.getAttribute('aria-label')").startswith("Kurram")
    page.keyboard.press("Enter")
    page.wait_for_url("**/incidents/?district=kurram*")
    assert page.get_by_role("link", name="Parachinar bazaar bombing").is_visible()
    assert page.get_by_text("Karachi shooting").count() == 0
