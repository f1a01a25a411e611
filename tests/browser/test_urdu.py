"""The tracker in Urdu (/ur/), in headless Chromium at a laptop's and a phone's width: right to left,
the language switch, nothing wider than a phone, and no English message left on the page.

Data entered in English is on the page as entered, so every free text this test makes is one token
starting with "DATA" ("DATA-Karachi"), and the check skips those tokens. Addresses and codes are
also left as they are: text inside <code> or inside an element marked dir="ltr" (permanent links,
backup codes), and text in another language on purpose (the "English" link of the switch).
Screenshots go to SHOTS (outside the repository) to be looked at.
"""

from __future__ import annotations

import datetime
import os
import re
from pathlib import Path

import pytest

from cases.models import Stage
from tests import factories as f
from tests.conftest import TODAY, make_user
from tracker.roles import MONITORS

from .conftest import PHONE

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.usefixtures("roles"),
]
D = datetime.date
LAPTOP = {"width": 1366, "height": 768}
WIDTHS = {"1366": LAPTOP, "390": PHONE}
SHOTS = Path(os.environ.get("URDU_SHOTS_DIR", "/tmp/urdu-shots"))
# Latin words an Urdu page may keep: the glossary's abbreviations written in English letters in the
# Urdu press and on court papers, format names, and the date pattern a reader types (YYYY-MM-DD: the
# date fields take ISO dates in both languages). Everything else in Latin letters is a message
# someone forgot to translate.
ALLOWED_WORDS = {"CSV", "API", "FIR", "PDF", "QR", "OpenAPI", "YAML", "JSON", "iCal", "YYYY", "MM", "DD"}

# Every text a reader (or a screen reader) gets from the page in Urdu: visible text nodes, and the
# aria-label, alt, title and placeholder of visible elements. Skipped: scripts and styles, <code>,
# elements marked dir="ltr" (addresses, codes) and text whose nearest lang is not Urdu.
TEXTS_JS = """
() => {
  const skip = el => el.closest('script, style, noscript, code, [dir="ltr"]')
    || (el.closest('[lang]') && el.closest('[lang]').getAttribute('lang') !== 'ur');
  const shown = el => el.getClientRects().length > 0 && getComputedStyle(el).visibility !== 'hidden';
  const texts = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const el = walker.currentNode.parentElement;
    const text = walker.currentNode.textContent.trim();
    if (text && el && !skip(el) && shown(el)) texts.push(text);
  }
  for (const el of document.body.querySelectorAll('[aria-label], [alt], [title], [placeholder]')) {
    if (skip(el) || !shown(el)) continue;
    for (const name of ['aria-label', 'alt', 'title', 'placeholder']) {
      const value = (el.getAttribute(name) || '').trim();
      if (value) texts.push(value);
    }
  }
  texts.push(document.title);
  return texts;
}
"""


def english_words(texts: list[str]) -> list[str]:
    """The words in Latin letters (two or more) that are neither data ("DATA-…") nor allowed."""
    words = []
    for text in texts:
        for token in text.split():
            if "DATA" in token:
                continue
            words += [w for w in re.findall(r"[A-Za-z]{2,}", token) if w not in ALLOWED_WORDS]
    return words


@pytest.fixture(autouse=True)
def fixed_today(time_machine):
    time_machine.move_to(TODAY)


@pytest.fixture
def records(db):
    """One published incident with its case and hearings, every free text a DATA token."""
    province = f.ProvinceFactory(name="DATA-Sindh", slug="data-sindh")
    city = f.CityFactory(name="DATA-Karachi", slug="data-karachi", province=province)
    incident = f.IncidentFactory(
        title="DATA-Attack",
        date=D(2013, 3, 4),
        province=province,
        city=city,
        locality="DATA-Locality",
        killed=3,
        injured=5,
        communities=[f.CommunityFactory(name="DATA-Community", slug="data-community")],
    )
    f.IncidentSourceFactory(
        incident=incident,
        source=f.SourceFactory(title="DATA-Report", publisher="DATA-Publisher", url="https://example.org/DATA"),
    )
    court = f.CourtFactory(name="DATA-Court", city=city)
    case = f.CaseFactory(
        court=court,
        case_number="DATA-12/2013",
        fir_number="DATA-42/2013",
        incidents=[incident],
        cognizance_date=D(2026, 11, 2),
        stage=Stage.CHARGE_FRAMED,
    )
    f.ChargeFactory(case=case, accused=f.AccusedFactory(name="DATA-Accused"))
    for year, killed in ((2011, 2), (2012, 6)):  # three years for the charts by year
        f.IncidentFactory(title=f"DATA-Attack-{year}", date=D(year, 5, 1), province=province, city=city, killed=killed)
    f.HearingFactory(case=case, date=D(2026, 11, 20))
    return {"incident": incident, "case": case}


