"""The home page answers the op-ed's question (issue 15): the impunity rate with its coverage and counts,
cases over the s.19(7) limit and by how much, the median disposal time; each count links to a list
holding exactly those records; the figures are the cached statistics'; a constant number of queries."""

from __future__ import annotations

import datetime
import html as htmllib
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cases.models import AppealOutcome, Custody, Stage, Verdict
from core.models import Status
from tests import factories as f
from tests.conftest import TODAY

D = datetime.date

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fixed_today(time_machine):
    time_machine.move_to(TODAY)


@pytest.fixture
def example():
    """DESIGN.md's worked example (E1 convicted, E2 pending, E3 killed nobody, a draft E4 with a draft
    conviction), plus a pending case over the limit and a recent one within it."""
    e1 = f.IncidentFactory(title="E1", date=D(2012, 3, 10), killed=2, injured=1)
    e2 = f.IncidentFactory(title="E2", date=D(2012, 4, 2), killed=10, injured=None)
    f.IncidentFactory(title="E3", date=D(2012, 5, 20), killed=0, injured=3)
    e4 = f.IncidentFactory(title="E4", date=D(2012, 4, 15), killed=50, status=Status.DRAFT)
    k1 = f.CaseFactory(incidents=[e1], cognizance_date=D(2012, 6, 1), judgment_date=D(2013, 1, 10), stage="decided")
    x = f.ChargeFactory(case=k1, verdict=Verdict.CONVICTED, verdict_date=D(2013, 1, 10))
    f.AppealFactory(charge=x, filed_on=D(2013, 2, 1), decided_on=D(2014, 5, 6), outcome=AppealOutcome.UPHELD)
    f.ChargeFactory(case=k1, verdict=Verdict.ACQUITTED, verdict_date=D(2013, 1, 10))
    k2 = f.CaseFactory(incidents=[e2], cognizance_date=D(2026, 11, 11), stage=Stage.PROSECUTION_EVIDENCE)
    f.ChargeFactory(case=k2, verdict=Verdict.PENDING, custody=Custody.ABSCONDING)
    f.CaseFactory(incidents=[e2], cognizance_date=D(2026, 11, 20), stage=Stage.COGNIZANCE_TAKEN)
    k4 = f.CaseFactory(incidents=[e4], status=Status.DRAFT, cognizance_date=D(2012, 5, 1))
    f.ChargeFactory(case=k4, verdict=Verdict.CONVICTED, verdict_date=D(2012, 5, 2))


def answers(response) -> dict[str, object]:
    return {a.label: a for a in response.context["answers"]}


def test_home_answers_with_exact_figures_and_the_small_number_rule(client, example):
    response = client.get("/")
    got = answers(response)
    impunity = got["Impunity rate"]
    assert impunity.value == "too few to say (n = 2)"  # 1 of 2 researched, too few for a rate
    assert impunity.detail == (
        "Of the fatal attacks at least 3 years old whose court record has been researched, the share in which "
        "no conviction of anyone stands: 1 of 2. Research coverage: 2 of 2 fatal attacks of that age (100%)."
    )
    over = got["Cases over the s.19(7) limit"]
    assert over.value == "1"
    assert over.detail == (
        "Pending cases past the seven working days of ATA s.19(7), of 2 pending cases since cognizance; "
        "median excess too few to say (n = 1), the longest 3."
    )
    disposal = got["Median disposal time"]
    assert disposal.value == "too few to say (n = 1)"
    assert disposal.detail == "From cognizance to judgment, over 1 decided case; 0 decided within seven working days."
    assert response.context["totals"] == {
        "incidents": 3,
        "killed": 12,
        "injured": 4,
        "killed_unknown": 0,
        "injured_unknown": 1,
    }


def test_home_figures_are_the_statistics_api_s(client, example):
    payload = client.get("/api/statistics/").json()
    response = client.get("/")
    assert response.context["figures"].payload["impunity"] == payload["impunity"]
    assert (
        response.context["figures"].payload["courts"]["over_statutory_limit"]
        == (payload["courts"]["over_statutory_limit"])
    )


def count_behind(client, url: str) -> int:
    response = client.get(url)
    assert response.status_code == 200
    return response.context["page"].paginator.count


def test_each_count_links_to_a_list_of_exactly_those_records(client, example):
    payload = client.get("/api/statistics/").json()
    got = answers(client.get("/"))
    impunity, over = payload["impunity"], payload["courts"]["over_statutory_limit"]
    expected = {
        "Impunity rate": [impunity["unpunished"], impunity["researched"], impunity["fatal_old"]],
        "Cases over the s.19(7) limit": [over["over_limit"], over["pending_with_cognizance"]],
        "Median disposal time": [payload["courts"]["disposal"]["count"]],
    }
    assert expected == {"Impunity rate": [1, 2, 2], "Cases over the s.19(7) limit": [1, 2], "Median disposal time": [1]}
    for label, counts in expected.items():
        assert [count_behind(client, url) for _, url in got[label].links] == counts


def test_every_link_on_the_page_is_rendered_and_escaped(client, example):
    html = client.get("/").content.decode()
    for url in re.findall(r'href="(/(?:incidents|cases)/\?[^"]+)"', html):
        assert client.get(htmllib.unescape(url)).status_code == 200
    assert "How this is counted" in html
    assert "E4" not in html  # the draft never shows


def test_latest_incidents_show_their_justice_status(client, example):
    html = client.get("/").content.decode()
    assert 'class="justice justice-convicted">Convicted (conviction stands)</span>' in html
    assert 'class="justice justice-trial_pending">Trial pending</span>' in html
    assert 'class="justice justice-not_researched">Not yet researched</span>' in html


def test_staff_see_the_public_figures(editor_client, client, example):
    public = answers(client.get("/"))
    staff = answers(editor_client.get("/"))
    assert [(a.value, a.detail) for a in staff.values()] == [(a.value, a.detail) for a in public.values()]


def test_being_counted_shows_the_records_and_says_so(client, example, monkeypatch):
    from dashboard import cache, views

    def pending(*args, **kwargs):
        raise cache.FiguresPending(retry_after=2)

    monkeypatch.setattr(views, "statistics_for", pending)
    response = client.get("/")
    assert response.status_code == 200
    assert "The figures are being counted" in response.content.decode()
    assert "no-store" in response["Cache-Control"]
    assert [i.title for i in response.context["incidents"]] == ["E3", "E2", "E1"]


def count_queries(client) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/").status_code == 200
    return len(queries)


def test_the_same_queries_for_few_or_many_records(client, example):
    one = count_queries(client)
    for n in range(20):
        incident = f.IncidentFactory(title=f"More {n}", date=D(2013, 1, 1) + datetime.timedelta(days=n))
        f.IncidentSourceFactory(incident=incident)
        case = f.CaseFactory(incidents=[incident], cognizance_date=D(2020, 1, 6) + datetime.timedelta(days=n))
        f.ChargeFactory(case=case)
        f.HearingFactory(case=case, date=D(2026, 12, 1) + datetime.timedelta(days=n))
    assert count_queries(client) == one
