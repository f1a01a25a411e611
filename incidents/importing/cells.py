"""Turn one cell into a tracker value, or raise a RowError saying why not.

Cells come from CSV (always text) or XLSX (text, numbers, dates). Text is trimmed and inner
spaces collapsed. Placeholders that mean "nothing here" (blank, None, NA, N/A, -) become None:
an unknown figure is NULL, never 0.
"""

from __future__ import annotations

import datetime
from decimal import Decimal, InvalidOperation

from django.utils import translation
from django.utils.translation import gettext

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
                raise RowError(gettext("not a whole number"), column=column, value=value) from None
    if isinstance(number, float):
        if not number.is_integer():
            raise RowError(gettext("not a whole number"), column=column, value=value)
        number = int(number)
    if number < 0:
        raise RowError(gettext("a count cannot be negative"), column=column, value=value)
    return number


def parse_date(value: object, column: str, formats: list[str]) -> datetime.date:
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    text = clean_text(value)
    if not text:
        raise RowError(gettext("the date is missing"), column=column, value=value)
    for fmt in formats:
        try:
            return datetime.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise RowError(
        gettext("not a date in the format(s) %(formats)s") % {"formats": ", ".join(formats)}, column=column, value=value
    )


def parse_coordinate(value: object, column: str, bounds: tuple[float, float]) -> Decimal | None:
    if is_blank(value):
        return None
    try:
        number = Decimal(clean_text(value)).quantize(COORDINATE_PLACES)
    except InvalidOperation:
        raise RowError(gettext("not a number"), column=column, value=value) from None
    if not bounds[0] <= number <= bounds[1]:
        raise RowError(
            gettext("outside Pakistan (must lie between %(low)s and %(high)s)") % {"low": bounds[0], "high": bounds[1]},
            column=column,
            value=value,
        )
    return number


def parse_latitude(value: object, column: str) -> Decimal | None:
    return parse_coordinate(value, column, PAKISTAN_LATITUDE)


def parse_longitude(value: object, column: str) -> Decimal | None:
    return parse_coordinate(value, column, PAKISTAN_LONGITUDE)


# Files give the English labels (or the codes): read them in English, whichever language is active
# when this module is first imported.
with translation.override("en"):
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
            gettext('not an attack type (one of %(codes)s); map it with "values"')
            % {"codes": ", ".join(AttackType.values)},
            column=column,
            value=value,
        ) from None
