"""`{% link_query %}`: Django's `{% querystring %}` for links that are shared, without empty parameters.

The filter forms submit every field, so a list reached from the form carries `?date_from=&city=&...`.
Links built from that request (pagination, sort headers, CSV, statistics) drop the empty values, so
an address someone copies or shares names only the filters actually chosen.
"""

from __future__ import annotations

from django import template
from django.http import QueryDict

register = template.Library()


def without_empty(params: QueryDict) -> QueryDict:
    """A mutable copy of `params` keeping only the non-empty values (keys with none left are dropped)."""
    kept = QueryDict(mutable=True)
    for key in params:
        values = [value for value in params.getlist(key) if value != ""]
        if values:
            kept.setlist(key, values)
    return kept


@register.simple_tag(takes_context=True)
def link_query(context, **changes) -> str:
    """The request's query string with `changes` applied (None removes a key), empty values dropped:
    "?a=1&b=2", or "" when nothing is left."""
    params = without_empty(context["request"].GET)
    for key, value in changes.items():
        if value is None or value == "":
            params.pop(key, None)
        else:
            params[key] = value
    return f"?{params.urlencode()}" if params else ""
