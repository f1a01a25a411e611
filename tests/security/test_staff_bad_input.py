"""The staff 500s issue 14 lists, each named: bad ids and parameters answer 404 or 400."""

from __future__ import annotations

import pytest

from tests import factories as f

pytestmark = pytest.mark.django_db
HEARING = "/staff/hearings/record/"


@pytest.mark.parametrize("case", ["abc", "-1", "99999999999999999999", "\u0661", "a\x00b"])
def test_record_hearing_with_a_bad_case_is_404(editor_client, case):
    assert editor_client.get(HEARING, {"case": case}).status_code == 404
    assert editor_client.post(HEARING, {"case": case, "date": "2026-11-25"}).status_code == 404


@pytest.mark.parametrize("saved", ["abc", "-1", "99999999999999999999", "\x00"])
def test_record_hearing_with_a_bad_saved_id_shows_the_form(editor_client, saved):
    case = f.CaseFactory()
    response = editor_client.get(HEARING, {"case": case.pk, "saved": saved})
    assert response.status_code == 200
    assert response.context["next_hearing"] is None


@pytest.mark.parametrize("object_id", ["abc", "99999999999999999999", "-1"])
def test_admin_history_of_a_bad_id_is_404(editor_client, object_id):
    assert editor_client.get(f"/admin/incidents/incident/{object_id}/history/").status_code == 404
    assert editor_client.get(f"/admin/cases/case/{object_id}/history/").status_code == 404


@pytest.mark.parametrize(
    "query",
    [
        {"cognizance_date__year": "9999"},
        {"cognizance_date__year": "9999", "cognizance_date__month": "12"},
        {"cognizance_date__year": "2013", "cognizance_date__month": "13"},
        {"court__exact": "99999999999999999999"},
    ],
)
def test_admin_changelist_with_an_impossible_date_lookup_is_not_an_error(editor_client, query):
    f.CaseFactory()
    status = editor_client.get("/admin/cases/case/", query).status_code
    assert status in (200, 302, 400)


def test_admin_regex_lookup_is_refused(editor_client):
    assert editor_client.get("/admin/incidents/incident/", {"title__regex": "("}).status_code == 400


@pytest.mark.parametrize("case", ["abc", "99999999999999999999", "a\x00b"])
@pytest.mark.parametrize("url", ["/admin/cases/charge/add/", "/admin/cases/hearing/add/"])
def test_admin_add_form_sent_back_with_a_bad_related_id_shows_its_error(editor_client, url, case):
    """The autocomplete widget draws the form again without looking the bad id up (was a 500)."""
    response = editor_client.post(url, {"case": case})
    assert response.status_code == 200
    assert b"Select a valid choice" in response.content or b"This field is required" in response.content
