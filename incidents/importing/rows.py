"""What a format makes of one row: the incident's fields, its links and its source's account."""

from __future__ import annotations

from dataclasses import dataclass, field

from incidents.models import AttackType

# The Incident fields an import may set (ParsedRow.values holds a subset: only what the format maps,
# so a re-import never clears what an editor added by hand, such as a description).
INCIDENT_FIELDS = (
    "title",
    "date",
    "province",
    "city",
    "locality",
    "latitude",
    "longitude",
    "attack_type",
    "killed",
    "injured",
    "description",
)
LINK_FIELDS = ("reported_killed", "reported_killed_max", "reported_injured", "reported_injured_max", "note")


@dataclass
class ParsedRow:
    row: int
    external_id: str  # "" when the file has no identity column: the engine then uses `fingerprint`
    values: dict
    fingerprint: str = ""
    communities: frozenset[int] | None = None  # None: the format does not map communities
    organisations: list[tuple[int, str]] = field(default_factory=list)
    link: dict = field(default_factory=dict)
    remarks: list[str] = field(default_factory=list)


def build_title(*, attack_type: str, locality: str, city_name: str) -> str:
    """ "Suicide bombing, Parachinar Bazaar, Kurram Agency": what happened, where (at most 300 characters)."""
    label = str(AttackType(attack_type).label).split(" (")[0]
    tail = f", {city_name}" if city_name else ""
    room = 300 - len(label) - len(tail) - 2
    if locality and room > 10:
        place = locality if len(locality) <= room else locality[: room - 1].rstrip() + "…"
        return f"{label}, {place}{tail}"
    return f"{label}{tail}"[:300]
