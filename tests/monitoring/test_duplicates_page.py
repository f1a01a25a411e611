"""The duplicates page (/staff/duplicates/, issue 17): who sees it, who proposes, who decides."""

from __future__ import annotations

import datetime

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from core.models import Status
from incidents.models import AttackType, DuplicatePair, Incident, PairDecision
from tests import factories as f
from tests.conftest import login

pytestmark = pytest.mark.django_db
PAGE = reverse("monitoring:duplicates")
MERGE = reverse("monitoring:merge_duplicates")
NOT_SAME = reverse("monitoring:not_same")
PROPOSE = reverse("monitoring:propose_duplicates")


def pair(n: int = 0):
    """Two published incidents recording one attack: Parachinar and its agency, a day apart."""
    fata = f.ProvinceFactory(slug="fata", name="FATA")
    agency = f.CityFactory(name="Kurram Agency", slug="kurram-agency", province=fata)
    town = f.CityFactory(name="Parachinar", slug="parachinar", province=fata, district="Kurram Agency")
    day = datetime.date(2013, 7, 26) + datetime.timedelta(days=10 * n)
    a = f.IncidentFactory(
        date=day, province=fata, city=agency, killed=50, attack_type=AttackType.SUICIDE_BOMBING, locality="Bazaar"
    )
    b = f.IncidentFactory(
        date=day + datetime.timedelta(days=1), province=fata, city=town, killed=50, attack_type=AttackType.BOMBING
    )
    f.IncidentSourceFactory(incident=a, reported_killed=43, reported_killed_max=50)
    f.IncidentSourceFactory(incident=b, reported_killed=58)
    f.AttributionFactory(incident=b)
    f.CaseFactory(incidents=[b])
    return a, b


def form(a, b, **extra):
    return {"incident": a.pk, "other": b.pk, **extra}


def test_anonymous_visitors_are_sent_to_sign_in_for_every_url(client):
    a, b = pair()
    for url in (PAGE, MERGE, NOT_SAME, PROPOSE):
        response = client.post(url, form(a, b, confirm="yes")) if url != PAGE else client.get(url)
        assert response.status_code == 302 and "/login/" in response["Location"], url
    assert Incident.objects.filter(status=Status.MERGED).count() == 0


def test_the_page_shows_each_pair_side_by_side_with_reasons(editor_client):
    a, b = pair()
    html = editor_client.get(PAGE).content.decode()
    assert f"#{a.pk} and #{b.pk}: score 0.7" in html
    assert "Kurram Agency and Parachinar: a town and its agency or district" in html
    assert "43–50" in html and ">Merge…<" in html and "Not the same…" in html
    assert "Special Case" in html  # the linked case of the second incident


def queries(client) -> tuple[int, int]:
    """Queries of the page with the pair list computed (cold) and read from the cache (warm)."""
    cache.clear()
    with CaptureQueriesContext(connection) as cold:
        client.get(PAGE)
    with CaptureQueriesContext(connection) as warm:
        response = client.get(PAGE)
    assert response.status_code == 200
    return len(cold.captured_queries), len(warm.captured_queries)


def test_the_page_runs_the_same_queries_for_one_pair_or_three(editor_client):
    pair(0)
    editor_client.get(PAGE)
    one = queries(editor_client)
    pair(1), pair(2)
    assert queries(editor_client) == one
    assert editor_client.get(PAGE).content.decode().count("<article") == 3


def test_a_monitor_proposes_but_cannot_merge_or_keep_apart(monitor_client):
    a, b = pair()
    html = monitor_client.get(PAGE).content.decode()
    assert "Propose as the same event" in html and "Merge…" not in html
    assert monitor_client.post(MERGE, form(a, b, keep=a.pk, confirm="yes")).status_code == 403
    assert monitor_client.post(NOT_SAME, form(a, b, confirm="yes")).status_code == 403
    assert monitor_client.post(PROPOSE, form(a, b, note="Same bazaar")).status_code == 302
    proposal = DuplicatePair.objects.get()
    assert (proposal.decision, proposal.proposed_by.username, proposal.note) == (
        PairDecision.PROPOSED,
        "monitor",
        "Same bazaar",
    )
    assert Incident.objects.filter(status=Status.MERGED).count() == 0
    assert "Proposed as the same event by monitor" in monitor_client.get(PAGE).content.decode()


def test_an_editor_merges_after_a_confirmation(editor_client):
    a, b = pair()
    confirm = editor_client.post(MERGE, form(a, b, keep=b.pk))
    assert confirm.status_code == 200 and f"Merge #{a.pk} into #{b.pk}?" in confirm.content.decode()
    assert Incident.objects.filter(status=Status.MERGED).count() == 0  # nothing yet
    done = editor_client.post(MERGE, form(a, b, keep=b.pk, confirm="yes", note="One attack"), follow=True)
    assert f"Merged: #{a.pk} now lives on in" in done.content.decode()
    a.refresh_from_db()
    assert (a.status, a.merged_into_id) == (Status.MERGED, b.pk)
    assert "No possible duplicates" in done.content.decode()


def test_not_the_same_is_remembered_and_the_pair_never_proposed_again(editor_client):
    a, b = pair()
    confirm = editor_client.post(NOT_SAME, form(a, b))
    assert f"Keep #{a.pk} and #{b.pk} apart?" in confirm.content.decode()
    editor_client.post(NOT_SAME, form(a, b, confirm="yes"))
    assert DuplicatePair.objects.get().decision == PairDecision.NOT_SAME
    assert "No possible duplicates" in editor_client.get(PAGE).content.decode()


def test_bad_input_changes_nothing(editor_client):
    a, b = pair()
    response = editor_client.post(MERGE, {"incident": a.pk, "other": "x", "confirm": "yes"}, follow=True)
    assert "Nothing was changed" in response.content.decode()
    response = editor_client.post(MERGE, form(a, b, keep=999999, confirm="yes"), follow=True)
    assert "Keep one of the two incidents" in response.content.decode()
    assert editor_client.get(MERGE).status_code == 405
    assert not DuplicatePair.objects.exists() and Incident.objects.filter(status=Status.MERGED).count() == 0


def test_posts_need_the_csrf_token(editor):
    a, b = pair()
    client = login(Client(enforce_csrf_checks=True), editor)
    assert client.post(MERGE, form(a, b, keep=a.pk, confirm="yes")).status_code == 403
    assert Incident.objects.filter(status=Status.MERGED).count() == 0
