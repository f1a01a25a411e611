"""Bad input to the JSON API never crashes it and never shows a hidden record: hypothesis over every
query parameter the OpenAPI schema documents, the undocumented ones people try (sort, ordering,
page_size, limit, offset, format), and every detail endpoint's id in the path.

What `test_fuzz_filters.py` does not already check, and this file does:
- the parameter names come from `/api/schema/` itself (a parameter added later is fuzzed at once),
  one parameter at a time and in combinations, repeated with conflicting values;
- a 400 is JSON naming only parameters that were sent (and a wrong one among them);
- a 200 list is the documented page (count/next/previous/results) of published rows only, and no
  answer of 200 contains a planted secret (draft titles, hidden names, notes) from `tests/api_world.py`;
- detail paths (`/api/<kind>/<id>/`) with random text, huge, negative, zero-padded ids and the ids of
  hidden records: 200 only for a visible record with that id, else 404, never 5xx.

Bounded (a fixed number of examples, derandomized) so the file runs in well under a minute.
"""

from __future__ import annotations

import json
from urllib.parse import quote

import pytest
from django.test import Client
from drf_spectacular.generators import SchemaGenerator
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cases.models import Case, Court, Hearing
from incidents.models import Incident
from tests.api_world import assert_no_secrets, build_world
from tests.security.test_fuzz_filters import NASTY, body, values

