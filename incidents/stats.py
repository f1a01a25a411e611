"""Casualty statistics over a set of incidents (DESIGN.md "Metrics", first part).

Every function is keyword-only, takes a queryset of incidents that the caller has already
restricted (``Incident.objects.public()`` and the ``IncidentFilter``), returns plain data
(dicts, lists, numbers) and runs a constant number of queries, whatever the number of rows.

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
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from functools import partial
from operator import itemgetter
from typing import Any

from django.core.exceptions import EmptyResultSet
from django.db import connections
from django.db.models import Count, DateField, Max, Min, Q, QuerySet, Sum
from django.db.models.functions import Coalesce, ExtractYear

from tracker.concurrency import run_concurrently

from .models import AttackType, AttributionKind, City, Community, Incident, Organisation, Province

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


def summary(*, incidents: QuerySet[Incident]) -> dict[str, Any]:
    """``totals`` plus ``first_date`` and ``last_date`` (None without incidents), in one query."""
    row = incidents.order_by().aggregate(**_figures(), first_date=Min("date"), last_date=Max("date"))
    return _clean(row) | {"first_date": row["first_date"], "last_date": row["last_date"]}


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


def _grouped(incidents: QuerySet[Incident], name: str, fields: dict[str, str]) -> list[dict[str, Any]]:
    """One grouped query over a single-valued field; the groups add up to the total."""
    rows = incidents.order_by().values(*fields.values()).annotate(**_figures())
    out = [{key: row[field] for key, field in fields.items()} | _clean(row) for row in rows]
    total = {"incidents": sum(r["incidents"] for r in out), "killed": sum(r["killed"] for r in out)}
    return _with_shares(_sorted_groups(out, name), total)


def by_year(*, incidents: QuerySet[Incident]) -> list[dict[str, Any]]:
    """Figures per calendar year of the incident date, oldest first. One query."""
    rows = incidents.order_by().annotate(year=ExtractYear("date")).values("year").annotate(**_figures())
    out = [{"year": row["year"]} | _clean(row) for row in rows]
    total = {"incidents": sum(r["incidents"] for r in out), "killed": sum(r["killed"] for r in out)}
    return _with_shares(sorted(out, key=lambda r: r["year"]), total)


def by_province(*, incidents: QuerySet[Incident]) -> list[dict[str, Any]]:
    """Figures per province: ``{"province": name, "slug", ...}``. One query."""
    return _grouped(incidents, "province", {"province": "province__name", "slug": "province__slug"})


def by_city(*, incidents: QuerySet[Incident]) -> list[dict[str, Any]]:
    """Figures per city: ``{"city": name, "slug", "province": name, ...}``; no city recorded → None. One query."""
    return _grouped(incidents, "city", {"city": "city__name", "slug": "city__slug", "province": "city__province__name"})


def by_attack_type(*, incidents: QuerySet[Incident]) -> list[dict[str, Any]]:
    """Figures per attack type: ``{"attack_type": code, "label": its display name, ...}``. One query."""
    rows = _grouped(incidents, "attack_type", {"attack_type": "attack_type"})
    labels = dict(AttackType.choices)
    return [
        {"attack_type": r["attack_type"], "label": labels.get(r["attack_type"], r["attack_type"])} | r for r in rows
    ]


def _multi_total(incidents: QuerySet[Incident], given: Mapping[str, int] | None) -> Mapping[str, int]:
    return given if given is not None else totals(incidents=incidents)


def without_joins(queryset: QuerySet) -> QuerySet:
    """``queryset`` itself when its query joins no other table (filters by ``Exists``, as the
    FilterSets do), else the rows whose id is in it: a join added by the caller must never be
    reused (and rows multiplied) by a grouping across a multi-valued relation."""
    if len(queryset.query.alias_map) <= 1 and not queryset.query.distinct:
        return queryset.order_by()
    return queryset.model._base_manager.filter(pk__in=queryset.order_by().values("pk"))


def _names(model, ids: set, fields: tuple[str, ...] = ("name", "slug")) -> dict[Any, tuple]:
    """``fields`` (name, slug) of the rows of a small table (communities, organisations) by id. One query."""
    return {pk: tuple(rest) for pk, *rest in model.objects.filter(pk__in=ids).values_list("pk", *fields)}


def community_rows(incidents: QuerySet[Incident]) -> list[dict[str, Any]]:
    """``by_community``'s rows before shares, in no order. Two queries."""
    # The incidents, left-joined to their communities: the pair (incident, community) is unique,
    # so nothing is counted twice, and the incidents with no community come out as the None group.
    # Grouped by the community's id (a narrow key); the names come from the small table.
    links = list(without_joins(incidents).values("communities").annotate(**_figures()))
    names = _names(Community, {r["communities"] for r in links} - {None})
    return [
        dict(zip(("community", "slug"), names.get(r["communities"], (None, None)), strict=True)) | _clean(r)
        for r in links
    ]


