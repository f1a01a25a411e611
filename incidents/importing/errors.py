"""Errors an import can meet: a bad row (with row, column, value and reason) or a bad file/mapping."""

from __future__ import annotations


class ImportFailed(Exception):
    """The file or the mapping cannot be used at all (nothing is written)."""


class RowError(Exception):
    """One cell that cannot be imported: the import stops and writes nothing.

    `row` is the spreadsheet row number (the header is row 1, the first data row is row 2).
    """

    def __init__(self, reason: str, *, column: str = "", value: object = "", row: int | None = None):
        super().__init__(reason)
        self.reason = reason
        self.column = column
        self.value = value
        self.row = row

    def __str__(self) -> str:
        parts = [f"row {self.row}" if self.row is not None else "row ?"]
        if self.column:
            parts.append(f"column {self.column!r}")
        if self.value not in ("", None):
            parts.append(f"value {str(self.value)[:200]!r}")
        return ", ".join(parts) + f": {self.reason}"
