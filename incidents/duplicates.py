"""Finding incidents that probably record the same event (issue 17): a scored rule set.

Datasets overlap: the same attack comes in under another spelling, province, day or toll. Each
incident is reduced to a `Record` (day, province group, place names, toll range over all its
sources, attack type, locality), and two records are compared only when they share a *block*:
the same province group (Khyber Pakhtunkhwa and FATA are one group, since FATA was merged into
it and sources use either) and days at most one apart. The cost so grows with the number of
incidents, not its square. Records of one block are scored on five features, each from 0 to 1:

- day: the same day 1, one day apart 0.6 (reports dated by publication run a day late);
- place: the same city, or one city's name among the other's aliases 1; a town and the agency or
  district it lies in (Parachinar / Kurram Agency) 0.9; the city named in the other's locality
  0.85; city names alike (rapidfuzz ratio >= 85: one letter in eight, spellings no alias knows yet) 0.8; two towns
  of one district 0.6; a city missing on either side 0.4; else 0;
- toll: killed ranges (each source's low-high, and the incident's own figure) overlapping 1; apart
  by up to 20 % of the larger (of 5 at least: sources differ on counting a suicide attacker) 0.6,
  up to 50 % 0.3, more 0; unknown on either side 0.5;
- attack type: the same 1; the same family (suicide bombing / bombing; target killing / armed
  assault) 0.7; unknown or other 0.5; else 0;
- locality: rapidfuzz token-set similarity of the localities; 0.5 when either is blank.

The score is 0.25 day + 0.35 place + 0.2 toll + 0.1 type + 0.1 locality, then halved when the
places differ, times 0.6 when the tolls disagree (more than 50 % apart), times 0.8 when the attack
types disagree, and halved when both are rows of one dataset (a dataset lists each attack once).
Pairs scoring `MIN_SCORE` or more are candidates. docs/duplicates.md says how this was chosen and
how it did on real rows.
"""

from __future__ import annotations

import datetime
import re
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from django.db.models import F, Max, Min
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _
from rapidfuzz import fuzz

from core.models import Status

from .models import AttackType, City, DuplicatePair, Incident, IncidentSource, PairDecision, Province

MIN_SCORE = 0.6
WEIGHTS = {"day": 0.25, "place": 0.35, "toll": 0.2, "type": 0.1, "locality": 0.1}
PROVINCE_GROUPS = {"fata": "khyber-pakhtunkhwa"}
TYPE_FAMILIES = {
    "suicide_bombing": "explosive",
    "bombing": "explosive",
    "target_killing": "firearms",
    "armed_assault": "firearms",
}
NEUTRAL_TYPES = {"unknown", "other"}
# Words that name the kind of place, not the place: "Kurram Agency" and "Kurram" are one place.
PLACE_WORDS = re.compile(r"\b(agency|district|city|town|tehsil|division|frontier region|fr)\b")


def normalise(text: str) -> str:
    """Lower case, letters and digits only, single spaces: "D.I. Khan" → "d i khan"."""
    return " ".join(re.sub(r"[^\w]+", " ", str(text or "").casefold()).split())


def place_keys(*names: str) -> frozenset[str]:
    """The normalised names, each also without words such as "Agency" or "District"."""
    keys = set()
    for name in names:
        key = normalise(name)
        if key:
            keys.add(key)
            bare = " ".join(PLACE_WORDS.sub(" ", key).split())
            if bare:
                keys.add(bare)
    return frozenset(keys)


@dataclass(slots=True)
class Place:
    """A city as the matcher sees it: its own names (name, aliases) and its district's."""

    name: str
    names: frozenset[str]
    district: frozenset[str]

    @classmethod
    def of(cls, city) -> Place:
        return cls(city.name, place_keys(city.name, *city.alias_list()), place_keys(city.district))


