"""Court documents (issue 15 item 5): uploads checked by content, the one visibility rule for the
case page, the download and the search, safe download headers, a document as a verdict's source,
and the storage setting."""

from __future__ import annotations

import datetime
import re

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.files.storage import StorageHandler
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cases.models import Charge, Document, DocumentKind, Verdict
from core.models import Status
from tests import factories as f
from tests.admin_forms import add_inline_rows, admin_url, changeform_data
from tests.conftest import login, make_user
from tests.document_files import hostile_files, jpeg_bytes, pdf_bytes, png_bytes, webp_bytes
from tracker.roles import EDITORS, MONITORS
from tracker.storage import documents_storage

pytestmark = pytest.mark.django_db

D = datetime.date
STORED_NAME = re.compile(r"^documents/[0-9a-f]{32}\.(pdf|png|jpg|webp)$")


def stored_files(media_root) -> list[str]:
    folder = media_root / "documents"
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


def upload(client, case, name: str, content: bytes, **fields):
    data = {"case": case.pk, "kind": "judgment", "date": "2013-01-10", "title": "", "is_public": "on"}
    data |= fields
    data["file"] = SimpleUploadedFile(name, content, content_type="application/pdf")
    return client.post(admin_url(Document, "add"), data)


# --- Uploads -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("hostile", list(hostile_files()))
def test_hostile_file_gets_a_clear_error_and_stores_nothing(monitor_client, settings, hostile):
    case = f.CaseFactory()
    before = stored_files(settings.MEDIA_ROOT)
    name, content = hostile_files()[hostile]
    response = upload(monitor_client, case, name, content)
    assert response.status_code == 200  # the form again, with its error
    errors = response.context["adminform"].form.errors["file"]
    assert len(errors) == 1 and errors[0].endswith((".", "copy.", "that."))
    assert Document.objects.count() == 0
    assert stored_files(settings.MEDIA_ROOT) == before


def test_each_hostile_file_is_refused_for_its_own_reason(monitor_client):
    case = f.CaseFactory()

    def error(key):
        name, content = hostile_files()[key]
        return upload(monitor_client, case, name, content).context["adminform"].form.errors["file"][0]

    assert error("html renamed .pdf").startswith("This file is not a PDF, PNG, JPEG or WebP image")
    assert error("truncated pdf").startswith("The PDF is incomplete")
    assert error("encrypted pdf") == "The PDF is encrypted or password-protected: upload a copy without a password."
    assert error("pdf with javascript").startswith("The PDF carries active content (an action run on opening)")
    assert error("png then html (polyglot)") == "The PNG image has other data after its end."
    assert error("pdf header then html (polyglot)").startswith("The PDF cannot be read")
    assert error("zero bytes") == "The submitted file is empty."  # Django's own check comes first


def test_a_file_over_the_size_limit_is_refused_before_it_is_read(monitor_client, settings):
    settings.DOCUMENT_MAX_BYTES = 2000
    content = pdf_bytes(["x" * 200] * 12)
    assert len(content) > 2000
    response = upload(monitor_client, f.CaseFactory(), "big.pdf", content)
    message = response.context["adminform"].form.errors["file"][0]
    assert message.startswith(f"The file is {len(content) / 1024:.1f}\xa0KB; documents may be at most 2.0\xa0KB")
    assert Document.objects.count() == 0


def test_the_default_size_limit_is_twenty_megabytes():
    from django.conf import settings

    assert settings.DOCUMENT_MAX_BYTES == 20 * 1024 * 1024


def test_a_pdf_is_stored_under_a_random_name_with_its_pages_and_text(monitor_client, monitor, settings):
    case = f.CaseFactory()
    content = pdf_bytes(["Judgment in Special Case 12/2013", "The accused is convicted."])
    response = upload(monitor_client, case, "../../../etc/پاسورڈ\u202e.pdf", content)
    assert response.status_code == 302
    document = Document.objects.get()
    assert STORED_NAME.match(document.file.name)
    assert (settings.MEDIA_ROOT / document.file.name).read_bytes() == content
    assert (document.media_type, document.size, document.pages) == ("application/pdf", len(content), 2)
    assert document.text == "Judgment in Special Case 12/2013\nThe accused is convicted."
    assert document.uploaded_by == monitor
    assert len(document.sha256) == 64


