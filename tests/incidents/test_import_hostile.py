"""Hostile import files (issue 14): every one answered with its row, column and reason, never a traceback.

Each file is built here. For each failure the test asserts the exact message, that nothing was
written (Incident, Source and IncidentSource counts unchanged) and that an ImportRun with ok=False
keeps the reason; the same files go through the admin's upload → preview → confirm and answer
200 (or 302 to a 200 page) with the message. The suite runs on SQLite and PostgreSQL alike.
"""

from __future__ import annotations

import io
import json
import os
import zipfile
from io import StringIO
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils.html import escape
from openpyxl import Workbook

from incidents.import_admin import created_incidents_url
from incidents.importing import ImportFailed, MappedFormat, run_import
from incidents.models import ImportRun, Incident, IncidentSource, Province, Source

pytestmark = pytest.mark.django_db

IMPORT_URL = "/admin/incidents/importrun/import/"
CONFIRM_URL = "/admin/incidents/importrun/import/confirm/"
HEADER = "Date,Province,Place,Killed\r\n"
GOOD_ROW = "2012-03-10,Sindh,Abbas Town,2\r\n"
MAPPING = {
    "source": {"title": "Hostile test sheet"},
    "encoding": "utf-8",
    "columns": {
        "date": {"column": "Date"},
        "province": {"column": "Province"},
        "locality": {"column": "Place"},
        "killed": {"column": "Killed"},
    },
}
FORMULA_REMEDY = "open and save the file in a spreadsheet program to compute it"


@pytest.fixture(autouse=True)
def sindh(db):
    """The one province these files name (the seeds are not needed, and not loaded: faster)."""
    return Province.objects.get_or_create(name="Sindh", defaults={"slug": "sindh"})[0]


def counts() -> tuple[int, int, int]:
    return Incident.objects.count(), Source.objects.count(), IncidentSource.objects.count()


def mapping(**changes) -> dict:
    return {**MAPPING, **changes}


def write(tmp_path: Path, name: str, data: bytes | str) -> Path:
    path = tmp_path / name
    path.write_bytes(data.encode() if isinstance(data, str) else data)
    return path


def xlsx(rows: list[list], *, dimension: str | None = None, padding: int = 0) -> bytes:
    """An XLSX of these rows (openpyxl writes formulas without a saved value); optionally with a
    false stored dimension, or with `padding` spaces in the sheet XML (compresses to almost nothing)."""
    workbook = Workbook()
    for row in rows:
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    if dimension is None and not padding:
        return buffer.getvalue()
    out = io.BytesIO()
    with zipfile.ZipFile(buffer) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                if dimension:
                    start = data.index(b'<dimension ref="')
                    end = data.index(b'"', start + 16)
                    data = data[: start + 16] + dimension.encode() + data[end:]
                data = data.replace(b"<sheetData>", b"<sheetData>" + b" " * padding)
            target.writestr(info.filename, data)
    return out.getvalue()


def refused(path: Path, fmt_mapping: dict | None = None, *, message: str, **kwargs):
    """Run the import: it fails with exactly `message`, writes nothing and logs ok=False with the reason."""
    before = counts()
    result = run_import(path, MappedFormat(fmt_mapping or MAPPING), **kwargs)
    assert result.errors == [message]
    assert counts() == before
    run = ImportRun.objects.latest("id")
    assert (run.ok, run.created, run.updated) == (False, 0, 0)
    assert message in run.report
    assert "nothing was written" in run.report
    assert "created:" not in run.report and "created:" not in result.summary_line()
    return result


# -- every hostile file: (name, content builder, mapping changes, settings, exact message) ------------------