@dataclass(slots=True)
class Record:
    """What the comparison needs of one incident or one imported row."""

    id: int  # an incident's id, or an import row's number
    day: int  # date.toordinal()
    group: str  # province group (slug)
    city_id: int | None
    place: Place | None
    locality: str
    attack_type: str
    low: int | None  # the lowest killed figure any source gives
    high: int | None  # the highest
    datasets: frozenset[int] = field(default_factory=frozenset)  # sources whose dataset row this is

    @property
    def date(self) -> datetime.date:
        return datetime.date.fromordinal(self.day)


@dataclass(slots=True)
class Match:
    a: Record
    b: Record
    score: float
    features: dict[str, float]
    same_dataset: bool

    def reasons(self) -> list[str]:
        """The features in words, for people deciding."""
        a, b, f = self.a, self.b, self.features
        words = [_("the same day") if f["day"] == 1 else _("one day apart")]
        words.append(_place_reason(a, b, f["place"]))
        words.append(_toll_reason(a, b, f["toll"]))
        types = f"{_attack(a)} / {_attack(b)}"
        if f["type"] == 1:
            words.append(_("both %(attack)s") % {"attack": _attack(a)})
        elif f["type"] > 0:
            words.append(_("attack types compatible (%(types)s)") % {"types": types})
        else:
            words.append(_("attack types differ (%(types)s)") % {"types": types})
        if a.locality and b.locality:
            words.append(_("localities %(percent)s%% alike") % {"percent": round(f["locality"] * 100)})
        if self.same_dataset:
            words.append(_("both rows of one dataset"))
        return words


def _attack(record: Record) -> str:
    """The attack type in words, without its explanation in brackets: "bombing", "suicide bombing"."""
    label = dict(AttackType.choices).get(record.attack_type, record.attack_type)
    return str(label).split(" (")[0].lower()


def _place_reason(a: Record, b: Record, value: float) -> str:
    if a.place is None or b.place is None:
        return _("a city is missing")
    names = {"a": a.place.name, "b": b.place.name}
    if value == 0:
        return _("different places (%(a)s / %(b)s)") % names
    if value >= 1:
        return _("the same city (%(a)s / %(b)s)") % names if a.city_id != b.city_id else _("the same city")
    if value == 0.9:
        return _("%(a)s and %(b)s: a town and its agency or district") % names
    if value == 0.85:
        return _("%(a)s / %(b)s named in the locality") % names
    if value == 0.8:
        return _("city names alike (%(a)s / %(b)s)") % names
    return _("%(a)s and %(b)s: the same district") % names


def _toll(record: Record) -> str:
    if record.low is None:
        return _("unknown")
    return str(record.low) if record.low == record.high else f"{record.low}–{record.high}"


def _toll_reason(a: Record, b: Record, value: float) -> str:
    tolls = {"tolls": f"{_toll(a)} / {_toll(b)}"}
    if value == 1:
        return _("killed within each other's range (%(tolls)s)") % tolls
    if value == 0.5 and (a.low is None or b.low is None):
        return _("a toll is unknown (%(tolls)s)") % tolls
    if value > 0:
        return _("killed close (%(tolls)s)") % tolls
    return _("killed far apart (%(tolls)s)") % tolls


# The features ---------------------------------------------------------------------------


def _place(a: Record, b: Record) -> float:
    if a.place is None or b.place is None:
        return 0.4
    if a.city_id == b.city_id or a.place.names & b.place.names:
        return 1.0
    if a.place.names & b.place.district or b.place.names & a.place.district:
        return 0.9
    if _named_in(a.place.names, b.locality) or _named_in(b.place.names, a.locality):
        return 0.85
    if fuzz.ratio(normalise(a.place.name), normalise(b.place.name), score_cutoff=85):
        return 0.8
    if a.place.district & b.place.district:
        return 0.6
    return 0.0


def _named_in(names: frozenset[str], locality: str) -> bool:
    padded = f" {locality} "
    return bool(locality) and any(len(name) > 3 and f" {name} " in padded for name in names)