@pytest.mark.parametrize(
    ("content", "media_type", "extension"),
    [(png_bytes(), "image/png", "png"), (jpeg_bytes(), "image/jpeg", "jpg"), (webp_bytes(), "image/webp", "webp")],
)
def test_images_are_judged_by_content_not_name(editor_client, content, media_type, extension):
    assert upload(editor_client, f.CaseFactory(), "scan.pdf", content).status_code == 302
    document = Document.objects.get()
    assert (document.media_type, document.pages, document.text) == (media_type, None, "")
    assert document.file.name.endswith(f".{extension}")


def test_documents_are_added_on_the_cases_form_with_the_uploader_recorded(monitor_client, monitor):
    case = f.CaseFactory(status=Status.DRAFT)
    hearing = f.HearingFactory(case=case, date=D(2013, 1, 10))
    url = admin_url(case.__class__, "change", case.pk)
    data = changeform_data(monitor_client, url)
    row = {"kind": "order_sheet", "date": "2013-01-10", "hearing": hearing.pk, "title": "Order of the day"}
    add_inline_rows(data, "documents", [row | {"file": SimpleUploadedFile("o.png", png_bytes())}])
    response = monitor_client.post(url, data)
    assert response.status_code == 302, response.context and response.context["errors"]
    document = Document.objects.get()
    assert (document.case, document.hearing, document.kind, document.is_public) == (case, hearing, "order_sheet", False)
    assert document.uploaded_by == monitor


def test_a_hostile_file_on_the_cases_form_saves_nothing(monitor_client, settings):
    before = stored_files(settings.MEDIA_ROOT)
    case = f.CaseFactory(status=Status.DRAFT, public_notes="Before")
    url = admin_url(case.__class__, "change", case.pk)
    data = changeform_data(monitor_client, url, public_notes="After")
    row = {
        "kind": "judgment",
        "date": "2013-01-10",
        "file": SimpleUploadedFile("j.pdf", hostile_files()["svg with a script"][1]),
    }
    add_inline_rows(data, "documents", [row])
    response = monitor_client.post(url, data)
    assert response.status_code == 200
    assert "This file is not a PDF, PNG, JPEG or WebP image" in response.content.decode()
    case.refresh_from_db()
    assert (case.public_notes, Document.objects.count(), stored_files(settings.MEDIA_ROOT)) == ("Before", 0, before)


def test_a_hearing_of_another_case_is_refused(editor_client):
    case, other = f.CaseFactory(), f.CaseFactory()
    hearing = f.HearingFactory(case=other)
    response = upload(editor_client, case, "j.pdf", pdf_bytes(["J"]), hearing=hearing.pk)
    assert response.context["adminform"].form.errors["hearing"] == ["Choose a hearing of this case."]
    assert Document.objects.count() == 0


def test_monitors_and_editors_add_documents_only_editors_delete_them(client, django_user_model):
    document = f.DocumentFactory()
    monitor = login(client, make_user(django_user_model, "m", group=MONITORS))
    assert monitor.get(admin_url(Document, "add")).status_code == 200
    assert monitor.post(admin_url(Document, "delete", document.pk), {"post": "yes"}).status_code == 403
    editor = login(client, make_user(django_user_model, "e", group=EDITORS))
    assert editor.post(admin_url(Document, "delete", document.pk), {"post": "yes"}).status_code == 302
    assert not Document.objects.exists()


# --- Who sees what -----------------------------------------------------------------------------------

ROLES = ("anonymous", "monitor", "editor")


@pytest.fixture
def as_role(client, django_user_model):
    def make(role):
        if role == "monitor":
            return login(client, make_user(django_user_model, "monitor", group=MONITORS))
        if role == "editor":
            return login(client, make_user(django_user_model, "editor", group=EDITORS))
        return client

    return make


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("status", [Status.PUBLISHED, Status.DRAFT, Status.RETRACTED])
@pytest.mark.parametrize("is_public", [True, False])
def test_permission_matrix_for_the_page_and_the_download(as_role, django_user_model, role, status, is_public):
    """Public only when flagged public AND the case is published; staff see every document; 404, never 403."""
    uploader = django_user_model.objects.create_user("planted-uploader")
    case = f.CaseFactory(status=status)
    document = f.DocumentFactory(case=case, title="The judgment", is_public=is_public, uploaded_by=uploader)
    client = as_role(role)
    visible = role != "anonymous" or (is_public and status == Status.PUBLISHED)
    download = client.get(document.get_absolute_url())
    assert download.status_code == (200 if visible else 404)
    page = client.get(case.get_absolute_url())
    assert page.status_code == (200 if role != "anonymous" or status == Status.PUBLISHED else 404)
    text = page.content.decode()
    assert ("The judgment" in text) is visible
    assert ("Confidential" in text) is (visible and not is_public)
    assert "planted-uploader" not in text


