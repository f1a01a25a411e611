"""No lost edits in a real browser (issue 13): two editors in two browser contexts open one case;
the first saves, the second's save is refused with who changed what, and nothing of theirs is written."""

from __future__ import annotations

import datetime
import re

import pytest
from django.test import Client
from playwright.sync_api import expect

from tests import factories as f
from tests.conftest import login, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def _editor(django_user_model, username: str, first: str, last: str):
    user = make_user(django_user_model, username, superuser=True)
    user.first_name, user.last_name = first, last
    user.save()
    return user


def _signed_in_page(browser, live_server, user):
    """A page of its own browser context, signed in as `user` (2FA verified) with a test client's cookie."""
    client = login(Client(), user)
    cookie = client.cookies[next(key for key in client.cookies if "session" in key)]
    context = browser.new_context()
    context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": live_server.url}])
    return context.new_page()


def test_the_second_save_of_a_case_is_refused_with_who_changed_what(browser, live_server, django_user_model, tmp_path):
    case = f.CaseFactory(court=f.CourtFactory(name="ATC III, Karachi"), case_number="Special Case 41/2026")
    hearing = f.HearingFactory(case=case, date=datetime.date(2026, 11, 20))
    first = _signed_in_page(browser, live_server, _editor(django_user_model, "amina", "Amina", "Siddiqui"))
    second = _signed_in_page(browser, live_server, _editor(django_user_model, "bilal", "Bilal", "Ahmed"))
    url = f"{live_server.url}/admin/cases/case/{case.pk}/change/"
    first.goto(url)
    second.goto(url)

    first.locator("#id_case_number").fill("Special Case 41/2026 (ATC III)")
    first.get_by_role("button", name="Save", exact=True).click()
    expect(first.get_by_text("was changed successfully")).to_be_visible()

    second.locator("#id_hearings-0-notes").fill("PW-3 absent.")
    second.get_by_role("button", name="Save", exact=True).click()

    expect(second.get_by_text(re.compile(r"^Not saved: since you opened this form"))).to_be_visible()
    expect(second.get_by_text(re.compile(r"^Amina Siddiqui changed this case \(case number\) on "))).to_be_visible()
    expect(second.get_by_role("link", name="Open the current version of this case")).to_be_visible()
    second.screenshot(path=str(tmp_path / "stale-case-form.png"), full_page=True)
    case.refresh_from_db()
    hearing.refresh_from_db()
    assert (case.case_number, hearing.notes) == ("Special Case 41/2026 (ATC III)", "")

    # Opening the current version and saving again works.
    second.get_by_role("link", name="Open the current version of this case").click()
    second.locator("#id_hearings-0-notes").fill("PW-3 absent.")
    second.get_by_role("button", name="Save", exact=True).click()
    expect(second.get_by_text("was changed successfully")).to_be_visible()
    hearing.refresh_from_db()
    assert hearing.notes == "PW-3 absent."
