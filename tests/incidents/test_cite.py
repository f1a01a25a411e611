"""The "cite this record" block on incident and case pages: permanent address, title, date read,
and the sources the reader may see."""

from __future__ import annotations

import datetime

import pytest
from django.test import Client

from core.models import Status
from tests import factories as f
from tests.conftest import TODAY

pytestmark = pytest.mark.django_db
D = datetime.date


@pytest.fixture(autouse=True)
def fixed_today(time_machine):
    time_machine.move_to(TODAY)


def cite_block(response) -> str:
    assert response.status_code == 200
    content = response.content.decode()
    start = content.index('<section class="cite"')
    return content[start : content.index("</section>", start)]


def test_incident_page_cites_itself_with_address_title_date_and_sources(client):
    incident = f.IncidentFactory(title="Snooker hall bombing", date=D(2013, 1, 10))
    f.IncidentSourceFactory(
        incident=incident, source=f.SourceFactory(title="PBC", citation="Zeeshan-ul-hassan Usmani, Pakistan Body Count")
    )
    f.IncidentSourceFactory(
        incident=incident,
        source=f.SourceFactory(title="Dawn report", publisher="Dawn", url="https://example.org/dawn", citation=""),
    )
    block = cite_block(client.get(f"/incidents/{incident.pk}/"))
    address = f"http://testserver/incidents/{incident.pk}/"
    accessed = f"{TODAY.day} {TODAY:%B %Y}"
    assert (
        f'“<bdi>Snooker hall bombing</bdi>”, 10 January 2013. <a href="{address}" dir="ltr">{address}</a>'
        f" (accessed {accessed})." in block
    )
    assert f'<time datetime="{TODAY.isoformat()}">{accessed}</time>' in block
    assert (
        '<li><bdi>Dawn report, Dawn</bdi> <a href="https://example.org/dawn" rel="noopener" dir="ltr">'
        "https://example.org/dawn</a></li>" in block
    )
    assert "Zeeshan-ul-hassan Usmani, Pakistan Body Count" in block
    assert block.index("Dawn report") < block.index("Zeeshan")  # by source title, as the sources table


def test_incident_without_source_says_so(monitor_client):
    incident = f.IncidentFactory(status=Status.DRAFT)
    assert "No source is recorded yet." in cite_block(monitor_client.get(f"/incidents/{incident.pk}/"))


def test_hidden_incident_is_not_found_for_the_public(client):
    incident = f.IncidentFactory(status=Status.RETRACTED)
    assert client.get(f"/incidents/{incident.pk}/").status_code == 404


def test_case_page_cites_the_sources_of_the_incidents_the_reader_may_see(monitor_client):
    published = f.IncidentFactory(title="Published attack")
    draft = f.IncidentFactory(title="Draft attack", status=Status.DRAFT)
    f.IncidentSourceFactory(incident=published, source=f.SourceFactory(title="Public report"))
    f.IncidentSourceFactory(incident=draft, source=f.SourceFactory(title="Unpublished report"))
    case = f.CaseFactory(incidents=[published, draft], case_number="ATC 12/2013")
    public_block = cite_block(Client().get(f"/cases/{case.pk}/"))
    assert f'“<bdi>{case.title}</bdi>”. <a href="http://testserver/cases/{case.pk}/" dir="ltr">' in public_block
    assert "Public report" in public_block
    assert "Unpublished report" not in public_block
    staff_block = cite_block(monitor_client.get(f"/cases/{case.pk}/"))
    assert "Public report" in staff_block and "Unpublished report" in staff_block


def test_draft_case_is_not_found_for_the_public():
    case = f.CaseFactory(status=Status.DRAFT)
    assert Client().get(f"/cases/{case.pk}/").status_code == 404
