"""Duplicates across sources on real rows (issue 17): the Pakistan Body Count file, and a second
file built here from it the way another outlet would record some of its attacks, with decoys
(tests/incidents/outlet_file.py). The known pairs must be found and the decoys kept apart, by
`find_duplicates` and by the import's duplicate report; precision and recall are printed (-s)."""

from __future__ import annotations

import csv
import re
from io import StringIO

import pytest
from django.core.management import call_command

from incidents.duplicates import compare, find_duplicates, load_records
from incidents.importing import get_format, run_import
from incidents.models import Incident, IncidentSource

from .outlet_file import MAPPING, add_known_towns, build
from .test_import_realdata import PBC_FILE

pytestmark = [
    pytest.mark.realdata,
    pytest.mark.django_db,
    pytest.mark.skipif(not PBC_FILE.exists(), reason=f"real data not present at {PBC_FILE}"),
]


@pytest.fixture
def pbc(db, tmp_path):
    """The PBC file imported, the outlet file written (not yet imported)."""
    call_command("load_seeds", "--no-holidays", stdout=StringIO())
    assert run_import(PBC_FILE, get_format(name="pk-suicide-attacks"), publish=True).ok
    add_known_towns()
    return build(tmp_path)


def outlet_rows() -> dict[int, int]:
    """Outlet row number → the incident the import made of it (or attached it to)."""
    links = IncidentSource.objects.filter(source__title=MAPPING["source"]["title"])
    return {int(ref): incident_id for ref, incident_id in links.values_list("external_id", "incident_id")}


def precision_recall(found: set[tuple[int, int]], known: set[tuple[int, int]]) -> tuple[float, float]:
    hits = len(found & known)
    return hits / len(found), hits / len(known)


def test_known_pairs_are_found_and_decoys_kept_apart(pbc):
    result = run_import(pbc.path, get_format(mapping=MAPPING), publish=True)
    assert result.ok, result.errors
    rows = outlet_rows()
    outlet_ids = set(rows.values())
    known = {tuple(sorted((pbc_id, rows[row]))) for row, pbc_id in pbc.known.items()}
    matches = find_duplicates()
    across = {(m.a.id, m.b.id) for m in matches if (m.a.id in outlet_ids) != (m.b.id in outlet_ids)}
    decoys = {rows[row] for row in pbc.decoys}
    precision, recall = precision_recall(across, known)
    for match in matches:
        if (match.a.id, match.b.id) in across - known:
            print("false match:", match.a.id, match.b.id, match.score, "; ".join(match.reasons()))
    for pair in known - across:
        match = compare(*load_records(Incident.objects.filter(pk__in=pair)))
        print("missed:", pair, match.score, "; ".join(match.reasons()))
    print(
        f"\nfind_duplicates on real rows: {len(known)} known pairs, {len(pbc.decoys)} decoys; "
        f"{len(across)} pairs across the two files found, {len(across & known)} right: "
        f"precision {precision:.2f}, recall {recall:.2f}; pairs within one file: {len(matches) - len(across)}"
    )
    assert len(known) >= 60 and len(pbc.decoys) >= 40
    assert not {pk for pair in across for pk in pair} & decoys, "a decoy was paired"
    assert recall >= 0.9 and precision >= 0.9
    # The pair the issue names: Parachinar, 26 July 2013 (PBC S# 397, "Kuram Agency", KPK).
    parachinar = IncidentSource.objects.get(source__title__startswith="Pakistan Body Count", external_id="397")
    assert any(parachinar.incident_id in pair for pair in across) or not any(
        pbc_id == parachinar.incident_id for pbc_id in pbc.known.values()
    )


def test_the_import_reports_each_probable_duplicate_with_row_incident_and_score(pbc):
    result = run_import(pbc.path, get_format(mapping=MAPPING), dry_run=True)
    assert result.ok, result.errors
    reported = {}
    for line in result.duplicates:
        found = re.match(r"row (\d+): probably incident #(\d+) \(\d{4}-\d\d-\d\d\), score (0\.\d\d|1\.00)", line)
        assert found, line
        reported[int(found.group(1))] = int(found.group(2))
    right = sum(1 for row, pbc_id in pbc.known.items() if reported.get(row) == pbc_id)
    precision, recall = right / len(reported), right / len(pbc.known)
    print(
        f"\nimport --dry-run on real rows: {len(reported)} rows reported, {right} right: "
        f"precision {precision:.2f}, recall {recall:.2f}"
    )
    assert not set(reported) & set(pbc.decoys)
    assert recall >= 0.9 and precision >= 0.9
    assert "Probable duplicates of incidents already in the tracker" in result.report()
    assert result.created == len(pbc.known) + len(pbc.decoys)


def test_attached_rows_become_sources_of_the_pbc_incidents_with_their_own_figures(pbc):
    result = run_import(pbc.path, get_format(mapping=MAPPING), publish=True, attach_duplicates_above=0.8)
    assert result.ok, result.errors
    rows = outlet_rows()
    pbc_ids = set(
        IncidentSource.objects.filter(source__title__startswith="Pakistan").values_list("incident_id", flat=True)
    )
    attached_rows = {row: pk for row, pk in rows.items() if pk in pbc_ids}
    attached = {row for row, pk in attached_rows.items() if pbc.known.get(row) == pk}
    print(f"\nimport --attach-duplicates-above 0.8: {len(attached_rows)} rows attached, {len(attached)} right")
    assert result.attached == len(attached_rows)
    assert len(attached) >= 0.7 * len(pbc.known) and len(attached_rows) - len(attached) <= 2
    assert not set(attached_rows) & set(pbc.decoys)
    assert result.created == len(rows) - result.attached
    with open(pbc.path, encoding="utf-8", newline="") as handle:
        killed = {int(row["Ref"]): row["Killed"] for row in csv.DictReader(handle)}
    for row in attached:
        link = IncidentSource.objects.get(source__title=MAPPING["source"]["title"], external_id=str(row))
        assert link.attached and link.incident_id == pbc.known[row]
        assert link.reported_killed == (int(killed[row]) if killed[row] else None)
    again = run_import(pbc.path, get_format(mapping=MAPPING), publish=True, attach_duplicates_above=0.8)
    assert (again.created, again.updated, again.attached) == (0, 0, 0)
