"""The duplicates page in headless Chromium (issue 17): an editor merges a pair, on a laptop and a phone."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from core.models import Status
from incidents.models import Incident
from tests.monitoring.test_duplicates_page import pair

from .conftest import PHONE

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.usefixtures("roles"),
]
LAPTOP = {"width": 1366, "height": 900}


def shots(tmp_path) -> Path:
    """Where screenshots go: SCREENSHOTS (to look at them) or the test's own folder."""
    folder = Path(os.environ.get("SCREENSHOTS") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def test_an_editor_reviews_and_merges_a_pair(staff_page, live_server, editor, tmp_path):
    a, b = pair()
    page = staff_page(editor)
    for name, size in (("laptop", LAPTOP), ("phone", PHONE)):
        page.set_viewport_size(size)
        page.goto(f"{live_server.url}/staff/duplicates/")
        assert page.get_by_role("heading", level=1).inner_text() == "Possible duplicates"
        assert page.evaluate("document.documentElement.scrollWidth") <= size["width"]
        page.screenshot(path=str(shots(tmp_path) / f"duplicates-{name}.png"), full_page=True)
    page.set_viewport_size(LAPTOP)
    page.get_by_role("button", name="Merge…").click()
    assert page.get_by_role("heading", level=1).inner_text() == f"Merge #{b.pk} into #{a.pk}?"
    page.screenshot(path=str(shots(tmp_path) / "duplicates-confirm.png"), full_page=True)
    page.get_by_label("Note").fill("The same attack, reported a day later.")
    page.get_by_role("button", name="Merge", exact=True).click()
    assert page.get_by_text(f"Merged: #{b.pk} now lives on in").is_visible()
    assert Incident.objects.get(pk=b.pk).status == Status.MERGED
