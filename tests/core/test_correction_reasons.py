"""Corrections with a reason, named by today's rules, and redaction (issue 14 item 3).

- Changing a published figure in the admin asks for "Reason for the correction"; the reason is the
  public note of the log entry, on /corrections/, in its CSV and in its Atom feed.
- Entries name their record as it is public TODAY: an accused marked juvenile after the entry was
  written, or a record retracted since, never shows its name.
- A superuser redacts an entry's text; the redaction is logged; nobody else can.
"""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse

from cases.models import Case, Charge, Verdict
from core.models import Correction, CorrectionRedaction, Status
from incidents.models import Incident
from tests import factories as f
from tests.admin_forms import admin_url, changeform_data

pytestmark = pytest.mark.django_db
D = datetime.date
REASON_REQUIRED = "Give the reason for the correction: it is shown in the public corrections log."


@pytest.fixture(autouse=True)
def fixed_today(time_machine):
    time_machine.move_to(D(2026, 11, 25))


def public_texts(client) -> dict[str, str]:
    """The corrections page, its CSV and its feed, as text."""
    return {
        "page": client.get("/corrections/").content.decode(),
        "csv": b"".join(client.get("/corrections/?format=csv").streaming_content).decode("utf-8-sig"),
        "feed": client.get("/feeds/corrections/").content.decode(),
    }


def published_incident(**fields) -> Incident:
    incident = f.IncidentFactory(title="Quetta blast", date=D(2013, 1, 10), killed=30, **fields)
    f.IncidentSourceFactory(incident=incident)
    return incident


def test_changing_a_published_figure_asks_for_the_reason(editor_client):
    """The issue's example: killed 30 → 31 with no reason is refused and changes nothing."""
    incident = published_incident()
    url = admin_url(Incident, "change", incident.pk)
    page = editor_client.get(url).content.decode()
    assert '<input type="hidden" name="correction_reason"' in page  # no box until it is needed
    assert '<textarea name="correction_reason"' not in page
    response = editor_client.post(url, changeform_data(editor_client, url, killed="31"))
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["correction_reason"] == [REASON_REQUIRED]
    refused = response.content.decode()
    assert '<textarea name="correction_reason"' in refused and "Reason for the correction" in refused
    incident.refresh_from_db()
    assert incident.killed == 30
    assert not Correction.objects.exists()


def test_the_reason_is_the_public_note_on_the_page_csv_and_feed(client, editor_client):
    incident = published_incident()
    url = admin_url(Incident, "change", incident.pk)
    reason = "The provincial health department's list of 12 January names 31 dead. " * 3  # over 100 characters
    response = editor_client.post(url, changeform_data(editor_client, url, killed="31", correction_reason=reason))
    assert response.status_code == 302
    assert list(Correction.objects.values_list("field", "old_value", "new_value", "note")) == [
        ("killed", "30", "31", reason.strip())
    ]
    texts = public_texts(client)
    for name, text in texts.items():
        assert "names 31 dead." in text, name
    assert f'<a href="/incidents/{incident.pk}/">2013-01-10 Quetta blast</a>' in texts["page"]


def test_no_reason_asked_for_a_change_that_is_no_correction(editor_client):
    """A draft, or a published record's description: no box to fill, nothing logged."""
    incident = published_incident()
    url = admin_url(Incident, "change", incident.pk)
    assert editor_client.post(url, changeform_data(editor_client, url, description="More detail.")).status_code == 302
    draft = f.IncidentFactory(status=Status.DRAFT, killed=3)
    draft_url = admin_url(Incident, "change", draft.pk)
    assert "Reason for the correction" not in editor_client.get(draft_url).content.decode()
    assert editor_client.post(draft_url, changeform_data(editor_client, draft_url, killed="4")).status_code == 302
    assert not Correction.objects.exists()


def test_a_corrected_cognizance_date_asks_for_the_reason(editor_client):
    case = f.CaseFactory(cognizance_date=D(2013, 1, 5))
    url = admin_url(Case, "change", case.pk)
    response = editor_client.post(url, changeform_data(editor_client, url, cognizance_date="2013-01-07"))
    assert response.context["adminform"].form.errors["correction_reason"] == [REASON_REQUIRED]
    data = changeform_data(editor_client, url, cognizance_date="2013-01-07", correction_reason="Court diary checked.")
    assert editor_client.post(url, data).status_code == 302
    assert list(Correction.objects.values_list("field", "note")) == [("cognizance date", "Court diary checked.")]


