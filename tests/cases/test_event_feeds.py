"""Atom feeds of what happened in court, per case and per court: hearing outcomes, verdicts and
appeals, newest first; public records and fields only; hidden cases answer 404; constant queries."""

from __future__ import annotations

import datetime
from xml.etree import ElementTree

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from cases.models import AdjournmentReason, AppealOutcome, HearingOutcome, Stage, Verdict
from core.models import Status
from tests import factories as f

pytestmark = pytest.mark.django_db
D = datetime.date
ATOM = "{http://www.w3.org/2005/Atom}"


def entries(response) -> list[dict[str, str]]:
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    root = ElementTree.fromstring(response.content)  # noqa: S314 - our own response
    return [
        {
            "title": entry.findtext(f"{ATOM}title"),
            "id": entry.findtext(f"{ATOM}id"),
            "updated": entry.findtext(f"{ATOM}updated"),
            "link": entry.find(f"{ATOM}link").get("href"),
            "summary": entry.findtext(f"{ATOM}summary"),
        }
        for entry in root.iter(f"{ATOM}entry")
    ]


@pytest.fixture
def record(django_user_model):
    court = f.CourtFactory(name="Anti-Terrorism Court II, Karachi")
    high_court = f.CourtFactory(name="Sindh High Court", kind="high_court")
    case = f.CaseFactory(court=court, case_number="ATC 7/2012", confidential_notes="Informant lives in Lyari")
    recorder = django_user_model.objects.create_user("monitor-secret-name")
    adjourned = f.HearingFactory(
        case=case,
        date=D(2012, 7, 2),
        purpose=Stage.PROSECUTION_EVIDENCE,
        outcome=HearingOutcome.ADJOURNED,
        adjournment_reason=AdjournmentReason.WITNESS_ABSENT,
        next_date=D(2012, 7, 20),
        notes="PW-3 did not appear.",
        recorded_by=recorder,
    )
    f.HearingFactory(case=case, date=D(2012, 7, 20))  # scheduled only: not something that happened
    juvenile = f.ChargeFactory(
        case=case,
        accused=f.AccusedFactory(name="Secret Juvenile Name", is_juvenile=True),
        verdict=Verdict.CONVICTED,
        verdict_date=D(2013, 1, 10),
        sentence="Ten years",
    )
    f.ChargeFactory(case=case, accused=f.AccusedFactory(name="Pending Person"))  # no verdict yet
    appeal = f.AppealFactory(
        charge=juvenile,
        court=high_court,
        filed_on=D(2013, 2, 1),
        decided_on=D(2014, 5, 6),
        outcome=AppealOutcome.UPHELD,
    )
    return {
        "court": court,
        "high_court": high_court,
        "case": case,
        "hearing": adjourned,
        "charge": juvenile,
        "appeal": appeal,
    }


def test_case_feed_lists_outcomes_verdicts_and_appeals_newest_first(record):
    case, hearing, charge, appeal = record["case"], record["hearing"], record["charge"], record["appeal"]
    items = entries(Client().get(f"/cases/{case.pk}/feed/"))
    title = "ATC 7/2012, Anti-Terrorism Court II, Karachi"
    assert [item["title"] for item in items] == [
        f"Appeal decided: upheld (Juvenile (name withheld), {title})",
        f"Appeal filed by the convict to Sindh High Court (Juvenile (name withheld), {title})",
        f"Verdict: Juvenile (name withheld) convicted ({title})",
        f"Hearing 2 July 2012: adjourned (witness absent) ({title})",
    ]
    base = f"http://testserver/cases/{case.pk}/"
    assert [item["id"] for item in items] == [
        f"{base}#appeal-decided-{appeal.pk}",
        f"{base}#appeal-filed-{appeal.pk}",
        f"{base}#verdict-{charge.pk}",
        f"{base}#hearing-{hearing.pk}",
    ]
    assert [item["updated"] for item in items] == [
        "2014-05-06T00:00:00+05:00",
        "2013-02-01T00:00:00+05:00",
        "2013-01-10T00:00:00+05:00",
        "2012-07-02T00:00:00+05:00",
    ]
    assert items[2]["link"] == f"{base}#accused"
    assert items[2]["summary"] == "10 January 2013: Juvenile (name withheld) convicted. Sentence: Ten years."
    assert items[3]["summary"] == (
        "2 July 2012, Anti-Terrorism Court II, Karachi. Listed for prosecution evidence. Outcome: adjourned "
        "(witness absent). Next date: 20 July 2012. PW-3 did not appear."
    )


