"""The public pages about incidents and cases, in Urdu under /ur/ (issue 16), and unchanged in English.

Each page is read at its /ur/ address with a little hand-built data: its headings, counts (with the
plural form the count asks for), clock sentences, feed and calendar text come out in Urdu, in the
words of docs/urdu-glossary.md; the same page at its English address still says what it said.
"""

from __future__ import annotations

import datetime

import pytest
from django.core import mail
from django.utils import timezone

from alerts.digest import send_digests
from alerts.models import Kind, Subscription
from cases.models import HearingOutcome, Stage, Verdict
from tests.conftest import TODAY
from tests.factories import (
    AccusedFactory,
    AttributionFactory,
    CaseFactory,
    ChargeFactory,
    CourtFactory,
    HearingFactory,
    IncidentFactory,
    IncidentSourceFactory,
    OrganisationFactory,
)

pytestmark = pytest.mark.django_db
D = datetime.date


@pytest.fixture(autouse=True)
def fixed_today(time_machine):
    time_machine.move_to(TODAY)


def page(client, path: str) -> str:
    response = client.get(path)
    assert response.status_code == 200, path
    return response.content.decode()


def decided_case():
    """DESIGN.md's K1: cognizance 1 June 2012, judgment 10 January 2013 (159 working days, 152 over)."""
    return CaseFactory(
        court=CourtFactory(name="Anti-Terrorism Court II, Karachi"),
        case_number="Special Case 1/2012",
        fir_date=D(2012, 3, 11),
        cognizance_date=D(2012, 6, 1),
        judgment_date=D(2013, 1, 10),
        stage=Stage.DECIDED,
    )


# Incidents ---------------------------------------------------------------------------------


def test_incident_list_in_urdu_counts_incidents_in_the_plural(client):
    for day in (1, 2, 3):
        IncidentFactory(date=D(2013, 1, day))
    html = page(client, "/ur/incidents/")
    assert "<h1>واقعات</h1>" in html
    assert "<strong>3</strong> واقعات" in html
    assert "ڈاؤن لوڈ (CSV)" in html
    assert "تازہ ترین پہلے" in html  # the sort order, in the summary and the form


def test_incident_list_in_urdu_counts_one_incident_in_the_singular(client):
    IncidentFactory()
    assert "<strong>1</strong> واقعہ" in page(client, "/ur/incidents/")


def test_incident_list_in_urdu_says_when_nothing_matches(client):
    IncidentFactory(date=D(2013, 1, 1))
    html = page(client, "/ur/incidents/?date_from=2020-01-01")
    assert "ان فلٹروں سے کوئی واقعہ مطابقت نہیں رکھتا۔" in html


def test_incident_list_in_english_is_unchanged(client):
    for day in (1, 2, 3):
        IncidentFactory(date=D(2013, 1, day))
    html = page(client, "/incidents/")
    assert "<h1>Incidents</h1>" in html
    assert "<strong>3</strong> incidents" in html
    assert "Download CSV" in html


def test_incident_page_in_urdu(client):
    incident = IncidentFactory(title="Attack on a bus", date=D(2012, 3, 10), killed=None, injured=4)
    IncidentSourceFactory(incident=incident)
    AttributionFactory(incident=incident, organisation=OrganisationFactory(name="Group One"))
    html = page(client, f"/ur/incidents/{incident.pk}/")
    assert '<h2 id="sources">ماخذ</h2>' in html
    assert "کسے ذمہ دار بتایا جاتا ہے" in html
    assert "<dt>جاں بحق</dt>" in html
    assert '<span class="unknown">نامعلوم</span>' in html  # the unknown toll
    assert "10 مارچ 2012" in html  # Django's localised month
    assert '<h2 id="justice-heading">انصاف کی صورتِ حال</h2>' in html
    assert "اس واقعے کے بارے میں کوئی مقدمہ درج نہیں۔" in html
    # Data entered by people stays as entered.
    assert "Attack on a bus" in html and "Group One" in html


def test_incident_page_in_english_is_unchanged(client):
    incident = IncidentFactory(killed=None)
    html = page(client, f"/incidents/{incident.pk}/")
    assert "Who is said to be responsible" in html
    assert '<span class="unknown">unknown</span>' in html
    assert "10 March 2012" in html


