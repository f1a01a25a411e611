"""Scheduled: the daily backup, keeping the last BACKUP_KEEP (settings.TASK_SCHEDULE "backup")."""

from __future__ import annotations

from io import StringIO
from pathlib import Path

from django.conf import settings
from django.core.management import call_command

from jobs.queue import job

BACKUP_PATTERNS = ("tracker-*.dump", "tracker-*.sqlite3")


def prune_backups(*, keep: int) -> list[str]:
    """Delete all but the newest `keep` backups in BACKUP_DIR (by the UTC time in their names); their names."""
    folder = Path(settings.BACKUP_DIR)
    files = sorted(path for pattern in BACKUP_PATTERNS for path in folder.glob(pattern))
    old = files[: max(0, len(files) - keep)]
    for path in old:
        path.unlink(missing_ok=True)
    return [path.name for path in old]


@job
def backup_database() -> dict:
    """`manage.py backup` (pg_dump / the SQLite backup API, file 0600), then the retention."""
    out = StringIO()
    call_command("backup", stdout=out)
    return {"file": Path(out.getvalue().strip()).name, "removed": prune_backups(keep=settings.BACKUP_KEEP)}
