"""The statistics page in Urdu names places and groups by their Urdu names (``name_ur``).

The figures (``incidents.stats``: the payload of ``/api/statistics/``, cached, and the CSV tables) name
provinces, cities, communities and organisations in English, as entered, and stay so. The page alone
renames them: ``page_names(payload)`` gives, on an Urdu page, a copy of the payload whose breakdown
rows carry the Urdu names where one is set (one query over the four small tables); on an English page
it returns the payload itself and runs no query.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Value

from incidents.models import City, Community, Organisation, Province, urdu_active

LISTS = {"province": Province, "city": City, "community": Community, "organisation": Organisation}

# Breakdown (payload key): the row keys that name a place or group, each with its reference list and
# what the row gives to find it by: the row's "slug" (of the group it stands for), or the English name itself.
NAMED_COLUMNS = {
    "by_province": [("province", "province", "slug")],
    "by_city": [("city", "city", "slug"), ("province", "province", "name")],
    "by_community": [("community", "community", "slug")],
    "by_organisation": [("organisation", "organisation", "slug")],
}

UrduNames = dict[tuple[str, str, str], str]


def urdu_names() -> UrduNames:
    """Every Urdu name set, by (list, "slug" or "name", the slug or the English name). One query."""
    parts = [
        model.objects.exclude(name_ur="")
        .order_by()
        .annotate(kind=Value(kind))
        .values_list("kind", "slug", "name", "name_ur")
        for kind, model in LISTS.items()
    ]
    names: UrduNames = {}
    for kind, slug, name, name_ur in parts[0].union(*parts[1:], all=True):
        names[kind, "slug", slug] = name_ur
        names[kind, "name", name] = name_ur
    return names


def page_names(payload: dict[str, Any]) -> dict[str, Any]:
    """The payload as the page names it: on an Urdu page a copy with the breakdowns' Urdu names, else itself."""
    if not urdu_active():
        return payload
    names = urdu_names()
    renamed = dict(payload)
    for key, columns in NAMED_COLUMNS.items():
        renamed[key] = [_renamed(row, columns, names) for row in payload[key]]
    return renamed


def _renamed(row: dict[str, Any], columns: list[tuple[str, str, str]], names: UrduNames) -> dict[str, Any]:
    """A copy of a breakdown row with each named place or group in Urdu where it has an Urdu name."""
    row = dict(row)
    for key, kind, by in columns:
        if row.get(key) is not None:  # None: the incidents with nothing recorded
            found_by = row.get("slug") if by == "slug" else row[key]
            row[key] = names.get((kind, by, found_by), row[key])
    return row
