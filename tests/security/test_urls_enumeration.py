"""The URL enumerator (tests/security/urls.py) that permission-matrix and fuzz tests walk with."""

from __future__ import annotations

import pytest
from django.contrib.contenttypes.models import ContentType
from django.urls import resolve

from tests import factories as f
from tests.conftest import editors_group
from tests.security.urls import all_routes, sample_urls

pytestmark = pytest.mark.django_db


@pytest.fixture
def objects(superuser):
    incident = f.IncidentFactory()
    case = f.CaseFactory()
    case.incidents.add(incident)
    charge = f.ChargeFactory(case=case)
    hearing = f.HearingFactory(case=case)
    appeal = f.AppealFactory(charge=charge)
    victim = f.VictimFactory(incident=incident)
    return [
        incident,
        incident.province,
        case,
        case.court,
        charge,
        charge.accused,
        hearing,
        appeal,
        victim,
        f.OrganisationFactory(),
        f.SourceFactory(),
        f.CityFactory(),
        f.CommunityFactory(),
        f.OffenceFactory(),
        superuser,
        editors_group(),
        f.DocumentFactory(case=case),
    ]


def _extra(objects) -> dict:
    incident, case = objects[0], objects[2]
    return {
        "admin:view_on_site": {
            "content_type_id": ContentType.objects.get_for_model(incident).pk,
            "object_id": incident.pk,
        },
        "kind": "incident",
        "token": "not-a-real-token",
        "monitoring:publish": [{"kind": "incident", "pk": incident.pk}, {"kind": "case", "pk": case.pk}],
        "monitoring:send_back": [{"kind": "incident", "pk": incident.pk}, {"kind": "case", "pk": case.pk}],
        "monitoring:retract": [{"kind": "incident", "pk": incident.pk}, {"kind": "case", "pk": case.pk}],
        "monitoring:confirm_court_check": {"pk": incident.pk},
        "monitoring:discard_court_check": {"pk": incident.pk},
        "cases:document_file": {"case_pk": case.pk, "pk": objects[-1].pk},
    }


def test_every_area_of_the_site_is_enumerated():
    routes = all_routes()
    areas = {route.area for route in routes}
    assert {"admin", "api", "account", "public"} <= areas
    names = {route.name for route in routes}
    assert {"incidents:incident_detail", "cases:case_detail", "api:schema", "admin:index", "healthz"} <= names


def test_detail_urls_get_the_pk_of_the_matching_sample(objects):
    incident, case = objects[0], objects[2]
    urls = {u.route.name: u.url for u in sample_urls(objects, _extra(objects)).urls}
    assert urls["incidents:incident_detail"] == f"/incidents/{incident.pk}/"
    assert urls["cases:case_detail"] == f"/cases/{case.pk}/"
    assert urls["api:incident-detail"] == f"/api/incidents/{incident.pk}/"
    assert urls["admin:incidents_incident_change"] == f"/admin/incidents/incident/{incident.pk}/change/"
    assert urls["admin:cases_case_change"] == f"/admin/cases/case/{case.pk}/change/"


def test_every_route_gets_a_url_that_resolves_back_to_it(objects):
    """All but admin pages of models with no sample here; those say which sample they need."""
    plan = sample_urls(objects, _extra(objects))
    given = {obj._meta.label_lower for obj in objects}
    for route, why in plan.unresolved:
        model = route.pattern.split("/")[1] + "." + route.pattern.split("/")[2]
        assert route.area == "admin" and model not in given, (route, why)
        assert model in why, (route, why)
    assert {u.route for u in plan.urls} | {r for r, _ in plan.unresolved} == set(all_routes())
    for sample in plan.urls:
        match = resolve(sample.url.split("?")[0])
        assert match.func == sample.route.callback, sample
    non_admin = [u for u in plan.urls if u.route.area != "admin"]
    assert len(non_admin) == len([r for r in all_routes() if r.area != "admin"]) + 3  # 3 routes with 2 variants


def test_variants_give_one_url_each(objects):
    plan = sample_urls(objects, _extra(objects))
    publish = [u.url for u in plan.urls if u.route.name == "monitoring:publish"]
    assert len(publish) == 2


def test_a_route_without_a_sample_is_reported_not_skipped():
    plan = sample_urls([], {})
    reasons = {route.name: why for route, why in plan.unresolved}
    assert "incidents:incident_detail" in reasons
    assert "no sample for <pk>" in reasons["incidents:incident_detail"]
