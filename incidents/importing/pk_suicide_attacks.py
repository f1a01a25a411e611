"""Built-in format `pk-suicide-attacks`: the Pakistan Body Count suicide-attacks dataset (Kaggle, ver. 11).

Every trap listed in shared/data/README.md is handled here, and what is not a plain figure is kept
(in the source link's note) and reported in the summary:

- Windows-1252 encoding; quoted fields with newlines (the reader handles both).
- Two date shapes, `Sunday-November 19-1995` and `Saturday-November-25-2017` (also `Thursday-Oct-22-2015`);
  the weekday is checked and a wrong weekday only noted (the date part is what counts).
- Spelling variants of provinces (`Baluchistan`, `KPK`, `Capital`, `AJK`, `Fata`) and of sects
  (`Shiite`, `shiite`, `Shiite/sunni` = Shia and Sunni; `None`, `NA`, blank = no community).
- Figures: the tracker's figure is the higher figure the dataset gives (`Killed Max`, else `Killed Min`;
  the same for injured), and the source link keeps both (min → reported_killed, max → reported_killed_max;
  blank stays NULL, never 0). `40+` is kept as "at least 40" (40 and a note); a URL in a figure
  column is a source, kept in the note, never a figure; a Min above its Max is stored as the range
  it spans, with a note.
"""

from __future__ import annotations

import datetime

from django.utils.translation import gettext

from incidents.models import AttackType

from . import cells
from .errors import ImportFailed, RowError
from .references import References
from .rows import ParsedRow, build_title

SOURCE = {
    "title": "Pakistan Body Count: Pakistan Suicide Bombing Attacks Dataset",
    "publisher": "Kaggle Dataset Repository",
    "url": "",
    "citation": "Zeeshan-ul-hassan Usmani, Pakistan Body Count, Pakistan Suicide Bombing Attacks Dataset, "
    "Kaggle Dataset Repository, Jan 25, 2017.",
}

PROVINCES = {
    "baluchistan": "balochistan",
    "balochistan": "balochistan",
    "kpk": "khyber-pakhtunkhwa",
    "capital": "islamabad",
    "ajk": "azad-kashmir",
    "fata": "fata",
    "punjab": "punjab",
    "sindh": "sindh",
}

# "Targeted Sect if any" → community slugs. Anything else must name a community (or its alias).
SECTS = {
    "shiite": ["shia"],
    "shia": ["shia"],
    "sunni": ["sunni"],
    "christian": ["christian"],
    "ahmedi": ["ahmadi"],
    "ahmadi": ["ahmadi"],
    "jews": ["other"],
    "jewish": ["other"],
}

COLUMNS = (
    "S#",
    "Date",
    "City",
    "Latitude",
    "Longitude",
    "Province",
    "Location",
    "Targeted Sect if any",
    "Killed Min",
    "Killed Max",
    "Injured Min",
    "Injured Max",
)


def parse_pbc_date(value: object, remarks: list[str]) -> datetime.date:
    """`Sunday-November 19-1995`, `Saturday-November-25-2017`, `Thursday-Oct-22-2015`."""
    text = cells.clean_text(value)
    weekday, _, rest = text.partition("-")
    rest = rest.replace("-", " ")
    for fmt in ("%B %d %Y", "%b %d %Y"):
        try:
            day = datetime.datetime.strptime(rest, fmt).date()
        except ValueError:
            continue
        if day.strftime("%A").casefold() != weekday.casefold():
            remarks.append(f"Date {text!r}: {day:%Y-%m-%d} is a {day:%A}; the date is kept, the weekday ignored")
        return day
    raise RowError(
        gettext("not a date like 'Sunday-November 19-1995' or 'Saturday-November-25-2017'"), column="Date", value=value
    )


def parse_figure(value: object, column: str) -> tuple[int | None, str]:
    """A figure cell: (number or None, note). `40+` → (40, "at least"); a URL → (None, the URL)."""
    text = cells.clean_text(value)
    if text.casefold().startswith(("http://", "https://", "www.")):
        return None, f"{column} holds a link, not a figure: {text}"
    if text.endswith("+") and text[:-1].strip().isdigit():
        number = int(text[:-1])
        return number, f"{column} given as '{text}' (at least {number})"
    return cells.parse_count(value, column), ""


