"""`breakdowns` (one roll-up over the incidents, regrouped in Python) against the per-breakdown
functions (one grouped query each) on random small worlds: the same rows, order and shares.

Random worlds hold drafts, unknown figures, incidents with no city, several communities or
none, and organisations attributed twice in two ways.
"""

from __future__ import annotations

import datetime
import random

import pytest

from core.models import Status
from incidents import stats
from incidents.models import AttackType, AttributionKind, Incident
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


@pytest.mark.parametrize("seed", range(8))
def test_breakdowns_equal_the_separate_functions(seed):
    build(seed)
    some_province = Incident.objects.public().order_by("pk").first().province
    for incidents in (
        Incident.objects.public(),
        Incident.objects.public().filter(province=some_province, date__gte=datetime.date(2011, 1, 1)),
        Incident.objects.public().filter(pk__lt=0),  # nothing matches
        Incident.objects.public().filter(city__province__isnull=False),  # the caller's own join
    ):
        got = stats.breakdowns(incidents=incidents)
        assert got["summary"] == stats.summary(incidents=incidents)
        assert got["by_year"] == stats.by_year(incidents=incidents)
        assert got["by_province"] == stats.by_province(incidents=incidents)
        assert got["by_city"] == stats.by_city(incidents=incidents)
        assert got["by_attack_type"] == stats.by_attack_type(incidents=incidents)
        assert got["by_community"] == stats.by_community(incidents=incidents)
        assert got["by_organisation"] == stats.by_organisation(incidents=incidents)


def test_breakdowns_run_a_constant_number_of_queries(django_assert_num_queries):
    build(0)
    with django_assert_num_queries(7):
        stats.breakdowns(incidents=Incident.objects.public())
    build(1)
    with django_assert_num_queries(7):
        stats.breakdowns(incidents=Incident.objects.public())
