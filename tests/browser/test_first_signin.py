"""A new staff member's first sign-in, in headless Chromium, through the real login wizard.

Nothing here copies a session cookie: each person types a password and a code, as a browser
would. The new monitor has a password and the Legal monitors group but no authenticator yet:
they sign in with the public site open in a second tab (which loads /favicon.ico, the page
Chromium asks for on its own), set up the authenticator by reading the key written on the page,
get backup codes, reach the admin, then record a hearing on the phone form at 390 px. An editor,
in another browser context, signs in with password and code and publishes the case from the
review queue. Both sign out with the button; the back button then shows no staff data.
"""

from __future__ import annotations

import datetime
import re
from base64 import b32decode

import pytest
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from incidents.models import Status
from tests import factories as f
from tests.conftest import make_user
from tracker.roles import EDITORS, MONITORS

from .conftest import PHONE

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.usefixtures("roles"),
]
D = datetime.date
WIDE = {"width": 1366, "height": 900}
PASSWORD = "correct-horse-battery-staple"  # tests.conftest.make_user's
CASE = "Special Case 7/2026"


def _code(key: bytes) -> str:
    """What an authenticator app shows now for `key`."""
    return f"{totp(key):06d}"


def _password_step(page, base: str, username: str) -> None:
    """Open the admin, get sent to the login wizard, type the username and password."""
    page.goto(f"{base}/admin/")
    assert page.url.startswith(f"{base}/account/login/?next=")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Continue").click()


def _sign_out_and_go_back(page, base: str, staff_text: str) -> None:
    """Sign out with the header's button; the back button then shows the sign-in page, not `staff_text`."""
    page.get_by_role("button", name="Sign out").click()
    assert page.url == f"{base}/"
    assert page.get_by_role("button", name="Sign out").count() == 0
    page.go_back()
    page.wait_for_load_state()
    assert "/account/login/" in page.url
    assert staff_text not in page.content()
    assert page.get_by_role("heading", level=1).inner_text() == "Staff sign-in"


