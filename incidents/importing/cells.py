"""Turn one cell into a tracker value, or raise a RowError saying why not.

Cells come from CSV (always text) or XLSX (text, numbers, dates). Text is trimmed and inner
spaces collapsed. Placeholders that mean "nothing here" (blank, None, NA, N/A, -) become None:
an unknown figure is NULL, never 0.
"""

from __future__ import annotations

import datetime
from decimal import Decimal, InvalidOperation

from incidents.models import PAKISTAN_LATITUDE, PAKISTAN_LONGITUDE, AttackType

from .errors import RowError

PLACEHOLDERS = frozenset({"", "none", "na", "n/a", "n.a.", "-", "--", "null", "nil"})
COORDINATE_PLACES = Decimal("0.000001")


def clean_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return " ".join(str(value).split())


def is_blank(value: object) -> bool:
    return clean_text(value).casefold() in PLACEHOLDERS


def parse_count(value: object, column: str) -> int | None:
    """A whole number of people, ≥ 0; None when the cell is blank or a placeholder."""
    if is_blank(value):
        return None
    if isinstance(value, int | float) and not isinstance(value, bool):
        number = value
    else:
        text = clean_text(value).replace(",", "")
        try:
            number = int(text)
        except ValueError:
            try:
                number = float(text)
            except ValueError:
                raise RowError("not a whole number", column=column, value=value) from None
    if isinstance(number, float):
        if not number.is_integer():
            raise RowError("not a whole number", column=column, value=value)
        number = int(number)
    if number < 0:
        raise RowError("a count cannot be negative", column=column, value=value)
    return number


def parse_date(value: object, column: str, formats: list[str]) -> datetime.date:
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    text = clean_text(value)
    if not text:
        raise RowError("the date is missing", column=column, value=value)
    for fmt in formats:
        try:
            return datetime.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise RowError(f"not a date in the format(s) {', '.join(formats)}", column=column, value=value)


def parse_coordinate(value: object, column: str, bounds: tuple[float, float]) -> Decimal | None:
    if is_blank(value):
        return None
    try:
        number = Decimal(clean_text(value)).quantize(COORDINATE_PLACES)
    except InvalidOperation:
        raise RowError("not a number", column=column, value=value) from None
    if not bounds[0] <= number <= bounds[1]:
        raise RowError(f"outside Pakistan (must lie between {bounds[0]} and {bounds[1]})", column=column, value=value)
    return number


def parse_latitude(value: object, column: str) -> Decimal | None:
    return parse_coordinate(value, column, PAKISTAN_LATITUDE)


def parse_longitude(value: object, column: str) -> Decimal | None:
    return parse_coordinate(value, column, PAKISTAN_LONGITUDE)


_ATTACK_TYPES = {
    **{code.casefold(): code for code in AttackType.values},
    **{str(label).casefold(): code for code, label in AttackType.choices},
}


def parse_attack_type(value: object, column: str) -> str:
    text = clean_text(value).casefold()
    if not text:
        return AttackType.UNKNOWN
    try:
        return _ATTACK_TYPES[text]
    except KeyError:
        raise RowError(
            f'not an attack type (one of {", ".join(AttackType.values)}); map it with "values"',
            column=column,
            value=value,
        ) from None