def _toll_value(a: Record, b: Record) -> float:
    if a.low is None or b.low is None:
        return 0.5
    if a.low <= b.high and b.low <= a.high:
        return 1.0
    gap = max(a.low, b.low) - min(a.high, b.high)
    # Relative to the larger toll, but never less than 5: 0 and 1 killed differ by whether a
    # suicide attacker is counted, not by which attack it was.
    ratio = gap / max(a.high, b.high, 5)
    return 0.6 if ratio <= 0.2 else 0.3 if ratio <= 0.5 else 0.0


def _type(a: Record, b: Record) -> float:
    if a.attack_type == b.attack_type:
        return 1.0
    if a.attack_type in NEUTRAL_TYPES or b.attack_type in NEUTRAL_TYPES:
        return 0.5
    family = TYPE_FAMILIES.get(a.attack_type)
    return 0.7 if family is not None and family == TYPE_FAMILIES.get(b.attack_type) else 0.0


def _locality(a: Record, b: Record) -> float:
    if not a.locality or not b.locality:
        return 0.5
    return fuzz.token_set_ratio(a.locality, b.locality) / 100


def _factor(place: float, toll: float, kind: float, same_dataset: bool) -> float:
    """The penalties: places, tolls or attack types that disagree, two rows of one dataset."""
    factor = 0.5 if place == 0 else 1.0
    factor *= 0.6 if toll == 0 else 1.0
    factor *= 0.8 if kind == 0 else 1.0
    return factor * (0.5 if same_dataset else 1.0)


def compare(a: Record, b: Record, min_score: float = 0.0) -> Match | None:
    """Score two records of one block (see the module docstring); None when the score must fall
    below `min_score` (decided before the locality, the one costly feature, is compared)."""
    day = 1.0 if a.day == b.day else 0.6
    place, toll, kind = _place(a, b), _toll_value(a, b), _type(a, b)
    same_dataset = bool(a.datasets & b.datasets)
    factor = _factor(place, toll, kind, same_dataset)
    partial = WEIGHTS["day"] * day + WEIGHTS["place"] * place + WEIGHTS["toll"] * toll + WEIGHTS["type"] * kind
    if (partial + WEIGHTS["locality"]) * factor < min_score:
        return None
    locality = _locality(a, b)
    score = round((partial + WEIGHTS["locality"] * locality) * factor, 3)
    if score < min_score:
        return None
    features = {"day": day, "place": place, "toll": toll, "type": kind, "locality": locality}
    return Match(a, b, score, features, same_dataset)


# Blocking --------------------------------------------------------------------------------


def _blocks(records: Iterable[Record]) -> dict[tuple[str, int], list[Record]]:
    blocks: dict[tuple[str, int], list[Record]] = defaultdict(list)
    for record in records:
        blocks[(record.group, record.day)].append(record)
    return blocks


def candidate_pairs(records: Iterable[Record]) -> Iterator[tuple[Record, Record]]:
    """Every pair in one province group at most one day apart, once."""
    blocks = _blocks(records)
    for (group, day), block in blocks.items():
        later = blocks.get((group, day + 1), ())
        for i, a in enumerate(block):
            for b in block[i + 1 :]:
                yield a, b
            for b in later:
                yield a, b


def find_matches(
    records: list[Record], *, min_score: float = MIN_SCORE, excluded: set[tuple[int, int]] = frozenset()
) -> list[Match]:
    """The pairs scoring `min_score` or more, best first; pairs in `excluded` (lower id first) never."""
    matches = []
    for a, b in candidate_pairs(records):
        if excluded and DuplicatePair.ordered(a.id, b.id) in excluded:
            continue
        match = compare(a, b, min_score)
        if match is not None:
            matches.append(match if a.id < b.id else Match(b, a, match.score, match.features, match.same_dataset))
    matches.sort(key=lambda m: (-m.score, m.a.id, m.b.id))
    return matches


