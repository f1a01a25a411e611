"""Widths a person notices (issue 14): the key figures of /incidents/ on a phone, a followed search on
a phone, and the admin's widest add forms on a 1,366 px laptop screen — in headless Chromium."""

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


def page_width(page) -> int:
    return page.evaluate("document.documentElement.scrollWidth")


def test_incident_list_shows_killed_and_injured_on_a_phone(page, live_server, tmp_path):
    sindh = f.ProvinceFactory(name="Sindh", slug="sindh")
    karachi = f.CityFactory(name="Karachi", slug="karachi", province=sindh)
    f.IncidentFactory(
        title="Target killing of a doctor outside his clinic in Gulshan-e-Iqbal",
        date=D(2013, 3, 4),
        province=sindh,
        city=karachi,
        locality="Gulshan-e-Iqbal, Block 13-D",
        killed=1,
        injured=None,
        communities=[f.CommunityFactory(name="Shia", slug="shia")],
    )
    page.set_viewport_size(PHONE)
    page.goto(f"{live_server.url}/incidents/")
    assert page_width(page) <= PHONE["width"]
    table = page.locator("table.data-table")
    for name in ("Killed", "Injured"):
        header = page.get_by_role("columnheader", name=name)
        header.scroll_into_view_if_needed()
        box = header.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"], (name, box)
    # The figures themselves, not only their headers: nothing scrolled sideways inside the table.
    assert table.evaluate("t => t.parentElement.scrollWidth <= t.parentElement.clientWidth")
    row = page.get_by_role("row").nth(1)
    assert row.get_by_role("cell").nth(2).inner_text() == "1"
    assert row.get_by_role("cell").nth(3).inner_text().strip() == "unknown"
    # Place and attack type move under the title rather than being lost.
    assert row.get_by_text("Karachi, Sindh · Target killing").is_visible()
    page.screenshot(path=str(tmp_path / "incidents-phone.png"), full_page=True)

    page.set_viewport_size(LAPTOP)
    assert page.get_by_role("columnheader", name="Attack type").is_visible()
    assert not row.get_by_text("Karachi, Sindh · Target killing").is_visible()


def test_follow_search_is_titled_in_words_and_fits_a_phone(page, live_server):
    f.ProvinceFactory(name="Sindh", slug="sindh")
    page.set_viewport_size(PHONE)
    query = "province=sindh&attack_type=target_killing&date_from=2013-01-01&date_to=2013-12-31&city=&q="
    page.goto(f"{live_server.url}/follow/search/?{query}")
    heading = page.get_by_role("heading", level=1)
    assert heading.inner_text() == "Follow incidents in Sindh, target killing, 2013"
    assert page.title().startswith("Follow incidents in Sindh, target killing, 2013 by e-mail")
    assert page_width(page) <= PHONE["width"]


def test_filter_form_submits_no_empty_fields(page, live_server):
    f.ProvinceFactory(name="Sindh", slug="sindh")
    f.IncidentFactory(province=f.ProvinceFactory(slug="sindh"))
    page.goto(f"{live_server.url}/incidents/")
    page.get_by_label("Province").select_option("sindh")
    page.get_by_role("button", name="Apply filters").click()
    page.wait_for_url("**/incidents/?*")
    assert page.url.split("?", 1)[1] == "province=sindh&sort=-date"
    assert page.get_by_label("City").locator("option").all_inner_texts() == ["Any city"]


@pytest.mark.parametrize("url", ["/admin/cases/case/add/", "/admin/incidents/incident/add/"])
def test_admin_add_forms_fit_a_laptop_screen(staff_page, live_server, superuser, url, tmp_path):
    page = staff_page(superuser)
    page.set_viewport_size(LAPTOP)
    page.goto(live_server.url + url)
    assert page.get_by_role("button", name="Save", exact=True).is_visible()
    assert page_width(page) <= LAPTOP["width"]
    page.screenshot(path=str(tmp_path / "admin-add.png"), full_page=True)
