"""Incident downloads beside the CSV: XLSX (a spreadsheet with typed cells) and GeoJSON (points).

Every format is made from the same rows (``incident_rows``): the incident list's FilterSet and sort
over ``Incident.objects.visible_to(user)``, read as plain tuples in batches of ``CSV_BATCH`` with
the communities and sources of each batch looked up in two queries: a constant number of queries
per batch, no model instances, and memory bounded by the batch, whatever the number of rows. The
columns are the tracker's incident format (``INCIDENT_COLUMNS``), public fields only.

- XLSX: openpyxl in write-only mode (rows go to a temporary file as they come, not into a tree in
  memory), saved to a temporary file on disk and sent from there. Dates are date cells, numbers are
  numbers, unknown figures are empty; text that a spreadsheet would run as a formula is neutralised
  as in the CSV (tracker.csv.safe_cell), and characters XML cannot hold are dropped.
- GeoJSON (RFC 7946): a FeatureCollection of the incidents that have coordinates, one Point each
  ([longitude, latitude], WGS 84), the other columns as properties; streamed feature by feature.
"""

from __future__ import annotations

import datetime
import json
import tempfile
from collections.abc import Iterator
from decimal import Decimal

from django.http import FileResponse, StreamingHttpResponse
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from tracker.csv import safe_cell

from .listing import CSV_BATCH, batched, joined_by_key
from .models import Incident, IncidentSource

# The tracker's own incident format: stable column names, in this order (see incident_list).
INCIDENT_COLUMNS = [
    "id",
    "date",
    "title",
    "province",
    "city",
    "locality",
    "latitude",
    "longitude",
    "attack_type",
    "communities",
    "killed",
    "injured",
    "sources",
    "justice_status",
]
EXPORT_FORMATS = ("csv", "xlsx", "geojson")
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def incident_rows(incidents) -> Iterator[list]:
    """One list per incident, in ``INCIDENT_COLUMNS`` order, with Python values (a date, Decimals for
    coordinates, None for unknown), in the queryset's order."""
    rows = incidents.with_justice_status().values_list(
        "pk",
        "date",
        "title",
        "province__name",
        "city__name",
        "locality",
        "latitude",
        "longitude",
        "attack_type",
        "killed",
        "injured",
        "justice_status",
    )
    through = Incident.communities.through.objects
    for batch in batched(rows.iterator(chunk_size=CSV_BATCH)):
        ids = [row[0] for row in batch]
        communities = joined_by_key(
            through.filter(incident_id__in=ids)
            .order_by("community__name")
            .values_list("incident_id", "community__name")
        )
        sources = joined_by_key(
            IncidentSource.objects.filter(incident_id__in=ids)
            .order_by("source__title", "id")
            .values_list("incident_id", "source__title")
        )
        for pk, day, title, province, city, locality, lat, lon, attack_type, killed, injured, justice in batch:
            yield [
                pk,
                day,
                title,
                province,
                city,
                locality,
                lat,
                lon,
                attack_type,
                communities.get(pk, ""),
                killed,
                injured,
                sources.get(pk, ""),
                justice,
            ]


def xlsx_cell(value):
    """A value as an XLSX cell: numbers and dates as such, text formula-safe and XML-safe."""
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, datetime.date) or value is None:
        return value
    cell = safe_cell(value)
    return ILLEGAL_CHARACTERS_RE.sub("", cell) if isinstance(cell, str) else cell


def incident_xlsx(incidents, *, filename: str = "incidents.xlsx") -> FileResponse:
    """The incidents as one worksheet ("incidents"), header row first, built in bounded memory."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("incidents")
    sheet.append(INCIDENT_COLUMNS)
    for row in incident_rows(incidents):
        sheet.append([xlsx_cell(value) for value in row])
    spool = tempfile.TemporaryFile()  # noqa: SIM115 - FileResponse closes it when sent
    workbook.save(spool)
    spool.seek(0)
    return FileResponse(spool, as_attachment=True, filename=filename, content_type=XLSX_TYPE)


def _feature(row: list) -> str:
    properties = dict(zip(INCIDENT_COLUMNS, row, strict=True))
    longitude, latitude = float(properties.pop("longitude")), float(properties.pop("latitude"))
    properties["date"] = properties["date"].isoformat()
    feature = {
        "type": "Feature",
        "id": properties["id"],
        "geometry": {"type": "Point", "coordinates": [longitude, latitude]},
        "properties": properties,
    }
    return json.dumps(feature, ensure_ascii=False)


def incident_geojson(incidents, *, filename: str = "incidents.geojson") -> StreamingHttpResponse:
    """The incidents with coordinates as a GeoJSON FeatureCollection, streamed."""
    located = incidents.filter(latitude__isnull=False, longitude__isnull=False)

    def chunks() -> Iterator[str]:
        yield '{"type": "FeatureCollection", "features": ['
        for index, row in enumerate(incident_rows(located)):
            yield ("," if index else "") + "\n" + _feature(row)
        yield "\n]}\n"

    response = StreamingHttpResponse(chunks(), content_type="application/geo+json; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
