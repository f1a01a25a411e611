"""No N+1 on any changelist: the same number of queries with 1 row and with 11 rows.

Each row is made with its own related records (its own court, city, accused...), so a
column that fetched a relation per row would show up as extra queries.
"""

from __future__ import annotations

import datetime
import itertools

import pytest
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cases import models as cm
from core.models import Correction, CorrectionRedaction
from incidents import models as im
from tests import factories as f
from tests.admin_forms import admin_url

pytestmark = pytest.mark.django_db

_days = itertools.count()


def make_incident():
    incident = f.IncidentFactory(city=f.CityFactory(), communities=[f.CommunityFactory()])
    f.IncidentSourceFactory(incident=incident)
    f.AttributionFactory(incident=incident)
    return incident


def make_case():
    case = f.CaseFactory(court=f.CourtFactory(), cognizance_date=datetime.date(2012, 6, 1), incidents=[make_incident()])
    f.ChargeFactory(case=case)
    f.HearingFactory(case=case, date=datetime.date(2012, 6, 5), outcome="proceeded")
    f.HearingFactory(case=case, date=datetime.date(2030, 1, 7))
    return case


def make_document():
    case = make_case()
    uploader = get_user_model().objects.create_user(f"uploader-{next(_days)}")
    return f.DocumentFactory(case=case, hearing=case.hearings.first(), uploaded_by=uploader)


MAKERS = {
    im.Province: f.ProvinceFactory,
    im.City: f.CityFactory,
    im.Community: f.CommunityFactory,
    im.Organisation: lambda: f.OrganisationFactory(umbrella=f.OrganisationFactory()),
    im.Source: lambda: f.IncidentSourceFactory().source,
    im.Incident: make_incident,
    im.IncidentSource: f.IncidentSourceFactory,
    im.Attribution: lambda: f.AttributionFactory(source=f.SourceFactory()),
    im.Victim: lambda: f.VictimFactory(community=f.CommunityFactory()),
    Correction: lambda: f.IncidentFactory().retract(None, "Duplicate record."),
    CorrectionRedaction: lambda: CorrectionRedaction.objects.create(
        correction=f.IncidentFactory().retract(None, "Duplicate record."),
        fields="note",
        reason="A name that should not have been public.",
    ),
    cm.Court: lambda: f.CaseFactory(court=f.CourtFactory(city=f.CityFactory())).court,
    cm.Offence: f.OffenceFactory,
    cm.Holiday: lambda: cm.Holiday.objects.create(
        date=datetime.date(2012, 1, 1) + datetime.timedelta(days=next(_days)), name="Holiday"
    ),
    cm.Case: make_case,
    cm.Accused: lambda: f.ChargeFactory(accused=f.AccusedFactory(affiliation=f.OrganisationFactory())).accused,
    cm.Charge: lambda: f.AppealFactory(charge=f.ChargeFactory(case=make_case())).charge,
    cm.Hearing: lambda: f.HearingFactory(case=make_case(), court=f.CourtFactory(), outcome="proceeded"),
    cm.Appeal: lambda: f.AppealFactory(court=f.CourtFactory(kind="high_court")),
    cm.Document: lambda: make_document(),
}


def test_every_registered_model_of_the_data_apps_is_covered():
    registered = {m for m in admin.site._registry if m._meta.app_label in ("core", "incidents", "cases")}
    assert registered - {im.ImportRun} == set(MAKERS)


def count_queries(client, url: str) -> tuple[int, int]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries), response.context["cl"].result_count


@pytest.mark.parametrize("model", list(MAKERS), ids=lambda m: m._meta.label)
def test_changelist_queries_do_not_grow_with_rows(superuser_client, model):
    make = MAKERS[model]
    url = admin_url(model)
    make()
    one, rows_before = count_queries(superuser_client, url)
    for _ in range(10):
        make()
    many, rows_after = count_queries(superuser_client, url)
    assert rows_after > rows_before >= 1
    assert many == one
