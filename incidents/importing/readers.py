"""Read a CSV (in a named encoding) or an XLSX file as a stream of rows.

Rows are yielded one at a time, so memory does not grow with the file. Row numbers are what a
spreadsheet shows: the header is row 1, the first data row is row 2 (a quoted field that holds
newlines still counts as one row).

Hostile files are refused before they cost memory or time (issue 14): a file over
``settings.IMPORT_MAX_UPLOAD_MB``; more data rows than ``settings.IMPORT_MAX_ROWS``; an XLSX whose
parts expand beyond ``settings.IMPORT_MAX_XLSX_EXPANDED_MB`` (a "zip bomb"), checked in the zip's
directory before anything is decompressed. An XLSX is read to its last row whatever dimension it
claims, and cells holding a formula without a saved value are reported (`uncached_formulas`).
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import zipfile
from collections.abc import Iterator
from pathlib import Path

from django.conf import settings
from django.utils.translation import gettext

from .errors import ImportFailed

XLSX_MAGIC = b"PK\x03\x04"
UTF16_BOMS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)
MB = 1024 * 1024


def file_sha256(path: str | Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def is_xlsx(path: str | Path) -> bool:
    with open(path, "rb") as handle:
        return handle.read(4) == XLSX_MAGIC


def max_upload_mb() -> float:
    return getattr(settings, "IMPORT_MAX_UPLOAD_MB", 20)


def max_rows() -> int:
    return getattr(settings, "IMPORT_MAX_ROWS", 200_000)


def max_expanded_mb() -> float:
    return getattr(settings, "IMPORT_MAX_XLSX_EXPANDED_MB", 200)


def check_file_size(path: str | Path) -> None:
    """Refuse a file over the upload limit before reading a byte of it."""
    size = Path(path).stat().st_size
    limit = max_upload_mb()
    if size > limit * MB:
        raise ImportFailed(
            gettext(
                "The file is %(size).1f MB (%(bytes)s bytes); the limit is %(limit)s MB (setting IMPORT_MAX_UPLOAD_MB). "
                "Split it into smaller files."
            )
            % {"size": size / MB, "bytes": f"{size:,}", "limit": f"{limit:g}"}
        )
    if size == 0:
        raise ImportFailed(gettext("The file is empty."))


def check_encoding(encoding: object) -> str:
    """The Python name of a mapping's `encoding`, or ImportFailed saying why it cannot be used.

    Only text encodings are accepted ("rot13" is a codec, but turns text into text, not bytes into
    text). "utf-16" is accepted: such a file must start with its byte-order mark, which says the
    byte order.
    """
    if not isinstance(encoding, str) or not encoding.strip():
        raise ImportFailed(
            f'"encoding" must be the name of a text encoding, e.g. "utf-8" or "cp1252"; not {encoding!r}.'
        )
    try:
        info = codecs.lookup(encoding.strip())
    except LookupError:
        raise ImportFailed(f'Unknown encoding {encoding!r} in the mapping (e.g. "utf-8", "cp1252").') from None
    if not getattr(info, "_is_text_encoding", True):
        raise ImportFailed(f'{encoding!r} is not a text encoding; use e.g. "utf-8" or "cp1252".')
    return info.name


def _python_encoding(encoding: str) -> str:
    """UTF-8 is read as utf-8-sig, so a byte-order mark (as Excel writes) is accepted and dropped."""
    name = check_encoding(encoding)
    return "utf-8-sig" if name in ("utf-8", "utf-8-sig") else name


def _sniff_encoding(path: Path, declared: str) -> str:
    """The encoding to read a CSV with: a byte-order mark wins over the declared encoding.

    A UTF-16 file (as Excel's "Unicode text" writes) is recognised by its mark whatever the mapping
    says; a mapping that says "utf-16" for a file without the mark is refused (the byte order is
    unknown: name "utf-16-le" or "utf-16-be").
    """
    with open(path, "rb") as handle:
        start = handle.read(4)
    if start.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if start.startswith(UTF16_BOMS):
        return "utf-16"
    if declared == "utf-16":
        raise ImportFailed(
            'Row 1: the mapping says "utf-16" but the file does not start with a UTF-16 byte-order mark; '
            'name "utf-16-le" or "utf-16-be", or the file\'s real encoding.'
        )
    return declared


def _first_bad_line(path: Path, encoding: str) -> tuple[int, str]:
    """The first physical line of the file that `encoding` cannot decode, and why (exact, unlike the
    position of a buffered read, which runs thousands of bytes ahead of the rows)."""
    decoder = codecs.getincrementaldecoder(encoding)()
    with open(path, "rb") as handle:
        for line_number, line in enumerate(handle, start=1):
            try:
                decoder.decode(line)
            except UnicodeDecodeError as error:
                return line_number, error.reason
    return 0, "the file ends in the middle of a character"


def _utf8_misdeclared(path: Path, encoding: str) -> int:
    """For a single-byte encoding (cp1252, latin-1 ...): the first line holding non-ASCII text if the
    whole file is valid UTF-8, else 0. Such a file is UTF-8: read as cp1252, "Café" would become "CafÃ©"."""
    if codecs.lookup(encoding).name.startswith(("utf", "ascii")):
        return 0
    decoder = codecs.getincrementaldecoder("utf-8")()
    first = 0
    with open(path, "rb") as handle:
        for line_number, line in enumerate(handle, start=1):
            try:
                decoder.decode(line)
            except UnicodeDecodeError:
                return 0
            if not first and not line.isascii():
                first = line_number
    return first


def _too_many_rows(number: int) -> ImportFailed:
    return ImportFailed(
        gettext(
            "Row %(row)s: the file has more than %(limit)s data rows, the limit (setting IMPORT_MAX_ROWS). "
            "Split it into smaller files."
        )
        % {"row": number, "limit": f"{max_rows():,}"}
    )


class RowReader:
    """Iterate `(row_number, {column: value})` over a CSV or XLSX file; `header` lists the columns.

    After each XLSX row, `uncached_formulas` names the row's columns whose cell is a formula
    without a saved value (read as blank: the file was written by a program that does not compute).
    """

    def __init__(self, path: str | Path, *, encoding: str = "utf-8", sheet: str | None = None):
        self.path = Path(path)
        self.encoding = _python_encoding(encoding)
        self.sheet = sheet
        self.header: list[str] = []
        self.uncached_formulas: list[str] = []
        self.limit = max_rows() + 1  # the header is row 1

    def __iter__(self) -> Iterator[tuple[int, dict[str, object]]]:
        check_file_size(self.path)
        if is_xlsx(self.path):
            yield from self._xlsx_rows()
        else:
            yield from self._csv_rows()

    def _set_header(self, cells) -> None:
        self.header = [" ".join(str(c).split()) if c is not None else "" for c in cells]
        if not any(self.header):
            raise ImportFailed(gettext("The first row of the file must hold the column names; it is empty."))

    def _csv_rows(self):
        number = 1
        encoding = _sniff_encoding(self.path, self.encoding)
        if line := _utf8_misdeclared(self.path, encoding):
            raise ImportFailed(
                f'Line {line}: the file is UTF-8 but the mapping says "{encoding}", in which its accented '
                'letters would be misread (e.g. "Café" as "CafÃ©"); set "encoding": "utf-8" in the mapping.'
            )
        try:
            with open(self.path, encoding=encoding, newline="") as handle:
                # strict: a quoted cell never closed (a truncated file) is an error, not the rest of the file
                reader = csv.reader(handle, strict=True)
                try:
                    self._set_header(next(reader))
                except StopIteration:
                    raise ImportFailed(gettext("The file is empty.")) from None
                for cells in reader:
                    number += 1
                    if number > self.limit:
                        raise _too_many_rows(number)
                    yield number, dict(zip(self.header, cells, strict=False))
        except UnicodeError:
            line, reason = _first_bad_line(self.path, encoding)
            shown = "utf-8" if encoding == "utf-8-sig" else encoding
            raise ImportFailed(
                f"Line {line}: the file is not valid {shown} ({reason}); name the file's encoding in the "
                'mapping (e.g. "encoding": "cp1252").'
            ) from None
        except csv.Error as error:
            hint = " (a quoted cell is never closed: is the file cut short?)" if "end of data" in str(error) else ""
            raise ImportFailed(f"Row {number + 1}: the CSV cannot be read: {error}{hint}.") from None

    def _check_zip(self) -> list[str]:
        """Refuse a damaged zip or one expanding beyond the limit; return its worksheet parts."""
        try:
            with zipfile.ZipFile(self.path) as archive:
                infos = archive.infolist()
        except (zipfile.BadZipFile, OSError, ValueError) as error:
            raise ImportFailed(f"The spreadsheet cannot be opened: it is not a valid XLSX file ({error}).") from None
        expanded = sum(info.file_size for info in infos)
        limit = max_expanded_mb()
        if expanded > limit * MB:
            raise ImportFailed(
                f"The spreadsheet expands to {expanded / MB:,.0f} MB when unzipped; the limit is {limit:g} MB "
                "(setting IMPORT_MAX_XLSX_EXPANDED_MB). It was not opened."
            )
        return [i.filename for i in infos if i.filename.startswith("xl/worksheets/") and i.filename.endswith(".xml")]

    def _has_formulas(self, part: str) -> bool:
        """Whether a worksheet part holds any formula element (<f>), scanned without parsing it."""
        tail = b""
        with zipfile.ZipFile(self.path) as archive, archive.open(part) as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                chunk = tail + block
                if b"<f>" in chunk or b"<f " in chunk or b"<f/" in chunk:
                    return True
                tail = chunk[-3:]
        return False

    def _xlsx_rows(self):
        from openpyxl import load_workbook

        self._check_zip()
        workbooks = []
        try:
            try:
                workbook = load_workbook(self.path, read_only=True, data_only=True)
            except Exception as error:  # openpyxl raises many kinds for a damaged file
                raise ImportFailed(f"The spreadsheet cannot be opened: {error}") from None
            workbooks.append(workbook)
            worksheet = self._worksheet(workbook)
            formulas = None
            if self._has_formulas(worksheet._worksheet_path):
                formula_book = load_workbook(self.path, read_only=True, data_only=False)
                workbooks.append(formula_book)
                formulas = self._rows(formula_book[worksheet.title])
            rows = self._rows(worksheet)
            try:
                self._set_header(next(rows))
                if formulas is not None:
                    next(formulas)
            except StopIteration:
                raise ImportFailed("The spreadsheet is empty.") from None
            for number, cells in enumerate(rows, start=2):
                if number > self.limit:
                    raise _too_many_rows(number)
                if formulas is not None:
                    written = next(formulas, ())
                    self.uncached_formulas = [
                        self.header[i]
                        for i, (value, formula) in enumerate(zip(cells, written, strict=False))
                        if i < len(self.header) and value is None and isinstance(formula, str) and formula[:1] == "="
                    ]
                yield number, dict(zip(self.header, cells, strict=False))
        finally:
            for workbook in workbooks:
                workbook.close()

    def _worksheet(self, workbook):
        if self.sheet:
            if self.sheet not in workbook.sheetnames:
                raise ImportFailed(f"No sheet named {self.sheet!r} (sheets: {', '.join(workbook.sheetnames)}).")
            return workbook[self.sheet]
        return workbook.worksheets[0]

    @staticmethod
    def _rows(worksheet):
        """Every row of the sheet: the stored dimension ("A1:K2") may under-state it, so it is dropped."""
        worksheet.reset_dimensions()
        return worksheet.iter_rows(values_only=True)