def by_community(*, incidents: QuerySet[Incident], total: Mapping[str, int] | None = None) -> list[dict[str, Any]]:
    """Figures per targeted community: ``{"community": name, "slug", ...}``.

    An incident with two communities counts once in each of its groups and once in the total,
    so groups may add up to more than the total; shares are of the total. Incidents with no
    community recorded form the ``None`` group. Three queries (two if ``total`` from ``totals`` is given).
    """
    return _with_shares(_sorted_groups(community_rows(incidents), "community"), _multi_total(incidents, total))


def _counted_attributions(incidents: QuerySet[Incident], organisations: list[int] | None = None) -> QuerySet[Incident]:
    """``incidents`` left-joined to their attributions, keeping one attribution per (incident,
    organisation), the counted one (``Attribution.counted``: the first by id), so an organisation
    linked to an incident in two ways (claimed and suspected) meets it once. Incidents attributed
    to no one keep one row, with no attribution; with ``organisations`` (ids), only those
    organisations' attributions are kept (an inner join)."""
    # One filter() call: the conditions share one join to the attributions (a second call would add another).
    if organisations is not None:
        return without_joins(incidents).filter(attributions__counted=True, attributions__organisation__in=organisations)
    return without_joins(incidents).filter(Q(attributions__isnull=True) | Q(attributions__counted=True))


def organisation_rows(incidents: QuerySet[Incident]) -> list[dict[str, Any]]:
    """``by_organisation``'s rows before shares, in no order. Two queries."""
    links = list(_counted_attributions(incidents).values("attributions__organisation").annotate(**_figures()))
    ids = {r["attributions__organisation"] for r in links} - {None}
    organisations = _names(Organisation, ids, ("name", "slug", "abbreviation"))
    keys = ("organisation", "slug", "abbreviation")
    return [
        dict(zip(keys, organisations.get(r["attributions__organisation"], (None, None, None)), strict=True)) | _clean(r)
        for r in links
    ]


def by_organisation(*, incidents: QuerySet[Incident], total: Mapping[str, int] | None = None) -> list[dict[str, Any]]:
    """Figures per organisation the incident is attributed to in any way (claimed, suspected, named, convicted).

    Rows are ``{"organisation": name, "slug", "abbreviation", ...}``. An incident attributed to two
    organisations counts once in each group and once in the total; an organisation linked to the
    same incident in two ways (claimed and suspected) counts it once. Incidents attributed to no
    organisation form the ``None`` group. Three queries (two if ``total`` is given).
    """
    rows = organisation_rows(incidents)
    return _with_shares(_sorted_groups(rows, "organisation"), _multi_total(incidents, total))


def organisation_figures(*, incidents: QuerySet[Incident], organisations: Iterable[int]) -> dict[int, dict[str, int]]:
    """The five figures of each of ``organisations`` (ids) over ``incidents``, counted as
    ``by_organisation`` counts them, by organisation id; an organisation with no incident is
    absent. One query."""
    rows = (
        _counted_attributions(incidents, list(organisations))
        .values("attributions__organisation")
        .annotate(**_figures())
    )
    return {row["attributions__organisation"]: _clean(row) for row in rows}


