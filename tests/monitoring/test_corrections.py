"""The corrections log: one hook, every changed public figure of a published record, nothing else."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse

from cases.models import Verdict
from core.corrections import record_changes
from core.models import Correction, Status
from tests import factories as f

pytestmark = pytest.mark.django_db
D = datetime.date


def _log():
    return list(Correction.objects.order_by("id").values_list("field", "old_value", "new_value", "note"))


def test_changing_killed_on_a_published_incident_logs_old_and_new(editor):
    incident = f.IncidentFactory(title="Market bombing", killed=5, injured=2)
    incident._history_user = editor
    incident._change_reason = "Hospital list revised"
    incident.killed = 7
    incident.save()
    assert _log() == [("killed", "5", "7", "Hospital list revised")]
    correction = Correction.objects.get()
    assert correction.object_id == incident.pk
    assert correction.record_url == incident.get_absolute_url()
    assert correction.created_by == editor


def test_unknown_figure_is_written_as_unknown():
    incident = f.IncidentFactory(killed=None)
    incident.killed = 3
    incident.save()
    assert _log() == [("killed", "unknown", "3", "")]


def test_two_figures_changed_in_one_save_give_two_rows():
    incident = f.IncidentFactory(killed=5, injured=2)
    incident.killed, incident.injured = 6, None
    incident.save()
    assert _log() == [("killed", "5", "6", ""), ("injured", "2", "unknown", "")]


def test_editing_a_draft_or_a_non_figure_logs_nothing():
    draft = f.IncidentFactory(killed=5, status=Status.DRAFT)
    draft.killed = 9
    draft.save()
    published = f.IncidentFactory(killed=5)
    published.title = "Better title"
    published.description = "More detail"
    published.save()
    assert _log() == []


def test_publishing_a_draft_is_not_a_correction():
    incident = f.IncidentFactory(killed=5, status=Status.DRAFT)
    incident.status = Status.PUBLISHED
    incident.killed = 6
    incident.save()
    assert _log() == []


def test_moving_cognizance_of_a_published_case_is_a_correction_filling_judgment_is_not():
    case = f.CaseFactory(cognizance_date=D(2013, 1, 7))
    case.cognizance_date = D(2013, 1, 8)
    case.save()
    case.judgment_date = D(2014, 2, 3)
    case.save()
    assert _log() == [("cognizance date", "2013-01-07", "2013-01-08", "")]


def test_a_changed_verdict_is_logged_under_the_public_name():
    charge = f.ChargeFactory(accused=f.AccusedFactory(name="Secret Minor", is_juvenile=True))
    charge.verdict, charge.verdict_date = Verdict.CONVICTED, D(2014, 2, 3)
    charge.save()
    assert _log() == []  # pending → convicted: the trial moved on
    charge.verdict = Verdict.ACQUITTED
    charge.save()
    correction = Correction.objects.get()
    assert (correction.field, correction.old_value, correction.new_value) == ("verdict", "Convicted", "Acquitted")
    assert "Secret Minor" not in correction.record_label
    assert "Juvenile (name withheld)" in correction.record_label
    assert correction.record_url == charge.case.get_absolute_url()


def test_charge_of_a_draft_case_logs_nothing():
    charge = f.ChargeFactory(
        case=f.CaseFactory(status=Status.DRAFT), verdict=Verdict.CONVICTED, verdict_date=D(2014, 2, 3)
    )
    charge.verdict = Verdict.ACQUITTED
    charge.save()
    assert _log() == []


def test_record_changes_compares_two_instances_directly():
    old = f.IncidentFactory(killed=1, date=D(2012, 3, 10))
    new = f.IncidentFactory.build(pk=old.pk, killed=1, date=D(2012, 3, 11), province=old.province)
    rows = record_changes(old, new, None, "Date from the FIR", instance=old)
    assert [(r.field, r.old_value, r.new_value, r.note) for r in rows] == [
        ("date", "2012-03-10", "2012-03-11", "Date from the FIR")
    ]


def test_retraction_logs_one_entry_with_the_public_note(editor):
    incident = f.IncidentFactory(killed=5)
    incident.retract(editor, "Duplicate of another record.")
    assert _log() == [("", "", "", "Duplicate of another record.")]


def _admin_post_data(response) -> dict:
    """The admin change form's current values, as the browser would post them back."""
    data = {}
    forms = [response.context["adminform"].form]
    for formset in response.context["inline_admin_formsets"]:
        management = formset.formset.management_form
        for name, field in management.fields.items():
            data[f"{management.prefix}-{name}"] = management.initial.get(name, field.initial)
        forms.extend(formset.formset.forms)
    for form in forms:
        for name, field in form.fields.items():
            value = form.initial.get(name, field.initial)
            if value is None:
                continue
            if hasattr(value, "pk"):
                value = value.pk
            if isinstance(value, list | tuple) or hasattr(value, "__iter__") and not isinstance(value, str):
                value = [getattr(v, "pk", v) for v in value]
            if isinstance(value, bool):
                if value:
                    data[form.add_prefix(name)] = "on"
                continue
            data[form.add_prefix(name)] = value
    return data


def test_changing_killed_via_the_admin_creates_one_correction(editor_client):
    incident = f.IncidentFactory(title="Market bombing", killed=5, injured=2)
    f.IncidentSourceFactory(incident=incident)
    url = reverse("admin:incidents_incident_change", args=[incident.pk])
    data = _admin_post_data(editor_client.get(url))
    data["killed"] = 7
    data["correction_reason"] = "Hospital list revised."  # asked for since issue 14
    response = editor_client.post(url, data)
    assert response.status_code == 302, response.context and response.context["adminform"].form.errors
    incident.refresh_from_db()
    assert incident.killed == 7
    assert _log() == [("killed", "5", "7", "Hospital list revised.")]
    assert Correction.objects.get().created_by.username == "editor"
