"""The public site in a real browser (headless Chromium): filter, follow to statistics, read a
case's timeline, download a CSV, and use the pages at phone width and by keyboard."""

from __future__ import annotations

import csv
import datetime
import io
import re
from pathlib import Path

import pytest

from cases.models import AdjournmentReason, HearingOutcome
from tests.browser.conftest import PHONE
from tests.factories import (
    CaseFactory,
    CityFactory,
    CommunityFactory,
    HearingFactory,
    IncidentFactory,
    IncidentSourceFactory,
    ProvinceFactory,
)

# serialized_rollback as in test_staff_phone.py: a transactional test that flushes without it lets
# post_migrate make the content types again, which the next serialized rollback then collides with.
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

D = datetime.date


@pytest.fixture
def data():
    sindh = ProvinceFactory(name="Sindh", slug="sindh")
    punjab = ProvinceFactory(name="Punjab", slug="punjab")
    karachi = CityFactory(name="Karachi", slug="karachi", province=sindh)
    shia = CommunityFactory(name="Shia", slug="shia")
    e1 = IncidentFactory(
        title="Shooting on Alamdar Street",
        date=D(2012, 3, 10),
        province=sindh,
        city=karachi,
        killed=2,
        injured=1,
        communities=[shia],
    )
    e2 = IncidentFactory(title="Market bombing", date=D(2012, 4, 2), province=sindh, killed=10, injured=None)
    e3 = IncidentFactory(title="Lahore attack", date=D(2012, 5, 20), province=punjab, killed=0, injured=3)
    IncidentFactory(title="Unverified draft attack", province=sindh, killed=50, status="draft")
    for incident in (e1, e2, e3):
        IncidentSourceFactory(incident=incident, reported_killed=incident.killed)
    case = CaseFactory(case_number="Special Case 7/2012", incidents=[e1], cognizance_date=D(2012, 6, 1))
    HearingFactory(
        case=case,
        date=D(2012, 6, 5),
        outcome=HearingOutcome.ADJOURNED,
        adjournment_reason=AdjournmentReason.WITNESS_ABSENT,
        next_date=D(2012, 6, 20),
    )
    HearingFactory(case=case, date=D(2012, 6, 20), outcome=HearingOutcome.PROCEEDED, notes="PW-1 examined")
    return {"case": case}


def table_titles(page) -> list[str]:
    return page.locator("table.data-table tbody tr td:nth-child(2) a").all_inner_texts()


def headline(page, label: str) -> str:
    item = page.locator("#headline .figure-list li", has=page.locator(".label", has_text=re.compile(f"^{label}$")))
    return item.locator(".value").inner_text().strip()


def test_filter_incident_list_and_statistics_follow(page, live_server, data):
    page.goto(f"{live_server.url}/incidents/")
    assert sorted(table_titles(page)) == ["Lahore attack", "Market bombing", "Shooting on Alamdar Street"]

    page.get_by_label("Province", exact=True).select_option("sindh")
    page.get_by_role("button", name="Apply filters").click()
    page.wait_for_url(re.compile(r"province=sindh"))
    assert sorted(table_titles(page)) == ["Market bombing", "Shooting on Alamdar Street"]

    page.get_by_role("link", name=re.compile("Statistics for these")).click()
    page.wait_for_url(re.compile(r"/statistics/\?.*province=sindh"))
    assert headline(page, "Incidents") == "2"
    assert headline(page, "Killed") == "12"

    # Changing the filter on the statistics page changes the figures to match.
    page.get_by_label("Province", exact=True).select_option("punjab")
    page.get_by_role("button", name="Show statistics").click()
    page.wait_for_url(re.compile(r"province=punjab"))
    assert headline(page, "Incidents") == "1"
    assert headline(page, "Killed") == "0"


def test_open_a_case_timeline(page, live_server, data):
    page.goto(f"{live_server.url}/cases/")
    page.get_by_role("link", name="Special Case 7/2012").first.click()
    page.wait_for_url(re.compile(rf"/cases/{data['case'].pk}/$"))
    timeline = page.locator("ol.timeline")
    items = timeline.locator("li")
    assert items.count() == 2
    assert "witness absent" in items.nth(0).inner_text().lower()
    assert "PW-1 examined" in items.nth(1).inner_text()
    assert page.get_by_role("heading", name="The ATA s.19(7) clock").is_visible()


def test_download_incident_csv(page, live_server, data):
    page.goto(f"{live_server.url}/incidents/?province=sindh")
    with page.expect_download() as info:
        page.get_by_role("link", name="Download CSV").click()
    download = info.value
    text = Path(download.path()).read_text(encoding="utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert sorted(r["title"] for r in rows) == ["Market bombing", "Shooting on Alamdar Street"]
    assert {r["killed"] for r in rows} == {"2", "10"}
    assert "Unverified draft attack" not in text


@pytest.mark.parametrize("path", ["/", "/incidents/", "/cases/", "/statistics/", "/courts/", "/organisations/"])
def test_pages_fit_a_phone_and_label_every_field(page, live_server, data, path):
    page.set_viewport_size(PHONE)
    page.goto(f"{live_server.url}{path}")
    # No sideways scrolling of the whole page at 390 px (wide tables scroll inside their own box).
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 1, f"{path} is {overflow}px wider than the phone screen"
    unlabelled = page.evaluate(
        """() => [...document.querySelectorAll('input:not([type=hidden]), select, textarea')]
              .filter(el => !(el.labels && el.labels.length) && !el.getAttribute('aria-label'))
              .map(el => el.name || el.id)"""
    )
    assert unlabelled == []
    assert page.locator("h1").count() == 1


def test_keyboard_reaches_content_through_skip_link(page, live_server, data):
    page.goto(f"{live_server.url}/incidents/")
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.textContent.trim()")
    assert focused == "Skip to content"
    page.keyboard.press("Enter")
    assert page.evaluate("location.hash") == "#main"
