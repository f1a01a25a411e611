"""The public corrections log page (`/corrections/`): rows newest first, links only to public
records, never who made the change; CSV; pagination; constant queries."""

from __future__ import annotations

import csv
import datetime
import io

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cases.models import Case
from core.models import Correction, Status
from incidents.models import Incident
from tests import factories as f

pytestmark = pytest.mark.django_db
AUTHOR = "corrector-username-q9"


def correction(record, *, when: datetime.datetime, author=None, **fields) -> Correction:
    row = Correction.objects.create(
        content_type=ContentType.objects.get_for_model(type(record)),
        object_id=record.pk,
        record_url=record.get_absolute_url(),
        created_by=author,
        **fields,
    )
    Correction.objects.filter(pk=row.pk).update(created_at=when)
    row.refresh_from_db()
    return row


@pytest.fixture
def log(django_user_model):
    author = django_user_model.objects.create_user(username=AUTHOR, password="x-unused-pw-123")
    incident = f.IncidentFactory(title="Quetta blast", date=datetime.date(2013, 1, 10))
    retracted = f.IncidentFactory(title="Duplicate blast", date=datetime.date(2013, 1, 10), status=Status.RETRACTED)
    case = f.CaseFactory(case_number="Special Case 3/2013")
    return {
        "killed": correction(
            incident,
            when=datetime.datetime(2013, 1, 12, 6, tzinfo=datetime.UTC),
            author=author,
            record_label="2013-01-10 Quetta blast",
            field="killed",
            old_value="81",
            new_value="93",
            note="Hospital list, 12 January.",
        ),
        "retraction": correction(
            retracted,
            when=datetime.datetime(2013, 2, 1, 6, tzinfo=datetime.UTC),
            author=author,
            record_label="2013-01-10 Duplicate blast",
            note="Same attack as the Quetta blast.",
        ),
        "case": correction(
            case,
            when=datetime.datetime(2013, 1, 20, 6, tzinfo=datetime.UTC),
            record_label=case.title,
            field="cognizance date",
            old_value="2013-01-05",
            new_value="2013-01-07",
            note="",
        ),
        "incident": incident,
        "retracted": retracted,
        "case_record": case,
    }


def test_url_name_is_incidents_corrections():
    assert reverse("incidents:corrections") == "/corrections/"


def test_page_lists_corrections_newest_first_without_their_author(client, log):
    response = client.get("/corrections/")
    assert response.status_code == 200
    html = response.content.decode()
    rows = [html.index(f'id="correction-{log[key].pk}"') for key in ("retraction", "case", "killed")]
    assert rows == sorted(rows)
    assert "<td>81</td>" in html and "<td>93</td>" in html
    assert "Hospital list, 12 January." in html
    assert AUTHOR not in html
    assert "3 corrections" in " ".join(html.split()).replace("<strong>", "").replace("</strong>", "")


def test_only_public_records_are_linked(client, log):
    html = client.get("/corrections/").content.decode()
    assert f'<a href="/incidents/{log["incident"].pk}/">2013-01-10 Quetta blast</a>' in html
    assert f'<a href="/cases/{log["case_record"].pk}/">' in html
    # The retracted record's page answers 404: its entry stays, without a link and without its name.
    assert f'href="/incidents/{log["retracted"].pk}/"' not in html
    assert "Duplicate blast" not in html
    assert "<td>A retracted incident</td>" in html
    assert "Retracted" in html


def test_csv_has_every_public_column_and_no_author(client, log):
    response = client.get("/corrections/?format=csv")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows == [
        ["date", "record", "record_url", "field", "old_value", "new_value", "note"],
        [
            "2013-02-01",
            "A retracted incident",
            "",
            "",
            "",
            "",
            "Same attack as the Quetta blast.",
        ],
        [
            "2013-01-20",
            log["case_record"].title,
            f"http://testserver/cases/{log['case_record'].pk}/",
            "cognizance date",
            "2013-01-05",
            "2013-01-07",
            "",
        ],
        [
            "2013-01-12",
            "2013-01-10 Quetta blast",
            f"http://testserver/incidents/{log['incident'].pk}/",
            "killed",
            "81",
            "93",
            "Hospital list, 12 January.",
        ],
    ]
    assert AUTHOR not in text


def test_csv_neutralises_formulae(client):
    incident = f.IncidentFactory()
    correction(incident, when=datetime.datetime(2013, 1, 1, tzinfo=datetime.UTC), old_value="=HYPERLINK(1)", note="+1")
    text = b"".join(client.get("/corrections/?format=csv").streaming_content).decode("utf-8-sig")
    assert "'=HYPERLINK(1)" in text and ",'+1" in text


def test_pages_of_fifty(client):
    incident = f.IncidentFactory()
    for day in range(1, 56):
        correction(
            incident,
            when=datetime.datetime(2013, 1, 1, tzinfo=datetime.UTC) + datetime.timedelta(days=day),
            note=f"Record {day}",
            field="killed",
            old_value="1",
            new_value="2",
        )
    first = client.get("/corrections/").content.decode()
    second = client.get("/corrections/?page=2").content.decode()
    assert first.count('id="correction-') == 50
    assert second.count('id="correction-') == 5
    assert "Record 55<" in first and "Record 5<" in second
    # An out-of-range page shows the last page rather than an error.
    assert client.get("/corrections/?page=99").content.decode().count('id="correction-') == 5


def count_queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_page_runs_a_constant_number_of_queries(client, log):
    # count + page + one visibility query per kind of record (incident, case), plus what base.html asks
    few = count_queries(client, "/corrections/")
    for i in range(20):
        record = f.IncidentFactory() if i % 2 else f.CaseFactory()
        correction(record, when=datetime.datetime(2014, 1, 1, tzinfo=datetime.UTC), record_label=f"More {i}")
    assert count_queries(client, "/corrections/") == few


def test_retracting_the_record_removes_the_link_but_keeps_the_entry(client, log):
    Incident.objects.filter(pk=log["incident"].pk).update(status=Status.RETRACTED)
    Case.objects.filter(pk=log["case_record"].pk).update(status=Status.DRAFT)
    html = client.get("/corrections/").content.decode()
    assert f'href="/incidents/{log["incident"].pk}/"' not in html
    assert f'href="/cases/{log["case_record"].pk}/"' not in html
    assert html.count('id="correction-') == 3
