"""Casualty statistics over a set of incidents (DESIGN.md "Metrics", first part).

Every function is keyword-only, takes a queryset of incidents that the caller has already
restricted (``Incident.objects.public()`` and the ``IncidentFilter``), returns plain data
(dicts, lists, numbers) and runs a constant number of grouped queries over the incidents and
their links, whatever the number of rows. The FilterSets filter through ``Exists``, never a join,
so a grouping never meets a row twice; a caller that filters across a many-valued relation
itself must do the same.

Definitions, word for word from DESIGN.md:

- ``incidents`` = count; ``killed``, ``injured`` = sums over incidents where the figure is known;
  ``killed_unknown``, ``injured_unknown`` = incidents where it is NULL.
- Monthly average killed = killed ÷ calendar months in the period, both end months counted
  (an 18-month window divides by 18). The period runs from ``date_from`` (else the month of the
  earliest matching incident) to ``date_to`` (else the month of the latest).
- Shares by attack type, province, city, community, organisation and year: of incidents and of
  killed. An incident with two communities or two organisations counts once in each group it
  belongs to and once in the total: groups may add up to more than the total.

Group rows all carry ``incidents``, ``killed``, ``injured``, ``killed_unknown``,
``injured_unknown``, ``share_incidents`` (group incidents ÷ all incidents) and ``share_killed``
(group killed ÷ all killed). A share is ``None`` when its denominator is 0: no data is not 0 %.
Incidents with no city, no community or no organisation recorded form a group whose name and
slug are ``None``, listed last, so that single-valued groups add up to the total.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping
from operator import attrgetter
from typing import Any, NamedTuple

from django.db.models import Count, Max, Min, Q, QuerySet, Sum
from django.db.models.functions import Coalesce, ExtractYear

from .districts import district_map, district_of
from .models import AttackType, Attribution, AttributionKind, City, Community, Incident, Organisation, Province

# The aggregates every table shares: one definition, so every table counts the same way.
# `prefix` reaches the incident from another table (e.g. "incident__" from Attribution). The
# aliases differ from the field names: an aggregate may not share a name with a field it reads.
FIGURES = ("incidents", "killed", "injured", "killed_unknown", "injured_unknown")


def _figures(prefix: str = "", count: str = "id") -> dict[str, Any]:
    return {
        "n_incidents": Count(f"{prefix}{count}"),
        "n_killed": Coalesce(Sum(f"{prefix}killed"), 0),  # a sum over no known figure is 0
        "n_injured": Coalesce(Sum(f"{prefix}injured"), 0),
        "n_killed_unknown": Count(f"{prefix}{count}", filter=Q(**{f"{prefix}killed__isnull": True})),
        "n_injured_unknown": Count(f"{prefix}{count}", filter=Q(**{f"{prefix}injured__isnull": True})),
    }


def _clean(row: Mapping[str, Any]) -> dict[str, int]:
    """The five figures of an aggregate row."""
    return {key: row[f"n_{key}"] for key in FIGURES}


def share(part: int | float, whole: int | float) -> float | None:
    """part ÷ whole, or None when whole is 0 (a share of nothing is unknown, not 0)."""
    return part / whole if whole else None


def totals(*, incidents: QuerySet[Incident]) -> dict[str, int]:
    """Count, killed and injured (sums over known figures), and how many figures are unknown.

    One query. Returns ``{"incidents", "killed", "injured", "killed_unknown", "injured_unknown"}``;
    sums over no known figure are 0, and ``*_unknown`` says how many incidents lacked the figure.
    """
    return _clean(incidents.order_by().aggregate(**_figures()))


class IncidentGroup(NamedTuple):
    """The five figures of the incidents of one year, province, city and attack type, and their
    first and last dates (``incident_groups``)."""

    year: int
    province_id: int | None
    city_id: int | None
    attack_type: str
    incidents: int
    killed: int
    injured: int
    killed_unknown: int
    injured_unknown: int
    first_date: datetime.date
    last_date: datetime.date


def incident_groups(*, incidents: QuerySet[Incident]) -> list[IncidentGroup]:
    """The incidents grouped by year, province, city and attack type at once, which ``summary``,
    ``by_year``, ``by_province``, ``by_city`` and ``by_attack_type`` add up: the incidents are read
    once for the five (a few thousand groups, whatever the number of incidents). One query."""
    keys = ("year", "province_id", "city_id", "attack_type")
    rows = (
        incidents.order_by()
        .annotate(year=ExtractYear("date"))
        .values(*keys)
        .annotate(**_figures(), first_date=Min("date"), last_date=Max("date"))
        .values_list(*keys, *(f"n_{key}" for key in FIGURES), "first_date", "last_date")
    )
    return [IncidentGroup._make(row) for row in rows]


# The five figures of an IncidentGroup, as a tuple (in the order of FIGURES).
_group_figures = attrgetter(*FIGURES)


def _sums(figures: Iterable[tuple[int, ...]]) -> dict[str, int]:
    """The five figures added up, from tuples in the order of FIGURES (column by column: thousands
    of groups are added four times for every statistics page)."""
    columns = list(zip(*figures, strict=True)) or [()] * len(FIGURES)
    return dict(zip(FIGURES, map(sum, columns), strict=True))


def _added(groups: Iterable[IncidentGroup], key: str) -> list[dict[str, Any]]:
    """The five figures of ``groups`` added up per value of ``key`` (a field of IncidentGroup)."""
    by_key: dict[Any, list[tuple[int, ...]]] = {}
    group_key = attrgetter(key)
    for group in groups:
        by_key.setdefault(group_key(group), []).append(_group_figures(group))
    return [{key: value} | _sums(figures) for value, figures in by_key.items()]


def summary_of(groups: Iterable[IncidentGroup]) -> dict[str, Any]:
    groups = list(groups)
    row = _sums(map(_group_figures, groups))
    first = min((group.first_date for group in groups), default=None)
    return row | {"first_date": first, "last_date": max((group.last_date for group in groups), default=None)}


def summary(*, incidents: QuerySet[Incident]) -> dict[str, Any]:
    """``totals`` plus ``first_date`` and ``last_date`` (None without incidents), in one query."""
    return summary_of(incident_groups(incidents=incidents))


def months_in_period(date_from: datetime.date, date_to: datetime.date) -> int:
    """Calendar months from date_from's month to date_to's month, both counted (0 if reversed)."""
    return max(0, (date_to.year - date_from.year) * 12 + date_to.month - date_from.month + 1)


def period(
    *, incidents: QuerySet[Incident], date_from: datetime.date | None = None, date_to: datetime.date | None = None
) -> tuple[datetime.date | None, datetime.date | None]:
    """The period a figure covers: the given dates, else the earliest / latest matching incident.

    One query when a date is missing, none otherwise. Either end is None when it is not given and
    no incident matches.
    """
    if date_from is None or date_to is None:
        bounds = incidents.order_by().aggregate(first=Min("date"), last=Max("date"))
        date_from = date_from or bounds["first"]
        date_to = date_to or bounds["last"]
    return date_from, date_to


def monthly_average_killed(
    *,
    incidents: QuerySet[Incident],
    date_from: datetime.date | None = None,
    date_to: datetime.date | None = None,
    killed: int | None = None,
) -> float | None:
    """Killed ÷ calendar months in the period, both end months counted.

    The period runs from ``date_from`` (else the month of the earliest matching incident) to
    ``date_to`` (else the month of the latest), so 2012-03-01..2013-08-31 divides by 18. Returns the
    exact quotient (callers round for display), or None when the period is unknown (no date given
    and no incident) or empty (``date_to`` before ``date_from``'s month). Pass ``killed`` (from
    ``totals``) to save a query. At most two queries.
    """
    start, end = period(incidents=incidents, date_from=date_from, date_to=date_to)
    if start is None or end is None:
        return None
    months = months_in_period(start, end)
    if months == 0:
        return None
    if killed is None:
        killed = totals(incidents=incidents)["killed"]
    return killed / months


def _with_shares(rows: list[dict[str, Any]], whole: Mapping[str, int]) -> list[dict[str, Any]]:
    for row in rows:
        row["share_incidents"] = share(row["incidents"], whole["incidents"])
        row["share_killed"] = share(row["killed"], whole["killed"])
    return rows


def _sorted_groups(rows: list[dict[str, Any]], name: str) -> list[dict[str, Any]]:
    """Most incidents first, then most killed, then by name; the 'not recorded' group (None) last."""
    return sorted(rows, key=lambda r: (r[name] is None, -r["incidents"], -r["killed"], str(r[name] or "")))


def _grouped_rows(incidents: QuerySet[Incident], fields: dict[str, str]) -> list[dict[str, Any]]:
    """The five figures per value of ``fields`` (row key → field path), in no order. One query."""
    rows = incidents.order_by().values(*fields.values()).annotate(**_figures())
    return [{key: row[field] for key, field in fields.items()} | _clean(row) for row in rows]


def _total(rows: list[dict[str, Any]]) -> dict[str, int]:
    """The whole that single-valued groups add up to (the denominators of their shares)."""
    return {"incidents": sum(r["incidents"] for r in rows), "killed": sum(r["killed"] for r in rows)}


def by_year_of(groups: Iterable[IncidentGroup]) -> list[dict[str, Any]]:
    out = _added(groups, "year")
    return _with_shares(sorted(out, key=lambda r: r["year"]), _total(out))


def by_year(*, incidents: QuerySet[Incident]) -> list[dict[str, Any]]:
    """Figures per calendar year of the incident date, oldest first. One query."""
    return by_year_of(incident_groups(incidents=incidents))


def _named(rows: list[dict[str, Any]], places: QuerySet, keys: dict[str, str]) -> list[dict[str, Any]]:
    """Rows grouped by a narrow id (``row["pk"]``, None for "not recorded"), with the names
    (``keys``: row key → field of ``places``) read from the small table of places: one query,
    whatever was found. Grouping by the id alone keeps the grouped query's join and key narrow."""
    found = places.values_list("pk", *keys.values())
    names = {pk: dict(zip(keys, values, strict=True)) for pk, *values in found}
    none = dict.fromkeys(keys)
    return [names.get(row.pop("pk"), none) | row for row in rows]