def test_a_verdict_corrected_on_the_case_form_needs_the_reason_above(editor_client):
    case = f.CaseFactory(cognizance_date=D(2013, 1, 5), judgment_date=D(2014, 1, 1))
    charge = f.ChargeFactory(case=case, verdict=Verdict.CONVICTED, verdict_date=D(2014, 1, 1))
    url = admin_url(Case, "change", case.pk)
    data = changeform_data(editor_client, url, **{"charges-0-verdict": "acquitted"})
    response = editor_client.post(url, data)
    assert response.status_code == 200
    charge.refresh_from_db()
    assert charge.verdict == Verdict.CONVICTED
    assert f"{REASON_REQUIRED} (Fill in “Reason for the correction” above.)" in response.content.decode()
    assert '<textarea name="correction_reason"' in response.content.decode()  # the box is open
    data["correction_reason"] = "Judgment text read: acquitted."
    assert editor_client.post(url, data).status_code == 302
    assert list(Correction.objects.values_list("field", "old_value", "new_value", "note")) == [
        ("verdict", "Convicted", "Acquitted", "Judgment text read: acquitted.")
    ]


def test_a_verdict_corrected_on_the_charge_form_asks_for_the_reason(editor_client):
    case = f.CaseFactory(cognizance_date=D(2013, 1, 5), judgment_date=D(2014, 1, 1))
    charge = f.ChargeFactory(case=case, verdict=Verdict.CONVICTED, verdict_date=D(2014, 1, 1))
    url = admin_url(Charge, "change", charge.pk)
    response = editor_client.post(url, changeform_data(editor_client, url, verdict="acquitted"))
    assert response.context["adminform"].form.errors["correction_reason"] == [REASON_REQUIRED]
    data = changeform_data(editor_client, url, verdict="acquitted", correction_reason="Appeal record read.")
    assert editor_client.post(url, data).status_code == 302
    assert Correction.objects.get().note == "Appeal record read."


# --- Named by today's rules ------------------------------------------------------------------------------


def test_an_accused_marked_juvenile_later_is_never_named(client):
    case = f.CaseFactory(case_number="Special Case 4/2013", cognizance_date=D(2013, 1, 5), judgment_date=D(2014, 1, 1))
    accused = f.AccusedFactory(name="Later Found Minor")
    charge = f.ChargeFactory(case=case, accused=accused, verdict=Verdict.CONVICTED, verdict_date=D(2014, 1, 1))
    charge.verdict, charge._change_reason = Verdict.ACQUITTED, "Judgment re-read."
    charge.save()
    assert "Later Found Minor" in Correction.objects.get().record_label  # stored at the time
    assert all("Later Found Minor" in text for text in public_texts(client).values())
    accused.is_juvenile = True
    accused.save()
    for name, text in public_texts(client).items():
        assert "Later Found Minor" not in text, name
        assert "Juvenile (name withheld)" in text, name


def test_a_record_retracted_since_is_not_named(client, editor):
    incident = published_incident()
    incident.killed, incident._change_reason = 31, "Hospital list."
    incident.save()
    incident.retract(editor, "Same attack as another record.")
    for name, text in public_texts(client).items():
        assert "Quetta blast" not in text, name
        assert "A retracted incident" in text, name
        assert "Same attack as another record." in text, name


