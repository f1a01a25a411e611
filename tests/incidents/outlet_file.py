"""A second file recording some Pakistan Body Count attacks the way another outlet would (issue 17).

Built from the PBC incidents once imported (so from the real rows), never stored: every
`EVERY`-th PBC row with a city becomes an "outlet" row under other spellings and provinces (FATA
for KPK, the town for the agency, "Baluchistan"), sometimes a day later, with one toll inside or
outside PBC's range and a different attack label; rows in between become decoys that share only a
day or only a city with a PBC attack (and with nothing else in the file, checked). The known pairs
are (PBC incident, outlet row number); every other pair found is a false match.
"""

from __future__ import annotations

import csv
import datetime
from dataclasses import dataclass, field
from pathlib import Path

from incidents.models import City, IncidentSource, Province

EVERY = 7
# A FATA agency and a town in it, as another outlet names the place (the tracker knows the town's
# district: reference data an editor keeps). "Bara" is left unknown on purpose.
TOWNS = {
    "Kurram Agency": "Parachinar",
    "North Waziristan": "Miranshah",
    "South Waziristan": "Wana",
    "Bajaur Agency": "Khar",
    "Mohmand Agency": "Ghalanai",
    "Orakzai Agency": "Kalaya",
    "Khyber Agency": "Bara",
}
KNOWN_TOWNS = {town: agency for agency, town in TOWNS.items() if town not in ("Parachinar", "Bara")}
PROVINCE_AS_WRITTEN = {
    "khyber-pakhtunkhwa": "FATA",
    "fata": "FATA",
    "balochistan": "Baluchistan",
    "sindh": "Sindh",
    "punjab": "Punjab",
    "islamabad": "Capital",
    "azad-kashmir": "AJK",
    "gilgit-baltistan": "Gilgit-Baltistan",
}
LABELS = ["Suicide attack", "Bomb blast", "Suicide blast", "Explosion"]
MAPPING = {
    "source": {"title": "Another outlet's record of attacks (test)", "publisher": "test"},
    "external_id": {"column": "Ref"},
    "columns": {
        "date": {"column": "Date", "formats": ["%d/%m/%Y"]},
        "province": {"column": "Province"},
        "city": {"column": "City"},
        "locality": {"column": "Place"},
        "attack_type": {
            "column": "Attack",
            "values": {
                "Suicide attack": "suicide_bombing",
                "Suicide blast": "suicide_bombing",
                "Bomb blast": "bombing",
                "Explosion": "bombing",
                "Firing": "target_killing",
                "Gun attack": "armed_assault",
            },
        },
        "killed": {"column": "Killed"},
        "injured": {"column": "Injured"},
    },
}


@dataclass
class OutletFile:
    path: Path
    known: dict[int, int] = field(default_factory=dict)  # outlet row number (its Ref) -> PBC incident id
    decoys: dict[int, str] = field(default_factory=dict)  # outlet row number -> what it shares


def add_known_towns() -> None:
    """The towns of FATA agencies an editor would have added, each with its district."""
    fata = Province.objects.get(slug="fata")
    for town, agency in KNOWN_TOWNS.items():
        City.objects.get_or_create(name=town, province=fata, defaults={"slug": town.lower(), "district": agency})


def _reword(locality: str, n: int) -> str:
    """The locality as another reporter writes it: shorter, words reordered, or not at all."""
    words = locality.replace(",", " ").split()
    if n % 3 == 0 or not words:
        return ""
    if n % 3 == 1:
        return " ".join(words[:3])
    return " ".join(reversed(words[:4])).lower()


def _toll(low: int | None, high: int | None, n: int) -> str:
    if high is None and low is None:
        return ""
    low, high = (low if low is not None else high), (high if high is not None else low)
    if n % 2 == 0:
        return str((low + high) // 2)  # inside the range
    return str(high + max(1, high // 8))  # outside it, by about an eighth


def build(directory: Path) -> OutletFile:
    """Write the outlet file for the PBC incidents in the database and return it with its truth."""
    pbc = (
        IncidentSource.objects.filter(source__title__startswith="Pakistan Body Count", incident__city__isnull=False)
        .select_related("incident__city", "incident__province")
        .order_by("incident__date", "incident_id")
    )
    links = list(pbc)
    taken = {(link.incident.city_id, link.incident.date) for link in links}
    outlet = OutletFile(path=directory / "outlet.csv")
    rows = []

    def busy(city: str, day: datetime.date) -> bool:
        ids = set(City.objects.filter(name=city).values_list("pk", flat=True))
        return any((pk, day + datetime.timedelta(days=d)) in taken for pk in ids for d in (-1, 0, 1))

    for n, link in enumerate(links):
        incident = link.incident
        row_number = len(rows) + 2
        if n % EVERY == 0:
            city = incident.city.name
            city = TOWNS.get(city, city)
            if n % (EVERY * 5) == 0 and city not in TOWNS.values():
                city = city[:-1] if len(city) > 6 else city.upper()  # a misspelling, or capitals
            day = incident.date + datetime.timedelta(days=1 if (n // EVERY) % 3 == 0 else 0)
            rows.append(
                {
                    "Ref": str(row_number),
                    "Date": day.strftime("%d/%m/%Y"),
                    "Province": PROVINCE_AS_WRITTEN[incident.province.slug],
                    "City": city,
                    "Place": _reword(incident.locality, n // EVERY),
                    "Attack": LABELS[(n // EVERY) % len(LABELS)],
                    "Killed": _toll(link.reported_killed, link.reported_killed_max, n // EVERY),
                    "Injured": "",
                }
            )
            outlet.known[row_number] = incident.pk
        elif n % EVERY == 3:
            kind = (n // EVERY) % 3
            if kind == 0:  # the same day, another city of another province
                city, province = ("Lahore", "Punjab") if incident.province.slug != "punjab" else ("Karachi", "Sindh")
                day, what = incident.date, "the day only"
            elif kind == 1:  # the same city, three weeks later
                city, province = incident.city.name, PROVINCE_AS_WRITTEN[incident.province.slug]
                day, what = incident.date + datetime.timedelta(days=21), "the city only"
            else:  # the same city, a day later, a shooting with one dead
                city, province = incident.city.name, PROVINCE_AS_WRITTEN[incident.province.slug]
                day, what = incident.date + datetime.timedelta(days=1), "the city, a day apart, another attack"
                if (link.reported_killed_max or link.reported_killed or 0) < 10:
                    continue
            if busy(city, day):
                continue
            rows.append(
                {
                    "Ref": str(row_number),
                    "Date": day.strftime("%d/%m/%Y"),
                    "Province": province,
                    "City": city,
                    "Place": "Main Bazaar" if kind else "",
                    "Attack": "Firing" if kind == 2 else "Bomb blast",
                    "Killed": "1" if kind == 2 else "3",
                    "Injured": "2",
                }
            )
            outlet.decoys[row_number] = what
    with open(outlet.path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(
            handle, fieldnames=["Ref", "Date", "Province", "City", "Place", "Attack", "Killed", "Injured"]
        )
        writer.writeheader()
        writer.writerows(rows)
    return outlet
