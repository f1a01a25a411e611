"""Court documents on a case's public page, in headless Chromium at 1,366 and 390 px: the list
(kind, date, pages, size), the verdict's source beside the verdict, a PDF that opens with safe
headers, an image that downloads, and no confidential document anywhere.

Set TRACKER_SCREENSHOTS to a folder to keep the screenshots (otherwise they go to tmp_path)."""

from __future__ import annotations

import datetime
import os
from pathlib import Path

import pytest

from cases.models import DocumentKind, HearingOutcome, Verdict
from tests import factories as f
from tests.document_files import pdf_bytes, png_bytes

from .conftest import PHONE

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]
D = datetime.date
LAPTOP = {"width": 1366, "height": 768}


@pytest.fixture
def case_with_documents():
    case = f.CaseFactory(
        case_number="Special Case 12/2013",
        court=f.CourtFactory(name="Anti-Terrorism Court II, Karachi"),
        cognizance_date=D(2013, 2, 1),
        judgment_date=D(2014, 3, 20),
        stage="decided",
    )
    hearing = f.HearingFactory(case=case, date=D(2013, 5, 6), outcome=HearingOutcome.PROCEEDED, notes="PW-2 examined")
    judgment = f.DocumentFactory(
        case=case,
        kind=DocumentKind.JUDGMENT,
        date=D(2014, 3, 20),
        title="Judgment of the Anti-Terrorism Court II, Karachi, in the Alamdar Road bombing case",
        content=pdf_bytes(["Judgment", "Findings", "Sentence"]),
    )
    f.DocumentFactory(
        case=case,
        hearing=hearing,
        kind=DocumentKind.ORDER_SHEET,
        date=D(2013, 5, 6),
        title="Witness PW-2 examined; next date fixed",
        content=png_bytes(40, 60),
    )
    f.DocumentFactory(case=case, kind=DocumentKind.FIR_COPY, title="Unredacted FIR naming witnesses", is_public=False)
    f.ChargeFactory(
        case=case,
        accused=f.AccusedFactory(name="Accused One"),
        verdict=Verdict.CONVICTED,
        verdict_date=D(2014, 3, 20),
        sentence_kind="life",
        verdict_source=judgment,
    )
    return case, judgment


def shot(page, tmp_path, name: str) -> None:
    folder = Path(os.environ.get("TRACKER_SCREENSHOTS") or tmp_path)
    page.screenshot(path=str(folder / name), full_page=True)


@pytest.mark.parametrize("viewport", [LAPTOP, PHONE], ids=["1366", "390"])
def test_public_case_page_lists_documents_and_opens_them(page, live_server, case_with_documents, tmp_path, viewport):
    case, judgment = case_with_documents
    page.set_viewport_size(viewport)
    page.goto(f"{live_server.url}{case.get_absolute_url()}")
    documents = page.locator("section.documents li.document")
    assert documents.count() == 2
    order, first = documents.nth(0).inner_text(), documents.nth(1).inner_text()
    assert order.startswith("Order sheet: Witness PW-2 examined; next date fixed")
    assert "6 May 2013 · hearing of 6 May 2013 · PNG image" in order and order.endswith("downloads")
    assert "Judgment: Judgment of the Anti-Terrorism Court II" in first
    assert "20 Mar 2014 · PDF, 3 pages," in first and first.endswith("opens in your browser")
    assert "Unredacted FIR" not in page.content()
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 1, f"the case page is {overflow}px wider than the screen"
    shot(page, tmp_path, f"case-documents-{viewport['width']}.png")

    # The verdict's source, beside the verdict.
    source = page.get_by_role("link", name="Source: judgment")
    assert source.get_attribute("href") == judgment.get_absolute_url()

    # The PDF: inline, with the safe headers; the image: a download with the record's name.
    response = page.request.get(f"{live_server.url}{judgment.get_absolute_url()}")
    assert (response.status, response.headers["content-type"]) == (200, "application/pdf")
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["content-disposition"].startswith("inline;")
    with page.expect_download() as info:
        documents.nth(0).get_by_role("link").click()
    assert info.value.suggested_filename.startswith(f"case-{case.pk}-order_sheet-2013-05-06-")
