"""The public case pages: the list (filters, sort, pages) and the detail with its timeline and clock."""

from __future__ import annotations

import datetime

import pytest
from django.test import Client
from django.urls import reverse

from cases.models import (
    AdjournmentReason,
    AppealOutcome,
    Case,
    Custody,
    HearingOutcome,
    Holiday,
    SentenceKind,
    Stage,
    Verdict,
)
from cases.views import StatutoryClock, statutory_clock
from cases.workdays import WorkingCalendar
from core.models import Status
from tests.conftest import TODAY
from tests.factories import (
    AccusedFactory,
    AppealFactory,
    CaseFactory,
    ChargeFactory,
    CourtFactory,
    HearingFactory,
    IncidentFactory,
    OffenceFactory,
    OrganisationFactory,
    ProvinceFactory,
)
from tests.incidents.test_views import count_queries

pytestmark = pytest.mark.django_db
D = datetime.date


@pytest.fixture(autouse=True)
def fixed_today(time_machine):
    time_machine.move_to(TODAY)


def k1_and_k2():
    """DESIGN.md's worked example: K1 decided (X convicted, upheld on appeal; Y acquitted), K2 pending."""
    court = CourtFactory(name="Anti-Terrorism Court II, Karachi")
    k1 = CaseFactory(
        court=court,
        case_number="Special Case 1/2012",
        fir_date=D(2012, 3, 11),
        cognizance_date=D(2012, 6, 1),
        judgment_date=D(2013, 1, 10),
        stage=Stage.DECIDED,
    )
    x = ChargeFactory(
        case=k1,
        accused=AccusedFactory(name="Accused X"),
        verdict=Verdict.CONVICTED,
        verdict_date=D(2013, 1, 10),
        sentence="Death on two counts",
        sentence_kind=SentenceKind.DEATH,
    )
    AppealFactory(charge=x, filed_on=D(2013, 2, 1), decided_on=D(2014, 5, 6), outcome=AppealOutcome.UPHELD)
    ChargeFactory(
        case=k1, accused=AccusedFactory(name="Accused Y"), verdict=Verdict.ACQUITTED, verdict_date=D(2013, 1, 10)
    )
    k2 = CaseFactory(
        court=CourtFactory(name="Anti-Terrorism Court I, Peshawar"),
        case_number="Special Case 2/2012",
        fir_date=D(2012, 4, 3),
        cognizance_date=D(2026, 11, 2),
        stage=Stage.PROSECUTION_EVIDENCE,
    )
    ChargeFactory(case=k2, accused=AccusedFactory(name="Accused Z"), custody=Custody.ABSCONDING)
    return k1, k2


# The statutory clock --------------------------------------------------------------------


def test_clock_of_the_worked_example_k1():
    k1, _ = k1_and_k2()
    clock = statutory_clock(k1, calendar=WorkingCalendar(holidays=[]), today=TODAY)
    assert clock == StatutoryClock(
        started=True,
        decided=True,
        working_days=159,
        limit=7,
        over_by=152,
        disposal_days=223,
        disposal_working_days=159,
        end=D(2013, 1, 10),
    )


def test_clock_of_a_pending_case_runs_to_today_less_holidays():
    _, k2 = k1_and_k2()
    # Monday 2026-11-02 to Wednesday 2026-11-25: 17 weekdays after the day of cognizance.
    assert statutory_clock(k2, calendar=WorkingCalendar(holidays=[]), today=TODAY).working_days == 17
    clock = statutory_clock(k2, calendar=WorkingCalendar(holidays=[D(2026, 11, 9)]), today=TODAY)
    assert (clock.working_days, clock.over_by, clock.decided, clock.disposal_days) == (16, 9, False, None)


def test_clock_not_started_without_cognizance():
    case = CaseFactory(cognizance_date=None)
    clock = statutory_clock(case, calendar=WorkingCalendar(holidays=[]), today=TODAY)
    assert (clock.started, clock.working_days, clock.over_by) == (False, None, 0)


def test_detail_page_states_the_clock(client):
    k1, k2 = k1_and_k2()
    Holiday.objects.create(date=D(2026, 11, 9), name="Iqbal Day")
    html = client.get(k1.get_absolute_url()).content.decode()
    assert "159</strong> working days from cognizance to judgment" in html
    assert "223 calendar days" in html
    assert "Over the limit by 152 working days" in html
    html = client.get(k2.get_absolute_url()).content.decode()
    assert "16</strong> working days since cognizance" in html
    assert "Over the limit by 9 working days" in html