def test_a_document_answers_only_under_its_own_case(client):
    document = f.DocumentFactory()
    other = f.CaseFactory()
    assert client.get(reverse("cases:document_file", args=[other.pk, document.pk])).status_code == 404
    assert client.get(reverse("cases:document_file", args=[document.case_id, document.pk])).status_code == 200


def test_a_missing_file_is_404_not_500(client, settings):
    document = f.DocumentFactory()
    (settings.MEDIA_ROOT / document.file.name).unlink()
    assert client.get(document.get_absolute_url()).status_code == 404


def test_the_media_folder_is_not_served(client):
    document = f.DocumentFactory()
    assert client.get(f"/media/{document.file.name}").status_code == 404
    assert client.get(f"/static/{document.file.name}").status_code == 404


# --- Safe headers ------------------------------------------------------------------------------------


def test_a_pdf_opens_inline_with_safe_headers(client):
    content = pdf_bytes(["Judgment"])
    document = f.DocumentFactory(content=content, kind=DocumentKind.JUDGMENT, date=D(2013, 1, 10))
    response = client.get(document.get_absolute_url())
    assert b"".join(response.streaming_content) == content
    assert response["Content-Type"] == "application/pdf"
    expected_name = f"case-{document.case_id}-judgment-2013-01-10-{document.pk}.pdf"
    assert response["Content-Disposition"] == f'inline; filename="{expected_name}"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"] == (
        "default-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
    )
    assert response["Cache-Control"] == "private, no-cache"
    assert response["Cross-Origin-Resource-Policy"] == "same-origin"


@pytest.mark.parametrize(("content", "media_type"), [(png_bytes(), "image/png"), (jpeg_bytes(), "image/jpeg")])
def test_an_image_is_always_a_sandboxed_download(client, content, media_type):
    document = f.DocumentFactory(content=content, kind=DocumentKind.ORDER_SHEET)
    response = client.get(document.get_absolute_url())
    assert response["Content-Type"] == media_type
    assert response["Content-Disposition"].startswith('attachment; filename="case-')
    assert response["Content-Security-Policy"].endswith("; sandbox")
    assert response["X-Content-Type-Options"] == "nosniff"


def test_a_stored_type_outside_the_checked_kinds_is_never_served(client):
    document = f.DocumentFactory()
    Document.objects.filter(pk=document.pk).update(media_type="text/html")
    assert client.get(document.get_absolute_url()).status_code == 404


# --- The case page, the search and the verdict's source ----------------------------------------------


def test_case_page_lists_public_documents_with_kind_date_pages_size_and_link(client):
    case = f.CaseFactory()
    hearing = f.HearingFactory(case=case, date=D(2013, 1, 3), outcome="proceeded")
    judgment = f.DocumentFactory(
        case=case, date=D(2013, 1, 10), title="Judgment of ATC II", content=pdf_bytes(["a", "b", "c"])
    )
    order = f.DocumentFactory(
        case=case, hearing=hearing, kind=DocumentKind.ORDER_SHEET, date=D(2013, 1, 3), content=png_bytes()
    )
    f.DocumentFactory(case=case, title="Secret FIR copy", is_public=False)
    response = client.get(case.get_absolute_url())
    assert response.context["documents"] == [order, judgment]
    text = re.sub(r"[ \n]+", " ", response.content.decode())
    assert f'href="/cases/{case.pk}/documents/{judgment.pk}/"' in text
    assert "Judgment</span>: Judgment of ATC II" in text
    assert f"PNG image, {order.size}\xa0bytes" in text and "hearing of 3 Jan 2013" in text
    assert "PDF, 3 pages," in text
    assert "Secret FIR copy" not in text


