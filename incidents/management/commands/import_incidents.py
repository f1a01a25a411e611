"""`python manage.py import_incidents FILE (--format pk-suicide-attacks | --mapping MAP.json) [--dry-run] [--publish]
[--reason TEXT] [--attach-duplicates-above SCORE]`.

Rows that probably record an incident already in the tracker are listed in the report (row number,
the incident, the score); with --attach-duplicates-above they become further sources of it.

All or nothing: a bad row stops the import with its row number, column, value and reason, and
nothing is written. Progress goes to stderr: on a terminal a bar (rows read of the file's rows,
counted first), redrawn in place; otherwise a line every --progress-every rows. The summary goes to
stdout. An import that changes a published incident's public figures needs --reason (the public
note in the corrections log): without it nothing is written.
Every run (dry runs and failed runs too) is logged in ImportRun, visible in the admin.
A file the import refuses (too large, too many rows, a zip bomb, a wrong encoding, a NUL byte, a
value over its field's limit ...) gets its reason in the report and a CommandError, never a
traceback; a bad mapping (e.g. an unknown "encoding") is a CommandError before anything runs.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from incidents.importing import BUILT_IN_FORMATS, ImportFailed, get_format, load_mapping, run_import
from incidents.importing.engine import ImportResult, progress_line
from incidents.importing.readers import RowReader

BAR_WIDTH = 30
TERMINAL_EVERY = 200  # rows between two redraws of the bar


def count_rows(path: str, fmt) -> int | None:
    """The file's data rows, for the bar; None when the file cannot be read (the import will say why)."""
    try:
        return sum(1 for _ in RowReader(path, encoding=fmt.encoding, sheet=getattr(fmt, "sheet", None)))
    except Exception:
        return None


def progress_bar(result: ImportResult, total: int | None) -> str:
    """``[#######·····]  12,000 / 50,000 rows (24%): 11,000 created, 0 updated, 0 errors``."""
    counts = f"{result.created:,} created, {result.updated:,} updated, {len(result.errors):,} errors"
    if not total:
        return f"{result.rows_read:,} rows read: {counts}"
    done = min(result.rows_read / total, 1)
    filled = round(done * BAR_WIDTH)
    bar = "#" * filled + "." * (BAR_WIDTH - filled)
    return f"[{bar}] {result.rows_read:,} / {total:,} rows ({done:.0%}): {counts}"


class Command(BaseCommand):
    help = "Import incidents from a CSV or XLSX file, with a built-in format or a JSON mapping."

    def add_arguments(self, parser):
        parser.add_argument("file", help="The CSV or XLSX file to import.")
        which = parser.add_mutually_exclusive_group(required=True)
        which.add_argument("--format", choices=sorted(BUILT_IN_FORMATS), help="A built-in format.")
        which.add_argument("--mapping", help="A JSON mapping file (see docs/importing.md).")
        parser.add_argument("--dry-run", action="store_true", help="Report what would happen; write nothing.")
        parser.add_argument("--publish", action="store_true", help="Publish imported incidents (default: drafts).")
        parser.add_argument(
            "--reason",
            default="",
            help="The reason for the correction, when the import changes a published incident's public figures "
            "(date, place, attack type, killed, injured): shown in the public corrections log. Without it such "
            "an import stops and writes nothing.",
        )
        parser.add_argument("--user", help="Username recorded as the importer (in history and the import log).")
        parser.add_argument(
            "--attach-duplicates-above",
            type=float,
            metavar="SCORE",
            help="A row that probably records an incident already in the tracker with this score (0 to 1) or "
            "more becomes a further source of it, with its own figures, instead of a new incident. "
            "Without it, such rows are only reported.",
        )
        parser.add_argument("--progress-every", type=int, default=5000, help="Report progress every N rows.")

    def handle(self, *args, **options):
        threshold = options["attach_duplicates_above"]
        if threshold is not None and not 0 <= threshold <= 1:
            raise CommandError("--attach-duplicates-above must lie between 0 and 1 (e.g. 0.8).")
        user = None
        if options["user"]:
            try:
                user = get_user_model().objects.get(username=options["user"])
            except get_user_model().DoesNotExist:
                raise CommandError(f"No user {options['user']!r}.") from None
        try:
            if options["mapping"]:
                fmt = get_format(mapping=load_mapping(options["mapping"]))
            else:
                fmt = get_format(name=options["format"])
        except ImportFailed as error:
            raise CommandError(str(error)) from None

        terminal = self.stderr.isatty()
        total = count_rows(options["file"], fmt) if terminal else None

        def progress(result: ImportResult) -> None:
            if terminal:
                self.stderr.write(f"\r{progress_bar(result, total)}", ending="")
            else:
                self.stderr.write(progress_line(result))
            self.stderr.flush()

        result = run_import(
            options["file"],
            fmt,
            user=user,
            publish=options["publish"],
            dry_run=options["dry_run"],
            progress=progress,
            progress_every=TERMINAL_EVERY if terminal else max(1, options["progress_every"]),
            reason=options["reason"],
            attach_duplicates_above=threshold,
        )
        if terminal:
            self.stderr.write(f"\r{progress_bar(result, total or result.rows_read)}")
        self.stdout.write(result.report())
        if not result.ok:
            raise CommandError(f"Import stopped: {len(result.errors)} error(s); nothing was written.")