def _added_by_id(
    groups: Iterable[IncidentGroup], name: str, field: str, places: QuerySet, keys: dict[str, str]
) -> list[dict[str, Any]]:
    """The groups added up per foreign key ``field``, then named (``_named``); the groups add up to the total."""
    rows = [{"pk": row.pop(field)} | row for row in _added(groups, field)]
    out = _named(rows, places, keys)
    return _with_shares(_sorted_groups(out, name), _total(out))


def by_province_of(groups: Iterable[IncidentGroup]) -> list[dict[str, Any]]:
    keys = {"province": "name", "slug": "slug"}
    return _added_by_id(groups, "province", "province_id", Province.objects.all(), keys)


def by_province(*, incidents: QuerySet[Incident]) -> list[dict[str, Any]]:
    """Figures per province: ``{"province": name, "slug", ...}``. Two queries."""
    return by_province_of(incident_groups(incidents=incidents))


def by_city_of(groups: Iterable[IncidentGroup]) -> list[dict[str, Any]]:
    keys = {"city": "name", "slug": "slug", "province": "province__name"}
    return _added_by_id(groups, "city", "city_id", City.objects.all(), keys)


def by_city(*, incidents: QuerySet[Incident]) -> list[dict[str, Any]]:
    """Figures per city: ``{"city": name, "slug", "province": name, ...}``; no city recorded → None. Two queries."""
    return by_city_of(incident_groups(incidents=incidents))


