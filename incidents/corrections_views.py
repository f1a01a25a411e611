"""The public corrections log (`/corrections/`): every change to a published figure and every
retraction, newest first, as a page, as CSV (`?format=csv`) and as an Atom feed
(`/feeds/corrections/`, in incidents/feeds.py).

The rows are written by `core/corrections.py`; this module only shows their public fields
(`Correction.PUBLIC_FIELDS`: never who made the change), each entry named as its record is
today (`core.corrections.show_today`: a retracted record or a juvenile's name is never shown).
"""

from __future__ import annotations

from itertools import islice

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.timezone import localdate

from core.corrections import show_today
from core.models import Correction
from tracker.csv import csv_response, wants_csv

from .listing import page_links, paginate

CSV_HEADER = ["date", "record", "record_url", "field", "old_value", "new_value", "note"]


CSV_CHUNK = 2000


def csv_rows(request: HttpRequest, queryset):
    """The entries in chunks, each chunk named as its records are today (a few queries per chunk)."""
    rows = queryset.iterator(chunk_size=CSV_CHUNK)
    while chunk := list(islice(rows, CSV_CHUNK)):
        for c in show_today(chunk):
            url = request.build_absolute_uri(c.record_url) if c.record_url else ""
            yield (localdate(c.created_at).isoformat(), c.record_label, url, c.field, c.old_value, c.new_value, c.note)


def corrections(request: HttpRequest) -> HttpResponse:
    """The corrections log, newest first, 50 to a page."""
    queryset = Correction.objects.public().order_by("-created_at", "-id")
    if wants_csv(request):
        return csv_response("corrections.csv", CSV_HEADER, csv_rows(request, queryset))
    page = paginate(request, queryset)
    rows = show_today(page.object_list)
    return render(
        request,
        "incidents/corrections.html",
        {"page": page, "page_links": page_links(page), "corrections": rows},
    )