HOSTILE = [
    (
        "cp1252 bytes declared utf-8",
        "cp1252.csv",
        lambda: (HEADER + "2012-03-10,Sindh,Caf\xe9 Shahid,2\r\n").encode("cp1252"),
        {},
        {},
        "Line 2: the file is not valid utf-8 (invalid continuation byte); name the file's encoding in the "
        'mapping (e.g. "encoding": "cp1252").',
    ),
    (
        "utf-8 bytes declared cp1252",
        "utf8.csv",
        lambda: (HEADER + GOOD_ROW + "2012-03-11,Sindh,Café Shahid,2\r\n").encode(),
        {"encoding": "cp1252"},
        {},
        'Line 3: the file is UTF-8 but the mapping says "cp1252", in which its accented letters would be '
        'misread (e.g. "Café" as "CafÃ©"); set "encoding": "utf-8" in the mapping.',
    ),
    (
        "a NUL byte in a cell",
        "nul.csv",
        lambda: HEADER + GOOD_ROW + "2012-03-11,Sindh,Abbas\x00Town,2\r\n",
        {},
        {},
        "row 3, column 'Place': the cell holds a NUL byte (\\x00), which cannot be stored",
    ),
    (
        "a locality over the field's 300 characters",
        "long.csv",
        lambda: HEADER + GOOD_ROW + f"2012-03-11,Sindh,{'x' * 301},2\r\n",
        {},
        {},
        "row 3, column 'Place': 301 characters, over the limit of 300 for locality",
    ),
    (
        "a count beyond the database's integer",
        "huge_count.csv",
        lambda: HEADER + "2012-03-11,Sindh,Abbas Town,99999999999\r\n",
        {},
        {},
        "row 2, column 'Killed': 99999999999 is out of range for killed (0 to 2,147,483,647)",
    ),
    (
        "a truncated CSV (a quote never closed)",
        "truncated.csv",
        lambda: HEADER + GOOD_ROW + '2012-03-11,Sindh,"Abbas Town,2\r\n',
        {},
        {},
        "Row 3: the CSV cannot be read: unexpected end of data (a quoted cell is never closed: is the file cut short?).",
    ),
    ("an empty file", "empty.csv", lambda: b"", {}, {}, "The file is empty."),
    (
        "a header-only file",
        "header.csv",
        lambda: HEADER,
        {},
        {},
        "Row 2: the file holds its column names but no data rows; there is nothing to import.",
    ),
    (
        "more rows than the limit (CSV)",
        "many.csv",
        lambda: HEADER + GOOD_ROW * 6,
        {},
        {"IMPORT_MAX_ROWS": 5},
        "Row 7: the file has more than 5 data rows, the limit (setting IMPORT_MAX_ROWS). Split it into smaller files.",
    ),
    (
        "more rows than the limit (XLSX)",
        "many.xlsx",
        lambda: xlsx([["Date", "Province", "Place", "Killed"]] + [["2012-03-10", "Sindh", "A", 1]] * 6),
        {},
        {"IMPORT_MAX_ROWS": 5},
        "Row 7: the file has more than 5 data rows, the limit (setting IMPORT_MAX_ROWS). Split it into smaller files.",
    ),
    (
        "a file over the size limit",
        "big.csv",
        lambda: HEADER + GOOD_ROW * 100,
        {},
        {"IMPORT_MAX_UPLOAD_MB": 0.001},
        "The file is 0.0 MB (3,128 bytes); the limit is 0.001 MB (setting IMPORT_MAX_UPLOAD_MB). "
        "Split it into smaller files.",
    ),
    (
        "an XLSX zip bomb (12 MB of sheet in a small file)",
        "bomb.xlsx",
        lambda: xlsx([["Date", "Province", "Place", "Killed"], ["2012-03-10", "Sindh", "A", 1]], padding=12 * 2**20),
        {},
        {"IMPORT_MAX_XLSX_EXPANDED_MB": 10},
        "The spreadsheet expands to 12 MB when unzipped; the limit is 10 MB (setting IMPORT_MAX_XLSX_EXPANDED_MB). "
        "It was not opened.",
    ),
    (
        "XLSX formula cells without a saved value, mapping says error",
        "formulas.xlsx",
        lambda: xlsx([["Date", "Province", "Place", "Killed"], ["2012-03-10", "Sindh", "=B2", "=1+1"]]),
        {"formulas": "error"},
        {},
        f"row 2, column 'Place': a formula without a saved value ({FORMULA_REMEDY})",
    ),
    (
        "a damaged XLSX (zip signature, no zip)",
        "damaged.xlsx",
        lambda: b"PK\x03\x04" + b"\x00" * 100,
        {},
        {},
        "The spreadsheet cannot be opened: it is not a valid XLSX file (File is not a zip file).",
    ),
    (
        'mapping "utf-16" for a file without the byte-order mark',
        "no_bom.csv",
        lambda: HEADER + GOOD_ROW,
        {"encoding": "utf-16"},
        {},
        'Row 1: the mapping says "utf-16" but the file does not start with a UTF-16 byte-order mark; name '
        '"utf-16-le" or "utf-16-be", or the file\'s real encoding.',
    ),
]


