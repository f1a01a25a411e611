"""Tags for the "cite this record" block (templates/includes/_cite.html).

The block names the record, its permanent address and the day it was read; the day comes from the
one clock (core.clock.today), so cached pages are dated right (the page cache keys on the day).
"""

from __future__ import annotations

import datetime

from django import template

from core.clock import today

register = template.Library()


@register.simple_tag
def accessed_on() -> datetime.date:
    """Today, the day the reader consulted the record."""
    return today()


@register.simple_tag(takes_context=True)
def permanent_url(context, record) -> str:
    """The record's page as an absolute address on the host that served it (``get_absolute_url``)."""
    return context["request"].build_absolute_uri(record.get_absolute_url())
