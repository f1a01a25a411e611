"""Time and peak memory of the incident downloads (CSV, XLSX, GeoJSON) at scale. Not part of the test run.

Usage (PostgreSQL, 100,000 fictional incidents; generating them takes a few minutes):

    createdb -h 127.0.0.1 -U postgres tracker_bench
    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/tracker_bench
    .venv/bin/python manage.py migrate && .venv/bin/python manage.py load_seeds
    .venv/bin/python manage.py generate_synthetic --incidents 100000
    .venv/bin/python bench/bench_exports.py --locate   # once: see below
    .venv/bin/python bench/bench_exports.py [--only xlsx] [--query province=sindh]

The synthetic incidents have no coordinates, so the GeoJSON would hold only the seeds' few points:
``--locate`` gives every synthetic incident without coordinates a random point inside Pakistan's
bounding box (a change to the benchmark's own database, made once, in one UPDATE; real and seeded
records are left alone).

Each download is requested in-process through Django's test client as an anonymous reader and
read to the end, chunk by chunk, as a client would (nothing is kept). Printed per format: rows
(incidents in the file), bytes, seconds, and the peak of memory allocated by Python while making
it (tracemalloc, in a second run, since tracing slows the code), and the process's peak resident
size. "Bounded memory" means the traced peak stays flat as the rows grow: compare with --query
narrowing the rows.
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tracker.settings")
os.environ["PAGE_CACHE_SECONDS"] = "0"

import django  # noqa: E402

django.setup()
from django.db.models import DecimalField, ExpressionWrapper, Value  # noqa: E402
from django.db.models.functions import Cast, Random  # noqa: E402
from django.test import Client  # noqa: E402

from incidents.models import PAKISTAN_LATITUDE, PAKISTAN_LONGITUDE, Incident  # noqa: E402

FORMATS = ("csv", "xlsx", "geojson")


def download(client: Client, export: str, query: str) -> int:
    """Request the download and read it to the end; the number of bytes."""
    response = client.get(f"/incidents/?format={export}" + (f"&{query}" if query else ""), SERVER_NAME="127.0.0.1")
    assert response.status_code == 200, response.status_code
    return sum(len(chunk) for chunk in response.streaming_content)


def locate_synthetic() -> None:
    """A random point in Pakistan's bounding box for each synthetic incident without coordinates."""
    (lat_low, lat_high), (lon_low, lon_high) = PAKISTAN_LATITUDE, PAKISTAN_LONGITUDE
    lat = ExpressionWrapper(Value(lat_low) + Random() * Value(lat_high - lat_low), output_field=DecimalField())
    lon = ExpressionWrapper(Value(lon_low) + Random() * Value(lon_high - lon_low), output_field=DecimalField())
    located = Incident.objects.filter(is_synthetic=True, latitude__isnull=True).update(
        latitude=Cast(lat, DecimalField(max_digits=9, decimal_places=6)),
        longitude=Cast(lon, DecimalField(max_digits=9, decimal_places=6)),
    )
    print(f"{located:,} synthetic incidents located")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--only", choices=FORMATS)
    parser.add_argument("--query", default="", help="filter parameters, e.g. province=sindh")
    parser.add_argument("--locate", action="store_true", help="give synthetic incidents random coordinates, then stop")
    args = parser.parse_args()
    if args.locate:
        locate_synthetic()
        return
    client = Client()
    published = Incident.objects.public()
    located = published.filter(latitude__isnull=False).count()
    print(f"{published.count():,} published incidents, {located:,} with coordinates; query: {args.query or '(none)'}")
    print(f"{'format':8} {'bytes':>12} {'seconds':>8} {'traced peak MB':>15} {'max RSS MB':>11}")
    for export in [args.only] if args.only else FORMATS:
        started = time.perf_counter()
        size = download(client, export, args.query)
        seconds = time.perf_counter() - started
        tracemalloc.start()
        download(client, export, args.query)
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"{export:8} {size:>12,} {seconds:>8.1f} {peak / 2**20:>15.1f} {rss:>11.0f}")


if __name__ == "__main__":
    main()