@pytest.mark.parametrize(
    ("what", "name", "content", "changes", "limits", "message"), HOSTILE, ids=[h[0] for h in HOSTILE]
)
def test_hostile_file_is_refused_with_its_reason(tmp_path, settings, what, name, content, changes, limits, message):
    for setting, value in limits.items():
        setattr(settings, setting, value)
    path = write(tmp_path, name, content())
    refused(path, mapping(**changes), message=message)


@pytest.mark.parametrize(
    ("what", "name", "content", "changes", "limits", "message"), HOSTILE, ids=[h[0] for h in HOSTILE]
)
def test_hostile_file_in_the_command(tmp_path, settings, what, name, content, changes, limits, message):
    for setting, value in limits.items():
        setattr(settings, setting, value)
    path = write(tmp_path, name, content())
    map_path = write(tmp_path, "map.json", json.dumps(mapping(**changes)))
    before, out = counts(), StringIO()
    with pytest.raises(CommandError, match="nothing was written"):
        call_command("import_incidents", str(path), "--mapping", str(map_path), stdout=out, stderr=StringIO())
    assert f"  {message}" in out.getvalue()
    assert "created:" not in out.getvalue()
    assert counts() == before
    assert ImportRun.objects.get().ok is False


@pytest.mark.parametrize(
    ("what", "name", "content", "changes", "limits", "message"), HOSTILE, ids=[h[0] for h in HOSTILE]
)
def test_hostile_file_in_the_admin_preview(editor_client, settings, what, name, content, changes, limits, message):
    for setting, value in limits.items():
        setattr(settings, setting, value)
    before = counts()
    map_file = SimpleUploadedFile("map.json", json.dumps(mapping(**changes)).encode())
    data = content()
    upload = SimpleUploadedFile(name, data.encode() if isinstance(data, str) else data)
    response = editor_client.post(IMPORT_URL, {"file": upload, "mapping": map_file}, follow=True)
    assert response.status_code == 200
    body = response.content.decode()
    assert escape(message) in body
    assert "Nothing would be written" in body and CONFIRM_URL not in body
    assert counts() == before
    run = ImportRun.objects.get()
    assert (run.dry_run, run.ok) == (True, False)


def test_a_file_that_fails_only_at_confirm_answers_with_the_message(editor_client, settings):
    """The preview passed; by the confirm the limit is lower: a redirect to the run's page, which says why."""
    before = counts()
    map_file = SimpleUploadedFile("map.json", json.dumps(MAPPING).encode())
    data = (HEADER + GOOD_ROW * 3).encode()
    preview = editor_client.post(
        IMPORT_URL, {"file": SimpleUploadedFile("three.csv", data), "mapping": map_file}, follow=True
    )
    assert preview.status_code == 200 and preview.context["run"].ok
    settings.IMPORT_MAX_ROWS = 2
    response = editor_client.post(CONFIRM_URL, {"run": preview.context["run"].pk}, follow=True)
    assert response.status_code == 200
    message = (
        "Row 4: the file has more than 2 data rows, the limit (setting IMPORT_MAX_ROWS). Split it into smaller files."
    )
    body = response.content.decode()
    assert "The import stopped and wrote nothing" in body and escape(message) in body
    assert counts() == before
    run = ImportRun.objects.get(dry_run=False)
    assert run.ok is False and message in run.report


# -- files that import, with what they need said ------------------------------------------------------------


def test_xlsx_formula_cells_without_a_value_are_a_remark_on_their_row(tmp_path):
    path = write(
        tmp_path,
        "formulas.xlsx",
        xlsx(
            [
                ["Date", "Province", "Place", "Killed"],
                ["2012-03-10", "Sindh", "Abbas Town", 3],
                ["2012-03-11", "Sindh", "=C2", "=D2+1"],
            ]
        ),
    )
    result = run_import(path, MappedFormat(MAPPING), dry_run=True)
    assert result.ok, result.errors
    assert result.remarks == [
        f"row 3: column 'Place' is a formula without a saved value: read as blank ({FORMULA_REMEDY})",
        f"row 3: column 'Killed' is a formula without a saved value: read as blank ({FORMULA_REMEDY})",
    ]
    assert (result.rows_read, result.created) == (2, 2)


