"""Merging duplicates (issue 17): what moves, what the public sees and counts, the redirect, races."""

from __future__ import annotations

import csv
import datetime
import threading

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.urls import reverse

from core.models import Correction, Status
from incidents import stats
from incidents.duplicates import find_duplicates
from incidents.importing import get_format, run_import
from incidents.merging import merge
from incidents.models import (
    Attribution,
    AttributionKind,
    CourtRecordCheck,
    DuplicatePair,
    Incident,
    IncidentSource,
    PairDecision,
)
from tests import factories as f
from tests.test_concurrency import run_at_once

from .outlet_file import MAPPING

D = datetime.date
FIRST = [
    ("1", "26/07/2013", "FATA", "Kurram Agency", "Parachinar bazaar", "Suicide attack", "50", "180"),
    ("2", "10/01/2013", "Balochistan", "Quetta", "Alamdar Road", "Suicide attack", "93", "121"),
    ("3", "08/06/2014", "Balochistan", "Taftan", "hotel near the border", "Suicide attack", "30", ""),
]
SECOND = [
    ("a", "27/07/2013", "FATA", "Parachinar", "", "Bomb blast", "58", ""),  # = FIRST 1, a day later
    ("b", "10/01/2013", "Punjab", "Lahore", "", "Firing", "2", "1"),  # the same day as FIRST 2 only
]


def write(path, rows):
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["Ref", "Date", "Province", "City", "Place", "Attack", "Killed", "Injured"])
        writer.writerows(rows)
    return path


@pytest.fixture
def provinces(db):
    fata = f.ProvinceFactory(slug="fata", name="FATA")
    f.ProvinceFactory(slug="balochistan", name="Balochistan", aliases="Baluchistan")
    f.ProvinceFactory(slug="punjab", name="Punjab")
    f.CityFactory(name="Parachinar", slug="parachinar", province=fata, district="Kurram Agency")


def imported(tmp_path, name, rows, title):
    fmt = get_format(mapping={**MAPPING, "source": {"title": title}})
    result = run_import(write(tmp_path / f"{name}.csv", rows), fmt, publish=True)
    assert result.ok, result.errors
    return dict(IncidentSource.objects.filter(source__title=title).values_list("external_id", "incident_id"))


@pytest.mark.django_db
def test_two_overlapping_files_count_the_shared_attack_once_after_merging(provinces, tmp_path, editor, client):
    first = imported(tmp_path, "first", FIRST, "First outlet")
    second = imported(tmp_path, "second", SECOND, "Second outlet")
    public = Incident.objects.public()
    before = {"incidents": 5, "killed": 233, "injured": 302, "killed_unknown": 0, "injured_unknown": 2}
    assert stats.totals(incidents=public) == before
    assert [(m.a.id, m.b.id) for m in find_duplicates()] == [(first["1"], second["a"])]

    merge(first["1"], second["a"], editor, "The same attack in Parachinar, reported a day later.")

    after = {"incidents": 4, "killed": 175, "injured": 302, "killed_unknown": 0, "injured_unknown": 1}
    assert stats.totals(incidents=Incident.objects.public()) == after
    api = client.get(reverse("api:api-statistics")).json()
    assert (api["incidents"], api["killed"], api["injured"]) == (4, 175, 302)
    kept = Incident.objects.get(pk=first["1"])
    figures = {link.source.title: link.reported_killed for link in kept.source_links.select_related("source")}
    assert figures == {"First outlet": 50, "Second outlet": 58}
    assert find_duplicates() == []


@pytest.mark.django_db
def test_merging_moves_sources_attributions_victims_communities_and_cases(editor):
    kept = f.IncidentFactory(killed=None, locality="")
    other = f.IncidentFactory(killed=12, locality="Alamdar Road", province=kept.province)
    f.IncidentSourceFactory(incident=kept, reported_killed=None)
    link = f.IncidentSourceFactory(incident=other, reported_killed=10, reported_killed_max=12)
    lej = f.OrganisationFactory()
    f.AttributionFactory(incident=kept, organisation=lej, kind=AttributionKind.CLAIMED)
    f.AttributionFactory(incident=other, organisation=lej, kind=AttributionKind.CLAIMED)
    f.AttributionFactory(incident=other, organisation=lej, kind=AttributionKind.SUSPECTED)
    victim = f.VictimFactory(incident=other)
    shia = f.CommunityFactory()
    other.communities.set([shia])
    case = f.CaseFactory(incidents=[other])
    check = CourtRecordCheck.objects.create(incident=other, checked_on=D(2013, 1, 1), checked_by=editor)

    merge(kept, other, editor, "One attack reported twice.")

    kept.refresh_from_db()
    other.refresh_from_db()
    link.refresh_from_db()
    assert (link.incident_id, link.attached, link.reported_killed, link.reported_killed_max) == (kept.pk, True, 10, 12)
    assert sorted(Attribution.objects.filter(incident=kept).values_list("kind", flat=True)) == ["claimed", "suspected"]
    assert not Attribution.objects.filter(incident=other).exists()
    victim.refresh_from_db()
    assert victim.incident_id == kept.pk
    assert list(kept.communities.all()) == [shia]
    assert list(case.incidents.all()) == [kept]
    check.refresh_from_db()
    assert check.incident_id == kept.pk
    assert (kept.killed, kept.locality) == (12, "Alamdar Road")  # blanks filled from the other
    assert (other.status, other.merged_into_id) == (Status.MERGED, kept.pk)
    assert kept.history.first().history_change_reason == f"Merged #{other.pk} into this incident"
    assert other.history.first().history_change_reason == f"Merged into #{kept.pk}"
    log = {(c.object_id, c.field, c.old_value) for c in Correction.objects.all()}
    assert log == {(other.pk, "merged into", f"#{other.pk}"), (kept.pk, "killed", "unknown")}
    assert set(Correction.objects.values_list("note", flat=True)) == {"One attack reported twice."}
    pair = DuplicatePair.objects.get()
    assert (pair.decision, pair.decided_by) == (PairDecision.MERGED, editor)


