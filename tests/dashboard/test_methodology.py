"""`/methodology/` (issue 15): every figure of /api/statistics/ has an entry, every statistics table,
headline box, report sentence and home figure links to an entry that exists; the sources and the
working calendar come from the database; a constant number of queries; published records only."""

from __future__ import annotations

import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cases.models import Holiday
from core.models import Status
from dashboard import methodology
from dashboard.tables import statistics_tables
from tests import factories as f
from tests.conftest import TODAY

D = datetime.date
URL = "/methodology/"

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fixed_today(time_machine):
    time_machine.move_to(TODAY)


@pytest.fixture
def data():
    """Two published incidents (one citing a dataset), a draft citing its own source, a decided case."""
    pbc = f.SourceFactory(title="Pakistan Body Count", citation="Usmani, Pakistan Body Count, Kaggle, 2017.")
    paper = f.SourceFactory(title="Daily Example report", citation="")
    secret = f.SourceFactory(title="Unpublished tip-off")
    e1 = f.IncidentFactory(title="E1", killed=2)
    e2 = f.IncidentFactory(title="E2", killed=10, date=D(2012, 4, 2))
    draft = f.IncidentFactory(title="Draft", status=Status.DRAFT)
    f.IncidentSourceFactory(incident=e1, source=pbc)
    f.IncidentSourceFactory(incident=e2, source=pbc)
    f.IncidentSourceFactory(incident=e2, source=paper)
    f.IncidentSourceFactory(incident=draft, source=secret)
    f.IncidentSourceFactory(incident=draft, source=pbc)  # a draft adds nothing to a source's count
    f.CaseFactory(incidents=[e1], cognizance_date=D(2012, 6, 1), judgment_date=D(2013, 1, 10), stage="decided")
    return {"pbc": pbc, "paper": paper}


def test_every_figure_of_the_statistics_api_has_an_entry(client, data):
    payload = client.get("/api/statistics/").json()
    keys = methodology.figure_keys(payload)
    assert "impunity.coverage" in keys and "courts.over_statutory_limit" in keys  # the walk goes one level down
    missing = [key for key in keys if key not in methodology.anchors()]
    assert missing == [], f"figures with no methodology entry: {missing}"


def test_every_entry_names_only_figures_the_api_gives(client, data):
    keys = set(methodology.figure_keys(client.get("/api/statistics/").json()))
    assert set(methodology.anchors()) <= keys


def test_entries_have_unique_anchors_and_each_is_on_the_page(client, data):
    anchors = [entry.anchor for entry in methodology.entries()]
    assert len(anchors) == len(set(anchors))
    html = client.get(URL).content.decode()
    for anchor in anchors:
        assert f'id="{anchor}"' in html


def test_every_statistics_table_has_an_entry(client, data):
    payload = client.get("/api/statistics/").json()
    tables = statistics_tables(payload)
    assert set(tables) == set(methodology.TABLE_FIGURES)
    for table in tables.values():
        assert table.methodology_url.startswith(URL + "#")


def page_ids() -> set[str]:
    from django.test import Client

    return set(re.findall(r'id="([^"]+)"', Client().get(URL).content.decode()))


@pytest.mark.parametrize("page", ["/statistics/", "/statistics/report/", "/"])
def test_every_methodology_link_lands_on_an_entry(client, data, page):
    html = client.get(page).content.decode()
    anchors = re.findall(r'href="/methodology/#([^"]+)"', html)
    assert anchors, f"{page} links to no methodology entry"
    assert set(anchors) <= page_ids()


def test_statistics_page_links_each_table_and_headline_box(client, data):
    html = client.get("/statistics/").content.decode()
    assert html.count("How this is counted") == len(methodology.TABLE_FIGURES) + 6  # 14 tables, 6 headline boxes
    assert 'href="/methodology/#impunity-rate"' in html


def test_report_sentences_link_their_entries(client, data):
    html = client.get("/statistics/report/").content.decode()
    assert 'class="report-how" href="/methodology/#funnel"' in html
    assert 'class="report-how" href="/methodology/#impunity-rate"' in html


def test_rules_are_read_from_the_code(client, data, settings):
    settings.STATUTORY_LIMIT_WORKING_DAYS = 10
    settings.WORKING_WEEKDAYS = [0, 1, 2, 3, 5]
    html = client.get(URL).content.decode()
    assert "shall decide a case within 10 working days" in html
    assert "A working day is a Monday, Tuesday, Wednesday, Thursday and Saturday" in html
    assert "fewer than 5 cases" in html and "at least 3 years old" in html


def test_sources_of_published_incidents_with_citation_and_count(client, data):
    response = client.get(URL)
    rows = [(s.title, s.citation, s.incident_count) for s in response.context["sources"].object_list]
    assert rows == [
        ("Pakistan Body Count", "Usmani, Pakistan Body Count, Kaggle, 2017.", 2),
        ("Daily Example report", "", 1),
    ]
    assert "Unpublished tip-off" not in response.content.decode()


def test_holidays_and_coverage_come_from_the_database(client, data):
    Holiday.objects.create(date=D(2024, 3, 23), name="Pakistan Day")
    Holiday.objects.create(date=D(2025, 8, 14), name="Independence Day")
    html = client.get(URL).content.decode()
    assert "The holiday table holds 2 holidays, from 23 March 2024 to 14 August 2025." in html
    # E1 has a published case; E2 nobody has researched.
    assert "the court record of 1 of the 2 fatal incidents at least three years old is researched (50%)" in html


def count_queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_the_same_queries_for_few_or_many_sources(client, editor_client, data):
    one = count_queries(client, URL), count_queries(editor_client, URL)
    for n in range(60):
        f.IncidentSourceFactory(incident=f.IncidentFactory(title=f"More {n}"))
    assert (count_queries(client, URL), count_queries(editor_client, URL)) == one
    assert len(client.get(URL).context["sources"].object_list) == methodology.SOURCES_PAGE_SIZE
    assert client.get(URL + "?sources_page=2").context["sources"].number == 2


def test_nav_links_the_methodology(client, data):
    assert f'href="{reverse("dashboard:methodology")}"' in client.get("/").content.decode()