def pages(records) -> dict[str, str]:
    incident, case = records["incident"], records["case"]
    return {
        "home": "/ur/",
        "incident": f"/ur/incidents/{incident.pk}/",
        "case": f"/ur/cases/{case.pk}/",
        "statistics": "/ur/statistics/",
        "hearing-form": f"/ur/staff/hearings/record/?case={case.pk}",
    }


def open_in_urdu(name, width, page, staff_page, live_server, records, django_user_model):
    if name == "hearing-form":
        page = staff_page(make_user(django_user_model, "DATA-monitor", group=MONITORS))
    page.set_viewport_size(WIDTHS[width])
    path = pages(records)[name]
    response = page.goto(live_server.url + path)
    assert response.status == 200
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}-{width}.png"), full_page=True)
    for index, chart in enumerate(page.locator("svg.chart").all()[:3]):
        chart.screenshot(path=str(SHOTS / f"{name}-{width}-chart{index}.png"))
    return page, path


PAGES = ["home", "incident", "case", "statistics", "hearing-form"]


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("name", PAGES)
def test_urdu_page_is_right_to_left_fits_and_switches_to_english(
    name, width, page, staff_page, live_server, records, django_user_model
):
    page, path = open_in_urdu(name, width, page, staff_page, live_server, records, django_user_model)
    assert page.evaluate("[document.documentElement.lang, document.documentElement.dir]") == ["ur", "rtl"]
    if width == "390":
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    switch = page.locator("a.language-switch")
    assert switch.get_attribute("hreflang") == "en-gb"
    assert switch.inner_text() == "English"
    switch.click()
    page.wait_for_url(live_server.url + path.removeprefix("/ur"))
    assert page.evaluate("[document.documentElement.lang, document.documentElement.dir]") == ["en-gb", "ltr"]
    assert page.locator("a.language-switch").get_attribute("href") == path


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("name", PAGES)
def test_urdu_page_has_no_english_message_left(name, width, page, staff_page, live_server, records, django_user_model):
    page, _ = open_in_urdu(name, width, page, staff_page, live_server, records, django_user_model)
    texts = page.evaluate(TEXTS_JS)
    left = [text for text in texts if english_words([text])]
    (SHOTS / f"{name}-{width}-english.txt").write_text("\n".join(left) + "\n")  # for whoever translates
    assert left == []


def test_urdu_text_is_set_in_the_self_hosted_fonts(page, live_server, records):
    page.goto(live_server.url + "/ur/")
    page.evaluate("document.fonts.ready")
    assert page.evaluate("document.fonts.check('16px \"Tracker Nastaliq\"', 'اردو')")
    loaded = page.evaluate("[...document.fonts].filter(f => f.status === 'loaded').map(f => f.family)")
    assert '"Tracker Nastaliq"' in loaded or "Tracker Nastaliq" in loaded


def test_english_page_downloads_only_the_four_letters_of_the_word_urdu(page, live_server, records):
    fonts = []
    page.on("request", lambda request: fonts.append(request.url) if request.resource_type == "font" else None)
    page.goto(live_server.url + "/")
    page.wait_for_load_state("networkidle")
    assert [url.rsplit("/", 1)[1] for url in fonts] == ["noto-nastaliq-urdu-language-name.woff2"]
    SHOTS.mkdir(parents=True, exist_ok=True)
    for width, size in WIDTHS.items():  # the English look, to compare with the Urdu pages
        page.set_viewport_size(size)
        page.screenshot(path=str(SHOTS / f"english-home-{width}.png"))
