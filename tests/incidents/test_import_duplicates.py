"""At import (issue 17): rows that probably record an incident already in the tracker are reported
(row, incident, score), by the command and in the admin's preview, and attached above a threshold."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command

from incidents.models import Incident, IncidentSource

from .outlet_file import MAPPING
from .test_import_admin import CONFIRM_URL, IMPORT_URL

pytestmark = pytest.mark.django_db
OUTLET = {**MAPPING, "source": {"title": "Another outlet"}}
# Row 2: the Alamdar Road attack of the seeds (PBC S# 369: Quetta, 10 Jan 2013, 51–93 killed), a day
# later under "Baluchistan"; row 3: the same day in Lahore, nothing else alike.
ROWS = (
    "Ref,Date,Province,City,Place,Attack,Killed,Injured\n"
    "1,11/01/2013,Baluchistan,Quetta,Alamdar Road snooker hall,Bomb blast,86,\n"
    "2,10/01/2013,Punjab,Lahore,,Firing,2,1\n"
)


@pytest.fixture
def files(tmp_path):
    call_command("load_seeds", "--no-holidays", stdout=StringIO())
    (tmp_path / "outlet.csv").write_text(ROWS, encoding="utf-8")
    (tmp_path / "outlet.json").write_text(json.dumps(OUTLET), encoding="utf-8")
    return tmp_path


def alamdar() -> Incident:
    return IncidentSource.objects.get(source__title__startswith="Pakistan Body Count", external_id="369").incident


def test_a_dry_run_lists_the_row_the_incident_and_the_score(files):
    out = StringIO()
    call_command("import_incidents", files / "outlet.csv", "--mapping", files / "outlet.json", "--dry-run", stdout=out)
    report = out.getvalue()
    assert "Probable duplicates of incidents already in the tracker (1):" in report
    assert f"row 2: probably incident #{alamdar().pk} (2013-01-10), score 0.8" in report
    assert "row 3" not in report.split("Probable duplicates")[1]
    assert not IncidentSource.objects.filter(source__title="Another outlet").exists()


def test_above_the_threshold_the_row_becomes_a_source_of_the_incident(files):
    before = Incident.objects.count()
    args = [files / "outlet.csv", "--mapping", files / "outlet.json", "--attach-duplicates-above", "0.8"]
    out = StringIO()
    call_command("import_incidents", *args, stdout=out)
    assert "created: 1, updated: 0, unchanged: 0, skipped: 0, attached to existing incidents: 1" in out.getvalue()
    assert Incident.objects.count() == before + 1
    link = IncidentSource.objects.get(source__title="Another outlet", external_id="1")
    incident = alamdar()
    assert (link.incident_id, link.attached, link.reported_killed) == (incident.pk, True, 86)
    assert incident.killed == 93  # the incident's own figure is untouched

    (files / "outlet.csv").write_text(ROWS.replace(",86,", ",88,"), encoding="utf-8")
    again = StringIO()
    call_command("import_incidents", *args, stdout=again)
    assert "created: 0, updated: 1, unchanged: 1" in again.getvalue()
    link.refresh_from_db()
    incident.refresh_from_db()
    assert (link.reported_killed, incident.killed, incident.date.isoformat()) == (88, 93, "2013-01-10")


def test_a_threshold_outside_0_to_1_is_refused(files):
    with pytest.raises(CommandError, match="between 0 and 1"):
        call_command(
            "import_incidents",
            files / "outlet.csv",
            "--mapping",
            files / "outlet.json",
            "--attach-duplicates-above",
            "80",
            stdout=StringIO(),
        )


def test_the_admin_preview_lists_them_and_the_confirmed_import_attaches(files, editor_client):
    post = {
        "file": SimpleUploadedFile("outlet.csv", ROWS.encode()),
        "mapping": SimpleUploadedFile("outlet.json", json.dumps(OUTLET).encode()),
        "attach_duplicates_above": "0.8",
    }
    response = editor_client.post(IMPORT_URL, post, follow=True)  # the dry run is queued, then followed
    preview = response.context["run"]
    body = response.content.decode()
    assert "Probable duplicates of incidents already in the tracker (1):" in body
    assert f"row 2: probably incident #{alamdar().pk} (2013-01-10), score 0.8" in body
    assert "attached to existing incidents: 1" in body
    assert preview.attach_duplicates_above == 0.8
    editor_client.post(CONFIRM_URL, {"run": preview.pk})
    assert IncidentSource.objects.get(source__title="Another outlet", external_id="1").incident_id == alamdar().pk
