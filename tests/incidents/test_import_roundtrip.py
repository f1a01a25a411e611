"""Export → import round trip: the tracker's own incident CSV, imported with mappings/tracker-export.json
into a database without incidents, gives the same statistics."""

from __future__ import annotations

import datetime
import json
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command

from core.models import Status
from incidents import stats
from incidents.importing import MappedFormat, run_import
from incidents.models import AttackType, City, Community, Incident, Province
from tests.factories import CityFactory, IncidentFactory

MAPPING = Path(settings.BASE_DIR) / "mappings" / "tracker-export.json"

pytestmark = pytest.mark.django_db


def statistics() -> dict:
    public = Incident.objects.public()
    return {
        "totals": stats.totals(incidents=public),
        "by_year": stats.by_year(incidents=public),
        "by_province": stats.by_province(incidents=public),
        "by_city": stats.by_city(incidents=public),
        "by_attack_type": stats.by_attack_type(incidents=public),
        "by_community": stats.by_community(incidents=public),
    }


def test_export_then_import_into_an_empty_database_gives_the_same_statistics(client, tmp_path):
    call_command("load_seeds", "--no-holidays", stdout=StringIO())
    sindh, kpk = Province.objects.get(slug="sindh"), Province.objects.get(slug="khyber-pakhtunkhwa")
    shia, christian = Community.objects.get(slug="shia"), Community.objects.get(slug="christian")
    hyderabad = CityFactory(name="Hyderabad", slug="hyderabad", province=sindh)
    IncidentFactory(
        title="=cmd| formula-looking title",
        date=datetime.date(2012, 3, 10),
        province=sindh,
        city=hyderabad,
        killed=2,
        injured=1,
        communities=[shia],
    )
    IncidentFactory(
        date=datetime.date(2012, 4, 2),
        province=kpk,
        attack_type=AttackType.BOMBING,
        killed=10,
        injured=None,
        communities=[shia, christian],
        locality='Qissa Khwani, "old" bazaar',
    )
    IncidentFactory(date=datetime.date(2016, 5, 20), province=sindh, killed=None, injured=3)
    IncidentFactory(date=datetime.date(2016, 6, 1), province=sindh, killed=50, status=Status.DRAFT)
    before = statistics()
    assert before["totals"]["incidents"] == 7  # 4 seeded + 3 published here

    response = client.get("/incidents/", {"format": "csv"})
    assert response.status_code == 200
    export = tmp_path / "incidents.csv"
    export.write_bytes(b"".join(response.streaming_content))

    Incident.objects.all().delete()
    City.objects.filter(slug="hyderabad").delete()
    assert statistics()["totals"]["incidents"] == 0

    result = run_import(export, MappedFormat(json.loads(MAPPING.read_text())), publish=True)
    assert result.ok, result.errors
    assert (result.rows_read, result.created) == (7, 7)
    assert statistics() == before
    assert City.objects.get(name="Hyderabad").province == sindh
    assert Incident.objects.filter(title="=cmd| formula-looking title").count() == 1  # apostrophe undone
    again = run_import(export, MappedFormat(json.loads(MAPPING.read_text())), publish=True)
    assert (again.created, again.unchanged) == (0, 7)
