"""Time the review queue with 50,000 drafts waiting (issue 14 item 4: it took 25.6 s and 49 MB).

Creates a throwaway PostgreSQL database (default `tracker_queue_bench`, dropped and re-made each
run), migrates it, writes 50,000 draft incidents with bulk_create (each with the history row an
import writes, so the import-run filter has real work), then times the queue pages through the
test client as a signed-in editor past the second factor: page 1, a deep page, and each filter.

    SECRET_KEY=x .venv/bin/python bench/bench_review.py            # N=50000 REPEAT=5 by default
    BENCH_DB=tracker_queue_bench N=50000 REPEAT=5 SECRET_KEY=x .venv/bin/python bench/bench_review.py

Prints the best and the median of REPEAT requests of each page, its size and its query count.
"""

from __future__ import annotations

import datetime
import os
import statistics
import sys
import time
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
DB = os.environ.get("BENCH_DB", "tracker_queue_bench")
N = int(os.environ.get("N", "50000"))
REPEAT = int(os.environ.get("REPEAT", "5"))


def fresh_database() -> None:
    """Drop and create the throwaway database (never any other one)."""
    import psycopg

    assert DB.endswith("_bench"), "the bench only ever drops a database whose name ends in _bench"
    with psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{DB}"')
        conn.execute(f'CREATE DATABASE "{DB}"')


def fill(editor) -> object:
    """N draft incidents made by `editor`, each with its import history row, and the ImportRun."""
    from django.utils import timezone

    from core.models import Status
    from incidents.models import ImportRun, Incident, Province

    province = Province.objects.get_or_create(slug="sindh", defaults={"name": "Sindh"})[0]
    started = timezone.now()
    batch = 5000
    for start in range(0, N, batch):
        Incident.objects.bulk_create(
            Incident(
                title=f"Imported attack {n}",
                date=datetime.date(2010, 1, 1) + datetime.timedelta(days=n % 5000),
                province=province,
                killed=n % 7,
                status=Status.DRAFT,
                created_by=editor,
                updated_by=editor,
            )
            for n in range(start, min(N, start + batch))
        )
    History = Incident.history.model
    fields = [f.attname for f in Incident._meta.concrete_fields]
    for start in range(0, N, batch):
        rows = Incident.objects.filter(status=Status.DRAFT).order_by("id")[start : start + batch]
        History.objects.bulk_create(
            History(
                **{name: getattr(row, name) for name in fields},
                history_date=timezone.now(),
                history_type="+",
                history_user=editor,
                history_change_reason="import of bench.csv",
            )
            for row in rows
        )
    run = ImportRun.objects.create(
        file_name="bench.csv", format="mapping", started_by=editor, ok=True, created=N, finished_at=timezone.now()
    )
    ImportRun.objects.filter(pk=run.pk).update(started_at=started)  # as the importer does
    run.refresh_from_db()
    return run


def main() -> None:
    os.environ["DATABASE_URL"] = f"postgres://postgres@127.0.0.1:5432/{DB}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tracker.settings")
    sys.path.insert(0, str(BASE_DIR))
    fresh_database()
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, setup_test_environment

    setup_test_environment()
    call_command("migrate", verbosity=0)
    from django.contrib.auth import get_user_model

    from tests.conftest import login, make_user
    from tracker.roles import EDITORS

    call_command("load_seeds", "--no-holidays", verbosity=0)
    editor = make_user(get_user_model(), "bench-editor", group=EDITORS)
    began = time.perf_counter()
    run = fill(editor)
    print(f"{N} drafts written in {time.perf_counter() - began:.1f} s")
    client = login(Client(), editor)
    pages = {
        "page 1": {},
        "page 500": {"page": "500"},
        "kind=incident": {"kind": "incident"},
        "author": {"author": str(editor.pk)},
        "import run": {"run": str(run.pk)},
        "import run, page 1000": {"run": str(run.pk), "page": "1000"},
    }
    for name, params in pages.items():
        times = []
        for _ in range(REPEAT):
            with CaptureQueriesContext(connection) as ctx:
                started = time.perf_counter()
                response = client.get("/staff/review/", params)
                times.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200, response.status_code
        items = len(response.context["items"])
        print(
            f"{name:24} best {min(times):7.1f} ms  median {statistics.median(times):7.1f} ms  "
            f"{len(response.content) / 1024:6.0f} KB  {items} items  {len(ctx.captured_queries)} queries"
        )


if __name__ == "__main__":
    main()
