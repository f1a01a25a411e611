"""The lists' filter form, rendered once per data version, language and filter values
(incidents/listing.py ``rendered_filter_form``): retired by any data change, never shared between
languages or filter values, never kept with errors."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from incidents.filters import IncidentFilter
from incidents.listing import filter_form_key
from incidents.models import Incident
from tests.committing import committed
from tests.factories import CityFactory, CourtFactory, IncidentFactory, ProvinceFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def form_cache_on(settings):
    settings.FILTER_FORM_CACHE_SECONDS = 600


def form_of(client, url: str) -> tuple[str, list[str]]:
    """The filter form's HTML on the page at ``url``, and the SQL the page ran."""
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code in (200, 400)
    html = response.content.decode()
    start = html.index('<form class="filters"')
    return html[start : html.index("</form>", start)], [q["sql"] for q in ctx.captured_queries]


def reads_choices(queries: list[str]) -> bool:
    return any('FROM "incidents_province"' in sql for sql in queries)


@pytest.mark.parametrize("url", ["/incidents/", "/cases/"])
def test_the_second_reader_gets_the_form_without_reading_its_choices(client, url):
    ProvinceFactory(name="Sindh", slug="sindh")
    CourtFactory(name="ATC-I Karachi")
    first, first_queries = form_of(client, url)
    second, second_queries = form_of(client, url)
    assert reads_choices(first_queries)
    assert not reads_choices(second_queries)
    assert second == first
    assert '<option value="sindh">Sindh</option>' in second


def test_a_data_change_retires_the_cached_form(client, django_capture_on_commit_callbacks):
    # Committed as far as the data version can tell (on PostgreSQL a trigger counts the change at COMMIT).
    with committed(django_capture_on_commit_callbacks):
        sindh = ProvinceFactory(name="Sindh", slug="sindh")
        CityFactory(name="Karachi", slug="karachi", province=sindh)
    before, _ = form_of(client, "/incidents/")
    with committed(django_capture_on_commit_callbacks):
        CityFactory(name="Zafarnagar", slug="zafarnagar", province=sindh)  # a town of no seed list
    after, queries = form_of(client, "/incidents/")
    assert '<option value="zafarnagar">Zafarnagar</option>' not in before
    assert '<option value="zafarnagar">Zafarnagar</option>' in after
    assert reads_choices(queries)


def test_each_filter_value_has_its_own_form_and_the_page_number_none(client):
    sindh = ProvinceFactory(name="Sindh", slug="sindh")
    ProvinceFactory(name="Punjab", slug="punjab")
    IncidentFactory(province=sindh)
    plain, _ = form_of(client, "/incidents/")
    chosen, _ = form_of(client, "/incidents/?province=sindh")
    second_page, queries = form_of(client, "/incidents/?province=sindh&page=2")
    assert '<option value="sindh" selected>Sindh</option>' in chosen
    assert '<option value="sindh">Sindh</option>' in plain
    assert second_page == chosen
    assert not reads_choices(queries[1:])  # the province lookup of the filter itself comes first


def test_a_form_with_errors_is_rendered_each_time(client):
    ProvinceFactory(name="Sindh", slug="sindh")
    form_of(client, "/incidents/?date_from=yesterday")
    html, queries = form_of(client, "/incidents/?date_from=yesterday")
    assert 'id="id_date_from_error"' in html
    assert reads_choices(queries)


def test_urdu_and_english_forms_are_kept_apart():
    request = RequestFactory().get("/incidents/", {"province": "sindh", "page": "3"})
    form = IncidentFilter(request.GET, queryset=Incident.objects.none()).form
    with translation.override("en"):
        english = filter_form_key(request, form)
    with translation.override("ur"):
        urdu = filter_form_key(request, form)
    assert english.startswith("filter-form:en:")
    assert urdu.startswith("filter-form:ur:")
    assert english.split(":")[2] == urdu.split(":")[2]  # the same path and values, another language
