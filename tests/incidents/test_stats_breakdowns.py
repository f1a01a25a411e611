"""incidents/stats.py against a plain-Python reading of DESIGN.md "Metrics" on random small worlds:
each breakdown (one grouped query) gives, group by group, the figures a direct count of the
incidents gives, in the same order and with the same shares.

Random worlds hold drafts, unknown figures, incidents with no city, several communities or
none, and organisations attributed twice in two ways (counted once) or written with bulk_create.
"""

from __future__ import annotations

import datetime
import random

import pytest

from core.models import Status
from incidents import stats
from incidents.filters import IncidentFilter
from incidents.models import AttackType, Attribution, AttributionKind, Community, Incident
from tests import factories as f

pytestmark = pytest.mark.django_db


def build(seed: int) -> None:
    rng = random.Random(seed)
    provinces = [f.ProvinceFactory() for _ in range(3)]
    cities = [f.CityFactory(province=rng.choice(provinces)) for _ in range(4)]
    communities = [f.CommunityFactory() for _ in range(3)]
    organisations = [f.OrganisationFactory() for _ in range(3)]
    for _ in range(25):
        city = rng.choice([None, *cities])
        incident = f.IncidentFactory(
            date=datetime.date(rng.choice([2010, 2011, 2014]), rng.randint(1, 12), rng.randint(1, 28)),
            province=city.province if city else rng.choice(provinces),
            city=city,
            attack_type=rng.choice(AttackType.values),
            killed=rng.choice([None, 0, 2, 5]),
            injured=rng.choice([None, 0, 1]),
            status=rng.choice([Status.PUBLISHED] * 4 + [Status.DRAFT]),
        )
        incident.communities.set(rng.sample(communities, rng.randint(0, 2)))
        for organisation in rng.sample(organisations, rng.randint(0, 2)):
            for kind in rng.sample(AttributionKind.values, rng.randint(1, 2)):
                f.AttributionFactory(incident=incident, organisation=organisation, kind=kind)
    # Written behind the application's back: bulk_create sends no signal, and needs none.
    more = [
        Attribution(incident=incident, organisation=organisation, kind=AttributionKind.NAMED_BY_OFFICIALS)
        for incident in Incident.objects.order_by("pk")[:6]
        for organisation in organisations[:1]
        if not incident.attributions.filter(organisation=organisation, kind=AttributionKind.NAMED_BY_OFFICIALS).exists()
    ]
    Attribution.objects.bulk_create(more)


def figures(incidents) -> dict:
    """The five figures of a list of incidents, by their definitions."""
    return {
        "incidents": len(incidents),
        "killed": sum(i.killed for i in incidents if i.killed is not None),
        "injured": sum(i.injured for i in incidents if i.injured is not None),
        "killed_unknown": sum(i.killed is None for i in incidents),
        "injured_unknown": sum(i.injured is None for i in incidents),
    }


def groups(incidents, keys_of) -> dict:
    """Group → figures, each incident in every group ``keys_of(incident)`` names (None: nothing recorded)."""
    members: dict = {}
    for incident in incidents:
        for key in keys_of(incident) or [None]:
            members.setdefault(key, []).append(incident)
    return {key: figures(rows) for key, rows in members.items()}


def expected(incidents) -> dict:
    total = figures(incidents)
    return {
        "totals": total,
        "by_year": groups(incidents, lambda i: [i.date.year]),
        "by_province": groups(incidents, lambda i: [i.province.name]),
        "by_city": groups(incidents, lambda i: [i.city.name] if i.city else []),
        "by_attack_type": groups(incidents, lambda i: [i.attack_type]),
        "by_community": groups(incidents, lambda i: [c.name for c in i.communities.all()]),
        # Once per organisation, however many ways it is linked.
        "by_organisation": groups(incidents, lambda i: sorted({a.organisation.name for a in i.attributions.all()})),
    }


KEY = {
    "by_year": "year",
    "by_province": "province",
    "by_city": "city",
    "by_attack_type": "attack_type",
    "by_community": "community",
    "by_organisation": "organisation",
}


def querysets():
    public = Incident.objects.public()
    some_province = public.order_by("pk").first().province
    return [
        public,
        public.filter(province=some_province, date__gte=datetime.date(2011, 1, 1)),
        IncidentFilter(
            {"community": Community.objects.order_by("pk").first().slug, "date_to": "2013-12-31"}, queryset=public
        ).qs,
        public.filter(pk__lt=0),  # nothing matches
    ]


@pytest.mark.parametrize("seed", range(8))
def test_each_breakdown_matches_the_definition(seed):
    build(seed)
    for incidents in querysets():
        want = expected(list(incidents))
        total = want["totals"]
        assert stats.totals(incidents=incidents) == total
        for name, key in KEY.items():
            rows = getattr(stats, name)(incidents=incidents)
            assert {row[key]: {k: row[k] for k in stats.FIGURES} for row in rows} == want[name], name
            # Shares of the total (single-valued groups add up to it); most incidents first, None last.
            whole = total if name in ("by_community", "by_organisation") else want["totals"]
            for row in rows:
                assert row["share_incidents"] == (row["incidents"] / whole["incidents"] if whole["incidents"] else None)
                assert row["share_killed"] == (row["killed"] / whole["killed"] if whole["killed"] else None)
            if name != "by_year":
                order = [(r[key] is None, -r["incidents"], -r["killed"], str(r[key] or "")) for r in rows]
                assert order == sorted(order)


def test_an_incident_counts_once_per_organisation_however_many_attributions():
    incident = f.IncidentFactory(killed=4)
    organisation = f.OrganisationFactory(name="LeJ")
    for kind in (AttributionKind.CLAIMED, AttributionKind.SUSPECTED):
        f.AttributionFactory(incident=incident, organisation=organisation, kind=kind)
    Attribution.objects.bulk_create(
        [Attribution(incident=incident, organisation=organisation, kind=AttributionKind.NAMED_BY_OFFICIALS)]
    )
    rows = stats.by_organisation(incidents=Incident.objects.public())
    assert [(r["organisation"], r["incidents"], r["killed"]) for r in rows] == [("LeJ", 1, 4)]
    assert stats.organisation_figures(incidents=Incident.objects.public(), organisations=[organisation.pk]) == {
        organisation.pk: {"incidents": 1, "killed": 4, "injured": 0, "killed_unknown": 0, "injured_unknown": 0}
    }


@pytest.mark.parametrize(
    ("name", "queries"),
    [
        ("totals", 1),
        ("summary", 1),
        ("by_year", 1),
        ("by_province", 2),  # with the names
        ("by_city", 2),
        ("by_attack_type", 1),
        ("by_community", 3),  # with the names and the total
        ("by_organisation", 3),  # with the names and the total
    ],
)
def test_each_figure_runs_a_constant_number_of_queries(name, queries, django_assert_num_queries):
    build(0)
    with django_assert_num_queries(queries):
        getattr(stats, name)(incidents=Incident.objects.public())
    build(1)
    with django_assert_num_queries(queries):
        getattr(stats, name)(incidents=Incident.objects.public())
