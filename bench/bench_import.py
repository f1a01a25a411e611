"""Benchmark import_incidents: a generated mapped CSV (100,000 rows by default) imported on PostgreSQL.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/tracker_import_bench .venv/bin/python bench/bench_import.py

The database named in DATABASE_URL is created if missing, DROPPED of its incidents first, migrated
and seeded (it must be a scratch database). Each size runs in a fresh process so its peak memory
(ru_maxrss) is its own; the target is ≥ 5,000 rows/s, and memory that does not grow with the file
(compare the peaks of the small and the large file). Prints one line per run.
"""

from __future__ import annotations

import argparse
import csv
import datetime
import json
import os
import random
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CITIES = [
    ("Karachi", "Sindh"),
    ("Quetta", "Balochistan"),
    ("Peshawar", "KPK"),
    ("Lahore", "Punjab"),
    ("D.I Khan", "KPK"),
    ("Kuram Agency", "FATA"),
    ("Hyderabad", "Sindh"),
    ("Mastung", "Balochistan"),
    ("", "Capital"),
]
COMMUNITIES = ["Shia", "Hazara", "Ahmadi", "Christian", "Sunni", "", "", "Shia; Sunni"]
TYPES = ["target_killing", "suicide_bombing", "bombing", "armed_assault", "unknown"]
MAPPING = {
    "source": {"title": "Benchmark sheet (generated)", "publisher": "bench_import.py"},
    "encoding": "utf-8",
    "external_id": {"column": "ref"},
    "columns": {
        "date": {"column": "date"},
        "province": {"column": "province"},
        "city": {"column": "city"},
        "locality": {"column": "place"},
        "attack_type": {"column": "type"},
        "communities": {"column": "communities"},
        "killed": {"column": "killed_min"},
        "killed_max": {"column": "killed_max"},
        "injured": {"column": "injured"},
        "latitude": {"column": "lat"},
        "longitude": {"column": "lon"},
    },
}


def generate(path: Path, rows: int, seed: int = 1) -> None:
    rng = random.Random(seed)
    start = datetime.date(2000, 1, 1)
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(
            [
                "ref",
                "date",
                "province",
                "city",
                "place",
                "type",
                "communities",
                "killed_min",
                "killed_max",
                "injured",
                "lat",
                "lon",
            ]
        )
        for n in range(rows):
            city, province = rng.choice(CITIES)
            low = rng.randint(0, 40)
            writer.writerow(
                [
                    f"B{n}",
                    (start + datetime.timedelta(days=rng.randint(0, 9000))).isoformat(),
                    province,
                    city,
                    f"Street {rng.randint(1, 500)}",
                    rng.choice(TYPES),
                    rng.choice(COMMUNITIES),
                    low,
                    low + rng.randint(0, 10) if rng.random() < 0.5 else "",
                    rng.choice(["", rng.randint(0, 100)]),
                    f"{rng.uniform(24.5, 36):.4f}",
                    f"{rng.uniform(62, 75):.4f}",
                ]
            )


def ensure_database(url: str) -> None:
    import psycopg

    name = url.rsplit("/", 1)[1]
    with psycopg.connect(url.rsplit("/", 1)[0] + "/postgres", autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')


def child(rows: int) -> None:
    """One measured run in this process: setup, then the timed import (and a timed re-import)."""
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tracker.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from incidents.importing import MappedFormat, run_import

    call_command("migrate", verbosity=0)
    with connection.cursor() as cursor:  # a scratch database: start from no incidents, fast
        cursor.execute(
            "TRUNCATE incidents_incident, incidents_historicalincident, incidents_historicalincidentsource, "
            "incidents_historicalincident_communities, incidents_historicalattribution CASCADE"
        )
    call_command("load_seeds", "--no-holidays", verbosity=0, stdout=open(os.devnull, "w"))  # noqa: SIM115
    path = Path(f"/tmp/bench_import_{rows}.csv")  # noqa: S108
    generate(path, rows)
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    cpu_before = time.process_time()
    started = time.perf_counter()
    result = run_import(path, MappedFormat(MAPPING), progress_every=rows + 1)
    seconds = time.perf_counter() - started
    cpu_seconds = time.process_time() - cpu_before
    assert result.ok, result.errors[:3]
    again_started = time.perf_counter()
    again = run_import(path, MappedFormat(MAPPING), progress_every=rows + 1)
    again_seconds = time.perf_counter() - again_started
    rss_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(
        json.dumps(
            {
                "rows": rows,
                "created": result.created,
                "seconds": round(seconds, 2),
                "rows_per_second": round(rows / seconds),
                "python_cpu_seconds": round(cpu_seconds, 2),
                "load_average_1min": round(os.getloadavg()[0], 1),
                "reimport_unchanged": again.unchanged,
                "reimport_rows_per_second": round(rows / again_seconds),
                "peak_rss_mb_before_import": round(rss_before / 1024, 1),
                "peak_rss_mb": round(rss_after / 1024, 1),
            }
        )
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, nargs="*", default=[10_000, 100_000])
    parser.add_argument("--child", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child)
        return
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        sys.exit(
            "Set DATABASE_URL to a scratch PostgreSQL database, e.g. postgres://postgres@127.0.0.1:5432/tracker_import_bench"
        )
    ensure_database(url)
    for rows in args.rows:
        subprocess.run([sys.executable, __file__, "--child", str(rows)], check=True)


if __name__ == "__main__":
    main()
