"""`python manage.py load_seeds`: load the sourced facts in seeds/ (DESIGN.md "Seeds"); safe to run twice.

Reference rows are matched by slug (sources by title) and updated in place, except their Urdu names
(`name_ur`), which fill a blank only: an editor's Urdu name is never replaced. The seeded incidents
are written by the same code as `import_incidents --format pk-suicide-attacks` from the Pakistan
Body Count rows quoted in seeds/incidents.yaml, so they carry the row's identity (S#) and exactly
the figures the import gives, and a later import of the file finds them unchanged. The offences
most charged in ATC cases (seeds/offences.yaml) are matched by code and cite their statute, a
seeded Source. Then the Holiday
table gets Pakistan's gazetted holidays (existing dates are left alone: admin edits win).
"""

from __future__ import annotations

from pathlib import Path

import yaml
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from cases.management.commands.load_holidays import FIRST_YEAR, load_holidays
from cases.models import Offence
from core.clock import today
from incidents.importing.engine import ImportResult, Writer
from incidents.importing.errors import RowError
from incidents.importing.pk_suicide_attacks import PkSuicideAttacksFormat
from incidents.importing.references import References
from incidents.models import City, Community, IncidentSource, Organisation, Province, Source

SEEDS_DIR = Path(settings.BASE_DIR) / "seeds"


def read_seed(name: str, seeds_dir: Path = SEEDS_DIR) -> list[dict]:
    with open(seeds_dir / name, encoding="utf-8") as handle:
        return yaml.safe_load(handle) or []


def upsert(model, lookup: dict, fields: dict) -> tuple[object, bool]:
    """Create the row matching `lookup`, or update the fields that differ (saving only if one does)."""
    row = model.objects.filter(**lookup).first()
    if row is None:
        return model.objects.create(**lookup, **fields), True
    changed = [name for name, value in fields.items() if getattr(row, name) != value]
    if changed:
        for name in changed:
            setattr(row, name, fields[name])
        row.save(update_fields=changed)
    return row, False


def fill_blank(row, fields: dict) -> None:
    """Set those of `fields` that are blank on `row` (saving only if one is): a value an editor set stays."""
    blank = [name for name, value in fields.items() if value and not getattr(row, name)]
    if blank:
        for name in blank:
            setattr(row, name, fields[name])
        row.save(update_fields=blank)


def upsert_named(model, entry: dict, fields: dict) -> None:
    """``upsert`` a reference row by its slug, then give it the seed's Urdu name if it has none."""
    row, _ = upsert(model, {"slug": entry["slug"]}, fields)
    fill_blank(row, {"name_ur": entry.get("name_ur") or ""})


def _aliases(entry: dict) -> str:
    return "\n".join(entry.get("aliases") or [])


def load_reference_lists(seeds_dir: Path = SEEDS_DIR) -> dict[str, int]:
    counts = {}
    for model, name in ((Province, "provinces"), (Community, "communities")):
        entries = read_seed(f"{name}.yaml", seeds_dir)
        for entry in entries:
            upsert_named(model, entry, {"name": entry["name"], "aliases": _aliases(entry)})
        counts[name] = len(entries)
    organisations = read_seed("organisations.yaml", seeds_dir)
    for entry in organisations:
        upsert_named(
            Organisation,
            entry,
            {
                "name": entry["name"],
                "abbreviation": entry.get("abbreviation") or "",
                "aliases": _aliases(entry),
                "proscribed": bool(entry.get("proscribed")),
                "proscribed_on": entry.get("proscribed_on"),
                # Checked only where the seed cites a source for the status (seeds/organisations.yaml).
                "proscription_verified": bool(entry.get("proscription_source")),
            },
        )
    for entry in organisations:  # umbrellas once every organisation exists
        umbrella = Organisation.objects.get(slug=entry["umbrella"]) if entry.get("umbrella") else None
        upsert(Organisation, {"slug": entry["slug"]}, {"umbrella": umbrella})
    counts["organisations"] = len(organisations)
    cities = read_seed("cities.yaml", seeds_dir)
    provinces = {p.slug: p for p in Province.objects.all()}
    for entry in cities:
        upsert_named(
            City,
            entry,
            {
                "name": entry["name"],
                "province": provinces[entry["province"]],
                "district": entry.get("district") or "",
                "aliases": _aliases(entry),
            },
        )
    counts["cities"] = len(cities)
    return counts


def load_sources(seeds_dir: Path = SEEDS_DIR) -> dict[str, Source]:
    sources = {}
    for entry in read_seed("sources.yaml", seeds_dir):
        fields = {k: " ".join(str(entry.get(k) or "").split()) for k in ("publisher", "url", "citation")}
        sources[entry["key"]], _ = upsert(Source, {"title": entry["title"]}, fields)
    return sources


def load_offences(sources: dict[str, Source], seeds_dir: Path = SEEDS_DIR) -> int:
    """The offences most charged in ATC cases, matched by code, each citing its statute (a seeded Source)."""
    entries = read_seed("offences.yaml", seeds_dir)
    for entry in entries:
        upsert(Offence, {"code": entry["code"]}, {"title": entry["title"], "source": sources[entry["source"]]})
    return len(entries)


def load_incidents(sources: dict[str, Source], seeds_dir: Path = SEEDS_DIR) -> ImportResult:
    """Write the seeded incidents through the import's own writer, then add the op-ed's account."""
    fmt = PkSuicideAttacksFormat()
    entries = read_seed("incidents.yaml", seeds_dir)
    refs = References()
    parsed_rows = []
    for number, entry in enumerate(entries, start=1):
        try:
            parsed = fmt.parse(number, entry["pbc_row"], refs)
        except RowError as error:
            error.row = number
            raise CommandError(f"seeds/incidents.yaml entry {number}: {error}") from None
        parsed.values["description"] = " ".join(entry.get("description", "").split())
        parsed_rows.append(parsed)
    result = ImportResult(file_name="seeds/incidents.yaml", format=fmt.name, dry_run=False)
    writer = Writer(source=sources["pbc"], user=None, publish=True, reason="load_seeds", result=result)
    writer.write(parsed_rows)
    links = IncidentSource.objects.filter(
        source=sources["pbc"], external_id__in=[p.external_id for p in parsed_rows]
    ).values_list("external_id", "incident_id")
    incident_ids = dict(links)
    for parsed, entry in zip(parsed_rows, entries, strict=True):
        oped = entry.get("oped")
        if oped is None:
            continue
        upsert(
            IncidentSource,
            {"incident_id": incident_ids[parsed.external_id], "source": sources["oped"]},
            {"reported_killed": oped.get("reported_killed"), "note": oped.get("note", "")},
        )
    return result


class Command(BaseCommand):
    help = (
        "Load the sourced seed data in seeds/ (provinces, communities, organisations, cities, sources, "
        "offences, incidents, holidays)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--no-holidays", action="store_true", help="Skip filling the Holiday table.")

    def handle(self, *args, **options):
        with transaction.atomic():
            counts = load_reference_lists()
            sources = load_sources()
            offences = load_offences(sources)
            result = load_incidents(sources)
            holidays_added = 0
            if not options["no_holidays"]:
                holidays_added = load_holidays(FIRST_YEAR, today().year + 1)
        listed = ", ".join(f"{count} {name}" for name, count in counts.items())
        self.stdout.write(f"Seeds loaded: {listed}, {len(sources)} sources, {offences} offences.")
        self.stdout.write(
            f"Incidents: {result.created} created, {result.updated} updated, {result.unchanged} unchanged."
        )
        self.stdout.write(f"Holidays: {holidays_added} added.")