def test_xlsx_whose_dimension_understates_the_rows_is_read_to_the_end(tmp_path):
    rows = [["Date", "Province", "Place", "Killed"]] + [["2012-03-10", "Sindh", f"Place {n}", n] for n in range(1, 6)]
    data = xlsx(rows, dimension="A1:D2")
    assert b'<dimension ref="A1:D2"' in zipfile.ZipFile(io.BytesIO(data)).read("xl/worksheets/sheet1.xml")
    result = run_import(write(tmp_path, "dim.xlsx", data), MappedFormat(MAPPING))
    assert result.ok, result.errors
    assert (result.rows_read, result.created) == (5, 5)
    assert sorted(Incident.objects.filter(locality__startswith="Place ").values_list("killed", flat=True)) == [
        1,
        2,
        3,
        4,
        5,
    ]


def test_utf16_file_is_read_by_its_byte_order_mark(tmp_path):
    """Excel's "Unicode text" CSV is UTF-16 with a mark: read whatever the mapping's encoding says."""
    path = write(tmp_path, "utf16.csv", (HEADER + "2012-03-11,Sindh,Café Shahid,2\r\n").encode("utf-16"))
    for encoding in ("utf-8", "utf-16"):
        result = run_import(path, MappedFormat(mapping(encoding=encoding)), dry_run=True)
        assert result.ok, result.errors
        assert result.created == 1


def test_a_skipped_row_previews_in_the_admin(editor_client):
    """The preview listed skipped rows from a Counter's `.items`: a template lookup of the key "items" (0) → 500."""
    map_file = SimpleUploadedFile("map.json", json.dumps(MAPPING).encode())
    data = (HEADER + GOOD_ROW + ",,,\r\n").encode()
    response = editor_client.post(
        IMPORT_URL, {"file": SimpleUploadedFile("blank.csv", data), "mapping": map_file}, follow=True
    )
    assert response.status_code == 200
    assert "skipped 1 row(s): empty row" in response.content.decode()


def test_a_stop_after_written_batches_reports_no_created_figures(tmp_path):
    """Batches of one row: rows 2 and 3 were written (then rolled back) before row 4 failed."""
    path = write(tmp_path, "late.csv", HEADER + GOOD_ROW + "2012-03-11,Sindh,B,1\r\n" + "2012-03-12,Sindh,C,-1\r\n")
    result = refused(path, message="row 4, column 'Killed', value '-1': a count cannot be negative", batch_size=1)
    assert (result.created, result.changes) == (0, [])
    assert result.summary_line() == "rows read: 3, skipped: 0; nothing was written"


def test_confirm_links_to_the_drafts_it_made(editor_client, editor, sindh):
    map_file = SimpleUploadedFile("map.json", json.dumps(MAPPING).encode())
    data = (HEADER + GOOD_ROW + "2012-03-11,Sindh,B,1\r\n").encode()
    editor_client.post(IMPORT_URL, {"file": SimpleUploadedFile("two.csv", data), "mapping": map_file})
    Incident.objects.create(title="Made by hand", date="2012-01-01", province=sindh)
    preview = ImportRun.objects.get(dry_run=True)
    response = editor_client.post(CONFIRM_URL, {"run": preview.pk}, follow=True)
    run = ImportRun.objects.get(dry_run=False)
    assert response.status_code == 200
    body = response.content.decode()
    assert f'<a href="/staff/review/?kind=incident&amp;run={run.pk}">Review the 2 drafts this import made</a>' in body
    assert response.context["run"] == run
    own_page = editor_client.get(reverse("admin:incidents_importrun_change", args=[run.pk])).content.decode()
    assert f'<a href="/staff/review/?kind=incident&amp;run={run.pk}">Review the 2 drafts' in own_page
    changelist = editor_client.get(created_incidents_url(run))
    assert changelist.status_code == 200
    assert sorted(o.locality for o in changelist.context["cl"].result_list) == ["Abbas Town", "B"]


