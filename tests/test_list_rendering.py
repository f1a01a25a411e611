"""What issue 18 changed in the list pages: choices fetched once, selects without an include per option,
a page's rows in one query, counts and status badges as filters; the same markup and rows as before."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core.models import Status
from core.templatetags.records import count, status_badge
from tests.factories import CaseFactory, ChargeFactory, CityFactory, IncidentFactory, ProvinceFactory

pytestmark = pytest.mark.django_db


def captured(client, url: str):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return response, [q["sql"] for q in ctx.captured_queries]


@pytest.mark.parametrize("url", ["/incidents/", "/cases/"])
def test_the_filter_choices_open_no_server_side_cursor(client, url):
    IncidentFactory()
    _, queries = captured(client, url)
    assert not [sql for sql in queries if sql.lstrip().upper().startswith("DECLARE")]
    assert sum('FROM "incidents_province"' in sql for sql in queries) == 1  # each choice table read once


def test_select_menus_keep_their_markup_and_the_chosen_option(client):
    sindh = ProvinceFactory(name="Sindh", slug="sindh")
    CityFactory(name="Karachi", slug="karachi", province=sindh)
    response = client.get("/incidents/?province=sindh&attack_type=bombing")
    html = response.content.decode()
    assert '<select name="province" id="id_province">' in html
    assert '<option value="">Any province</option>' in html
    assert '<option value="sindh" selected>Sindh</option>' in html
    assert '<option value="bombing" selected>Bombing (planted, IED, grenade)</option>' in html
    assert '<option value="karachi">Karachi</option>' in html  # the province's cities, none chosen


def test_a_deep_page_has_its_rows_in_order_in_one_query(client):
    for day in range(1, 56):
        IncidentFactory(title=f"Attack {day:02d}", date=datetime.date(2012, 1, 1) + datetime.timedelta(days=day))
    response, queries = captured(client, "/incidents/?sort=date&page=2")
    titles = [incident.title for incident in response.context["page"].object_list]
    assert titles == [f"Attack {day:02d}" for day in range(51, 56)]
    assert (
        sum(sql.startswith('SELECT "incidents_incident"."id", "incidents_incident"."status"') for sql in queries) == 1
    )


def test_case_rows_carry_their_charge_counts(client):
    case = CaseFactory(incidents=[IncidentFactory()])
    ChargeFactory(case=case, verdict="convicted", verdict_date=datetime.date(2014, 3, 1))
    ChargeFactory(case=case, verdict="acquitted", verdict_date=datetime.date(2014, 3, 1))
    ChargeFactory(case=case)
    other = CaseFactory()
    response = client.get("/cases/")
    rows = {row.pk: row for row in response.context["page"].object_list}
    assert (rows[case.pk].accused_count, rows[case.pk].convicted_count, rows[case.pk].acquitted_count) == (3, 1, 1)
    assert rows[case.pk].pending_count == 1 and rows[other.pk].accused_count == 0
    assert "1 convicted" in response.content.decode()


def test_count_prints_thousands_or_unknown():
    assert count(1234) == "1,234" and count(0) == "0"
    assert count(None) == '<span class="unknown">unknown</span>'


def test_status_badge_only_for_records_not_published():
    assert status_badge(IncidentFactory.build(status=Status.PUBLISHED)) == ""
    assert status_badge(IncidentFactory.build(status=Status.DRAFT)) == '<span class="badge badge-draft">Draft</span>'
    assert "Retracted" in status_badge(IncidentFactory.build(status=Status.RETRACTED))