class PkSuicideAttacksFormat:
    name = "pk-suicide-attacks"
    mapping = None
    encoding = "cp1252"
    sheet = None
    formulas = "remark"  # an XLSX copy's formula cell without a saved value: a remark on its row
    COLUMNS_OF = {"locality": "Location", "city": "City", "province": "Province", "external_id": "S#"}

    def column_of(self, target: str) -> str:
        """The file's column a target comes from, for a message about a value over its field's limit."""
        if target.startswith(("killed", "injured")):
            return f"{target.split('_')[0].capitalize()} {'Max' if target.endswith('_max') else 'Min'}"
        return self.COLUMNS_OF.get(target, target)

    def source_fields(self) -> dict:
        return dict(SOURCE)

    def check_header(self, header: list[str]) -> None:
        if missing := [c for c in COLUMNS if c not in header]:
            raise ImportFailed(
                gettext(
                    "Row 1: not the Pakistan Body Count file: column(s) %(missing)s missing (the file's columns: %(columns)s)."
                )
                % {"missing": ", ".join(missing), "columns": ", ".join(header)}
            )

    def _figures(self, row: dict, figure: str, notes: list[str]) -> tuple[int | None, int | None]:
        label = figure.capitalize()
        low, low_note = parse_figure(row.get(f"{label} Min"), f"{label} Min")
        high, high_note = parse_figure(row.get(f"{label} Max"), f"{label} Max")
        notes.extend(n for n in (low_note, high_note) if n)
        if low is not None and high is not None and high < low:
            notes.append(f"{label} Min {low} is above {label} Max {high}: kept as the range {high}–{low}")
            low, high = high, low
        return low, high

    def parse(self, number: int, row: dict, refs: References) -> ParsedRow:
        remarks: list[str] = []
        notes: list[str] = []
        external_id = cells.clean_text(row.get("S#"))
        if not external_id:
            raise RowError("the S# (identity) is empty", column="S#")
        day = parse_pbc_date(row.get("Date"), remarks)
        province_text = cells.clean_text(row.get("Province"))
        province = refs.province(PROVINCES.get(province_text.casefold(), province_text), "Province")
        city = None
        if not cells.is_blank(row.get("City")):
            city, _ = refs.city(row.get("City"), province)
            if city.province_id != province.pk:
                notes.append(f"Province given as '{province_text}'; {city.name} is in {city.province}")
                province = city.province
        latitude = cells.parse_latitude(row.get("Latitude"), "Latitude")
        longitude = cells.parse_longitude(row.get("Longitude"), "Longitude")
        if (latitude is None) != (longitude is None):
            raise RowError(
                gettext("give both latitude and longitude, or neither"), column="Latitude", value=row.get("Latitude")
            )
        communities = self._communities(row.get("Targeted Sect if any"), refs, notes)
        killed_low, killed_high = self._figures(row, "killed", notes)
        injured_low, injured_high = self._figures(row, "injured", notes)
        remarks = list(dict.fromkeys(remarks + notes))
        locality = cells.clean_text(row.get("Location"))[:300]
        values = {
            "title": build_title(
                attack_type=AttackType.SUICIDE_BOMBING,
                locality=locality,
                city_name=city.name if city else province.name,
            ),
            "date": day,
            "province": province,
            "city": city,
            "locality": locality,
            "latitude": latitude,
            "longitude": longitude,
            "attack_type": AttackType.SUICIDE_BOMBING,
            "killed": killed_high if killed_high is not None else killed_low,
            "injured": injured_high if injured_high is not None else injured_low,
        }
        link = {
            "reported_killed": killed_low,
            "reported_killed_max": killed_high,
            "reported_injured": injured_low,
            "reported_injured_max": injured_high,
            "note": "; ".join(dict.fromkeys(notes)),
        }
        return ParsedRow(
            row=number,
            external_id=external_id[:100],
            values=values,
            communities=communities,
            link=link,
            remarks=remarks,
        )

    def _communities(self, value: object, refs: References, notes: list[str]) -> frozenset[int]:
        if cells.is_blank(value):
            return frozenset()
        ids = set()
        for part in cells.clean_text(value).split("/"):
            key = part.strip().casefold()
            if not key or key in cells.PLACEHOLDERS:
                continue
            slugs = SECTS.get(key)
            if slugs is None:
                ids.add(refs.community(part, "Targeted Sect if any").pk)
                continue
            if slugs == ["other"]:
                notes.append(f"Targeted sect given as '{part.strip()}'")
            ids.update(refs.community(slug, "Targeted Sect if any").pk for slug in slugs)
        return frozenset(ids)