def test_organisation_pages_in_urdu(client):
    organisation = OrganisationFactory(name="Group One")
    for day in (1, 2):
        AttributionFactory(incident=IncidentFactory(date=D(2013, 1, day)), organisation=organisation)
    html = page(client, "/ur/organisations/")
    assert "<h1>تنظیمیں</h1>" in html
    assert "<strong>1</strong> تنظیم" in html
    html = page(client, f"/ur/organisations/{organisation.pk}/")
    assert "اس سے منسوب واقعات" in html
    assert "اس تنظیم سے تعلق رکھنے والے بتائے گئے کسی ملزم کو کسی شائع شدہ مقدمے میں سزا نہیں ہوئی۔" in html


def test_corrections_and_data_pages_in_urdu(client):
    html = page(client, "/ur/corrections/")
    assert "<h1>تصحیحات</h1>" in html
    assert "<strong>0</strong> تصحیحات" in html
    html = page(client, "/ur/data/")
    assert "<h1>ڈیٹا، CSV اور API</h1>" in html
    assert "<code>justice_status</code>" in html  # the CSV's column names are a data contract


# Home page ---------------------------------------------------------------------------------


def test_home_page_in_urdu(client):
    IncidentFactory(title="Attack on a bus", killed=3, injured=None)
    html = page(client, "/ur/")
    assert "پاکستان میں فرقہ وارانہ اور دہشت گردانہ تشدد، حملے سے فیصلے تک" in html
    assert '<h2 id="incidents-heading">تازہ ترین واقعات</h2>' in html
    assert "کوئی آئندہ سماعت مقرر نہیں۔" in html
    assert "Attack on a bus" in html


def test_home_page_in_english_is_unchanged(client):
    IncidentFactory()
    html = page(client, "/")
    assert "Sectarian and terrorist violence in Pakistan, from the attack to the verdict" in html
    assert "Latest incidents" in html


# Cases and courts --------------------------------------------------------------------------


def test_case_list_in_urdu_counts_cases_and_verdicts(client):
    case = decided_case()
    ChargeFactory(case=case, accused=AccusedFactory(), verdict=Verdict.CONVICTED, verdict_date=D(2013, 1, 10))
    CaseFactory(case_number="Special Case 2/2012")
    html = page(client, "/ur/cases/")
    assert "<h1>مقدمات</h1>" in html
    assert "<strong>2</strong> مقدمات" in html
    assert "1 سزا یافتہ" in html
    assert "Special Case 1/2012" in html  # the case number as entered


def test_case_page_in_urdu_states_the_statutory_clock(client):
    case = decided_case()
    HearingFactory(case=case, date=D(2012, 6, 5), outcome=HearingOutcome.PROCEEDED)
    html = page(client, f"/ur/cases/{case.pk}/")
    assert "انسدادِ دہشت گردی ایکٹ کی دفعہ 19(7) کی گھڑی" in html
    assert "سماعت کے لیے منظوری سے فیصلے تک <strong>159</strong> کام کے دن" in html
    assert "223 کیلنڈر دن" in html
    assert "<strong>قانونی مدت سے 152 کام کے دن زائد</strong> (مدت: 7)۔" in html
    assert "1 سماعت درج" in html  # one hearing: the singular
    assert '<h2 id="documents-heading">عدالتی دستاویزات</h2>' in html


def test_case_page_in_english_states_the_clock_as_before(client):
    case = decided_case()
    html = page(client, f"/cases/{case.pk}/")
    assert "159</strong> working days from cognizance to judgment" in html
    assert "Over the limit by 152 working days" in html


def test_pending_case_in_urdu_counts_working_days_to_today(client):
    case = CaseFactory(cognizance_date=D(2026, 11, 2), stage=Stage.PROSECUTION_EVIDENCE)
    html = page(client, f"/ur/cases/{case.pk}/")
    # 2 to 25 November 2026: 17 working days, 10 over the seven.
    assert "<strong>17</strong> کام کے دن، اور ابھی فیصلہ نہیں ہوا" in html
    assert "قانونی مدت سے 10 کام کے دن زائد" in html


