"""The public case list's s.19(7) columns (issue 15): working days since cognizance and the excess over
the limit, sortable; the `clock` filter; the same in the CSV and the API; constant query counts."""

from __future__ import annotations

import csv
import datetime
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cases.models import Holiday, Stage
from core.models import Status
from tests import factories as f
from tests.conftest import TODAY

D = datetime.date
LIST = "/cases/"

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fixed_today(time_machine):
    time_machine.move_to(TODAY)  # Wednesday 25 November 2026


@pytest.fixture
def cases():
    """Working days Mon–Fri, no holiday unless a test adds one."""
    return {
        # DESIGN.md's worked example: 159 working days from cognizance to judgment.
        "decided": f.CaseFactory(
            case_number="Decided", cognizance_date=D(2012, 6, 1), judgment_date=D(2013, 1, 10), stage=Stage.DECIDED
        ),
        # Thu 12, Fri 13, Mon 16 – Fri 20, Mon 23 – Wed 25 November: 10 working days, 3 over.
        "over": f.CaseFactory(case_number="Over", cognizance_date=D(2026, 11, 11), stage=Stage.CHARGE_FRAMED),
        # Mon 23, Tue 24, Wed 25: 3 working days, within the limit.
        "within": f.CaseFactory(case_number="Within", cognizance_date=D(2026, 11, 20), stage=Stage.COGNIZANCE_TAKEN),
        "unstarted": f.CaseFactory(case_number="Unstarted", stage=Stage.UNDER_INVESTIGATION),
        "draft": f.CaseFactory(case_number="Draft", cognizance_date=D(2020, 1, 1), status=Status.DRAFT),
    }


def rows(client, query: str = "") -> list[tuple[str, int | None, int]]:
    response = client.get(f"{LIST}?{query}")
    assert response.status_code == 200
    return [(c.case_number, c.clock_working_days, c.clock_over_by) for c in response.context["page"].object_list]


def test_columns_count_working_days_to_the_judgment_or_today(client, cases):
    assert sorted(rows(client)) == [
        ("Decided", 159, 152),
        ("Over", 10, 3),
        ("Unstarted", None, 0),
        ("Within", 3, 0),
    ]
    html = client.get(LIST).content.decode()
    assert "Working days" in html and "Over limit by" in html


def test_a_holiday_takes_a_day_off_the_clock(client, cases):
    Holiday.objects.create(date=D(2026, 11, 16), name="A gazetted holiday")
    Holiday.objects.create(date=D(2026, 11, 21), name="On a Saturday: no day off")
    assert ("Over", 9, 2) in rows(client)


def test_sorting_by_the_clock_both_ways_puts_unstarted_cases_last(client, cases):
    assert [r[0] for r in rows(client, "sort=-clock")] == ["Decided", "Over", "Within", "Unstarted"]
    assert [r[0] for r in rows(client, "sort=clock")] == ["Within", "Over", "Decided", "Unstarted"]


def test_sorting_pages_through_every_case_once(client, cases, settings):
    for n in range(60):
        f.CaseFactory(case_number=f"Pending {n:02}", cognizance_date=D(2026, 1, 5) + datetime.timedelta(days=n))
    first = rows(client, "sort=-clock")
    second = rows(client, "sort=-clock&page=2")
    assert len(first) == 50 and len(second) == 14
    numbers = [r[0] for r in first + second]
    assert len(set(numbers)) == 64
    assert numbers[0] == "Pending 00" and numbers[-1] == "Unstarted"  # 232 working days since 5 January 2026
    assert first[0][1] == 232
    days = [r[1] for r in first + second if r[1] is not None]
    assert days == sorted(days, reverse=True)


@pytest.mark.parametrize(
    ("clock", "numbers"),
    [("over_limit", ["Over"]), ("pending", ["Over", "Within"]), ("decided", ["Decided"])],
)
def test_clock_filter(client, cases, clock, numbers):
    assert sorted(r[0] for r in rows(client, f"clock={clock}")) == numbers


def test_the_over_limit_filter_holds_exactly_the_cases_the_statistics_count(client, cases):
    f.CaseFactory(case_number="Old pending", cognizance_date=D(2025, 2, 3), stage=Stage.ARGUMENTS)
    f.CaseFactory(case_number="Transferred", cognizance_date=D(2025, 2, 3), stage=Stage.TRANSFERRED)
    over = client.get("/api/statistics/").json()["courts"]["over_statutory_limit"]
    listed = client.get(f"{LIST}?clock=over_limit").context["page"].paginator.count
    assert listed == over["over_limit"] == 2
    pending = client.get(f"{LIST}?clock=pending").context["page"].paginator.count
    assert pending == over["pending_with_cognizance"] == 3


def test_staff_see_draft_cases_with_their_clock(editor_client, cases):
    assert ("Draft", 1800, 1793) in rows(editor_client, "clock=over_limit")


def test_a_bad_clock_value_is_a_400(client, cases):
    assert client.get(f"{LIST}?clock=late").status_code == 400
    assert client.get(f"{LIST}?clock=late&format=csv").status_code == 400
    assert client.get("/api/cases/?clock=late").status_code == 400


def download(client, query: str) -> list[dict[str, str]]:
    response = client.get(f"{LIST}?format=csv&{query}")
    assert response.status_code == 200
    return list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))


def test_csv_gives_the_clock_in_the_chosen_order(client, cases):
    got = [
        (r["case_number"], r["working_days_since_cognizance"], r["over_limit_by"])
        for r in download(client, "sort=-clock")
    ]
    assert got == [("Decided", "159", "152"), ("Over", "10", "3"), ("Within", "3", "0"), ("Unstarted", "", "0")]
    assert [r["case_number"] for r in download(client, "clock=over_limit")] == ["Over"]


def test_api_gives_the_clock_and_filters_by_it(client, cases):
    body = client.get("/api/cases/?clock=pending").json()
    got = sorted((r["case_number"], r["working_days_since_cognizance"], r["over_limit_by"]) for r in body["results"])
    assert got == [("Over", 10, 3), ("Within", 3, 0)]
    unstarted = client.get(f"/api/cases/{cases['unstarted'].pk}/").json()
    assert (unstarted["working_days_since_cognizance"], unstarted["over_limit_by"]) == (None, 0)


def count_queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
        assert response.status_code == 200
        if response.streaming:
            b"".join(response.streaming_content)
    return len(queries)


@pytest.mark.parametrize(
    "url",
    [
        LIST,
        f"{LIST}?sort=-clock",
        f"{LIST}?clock=over_limit&sort=clock",
        f"{LIST}?format=csv&sort=-clock",
        "/api/cases/",
    ],
)
def test_the_same_queries_for_few_or_many_cases(client, cases, url):
    one = count_queries(client, url)
    for n in range(30):
        f.CaseFactory(cognizance_date=D(2026, 1, 5) + datetime.timedelta(days=n), incidents=[f.IncidentFactory()])
    assert count_queries(client, url) == one
