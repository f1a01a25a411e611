"""/statistics/report/ with one end of the period only (issue 14): a start date and nothing matching
has no last date, and the report says "Since …" instead of failing."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse

from dashboard import report
from tests import factories as f
from tests.dashboard.test_report import text_of

D = datetime.date
pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fixed_today(time_machine):
    time_machine.move_to(D(2026, 11, 25))


def test_month_span_with_one_end():
    assert report.month_span(D(2027, 1, 1), None) == "Since January 2027"
    assert report.month_span(None, D(2012, 5, 31)) == "Until May 2012"


@pytest.mark.parametrize(
    ("params", "opening"),
    [
        ({"date_from": "2027-01-01"}, "Since January 2027, no published attack is recorded."),
        ({"date_to": "2001-05-31"}, "Until May 2001, no published attack is recorded."),
    ],
)
def test_a_period_with_nothing_in_it_and_one_end(client, params, opening):
    f.IncidentFactory(date=D(2012, 3, 1))
    response = client.get(reverse("dashboard:report"), params)
    assert response.status_code == 200
    assert opening in text_of(response)