def test_detail_within_the_limit_says_so(client):
    # Monday cognizance, judgment the Wednesday of the next week: 7 working days.
    case = CaseFactory(cognizance_date=D(2013, 3, 4), judgment_date=D(2013, 3, 13))
    html = client.get(case.get_absolute_url()).content.decode()
    assert "Decided within the statutory 7 working days" in html
    assert "Over the limit" not in html


# Verification date -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("verified", "warned"),
    [(D(2026, 9, 26), False), (D(2026, 9, 25), True), (None, True)],  # 60 days old: fine; 61: stale
)
def test_detail_warns_when_verification_is_older_than_60_days(client, verified, warned):
    case = CaseFactory(last_verified_on=verified)
    html = client.get(case.get_absolute_url()).content.decode()
    assert ("notice-warning" in html) is warned
    if verified and not warned:
        assert 'Last verified against the court file on <time datetime="2026-09-26">26 September 2026</time>' in html


# Timeline, accused, appeals ----------------------------------------------------------------


def test_detail_shows_the_hearing_timeline_without_who_recorded_it(client, django_user_model):
    recorder = django_user_model.objects.create_user(username="recorder-alice", is_staff=True)
    case = CaseFactory(cognizance_date=D(2026, 10, 1))
    HearingFactory(
        case=case,
        date=D(2026, 10, 5),
        outcome=HearingOutcome.ADJOURNED,
        adjournment_reason=AdjournmentReason.WITNESS_ABSENT,
        next_date=D(2026, 11, 2),
        recorded_by=recorder,
        notes="PW-2 did not appear.",
    )
    HearingFactory(case=case, date=D(2026, 11, 2), outcome=HearingOutcome.PROCEEDED, recorded_by=recorder)
    HearingFactory(case=case, date=D(2026, 12, 7))
    response = client.get(case.get_absolute_url())
    assert [h.date for h in response.context["hearings"]] == [D(2026, 10, 5), D(2026, 11, 2), D(2026, 12, 7)]
    html = response.content.decode()
    assert "Adjourned</strong>: witness absent" in html
    assert "PW-2 did not appear." in html
    assert "Scheduled" in html
    assert "2 hearings recorded, 1 listed without an outcome yet" in html
    assert "recorder-alice" not in html
    assert reverse("cases:case_hearings_ics", args=[case.pk]) in html


def test_detail_shows_accused_verdicts_sentences_appeals_and_withholds_juveniles(client):
    k1, _ = k1_and_k2()
    ChargeFactory(case=k1, accused=AccusedFactory(name="Young Person", is_juvenile=True))
    k1.offences.add(OffenceFactory(code="ATA 1997 s.7(a)", title="Act of terrorism causing death"))
    html = client.get(k1.get_absolute_url()).content.decode()
    assert "Accused X" in html and "Death on two counts" in html and "Convicted" in html
    assert "Accused Y" in html and "Acquitted" in html
    assert "Sindh High Court" in html and "upheld" in html
    assert "Young Person" not in html and "Juvenile (name withheld)" in html
    assert "ATA 1997 s.7(a)" in html


def test_detail_shows_only_published_incidents_and_public_notes(client):
    case = CaseFactory(public_notes="Ten witnesses examined.", confidential_notes="Informer lives nearby.")
    case.incidents.add(IncidentFactory(title="Published attack"), IncidentFactory(title="Draft attack", status="draft"))
    html = client.get(case.get_absolute_url()).content.decode()
    assert "Published attack" in html and "Draft attack" not in html
    assert "Ten witnesses examined." in html and "Informer lives nearby." not in html


def test_detail_of_draft_and_retracted_cases_is_404_for_the_public(monitor_client):
    draft = CaseFactory(case_number="Draft 1/2026", status=Status.DRAFT)
    retracted = CaseFactory(case_number="Retracted 2/2026", status=Status.RETRACTED)
    anonymous = Client()
    assert anonymous.get(draft.get_absolute_url()).status_code == 404
    assert anonymous.get(retracted.get_absolute_url()).status_code == 404
    assert monitor_client.get(draft.get_absolute_url()).status_code == 200


