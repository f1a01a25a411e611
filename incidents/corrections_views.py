"""The public corrections log (`/corrections/`): every change to a published figure and every
retraction, newest first, as a page, as CSV (`?format=csv`) and as an Atom feed
(`/feeds/corrections/`, in incidents/feeds.py).

The rows are written by `core/corrections.py`; this module only shows their public fields
(`Correction.PUBLIC_FIELDS`: never who made the change).
"""

from __future__ import annotations

from collections import defaultdict

from django.contrib.contenttypes.models import ContentType
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.timezone import localdate

from core.models import Correction
from tracker.csv import csv_response, wants_csv

from .listing import page_links, paginate

CSV_HEADER = ["date", "record", "record_url", "field", "old_value", "new_value", "note"]


def public_record_keys(corrections) -> set[tuple[int, int]]:
    """(content type id, object id) of the corrected records the public can open now.

    A retracted record's page answers 404, so its log entries show the label without a link.
    One query per kind of record on the page (incident, case, charge), whatever the number of rows.
    """
    ids_by_type: dict[int, set[int]] = defaultdict(set)
    for correction in corrections:
        ids_by_type[correction.content_type_id].add(correction.object_id)
    keys = set()
    for type_id, ids in ids_by_type.items():
        model = ContentType.objects.get_for_id(type_id).model_class()
        if model is None or not hasattr(model.objects, "public"):
            continue
        for pk in model.objects.public().filter(pk__in=ids).values_list("pk", flat=True):
            keys.add((type_id, pk))
    return keys


def csv_rows(request: HttpRequest, queryset):
    for c in queryset.iterator(chunk_size=2000):
        url = request.build_absolute_uri(c.record_url) if c.record_url else ""
        yield (localdate(c.created_at).isoformat(), c.record_label, url, c.field, c.old_value, c.new_value, c.note)


def corrections(request: HttpRequest) -> HttpResponse:
    """The corrections log, newest first, 50 to a page."""
    queryset = Correction.objects.public().order_by("-created_at", "-id")
    if wants_csv(request):
        return csv_response("corrections.csv", CSV_HEADER, csv_rows(request, queryset))
    page = paginate(request, queryset)
    rows = list(page.object_list)
    linkable = public_record_keys(rows)
    for row in rows:
        row.is_linkable = bool(row.record_url) and (row.content_type_id, row.object_id) in linkable
    return render(
        request,
        "incidents/corrections.html",
        {"page": page, "page_links": page_links(page), "corrections": rows},
    )