def test_feeds_never_show_confidential_fields(record):
    for url in (f"/cases/{record['case'].pk}/feed/", f"/courts/{record['court'].pk}/feed/"):
        text = Client().get(url).content.decode()
        for secret in ("monitor-secret-name", "Secret Juvenile Name", "Informant lives in Lyari"):
            assert secret not in text


@pytest.mark.parametrize("status", [Status.DRAFT, Status.RETRACTED])
def test_hidden_case_feed_is_not_found_and_its_events_are_in_no_court_feed(record, status, monitor_client):
    case = record["case"]
    case.status = status
    case.save()
    assert Client().get(f"/cases/{case.pk}/feed/").status_code == 404
    assert monitor_client.get(f"/cases/{case.pk}/feed/").status_code == 404  # feeds are public: no login
    assert entries(Client().get(f"/courts/{record['court'].pk}/feed/")) == []
    assert entries(Client().get(f"/courts/{record['high_court'].pk}/feed/")) == []


def test_court_feed_has_hearings_before_it_and_appeals_it_heard(record):
    other_case = f.CaseFactory(case_number="ATC 9/2013")  # another court's case, heard once here
    f.HearingFactory(case=other_case, court=record["court"], date=D(2013, 3, 4), outcome=HearingOutcome.PROCEEDED)
    titles = [item["title"] for item in entries(Client().get(f"/courts/{record['court'].pk}/feed/"))]
    assert titles[1] == f"Hearing 4 March 2013: proceeded ({other_case.title})"
    assert len(titles) == 5
    high_court = [item["title"] for item in entries(Client().get(f"/courts/{record['high_court'].pk}/feed/"))]
    assert [t.split(" (")[0] for t in high_court] == [
        "Appeal decided: upheld",
        "Appeal filed by the convict to Sindh High Court",
    ]


def test_unknown_court_or_case_is_not_found():
    assert Client().get("/courts/999/feed/").status_code == 404
    assert Client().get("/cases/999/feed/").status_code == 404


def test_case_and_court_pages_link_their_feeds(record):
    case, court = record["case"], record["court"]
    page = Client().get(f"/cases/{case.pk}/").content.decode()
    assert f'<link rel="alternate" type="application/atom+xml" href="/cases/{case.pk}/feed/"' in page
    page = Client().get(f"/courts/{court.pk}/").content.decode()
    assert f'<link rel="alternate" type="application/atom+xml" href="/courts/{court.pk}/feed/"' in page


def test_feeds_run_the_same_queries_for_few_or_many_events(record):
    case, court = record["case"], record["court"]

    def count(url):
        with CaptureQueriesContext(connection) as queries:
            assert Client().get(url).status_code == 200
        return len(queries)

    before = [count(f"/cases/{case.pk}/feed/"), count(f"/courts/{court.pk}/feed/")]
    for day in range(1, 29):
        f.HearingFactory(case=case, date=D(2015, 2, day), outcome=HearingOutcome.PROCEEDED)
        charge = f.ChargeFactory(case=case, verdict=Verdict.ACQUITTED, verdict_date=D(2015, 3, day))
        f.AppealFactory(charge=charge, court=record["high_court"], appellant="state", filed_on=D(2015, 4, day))
    assert [count(f"/cases/{case.pk}/feed/"), count(f"/courts/{court.pk}/feed/")] == before
    assert len(entries(Client().get(f"/cases/{case.pk}/feed/"))) == 50