def test_detail_runs_the_same_queries_for_one_or_twenty_related_rows(client):
    case = CaseFactory(cognizance_date=D(2013, 1, 7))

    def build(n):
        for i in range(n):
            charge = ChargeFactory(case=case, accused=AccusedFactory(affiliation=OrganisationFactory()))
            AppealFactory(charge=charge)
            HearingFactory(case=case, date=D(2013, 2, 1) + datetime.timedelta(days=i), court=CourtFactory())
            case.incidents.add(IncidentFactory())
            case.offences.add(OffenceFactory())
            Holiday.objects.create(date=D(2013, 3, 1) + datetime.timedelta(days=len(Holiday.objects.all())), name="H")

    build(1)
    one = count_queries(client, case.get_absolute_url())
    build(19)
    assert count_queries(client, case.get_absolute_url()) == one


# Case list ------------------------------------------------------------------------------------


def test_list_shows_accused_and_verdict_counts(client):
    k1, k2 = k1_and_k2()
    response = client.get(reverse("cases:case_list"), {"sort": "date"})
    rows = list(response.context["page"])
    assert [c.pk for c in rows] == [k1.pk, k2.pk]
    assert (rows[0].accused_count, rows[0].convicted_count, rows[0].acquitted_count, rows[0].pending_count) == (
        2,
        1,
        1,
        0,
    )
    assert (rows[1].accused_count, rows[1].pending_count) == (1, 1)
    assert "1 convicted" in response.content.decode()


def test_list_filters_by_court_stage_verdict_and_incident_province(client):
    k1, k2 = k1_and_k2()
    sindh = ProvinceFactory(slug="sindh", name="Sindh")
    k1.incidents.add(IncidentFactory(province=sindh))
    url = reverse("cases:case_list")

    def listed(params):
        response = client.get(url, params)
        assert response.status_code == 200
        return [c.pk for c in response.context["page"]]

    assert listed({"court": k2.court_id}) == [k2.pk]
    assert listed({"stage": "decided"}) == [k1.pk]
    assert listed({"verdict": "acquitted"}) == [k1.pk]
    assert listed({"province": "sindh"}) == [k1.pk]


def test_list_bad_filters_answer_400_with_the_errors(client):
    k1_and_k2()
    response = client.get(reverse("cases:case_list"), {"stage": "hanged", "court": "abc"})
    assert response.status_code == 400
    html = response.content.decode()
    assert "Select a valid choice" in html
    assert "Special Case 1/2012" not in html


@pytest.mark.parametrize(
    ("sort", "first"),
    [("-date", "Special Case 2/2012"), ("date", "Special Case 1/2012"), ("-judgment", "Special Case 1/2012")],
)
def test_list_sorts(client, sort, first):
    k1_and_k2()
    response = client.get(reverse("cases:case_list"), {"sort": sort})
    assert next(iter(response.context["page"])).case_number == first


def test_list_unknown_sort_is_ignored_with_a_message(client):
    k1_and_k2()
    response = client.get(reverse("cases:case_list"), {"sort": "confidential_notes"})
    assert response.status_code == 200
    assert "Unknown sort order" in response.content.decode()


def test_list_hides_drafts_from_the_public_and_shows_them_to_staff(monitor_client):
    CaseFactory(case_number="Published 1/2026")
    CaseFactory(case_number="Draft 2/2026", status=Status.DRAFT)
    html = Client().get(reverse("cases:case_list")).content.decode()
    assert "Published 1/2026" in html and "Draft 2/2026" not in html
    assert "Draft 2/2026" in monitor_client.get(reverse("cases:case_list")).content.decode()


def test_list_runs_the_same_queries_for_one_or_twenty_cases(client):
    url = reverse("cases:case_list") + "?sort=court"

    def build(n):
        for _ in range(n):
            case = CaseFactory(court=CourtFactory(), incidents=[IncidentFactory(), IncidentFactory()])
            ChargeFactory(case=case, verdict=Verdict.CONVICTED, verdict_date=D(2013, 1, 1))
            ChargeFactory(case=case)

    build(1)
    one = count_queries(client, url)
    build(19)
    assert count_queries(client, url) == one
    assert Case.objects.count() == 20