def test_case_page_runs_the_same_queries_for_one_or_many_documents(client):
    case = f.CaseFactory()
    hearing = f.HearingFactory(case=case)
    source = f.DocumentFactory(case=case, hearing=hearing)
    f.ChargeFactory(case=case, verdict_source=source)

    with CaptureQueriesContext(connection) as one:
        client.get(case.get_absolute_url())
    for _ in range(4):
        charge = f.ChargeFactory(case=case)
        document = f.DocumentFactory(case=case, hearing=hearing)
        Charge.objects.filter(pk=charge.pk).update(verdict_source=document)
    with CaptureQueriesContext(connection) as many:
        client.get(case.get_absolute_url())
    assert len(many) == len(one)


def test_the_case_search_finds_words_in_documents_the_reader_may_see(client, django_user_model):
    shown = f.CaseFactory(case_number="Shown 1/2013")
    f.DocumentFactory(case=shown, content=pdf_bytes(["The court convicted Rahimullah under ATA s.7"]))
    confidential = f.CaseFactory(case_number="Confidential 2/2013")
    f.DocumentFactory(case=confidential, is_public=False, content=pdf_bytes(["Rahimullah named by a witness"]))
    draft = f.CaseFactory(case_number="Draft 3/2013", status=Status.DRAFT)
    f.DocumentFactory(case=draft, content=pdf_bytes(["Rahimullah again"]))

    def found(client):
        response = client.get(reverse("cases:case_list"), {"q": "rahimullah"})
        return sorted(case.case_number for case in response.context["page"].object_list)

    assert found(client) == ["Shown 1/2013"]
    assert client.get("/api/cases/", {"q": "rahimullah"}).json()["count"] == 1
    monitor = login(client, make_user(django_user_model, "monitor", group=MONITORS))
    assert found(monitor) == ["Confidential 2/2013", "Draft 3/2013", "Shown 1/2013"]


def test_a_public_document_is_shown_as_the_source_of_a_verdict(client):
    case = f.CaseFactory()
    judgment = f.DocumentFactory(case=case)
    charge = f.ChargeFactory(case=case, verdict=Verdict.CONVICTED, verdict_date=D(2013, 1, 10), verdict_source=judgment)
    text = client.get(case.get_absolute_url()).content.decode()
    assert f'<a class="verdict-source" href="/cases/{case.pk}/documents/{judgment.pk}/">Source: judgment</a>' in text
    judgment.is_public = False
    judgment.save()
    assert "verdict-source" not in client.get(case.get_absolute_url()).content.decode()
    assert charge.verdict_source == judgment


def test_a_verdicts_source_must_be_a_document_of_its_case():
    charge = f.ChargeFactory(verdict=Verdict.CONVICTED, verdict_date=D(2013, 1, 10))
    charge.verdict_source = f.DocumentFactory()  # another case's
    with pytest.raises(Exception) as refused:
        charge.clean()
    assert refused.value.message_dict == {"verdict_source": ["Choose a document of this case."]}


def test_the_verdict_source_is_chosen_among_the_cases_documents(superuser_client):
    charge = f.ChargeFactory()
    own = f.DocumentFactory(case=charge.case)
    f.DocumentFactory()
    form = superuser_client.get(admin_url(Charge, "change", charge.pk)).context["adminform"].form
    assert list(form.fields["verdict_source"].queryset) == [own]


def test_public_only_needs_both_the_flag_and_a_published_case():
    public = f.DocumentFactory()
    f.DocumentFactory(is_public=False)
    f.DocumentFactory(case=f.CaseFactory(status=Status.DRAFT))
    f.DocumentFactory(case=f.CaseFactory(status=Status.RETRACTED))
    assert list(Document.objects.public()) == [public]


# --- Storage --------------------------------------------------------------------------------------


def test_documents_go_to_the_file_system_by_default():
    config = documents_storage({})
    assert config["BACKEND"] == "django.core.files.storage.FileSystemStorage"
    assert config["OPTIONS"]["file_permissions_mode"] == 0o600
    assert config["OPTIONS"]["base_url"] is None


