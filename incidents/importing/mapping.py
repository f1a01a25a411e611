"""Mapping files (DESIGN.md "Commands"): a JSON description of how a file's columns become incidents.

    {"source": {"title": ..., "publisher": ..., "url": ..., "citation": ...},
     "encoding": "cp1252",
     "external_id": {"column": "S#"},
     "columns": {"date": {"column": "Date", "formats": ["%m/%d/%Y"]},
                 "province": {"column": "Province", "values": {"KPK": "Khyber Pakhtunkhwa"}},
                 "communities": {"value": "Shia"}, ...}}

Each target takes `column` (a column of the file, matched trimmed) or `value` (a constant), and
optionally `values` (source value → tracker value, matched trimmed and case-insensitively). See
docs/importing.md for every target and option.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from django.utils.translation import gettext

from incidents.models import AttributionKind, Source, normalise_name

from . import cells
from .errors import ImportFailed, RowError
from .readers import check_encoding
from .references import References
from .rows import ParsedRow, build_title

TARGETS = {
    "title": {"column", "value", "values"},
    "date": {"column", "value", "values", "formats"},
    "province": {"column", "value", "values"},
    "city": {"column", "value", "values"},
    "locality": {"column", "value", "values"},
    "latitude": {"column", "value", "values"},
    "longitude": {"column", "value", "values"},
    "attack_type": {"column", "value", "values"},
    "killed": {"column", "value", "values"},
    "killed_max": {"column", "value", "values"},
    "injured": {"column", "value", "values"},
    "injured_max": {"column", "value", "values"},
    "communities": {"column", "value", "values", "separator"},
    "organisations": {"column", "value", "values", "separator", "kind"},
    "description": {"column", "value", "values"},
    "note": {"column", "value", "values"},
}
REQUIRED = ("date", "province")
TOP_LEVEL = {
    "source",
    "encoding",
    "sheet",
    "external_id",
    "columns",
    "formula_safe",
    "formulas",
    "name",
    "description",
}
# What an XLSX formula cell without a saved value makes: a remark on its row (read as blank), or an error.
FORMULA_POLICIES = ("remark", "error")
# Prefixes a formula-safe CSV (tracker/csv.py) neutralises with a leading apostrophe.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
SOURCE_KEYS = {"title", "publisher", "url", "citation"}


def load_mapping(path: str | Path) -> dict:
    try:
        with open(path, encoding="utf-8-sig") as handle:
            return json.load(handle)
    except (OSError, ValueError) as error:
        raise ImportFailed(f"The mapping file cannot be read as JSON: {error}") from None


_SCALARS = (str, int, float, type(None))


def _is_name(value) -> bool:
    """A usable column name or separator: a non-blank string."""
    return isinstance(value, str) and bool(value.strip())


def _check_option_types(target: str, spec: dict) -> None:
    """Options of the right JSON type, so a mistyped mapping is refused up front, not mid-import."""
    if "column" in spec and not _is_name(spec["column"]):
        raise ImportFailed(f'"column" of "{target}" must be a column name (text).')
    if "value" in spec and (isinstance(spec["value"], bool) or not isinstance(spec["value"], _SCALARS)):
        raise ImportFailed(f'"value" of "{target}" must be text or a number.')
    if isinstance(spec.get("values"), dict) and not all(isinstance(v, _SCALARS) for v in spec["values"].values()):
        raise ImportFailed(f'"values" of "{target}" must map each source value to text or a number.')
    if "separator" in spec and not (isinstance(spec["separator"], str) and spec["separator"]):
        raise ImportFailed(f'"separator" of "{target}" must be a non-empty text, e.g. ";".')
    formats = spec.get("formats", ["%Y-%m-%d"])
    if not (isinstance(formats, list) and formats and all(isinstance(x, str) and x for x in formats)):
        raise ImportFailed(f'"formats" of "{target}" must be a list of date formats, e.g. ["%d/%m/%Y"].')


def _check_source(source: dict) -> None:
    """The source's details as text within the Source fields' limits (checked before the import writes it)."""
    for key in SOURCE_KEYS & set(source):
        value = source[key]
        if not isinstance(value, str | type(None)):
            raise ImportFailed(f'"{key}" of "source" must be text.')
        limit = Source._meta.get_field(key).max_length
        if limit and len((value or "").strip()) > limit:
            raise ImportFailed(f'"{key}" of "source" is {len(value.strip())} characters; the limit is {limit}.')


class MappedFormat:
    """Import any CSV/XLSX described by a mapping (a dict loaded from JSON)."""

    name = "mapping"

    def __init__(self, mapping: dict):
        self.mapping = mapping
        self._validate()
        self.columns: dict[str, dict] = mapping["columns"]
        self.encoding = check_encoding(mapping.get("encoding", "utf-8"))
        self.sheet = mapping.get("sheet")
        self.formulas = mapping.get("formulas", "remark")
        self.external_id_column = (mapping.get("external_id") or {}).get("column")
        self.formula_safe = bool(mapping.get("formula_safe"))
        self._values = {
            target: {normalise_name(k): v for k, v in spec.get("values", {}).items()}
            for target, spec in self.columns.items()
        }
        self._header: dict[str, str] = {}

    # -- checking the mapping and the file's header -------------------------------------------------

    def _validate(self) -> None:
        m = self.mapping
        if not isinstance(m, dict):
            raise ImportFailed("The mapping must be a JSON object.")
        if unknown := set(m) - TOP_LEVEL:
            raise ImportFailed(f"Unknown key(s) in the mapping: {', '.join(sorted(unknown))}.")
        source = m.get("source")
        if not isinstance(source, dict) or not str(source.get("title", "")).strip():
            raise ImportFailed('The mapping needs a "source" with at least a "title": every incident cites it.')
        if unknown := set(source) - SOURCE_KEYS:
            raise ImportFailed(f'Unknown key(s) in "source": {", ".join(sorted(unknown))}.')
        _check_source(source)
        if "\\u0000" in json.dumps(m):
            raise ImportFailed("The mapping holds a NUL byte (\\x00), which no database can store; remove it.")
        check_encoding(m.get("encoding", "utf-8"))
        if m.get("formulas", "remark") not in FORMULA_POLICIES:
            raise ImportFailed(f'"formulas" must be one of {", ".join(FORMULA_POLICIES)}, not {m["formulas"]!r}.')
        if "sheet" in m and not _is_name(m["sheet"]):
            raise ImportFailed('"sheet" must be the name of a sheet (text).')
        ext = m.get("external_id")
        if ext is not None and not (isinstance(ext, dict) and _is_name(ext.get("column"))):
            raise ImportFailed('"external_id" must be {"column": "<column name>"}.')
        columns = m.get("columns")
        if not isinstance(columns, dict):
            raise ImportFailed('The mapping needs "columns": an object of target → {"column": ...} or {"value": ...}.')
        for target, spec in columns.items():
            if target not in TARGETS:
                raise ImportFailed(f'Unknown target {target!r} in "columns" (known: {", ".join(TARGETS)}).')
            if not isinstance(spec, dict) or ("column" in spec) == ("value" in spec):
                raise ImportFailed(f'"{target}" needs exactly one of "column" or "value".')
            if unknown := set(spec) - TARGETS[target]:
                raise ImportFailed(f'Unknown option(s) for "{target}": {", ".join(sorted(unknown))}.')
            if "values" in spec and not isinstance(spec["values"], dict):
                raise ImportFailed(f'"values" of "{target}" must be an object of source value → tracker value.')
            _check_option_types(target, spec)
            if "kind" in spec and spec["kind"] not in AttributionKind.values:
                raise ImportFailed(f'"kind" of "organisations" must be one of {", ".join(AttributionKind.values)}.')
        for target in REQUIRED:
            if target not in columns:
                raise ImportFailed(f'The mapping must map "{target}".')

    def source_fields(self) -> dict:
        source = self.mapping["source"]
        return {key: str(source.get(key, "") or "").strip() for key in SOURCE_KEYS}

    def check_header(self, header: list[str]) -> None:
        """Resolve every mapped column against the file's header (trimmed, then case-insensitively)."""
        exact = {name: name for name in header if name}
        folded = {name.casefold(): name for name in header if name}
        wanted = [(t, spec["column"]) for t, spec in self.columns.items() if "column" in spec]
        if self.external_id_column:
            wanted.append(("external_id", self.external_id_column))
        missing = []
        for target, column in wanted:
            key = " ".join(str(column).split())
            found = exact.get(key) or folded.get(key.casefold())
            if found is None:
                missing.append(f"{column!r} (for {target})")
            self._header[column] = found
        if missing:
            raise ImportFailed(
                gettext("Row 1: column(s) not found in the file: %(missing)s. The file's columns: %(columns)s.")
                % {"missing": ", ".join(missing), "columns": ", ".join(header)}
            )

    # -- one row -------------------------------------------------------------------------------------

    def _raw(self, target: str, row: dict) -> tuple[object, str]:
        """The cell (or constant) for `target` after `values`, and the column name for error messages."""
        spec = self.columns[target]
        if "value" in spec:
            value, column = spec["value"], f"(constant for {target})"
        else:
            column = spec["column"]
            value = row.get(self._header[column])
            if self.formula_safe and isinstance(value, str) and value[:1] == "'" and value[1:2] in FORMULA_PREFIXES:
                value = value[1:]  # undo the export's neutralising apostrophe
        table = self._values[target]
        if table:
            key = normalise_name(cells.clean_text(value))
            if key in table:
                value = table[key]
        return value, column

    def _has(self, target: str) -> bool:
        return target in self.columns

    def _count(self, target: str, row: dict) -> int | None:
        if not self._has(target):
            return None
        value, column = self._raw(target, row)
        return cells.parse_count(value, column)

    def _many(self, target: str, row: dict) -> list[tuple[str, str]]:
        """Split a multi-valued cell ("Shia; Christian") into (name, column) pairs."""
        value, column = self._raw(target, row)
        separator = self.columns[target].get("separator", ";")
        if cells.is_blank(value):
            return []
        names = []
        for part in cells.clean_text(value).split(separator):
            mapped = self._values[target].get(normalise_name(part), part)
            if not cells.is_blank(mapped):
                names.append((cells.clean_text(mapped), column))
        return names

    def parse(self, number: int, row: dict, refs: References) -> ParsedRow:
        values: dict = {}
        remarks: list[str] = []
        spec = self.columns
        date_value, date_column = self._raw("date", row)
        values["date"] = cells.parse_date(date_value, date_column, spec["date"].get("formats", ["%Y-%m-%d"]))
        province_value, province_column = self._raw("province", row)
        province = refs.province(province_value, province_column)
        city = None
        if self._has("city"):
            city_value, city_column = self._raw("city", row)
            if not cells.is_blank(city_value):
                city, created = refs.city(city_value, province)
                if city.province_id != province.pk:
                    remarks.append(
                        f"city {city.name} is in {city.province}, not {province}: province set to {city.province}"
                    )
                    province = city.province
            values["city"] = city
        values["province"] = province
        for target in ("locality", "description"):
            if self._has(target):
                values[target] = cells.clean_text(self._raw(target, row)[0])
        if self._has("latitude") or self._has("longitude"):
            lat_value, lat_column = self._raw("latitude", row) if self._has("latitude") else (None, "latitude")
            lon_value, lon_column = self._raw("longitude", row) if self._has("longitude") else (None, "longitude")
            values["latitude"] = cells.parse_latitude(lat_value, lat_column)
            values["longitude"] = cells.parse_longitude(lon_value, lon_column)
            if (values["latitude"] is None) != (values["longitude"] is None):
                raise RowError(
                    gettext("give both latitude and longitude, or neither"), column=lat_column, value=lat_value
                )
        if self._has("attack_type"):
            values["attack_type"] = cells.parse_attack_type(*self._raw("attack_type", row))
        link = {}
        for figure in ("killed", "injured"):
            low, high = self._count(figure, row), self._count(f"{figure}_max", row)
            if low is not None and high is not None and high < low:
                raise RowError(
                    gettext("the upper figure (%(high)s) is below the lower one (%(low)s)")
                    % {"high": high, "low": low},
                    column=spec[f"{figure}_max"].get("column", ""),
                )
            if self._has(figure) or self._has(f"{figure}_max"):
                values[figure] = high if high is not None else low
                link[f"reported_{figure}"] = low
                link[f"reported_{figure}_max"] = high
        if self._has("note"):
            link["note"] = cells.clean_text(self._raw("note", row)[0])
        communities = None
        if self._has("communities"):
            communities = frozenset(refs.community(name, column).pk for name, column in self._many("communities", row))
        organisations = []
        if self._has("organisations"):
            kind = spec["organisations"].get("kind", AttributionKind.SUSPECTED)
            organisations = sorted({(refs.organisation(n, c).pk, kind) for n, c in self._many("organisations", row)})
        if self._has("title"):
            values["title"] = cells.clean_text(self._raw("title", row)[0])[:300]
        if not values.get("title"):
            values["title"] = build_title(
                attack_type=values.get("attack_type", "unknown"),
                locality=values.get("locality", ""),
                city_name=city.name if city else province.name,
            )
        parsed = ParsedRow(
            row=number,
            external_id="",
            values=values,
            communities=communities,
            organisations=organisations,
            link=link,
            remarks=remarks,
        )
        if self.external_id_column:
            ext = cells.clean_text(row.get(self._header[self.external_id_column]))
            if not ext:
                raise RowError(gettext("the identity column is empty"), column=self.external_id_column)
            parsed.external_id = ext  # over 100 characters: refused by check_limits, never cut to a clash
        else:
            parsed.fingerprint = self.fingerprint(row)
        return parsed

    def column_of(self, target: str) -> str:
        """The file's column a target comes from (for messages), or what it is when not a column."""
        if target == "external_id":
            return self.external_id_column or "(row identity)"
        spec = self.columns.get(target, {})
        return spec.get("column") or f"(constant for {target})"

    def fingerprint(self, row: dict) -> str:
        """A hash of the row's mapped cells (trimmed, case-folded): the row's identity without an id column."""
        parts = []
        for target in sorted(self.columns):
            spec = self.columns[target]
            if "column" in spec:
                parts.append(f"{target}={normalise_name(cells.clean_text(row.get(self._header[spec['column']])))}")
        return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:32]