def test_court_pages_in_urdu(client):
    case = decided_case()
    html = page(client, "/ur/courts/")
    assert "<h1>عدالتیں</h1>" in html
    assert "<strong>1</strong> عدالت" in html
    html = page(client, f"/ur/courts/{case.court.pk}/")
    assert '<h2 id="scorecard-heading">کارکردگی کارڈ</h2>' in html
    assert "کہنے کے لیے بہت کم (n = 1)" in html  # one decided case: too few for a median
    assert "1 فیصلہ شدہ مقدمہ" in html


# Feeds, calendars and e-mail --------------------------------------------------------------


def test_incident_feed_in_urdu(client):
    IncidentFactory(killed=None, injured=2)
    xml = page(client, "/ur/feeds/incidents/")
    assert "ٹریکر: نئے اور تازہ کردہ واقعات" in xml
    assert "جاں بحق: نامعلوم؛ زخمی: 2۔" in xml


def test_case_events_feed_in_urdu(client):
    case = decided_case()
    ChargeFactory(
        case=case, accused=AccusedFactory(name="Accused X"), verdict=Verdict.CONVICTED, verdict_date=D(2013, 1, 10)
    )
    xml = page(client, f"/ur/cases/{case.pk}/feed/")
    assert "ٹریکر: " in xml and "میں کیا ہوا" in xml
    assert "10 جنوری 2013" in xml


def test_hearing_calendar_in_urdu(client):
    case = CaseFactory()
    HearingFactory(case=case, date=D(2026, 12, 1), purpose=Stage.ARGUMENTS, judge="Judge A")
    body = page(client, f"/ur/cases/{case.pk}/hearings.ics").replace("\r\n ", "")  # unfold the lines
    assert "X-WR-CALNAME:سماعتیں: " in body
    assert "مقرر برائے: " in body
    assert "جج: Judge A" in body
    english = page(client, f"/cases/{case.pk}/hearings.ics").replace("\r\n ", "")
    assert "Judge: Judge A" in english


def test_follow_page_and_confirmation_e_mail_in_urdu(client):
    case = CaseFactory(case_number="Special Case 9/2012")
    html = page(client, f"/ur/follow/case/{case.pk}/")
    assert "کو فالو کریں</h1>" in html
    response = client.post(f"/ur/follow/case/{case.pk}/", {"email": "reader@example.org"})
    assert response.status_code == 200
    assert "اپنا ان باکس دیکھیے" in response.content.decode()
    (message,) = mail.outbox
    assert message.subject.startswith("تصدیق کیجیے: ")
    assert "اطلاعات وصول کرنا شروع کرنے کے لیے 7 دن کے اندر تصدیق کیجیے:" in message.body
    assert Subscription.objects.get().kind == Kind.CASE


def test_reader_who_subscribed_in_urdu_gets_urdu_digests_and_english_reader_english(client):
    case = CaseFactory(case_number="Special Case 9/2012")
    client.post(f"/ur/follow/case/{case.pk}/", {"email": "urdu@example.org"})
    client.post(f"/follow/case/{case.pk}/", {"email": "english@example.org"})
    languages = dict(Subscription.objects.values_list("email", "language"))
    assert languages == {"urdu@example.org": "ur", "english@example.org": "en-gb"}
    Subscription.objects.update(confirmed_at=timezone.now())
    mail.outbox.clear()
    HearingFactory(case=case, date=D(2026, 12, 3))
    assert send_digests(now=timezone.now()) == (2, 2)
    messages = {message.to[0]: message for message in mail.outbox}
    urdu, english = messages["urdu@example.org"], messages["english@example.org"]
    assert urdu.subject == f"ٹریکر: مقدمہ {case.title} کے بارے میں 1 نئی اطلاع"
    assert "سماعتیں\n" in urdu.body
    assert "3 دسمبر 2026: Special Case 9/2012" in urdu.body
    assert f"/ur/cases/{case.pk}/" in urdu.body and "/ur/follow/unsubscribe/" in urdu.body
    assert english.subject == f"Tracker: 1 update on case {case.title}"
    assert "Thu 3 Dec 2026: Special Case 9/2012" in english.body
    assert "/ur/" not in english.body
