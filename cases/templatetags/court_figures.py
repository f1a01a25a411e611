"""How the court pages print a median, percentile or rate: with the small-number rule.

DESIGN.md "Small numbers": a figure computed from fewer than ``MIN_N`` cases (hearings, accused)
is printed "too few to say (n = …)", never as a number; one with nothing behind it as "–".
``{% days value n %}`` prints "223 days" (``unit="working days"`` for working days, ``""`` for
the number alone),
``{% percent value n %}`` "50%".
"""

from __future__ import annotations

from django import template
from django.contrib.humanize.templatetags.humanize import intcomma
from django.utils.translation import ngettext

from cases.figures import too_few, too_few_text

register = template.Library()


def _number(value: float) -> str:
    """1,234 or 12.5: whole numbers without a decimal, others to one."""
    return intcomma(f"{value:.1f}".removesuffix(".0"))


def _with_unit(text: str, unit: str) -> str:
    """ "223 days", "1 working day", "12.5 working": the unit in the reader's language, singular for 1."""
    number = 1 if text == "1" else 2  # a fraction such as 1.5 takes the plural, as in English
    if unit == "days":
        return ngettext("%(days)s day", "%(days)s days", number) % {"days": text}
    if unit == "working days":
        return ngettext("%(days)s working day", "%(days)s working days", number) % {"days": text}
    if unit == "working":
        return ngettext("%(days)s working", "%(days)s working", number) % {"days": text}
    return text


@register.simple_tag
def days(value: float | None, n: int, unit: str = "days") -> str:
    """A median or percentile in (working) days, with the small-number rule. ``unit``: "days",
    "working days", "working" (the short form under a calendar-day figure) or "" (the number alone)."""
    if value is None:
        return "–"
    if too_few(n):
        return too_few_text(n)
    return _with_unit(_number(value), unit)


@register.simple_tag
def percent(value: float | None, n: int) -> str:
    """A rate (0..1) as a whole percentage, with the small-number rule."""
    if value is None:
        return "–"
    if too_few(n):
        return too_few_text(n)
    return f"{value:.0%}"


@register.simple_tag
def decimal(value: float | None, n: int) -> str:
    """A ratio such as hearings per decided case, to one decimal, with the small-number rule."""
    if value is None:
        return "–"
    if too_few(n):
        return too_few_text(n)
    return _number(value)


@register.filter(name="too_few")
def too_few_filter(n: int) -> bool:
    """Whether a figure from ``n`` items is too few to print (``{% if n|too_few %}``)."""
    return too_few(n)
