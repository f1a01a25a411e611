"""Each incident's justice status (issue 15): exact statuses on hand-built data, published cases only
for every reader, the `justice` and `fatal` filters on the list, CSV and API, and constant query counts."""

from __future__ import annotations

import csv
import datetime
import io

import pytest
from django.urls import reverse

from cases import justice
from cases.models import AppealOutcome, Appellant, Verdict
from core.models import Status
from incidents.models import Incident, JusticeStatus
from tests import factories as f
from tests.conftest import TODAY

D = datetime.date
LIST = "/incidents/"

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fixed_today(time_machine):
    time_machine.move_to(TODAY)


def incident(title: str, **kwargs) -> Incident:
    return f.IncidentFactory(title=title, date=D(2015, 1, 1), **kwargs)


def case_for(inc: Incident, *, status: str = Status.PUBLISHED):
    return f.CaseFactory(incidents=[inc], status=status, cognizance_date=D(2015, 3, 2))


def charge(case, verdict: str = Verdict.PENDING, **kwargs):
    day = None if verdict in (Verdict.PENDING, Verdict.TRANSFERRED) else D(2016, 1, 4)
    return f.ChargeFactory(case=case, verdict=verdict, verdict_date=day, **kwargs)


APPEAL_DECIDED = D(2017, 5, 2)


def appeal(ch, outcome: str, decided_on: datetime.date = APPEAL_DECIDED, **kwargs):
    decided = None if outcome == AppealOutcome.PENDING else decided_on
    return f.AppealFactory(charge=ch, filed_on=D(2016, 2, 1), decided_on=decided, outcome=outcome, **kwargs)


@pytest.fixture
def world():
    """One incident per status, and the cases that give it (plus drafts and retractions that must not count)."""
    w = {}
    w["not_researched"] = incident("Not researched")
    w["nothing_found"] = incident("Nothing found", court_record_checked_on=D(2020, 5, 1))
    w["case_registered"] = incident("Case registered")
    case_for(w["case_registered"])
    w["trial_pending"] = incident("Trial pending")
    pending_case = case_for(w["trial_pending"])
    charge(pending_case, Verdict.ACQUITTED)  # a co-accused acquitted: the trial of the other goes on
    charge(pending_case, Verdict.PENDING)
    w["remanded"] = incident("Remanded for retrial")
    appeal(charge(case_for(w["remanded"]), Verdict.CONVICTED), AppealOutcome.REMANDED)
    w["transferred"] = incident("Transferred")
    charge(case_for(w["transferred"]), Verdict.TRANSFERRED)
    w["convicted"] = incident("Convicted")
    convicted_case = case_for(w["convicted"])
    appeal(charge(convicted_case, Verdict.CONVICTED), AppealOutcome.PENDING)  # a pending appeal changes nothing
    charge(convicted_case, Verdict.PENDING)  # a co-accused's pending trial does not outrank a conviction
    w["acquittal_overturned"] = incident("Acquittal overturned")
    appeal(charge(case_for(w["acquittal_overturned"]), Verdict.ACQUITTED), AppealOutcome.OVERTURNED)
    w["acquitted"] = incident("Acquitted")
    acquitted_case = case_for(w["acquitted"])
    charge(acquitted_case, Verdict.ACQUITTED)
    charge(acquitted_case, Verdict.DISCHARGED)
    charge(acquitted_case, Verdict.ABATED)
    w["conviction_overturned"] = incident("Conviction overturned")
    overturned = charge(case_for(w["conviction_overturned"]), Verdict.CONVICTED)
    appeal(overturned, AppealOutcome.UPHELD, decided_on=D(2017, 1, 2))
    appeal(overturned, AppealOutcome.OVERTURNED, decided_on=D(2018, 1, 2), appellant=Appellant.CONVICT)
    # Drafts and retractions never count: a draft case convicting someone for an unresearched
    # incident, a retracted one for an acquitted incident.
    charge(case_for(w["not_researched"], status=Status.DRAFT), Verdict.CONVICTED)
    charge(case_for(w["acquitted"], status=Status.RETRACTED), Verdict.CONVICTED)
    w["draft_incident"] = incident("Draft incident", status=Status.DRAFT)
    charge(case_for(w["draft_incident"]), Verdict.CONVICTED)
    return w


