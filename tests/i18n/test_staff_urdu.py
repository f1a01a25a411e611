"""Staff in Urdu (issue 16): the admin, the worklist, the phone hearing form and the review queue
under /ur/, for a signed-in editor; the English admin unchanged. The staff pages' <html> element is
base.html's; the admin's is Django's, which sets lang and dir from the language.

Django's own Urdu leaves much of the admin untranslated; the tracker completes it in
locale/django/ur/ (LOCALE_PATHS), so "Save and continue editing" and the change list's "Clear all
filters" are asserted here too.
"""

from __future__ import annotations

import datetime
import re

import pytest

from cases.models import Hearing
from core.models import Status
from tests import factories as f

pytestmark = pytest.mark.django_db
D = datetime.date
TODAY = D(2026, 11, 25)


@pytest.fixture
def pinned_today(time_machine):
    time_machine.move_to(datetime.datetime(2026, 11, 25, 12, 0))
    return TODAY


@pytest.fixture
def incident():
    return f.IncidentFactory(title="Attack on a bus, Mastung", date=D(2026, 10, 2), killed=3)


@pytest.fixture
def case():
    return f.CaseFactory(case_number="Special Case 41/2026", fir_number="112/2026", cognizance_date=D(2026, 9, 1))


def _page(client, path: str) -> str:
    response = client.get(path)
    assert response.status_code == 200, path
    return response.content.decode()


def test_the_admin_index_is_in_urdu_right_to_left(editor_client):
    body = _page(editor_client, "/ur/admin/")
    assert '<html lang="ur" dir="rtl"' in body
    assert "حالیہ کارروائیاں" in body  # "Recent actions": missing from Django's Urdu, completed here
    assert "روزانہ کا کام" in body  # the tracker's "Daily work" box
    assert "سماعت درج کریں" in body  # its "Record a hearing" link
    assert "Daily work" not in body and "Recent actions" not in body


def test_the_incident_change_list_shows_its_actions_and_filters_in_urdu(editor_client, incident):
    body = _page(editor_client, "/ur/admin/incidents/incident/")
    assert '<html lang="ur" dir="rtl"' in body
    assert "منتخب اندراجات شائع کریں" in body  # the "Publish the selected records" action
    assert "منتخب اندراجات واپس لیں (عوامی نوٹ مانگا جائے گا)" in body
    assert re.search(r'class="[^"]*column-source_count[^"]*">.{0,200}?>ماخذ</a>', body, re.DOTALL)  # "sources"
    assert "Attack on a bus, Mastung" in body  # data entered in English stays as entered
    assert "Publish the selected records" not in body


def test_the_incident_change_form_saves_in_urdu(editor_client, incident):
    body = _page(editor_client, f"/ur/admin/incidents/incident/{incident.pk}/change/")
    assert '<html lang="ur" dir="rtl"' in body
    assert 'value="محفوظ کریں"' in body  # "Save"
    assert 'value="محفوظ کریں اور ترمیم جاری رکھیں"' in body  # "Save and continue editing"
    assert "اشاعت" in body  # the "Publication" fieldset
    assert "تاریخچہ" in body  # "History"
    assert "Save and continue editing" not in body


def test_the_english_admin_is_unchanged(editor_client, incident):
    body = _page(editor_client, f"/admin/incidents/incident/{incident.pk}/change/")
    assert '<html lang="en-gb" dir="ltr"' in body
    assert 'value="Save and continue editing"' in body
    assert ">Publication</h2>" in body
    changelist = _page(editor_client, "/admin/incidents/incident/")
    assert "Publish the selected records" in changelist
    assert "محفوظ" not in body and "منتخب" not in changelist


def test_the_worklist_is_in_urdu(editor_client, pinned_today):
    body = _page(editor_client, "/ur/staff/worklist/")
    assert "<h1>کاموں کی فہرست" in body  # "Worklist", the glossary's word
    assert "دفعہ 19(7) کی مدت سے تجاوز" in body
    assert "Worklist" not in body


def test_the_phone_hearing_form_is_in_urdu(editor_client, case):
    body = _page(editor_client, f"/ur/staff/hearings/record/?case={case.pk}")
    assert "<h1>سماعت درج کریں</h1>" in body
    assert "سماعت محفوظ کریں" in body  # the "Save the hearing" button
    assert "منتخب کریں کہ کیا ہوا" in body  # the outcome's empty choice
    assert "ایف آئی آر 112/2026" in body


def test_a_bad_date_on_the_urdu_hearing_form_is_refused_in_urdu_and_saves_nothing(editor_client, case):
    page = editor_client.get("/ur/staff/hearings/record/", {"case": case.pk})
    data = {
        "case": case.pk,
        "record_version": page.context["form"]["record_version"].value(),
        "date": "2026-13-45",
        "purpose": "",
        "outcome": "adjourned",
        "adjournment_reason": "",
        "next_date": "",
        "judge": "",
        "notes": "",
    }
    response = editor_client.post("/ur/staff/hearings/record/", data)
    assert response.status_code == 200
    assert "درست تاریخ درج کریں۔" in response.content.decode()  # "Enter a valid date."
    assert Hearing.objects.count() == 0


def test_a_future_hearing_is_refused_in_urdu(editor_client, case, pinned_today):
    page = editor_client.get("/ur/staff/hearings/record/", {"case": case.pk})
    data = {
        "case": case.pk,
        "record_version": page.context["form"]["record_version"].value(),
        "date": "2026-11-30",
        "outcome": "adjourned",
        "adjournment_reason": "",
    }
    response = editor_client.post("/ur/staff/hearings/record/", data)
    assert "سماعت ہونے سے پہلے اسے درج نہیں کیا جا سکتا۔" in response.content.decode()
    assert Hearing.objects.count() == 0


def test_the_review_queue_is_in_urdu(editor_client):
    f.IncidentFactory(title="Draft attack", status=Status.DRAFT)
    body = _page(editor_client, "/ur/staff/review/")
    assert "<h1>جائزے کی قطار</h1>" in body  # "Review queue", the glossary's word
    assert "<p>1 مسودہ۔</p>" in body  # "1 draft."
    assert "نیا اندراج، کبھی شائع نہیں ہوا: اس کے تمام خانے" in body
    assert ">شائع کریں</button>" in body  # the "Publish" button
    assert "Review queue" not in body


def test_a_message_after_a_staff_action_is_in_urdu(editor_client, case, pinned_today):
    response = editor_client.post(f"/ur/staff/cases/{case.pk}/verified/", {"next": "/ur/staff/worklist/"}, follow=True)
    assert f"{case.title}: 25 نومبر 2026 کو تصدیق شدہ درج کیا گیا۔" in response.content.decode()
