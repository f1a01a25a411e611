"""History pages of charges, hearings and appeals whose case is gone answer, never 500."""

import pytest
from django.urls import reverse

from tests.factories import AppealFactory, CaseFactory, ChargeFactory, HearingFactory

pytestmark = pytest.mark.django_db


def test_history_of_children_of_a_deleted_case_answers(superuser_client):
    case = CaseFactory()
    charge = ChargeFactory(case=case)
    hearing = HearingFactory(case=case)
    appeal = AppealFactory(charge=charge)
    ids = {"charge": charge.pk, "hearing": hearing.pk, "appeal": appeal.pk}
    case_id = case.pk
    case.delete()

    for model, pk in ids.items():
        response = superuser_client.get(reverse(f"admin:cases_{model}_history", args=[pk]))
        assert response.status_code in (200, 404), model
    response = superuser_client.get(reverse("admin:cases_case_history", args=[case_id]))
    assert response.status_code == 200
    # The children's rows stay listed on the case's history after the deletion.
    assert b"charge #" in response.content.lower()


def test_history_of_a_changed_charge_of_a_deleted_case(superuser_client):
    case = CaseFactory()
    charge = ChargeFactory(case=case)
    charge.sentence = "Life"
    charge.save()
    charge_id, case_id = charge.pk, case.pk
    case.delete()

    assert superuser_client.get(reverse("admin:cases_case_history", args=[case_id])).status_code == 200
    assert superuser_client.get(reverse("admin:cases_charge_history", args=[charge_id])).status_code in (200, 404)