@pytest.mark.django_db
def test_a_draft_kept_over_a_published_duplicate_is_published(editor):
    kept = f.IncidentFactory(status=Status.DRAFT)
    f.IncidentSourceFactory(incident=kept)
    other = f.IncidentFactory(province=kept.province)
    merge(kept, other, editor)
    kept.refresh_from_db()
    assert kept.status == Status.PUBLISHED
    assert Incident.objects.public().count() == 1


@pytest.mark.django_db
def test_two_incidents_citing_one_source_are_refused_and_nothing_changes(editor):
    source = f.SourceFactory(title="Dataset")
    kept, other = f.IncidentFactory(), f.IncidentFactory()
    f.IncidentSourceFactory(incident=kept, source=source, external_id="1")
    f.IncidentSourceFactory(incident=other, source=source, external_id="2")
    with pytest.raises(ValidationError, match="Both incidents cite Dataset"):
        merge(kept, other, editor)
    other.refresh_from_db()
    assert other.status == Status.PUBLISHED and not Correction.objects.exists()


@pytest.mark.django_db
def test_only_editors_merge_and_never_an_incident_into_itself(monitor, editor):
    kept, other = f.IncidentFactory(), f.IncidentFactory()
    with pytest.raises(PermissionDenied):
        merge(kept, other, monitor)
    with pytest.raises(ValidationError, match="into itself"):
        merge(kept, kept, editor)
    assert not Incident.objects.filter(status=Status.MERGED).exists()


@pytest.mark.django_db
def test_a_merged_incident_answers_301_to_the_survivor_on_pages_and_api(client, editor):
    kept, other = f.IncidentFactory(), f.IncidentFactory()
    f.IncidentSourceFactory(incident=kept)
    merge(kept, other, editor)
    page = client.get(reverse("incidents:incident_detail", args=[other.pk]))
    assert (page.status_code, page["Location"]) == (301, reverse("incidents:incident_detail", args=[kept.pk]))
    api = client.get(reverse("api:incident-detail", args=[other.pk]))
    assert (api.status_code, api["Location"]) == (301, reverse("api:incident-detail", args=[kept.pk]))
    listed = client.get(reverse("api:incident-list")).json()
    assert [row["id"] for row in listed["results"]] == [kept.pk]


@pytest.mark.django_db
def test_a_merged_incident_whose_survivor_is_hidden_answers_404_to_the_public(client, editor):
    kept, other = f.IncidentFactory(), f.IncidentFactory()
    f.IncidentSourceFactory(incident=kept)
    merge(kept, other, editor)
    Incident.objects.filter(pk=kept.pk).update(status=Status.RETRACTED)
    assert client.get(reverse("incidents:incident_detail", args=[other.pk])).status_code == 404
    assert client.get(reverse("api:incident-detail", args=[other.pk])).status_code == 404


@pytest.mark.django_db(transaction=True)
def test_two_editors_merging_one_pair_both_ways_at_once_leave_one_incident(editor):
    if connection.vendor != "postgresql":
        pytest.skip("two writers at once need PostgreSQL (SQLite locks the whole database)")
    a, b = f.IncidentFactory(), f.IncidentFactory()
    f.IncidentSourceFactory(incident=a)
    f.IncidentSourceFactory(incident=b)
    start = threading.Barrier(2, timeout=20)

    def job(keep, other):
        def run():
            start.wait()
            merge(keep.pk, other.pk, editor)

        return run

    errors = run_at_once(job(a, b), job(b, a))
    assert len(errors) == 1 and isinstance(errors[0], ValidationError), errors
    statuses = sorted(Incident.objects.values_list("status", flat=True))
    assert statuses == [Status.MERGED, Status.PUBLISHED]
    survivor = Incident.objects.get(status=Status.PUBLISHED)
    assert survivor.source_links.count() == 2
    assert DuplicatePair.objects.get().decision == PairDecision.MERGED
