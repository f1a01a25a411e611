"""The real Pakistan Body Count file (../shared/data): every row imports, a re-run creates nothing,
and the totals by year equal an independent computation made here with the csv module."""

from __future__ import annotations

import csv
import os
import re
from collections import defaultdict
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command

from incidents import stats
from incidents.importing import get_format, run_import
from incidents.models import Incident, IncidentSource

# ../shared/data beside the project; SHARED_DATA names another place (a git worktree elsewhere).
SHARED_DATA = Path(os.environ.get("SHARED_DATA") or Path(settings.BASE_DIR).parent / "shared/data")
PBC_FILE = SHARED_DATA / "pk-suicide-attacks/PakistanSuicideAttacks-Ver11-2017-11-30.csv"

pytestmark = [
    pytest.mark.realdata,
    pytest.mark.django_db,
    pytest.mark.skipif(not PBC_FILE.exists(), reason=f"real data not present at {PBC_FILE}"),
]


def _number(cell: str) -> int | None:
    """The figure a cell states: '12' → 12, '40+' → 40 (at least), blank or a link → None."""
    match = re.fullmatch(r"\s*(\d+)\+?\s*", cell)
    return int(match.group(1)) if match else None


def independent_totals_by_year() -> dict[int, dict[str, int]]:
    """Totals per year straight from the file: the figure is the higher of Min and Max the row gives."""
    totals: dict[int, dict[str, int]] = defaultdict(lambda: {"incidents": 0, "killed": 0, "injured": 0})
    with open(PBC_FILE, encoding="cp1252", newline="") as handle:
        for row in csv.DictReader(handle):
            year = int(row["Date"].strip()[-4:])
            totals[year]["incidents"] += 1
            for figure in ("Killed", "Injured"):
                known = [n for n in (_number(row[f"{figure} Min"]), _number(row[f"{figure} Max"])) if n is not None]
                totals[year][figure.lower()] += max(known) if known else 0
    return dict(totals)


@pytest.fixture
def seeded(db):
    call_command("load_seeds", "--no-holidays", stdout=StringIO())


def test_every_row_imports_and_a_second_run_creates_nothing(seeded):
    fmt = get_format(name="pk-suicide-attacks")
    first = run_import(PBC_FILE, fmt, publish=True)
    assert first.ok, first.errors
    assert (first.rows_read, first.created, first.unchanged, first.skipped_total) == (496, 492, 4, 0)
    assert first.sha256 == "64bffd9fc9c68739040e89ed9ef5d0c1b812d2d99387c74ad841ae24ceac79dd"
    links = IncidentSource.objects.filter(source__title__startswith="Pakistan Body Count")
    assert links.count() == 496
    second = run_import(PBC_FILE, fmt, publish=True)
    assert (second.created, second.updated, second.unchanged) == (0, 0, 496)
    assert Incident.objects.count() == 496


def test_totals_by_year_equal_an_independent_computation(seeded):
    run_import(PBC_FILE, get_format(name="pk-suicide-attacks"), publish=True)
    computed = {
        row["year"]: {"incidents": row["incidents"], "killed": row["killed"], "injured": row["injured"]}
        for row in stats.by_year(incidents=Incident.objects.public())
    }
    assert computed == independent_totals_by_year()
    assert sum(year["incidents"] for year in computed.values()) == 496


def test_unknown_tolls_stay_unknown(seeded):
    run_import(PBC_FILE, get_format(name="pk-suicide-attacks"), publish=True)
    with open(PBC_FILE, encoding="cp1252", newline="") as handle:
        both_blank = {
            r["S#"] for r in csv.DictReader(handle) if not r["Killed Min"].strip() and not r["Killed Max"].strip()
        }
    assert len(both_blank) == 12
    unknown = set(
        IncidentSource.objects.filter(
            source__title__startswith="Pakistan Body Count", incident__killed__isnull=True
        ).values_list("external_id", flat=True)
    )
    assert unknown == both_blank
