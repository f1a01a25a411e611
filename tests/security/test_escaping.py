"""HTML escaping of every user-entered text (issue 6 item 4).

Every free-text field a monitor types is set to a script payload; every public page that shows it
must contain the escaped form and never the raw `<script>alert(1)`.
"""

from __future__ import annotations

import datetime

import pytest
from django.test import Client

from core.models import Correction
from tests import factories as f

XSS = "<script>alert(1)</script>\"'&"
RAW = "<script>alert(1)"
ESCAPED = "&lt;script&gt;alert(1)&lt;/script&gt;"


@pytest.fixture
def pages(db, settings):
    settings.RATE_LIMITS = {"api": (10**9, 60), "csv": (10**9, 60), "follow": (10**9, 60)}
    city = f.CityFactory(name=f"City {XSS}", slug="city-x")
    organisation = f.OrganisationFactory(name=f"Org {XSS}", slug="org-x")
    incident = f.IncidentFactory(
        title=f"Title {XSS}",
        locality=f"Locality {XSS}",
        description=f"Description {XSS}",
        city=city,
        province=city.province,
        date=datetime.date(2013, 1, 10),
    )
    source = f.SourceFactory(title=f"Source {XSS}", publisher=f"Publisher {XSS}", citation=f"Citation {XSS}")
    f.IncidentSourceFactory(incident=incident, source=source, note=f"Note {XSS}")
    f.AttributionFactory(incident=incident, organisation=organisation)
    f.VictimFactory(incident=incident, name=f"Victim {XSS}", is_public=True)
    court = f.CourtFactory(name=f"Court {XSS}")
    case = f.CaseFactory(
        court=court,
        case_number=f"Case {XSS}",
        fir_number=f"FIR {XSS}",
        public_notes=f"Public {XSS}",
        incidents=[incident],
        cognizance_date=datetime.date(2013, 2, 1),
    )
    f.ChargeFactory(case=case, accused=f.AccusedFactory(name=f"Accused {XSS}"))
    f.HearingFactory(case=case, judge=f"Judge {XSS}", notes=f"Hearing {XSS}", date=datetime.date(2013, 3, 1))
    from django.contrib.contenttypes.models import ContentType

    Correction.objects.create(
        content_type=ContentType.objects.get_for_model(incident),
        object_id=incident.pk,
        record_label=incident.title,
        field="killed",
        old_value="1",
        new_value="2",
        note=f"Correction {XSS}",
    )
    return {
        incident.get_absolute_url(): ["Title", "Locality", "Description", "Source", "Publisher", "Victim", "Org"],
        case.get_absolute_url(): ["Case", "Public", "Accused", "Court"],
        "/incidents/": ["Title"],
        "/cases/": ["Case"],
        f"/organisations/{organisation.pk}/": ["Org"],
        f"/courts/{court.pk}/": ["Court"],
        "/corrections/": ["Correction"],
        "/": [],
        "/statistics/": [],
        "/feeds/incidents/": [],
        "/feeds/cases/": [],
        "/feeds/corrections/": [],
    }


def test_no_page_shows_the_raw_payload(pages):
    client = Client()
    for url, labels in pages.items():
        response = client.get(url)
        assert response.status_code == 200, url
        html = response.content.decode()
        assert RAW not in html, f"unescaped script on {url}"
        for label in labels:
            assert f"{label} {ESCAPED}" in html, f"{label} not shown escaped on {url}"