def attribution_kinds(*, incidents: QuerySet[Incident], organisation: int) -> dict[str, Any]:
    """One organisation's figures over ``incidents``: ``{"total": figures, "by_kind": {kind:
    figures}}``, every kind of attribution present (zeros when none). An incident attributed in two
    ways counts in each kind and once in the total. Two queries."""
    by_kind = {kind: dict.fromkeys(FIGURES, 0) for kind in AttributionKind.values}
    rows = (
        without_joins(incidents)
        .filter(attributions__organisation=organisation)
        .values("attributions__kind")
        .annotate(**_figures())
    )
    for row in rows:  # (incident, organisation, kind) is unique: no incident twice in a kind
        by_kind[row["attributions__kind"]] = _clean(row)
    total = organisation_figures(incidents=incidents, organisations=[organisation]).get(organisation)
    return {"total": total or dict.fromkeys(FIGURES, 0), "by_kind": by_kind}


# All breakdowns from one roll-up -----------------------------------------------------------

# The roll-up's group columns: ids, not names (a narrow sort); names come from the small tables.
ROLLUP_FIELDS = ("year", "province_id", "city_id", "attack_type")


def plain_rows(queryset: QuerySet, columns: tuple[str, ...]) -> list[tuple]:
    """The rows of a ``values()`` queryset, its ``columns`` (as the database names them) in this
    order, as the database driver returns them: without the converter Django applies to each
    value (an ``int()`` per count and sum: a third of the roll-up's time at 100,000 incidents).
    Ids, counts and sums come as ints, a column of dates as dates; the caller converts what else
    it keeps (a year is a Decimal on PostgreSQL; an aggregate of dates, such as MIN, is an ISO
    string on SQLite). One query."""
    try:
        sql, params = queryset.query.get_compiler(queryset.db).as_sql()
    except EmptyResultSet:  # a filter that can match nothing (``pk__in=[]``, ``none()``): nothing to ask
        return []
    with connections[queryset.db].cursor() as cursor:
        cursor.execute(sql, params)
        names = [column[0] for column in cursor.description]  # DB-API: the name comes first
        rows = cursor.fetchall()
    if names == list(columns):
        return rows
    pick = itemgetter(*(names.index(column) for column in columns), 0)  # a tuple even for one column
    return [pick(row)[:-1] for row in rows]


def _rollup(incidents: QuerySet[Incident]) -> dict[str, Any]:
    """The figures per (year, province, city, attack type): one query that reads the incidents
    once (100,000 incidents fall into a few thousand groups), summed here per year, province,
    city and attack type, plus one query for the province and city names. Returns ``{"total":
    figures, "first_date", "last_date", "year" | "province" | "city" | "attack_type": {key:
    figures}, "provinces": {id: (name, slug)}, "cities": {id: (name, slug, province name)}}``,
    figures as lists in the order of ``FIGURES``."""
    grouped = (
        incidents.order_by()
        .annotate(year=ExtractYear("date"))
        .values(*ROLLUP_FIELDS)
        .annotate(**_figures(), first_date=Min("date"), last_date=Max("date"))
    )
    figures_at = slice(len(ROLLUP_FIELDS), len(ROLLUP_FIELDS) + len(FIGURES))
    rows = plain_rows(grouped, (*ROLLUP_FIELDS, *(f"n_{key}" for key in FIGURES), "first_date", "last_date"))
    # Each breakdown's figures summed column by column (sum() over zip(), not an addition per value here).
    figures = [row[figures_at] for row in rows]

    def summed(index: int) -> dict[Any, list[int]]:
        lists: dict[Any, list[tuple]] = defaultdict(list)
        for row, row_figures in zip(rows, figures, strict=True):
            lists[row[index]].append(row_figures)
        return {key: [sum(column) for column in zip(*values, strict=True)] for key, values in lists.items()}

    groups = {name: summed(index) for index, name in enumerate(("year", "province", "city", "attack_type"))}
    groups["year"] = {int(year): sums for year, sums in groups["year"].items()}  # a Decimal on PostgreSQL
    total = [sum(column) for column in zip(*figures, strict=True)] if figures else [0] * len(FIGURES)
    # The dates come as ISO strings on SQLite, as dates elsewhere: compared as they come, then converted.
    as_date = DateField().to_python
    first = as_date(min(row[-2] for row in rows)) if rows else None
    last = as_date(max(row[-1] for row in rows)) if rows else None
    provinces = {pk: (name, slug) for pk, name, slug in Province.objects.values_list("pk", "name", "slug")}
    cities = {
        pk: (name, slug, provinces.get(province_id, (None,))[0])
        for pk, name, slug, province_id in City.objects.filter(pk__in=set(groups["city"]) - {None}).values_list(
            "pk", "name", "slug", "province_id"
        )
    }
    return {"total": total, "first_date": first, "last_date": last, **groups, "provinces": provinces, "cities": cities}


