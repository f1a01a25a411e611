"""Benchmark and evaluate duplicate finding (issue 17, incidents/duplicates.py).

Speed, on a synthetic database (100,000 incidents; target: under a minute):

    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/tracker_dup17_bench SECRET_KEY=x
    .venv/bin/python manage.py migrate && .venv/bin/python manage.py generate_synthetic --incidents 100000
    .venv/bin/python bench/bench_duplicates.py speed

Method, on real rows (a SCRATCH database: it is flushed): the Pakistan Body Count file and an outlet
file built from it with decoys (tests/incidents/outlet_file.py), precision and recall of the pairs
across the two files, for the rule set without fuzzy matching and with rapidfuzz, at several
thresholds:

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/tracker_dup17 SHARED_DATA=/work/shared/data \\
        .venv/bin/python bench/bench_duplicates.py evaluate
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from unittest import mock

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tracker.settings")
os.environ.setdefault("SECRET_KEY", "bench")


def speed() -> None:
    import django

    django.setup()
    from incidents import duplicates
    from incidents.models import Incident

    started = time.perf_counter()
    records = duplicates.load_records()
    loaded = time.perf_counter()
    compared = sum(1 for _ in duplicates.candidate_pairs(records))
    counted = time.perf_counter()
    matches = duplicates.find_matches(records)
    scored = time.perf_counter()
    print(
        f"{Incident.objects.count():,} incidents: loaded in {loaded - started:.1f} s; "
        f"{compared:,} pairs in the blocks (of {len(records) * (len(records) - 1) // 2:,} possible), "
        f"listed in {counted - loaded:.1f} s; scored in {scored - counted:.1f} s; {len(matches):,} pairs >= "
        f"{duplicates.MIN_SCORE}"
    )
    command = [sys.executable, str(ROOT / "manage.py"), "find_duplicates", "--format", "csv"]
    started = time.perf_counter()
    output = subprocess.run(command, check=True, capture_output=True, text=True).stdout
    print(
        f"manage.py find_duplicates --format csv: {time.perf_counter() - started:.1f} s, {output.count(chr(10)) - 1:,} lines"
    )


def _no_fuzz():
    """The rule set without fuzzy matching: localities alike only when equal, city names never "alike"."""
    from incidents import duplicates

    class Exact:
        @staticmethod
        def ratio(a, b, score_cutoff=0):
            return 100 if a == b else 0

        @staticmethod
        def token_set_ratio(a, b):
            return 100 if set(a.split()) == set(b.split()) else 0

    return mock.patch.object(duplicates, "fuzz", Exact)


def evaluate() -> None:
    import django

    django.setup()
    from django.core.management import call_command

    from incidents import duplicates
    from incidents.importing import get_format, run_import
    from incidents.models import IncidentSource
    from tests.incidents.outlet_file import MAPPING, add_known_towns, build
    from tests.incidents.test_import_realdata import PBC_FILE

    call_command("migrate", verbosity=0)
    call_command("flush", interactive=False, verbosity=0)
    call_command("load_seeds", "--no-holidays", verbosity=0)
    assert run_import(PBC_FILE, get_format(name="pk-suicide-attacks"), publish=True).ok
    add_known_towns()
    with tempfile.TemporaryDirectory() as folder:
        outlet = build(Path(folder))
        assert run_import(outlet.path, get_format(mapping=MAPPING), publish=True).ok
    links = IncidentSource.objects.filter(source__title=MAPPING["source"]["title"])
    rows = {int(ref): pk for ref, pk in links.values_list("external_id", "incident_id")}
    outlet_ids = set(rows.values())
    known = {tuple(sorted((pbc_id, rows[row]))) for row, pbc_id in outlet.known.items()}
    print(f"{len(known)} known pairs, {len(outlet.decoys)} decoys, {len(duplicates.load_records())} incidents")
    for name, patch in (("rules, exact names", _no_fuzz), ("rules + rapidfuzz", mock.MagicMock)):
        with patch():
            matches = duplicates.find_matches(duplicates.load_records(), min_score=0.4)
        for threshold in (0.5, 0.6, 0.7, 0.8):
            found = {
                (m.a.id, m.b.id)
                for m in matches
                if m.score >= threshold and (m.a.id in outlet_ids) != (m.b.id in outlet_ids)
            }
            right = len(found & known)
            print(
                f"{name:20} >= {threshold}: {len(found):3} found, {right:3} right, "
                f"precision {right / len(found) if found else 0:.2f}, recall {right / len(known):.2f}"
            )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("what", choices=["speed", "evaluate"])
    {"speed": speed, "evaluate": evaluate}[parser.parse_args().what]()