def test_s3_storage_is_configured_from_the_environment_without_any_network():
    from storages.backends.s3 import S3Storage

    environ = {
        "DOCUMENTS_STORAGE": "s3",
        "AWS_STORAGE_BUCKET_NAME": "tracker-documents",
        "AWS_S3_ENDPOINT_URL": "https://s3.example.org",
        "AWS_S3_REGION_NAME": "eu-central-1",
        "AWS_ACCESS_KEY_ID": "key-id",
        "AWS_SECRET_ACCESS_KEY": "secret",
    }
    storage = StorageHandler({"documents": documents_storage(environ)})["documents"]
    assert isinstance(storage, S3Storage)
    assert (storage.bucket_name, storage.endpoint_url, storage.region_name) == (
        "tracker-documents",
        "https://s3.example.org",
        "eu-central-1",
    )
    assert (storage.default_acl, storage.querystring_auth, storage.file_overwrite) == ("private", True, False)


@pytest.mark.parametrize(
    ("environ", "message"),
    [
        ({"DOCUMENTS_STORAGE": "ftp"}, "DOCUMENTS_STORAGE must be 'filesystem' or 's3', not 'ftp'."),
        ({"DOCUMENTS_STORAGE": "s3"}, "DOCUMENTS_STORAGE=s3 needs AWS_STORAGE_BUCKET_NAME."),
    ],
)
def test_a_wrong_storage_setting_stops_the_start_saying_why(environ, message):
    with pytest.raises(ImproperlyConfigured, match=re.escape(message)):
        documents_storage(environ)


# --- The API -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_case_api_lists_the_documents_the_reader_may_see(as_role, django_user_model, role):
    uploader = django_user_model.objects.create_user("planted-uploader")
    case = f.CaseFactory()
    public = f.DocumentFactory(case=case, date=D(2014, 3, 20), content=pdf_bytes(["a", "b"]), uploaded_by=uploader)
    secret = f.DocumentFactory(case=case, date=D(2013, 1, 1), is_public=False, title="PLANTED-SECRET")
    f.ChargeFactory(case=case, verdict=Verdict.CONVICTED, verdict_date=D(2014, 3, 20), verdict_source=public)
    f.ChargeFactory(case=case, verdict=Verdict.ACQUITTED, verdict_date=D(2014, 3, 20), verdict_source=secret)
    response = as_role(role).get(f"/api/cases/{case.pk}/")
    body = response.json()
    expected = [public.pk] if role == "anonymous" else [secret.pk, public.pk]
    assert [document["id"] for document in body["documents"]] == expected
    assert [charge["verdict_source"] for charge in body["charges"]] == (
        [public.pk, None] if role == "anonymous" else [public.pk, secret.pk]
    )
    row = next(document for document in body["documents"] if document["id"] == public.pk)
    assert row == {
        "id": public.pk,
        "kind": "judgment",
        "date": "2014-03-20",
        "title": "",
        "hearing": None,
        "media_type": "application/pdf",
        "size": public.size,
        "pages": 2,
        "sha256": public.sha256,
        "url": f"http://testserver/cases/{case.pk}/documents/{public.pk}/",
    }
    assert "planted-uploader" not in response.content.decode()
    assert ("PLANTED-SECRET" in response.content.decode()) is (role != "anonymous")


def test_the_case_api_hides_every_document_of_a_draft_case(client):
    document = f.DocumentFactory(case=f.CaseFactory(status=Status.DRAFT))
    assert client.get(f"/api/cases/{document.case_id}/").status_code == 404


def test_deleting_a_document_removes_its_file(editor_client, settings, django_capture_on_commit_callbacks):
    document = f.DocumentFactory(is_public=False)
    path = settings.MEDIA_ROOT / document.file.name
    assert path.exists()
    with django_capture_on_commit_callbacks(execute=True):
        response = editor_client.post(admin_url(Document, "delete", document.pk), {"post": "yes"})
    assert response.status_code == 302
    assert not path.exists()


def test_a_saved_documents_file_is_shown_linked_and_cannot_be_replaced(editor_client):
    document = f.DocumentFactory(content=pdf_bytes(["First"]))
    url = admin_url(Document, "change", document.pk)
    page = editor_client.get(url).content.decode()
    assert f'<a href="{document.get_absolute_url()}">open the stored file</a>' in page
    assert f"/media/{document.file.name}" not in page
    data = changeform_data(editor_client, url, title="Renamed")
    data["file"] = SimpleUploadedFile("second.pdf", pdf_bytes(["Second"]))
    assert editor_client.post(url, data).status_code == 302
    document.refresh_from_db()
    assert (document.title, document.text, document.pages) == ("Renamed", "First", 1)
