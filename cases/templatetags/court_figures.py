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

from cases.figures import too_few, too_few_text

register = template.Library()


def _number(value: float) -> str:
    """1,234 or 12.5: whole numbers without a decimal, others to one."""
    return intcomma(f"{value:.1f}".removesuffix(".0"))


@register.simple_tag
def days(value: float | None, n: int, unit: str = "days") -> str:
    """A median or percentile in (working) days, with the small-number rule."""
    if value is None:
        return "–"
    if too_few(n):
        return too_few_text(n)
    text = _number(value)
    return f"{text} {unit.removesuffix('s') if text == '1' else unit}".rstrip()


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