def by_attack_type_of(groups: Iterable[IncidentGroup]) -> list[dict[str, Any]]:
    out = _added(groups, "attack_type")
    rows = _with_shares(_sorted_groups(out, "attack_type"), _total(out))
    labels = dict(AttackType.choices)
    return [
        {"attack_type": r["attack_type"], "label": labels.get(r["attack_type"], r["attack_type"])} | r for r in rows
    ]


def by_attack_type(*, incidents: QuerySet[Incident]) -> list[dict[str, Any]]:
    """Figures per attack type: ``{"attack_type": code, "label": its display name, ...}``. One query."""
    return by_attack_type_of(incident_groups(incidents=incidents))


def by_district(*, incidents: QuerySet[Incident]) -> list[dict[str, Any]]:
    """Figures per district of the map (incidents/districts.py): ``{"district": name, "slug",
    "province": province slug, ...}``, only districts with incidents.

    One query, grouped by the cities' ``district`` and name (what places a city on the map), then
    regrouped in Python by the map district they resolve to. Incidents whose place is not on the map
    (no city, or neither its district nor its name is a district of the map) form the ``None`` group,
    listed last with ``"places"``: the unmatched district or city names, for editors to fix. The groups
    add up to the total.
    """
    rows = incidents.order_by().values("city__district", "city__name").annotate(**_figures())
    districts = district_map().by_slug()
    groups: dict[str | None, dict[str, Any]] = {}
    unplaced: set[str] = set()
    for row in rows:
        slug = district_of(city_name=row["city__name"], city_district=row["city__district"])
        group = groups.setdefault(slug, dict.fromkeys(FIGURES, 0))
        for key, value in _clean(row).items():
            group[key] += value
        if slug is None and row["city__name"]:
            unplaced.add(row["city__district"] or row["city__name"])
    out = []
    for slug, figures in groups.items():
        district = districts.get(slug)
        place = {"district": district.name, "slug": slug, "province": district.province} if district else None
        out.append((place or {"district": None, "slug": None, "province": None, "places": sorted(unplaced)}) | figures)
    total = {"incidents": sum(r["incidents"] for r in out), "killed": sum(r["killed"] for r in out)}
    return _with_shares(_sorted_groups(out, "district"), total)


