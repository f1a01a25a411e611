"""At import: rows that probably record an incident already in the tracker (issue 17).

Each batch's new rows (no identity match) are scored against the incidents already in the tracker
within a day of them (incidents/duplicates.py, the same rule set as `find_duplicates`; incidents
made by this run are left out). Each row that probably duplicates one is reported with its row
number, the incident and the score. With a threshold (`--attach-duplicates-above 0.8`), a row
whose best match scores that much or more is not created: it becomes a further source of that
incident, with its own reported figures, marked `attached` (a re-import updates its figures, never
the incident's fields). An incident cites a source once: a second row of the same file matching
an incident already citing the file is reported and created as usual.
"""

from __future__ import annotations

import datetime

from core.models import Status
from incidents.duplicates import MIN_SCORE, Places, load_records, matches_against
from incidents.models import Attribution, Incident, IncidentSource

from . import bulk
from .rows import ParsedRow

ONE_DAY = datetime.timedelta(days=1)


class DuplicateCheck:
    """Checks the new rows of each batch for one import run."""

    def __init__(self, *, source, attach_above: float | None, first_new_incident_id: int):
        self.source = source
        self.attach_above = attach_above
        self.first_new_incident_id = first_new_incident_id
        self.places: Places | None = None
        self.cited: set[int] = set()  # incidents this run attached a row to

    def _record(self, parsed: ParsedRow):
        values, link = parsed.values, parsed.link
        known = [
            v
            for v in (values.get("killed"), link.get("reported_killed"), link.get("reported_killed_max"))
            if v is not None
        ]
        return self.places.record(
            id=parsed.row,
            date=values["date"],
            province_id=getattr(values.get("province"), "pk", values.get("province")),
            city=values.get("city"),
            locality=values.get("locality", ""),
            attack_type=values.get("attack_type", "unknown"),
            low=min(known) if known else None,
            high=max(known) if known else None,
        )

    def split(self, rows: list[ParsedRow], writer) -> list[ParsedRow]:
        """Report the probable duplicates among `rows`; attach those above the threshold. Returns the rows to create."""
        dated = [parsed for parsed in rows if isinstance(parsed.values.get("date"), datetime.date)]
        if not dated:
            return rows
        self.places = self.places or Places()
        days = {day + step * ONE_DAY for day in (p.values["date"] for p in dated) for step in (-1, 0, 1)}
        existing_incidents = Incident.objects.exclude(status=Status.MERGED).filter(
            date__in=days, pk__lt=self.first_new_incident_id
        )
        found = matches_against(
            [self._record(parsed) for parsed in dated],
            load_records(existing_incidents, self.places),
            min_score=MIN_SCORE,
        )
        if not found:
            return rows
        best_ids = {matches[0].b.id for matches in found.values()}
        citing = set(
            IncidentSource.objects.filter(source=self.source, incident_id__in=best_ids).values_list(
                "incident_id", flat=True
            )
        )
        keep, attach = [], []
        for parsed in rows:
            matches = found.get(parsed.row)
            if not matches:
                keep.append(parsed)
                continue
            best = matches[0]
            line = f"row {parsed.row}: probably incident #{best.b.id} ({best.b.date:%Y-%m-%d}), score {best.score:.2f}"
            others = ", ".join(f"#{m.b.id} ({m.score:.2f})" for m in matches[1:3])
            line += f" (also {others})" if others else ""
            if self.attach_above is not None and best.score >= self.attach_above:
                if best.b.id in citing or best.b.id in self.cited:
                    line += ": not attached, that incident already cites this source; created as new"
                    keep.append(parsed)
                else:
                    line += ": attached as a further source of it"
                    self.cited.add(best.b.id)
                    attach.append((parsed, best.b.id))
            else:
                keep.append(parsed)
            writer.result.duplicates.append(line)
        self._attach(attach, writer)
        return keep

    def _attach(self, attach: list[tuple[ParsedRow, int]], writer) -> None:
        if not attach:
            return
        links = [
            IncidentSource(
                incident_id=incident_id,
                source=self.source,
                external_id=parsed.external_id,
                attached=True,
                **parsed.link,
            )
            for parsed, incident_id in attach
        ]
        bulk.insert(IncidentSource, links)
        writer.history(IncidentSource, links, "+")
        existing = set(
            Attribution.objects.filter(incident_id__in=[pk for _, pk in attach]).values_list(
                "incident_id", "organisation_id", "kind"
            )
        )
        attributions = [
            Attribution(incident_id=incident_id, organisation_id=org_id, kind=kind, source=self.source)
            for parsed, incident_id in attach
            for org_id, kind in parsed.organisations
            if (incident_id, org_id, kind) not in existing
        ]
        bulk.insert(Attribution, attributions)
        writer.history(Attribution, attributions, "+")
        writer.result.attached += len(attach)