def _regrouped(groups: dict[Any, list[int]], name: str, keys: Callable[[Any], dict[str, Any]]) -> list[dict[str, Any]]:
    """One breakdown from the roll-up's sums: a row per group (its keys, then its figures), sorted
    and with shares as ``_grouped`` gives them."""
    out = [keys(key) | dict(zip(FIGURES, figures, strict=True)) for key, figures in groups.items()]
    total = {"incidents": sum(r["incidents"] for r in out), "killed": sum(r["killed"] for r in out)}
    return _with_shares(_sorted_groups(out, name), total)


def breakdown_parts(incidents: QuerySet[Incident]) -> list[Callable[[], Any]]:
    """The three independent reads behind ``breakdowns`` (the roll-up, the communities and the
    organisations), to be made in any order or at once; ``combine_breakdowns`` takes their results."""
    return [partial(_rollup, incidents), partial(community_rows, incidents), partial(organisation_rows, incidents)]


def breakdowns(*, incidents: QuerySet[Incident]) -> dict[str, Any]:
    """``summary``, ``by_year``, ``by_province``, ``by_city``, ``by_attack_type``, ``by_community``
    and ``by_organisation`` at once, each exactly as its own function gives it. Seven queries:
    one roll-up over the incidents (regrouped in Python for the single-valued breakdowns), one
    each for the province and city names, two for the communities and two for the organisations,
    made at once where ``tracker.concurrency`` allows."""
    return combine_breakdowns(*run_concurrently(*breakdown_parts(incidents)))


def combine_breakdowns(
    rollup: dict[str, Any], communities: list[dict[str, Any]], organisations: list[dict[str, Any]]
) -> dict[str, Any]:
    """``breakdowns`` from the results of ``breakdown_parts`` (no query)."""
    total = dict(zip(FIGURES, rollup["total"], strict=True))
    provinces, cities, labels = rollup["provinces"], rollup["cities"], dict(AttackType.choices)
    by_year = [{"year": year} | dict(zip(FIGURES, figures, strict=True)) for year, figures in rollup["year"].items()]
    year_total = {"incidents": sum(r["incidents"] for r in by_year), "killed": sum(r["killed"] for r in by_year)}

    def province(pk):
        name, slug = provinces.get(pk, (None, None))
        return {"province": name, "slug": slug}

    def city(pk):
        name, slug, province_name = cities.get(pk, (None, None, None))
        return {"city": name, "slug": slug, "province": province_name}

    return {
        "summary": total | {"first_date": rollup["first_date"], "last_date": rollup["last_date"]},
        "by_year": _with_shares(sorted(by_year, key=lambda r: r["year"]), year_total),
        "by_province": _regrouped(rollup["province"], "province", province),
        "by_city": _regrouped(rollup["city"], "city", city),
        "by_attack_type": [
            {"attack_type": r["attack_type"], "label": labels.get(r["attack_type"], r["attack_type"])} | r
            for r in _regrouped(rollup["attack_type"], "attack_type", lambda code: {"attack_type": code})
        ],
        "by_community": _with_shares(_sorted_groups(communities, "community"), total),
        "by_organisation": _with_shares(_sorted_groups(organisations, "organisation"), total),
    }


__all__ = [
    "attribution_kinds",
    "breakdown_parts",
    "breakdowns",
    "combine_breakdowns",
    "community_rows",
    "by_attack_type",
    "by_city",
    "by_community",
    "by_organisation",
    "by_province",
    "by_year",
    "organisation_figures",
    "organisation_rows",
    "plain_rows",
    "monthly_average_killed",
    "months_in_period",
    "period",
    "share",
    "summary",
    "totals",
    "without_joins",
]
