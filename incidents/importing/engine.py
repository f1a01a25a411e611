"""Run an import: read, check, write in batches, all in one transaction, and log it in ImportRun.

All or nothing: every row is parsed; the first bad row stops the writing, the remaining rows are
still checked (so the report lists every bad row, up to MAX_ERRORS), and the transaction is rolled
back. A dry run runs exactly the same code and rolls back at the end; only its ImportRun log row
is kept.

Identity: each incident imported from a file is linked to the file's Source by an IncidentSource
whose `external_id` is the row's identity (the mapping's `external_id` column, e.g. PBC's S#; else
a hash of the row's mapped cells plus its occurrence number among identical rows of the file).
A re-import finds the incident by that identity and updates only the fields that changed, with
history; an unchanged row writes nothing.

Speed and memory: rows are streamed; each batch costs a constant number of queries (one lookup of
existing identities, bulk inserts and updates with bulk history), so memory does not grow with
the file (except 16 bytes per row for files without an identity column, to number identical rows).
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from types import SimpleNamespace

from django.db import DatabaseError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext

from core.corrections import CORRECTED_FIELDS, record_changes
from core.models import Status
from incidents.models import Attribution, ImportRun, Incident, IncidentSource, Source
from tracker.pagecache import data_changed

from . import bulk, cells
from .errors import ImportFailed, RowError
from .matching import DuplicateCheck
from .readers import RowReader, check_file_size, file_sha256
from .references import References
from .rows import ParsedRow, check_limits

logger = logging.getLogger(__name__)

MAX_ERRORS = 100
THROUGH = Incident.communities.through
MAX_LISTED = 300


@dataclass
class ImportResult:
    file_name: str
    format: str
    dry_run: bool
    sha256: str = ""
    rows_read: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: Counter = field(default_factory=Counter)
    errors: list[str] = field(default_factory=list)
    remarks: list[str] = field(default_factory=list)
    changes: list[str] = field(default_factory=list)
    new_cities: list[str] = field(default_factory=list)
    # Published incidents whose public figures the import changes (or, in a dry run, would change):
    # a real run then needs the reason for the correction (issue 14 item 3).
    corrected: int = 0
    duplicates: list[str] = field(default_factory=list)  # rows that probably record an existing incident
    attached: int = 0  # such rows attached as a further source instead of created
    run: ImportRun | None = None

    @property
    def ok(self) -> bool:
        return not self.errors

    def __post_init__(self):
        self.file_name = printable(self.file_name)

    @property
    def skipped_total(self) -> int:
        return sum(self.skipped.values())

    @property
    def skipped_reasons(self) -> list[tuple[str, int]]:
        """(reason, count) pairs, sorted: what templates list (a Counter's `.items` is a missing key, 0)."""
        return sorted(self.skipped.items())

    def summary_line(self) -> str:
        """The counts; after a stop only the rows read, never created/updated figures that were not written."""
        if not self.ok:
            return f"rows read: {self.rows_read}, skipped: {self.skipped_total}; nothing was written"
        line = (
            f"rows read: {self.rows_read}, created: {self.created}, updated: {self.updated}, "
            f"unchanged: {self.unchanged}, skipped: {self.skipped_total}"
        )
        return line + (f", attached to existing incidents: {self.attached}" if self.attached else "")

    def report(self) -> str:
        """The full text report, as printed by the command and kept in ImportRun.report."""
        lines = [f"Import of {self.file_name} (format {self.format}, sha256 {self.sha256})"]
        if not self.ok:
            lines.append(f"STOPPED: {len(self.errors)} bad row(s) or problem(s); nothing was written.")
        elif self.dry_run:
            lines.append("DRY RUN: this is what a real run would do; nothing was written.")
        lines.append(self.summary_line())
        if self.corrected and self.ok:
            verb = "would change" if self.dry_run else "changed"
            lines.append(
                f"Corrections: the import {verb} the public figures of {self.corrected} published incident(s)"
                + ("; the real run needs the reason for the correction." if self.dry_run else ".")
            )
        for reason, count in self.skipped_reasons:
            lines.append(f"  skipped {count} row(s): {reason}")
        if self.new_cities:
            lines.append(f"New cities ({len(self.new_cities)}): {', '.join(self.new_cities)}")
        sections = [("Errors", self.errors), ("Remarks", self.remarks)]
        if self.ok:  # after a stop, the changes listed were never made
            sections.append(("Changes", self.changes))
            sections.append(("Probable duplicates of incidents already in the tracker", self.duplicates))
        for title, items in sections:
            if items:
                lines.append(f"{title} ({len(items)}):")
                lines.extend(f"  {item}" for item in items[:MAX_LISTED])
                if len(items) > MAX_LISTED:
                    lines.append(f"  … and {len(items) - MAX_LISTED} more")
        return "\n".join(lines)


class _Rollback(Exception):
    pass


REASON_NEEDED = (
    "{label}: this import changes the public figures of a published incident ({fields}), which is a "
    'correction: give its reason (the command\'s --reason "...", the reason box in the admin); it is '
    "shown in the public corrections log. Nothing was written."
)


def printable(text: str) -> str:
    """Text any database and terminal can hold: a file name from a non-UTF-8 file system keeps its
    undecodable bytes as lone surrogates, which neither PostgreSQL nor SQLite accept; NUL neither."""
    text = str(text).encode("utf-8", "surrogateescape").decode("utf-8", "replace")
    return text.replace("\x00", "\\x00")


def _storable(mapping):
    """The mapping as the ImportRun keeps it: JSON without NUL characters (PostgreSQL's jsonb refuses them)."""
    if mapping is None:
        return None
    return json.loads(printable(json.dumps(mapping)).replace("\\u0000", "\\\\x00"))


def _label(parsed: ParsedRow) -> str:
    return f"row {parsed.row}" if parsed.fingerprint else f"row {parsed.row} (id {parsed.external_id})"


class Writer:
    """Writes batches of parsed rows: creates new incidents, updates changed ones, counts the rest."""

    def __init__(
        self,
        *,
        source: Source,
        user,
        publish: bool,
        reason: str,
        result: ImportResult,
        correction_note: str | None = None,
        attach_duplicates_above: float | None = None,
    ):
        self.source = source
        self.user = user
        self.publish = publish
        self.reason = reason  # the history's change reason: "import of FILE"
        # The public note of the corrections the import makes: "" stops a run that would make one
        # (REASON_NEEDED); None (a dry run, load_seeds) neither asks nor stops, and notes `reason`.
        self.correction_note = correction_note
        self.result = result
        # Links with a higher id were created by this run: meeting one again means a duplicate identity.
        self.first_new_link_id = (IncidentSource.objects.aggregate(m=Max("id"))["m"] or 0) + 1
        self.duplicate_check = DuplicateCheck(
            source=source,
            attach_above=attach_duplicates_above,
            first_new_incident_id=(Incident.objects.aggregate(m=Max("id"))["m"] or 0) + 1,
        )

    def write(self, batch: list[ParsedRow]) -> None:
        seen: dict[str, int] = {}
        for parsed in batch:
            if parsed.external_id in seen:
                raise RowError(
                    gettext("the same identity %(identity)r as row %(row)s")
                    % {"identity": parsed.external_id, "row": seen[parsed.external_id]},
                    row=parsed.row,
                )
            seen[parsed.external_id] = parsed.row
        links = {
            link.external_id: link
            for link in IncidentSource.objects.filter(source=self.source, external_id__in=list(seen))
            .exclude(external_id="")  # lets PostgreSQL use the partial unique index
            .select_related("incident")
        }
        incident_ids = [link.incident_id for link in links.values()]
        # incident id → {community id: through-row id}
        communities: dict[int, dict[int, int]] = {pk: {} for pk in incident_ids}
        for through_id, incident_id, community_id in THROUGH.objects.filter(incident_id__in=incident_ids).values_list(
            "id", "incident_id", "community_id"
        ):
            communities[incident_id][community_id] = through_id
        attributions = set(
            Attribution.objects.filter(incident_id__in=incident_ids).values_list(
                "incident_id", "organisation_id", "kind"
            )
        )
        new, changed = [], _Changes(communities)
        for parsed in batch:
            link = links.get(parsed.external_id)
            if link is None:
                new.append(parsed)
            elif link.pk >= self.first_new_link_id:
                raise RowError(
                    gettext("the same identity %(identity)r as an earlier row of this file")
                    % {"identity": parsed.external_id},
                    row=parsed.row,
                )
            elif changed.compare(parsed, link, attributions, self):
                self.result.updated += 1
            else:
                self.result.unchanged += 1
        self._create(self.duplicate_check.split(new, self))
        self.result.corrected += len(changed.corrected)
        if changed.corrected and self.correction_note is not None and not self.correction_note.strip():
            before, incident = changed.corrected[0]
            fields = [f.name for f in _corrected_fields() if before[f.attname] != getattr(incident, f.attname)]
            label = next(_label(p) for p in batch if getattr(links.get(p.external_id), "incident", None) is incident)
            raise ImportFailed(REASON_NEEDED.format(label=label.capitalize(), fields=", ".join(fields)))
        changed.save(self)

    def _create(self, rows: list[ParsedRow]) -> None:
        if not rows:
            return
        now = timezone.now()
        status = Status.PUBLISHED if self.publish else Status.DRAFT
        incidents = [
            Incident(
                **parsed.values,
                status=status,
                published_at=now if self.publish else None,
                created_by=self.user,
                updated_by=self.user,
            )
            for parsed in rows
        ]
        bulk.insert(Incident, incidents)
        pairs = [
            (incident.pk, community_id)
            for incident, parsed in zip(incidents, rows, strict=True)
            for community_id in sorted(parsed.communities or ())
        ]
        through_ids = bulk.insert_pairs(THROUGH, "incident_id", "community_id", pairs)
        self.history(Incident, incidents, "+", dict(zip(through_ids, pairs, strict=True)))
        links = [
            IncidentSource(incident=incident, source=self.source, external_id=parsed.external_id, **parsed.link)
            for incident, parsed in zip(incidents, rows, strict=True)
        ]
        bulk.insert(IncidentSource, links)
        self.history(IncidentSource, links, "+")
        attributions = [
            Attribution(incident=incident, organisation_id=org_id, kind=kind, source=self.source)
            for incident, parsed in zip(incidents, rows, strict=True)
            for org_id, kind in parsed.organisations
        ]
        bulk.insert(Attribution, attributions)
        self.history(Attribution, attributions, "+")
        self.result.created += len(rows)

    def history(self, model, objs, history_type: str, through_rows: dict[int, tuple[int, int]] | None = None) -> None:
        """History rows for objects written in bulk (who: the importing user; why: the import).

        For incidents, `through_rows` ({through id: (incident id, community id)}) are the communities
        each incident has after the write, recorded in the many-to-many history.
        """
        history_ids = bulk.insert_history(model, objs, history_type=history_type, user=self.user, reason=self.reason)
        if through_rows is not None:
            by_incident = {obj.pk: history_id for obj, history_id in zip(objs, history_ids, strict=True)}
            bulk.insert_m2m_history(
                Incident,
                "communities",
                [(tid, iid, cid, by_incident[iid]) for tid, (iid, cid) in through_rows.items() if iid in by_incident],
            )


class _Changes:
    """Collects what changed in existing incidents of one batch, then writes it in bulk."""

    def __init__(self, current: dict[int, dict[int, int]]):
        self.current = current  # incident id → {community id: through-row id}, as loaded
        self.incidents: list[Incident] = []
        self.incident_fields: set[str] = set()
        self.links: list[IncidentSource] = []
        self.link_fields: set[str] = set()
        self.communities: dict[int, frozenset[int]] = {}
        self.attributions: list[Attribution] = []
        # Published incidents whose public figures the batch changes: (their values before, the incident).
        self.corrected: list[tuple[dict, Incident]] = []

    def compare(self, parsed: ParsedRow, link: IncidentSource, attributions, writer) -> bool:
        """Apply the row to the loaded objects; True when anything differs. Lists changes in the report."""
        incident = link.incident
        current_communities = set(self.current[incident.pk])
        if incident.status == Status.PUBLISHED:
            before = {f.attname: getattr(incident, f.attname) for f in _corrected_fields()}
        diffs = []
        incident_changed = []
        # A row attached to an incident recorded from another source updates its own figures only.
        values = {} if link.attached else parsed.values
        for name, value in values.items():
            attname = incident._meta.get_field(name).attname
            new = value.pk if hasattr(value, "pk") else value
            old = getattr(incident, attname)
            if old != new:
                diffs.append(f"{name}: {old!r} → {new!r}")
                setattr(incident, attname, new)
                incident_changed.append(attname)
        if writer.publish and incident.status == Status.DRAFT and not link.attached:
            incident.status, incident.published_at = Status.PUBLISHED, timezone.now()
            incident_changed += ["status", "published_at"]
            diffs.append("status: draft → published")
        if parsed.communities is not None and not link.attached and set(parsed.communities) != current_communities:
            diffs.append(f"communities: {sorted(current_communities)} → {sorted(parsed.communities)}")
            self.communities[incident.pk] = parsed.communities
            incident_changed.append("updated_at")  # a history row records the new set
        link_changed = []
        for name, value in parsed.link.items():
            if getattr(link, name) != value:
                diffs.append(f"source's {name}: {getattr(link, name)!r} → {value!r}")
                setattr(link, name, value)
                link_changed.append(name)
        for org_id, kind in parsed.organisations:
            if (incident.pk, org_id, kind) not in attributions:
                diffs.append(f"attribution added: organisation {org_id} ({kind})")
                self.attributions.append(
                    Attribution(incident=incident, organisation_id=org_id, kind=kind, source=writer.source)
                )
        if incident_changed:
            incident.updated_at, incident.updated_by = timezone.now(), writer.user
            self.incidents.append(incident)
            if incident.status == Status.PUBLISHED and "status" not in incident_changed:
                self.corrected.append((before, incident))
            self.incident_fields.update(incident_changed + ["updated_at", "updated_by"])
        if link_changed:
            self.links.append(link)
            self.link_fields.update(link_changed)
        if diffs:
            writer.result.changes.append(f"{_label(parsed)}: " + "; ".join(diffs))
        return bool(diffs)

    def save(self, writer: Writer) -> None:
        if self.communities:
            THROUGH.objects.filter(incident_id__in=list(self.communities)).delete()
            pairs = [(iid, cid) for iid, ids in self.communities.items() for cid in sorted(ids)]
            new_ids = bulk.insert_pairs(THROUGH, "incident_id", "community_id", pairs)
            for iid in self.communities:
                self.current[iid] = {}
            for through_id, (iid, cid) in zip(new_ids, pairs, strict=True):
                self.current[iid][cid] = through_id
        if self.incidents:
            fields = sorted(f.removesuffix("_id") for f in self.incident_fields)
            Incident.objects.bulk_update(self.incidents, fields)
            through_rows = {
                tid: (incident.pk, cid) for incident in self.incidents for cid, tid in self.current[incident.pk].items()
            }
            writer.history(Incident, self.incidents, "~", through_rows)
            for before, incident in self.corrected:  # bulk writes bypass the history hook: log them here
                record_changes(
                    SimpleNamespace(**before),
                    incident,
                    writer.user,
                    writer.correction_note or writer.reason,
                    instance=incident,
                )
        if self.links:
            IncidentSource.objects.bulk_update(self.links, sorted(self.link_fields))
            writer.history(IncidentSource, self.links, "~")
        if self.attributions:
            bulk.insert(Attribution, self.attributions)
            writer.history(Attribution, self.attributions, "+")


def _corrected_fields():
    """The incident fields whose change, on a published incident, goes to the corrections log."""
    return [Incident._meta.get_field(name) for name in CORRECTED_FIELDS["incidents.incident"]]


def _get_source(fields: dict) -> Source:
    """The import's Source, found by title and publisher; created with the mapping's details if new."""
    source = Source.objects.filter(title=fields["title"], publisher=fields.get("publisher", "")).first()
    if source is None:
        source = Source.objects.create(**fields)
    return source


def run_import(
    path: str | Path,
    fmt,
    *,
    user=None,
    publish: bool = False,
    dry_run: bool = False,
    file_name: str | None = None,
    progress: Callable[[ImportResult], None] | None = None,
    progress_every: int = 5000,
    batch_size: int = 1000,
    reason: str = "",
    run: ImportRun | None = None,
    attach_duplicates_above: float | None = None,
) -> ImportResult:
    """Import `path` with `fmt` (a MappedFormat or a built-in format); always log an ImportRun.

    `reason` is the public note of the corrections the import makes: a real run that would change a
    published incident's public figures without one stops (nothing written) and says so; a dry run
    counts those incidents (`result.corrected`) so that the reason can be asked for before the run.

    Rows that probably duplicate an incident already in the tracker are reported; with
    `attach_duplicates_above` (0 to 1), those scoring that much become a further source of it.

    `progress(result)` is called every `progress_every` rows read, with the counts so far. `run` is
    the queued ImportRun to fill in (incidents/import_queue.py); without it a new one is logged.
    """
    path = Path(path)
    result = ImportResult(file_name=file_name or path.name, format=fmt.name, dry_run=dry_run)
    started = timezone.now()
    try:
        check_file_size(path)
        result.sha256 = file_sha256(path)
        with transaction.atomic():
            _import_rows(
                path,
                fmt,
                result,
                user=user,
                publish=publish,
                progress=progress,
                progress_every=progress_every,
                batch_size=batch_size,
                correction_note=None if dry_run else reason.strip(),
                attach_duplicates_above=attach_duplicates_above,
            )
            if result.errors or dry_run:
                raise _Rollback
    except _Rollback:
        pass
    except (ImportFailed, RowError, OSError) as error:
        result.errors.append(str(error))
    except DatabaseError as error:
        result.errors.append(f"The database refused the data: {printable(error)}")
    except Exception as error:  # never a traceback for the person importing: a report, and the log
        logger.exception("import of %s failed unexpectedly", result.file_name)
        result.errors.append(f"The import failed unexpectedly ({type(error).__name__}); nothing was written.")
    if not result.ok:
        result.created = result.updated = result.unchanged = 0
        result.changes.clear()
        result.new_cities = []
        result.duplicates, result.attached = [], 0
    result.run = run or ImportRun(started_by=user if getattr(user, "pk", None) else None)
    for name, value in {
        "file_name": result.file_name[:300],
        "sha256": result.sha256,
        "format": fmt.name,
        "mapping": _storable(fmt.mapping),
        "dry_run": dry_run,
        "publish": publish,
        "status": ImportRun.Status.DONE if result.ok else ImportRun.Status.FAILED,
        "ok": result.ok,
        "rows_read": result.rows_read,
        "created": result.created if result.ok else 0,
        "updated": result.updated if result.ok else 0,
        "unchanged": result.unchanged if result.ok else 0,
        "skipped": result.skipped_total,
        "corrected": result.corrected if result.ok else 0,
        "report": printable(result.report()),
        "finished_at": timezone.now(),
    }.items():
        setattr(result.run, name, value)
    result.run.save()
    ImportRun.objects.filter(pk=result.run.pk).update(started_at=started)
    result.run.started_at = started
    return result


def progress_line(result: ImportResult) -> str:
    """The progress message the command prints (off a terminal) every --progress-every rows."""
    return f"{result.rows_read} rows read: {result.created} created, {result.updated} updated"


def _import_rows(
    path,
    fmt,
    result: ImportResult,
    *,
    user,
    publish,
    progress,
    progress_every,
    batch_size,
    correction_note,
    attach_duplicates_above,
) -> None:
    reader = RowReader(path, encoding=fmt.encoding, sheet=fmt.sheet)
    refs = References()
    source = _get_source(fmt.source_fields())
    writer = Writer(
        source=source,
        user=user,
        publish=publish,
        reason=f"import of {result.file_name}",
        correction_note=correction_note,
        result=result,
        attach_duplicates_above=attach_duplicates_above,
    )
    occurrences: Counter = Counter()
    batch: list[ParsedRow] = []
    header_checked = False
    formulas = getattr(fmt, "formulas", "remark")
    for number, row in reader:
        if not header_checked:
            fmt.check_header(reader.header)
            header_checked = True
        result.rows_read += 1
        if progress and result.rows_read % progress_every == 0:
            progress(result)
        try:
            uncached = _check_cells(number, row, reader.uncached_formulas, formulas)
            if all(cells.is_blank(value) for value in row.values()) and not uncached:
                result.skipped["empty row"] += 1
                continue
            parsed = fmt.parse(number, row, refs)
            check_limits(parsed, getattr(fmt, "column_of", lambda target: target))
        except RowError as error:
            error.row = number
            result.errors.append(str(error))
            if len(result.errors) >= MAX_ERRORS:
                result.errors.append(f"stopped after {MAX_ERRORS} errors")
                return
            continue
        if parsed.fingerprint:
            key = hashlib.blake2b(parsed.fingerprint.encode(), digest_size=16).digest()
            occurrences[key] += 1
            parsed.external_id = f"{parsed.fingerprint}-{occurrences[key]}"
        parsed.remarks.extend(uncached)
        result.remarks.extend(f"{_label(parsed)}: {remark}" for remark in parsed.remarks)
        if result.errors:
            continue  # keep checking the rest, write nothing
        batch.append(parsed)
        if len(batch) >= batch_size:
            _write(writer, batch, result)
            batch = []
    if not header_checked:
        fmt.check_header(reader.header)
        raise ImportFailed(
            gettext("Row 2: the file holds its column names but no data rows; there is nothing to import.")
        )
    if batch and not result.errors:
        _write(writer, batch, result)
    result.new_cities = [f"{city.name} ({city.province})" for city in refs.created_cities]


def _check_cells(number: int, row: dict, uncached_formulas: list[str], policy: str) -> list[str]:
    """Refuse a cell holding a NUL byte (no database column can store it); report formula cells
    without a saved value: remarks to add to the row, or a RowError when the mapping says "error"."""
    for column, value in row.items():
        if isinstance(value, str) and "\x00" in value:
            raise RowError(
                gettext("the cell holds a NUL byte (\\x00), which cannot be stored"), column=column, row=number
            )
    if uncached_formulas and policy == "error":
        raise RowError(
            gettext("a formula without a saved value (open and save the file in a spreadsheet program to compute it)"),
            column=uncached_formulas[0],
            row=number,
        )
    return [
        f"column {column!r} is a formula without a saved value: read as blank (open and save the file in a "
        "spreadsheet program to compute it)"
        for column in uncached_formulas
    ]


def _write(writer: Writer, batch: list[ParsedRow], result: ImportResult) -> None:
    # Bulk writes send no signals: retire the cached public pages when (if) the import commits.
    data_changed()
    try:
        writer.write(batch)
    except RowError as error:
        result.errors.append(str(error))
