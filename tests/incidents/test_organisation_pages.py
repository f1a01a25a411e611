"""/organisations/ and /organisations/<id>/: attributed incidents by kind, convictions of members, visibility."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cases.models import Verdict
from core.models import Status
from incidents.models import AttributionKind
from tests import factories as f

D = datetime.date

pytestmark = pytest.mark.django_db


@pytest.fixture
def lej():
    """LeJ: two published incidents (one claimed and named by officials), a draft incident, and accused."""
    lej = f.OrganisationFactory(name="Lashkar-e-Jhangvi", slug="lej", abbreviation="LeJ", proscribed=True)
    other = f.OrganisationFactory(name="Other group", slug="other")
    a = f.IncidentFactory(title="Alamdar Road bombing", date=D(2013, 1, 10), killed=51, injured=None)
    b = f.IncidentFactory(title="Kirani Road bombing", date=D(2013, 2, 16), killed=64, injured=10)
    draft = f.IncidentFactory(title="SECRET-DRAFT incident", killed=500, status=Status.DRAFT)
    f.AttributionFactory(incident=a, organisation=lej, kind=AttributionKind.CLAIMED)
    f.AttributionFactory(incident=a, organisation=lej, kind=AttributionKind.NAMED_BY_OFFICIALS)
    f.AttributionFactory(incident=b, organisation=lej, kind=AttributionKind.SUSPECTED)
    f.AttributionFactory(incident=b, organisation=other, kind=AttributionKind.CLAIMED)
    f.AttributionFactory(incident=draft, organisation=lej, kind=AttributionKind.CLAIMED)

    case = f.CaseFactory(case_number="Special Case 1/2013", incidents=[a])
    adult = f.AccusedFactory(name="Adult Convict", affiliation=lej)
    juvenile = f.AccusedFactory(name="JUVENILE-NAME", affiliation=lej, is_juvenile=True)
    acquitted = f.AccusedFactory(name="Acquitted Person", affiliation=lej)
    f.ChargeFactory(case=case, accused=adult, verdict=Verdict.CONVICTED, verdict_date=D(2014, 1, 2), sentence="Death")
    f.ChargeFactory(case=case, accused=juvenile, verdict=Verdict.CONVICTED, verdict_date=D(2014, 1, 3))
    f.ChargeFactory(case=case, accused=acquitted, verdict=Verdict.ACQUITTED, verdict_date=D(2014, 1, 2))
    draft_case = f.CaseFactory(case_number="SECRET-DRAFT case", status=Status.DRAFT)
    hidden = f.AccusedFactory(name="Draft Convict", affiliation=lej)
    f.ChargeFactory(case=draft_case, accused=hidden, verdict=Verdict.CONVICTED, verdict_date=D(2014, 1, 2))
    return lej


def test_detail_counts_published_incidents_attributed_in_any_way(client, lej):
    response = client.get(reverse("incidents:organisation_detail", args=[lej.pk]))
    assert response.status_code == 200
    totals = response.context["totals"]
    # Alamdar Road counts once though attributed two ways; the draft never counts.
    assert (totals["incidents"], totals["killed"], totals["injured"], totals["injured_unknown"]) == (2, 115, 10, 1)
    kinds = {label: figures["incidents"] for label, figures in response.context["kinds"]}
    assert kinds == {
        "Claimed responsibility": 1,
        "Suspected": 1,
        "Named by officials": 1,
        "Convicted by a court": 0,
    }
    rows = [(i.title, kinds_here) for i, kinds_here in response.context["incident_rows"]]
    assert rows == [
        ("Kirani Road bombing", ["Suspected"]),
        ("Alamdar Road bombing", ["Claimed responsibility", "Named by officials"]),
    ]
    assert "SECRET-DRAFT" not in response.content.decode()


def test_detail_lists_convictions_of_members_without_juvenile_names(client, lej):
    response = client.get(reverse("incidents:organisation_detail", args=[lej.pk]))
    names = [charge.accused.public_name for charge in response.context["convictions"].object_list]
    assert names == ["Juvenile (name withheld)", "Adult Convict"]
    html = response.content.decode()
    assert "JUVENILE-NAME" not in html
    assert "Acquitted Person" not in html  # acquittals are not convictions
    assert "Draft Convict" not in html  # a conviction in a draft case is not public
    assert "Special Case 1/2013" in html


def test_staff_detail_still_hides_drafts_from_the_public_figures(monitor_client, lej):
    response = monitor_client.get(reverse("incidents:organisation_detail", args=[lej.pk]))
    assert response.context["totals"]["incidents"] == 2


def test_unknown_organisation_is_404(client):
    assert client.get(reverse("incidents:organisation_detail", args=[987654])).status_code == 404


def test_list_shows_published_incident_figures(client, lej):
    quiet = f.OrganisationFactory(name="Quiet group", slug="quiet")
    response = client.get(reverse("incidents:organisation_list"))
    assert response.status_code == 200
    rows = {org.name: figures for org, figures in response.context["rows"]}
    assert (rows["Lashkar-e-Jhangvi"]["incidents"], rows["Lashkar-e-Jhangvi"]["killed"]) == (2, 115)
    assert (rows["Other group"]["incidents"], rows["Other group"]["killed"]) == (1, 64)
    assert rows[quiet.name] is None
    html = response.content.decode()
    assert lej.get_absolute_url() in html
    assert "Proscribed" in html


def test_list_is_paginated(client):
    for i in range(55):
        f.OrganisationFactory(name=f"Group {i:02d}", slug=f"group-{i}")
    response = client.get(reverse("incidents:organisation_list"))
    assert len(response.context["rows"]) == 50
    assert len(client.get(reverse("incidents:organisation_list"), {"page": 2}).context["rows"]) == 5


def add_incidents(organisation, n: int) -> None:
    for i in range(n):
        incident = f.IncidentFactory(killed=i)
        f.AttributionFactory(incident=incident, organisation=organisation, kind=AttributionKind.SUSPECTED)
        case = f.CaseFactory(incidents=[incident])
        accused = f.AccusedFactory(affiliation=organisation)
        f.ChargeFactory(case=case, accused=accused, verdict=Verdict.CONVICTED, verdict_date=D(2014, 1, 1))


def queries(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_organisation_pages_run_a_constant_number_of_queries(client):
    organisations = [f.OrganisationFactory(name=f"Group {i}", slug=f"g-{i}") for i in range(3)]
    add_incidents(organisations[0], 1)
    detail = reverse("incidents:organisation_detail", args=[organisations[0].pk])
    listing = reverse("incidents:organisation_list")
    small = (queries(client, detail), queries(client, listing))
    for organisation in organisations:
        add_incidents(organisation, 8)
    assert (queries(client, detail), queries(client, listing)) == small


def test_detail_pages_its_incidents_without_counting_them_again(client):
    organisation = f.OrganisationFactory(name="Many", slug="many")
    for i in range(27):
        incident = f.IncidentFactory(killed=i, date=D(2012, 1, 1) + datetime.timedelta(days=i))
        f.AttributionFactory(incident=incident, organisation=organisation, kind=AttributionKind.SUSPECTED)
        if i % 9 == 0:  # attributed twice: still one incident, one row
            f.AttributionFactory(incident=incident, organisation=organisation, kind=AttributionKind.CLAIMED)
    f.IncidentFactory(status=Status.DRAFT)
    url = reverse("incidents:organisation_detail", args=[organisation.pk])
    first = client.get(url)
    assert (first.context["page"].paginator.count, first.context["page"].paginator.num_pages) == (27, 2)
    second = client.get(url, {"page": 2})
    assert [i.killed for i, _ in second.context["incident_rows"]] == [1, 0]  # newest first: the two oldest
    with CaptureQueriesContext(connection) as ctx:
        client.get(url)
    assert not any(
        q["sql"].startswith('SELECT COUNT(*) AS "__count" FROM "incidents_incident"') for q in ctx.captured_queries
    )
