"""Restore drill: make data, back up, wipe, restore — every table and every statistic comes back."""

from __future__ import annotations

import datetime
import os
import stat

import pytest
from django.apps import apps
from django.core.management import CommandError, call_command
from django.db import connection
from django.db.models import Sum

from cases import models as cm
from incidents import models as im
from incidents import stats as incident_stats
from tests import factories as f
from tracker.management.commands.backup import default_backup_path


def _make_data() -> None:
    karachi = f.CityFactory(name="Karachi", slug="karachi-drill")
    shia = f.CommunityFactory(name="Shia", slug="shia-drill")
    e1 = f.IncidentFactory(
        date=datetime.date(2012, 3, 10), city=karachi, province=karachi.province, killed=2, injured=1
    )
    e1.communities.add(shia)
    f.IncidentFactory(date=datetime.date(2012, 4, 2), killed=10, injured=None)
    f.IncidentFactory(date=datetime.date(2012, 5, 20), killed=0, injured=3, status=im.Status.DRAFT)
    f.VictimFactory(incident=e1, name="A confidential name")
    case = f.CaseFactory(cognizance_date=datetime.date(2012, 6, 1), judgment_date=datetime.date(2013, 1, 10))
    case.incidents.add(e1)
    charge = f.ChargeFactory(case=case)
    f.HearingFactory(case=case, date=datetime.date(2012, 7, 1))
    f.AppealFactory(charge=charge)


def _snapshot() -> dict:
    """Row count of every table the project has, plus the public statistics and a few sums."""
    counts = {model._meta.label: model._base_manager.count() for model in apps.get_models()}
    return {
        "counts": counts,
        "public_totals": incident_stats.totals(incidents=im.Incident.objects.public()),
        "all_totals": incident_stats.totals(incidents=im.Incident.objects.all()),
        "by_year": incident_stats.by_year(incidents=im.Incident.objects.public()),
        "killed_sum": im.Incident.objects.aggregate(total=Sum("killed"))["total"],
        "hearing_dates": sorted(cm.Hearing.objects.values_list("date", flat=True)),
        "victims": sorted(im.Victim.objects.values_list("name", flat=True)),
    }


@pytest.mark.django_db(transaction=True)
def test_backup_wipe_restore_gives_back_every_row_and_figure(tmp_path, settings):
    settings.BACKUP_DIR = tmp_path
    _make_data()
    before = _snapshot()
    assert before["counts"]["incidents.Incident"] == 3
    assert before["public_totals"]["killed"] == 12
    assert before["counts"]["cases.Hearing"] >= 1

    call_command("backup")
    (backup,) = list(tmp_path.iterdir())
    assert backup.name.startswith("tracker-")
    assert backup.suffix == (".dump" if connection.vendor == "postgresql" else ".sqlite3")

    call_command("flush", "--noinput")
    assert im.Incident.objects.count() == 0
    assert cm.Case.objects.count() == 0

    call_command("restore", str(backup), "--noinput")
    after = _snapshot()
    assert after == before


@pytest.mark.django_db(transaction=True)
def test_restore_of_an_older_backup_removes_later_rows(tmp_path):
    f.IncidentFactory(killed=1)
    call_command("backup", "--output", str(tmp_path / "one.bak"))
    f.IncidentFactory(killed=5)
    assert im.Incident.objects.count() == 2
    call_command("restore", str(tmp_path / "one.bak"), "--noinput")
    assert list(im.Incident.objects.values_list("killed", flat=True)) == [1]


@pytest.mark.django_db
def test_restore_refuses_a_file_that_is_not_a_backup(tmp_path):
    bogus = tmp_path / "notes.txt"
    bogus.write_text("DROP TABLE incidents_incident;")
    with pytest.raises(CommandError, match="is not a"):
        call_command("restore", str(bogus), "--noinput")


@pytest.mark.django_db
def test_restore_of_a_missing_file_says_so(tmp_path):
    with pytest.raises(CommandError, match="no backup file"):
        call_command("restore", str(tmp_path / "missing.dump"), "--noinput")


@pytest.mark.django_db(transaction=True)
def test_restore_asks_before_replacing_everything(tmp_path, monkeypatch):
    f.IncidentFactory()
    call_command("backup", "--output", str(tmp_path / "b.bak"))
    monkeypatch.setattr("builtins.input", lambda prompt: "no")
    with pytest.raises(CommandError, match="cancelled"):
        call_command("restore", str(tmp_path / "b.bak"))
    assert im.Incident.objects.count() == 1


@pytest.mark.django_db
def test_backup_never_overwrites(tmp_path):
    target = tmp_path / "b.bak"
    target.write_bytes(b"older backup")
    with pytest.raises(CommandError, match="already exists"):
        call_command("backup", "--output", str(target))
    assert target.read_bytes() == b"older backup"


def test_default_name_is_timestamped_in_backup_dir(settings, tmp_path):
    settings.BACKUP_DIR = tmp_path
    moment = datetime.datetime(2026, 11, 25, 18, 30, 5)
    assert default_backup_path("postgresql", moment) == tmp_path / "tracker-20261125-183005.dump"
    assert default_backup_path("sqlite", moment) == tmp_path / "tracker-20261125-183005.sqlite3"


@pytest.mark.django_db(transaction=True)
def test_backup_is_0600_in_a_new_0700_folder_whatever_the_umask(tmp_path, settings):
    settings.BACKUP_DIR = tmp_path / "backups"
    f.IncidentFactory()
    old_umask = os.umask(0o000)  # the loosest umask: the modes must come from the command itself
    try:
        call_command("backup")
    finally:
        os.umask(old_umask)
    (backup,) = list(settings.BACKUP_DIR.iterdir())
    assert stat.S_IMODE(settings.BACKUP_DIR.stat().st_mode) == 0o700
    assert stat.S_IMODE(backup.stat().st_mode) == 0o600
    assert backup.stat().st_size > 0


@pytest.mark.django_db(transaction=True)
def test_an_existing_backup_dir_open_to_others_is_tightened_to_0700(tmp_path, settings):
    folder = tmp_path / "backups"
    folder.mkdir()
    folder.chmod(0o755)
    settings.BACKUP_DIR = folder
    call_command("backup")
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert [stat.S_IMODE(p.stat().st_mode) for p in folder.iterdir()] == [0o600]


@pytest.mark.django_db(transaction=True)
def test_an_output_file_is_0600_and_a_missing_folder_0700(tmp_path):
    call_command("backup", "--output", str(tmp_path / "new" / "b.bak"))
    assert stat.S_IMODE((tmp_path / "new").stat().st_mode) == 0o700
    assert stat.S_IMODE((tmp_path / "new" / "b.bak").stat().st_mode) == 0o600


@pytest.mark.django_db
def test_a_failed_backup_leaves_no_file(tmp_path, monkeypatch):
    def fail(*args):
        raise CommandError("the database went away")

    monkeypatch.setattr(
        "tracker.management.commands.backup.Command._pg_dump"
        if connection.vendor == "postgresql"
        else "tracker.management.commands.backup.Command._sqlite_backup",
        staticmethod(fail),
    )
    with pytest.raises(CommandError, match="went away"):
        call_command("backup", "--output", str(tmp_path / "b.bak"))
    assert list(tmp_path.iterdir()) == []
