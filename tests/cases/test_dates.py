"""Dates that make sense (issue 14 item 2): cases/dates.py's rules in clean(), the database, the admin
forms, the staff phone form and `check_dates`, each with its exact message."""

from __future__ import annotations

import datetime
from io import StringIO

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.db import IntegrityError, transaction

from cases.dates import one_year_after
from cases.models import Case, Charge, Hearing, HearingOutcome, Verdict
from tests import factories as f
from tests.admin_forms import admin_url, changeform_data

pytestmark = pytest.mark.django_db
D = datetime.date
TODAY = D(2026, 11, 25)
PHONE = "/staff/hearings/record/"


@pytest.fixture(autouse=True)
def fixed_today(time_machine):
    time_machine.move_to(TODAY)


def errors_of(record) -> dict[str, list[str]]:
    with pytest.raises(ValidationError) as caught:
        record.full_clean()
    return caught.value.message_dict


# --- The case's own dates ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("field", "message"),
    [
        ("fir_date", "The FIR date cannot be in the future."),
        ("cognizance_date", "The cognizance date cannot be in the future."),
        ("charge_framed_date", "The date the charges were framed cannot be in the future."),
        ("judgment_date", "The judgment date cannot be in the future."),
    ],
)
def test_no_case_date_in_the_future(field, message):
    case = f.CaseFactory.build(court=f.CourtFactory(), **{field: D(2026, 11, 26)})
    assert errors_of(case)[field] == [message]
    case = f.CaseFactory.build(court=f.CourtFactory(), **{field: TODAY})
    case.full_clean()  # today itself is fine


@pytest.mark.parametrize(
    ("dates", "field", "message"),
    [
        (
            {"fir_date": D(2013, 1, 11), "cognizance_date": D(2013, 1, 10)},
            "cognizance_date",
            "Cognizance cannot come before the FIR.",
        ),
        (
            {"cognizance_date": D(2013, 2, 1), "charge_framed_date": D(2013, 1, 31)},
            "charge_framed_date",
            "Charges cannot be framed before cognizance.",
        ),
        (
            {"charge_framed_date": D(2013, 3, 1), "judgment_date": D(2013, 2, 28)},
            "judgment_date",
            "The judgment cannot come before the charges were framed.",
        ),
        (
            {"fir_date": D(2013, 3, 1), "judgment_date": D(2013, 2, 28)},
            "judgment_date",
            "The judgment cannot come before the FIR.",
        ),
    ],
)
def test_case_dates_in_order(dates, field, message):
    case = f.CaseFactory.build(court=f.CourtFactory(), **dates)
    assert errors_of(case)[field] == [message]


@pytest.mark.parametrize(
    ("dates", "constraint"),
    [
        ({"fir_date": D(2013, 1, 11), "cognizance_date": D(2013, 1, 10)}, "case_cognizance_not_before_fir"),
        ({"cognizance_date": D(2013, 2, 1), "charge_framed_date": D(2013, 1, 31)}, "case_charge_not_before_cognizance"),
        ({"charge_framed_date": D(2013, 3, 1), "judgment_date": D(2013, 2, 28)}, "case_judgment_not_before_charge"),
    ],
)
def test_the_database_refuses_case_dates_out_of_order(dates, constraint):
    """Same-row orders are CHECK constraints too: a shell or a bulk write cannot store them."""
    with pytest.raises(IntegrityError) as caught, transaction.atomic():
        f.CaseFactory(**dates)
    assert constraint in str(caught.value) or "CHECK" in str(caught.value)
    assert not Case.objects.exists()


def test_fir_not_before_its_earliest_incident():
    case = f.CaseFactory(fir_date=D(2013, 1, 9), incidents=[f.IncidentFactory(date=D(2013, 1, 10))])
    f.IncidentFactory(date=D(2013, 1, 12)).cases.add(case)
    assert errors_of(case)["fir_date"] == ["The FIR cannot be dated before its incident (10 January 2013)."]
    case.fir_date = D(2013, 1, 10)
    case.full_clean()