def test_the_page_names_records_in_a_constant_number_of_queries(client, django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/corrections/").status_code == 200
            b"".join(client.get("/corrections/?format=csv").streaming_content)
            client.get("/feeds/corrections/")
        return len(queries)

    def correct_some(n):
        for i in range(n):
            case = f.CaseFactory(cognizance_date=D(2013, 1, 5), judgment_date=D(2014, 1, 1))
            charge = f.ChargeFactory(case=case, verdict=Verdict.CONVICTED, verdict_date=D(2014, 1, 1))
            charge.verdict = Verdict.ACQUITTED
            charge.save()
            incident = published_incident()
            incident.killed = 40 + i
            incident.save()

    correct_some(1)
    few = count()
    correct_some(6)
    assert count() == few


# --- Redaction -------------------------------------------------------------------------------------------


def _entry() -> Correction:
    incident = published_incident()
    incident.killed, incident._change_reason = 31, "Named by a relative: Private Person."
    incident.save()
    return Correction.objects.get()


def test_a_superuser_redacts_an_entry_and_the_redaction_is_logged(client, superuser_client, superuser):
    entry = _entry()
    url = admin_url(Correction)
    action = {"action": "redact_selected", "_selected_action": [str(entry.pk)]}
    confirm = superuser_client.post(url, action)
    assert confirm.status_code == 200
    assert "Why the text is redacted" in confirm.content.decode()
    entry.refresh_from_db()
    assert entry.note == "Named by a relative: Private Person."  # nothing changed before the confirmation
    response = superuser_client.post(url, {**action, "post": "yes", "reason": "A private person was named."})
    assert response.status_code == 302
    entry.refresh_from_db()
    assert (entry.record_label, entry.old_value, entry.new_value, entry.note, entry.field) == (
        "[redacted]",
        "[redacted]",
        "[redacted]",
        "[redacted]",
        "killed",
    )
    log = CorrectionRedaction.objects.get()
    assert (log.correction, log.redacted_by, log.reason) == (entry, superuser, "A private person was named.")
    assert log.fields == "record label, old value, new value, note"
    for name, text in public_texts(client).items():
        assert "Private Person" not in text, name
        assert "[redacted]" in text, name


def test_redaction_needs_a_reason(superuser_client):
    entry = _entry()
    action = {"action": "redact_selected", "_selected_action": [str(entry.pk)], "post": "yes", "reason": " "}
    response = superuser_client.post(admin_url(Correction), action)
    assert response.status_code == 200
    assert "Please say why the text is redacted." in response.content.decode()
    entry.refresh_from_db()
    assert entry.note == "Named by a relative: Private Person." and not CorrectionRedaction.objects.exists()


def test_an_editor_cannot_redact(editor_client):
    entry = _entry()
    action = {"action": "redact_selected", "_selected_action": [str(entry.pk)], "post": "yes", "reason": "Because."}
    editor_client.post(admin_url(Correction), action)
    entry.refresh_from_db()
    assert entry.note == "Named by a relative: Private Person." and not CorrectionRedaction.objects.exists()
    assert editor_client.get(reverse("admin:core_correctionredaction_changelist")).status_code == 403


# --- The import's update path ----------------------------------------------------------------------------


def _published_then_corrected(tmp_path, editor):
    """pbc_small.csv imported and published, and a copy of it where S# 3's killed is 14, not 12."""
    from io import StringIO
    from pathlib import Path

    from django.core.management import call_command

    from incidents.importing import get_format, run_import

    call_command("load_seeds", "--no-holidays", stdout=StringIO())
    original = Path(__file__).resolve().parent.parent / "fixtures" / "import" / "pbc_small.csv"
    assert run_import(original, get_format(name="pk-suicide-attacks"), user=editor, publish=True).ok
    assert not Correction.objects.exists()  # publishing new incidents is no correction
    corrected = tmp_path / "pbc.csv"
    text = original.read_bytes().decode("cp1252").replace(",Shiite,10,12,20,25,", ",Shiite,10,14,20,25,")
    corrected.write_bytes(text.encode("cp1252"))
    return corrected


def test_a_reimport_that_changes_a_published_figure_is_logged_with_its_reason(tmp_path, editor, client):
    """The import writes in bulk (no history hook fires): it logs the corrections itself, with the reason given."""
    from incidents.importing import get_format, run_import

    corrected = _published_then_corrected(tmp_path, editor)
    fmt = get_format(name="pk-suicide-attacks")
    dry = run_import(corrected, fmt, user=editor, publish=True, dry_run=True)
    assert (dry.ok, dry.corrected) == (True, 1)  # a dry run needs no reason, and says one will be asked
    assert "the real run needs the reason for the correction" in dry.report()
    assert not Correction.objects.exists()  # a dry run writes nothing, corrections included
    result = run_import(corrected, fmt, user=editor, publish=True, reason="  PBC revised the toll  ")
    assert (result.ok, result.corrected) == (True, 1)
    entry = Correction.objects.get()
    assert (entry.field, entry.old_value, entry.new_value, entry.note, entry.created_by) == (
        "killed",
        "12",
        "14",
        "PBC revised the toll",
        editor,
    )
    assert "PBC revised the toll" in client.get("/corrections/").content.decode()


def test_a_reimport_that_changes_a_published_figure_without_a_reason_writes_nothing(tmp_path, editor):
    from incidents.importing import get_format, run_import

    corrected = _published_then_corrected(tmp_path, editor)
    history = Incident.history.count()
    result = run_import(corrected, get_format(name="pk-suicide-attacks"), user=editor, publish=True, reason=" ")
    assert not result.ok
    assert result.errors == [
        "Row 2 (id 1): this import changes the public figures of a published incident (killed), which is a "
        'correction: give its reason (the command\'s --reason "...", the reason box in the admin); it is shown in '
        "the public corrections log. Nothing was written."
    ]
    assert Incident.objects.filter(killed=14).count() == 0
    assert (Correction.objects.count(), Incident.history.count()) == (0, history)


def test_the_command_refuses_a_correction_without_reason_and_takes_one_with_it(tmp_path, editor):
    from io import StringIO

    from django.core.management import call_command
    from django.core.management.base import CommandError

    corrected = _published_then_corrected(tmp_path, editor)
    out = StringIO()
    with pytest.raises(CommandError, match="nothing was written"):
        call_command(
            "import_incidents", str(corrected), "--format", "pk-suicide-attacks", stdout=out, stderr=StringIO()
        )
    assert 'give its reason (the command\'s --reason "...",' in out.getvalue()
    assert not Correction.objects.exists() and not Incident.objects.filter(killed=14).exists()
    call_command(
        "import_incidents",
        str(corrected),
        "--format=pk-suicide-attacks",
        "--reason=PBC revised the toll",
        stdout=StringIO(),
        stderr=StringIO(),
    )
    assert list(Correction.objects.values_list("field", "new_value", "note")) == [
        ("killed", "14", "PBC revised the toll")
    ]
