"""Read a CSV (in a named encoding) or an XLSX file as a stream of rows.

Rows are yielded one at a time, so memory does not grow with the file. Row numbers are what a
spreadsheet shows: the header is row 1, the first data row is row 2 (a quoted field that holds
newlines still counts as one row).
"""

from __future__ import annotations

import codecs
import csv
import hashlib
from collections.abc import Iterator
from pathlib import Path

from .errors import ImportFailed

XLSX_MAGIC = b"PK\x03\x04"


def file_sha256(path: str | Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def is_xlsx(path: str | Path) -> bool:
    with open(path, "rb") as handle:
        return handle.read(4) == XLSX_MAGIC


def _python_encoding(encoding: str) -> str:
    """UTF-8 is read as utf-8-sig, so a byte-order mark (as Excel writes) is accepted and dropped."""
    try:
        name = codecs.lookup(encoding).name
    except LookupError:
        raise ImportFailed(f"Unknown encoding {encoding!r} in the mapping.") from None
    return "utf-8-sig" if name in ("utf-8", "utf-8-sig") else name


class RowReader:
    """Iterate `(row_number, {column: value})` over a CSV or XLSX file; `header` lists the columns."""

    def __init__(self, path: str | Path, *, encoding: str = "utf-8", sheet: str | None = None):
        self.path = Path(path)
        self.encoding = _python_encoding(encoding)
        self.sheet = sheet
        self.header: list[str] = []

    def __iter__(self) -> Iterator[tuple[int, dict[str, object]]]:
        if is_xlsx(self.path):
            yield from self._xlsx_rows()
        else:
            yield from self._csv_rows()

    def _set_header(self, cells) -> None:
        self.header = [" ".join(str(c).split()) if c is not None else "" for c in cells]
        if not any(self.header):
            raise ImportFailed("The first row of the file must hold the column names; it is empty.")

    def _csv_rows(self):
        number = 1
        try:
            with open(self.path, encoding=self.encoding, newline="") as handle:
                reader = csv.reader(handle)
                try:
                    self._set_header(next(reader))
                except StopIteration:
                    raise ImportFailed("The file is empty.") from None
                for cells in reader:
                    number += 1
                    yield number, dict(zip(self.header, cells, strict=False))
        except UnicodeDecodeError as error:
            raise ImportFailed(
                f"Row {number + 1}: the file is not valid {self.encoding} ({error.reason} at byte "
                f'{error.start}); name the file\'s encoding in the mapping (e.g. "encoding": "cp1252").'
            ) from None
        except csv.Error as error:
            raise ImportFailed(f"Row {number + 1}: the CSV cannot be read: {error}") from None

    def _xlsx_rows(self):
        from openpyxl import load_workbook

        try:
            workbook = load_workbook(self.path, read_only=True, data_only=True)
        except Exception as error:  # openpyxl raises many kinds for a damaged file
            raise ImportFailed(f"The spreadsheet cannot be opened: {error}") from None
        try:
            if self.sheet:
                if self.sheet not in workbook.sheetnames:
                    raise ImportFailed(f"No sheet named {self.sheet!r} (sheets: {', '.join(workbook.sheetnames)}).")
                worksheet = workbook[self.sheet]
            else:
                worksheet = workbook.worksheets[0]
            rows = worksheet.iter_rows(values_only=True)
            try:
                self._set_header(next(rows))
            except StopIteration:
                raise ImportFailed("The spreadsheet is empty.") from None
            for number, cells in enumerate(rows, start=2):
                yield number, dict(zip(self.header, cells, strict=False))
        finally:
            workbook.close()