def test_admin_checks_the_fir_against_the_incidents_chosen_in_the_same_form(editor_client):
    """The incidents of the form, not those saved: adding an incident later than the FIR is refused."""
    case = f.CaseFactory(fir_date=D(2013, 1, 11), status="draft")
    later = f.IncidentFactory(date=D(2013, 1, 12))
    url = admin_url(Case, "change", case.pk)
    response = editor_client.post(url, changeform_data(editor_client, url, incidents=[later.pk]))
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["fir_date"] == [
        "The FIR cannot be dated before its incident (12 January 2013)."
    ]
    assert not case.incidents.exists()


# --- Hearings -------------------------------------------------------------------------------------------


def test_no_hearing_before_the_case_fir_date():
    """The issue's example: a hearing on 1 January 2010 for a case whose FIR is dated 11 January 2013."""
    case = f.CaseFactory(fir_date=D(2013, 1, 11))
    hearing = Hearing(case=case, date=D(2010, 1, 1))
    assert errors_of(hearing)["date"] == ["A hearing cannot be before the case's FIR date (11 January 2013)."]
    Hearing(case=case, date=D(2013, 1, 11)).full_clean()
    Hearing(case=f.CaseFactory(fir_date=None), date=D(2010, 1, 1)).full_clean()  # no FIR date: nothing to compare


def test_one_year_after_keeps_the_day_and_handles_29_february():
    assert one_year_after(D(2013, 1, 10)) == D(2014, 1, 10)
    assert one_year_after(D(2024, 2, 29)) == D(2025, 2, 28)


def _phone_post(client, case, **fields):
    page = client.get(PHONE, {"case": case.pk})
    data = {
        "case": case.pk,
        "record_version": page.context["form"]["record_version"].value(),
        "date": "2026-11-20",
        "purpose": "",
        "outcome": HearingOutcome.ADJOURNED,
        "adjournment_reason": "witness_absent",
        "next_date": "",
        "judge": "",
        "notes": "",
    }
    data.update(fields)
    return client.post(PHONE, data)


def test_phone_form_asks_to_confirm_a_next_date_more_than_a_year_ahead(monitor_client):
    case = f.CaseFactory(cognizance_date=D(2026, 9, 1))
    response = _phone_post(monitor_client, case, next_date="2031-11-21")
    assert response.status_code == 200
    assert response.context["form"].errors["next_date"] == [
        "21 November 2031 is more than a year after the hearing: check it, and tick “yes, this date is right” to keep it."
    ]
    assert not Hearing.objects.exists()
    assert "Yes, this date is right" in response.content.decode()
    response = _phone_post(monitor_client, case, next_date="2031-11-21", confirm_next_date="on")
    assert response.status_code == 302
    assert sorted(Hearing.objects.values_list("date", flat=True)) == [D(2026, 11, 20), D(2031, 11, 21)]


def test_phone_form_takes_a_next_date_exactly_a_year_ahead_without_asking(monitor_client):
    case = f.CaseFactory(cognizance_date=D(2026, 9, 1))
    assert _phone_post(monitor_client, case, next_date="2027-11-20").status_code == 302
    assert Hearing.objects.filter(date=D(2027, 11, 20)).exists()


def test_phone_form_refuses_a_hearing_before_the_fir(monitor_client):
    case = f.CaseFactory(fir_date=D(2026, 11, 21))
    response = _phone_post(monitor_client, case, next_date="2026-12-01")
    assert response.context["form"].errors["date"] == [
        "A hearing cannot be before the case's FIR date (21 November 2026)."
    ]
    assert not Hearing.objects.exists()


def test_admin_hearing_form_asks_to_confirm_a_far_next_date(editor_client):
    hearing = f.HearingFactory(case=f.CaseFactory(), date=D(2026, 11, 20))
    url = admin_url(Hearing, "change", hearing.pk)
    data = changeform_data(
        editor_client, url, outcome="adjourned", adjournment_reason="witness_absent", next_date="2028-01-05"
    )
    response = editor_client.post(url, data)
    assert response.context["adminform"].form.errors["next_date"] == [
        "5 January 2028 is more than a year after the hearing: check it, and tick “yes, this date is right” to keep it."
    ]
    hearing.refresh_from_db()
    assert hearing.next_date is None
    assert editor_client.post(url, {**data, "confirm_next_date": "on"}).status_code == 302
    hearing.refresh_from_db()
    assert hearing.next_date == D(2028, 1, 5)


# --- Verdicts -------------------------------------------------------------------------------------------


