"""The figures under real conditions: real commits, two connections writing one case at once, and
writes that send no signal (``update()``, ``bulk_create``). Every figure is computed from the
source tables, so nothing stored can be left behind, and saving never fails on a derived row.

These tests commit (``transaction=True``); the two-connection one needs PostgreSQL (SQLite
serialises writers by locking the whole file).
"""

from __future__ import annotations

import datetime
import threading

import pytest
from django.db import connection, transaction
from django.urls import reverse

from cases.models import Case, Charge, Hearing, HearingOutcome, Verdict
from core.models import Status
from incidents.models import Attribution, AttributionKind
from tests import factories as f
from tests.api_world import assert_no_secrets, build_world

pytestmark = pytest.mark.django_db(transaction=True)
D = datetime.date


def statistics(client) -> dict:
    response = client.get(reverse("api:api-statistics"))
    assert response.status_code == 200
    return response.json()


def run_at_once(*jobs) -> list[BaseException]:
    """Run each job in its own thread, on its own database connection; the errors they raised."""
    errors: list[BaseException] = []

    def run(job):
        try:
            job()
        except BaseException as error:  # noqa: BLE001 - reported to the test
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(job,)) for job in jobs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return errors


def test_two_transactions_on_different_charges_and_hearings_of_one_case_both_commit(client):
    if connection.vendor != "postgresql":
        pytest.skip("two writers at once need PostgreSQL (SQLite locks the whole database)")
    incident = f.IncidentFactory(date=D(2012, 3, 10), killed=3)
    case = f.CaseFactory(incidents=[incident], cognizance_date=D(2012, 6, 1))
    charges = [f.ChargeFactory(case=case) for _ in range(2)]
    hearings = [f.HearingFactory(case=case, date=D(2012, 7, day)) for day in (2, 3)]
    before = statistics(client)
    assert before["funnel"]["convicted"] == 0
    both_open = threading.Barrier(2, timeout=20)

    def save(charge: Charge, hearing: Hearing, verdict: str):
        def job():
            with transaction.atomic():
                charge.verdict, charge.verdict_date = verdict, D(2013, 1, 10)
                charge.save()
                hearing.outcome = HearingOutcome.PROCEEDED
                hearing.save()
                both_open.wait()  # each transaction holds its writes until the other has made its own

        return job

    errors = run_at_once(
        save(charges[0], hearings[0], Verdict.CONVICTED), save(charges[1], hearings[1], Verdict.ACQUITTED)
    )
    assert errors == []
    assert dict(Charge.objects.filter(case=case).values_list("pk", "verdict")) == {
        charges[0].pk: Verdict.CONVICTED,
        charges[1].pk: Verdict.ACQUITTED,
    }
    assert set(Hearing.objects.filter(case=case).values_list("outcome", flat=True)) == {HearingOutcome.PROCEEDED}
    after = statistics(client)
    assert after["funnel"] == {
        "fatal_incidents": 1,
        "case_registered": 1,
        "accused_charged": 1,
        "trial_concluded": 1,
        "convicted": 1,
        "conviction_upheld": 1,
    }
    assert after["partial_justice"] == {"incidents": 1, "with_standing_conviction": 1, "share": 1.0}
    assert after["courts"]["adjournments"]["hearings_held"] == 2


def test_update_and_bulk_create_cannot_make_a_public_figure_wrong(client):
    incident = f.IncidentFactory(date=D(2012, 3, 10), killed=3)
    organisation = f.OrganisationFactory(name="LeJ", slug="lej")
    f.AttributionFactory(incident=incident, organisation=organisation, kind=AttributionKind.CLAIMED)
    case = f.CaseFactory(incidents=[incident])
    f.ChargeFactory(case=case, verdict=Verdict.CONVICTED, verdict_date=D(2013, 1, 10))
    data = statistics(client)
    assert (data["funnel"]["convicted"], data["impunity"]["researched"]) == (1, 1)
    assert [(r["organisation"], r["incidents"], r["killed"]) for r in data["by_organisation"]] == [("LeJ", 1, 3)]

    # A bulk status change sends no signal: the case stops counting at once, everywhere.
    Case.objects.filter(pk=case.pk).update(status=Status.DRAFT)
    data = statistics(client)
    assert data["funnel"] == {
        "fatal_incidents": 1,
        "case_registered": 0,
        "accused_charged": 0,
        "trial_concluded": 0,
        "convicted": 0,
        "conviction_upheld": 0,
    }
    assert data["impunity"] == {"rate": None, "fatal_old": 1, "researched": 0, "unpunished": 0, "coverage": 0.0}

    # Two more links of the same organisation, written in bulk: the incident still counts once.
    Attribution.objects.bulk_create(
        [
            Attribution(incident=incident, organisation=organisation, kind=AttributionKind.SUSPECTED),
            Attribution(incident=incident, organisation=organisation, kind=AttributionKind.NAMED_BY_OFFICIALS),
        ]
    )
    data = statistics(client)
    assert [(r["organisation"], r["incidents"], r["killed"]) for r in data["by_organisation"]] == [("LeJ", 1, 3)]

    # And a bulk update of a charge's verdict is in the next figure too.
    Case.objects.filter(pk=case.pk).update(status=Status.PUBLISHED)
    Charge.objects.filter(case=case).update(verdict=Verdict.ACQUITTED)
    data = statistics(client)
    assert (data["funnel"]["convicted"], data["impunity"]["unpunished"]) == (0, 1)


def test_statistics_pages_show_nothing_hidden(client):
    build_world()
    for name in ("dashboard:statistics", "api:api-statistics"):
        response = client.get(reverse(name))
        assert response.status_code == 200
        assert_no_secrets(response.content.decode())
