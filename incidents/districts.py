"""Pakistan's districts as drawn on the tracker's map, and which district an incident's city is in.

The map (``incidents/maps/pakistan-districts.svg``, public domain, built by
``incidents/maps/build_district_map.py``) names 144 districts of the 2010s division, FATA's agencies
and frontier regions among them. The tracker's places are Cities with an optional ``district`` in
the words of their sources ("Kurram Agency", "Karachi South"), so a city is placed on the map by
name: its ``district`` if that is a district of the map, else its own name (most cities share their
district's name: Quetta, Peshawar), each compared after ``normalise_place`` and through
``DISTRICT_ALIASES``, the spellings of the map's districts found in sources and official lists.
A city that matches neither is not on the map; the map page lists it, so an editor can set its
district or an alias can be added here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from xml.etree import ElementTree

MAP_FILE = Path(__file__).parent / "maps" / "pakistan-districts.svg"
_SVG = "{http://www.w3.org/2000/svg}"

# Other names of the map's districts (by the map's slug): today's official names, common spellings
# and the parts of a district that sources give as if they were one (Karachi's districts).
DISTRICT_ALIASES: dict[str, tuple[str, ...]] = {
    "karachi": (
        "Karachi South",
        "Karachi East",
        "Karachi West",
        "Karachi Central",
        "Korangi",
        "Malir",
        "Keamari",
        "Kemari",
    ),
    "chaghai": ("Chagai", "Chaghi"),
    "kurram": ("Kuram", "Parachinar"),
    "dera-ismail-khan": ("D.I. Khan", "DI Khan"),
    "dera-ghazi-khan": ("D.G. Khan", "DG Khan"),
    "d-i-khan-subdivision": ("FR D.I. Khan", "Frontier Region Dera Ismail Khan"),
    "nawabshah": ("Shaheed Benazirabad", "Shaheed Benazir Abad", "Benazirabad"),
    "shaikhupura": ("Sheikhupura",),
    "rahimyar-khan": ("Rahim Yar Khan",),
    "nankana-sahab": ("Nankana Sahib",),
    "killa-abdullah": ("Qila Abdullah", "Chaman"),
    "killa-saifullah": ("Qila Saifullah",),
    "haranai": ("Harnai",),
    "ghanhce": ("Ghanche",),
    "sudhnati": ("Sudhnoti",),
    "bolan": ("Kachhi",),
    "naseerabad": ("Nasirabad", "Dera Murad Jamali"),
    "jafarabad": ("Jaffarabad",),
    "qambar-shahdatkot": ("Kambar Shahdadkot", "Qambar Shahdadkot"),
    "naushahro-firoze": ("Naushahro Feroze", "Nowshero Feroze"),
    "mirpur-khas": ("Mirpurkhas",),
    "tando-allahyar": ("Tando Allah Yar",),
    "hunza-nagar": ("Hunza", "Nagar"),
    "skardu": ("Baltistan",),
    "kech": ("Turbat",),
    "lasbela": ("Las Bela", "Hub"),
    "khairpur": ("Khairpur Mirs",),
    "sibi": ("Sibbi",),
    "sheerani": ("Sherani",),
    "musakhel": ("Musa Khel",),
}

# Words sources add to a district's name: "Khyber Agency", "Bannu District", "Kurram Tribal District".
_SUFFIXES = (" tribal district", " district", " agency")
_NOT_ALNUM = re.compile(r"[^0-9a-z]+")


def normalise_place(name: str) -> str:
    """The key district names are compared on: case-folded, punctuation as spaces, spaces collapsed,
    without a trailing "district" or "agency" ("D.I. Khan" → "d i khan", "Kurram Agency" → "kurram")."""
    text = _NOT_ALNUM.sub(" ", str(name).casefold()).strip()
    for suffix in _SUFFIXES:
        if text.endswith(suffix) and len(text) > len(suffix):
            return text[: -len(suffix)].strip()
    return text


@dataclass(frozen=True)
class District:
    """One district of the map: its slug (the map's id), name, province slug and outline (SVG path data)."""

    slug: str
    name: str
    province: str
    path: str


@dataclass(frozen=True)
class DistrictMap:
    """The map as the pages need it: its viewBox, districts by name and provinces' outlines."""

    view_box: str
    districts: tuple[District, ...]
    province_outlines: tuple[tuple[str, str], ...]

    def by_slug(self) -> dict[str, District]:
        return {district.slug: district for district in self.districts}


@cache
def district_map() -> DistrictMap:
    """The committed map, read once per process."""
    root = ElementTree.parse(MAP_FILE).getroot()  # noqa: S314 - the project's own committed file
    districts, outlines = [], []
    for element in root.iter(f"{_SVG}path"):
        if element.get("class") == "province":
            outlines.append((element.get("id").removeprefix("province-"), element.get("d")))
        else:
            districts.append(
                District(element.get("id"), element.get("data-name"), element.get("data-province"), element.get("d"))
            )
    districts.sort(key=lambda d: d.name.casefold())
    return DistrictMap(root.get("viewBox"), tuple(districts), tuple(outlines))


@cache
def _lookup() -> dict[str, str]:
    """Every normalised name, slug and alias of the map's districts → the district's slug."""
    table: dict[str, str] = {}
    for district in district_map().districts:
        for name in (district.name, district.slug, *DISTRICT_ALIASES.get(district.slug, ())):
            table.setdefault(normalise_place(name), district.slug)
    return table


def district_slug(name: str) -> str | None:
    """The map district a place name stands for ("Kurram Agency" → "kurram"), or None."""
    return _lookup().get(normalise_place(name)) if name else None


def district_of(*, city_name: str | None, city_district: str | None) -> str | None:
    """The map district of a city: its ``district`` if that names one, else its own name; None when
    neither does (or there is no city)."""
    return district_slug(city_district or "") or district_slug(city_name or "")


def district_choices() -> list[tuple[str, str]]:
    """(slug, name) of every district of the map, by name: the choices of the `district` filter."""
    return [(district.slug, district.name) for district in district_map().districts]