def test_verdict_not_in_the_future_nor_before_cognizance():
    case = f.CaseFactory(cognizance_date=D(2013, 2, 1))
    charge = Charge(case=case, accused=f.AccusedFactory(), verdict=Verdict.CONVICTED, verdict_date=D(2026, 11, 26))
    assert errors_of(charge)["verdict_date"] == ["The verdict date cannot be in the future."]
    charge.verdict_date = D(2013, 1, 31)
    assert errors_of(charge)["verdict_date"] == ["The verdict cannot come before cognizance (1 February 2013)."]
    charge.verdict_date = D(2013, 2, 1)
    charge.full_clean()


# --- Rows entered before the rules ----------------------------------------------------------------------


def test_check_dates_lists_every_bad_row_and_fails():
    """Rows the forms now refuse but that are already stored (written round clean()): listed, exit 1."""
    case = f.CaseFactory(case_number="Special Case 9/2013", fir_date=D(2013, 1, 11), court=f.CourtFactory(name="ATC I"))
    case.incidents.add(f.IncidentFactory(date=D(2013, 1, 12)))
    hearing = f.HearingFactory(case=case, date=D(2010, 1, 1))
    future = f.CaseFactory(case_number="Special Case 10/2013", court=case.court, judgment_date=D(2027, 1, 1))
    charge = f.ChargeFactory(
        case=future, accused=f.AccusedFactory(name="Adult"), verdict=Verdict.ACQUITTED, verdict_date=D(2027, 1, 1)
    )
    f.CaseFactory(fir_date=D(2013, 1, 1), cognizance_date=D(2013, 2, 1))  # fine
    out = StringIO()
    with pytest.raises(CommandError, match=r"^4 date\(s\) to fix, listed above\.$"):
        call_command("check_dates", stdout=out)
    assert out.getvalue().splitlines() == [
        f"case #{case.pk} (Special Case 9/2013, ATC I): fir_date: The FIR cannot be dated before its incident "
        f"(12 January 2013). Fix: /admin/cases/case/{case.pk}/change/",
        f"case #{future.pk} (Special Case 10/2013, ATC I): judgment_date: The judgment date cannot be in the future. "
        f"Fix: /admin/cases/case/{future.pk}/change/",
        f"hearing #{hearing.pk} (2010-01-01 Special Case 9/2013, ATC I): date: A hearing cannot be before the case's "
        f"FIR date (11 January 2013). Fix: /admin/cases/hearing/{hearing.pk}/change/",
        f"charge #{charge.pk} (Adult in Special Case 10/2013, ATC I): verdict_date: The verdict date cannot be in the "
        f"future. Fix: /admin/cases/charge/{charge.pk}/change/",
    ]


def test_check_dates_says_so_when_all_is_well():
    f.CaseFactory(fir_date=D(2013, 1, 1), cognizance_date=D(2013, 2, 1))
    out = StringIO()
    call_command("check_dates", stdout=out)
    assert out.getvalue() == "All dates make sense.\n"


def test_migration_stops_with_the_cases_out_of_order():
    """The migration adding the constraints lists the cases that break them instead of keeping them.

    The test database has the constraints already, so the rows out of order are a stand-in queryset."""
    import importlib
    from types import SimpleNamespace

    from django.apps import apps

    migration = importlib.import_module("cases.migrations.0011_offence_source_case_dates_in_order")
    f.CaseFactory(fir_date=D(2013, 1, 1), cognizance_date=D(2013, 2, 1))
    migration.refuse_cases_out_of_order(apps, None)  # nothing out of order: passes

    asked = []

    class OutOfOrder:
        def filter(self, **lookup):
            asked.append(next(iter(lookup)))
            return self

        def values_list(self, *fields, flat=False):
            return self

        def order_by(self, *fields):
            return [7] if asked[-1] == "cognizance_date__lt" else []

    stand_in = SimpleNamespace(get_model=lambda app, name: SimpleNamespace(objects=OutOfOrder()))
    with pytest.raises(RuntimeError) as caught:
        migration.refuse_cases_out_of_order(stand_in, None)
    assert str(caught.value) == (
        "These cases have dates out of order; fix them in the admin (python manage.py check_dates lists them all) "
        "and migrate again:\n  case #7: cognizance before the FIR"
    )
    assert asked == ["cognizance_date__lt", "charge_framed_date__lt", "judgment_date__lt"]
