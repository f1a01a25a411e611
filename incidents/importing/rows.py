"""What a format makes of one row: the incident's fields, its links and its source's account."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils import translation

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
    with translation.override("en"):  # a title is data: always in English, whatever the page's language
        label = str(AttackType(attack_type).label).split(" (")[0]
    tail = f", {city_name}" if city_name else ""
    room = 300 - len(label) - len(tail) - 2
    if locality and room > 10:
        place = locality if len(locality) <= room else locality[: room - 1].rstrip() + "…"
        return f"{label}, {place}{tail}"
    return f"{label}{tail}"[:300]


# The largest value a PositiveIntegerField holds on every database (PostgreSQL's integer).
MAX_INTEGER = 2_147_483_647


def _is_integer(value, field) -> bool:
    from django.db import models

    return isinstance(value, int) and not isinstance(value, bool) and isinstance(field, models.IntegerField)


def _field_limit(model, name: str, value, column: str) -> None:
    """RowError when `value` does not fit `model`'s field `name`: too long, a NUL byte, too large."""
    from django.db import models

    from .errors import RowError

    field = model._meta.get_field(name)
    if isinstance(value, str):
        if "\x00" in value:
            raise RowError("the text holds a NUL byte (\\x00), which cannot be stored", column=column)
        limit = getattr(field, "max_length", None)
        if isinstance(field, models.CharField) and limit and len(value) > limit:
            raise RowError(f"{len(value)} characters, over the limit of {limit} for {name}", column=column)
    elif _is_integer(value, field) and not 0 <= value <= MAX_INTEGER:
        raise RowError(f"{value} is out of range for {name} (0 to {MAX_INTEGER:,})", column=column)


def check_limits(parsed: ParsedRow, column_of) -> None:
    """Check every value a row would write against its field's limits, before anything is written.

    Without this, PostgreSQL refuses an over-long locality or a NUL byte mid-import with a raw
    error, while SQLite stores them silently: the same file must get the same answer on both.
    `column_of(target)` names the file's column a target comes from, for the message.
    """
    from incidents.models import Incident, IncidentSource

    for name, value in parsed.values.items():
        _field_limit(Incident, name, value, column_of(name))
    for name, value in parsed.link.items():
        target = name.removeprefix("reported_")
        _field_limit(IncidentSource, name, value, column_of(target))
    _field_limit(IncidentSource, "external_id", parsed.external_id, column_of("external_id"))