FUZZ = settings(
    max_examples=15,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

# The schema /api/schema/ serves, generated directly (at collection: no request, no database).
SCHEMA = SchemaGenerator().get_schema(request=None, public=True)
# Every query parameter of every operation, as the schema documents it: {path: {name: schema}}.
DOCUMENTED: dict[str, dict[str, dict]] = {
    path: {p["name"]: p.get("schema", {}) for p in op["get"].get("parameters", []) if p["in"] == "query"}
    for path, op in SCHEMA["paths"].items()
    if "{" not in path
}
LISTS = [path for path in DOCUMENTED if path != "/api/statistics/"]
DETAILS = {path.split("{")[0]: path for path in SCHEMA["paths"] if "{" in path}
# Parameters the API does not document but clients guess: they must be ignored (or 404 for format).
UNDOCUMENTED = ["sort", "ordering", "page_size", "limit", "offset", "format", "search", "id", "status"]
MODELS = {"/api/incidents/": Incident, "/api/cases/": Case, "/api/hearings/": Hearing, "/api/courts/": Court}


def test_the_fuzzed_endpoints_are_the_whole_api():
    """The API's list, statistics and detail endpoints are all here (so none escapes the fuzzing)."""
    assert sorted(DOCUMENTED) == [
        "/api/cases/",
        "/api/courts/",
        "/api/hearings/",
        "/api/incidents/",
        "/api/statistics/",
    ]
    assert sorted(DETAILS) == ["/api/cases/", "/api/courts/", "/api/hearings/", "/api/incidents/"]
    assert {"date_from", "date_to", "q", "page", "court", "stage", "verdict"} <= set(DOCUMENTED["/api/cases/"])


def value_for(parameter: dict):
    """Bad and good values for one documented parameter: its own enum, and the fuzz of test_fuzz_filters."""
    good = st.sampled_from(parameter["enum"]) if "enum" in parameter else st.nothing()
    return st.one_of(values, good, st.sampled_from(["2012-02-30", "99999-01-01", "", "' OR 1=1 --", "<script>"]))


def queries_for(path: str):
    """A query of 1–4 parameters of this endpoint (and guessed ones), each given 1–3 times."""
    names = st.sampled_from([*DOCUMENTED[path], *UNDOCUMENTED])
    return st.dictionaries(names, st.lists(values, min_size=1, max_size=3), min_size=1, max_size=4)


@pytest.fixture
def world(db, settings):
    """tests/api_world.py: a published and a draft and a retracted incident, a published and a draft
    case, hearings, with secrets planted in hidden fields. Rate limits out of the way."""
    settings.RATE_LIMITS = {"api": (10**9, 60), "csv": (10**9, 60), "follow": (10**9, 60)}
    world = build_world()
    world.visible = {
        path: set(model.objects.visible_to(None).values_list("id", flat=True)) for path, model in MODELS.items()
    }
    return world


def check_query(client: Client, path: str, query: dict[str, list[str]], world) -> None:
    """One request to a list or the statistics: 200 with the documented JSON, or a 400 naming a sent
    parameter; 404 only where DRF documents it (a page past the end, an unknown ?format=)."""
    response = client.get(path, query)
    text = body(response)
    allowed = {200, 400} | ({404} if {"page", "format"} & set(query) else set())
    assert response.status_code in allowed, (path, query, response.status_code, text[:300])
    if response.status_code == 404:
        assert response.json() == {"detail": response.json()["detail"]}, text
        return
    payload = json.loads(text)
    if response.status_code == 400:
        errors = payload["errors"] if path == "/api/statistics/" else payload
        assert errors and set(errors) <= set(query), (path, query, payload)
        assert all(isinstance(messages, list) and messages for messages in errors.values()), payload
        return
    assert_no_secrets(text)
    if path == "/api/statistics/":
        assert {"incidents", "killed", "by_year", "funnel", "courts"} <= set(payload)
        assert payload["incidents"] <= len(world.visible["/api/incidents/"])
    else:
        assert set(payload) == {"count", "next", "previous", "results"}, payload
        assert {row["id"] for row in payload["results"]} <= world.visible[path], (path, query)


# The values most likely to reach a parser or the database unguarded (NASTY's worst, and more).
SWEEP = ["", "2012-02-30", "99999-01-01", str(2**70), "-1", "' OR 1=1 --", "<script>", "a\x00b", "🙂", "x" * 5000]


@pytest.mark.parametrize("path", DOCUMENTED)
def test_each_parameter_alone_with_each_nasty_value(path, world):
    """Every documented parameter of every endpoint with each sweep value alone (so no other bad value
    answers 400 first); the guessed, undocumented parameters with a few (they are ignored)."""
    client = Client()
    for name in DOCUMENTED[path]:
        for value in SWEEP:
            check_query(client, path, {name: [value]}, world)
    for name in UNDOCUMENTED:
        for value in SWEEP[:4]:
            check_query(client, path, {name: [value]}, world)


@pytest.mark.parametrize("path", DOCUMENTED)
@FUZZ
@given(data=st.data())
def test_documented_parameters_with_random_values(path, data, world):
    """Each documented parameter with values from its own enum mixed with bad ones."""
    params = DOCUMENTED[path]
    query = data.draw(
        st.fixed_dictionaries(
            {}, optional={name: st.lists(value_for(params[name]), min_size=1, max_size=2) for name in params}
        )
    )
    check_query(Client(), path, query, world)


@pytest.mark.parametrize("path", DOCUMENTED)
@FUZZ
@given(data=st.data())
def test_random_combinations_and_repeats_never_crash(path, data, world):
    check_query(Client(), path, data.draw(queries_for(path)), world)


@pytest.mark.parametrize("path", DOCUMENTED)
def test_a_repeated_parameter_uses_its_last_value(path, world):
    """?date_from=junk&date_from=2012-01-01 is a valid query (the last value wins), and the reverse is a 400."""
    name, good, bad = ("kind", "atc", "junk") if path == "/api/courts/" else ("date_from", "2012-01-01", "2012-02-30")
    client = Client()
    assert client.get(path, {name: [bad, good]}).status_code == 200
    response = client.get(path, {name: [good, bad]})
    assert response.status_code == 400
    errors = response.json()["errors"] if path == "/api/statistics/" else response.json()
    assert list(errors) == [name]


# Path ids: random text, numbers of any size and sign, ids with padding, and the real ids.
ids = st.one_of(
    st.sampled_from(NASTY),
    st.text(max_size=30),
    st.integers(min_value=-(2**70), max_value=2**70).map(str),
    st.integers(min_value=0, max_value=50).map(lambda n: f"00{n}"),
    st.integers(min_value=0, max_value=50).map(lambda n: f" {n} "),
)


def check_detail(client: Client, prefix: str, raw_id: str, world) -> None:
    response = client.get(prefix + quote(raw_id, safe="") + "/")
    text = body(response)
    assert response.status_code in {200, 404}, (prefix, raw_id, response.status_code, text[:300])
    if response.status_code == 200:
        assert_no_secrets(text)
        record = response.json()
        assert record["id"] in world.visible[prefix], (prefix, raw_id, record["id"])
        assert int(raw_id) == record["id"]


@pytest.mark.parametrize("prefix", DETAILS)
@FUZZ
@given(raw_id=ids)
def test_detail_ids_are_found_or_404_never_a_crash(prefix, raw_id, world):
    check_detail(Client(), prefix, raw_id, world)


def test_hidden_records_answer_404_and_visible_ones_200(world):
    """The draft and retracted incident, the draft case and its hearing are 404 by their real ids."""
    client = Client()
    hidden = {
        "/api/incidents/": [world.draft_incident.pk, world.retracted_incident.pk],
        "/api/cases/": [world.draft_case.pk],
        "/api/hearings/": [world.draft_hearing.pk],
    }
    for prefix, pks in hidden.items():
        for pk in pks:
            assert client.get(f"{prefix}{pk}/").status_code == 404, (prefix, pk)
    for prefix, pks in world.visible.items():
        for pk in pks:
            check_detail(client, prefix, str(pk), world)
            assert client.get(f"{prefix}{pk}/").status_code == 200


@pytest.mark.parametrize("path", ["/api/", "/api/schema/"])
@settings(max_examples=8, deadline=None, derandomize=True, database=None, suppress_health_check=list(HealthCheck))
@given(query=st.dictionaries(st.sampled_from(["format", "lang", "page", "q", "version"]), values, max_size=2))
def test_root_and_schema_with_random_parameters(path, query, world):
    response = Client().get(path, query)
    assert response.status_code in {200, 400, 404}, (path, query, response.status_code)
    if response.status_code == 200:
        assert_no_secrets(body(response))
