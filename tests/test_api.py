"""The API as a whole: OpenAPI schema, locally served docs, no confidential string anywhere."""

from __future__ import annotations

import re

import pytest
from django.contrib.staticfiles import finders
from drf_spectacular.drainage import GENERATOR_STATS
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.validation import validate_schema

from tests.api_world import assert_no_secrets, build_world

pytestmark = pytest.mark.django_db

API_PATHS = ["/api/incidents/", "/api/cases/", "/api/hearings/", "/api/courts/"]


def test_schema_generates_valid_openapi_without_warnings():
    GENERATOR_STATS.reset()
    schema = SchemaGenerator().get_schema(request=None, public=True)
    validate_schema(schema)  # raises on an invalid OpenAPI 3 document
    assert not GENERATOR_STATS, f"schema warnings or errors: {GENERATOR_STATS}"
    for path in API_PATHS:
        assert path in schema["paths"]
        assert path + "{id}/" in schema["paths"]


def test_schema_documents_the_shared_filter_parameters():
    schema = SchemaGenerator().get_schema(request=None, public=True)
    params = {p["name"]: p for p in schema["paths"]["/api/incidents/"]["get"]["parameters"]}
    assert set(params) == {
        "date_from",
        "date_to",
        "province",
        "city",
        "district",
        "attack_type",
        "community",
        "organisation",
        "q",
        "fatal",
        "justice",
        "page",
    }
    assert params["date_from"]["schema"] == {"type": "string", "format": "date"}
    assert params["province"]["schema"] == {"type": "string"}
    case_params = {p["name"] for p in schema["paths"]["/api/cases/"]["get"]["parameters"]}
    assert {"court", "stage", "verdict", "clock", "province", "date_from"} <= case_params
    hearing_params = {p["name"] for p in schema["paths"]["/api/hearings/"]["get"]["parameters"]}
    assert hearing_params == {"case", "court", "date_from", "date_to", "page"}


def test_schema_leaves_out_confidential_fields():
    schema = SchemaGenerator().get_schema(request=None, public=True)
    text = str(schema)
    for field in ("confidential_notes", "review_note", "recorded_by", "created_by", "updated_by"):
        assert field not in text
    components = schema["components"]["schemas"]
    # Victims and accused appear by public name only: no "name" property at all.
    assert "name" not in components["Victim"]["properties"]
    assert "name" not in components["Accused"]["properties"]
    assert "public_name" in components["Accused"]["properties"]


def test_api_root_links_every_endpoint(client):
    response = client.get("/api/")
    assert response.status_code == 200
    assert response.json() == {
        "incidents": "http://testserver/api/incidents/",
        "cases": "http://testserver/api/cases/",
        "hearings": "http://testserver/api/hearings/",
        "courts": "http://testserver/api/courts/",
        "statistics": "http://testserver/api/statistics/",
        "schema": "http://testserver/api/schema/",
        "docs": "http://testserver/api/docs/",
    }


def test_schema_endpoint_answers(client):
    response = client.get("/api/schema/")
    assert response.status_code == 200
    assert b"openapi: 3" in response.content


def test_docs_page_loads_everything_from_this_site(client):
    response = client.get("/api/docs/")
    assert response.status_code == 200
    html = response.content.decode()
    assert not re.search(r"(src|href)=\"(https?:)?//", html), "the docs page must not load from another origin"
    static = re.findall(r"(?:src|href)=\"/static/([^\"?]+)", html)
    assert len(static) == 4  # favicon, CSS, bundle, preset
    for path in static:
        assert finders.find(path), f"{path} is not a local static file"
    script = re.search(r"<script src=\"([^\"]+script=[^\"]*)\"", html).group(1).replace("&amp;", "&")
    init = client.get(script)
    assert init.status_code == 200
    assert init["Content-Type"].startswith("application/javascript")
    # Swagger UI would send the schema's address to validator.swagger.io unless told not to.
    assert '"validatorUrl": null' in init.content.decode()


def test_no_api_response_contains_a_planted_secret(client):
    world = build_world()
    urls = [
        *API_PATHS,
        f"/api/incidents/{world.incident.pk}/",
        f"/api/cases/{world.case.pk}/",
        f"/api/hearings/{world.hearing.pk}/",
        f"/api/courts/{world.court.pk}/",
        f"/api/incidents/{world.draft_incident.pk}/",
        f"/api/incidents/{world.retracted_incident.pk}/",
        f"/api/cases/{world.draft_case.pk}/",
        f"/api/hearings/{world.draft_hearing.pk}/",
        f"/api/hearings/?case={world.draft_case.pk}",
        "/api/schema/",
    ]
    for url in urls:
        response = client.get(url)
        assert response.status_code in (200, 400, 404), url
        assert_no_secrets(response.content.decode())
