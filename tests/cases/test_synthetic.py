"""generate_synthetic: marked, valid, reproducible fictional data, and the banner it triggers."""

import io

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command

from cases import models as cm
from incidents import models as im
from tests.factories import CityFactory, CommunityFactory, OrganisationFactory, ProvinceFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def reference():
    for slug in ["sindh", "balochistan"]:
        province = ProvinceFactory(name=slug.title(), slug=slug)
        CityFactory(name=f"{slug.title()} Town", slug=f"{slug}-town", province=province)
    CommunityFactory(name="Shia", slug="shia")
    CommunityFactory(name="Christian", slug="christian")
    OrganisationFactory(name="Fictional Front", slug="fictional-front")


def run(**options):
    call_command("generate_synthetic", stdout=io.StringIO(), stderr=io.StringIO(), **options)


def test_every_record_is_marked_synthetic(reference):
    run(incidents=200, seed=3)
    assert im.Incident.objects.count() == 200
    assert not im.Incident.objects.filter(is_synthetic=False).exists()
    assert cm.Case.objects.count() == 60
    assert not cm.Case.objects.filter(is_synthetic=False).exists()
    assert not cm.Accused.objects.filter(is_synthetic=False).exists()
    assert not cm.Court.objects.filter(is_synthetic=False).exists()
    assert im.Source.objects.get().is_synthetic


def test_same_seed_gives_same_data(reference):
    run(incidents=50, seed=7)
    first = list(im.Incident.objects.order_by("pk").values_list("date", "killed", "injured", "attack_type"))
    run(delete=True)
    run(incidents=50, seed=7)
    second = list(im.Incident.objects.order_by("pk").values_list("date", "killed", "injured", "attack_type"))
    assert first == second


def test_generated_rows_pass_model_validation(reference):
    run(incidents=150, seed=5)
    for model in [im.Incident, cm.Case, cm.Charge, cm.Hearing, cm.Appeal]:
        for row in model.objects.all()[:400]:
            try:
                row.clean()
            except ValidationError as error:  # pragma: no cover - shows which row broke
                pytest.fail(f"{model.__name__} {row.pk}: {error}")


def test_hearings_follow_the_rules(reference):
    run(incidents=150, seed=9)
    assert cm.Hearing.objects.count() > 0
    # Only adjourned hearings carry a reason; scheduled ones have no next date.
    assert not cm.Hearing.objects.exclude(outcome="adjourned").exclude(adjournment_reason="").exists()
    assert not cm.Hearing.objects.filter(outcome="", next_date__isnull=False).exists()
    decided = cm.Case.objects.filter(judgment_date__isnull=False)
    for case in decided[:50]:
        assert case.hearings.filter(outcome="judgment", date=case.judgment_date).count() == 1


def test_delete_removes_all_synthetic_records_and_keeps_real_ones(reference):
    real = im.Incident.objects.create(title="Real", date="2013-01-10", province=im.Province.objects.first())
    run(incidents=30, seed=1)
    run(delete=True)
    assert list(im.Incident.objects.all()) == [real]
    assert not cm.Case.objects.exists()
    assert not cm.Court.objects.exists()


def test_banner_shows_while_synthetic_data_exists(client, reference):
    assert b"Fictional data." not in client.get("/healthz").content  # not an HTML page: sanity
    assert b"Fictional data." not in client.get("/").content
    run(incidents=5, seed=1)
    assert b"Fictional data." in client.get("/").content


def test_bad_arguments_are_refused(reference):
    with pytest.raises(CommandError, match="at least 1"):
        run(incidents=0)
    with pytest.raises(CommandError, match="between 0 and 1"):
        run(incidents=5, cases_ratio=2)


@pytest.mark.django_db(transaction=True)
def test_on_postgresql_the_tables_are_vacuumed_after_the_load_outside_a_transaction(reference):
    """Outside a transaction the load ends with VACUUM ANALYZE (rows marked visible to all, as
    autovacuum would later); inside one (a caller's, or this file's other tests) with ANALYZE alone."""
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("VACUUM is PostgreSQL's; on SQLite the command analyses nothing")
    err = io.StringIO()
    call_command("generate_synthetic", incidents=20, seed=1, stdout=io.StringIO(), stderr=err)
    assert "Vacuuming and analysing the tables" in err.getvalue()
    with connection.cursor() as cursor:
        cursor.execute("SELECT last_vacuum IS NOT NULL FROM pg_stat_user_tables WHERE relname = 'incidents_incident'")
        assert cursor.fetchone() == (True,)
