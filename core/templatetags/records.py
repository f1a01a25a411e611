"""How every page prints a record's count and its status: filters, not template includes.

They print on every row of the lists (two counts and a status a row), where an include each
cost more than the rest of the row.

``{{ incident.killed|count }}`` prints 1,234, or "unknown" for NULL (unknown is never 0).
``{{ incident.date|short_date }}`` prints 6 Dec 2026, as ``|date:"j M Y"`` does.
``{{ record|status_badge }}`` prints nothing for a published record and, for the drafts and
retracted records staff see, a badge saying so.
"""

from __future__ import annotations

from django import template
from django.contrib.humanize.templatetags.humanize import intcomma
from django.utils.dates import MONTHS_3
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import get_language, pgettext

from core.models import Status

register = template.Library()

# "unknown" per language, built once: the lists print it on many rows.
_UNKNOWN: dict[str | None, SafeString] = {}


def unknown() -> SafeString:
    """The "unknown" of a figure, in the active language."""
    language = get_language()
    if language not in _UNKNOWN:
        _UNKNOWN[language] = format_html('<span class="unknown">{}</span>', pgettext("a figure", "unknown"))
    return _UNKNOWN[language]


# Month abbreviations per language, built once: ``|date`` translates the month on every date.
_MONTHS: dict[str | None, list[str]] = {}


@register.filter
def short_date(value) -> str:
    """``value|date:"j M Y"`` (6 Dec 2026, the month in the reader's language), for the lists' rows."""
    if value in (None, ""):
        return ""
    language = get_language()
    if language not in _MONTHS:
        _MONTHS[language] = [str(MONTHS_3[month]).title() for month in range(1, 13)]
    return f"{value.day} {_MONTHS[language][value.month - 1]} {value.year:04d}"


@register.filter(is_safe=True)
def count(value: int | None) -> str:
    """A count with thousands separators, or "unknown" (in the reader's language)."""
    if value is None:
        return unknown()
    if 0 <= value < 1000:  # no separator to place: most counts on the lists, without the locale's formats
        return str(value)
    return intcomma(value)


@register.filter
def status_badge(record) -> SafeString | str:
    """The status badge of a draft or retracted record; nothing for a published one."""
    if record.status == Status.PUBLISHED:
        return ""
    return format_html('<span class="badge badge-{}">{}</span>', record.status, record.get_status_display())