EXPECTED = {
    "not_researched": JusticeStatus.NOT_RESEARCHED,
    "nothing_found": JusticeStatus.NOTHING_FOUND,
    "case_registered": JusticeStatus.CASE_REGISTERED,
    "trial_pending": JusticeStatus.TRIAL_PENDING,
    "remanded": JusticeStatus.TRIAL_PENDING,
    "transferred": JusticeStatus.TRIAL_PENDING,
    "convicted": JusticeStatus.CONVICTED,
    "acquittal_overturned": JusticeStatus.CONVICTED,
    "acquitted": JusticeStatus.ACQUITTED,
    "conviction_overturned": JusticeStatus.CONVICTION_OVERTURNED,
    "draft_incident": JusticeStatus.CONVICTED,  # its own (published) case; the incident is staff-only
}


def statuses() -> dict[str, str]:
    return dict(Incident.objects.with_justice_status().values_list("title", "justice_status"))


def test_each_incident_gets_the_first_status_that_applies(world):
    got = statuses()
    assert {key: got[world[key].title] for key in EXPECTED} == EXPECTED


def test_statuses_worked_out_within_some_incidents_are_the_same_as_over_all(world):
    # A page's statuses read only its incidents' cases (incidents/views.py): the same answers.
    everyone = statuses()
    for keys in (list(EXPECTED), ["convicted", "acquitted", "not_researched"], ["nothing_found"]):
        ids = [world[key].pk for key in keys]
        within = Incident.objects.filter(pk__in=ids).with_justice_status(within=ids)
        assert dict(within.values_list("title", "justice_status")) == {
            world[key].title: everyone[world[key].title] for key in keys
        }


def test_drafts_and_retracted_cases_never_change_a_status(world):
    before = statuses()
    for inc in (world["convicted"], world["nothing_found"], world["case_registered"]):
        charge(case_for(inc, status=Status.DRAFT), Verdict.ACQUITTED)
        charge(case_for(inc, status=Status.RETRACTED), Verdict.PENDING)
    assert statuses() == before


def test_publishing_a_case_changes_the_status(world):
    draft = world["not_researched"].cases.get()
    draft.status = Status.PUBLISHED
    draft.save()
    assert statuses()["Not researched"] == JusticeStatus.CONVICTED


def test_every_status_but_not_researched_is_researched(world):
    researched = set(Incident.objects.filter(justice.researched()).values_list("title", flat=True))
    not_researched = {inc.title for key, inc in world.items() if EXPECTED[key] == JusticeStatus.NOT_RESEARCHED}
    assert researched == {inc.title for inc in world.values()} - not_researched


def listed(client, query: str) -> list[str]:
    response = client.get(f"{LIST}?{query}")
    assert response.status_code == 200
    return sorted(i.title for i in response.context["page"].object_list)


@pytest.mark.parametrize(
    ("value", "titles"),
    [
        ("trial_pending", ["Remanded for retrial", "Transferred", "Trial pending"]),
        ("convicted", ["Acquittal overturned", "Convicted"]),
        ("conviction_overturned", ["Conviction overturned"]),
        ("not_researched", ["Not researched"]),
        (
            "unpunished",
            ["Acquitted", "Case registered", "Conviction overturned", "Nothing found", "Remanded for retrial"]
            + ["Transferred", "Trial pending"],
        ),
    ],
)
def test_the_list_filters_by_justice_status_for_the_public(client, world, value, titles):
    assert listed(client, f"justice={value}") == titles


def test_the_researched_group_leaves_out_only_the_unresearched(client, world):
    assert "Not researched" not in listed(client, "justice=researched")
    assert len(listed(client, "justice=researched")) == 9


def test_staff_see_drafts_with_the_status_of_published_cases_only(editor_client, world):
    assert listed(editor_client, "justice=convicted") == ["Acquittal overturned", "Convicted", "Draft incident"]
    # The draft case that convicted someone for "Not researched" does not count for staff either.
    assert "Not researched" in listed(editor_client, "justice=not_researched")


def test_list_shows_the_status_column(client, world):
    html = client.get(LIST).content.decode()
    assert 'class="justice justice-conviction_overturned">Conviction overturned on appeal</span>' in html
    assert "/methodology/#justice-status" in html


def test_fatal_filter(client, world):
    incident("Nobody killed", killed=0)
    incident("Toll unknown", killed=None)
    assert listed(client, "fatal=no") == ["Nobody killed", "Toll unknown"]
    assert "Nobody killed" not in listed(client, "fatal=yes")