def test_first_sign_in_setup_hearing_and_publishing(browser, live_server, django_user_model, tmp_path):
    base = live_server.url
    make_user(django_user_model, "amina", group=MONITORS)  # new: a password, no authenticator yet
    editor = make_user(django_user_model, "bilal", group=EDITORS)
    editor_device = TOTPDevice.objects.create(user=editor, name="default", confirmed=True)
    court = f.CourtFactory(name="Anti-Terrorism Court II, Karachi")
    case = f.CaseFactory(court=court, case_number=CASE, fir_number="42/2026", status=Status.DRAFT)
    f.ChargeFactory(case=case, accused=f.AccusedFactory(name="Rashid Khan"))
    f.HearingFactory(case=case, date=D(2026, 11, 20))

    monitor_context = browser.new_context(viewport=WIDE)
    page = monitor_context.new_page()

    # 1. Password: no authenticator yet, so the wizard sends the newcomer to set one up.
    _password_step(page, base, "amina")
    assert page.url == f"{base}/account/two_factor/setup/"  # the wizard keeps ?next= in the session
    assert page.get_by_role("heading", level=1).inner_text() == "Set up two-factor sign-in"
    page.get_by_role("button", name="Start").click()
    key = page.locator("#secret-key").inner_text().strip()
    assert re.fullmatch(r"[A-Z2-7]{32}", key)
    qr = page.get_by_role("img", name=re.compile("QR code"))
    qr.evaluate("img => img.decode()")  # rejects if the image cannot be loaded
    assert qr.evaluate("img => img.naturalWidth") > 0
    page.screenshot(path=str(tmp_path / "setup-key-wide.png"), full_page=True)

    # 2. The public site in a second tab, its favicon, and a staff page there too: none of it
    # restarts the setup or changes the key.
    public = monitor_context.new_page()
    public.goto(f"{base}/")
    assert public.get_by_role("link", name="Incidents").first.is_visible()
    assert CASE not in public.content()  # a password alone shows what the public sees
    # Headless Chromium skips its own favicon request: load it as the tab's icon is loaded, and open it.
    width = public.evaluate(
        "() => new Promise(done => { const icon = new Image(); icon.onload = () => done(icon.naturalWidth);"
        " icon.onerror = () => done(0); icon.src = '/favicon.ico'; })"
    )
    assert width == 48  # the largest of its three sizes
    icon = public.goto(f"{base}/favicon.ico")
    assert icon.status == 200
    assert icon.headers["content-type"] == "image/x-icon"
    public.goto(f"{base}/admin/")
    assert public.url == f"{base}/account/two_factor/setup/?next=%2Fadmin%2F"
    assert public.locator("#secret-key").inner_text().strip() == key
    public.close()
    page.reload()  # the browser's own reload: the same key again
    assert page.locator("#secret-key").inner_text().strip() == key

    # 3. The code the authenticator computes from the key finishes the setup: backup codes at once.
    page.get_by_label("Token").fill(_code(b32decode(key)))
    page.get_by_role("button", name="Check the code and finish").click()
    assert page.url == f"{base}/account/two_factor/setup/complete/?next=%2Fadmin%2F"
    assert page.get_by_role("heading", level=1).inner_text() == "Two-factor sign-in is on"
    shown = [code.strip() for code in page.get_by_role("list", name="Backup codes").locator("code").all_inner_texts()]
    stored = list(
        StaticToken.objects.filter(device__user__username="amina").order_by("pk").values_list("token", flat=True)
    )
    assert len(shown) == 10
    assert shown == stored
    assert page.get_by_role("link", name="your account security page").get_attribute("href") == "/account/two_factor/"
    page.screenshot(path=str(tmp_path / "backup-codes-wide.png"), full_page=True)
    page.get_by_role("link", name="Continue").click()
    assert page.url == f"{base}/admin/"
    page.screenshot(path=str(tmp_path / "admin-wide.png"), full_page=True)
    assert page.locator("#user-tools").inner_text().startswith("WELCOME, AMINA.")
    assert page.get_by_role("link", name="Sign-in codes").get_attribute("href") == "/account/two_factor/"

    # 4. The monitor records the hearing on the phone form.
    page.set_viewport_size(PHONE)
    page.goto(f"{base}/staff/hearings/record/")
    page.get_by_label("Find the case").fill("Rashid")
    page.get_by_role("button", name="Search").click()
    page.get_by_role("link", name=CASE).click()
    assert page.get_by_label("Date", exact=True).input_value() == "2026-11-20"
    page.get_by_label("Outcome").select_option("proceeded")
    page.get_by_label("Next date").fill("2026-12-04")
    page.get_by_role("button", name="Save the hearing").click()
    assert page.get_by_text("Hearing of 20 Nov 2026 recorded.").is_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    assert list(case.hearings.order_by("date").values_list("date", "outcome")) == [
        (D(2026, 11, 20), "proceeded"),
        (D(2026, 12, 4), ""),
    ]

    # 5. The editor, in a browser of their own: password, then the code, then the review queue.
    editor_context = browser.new_context(viewport=WIDE)
    desk = editor_context.new_page()
    _password_step(desk, base, "bilal")
    desk.get_by_label("Token").fill(_code(editor_device.bin_key))
    desk.get_by_role("button", name="Sign in").click()
    assert desk.url == f"{base}/admin/"
    anonymous = browser.new_context(viewport=WIDE).new_page()
    assert anonymous.goto(f"{base}/cases/{case.pk}/").status == 404  # a draft until the editor publishes
    desk.goto(f"{base}/staff/review/")
    item = desk.locator("article.review-item").filter(has_text=CASE)
    item.get_by_role("button", name="Publish").click()
    case.refresh_from_db()
    assert case.status == Status.PUBLISHED
    assert anonymous.goto(f"{base}/cases/{case.pk}/").status == 200
    assert CASE in anonymous.get_by_role("heading", level=1).inner_text()
    assert (
        anonymous.locator(".hearing-summary")
        .inner_text()
        .startswith("1 hearing recorded, 1 listed without an outcome yet.")
    )

    # 6. Both sign out with the button; back shows the sign-in page, not the staff page.
    _sign_out_and_go_back(desk, base, "Review queue")
    _sign_out_and_go_back(page, base, "Rashid Khan")
    for context in (monitor_context, editor_context, anonymous.context):
        context.close()
