"""The monitor's day on a phone (390x844): the worklist and the hearing form, in headless Chromium."""

from __future__ import annotations

import datetime

import pytest

from cases.models import Stage
from tests import factories as f
from tests.conftest import TODAY

from .conftest import PHONE

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.usefixtures("roles"),
]
D = datetime.date


@pytest.fixture(autouse=True)
def fixed_today(time_machine):
    time_machine.move_to(TODAY)


def _fits_the_phone(page) -> bool:
    """No sideways scrolling: nothing on the page is wider than the screen."""
    return page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


def test_worklist_on_a_phone(staff_page, live_server, monitor, tmp_path):
    court = f.CourtFactory(name="Anti-Terrorism Court II, Karachi")
    case = f.CaseFactory(
        court=court, case_number="Special Case 12/2013", cognizance_date=D(2026, 11, 2), stage=Stage.CHARGE_FRAMED
    )
    f.HearingFactory(case=case, date=D(2026, 11, 20))
    page = staff_page(monitor)
    page.set_viewport_size(PHONE)
    page.goto(f"{live_server.url}/staff/worklist/")
    assert page.get_by_role("heading", level=1).inner_text().startswith("Worklist")
    assert page.get_by_text("10 working days over").is_visible()
    assert _fits_the_phone(page)
    page.screenshot(path=str(tmp_path / "worklist-phone.png"), full_page=True)

    page.get_by_role("button", name="Mark verified today: Special Case 12/2013").click()
    assert page.get_by_text("marked verified on 25 Nov 2026").is_visible()
    case.refresh_from_db()
    assert case.last_verified_on == TODAY

    page.get_by_role("link", name="Record 20 Nov 2026").click()
    assert page.get_by_label("Date", exact=True).input_value() == "2026-11-20"


def test_record_a_hearing_on_a_phone(staff_page, live_server, monitor, tmp_path):
    court = f.CourtFactory(name="Anti-Terrorism Court II, Karachi")
    case = f.CaseFactory(court=court, case_number="Special Case 12/2013", fir_number="42/2013")
    f.ChargeFactory(case=case, accused=f.AccusedFactory(name="Rashid Khan"))
    f.HearingFactory(case=case, date=D(2026, 11, 20))
    page = staff_page(monitor)
    page.set_viewport_size(PHONE)
    page.goto(f"{live_server.url}/staff/hearings/record/")

    page.get_by_label("Find the case").fill("Rashid")
    page.get_by_role("button", name="Search").click()
    page.get_by_role("link", name="Special Case 12/2013").click()
    assert page.get_by_label("Date", exact=True).input_value() == "2026-11-20"
    assert _fits_the_phone(page)

    # A mistake first: adjourned without a reason. Nothing is saved; the message says why.
    page.get_by_label("Outcome").select_option("adjourned")
    page.get_by_role("button", name="Save the hearing").click()
    assert page.get_by_text("Say why the hearing was adjourned.").is_visible()
    assert case.hearings.count() == 1

    page.get_by_label("Adjournment reason").select_option("lawyers_strike")
    page.get_by_label("Next date").fill("2026-12-04")
    page.get_by_label("A monitor of ours was present").check()
    page.screenshot(path=str(tmp_path / "hearing-form-phone.png"), full_page=True)
    page.get_by_role("button", name="Save the hearing").click()

    assert page.get_by_text("Hearing of 20 Nov 2026 recorded.").is_visible()
    assert page.get_by_text("Friday 4 December 2026").is_visible()
    assert _fits_the_phone(page)
    rows = list(case.hearings.order_by("date").values_list("date", "outcome", "adjournment_reason", "recorded_by"))
    assert rows == [
        (D(2026, 11, 20), "adjourned", "lawyers_strike", monitor.pk),
        (D(2026, 12, 4), "", "", None),
    ]