@pytest.mark.parametrize("query", ["justice=hanged", "fatal=maybe"])
def test_a_bad_value_is_a_clear_400_everywhere(client, world, query):
    assert client.get(f"{LIST}?{query}").status_code == 400
    assert client.get(f"{LIST}?{query}&format=csv").status_code == 400
    api = client.get(f"/api/incidents/?{query}")
    assert api.status_code == 400
    assert set(api.json()) == {query.split("=")[0]}


def test_the_unpunished_link_holds_exactly_the_impunity_rate_s_unpunished_incidents(client, world):
    payload = client.get("/api/statistics/").json()
    cutoff = justice.years_before(TODAY, justice.IMPUNITY_YEARS).isoformat()
    for group, key in (("unpunished", "unpunished"), ("researched", "researched")):
        response = client.get(f"{LIST}?fatal=yes&date_to={cutoff}&justice={group}")
        assert (
            response.context["page"].paginator.count
            == payload["impunity"][key]
            == {"unpunished": 7, "researched": 9}[key]
        )


def test_csv_gives_the_status_and_honours_the_filter(client, world):
    response = client.get(f"{LIST}?format=csv&justice=acquitted")
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert [(r["title"], r["justice_status"]) for r in rows] == [("Acquitted", "acquitted")]


def test_api_gives_the_status_and_honours_the_filter(client, world):
    body = client.get("/api/incidents/?justice=trial_pending").json()
    assert sorted((r["title"], r["justice_status"]) for r in body["results"]) == [
        ("Remanded for retrial", "trial_pending"),
        ("Transferred", "trial_pending"),
        ("Trial pending", "trial_pending"),
    ]
    detail = client.get(f"/api/incidents/{world['conviction_overturned'].pk}/").json()
    assert detail["justice_status"] == "conviction_overturned"
    assert client.get(f"/api/incidents/{world['draft_incident'].pk}/").status_code == 404


def test_each_incident_page_has_the_status_of_the_list(editor_client, world):
    # The page works the status out from the incident's own cases only (incidents/views.py).
    for key, expected in EXPECTED.items():
        response = editor_client.get(reverse("incidents:incident_detail", args=[world[key].pk]))
        assert response.context["incident"].justice_status == expected, key


def test_incident_page_shows_its_status_and_what_it_means(client, world):
    html = client.get(reverse("incidents:incident_detail", args=[world["nothing_found"].pk])).content.decode()
    assert '<h2 id="justice-heading">Justice status</h2>' in html
    assert "Researched, no case found" in html
    assert "Courts and police last searched on 1 May 2020." in html
    html = client.get(reverse("incidents:incident_detail", args=[world["not_researched"].pk])).content.decode()
    assert "Not yet researched" in html  # the draft case's conviction is not the public's
    assert client.get(reverse("incidents:incident_detail", args=[world["draft_incident"].pk])).status_code == 404


def count_queries(client, url: str) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
        assert response.status_code == 200
        if response.streaming:  # a CSV runs its queries as it streams
            b"".join(response.streaming_content)
    return len(queries)


@pytest.mark.parametrize("query", ["", "justice=convicted", "justice=unpunished&fatal=yes"])
def test_list_csv_and_api_run_the_same_queries_for_few_or_many_incidents(client, editor_client, world, query):
    urls = [f"{LIST}?{query}", f"{LIST}?format=csv&{query}", f"/api/incidents/?{query}"]
    before = {url: (count_queries(client, url), count_queries(editor_client, url)) for url in urls}
    for n in range(15):
        inc = incident(f"More {n}")
        appeal(charge(case_for(inc), Verdict.CONVICTED), AppealOutcome.OVERTURNED)
        charge(case_for(inc), Verdict.PENDING)
    after = {url: (count_queries(client, url), count_queries(editor_client, url)) for url in urls}
    assert after == before


def test_statistics_and_the_case_list_follow_the_justice_filter(client, world):
    # The court figures cover the published cases of the selected incidents only: here the one
    # acquitted incident's case (acquitted, discharged, abated), not its retracted one.
    payload = client.get("/api/statistics/?justice=acquitted").json()
    assert payload["incidents"] == 1
    assert payload["courts"]["conviction_rate"]["charges_decided"] == 3
    cases = client.get("/cases/?justice=trial_pending&fatal=yes").context["page"].object_list
    assert sorted(inc.title for case in cases for inc in case.incidents.all()) == [
        "Remanded for retrial",
        "Transferred",
        "Trial pending",
    ]
