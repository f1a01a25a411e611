"""Bad mapping files never crash the importer (issue 6 item 4).

Hypothesis mutates a valid mapping (any key set to any JSON value: wrong types, unknown keys, empty
objects, odd encodings, formats and separators) and also feeds bytes that are not JSON at all.
`import_incidents --mapping` must either import (dry run) or stop with a CommandError that says what
is wrong, never an unexpected exception, and must write nothing on a dry run.
"""

from __future__ import annotations

import json

import pytest
from django.core.management import CommandError, call_command
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from incidents.models import Incident
from tests import factories as f

CSV = "S#,Date,Province,City,Killed,Injured,Title\n1,01/10/2013,Sindh,Karachi,5,2,Bomb at a market\n"
VALID = {
    "source": {"title": "A test source", "publisher": "", "url": "", "citation": ""},
    "encoding": "utf-8",
    "external_id": {"column": "S#"},
    "columns": {
        "title": {"column": "Title"},
        "date": {"column": "Date", "formats": ["%m/%d/%Y"]},
        "province": {"column": "Province", "values": {"KPK": "Khyber Pakhtunkhwa"}},
        "city": {"column": "City"},
        "killed": {"column": "Killed"},
        "injured": {"column": "Injured"},
        "communities": {"value": "Shia", "separator": ";"},
        "organisations": {"value": "TTP", "kind": "claimed"},
    },
}
json_leaf = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=False),
    st.text(max_size=20),
    st.sampled_from(["", "utf-16", "no-such-codec", "rot13", "%Y-%m-%d", "%", "Date", "S#", ";", "\x00", "claimed"]),
)
json_values = st.recursive(
    json_leaf,
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=8), children, max_size=3),
    max_leaves=6,
)
PATHS = [
    (),
    ("source",),
    ("source", "title"),
    ("encoding",),
    ("sheet",),
    ("external_id",),
    ("external_id", "column"),
    ("formula_safe",),
    ("columns",),
    ("columns", "date"),
    ("columns", "date", "formats"),
    ("columns", "date", "column"),
    ("columns", "province", "values"),
    ("columns", "province", "value"),
    ("columns", "killed", "column"),
    ("columns", "communities", "separator"),
    ("columns", "organisations", "kind"),
    ("columns", "organisations", "separator"),
    ("columns", "no_such_target"),
    ("no_such_key",),
]


def mutate(mapping: dict, path: tuple, value) -> object:
    """A deep copy of `mapping` with the value at `path` replaced (or the whole mapping, for ())."""
    if not path:
        return value
    copy = json.loads(json.dumps(mapping))
    node = copy
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = value
    return copy


@pytest.fixture
def files(tmp_path, db):
    f.CityFactory(name="Karachi", slug="karachi", province=f.ProvinceFactory(name="Sindh", slug="sindh"))
    f.CommunityFactory(name="Shia", slug="shia")
    f.OrganisationFactory(name="TTP", slug="ttp")
    data = tmp_path / "data.csv"
    data.write_text(CSV, encoding="utf-8")
    return tmp_path, data


def run(mapping_path, data) -> str:
    """'ok' or 'refused' (a CommandError with a message); anything else propagates and fails the test."""
    try:
        call_command("import_incidents", str(data), mapping=str(mapping_path), dry_run=True, stdout=None)
    except CommandError as error:
        assert str(error).strip(), "a CommandError must say what is wrong"
        return "refused: " + str(error)
    return "ok"


def test_the_valid_mapping_imports(files):
    tmp_path, data = files
    mapping = tmp_path / "map.json"
    mapping.write_text(json.dumps(VALID), encoding="utf-8")
    assert run(mapping, data) == "ok", "the mutations start from a mapping that works"
    assert Incident.objects.count() == 0  # dry run


@settings(max_examples=50, deadline=None, derandomize=True, database=None, suppress_health_check=list(HealthCheck))
@given(path=st.sampled_from(PATHS), value=json_values)
def test_a_mutated_mapping_imports_or_is_refused_clearly(files, path, value):
    tmp_path, data = files
    mapping = tmp_path / "map.json"
    mapping.write_text(json.dumps(mutate(VALID, path, value)), encoding="utf-8")
    run(mapping, data)
    assert Incident.objects.count() == 0


@settings(max_examples=30, deadline=None, derandomize=True, database=None, suppress_health_check=list(HealthCheck))
@given(raw=st.binary(max_size=200) | st.text(max_size=200).map(str.encode))
def test_a_mapping_that_is_not_json_is_refused_clearly(files, raw):
    tmp_path, data = files
    mapping = tmp_path / "map.json"
    mapping.write_bytes(raw)
    try:
        json.loads(raw.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError):
        assert run(mapping, data).startswith("refused")
    else:
        run(mapping, data)


def test_a_missing_mapping_file_is_refused_clearly(files):
    tmp_path, data = files
    with pytest.raises(CommandError, match="cannot be read"):
        call_command("import_incidents", str(data), mapping=str(tmp_path / "nope.json"), dry_run=True)