# -- mappings and names ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("encoding", "message"),
    [
        ("rot13", '\'rot13\' is not a text encoding; use e.g. "utf-8" or "cp1252".'),
        (123, '"encoding" must be the name of a text encoding, e.g. "utf-8" or "cp1252"; not 123.'),
        ("klingon", 'Unknown encoding \'klingon\' in the mapping (e.g. "utf-8", "cp1252").'),
        ("", '"encoding" must be the name of a text encoding, e.g. "utf-8" or "cp1252"; not \'\'.'),
    ],
)
def test_bad_mapping_encoding_is_refused_when_the_mapping_is_read(tmp_path, editor_client, encoding, message):
    with pytest.raises(ImportFailed) as caught:
        MappedFormat(mapping(encoding=encoding))
    assert str(caught.value) == message
    map_path = write(tmp_path, "map.json", json.dumps(mapping(encoding=encoding)))
    with pytest.raises(CommandError) as command_error:
        call_command("import_incidents", str(write(tmp_path, "x.csv", HEADER + GOOD_ROW)), "--mapping", str(map_path))
    assert str(command_error.value) == message
    map_file = SimpleUploadedFile("map.json", json.dumps(mapping(encoding=encoding)).encode())
    response = editor_client.post(IMPORT_URL, {"file": SimpleUploadedFile("x.csv", b"a"), "mapping": map_file})
    assert response.status_code == 400  # a form error: the mapping cannot be used, no run started
    assert escape(message) in response.content.decode()
    assert not ImportRun.objects.exists()


def test_bad_formulas_option_is_refused():
    with pytest.raises(ImportFailed, match="\"formulas\" must be one of remark, error, not 'ignore'"):
        MappedFormat(mapping(formulas="ignore"))


def test_non_utf8_file_name_is_logged_readably(tmp_path):
    """A name from a Latin-1 file system ("café.csv" in cp1252) reaches Python with a lone surrogate."""
    raw = os.fsencode(str(tmp_path)) + b"/caf\xe9.csv"
    with open(raw, "wb") as handle:
        handle.write((HEADER + "2012-03-11,Sindh,Abbas\x00Town,2\r\n").encode())
    map_path = write(tmp_path, "map.json", json.dumps(MAPPING))
    out = StringIO()
    with pytest.raises(CommandError):
        call_command("import_incidents", os.fsdecode(raw), "--mapping", str(map_path), stdout=out, stderr=StringIO())
    run = ImportRun.objects.get()
    assert run.file_name == "caf\ufffd.csv"
    assert out.getvalue().startswith("Import of caf\ufffd.csv (format mapping")
    assert "row 2, column 'Place': the cell holds a NUL byte" in run.report


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ({"title": "Sheet\x00one"}, "The mapping holds a NUL byte (\\x00), which no database can store; remove it."),
        ({"title": "x" * 301}, '"title" of "source" is 301 characters; the limit is 300.'),
        ({"title": "Sheet", "url": ["https://example.org"]}, '"url" of "source" must be text.'),
    ],
)
def test_bad_source_in_the_mapping_is_refused_when_read(source, message):
    with pytest.raises(ImportFailed) as caught:
        MappedFormat(mapping(source=source))
    assert str(caught.value) == message


def test_non_utf8_upload_name_in_the_admin(editor_client):
    """A browser on a Latin-1 system may send the file name's bytes undecoded: a 400 that says what to do."""
    boundary = "XyZ"
    mapping_json = json.dumps(MAPPING).encode()
    data = (HEADER + "2012-03-11,Sindh,Abbas\x00Town,2\r\n").encode()
    parts = [
        (b'name="file"; filename="caf\xe9.csv"', data),
        (b'name="mapping"; filename="map.json"', mapping_json),
    ]
    body = b"".join(
        b"--XyZ\r\nContent-Disposition: form-data; "
        + disposition
        + b"\r\nContent-Type: text/csv\r\n\r\n"
        + content
        + b"\r\n"
        for disposition, content in parts
    )
    body += b"--XyZ--\r\n"
    response = editor_client.generic("POST", IMPORT_URL, body, content_type=f"multipart/form-data; boundary={boundary}")
    # Django's upload parser drops a part whose header is not ASCII/UTF-8: the form says so, nothing runs.
    assert response.status_code == 400
    assert "No file was received" in response.content.decode()
    assert counts() == (0, 0, 0) and not ImportRun.objects.exists()
