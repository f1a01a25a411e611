"""`manage.py restore FILE [--noinput]`: replace the whole database with a backup.

PostgreSQL: `pg_restore --clean --if-exists --single-transaction` (all or nothing: a failed restore
leaves the database as it was). SQLite: the backup API copies the file back over the live database.
Destructive, so it asks for "yes" unless --noinput. `make restore FILE=...` runs this.
"""

from __future__ import annotations

import sqlite3
import subprocess
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import connections

from tracker.pagecache import data_changed

from .backup import engine_kind, postgres_connection_args

SQLITE_MAGIC = b"SQLite format 3\x00"
PG_CUSTOM_MAGIC = b"PGDMP"


class Command(BaseCommand):
    help = "Restore the whole database from a file made by `manage.py backup` (replaces all data)."

    def add_arguments(self, parser):
        parser.add_argument("file", help="backup file (.dump from PostgreSQL, .sqlite3 from SQLite)")
        parser.add_argument("--noinput", "--no-input", action="store_false", dest="interactive")
        parser.add_argument("--database", default="default", help="database alias (default: default)")

    def handle(self, *args, file, interactive=True, database="default", **options):
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"no backup file at {path}")
        kind = engine_kind(database)
        self._check_format(path, kind)
        db = connections[database].settings_dict
        if interactive:
            answer = input(f"This replaces ALL data in database {db['NAME']!s} with {path}. Type 'yes' to go on: ")
            if answer.strip().lower() != "yes":
                raise CommandError("restore cancelled")
        if kind == "postgresql":
            connections[database].close()  # our own connection must not hold locks pg_restore needs
            self._pg_restore(db, path)
        else:
            self._sqlite_restore(database, path)
        data_changed()  # pages cached before the restore show other data
        self.stdout.write(f"restored {path}")

    @staticmethod
    def _check_format(path: Path, kind: str) -> None:
        with path.open("rb") as handle:
            head = handle.read(16)
        expected = PG_CUSTOM_MAGIC if kind == "postgresql" else SQLITE_MAGIC
        if not head.startswith(expected):
            raise CommandError(f"{path} is not a {kind} backup made by `manage.py backup`")

    @staticmethod
    def _pg_restore(db: dict, path: Path) -> None:
        args, env = postgres_connection_args(db)
        command = [
            "pg_restore",
            "--clean",
            "--if-exists",
            "--no-owner",
            "--single-transaction",
            "--exit-on-error",
            "--dbname",
            str(db["NAME"]),
            *args,
            str(path),
        ]
        result = subprocess.run(command, env=env, capture_output=True, text=True, check=False)  # noqa: S603
        if result.returncode != 0:
            raise CommandError(f"pg_restore failed (nothing was changed): {result.stderr.strip()}")

    @staticmethod
    def _sqlite_restore(alias: str, path: Path) -> None:
        connection = connections[alias]
        connection.ensure_connection()
        source = sqlite3.connect(path)
        try:
            source.backup(connection.connection)
        finally:
            source.close()