def matches_against(
    rows: list[Record], existing: list[Record], *, min_score: float = MIN_SCORE
) -> dict[int, list[Match]]:
    """For each row (an import's), the existing records it probably duplicates, best first."""
    blocks = _blocks(existing)
    found: dict[int, list[Match]] = {}
    for row in rows:
        matches = [
            match
            for day in (row.day - 1, row.day, row.day + 1)
            for other in blocks.get((row.group, day), ())
            if (match := compare(row, other, min_score)) is not None
        ]
        if matches:
            found[row.id] = sorted(matches, key=lambda m: (-m.score, m.b.id))
    return found


# Loading records ---------------------------------------------------------------------------


class Places:
    """Cities and provinces as the matcher sees them, loaded once (two queries)."""

    def __init__(self):
        self.groups = {pk: PROVINCE_GROUPS.get(slug, slug) for pk, slug in Province.objects.values_list("pk", "slug")}
        self.cities = {city.pk: Place.of(city) for city in City.objects.all()}

    def record(self, *, id, date, province_id, city, locality, attack_type, low, high, datasets=frozenset()):
        """A Record; `city` is a City, a city id or None."""
        city_id = getattr(city, "pk", city)
        place = None
        if city_id is not None:
            # A city made since the table was loaded (by the import running) is known from the row.
            place = self.cities.get(city_id) or (Place.of(city) if hasattr(city, "name") else None)
        return Record(
            id=id,
            day=date.toordinal(),
            group=self.groups.get(province_id, str(province_id)),
            city_id=city_id,
            place=place,
            locality=normalise(locality),
            attack_type=attack_type,
            low=low,
            high=high,
            datasets=frozenset(datasets),
        )


def _span(*values) -> tuple[int | None, int | None]:
    known = [value for value in values if value is not None]
    return (min(known), max(known)) if known else (None, None)


def load_records(incidents=None, places: Places | None = None) -> list[Record]:
    """Records of `incidents` (default: every incident not merged away), in a constant number of queries."""
    incidents = Incident.objects.exclude(status=Status.MERGED) if incidents is None else incidents
    places = places or Places()
    rows = list(
        incidents.order_by().values_list("pk", "date", "province_id", "city_id", "locality", "attack_type", "killed")
    )
    ids = incidents.order_by().values("pk")
    tolls = {
        pk: (low, high)
        for pk, low, high in IncidentSource.objects.filter(incident__in=ids)
        .order_by()
        .values("incident_id")
        .annotate(low=Min("reported_killed"), high=Max(Coalesce("reported_killed_max", F("reported_killed"))))
        .values_list("incident_id", "low", "high")
    }
    datasets: dict[int, set[int]] = defaultdict(set)
    for pk, source_id in (
        IncidentSource.objects.filter(incident__in=ids)
        .exclude(external_id="")
        .exclude(attached=True)
        .values_list("incident_id", "source_id")
    ):
        datasets[pk].add(source_id)
    records = []
    for pk, date, province_id, city_id, locality, attack_type, killed in rows:
        low, high = tolls.get(pk, (None, None))
        low, high = _span(killed, low, high)
        records.append(
            places.record(
                id=pk,
                date=date,
                province_id=province_id,
                city=city_id,
                locality=locality,
                attack_type=attack_type,
                low=low,
                high=high,
                datasets=datasets.get(pk, ()),
            )
        )
    return records


def decided_pairs() -> set[tuple[int, int]]:
    """Pairs a person already said are not the same (never proposed again)."""
    return set(DuplicatePair.objects.filter(decision=PairDecision.NOT_SAME).values_list("incident_id", "other_id"))


def find_duplicates(*, min_score: float = MIN_SCORE, incidents=None) -> list[Match]:
    """Candidate pairs among all incidents (drafts included, merged-away ones not), best first."""
    return find_matches(load_records(incidents), min_score=min_score, excluded=decided_pairs())