def _multi_total(incidents: QuerySet[Incident], given: Mapping[str, int] | None) -> Mapping[str, int]:
    return given if given is not None else totals(incidents=incidents)


def by_community(*, incidents: QuerySet[Incident], total: Mapping[str, int] | None = None) -> list[dict[str, Any]]:
    """Figures per targeted community: ``{"community": name, "slug", ...}``.

    An incident with two communities counts once in each of its groups and once in the total,
    so groups may add up to more than the total; shares are of the total. Incidents with no
    community recorded form the ``None`` group. Two queries (three without ``total`` from ``totals``).
    """
    # The incidents left-joined to their communities: the pair (incident, community) is unique, so
    # nothing is counted twice, and the incidents with no community come out as the None group.
    rows = _grouped_rows(incidents, {"pk": "communities"})
    rows = _named(rows, Community.objects.all(), {"community": "name", "slug": "slug"})
    return _with_shares(_sorted_groups(rows, "community"), _multi_total(incidents, total))


def by_organisation(*, incidents: QuerySet[Incident], total: Mapping[str, int] | None = None) -> list[dict[str, Any]]:
    """Figures per organisation the incident is attributed to in any way (claimed, suspected, named, convicted).

    Rows are ``{"organisation": name, "slug", "abbreviation", ...}``. An incident attributed to two
    organisations counts once in each group and once in the total; an organisation linked to the
    same incident in two ways (claimed and suspected) counts it once. Incidents attributed to no
    organisation form the ``None`` group. Two queries (three without ``total``).
    """
    # The incidents left-joined to their (incident, organisation) pairs, each pair once
    # (IncidentOrganisation, a view over the attributions): the same join as the communities'.
    rows = _grouped_rows(incidents, {"pk": "organisation_links__organisation"})
    rows = _named(
        rows, Organisation.objects.all(), {"organisation": "name", "slug": "slug", "abbreviation": "abbreviation"}
    )
    return _with_shares(_sorted_groups(rows, "organisation"), _multi_total(incidents, total))


def organisation_figures(*, incidents: QuerySet[Incident], organisations: Iterable[int]) -> dict[int, dict[str, int]]:
    """The five figures of each of ``organisations`` (ids) over ``incidents``, counted as
    ``by_organisation`` counts them, by organisation id; an organisation with no incident is
    absent. One query."""
    links = incidents.order_by().filter(organisation_links__organisation__in=list(organisations))
    rows = links.values("organisation_links__organisation").annotate(**_figures())
    return {row["organisation_links__organisation"]: _clean(row) for row in rows}


def attribution_kinds(*, incidents: QuerySet[Incident], organisation: int) -> dict[str, Any]:
    """One organisation's figures over ``incidents``: ``{"total": figures, "by_kind": {kind:
    figures}}``, every kind of attribution present (zeros when none). An incident attributed in two
    ways counts in each kind and once in the total. Two queries."""
    by_kind = {kind: dict.fromkeys(FIGURES, 0) for kind in AttributionKind.values}
    rows = (
        Attribution.objects.order_by()
        .filter(organisation=organisation, incident__in=incidents.order_by().values("pk"))
        .values("kind")
        .annotate(**_figures("incident__"))
    )
    for row in rows:  # (incident, organisation, kind) is unique: no incident twice in a kind
        by_kind[row["kind"]] = _clean(row)
    total = organisation_figures(incidents=incidents, organisations=[organisation]).get(organisation)
    return {"total": total or dict.fromkeys(FIGURES, 0), "by_kind": by_kind}


__all__ = [
    "FIGURES",
    "attribution_kinds",
    "by_attack_type",
    "by_attack_type_of",
    "by_city",
    "by_city_of",
    "by_district",
    "by_community",
    "by_organisation",
    "by_province",
    "by_province_of",
    "by_year",
    "by_year_of",
    "incident_groups",
    "monthly_average_killed",
    "months_in_period",
    "organisation_figures",
    "period",
    "share",
    "summary",
    "summary_of",
    "totals",
]
