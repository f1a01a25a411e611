"""`manage.py backup [--output FILE]`: a consistent copy of the whole database.

PostgreSQL: `pg_dump --format=custom` (restore with `manage.py restore FILE`, i.e. pg_restore).
SQLite: the SQLite online backup API, a consistent copy even while the site is running.
Without --output the file goes to settings.BACKUP_DIR (default backups/) with a UTC-timestamped name,
e.g. backups/tracker-20261125-183000.dump. `make backup` runs this.

A backup holds everything the public never sees (drafts, victims' names, confidential notes), so it is
written readable by its owner only: the file 0600, created so before a byte goes in, in a folder made
0700 (BACKUP_DIR is tightened to 0700 if it is wider; an existing folder given with --output is left as
it is).
"""

from __future__ import annotations

import datetime
import os
import sqlite3
import subprocess
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connections


def postgres_connection_args(db: dict) -> tuple[list[str], dict[str, str]]:
    """pg_dump/pg_restore arguments and environment (password via PGPASSWORD, never on the command line)."""
    args = []
    if db.get("HOST"):
        args += ["--host", str(db["HOST"])]
    if db.get("PORT"):
        args += ["--port", str(db["PORT"])]
    if db.get("USER"):
        args += ["--username", str(db["USER"])]
    env = {**os.environ, "PGCONNECT_TIMEOUT": "10"}
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = str(db["PASSWORD"])
    return args, env


def engine_kind(alias: str = "default") -> str:
    """'postgresql' or 'sqlite'; anything else is refused."""
    vendor = connections[alias].vendor
    if vendor not in ("postgresql", "sqlite"):
        raise CommandError(f"backups support PostgreSQL and SQLite, not {vendor}")
    return vendor


def default_backup_path(kind: str, now: datetime.datetime | None = None) -> Path:
    """BACKUP_DIR/tracker-<UTC timestamp>.dump (PostgreSQL) or .sqlite3 (SQLite)."""
    stamp = (now or datetime.datetime.now(datetime.UTC)).strftime("%Y%m%d-%H%M%S")
    suffix = "dump" if kind == "postgresql" else "sqlite3"
    return Path(settings.BACKUP_DIR) / f"tracker-{stamp}.{suffix}"


def private_folder(folder: Path, *, tighten: bool) -> None:
    """Make `folder` (and missing parents) with mode 0700; if it exists and `tighten`, set it to 0700."""
    if not folder.exists():
        folder.mkdir(mode=0o700, parents=True)
        folder.chmod(0o700)  # mkdir's mode is filtered by the umask
    elif tighten and folder.stat().st_mode & 0o077:
        folder.chmod(0o700)


def create_private_file(path: Path) -> None:
    """Create `path` empty with mode 0600 (never an existing file: a backup is not overwritten)."""
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        raise CommandError(f"{path} already exists: not overwriting a backup") from None
    os.fchmod(descriptor, 0o600)
    os.close(descriptor)


class Command(BaseCommand):
    help = "Back up the whole database (pg_dump -Fc on PostgreSQL, the backup API on SQLite)."

    def add_arguments(self, parser):
        parser.add_argument("--output", help="file to write (default: BACKUP_DIR/tracker-<timestamp>.dump|sqlite3)")
        parser.add_argument("--database", default="default", help="database alias (default: default)")

    def handle(self, *args, output=None, database="default", **options):
        kind = engine_kind(database)
        path = Path(output) if output else default_backup_path(kind)
        private_folder(path.parent, tighten=not output)
        create_private_file(path)
        try:
            if kind == "postgresql":
                self._pg_dump(connections[database].settings_dict, path)
            else:
                self._sqlite_backup(database, path)
        except BaseException:
            path.unlink(missing_ok=True)  # no empty or half-written backup left behind
            raise
        self.stdout.write(str(path))

    @staticmethod
    def _pg_dump(db: dict, path: Path) -> None:
        args, env = postgres_connection_args(db)
        command = ["pg_dump", "--format=custom", "--no-owner", "--file", str(path), *args, str(db["NAME"])]
        result = subprocess.run(command, env=env, capture_output=True, text=True, check=False)  # noqa: S603
        if result.returncode != 0:
            path.unlink(missing_ok=True)
            raise CommandError(f"pg_dump failed: {result.stderr.strip()}")

    @staticmethod
    def _sqlite_backup(alias: str, path: Path) -> None:
        connection = connections[alias]
        if connection.in_atomic_block:
            # SQLite's backup would wait forever on our own open write transaction.
            raise CommandError("cannot back up SQLite from inside a transaction")
        connection.ensure_connection()
        target = sqlite3.connect(path)
        try:
            connection.connection.backup(target)
        finally:
            target.close()
