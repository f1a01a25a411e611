"""schemathesis against /api/schema/: every API operation, in-process over WSGI, bounded examples.

Hypothesis generates parameters from the OpenAPI schema (valid and not); every response must be no
server error, of the documented content type, and (when 2xx) match the documented schema.
Derandomized so a failure reproduces; the examples per operation are capped to keep the run short.
"""

from __future__ import annotations

import datetime

import pytest
import schemathesis
from django.core import signals
from django.db import close_old_connections
from django.test import override_settings
from hypothesis import HealthCheck, settings
from schemathesis import checks as st_checks
from schemathesis.specs.openapi import checks as openapi_checks

from tests import factories as f
from tracker.wsgi import application

MAX_EXAMPLES = 20


# Loaded at collection through the app itself (the schema view needs no database; the page cache,
# which reads its data version from the database, is off as in every test).
with override_settings(PAGE_CACHE_SECONDS=0):
    schema = schemathesis.openapi.from_wsgi("/api/schema/", application)


@pytest.fixture(autouse=True)
def in_test_transaction():
    """Keep the test's database connection open across requests, as Django's test client does.

    schemathesis calls the WSGI app directly, so Django's request signals would close the
    connection after every request (CONN_MAX_AGE=0): fatal inside the test's transaction on PostgreSQL.
    """
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture(autouse=True)
def api_data(in_test_transaction, db, settings):
    """A little real data, so detail and statistics endpoints answer with rows; limits out of the way."""
    settings.RATE_LIMITS = {"api": (1_000_000, 60), "csv": (1_000_000, 60), "follow": (1_000_000, 60)}
    incident = f.IncidentFactory(date=datetime.date(2013, 1, 10), killed=51, injured=None)
    f.IncidentFactory(status="draft", killed=7)
    case = f.CaseFactory(cognizance_date=datetime.date(2013, 3, 1))
    case.incidents.add(incident)
    f.HearingFactory(case=case, date=datetime.date(2013, 4, 1))


@schema.parametrize()
@settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)
def test_api_answers_every_generated_request_within_its_schema(case):
    case.call_and_validate(
        checks=[
            st_checks.not_a_server_error,
            openapi_checks.content_type_conformance,
            openapi_checks.response_schema_conformance,
            openapi_checks.response_headers_conformance,
        ],
    )
