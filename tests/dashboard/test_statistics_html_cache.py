"""The statistics page below its filters, rendered once per computation of its figures
(dashboard/cache.py ``rendered_from``): retired with the figures by any data change, kept apart
per language and per the filters its links carry, and the same public page for every reader."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from core.models import Status
from dashboard import cache as statistics_cache
from dashboard import views
from tests import factories as f
from tests.committing import committed
from tests.conftest import TODAY

pytestmark = pytest.mark.django_db

URL = "/statistics/"


@pytest.fixture(autouse=True)
def caches_on(settings, time_machine):
    time_machine.move_to(datetime.datetime.combine(TODAY, datetime.time(12)), tick=False)
    settings.STATISTICS_CACHE_SECONDS = 600
    settings.FILTER_FORM_CACHE_SECONDS = 600


@pytest.fixture
def renders(monkeypatch) -> list[str]:
    """The filter query of each rendering of the page below the filters."""
    calls: list[str] = []
    real = views.statistics_body

    def counted(payload, query):
        calls.append(query)
        return real(payload, query)

    monkeypatch.setattr(views, "statistics_body", counted)
    return calls


@pytest.fixture
def sindh():
    return f.ProvinceFactory(name="Sindh", slug="sindh")


def page(client, url: str = URL, params: dict | None = None) -> str:
    response = client.get(url, params or {})
    assert response.status_code == 200
    return response.content.decode()


def test_the_second_reader_gets_the_page_rendered_for_the_first(client, sindh, renders):
    """Figures, the filter form (its menus' choices) and the page below it all come from the cache."""
    f.IncidentFactory(province=sindh, killed=3)
    first = page(client)
    with CaptureQueriesContext(connection) as ctx:
        second = page(client)
    assert renders == [""]
    assert second == first
    assert not [q["sql"] for q in ctx.captured_queries if '"incidents_province"' in q["sql"]]
    assert "See the 1 incident behind these figures" in second


def test_a_data_change_retires_the_rendered_page(client, sindh, renders, django_capture_on_commit_callbacks):
    with committed(django_capture_on_commit_callbacks):
        f.IncidentFactory(province=sindh, killed=3)
    before = page(client, params={"province": "sindh"})
    with committed(django_capture_on_commit_callbacks):
        f.IncidentFactory(province=sindh, killed=5)
    after = page(client, params={"province": "sindh"})
    assert "See the 1 incident behind these figures" in before
    assert "See the 2 incidents behind these figures" in after
    assert renders == ["province=sindh", "province=sindh"]


def test_urdu_and_english_pages_are_kept_apart(client, sindh, renders):
    f.IncidentFactory(province=sindh, killed=3)
    english = page(client)
    urdu = page(client, "/ur/statistics/")
    assert renders == ["", ""]
    assert "See the 1 incident behind these figures" in english
    assert "See the 1 incident behind these figures" not in urdu
    assert 'href="/ur/incidents/' in urdu and 'href="/ur/incidents/' not in english


def test_each_spelling_of_the_filters_keeps_its_own_links(client, sindh, renders):
    """Two spellings of one date name the same figures, computed once; each page links with its own."""
    f.IncidentFactory(province=sindh, killed=3)
    padded = page(client, params={"date_from": "2012-03-01"})
    unpadded = page(client, params={"date_from": "2012-3-1"})
    assert renders == ["date_from=2012-03-01", "date_from=2012-3-1"]
    assert "date_from=2012-3-1" in unpadded and "date_from=2012-3-1" not in padded


def test_staff_and_the_public_read_the_same_public_page(monitor_client, sindh, renders):
    f.IncidentFactory(province=sindh, killed=3)
    f.IncidentFactory(province=sindh, killed=50, status=Status.DRAFT)
    staff = page(monitor_client)
    public = page(Client())
    assert renders == [""]
    body = public[public.index('<ul class="actions">') :]
    assert body in staff
    assert "See the 1 incident behind these figures" in body


class NoRefresh:
    """The background refresh, not run: readers meanwhile get the previous figures."""

    def ask(self) -> bool:
        return False


def test_previous_figures_shown_during_a_refresh_keep_their_own_page(
    client, sindh, renders, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(statistics_cache, "refresher", NoRefresh())
    with committed(django_capture_on_commit_callbacks):
        f.IncidentFactory(province=sindh, killed=3)
    first = page(client)
    with committed(django_capture_on_commit_callbacks):
        f.IncidentFactory(province=sindh, killed=5)
    previous = page(client)
    assert "Figures as of" in previous and "Figures as of" not in first
    assert "See the 1 incident behind these figures" in previous
    assert page(client) == previous
    assert renders == ["", ""]  # once more as the previous figures, then kept
    statistics_cache.refresh_unfiltered()
    assert "See the 2 incidents behind these figures" in page(client)
    assert renders == ["", "", ""]
