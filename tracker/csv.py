"""Streamed, formula-safe CSV (DESIGN.md: every list and statistics table, `?format=csv`).

A cell that a spreadsheet would run as a formula (starting with = + - @, or a tab or carriage
return) is neutralised with a leading apostrophe, as OWASP recommends. Numbers are left alone.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable

from django.http import HttpRequest, StreamingHttpResponse

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def wants_csv(request: HttpRequest) -> bool:
    return request.GET.get("format") == "csv"


def safe_cell(value) -> object:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int | float):
        return value
    text = str(value)
    if text.startswith(FORMULA_PREFIXES):
        return "'" + text
    return text


class _Echo:
    def write(self, value: str) -> str:
        return value


def csv_response(filename: str, header: list[str], rows: Iterable[Iterable]) -> StreamingHttpResponse:
    """Stream `rows` (any iterable, e.g. a queryset's .iterator()) as a CSV download."""
    writer = csv.writer(_Echo())

    def lines():
        yield "\ufeff"  # BOM, so spreadsheet programs read UTF-8 (Urdu names) correctly
        yield writer.writerow(header)
        for row in rows:
            yield writer.writerow([safe_cell(v) for v in row])

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
