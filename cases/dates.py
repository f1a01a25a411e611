"""Dates that make sense (issue 14): the rules, their messages, and the rows that break them.

One place for every rule about the order of a case's dates, so the model's `clean()`, the admin
forms, the staff phone form and `check_dates` give the same answer in the same words:

- FIR, cognizance, charge framed, judgment and verdict dates are never in the future
  (`core.clock.today()`), and come in that order: FIR ≤ cognizance ≤ charge framed ≤ judgment,
  verdicts not before cognizance. The same-row orders are also database constraints (Case.Meta).
- An FIR is not dated before its (earliest) incident.
- No hearing before the case's FIR date.
- A next hearing date more than a year after the hearing is kept only when the person entering it
  ticks "yes, this date is right" (`needs_confirmation`): a typo (2031 for 2013) is likelier
  than a one-year adjournment.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from django.utils import formats
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from core.clock import today

CONFIRM_LABEL = _("Yes, this date is right")
CONFIRM_HELP = _("Tick only when the court really fixed the next date more than a year after the hearing.")

# Case dates in the order they must come, with their wording in messages.
CASE_ORDER = (
    ("fir_date", "the FIR"),
    ("cognizance_date", "cognizance"),
    ("charge_framed_date", "the charges were framed"),
    ("judgment_date", "the judgment"),
)
FUTURE_MESSAGES = {
    "fir_date": _("The FIR date cannot be in the future."),
    "cognizance_date": _("The cognizance date cannot be in the future."),
    "charge_framed_date": _("The date the charges were framed cannot be in the future."),
    "judgment_date": _("The judgment date cannot be in the future."),
}
# (later field, earlier field) -> message, checked for each pair of dates that are both set.
ORDER_MESSAGES = {
    ("cognizance_date", "fir_date"): _("Cognizance cannot come before the FIR."),
    ("charge_framed_date", "cognizance_date"): _("Charges cannot be framed before cognizance."),
    ("charge_framed_date", "fir_date"): _("Charges cannot be framed before the FIR."),
    ("judgment_date", "charge_framed_date"): _("The judgment cannot come before the charges were framed."),
    ("judgment_date", "cognizance_date"): _("The judgment cannot come before cognizance."),
    ("judgment_date", "fir_date"): _("The judgment cannot come before the FIR."),
}


def spoken(day: datetime.date) -> str:
    """A date as people write it: "11 January 2013" (the month named in the active language)."""
    return formats.date_format(day, "j F Y")


def one_year_after(day: datetime.date) -> datetime.date:
    """The same day a year later (29 February → 28 February)."""
    try:
        return day.replace(year=day.year + 1)
    except ValueError:
        return day.replace(year=day.year + 1, day=28)


def case_errors(case, incident_dates: Iterable[datetime.date] | None = None) -> dict[str, str]:
    """{field: message} for a case's own dates; `incident_dates` are its incidents' dates, when known."""
    errors: dict[str, str] = {}
    now = today()
    for field, message in FUTURE_MESSAGES.items():
        value = getattr(case, field)
        if value and value > now:
            errors[field] = message
    for (later, earlier), message in ORDER_MESSAGES.items():
        late, early = getattr(case, later), getattr(case, earlier)
        if late and early and late < early and later not in errors:
            errors[later] = message
    earliest = min(incident_dates or (), default=None)
    if case.fir_date and earliest and case.fir_date < earliest and "fir_date" not in errors:
        errors["fir_date"] = gettext("The FIR cannot be dated before its incident (%(date)s).") % {
            "date": spoken(earliest)
        }
    return errors


def hearing_errors(hearing, fir_date: datetime.date | None) -> dict[str, str]:
    """{field: message} for a hearing against its case's FIR date."""
    if hearing.date and fir_date and hearing.date < fir_date:
        return {
            "date": gettext("A hearing cannot be before the case's FIR date (%(date)s).") % {"date": spoken(fir_date)}
        }
    return {}


def needs_confirmation(date: datetime.date | None, next_date: datetime.date | None) -> bool:
    """Whether `next_date` is more than a year after the hearing's `date`."""
    return bool(date and next_date and next_date > one_year_after(date))


def far_next_date_message(next_date: datetime.date) -> str:
    return gettext("%(date)s is more than a year after the hearing: check it, and tick “%(confirm)s” to keep it.") % {
        "date": spoken(next_date),
        "confirm": CONFIRM_LABEL.lower(),
    }


def charge_errors(charge, cognizance_date: datetime.date | None) -> dict[str, str]:
    """{field: message} for a verdict date: not in the future, not before cognizance."""
    day = charge.verdict_date
    if not day:
        return {}
    if day > today():
        return {"verdict_date": gettext("The verdict date cannot be in the future.")}
    if cognizance_date and day < cognizance_date:
        return {
            "verdict_date": gettext("The verdict cannot come before cognizance (%(date)s).")
            % {"date": spoken(cognizance_date)}
        }
    return {}


# --- Existing rows (check_dates) ----------------------------------------------------------------------


@dataclass(frozen=True)
class BadDate:
    """One row breaking one rule: what it is, where to fix it, and the message."""

    kind: str
    pk: int
    label: str
    field: str
    message: str
    admin_url: str


def _admin_url(model, pk) -> str:
    from django.urls import reverse

    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_change", args=[pk])


def bad_dates() -> Iterator[BadDate]:
    """Every case, hearing and charge whose dates break a rule above (what `check_dates` lists).

    Reads the rows in chunks with what each rule needs joined in: a fixed number of queries
    whatever the size of the tables.
    """
    from django.db.models import Min

    from .models import Case, Charge, Hearing

    cases = Case.objects.select_related("court").annotate(first_incident=Min("incidents__date"))
    for case in cases.order_by("pk").iterator(chunk_size=2000):
        dates = [case.first_incident] if case.first_incident else []
        for field, message in case_errors(case, dates).items():
            yield BadDate("case", case.pk, case.title, field, message, _admin_url(Case, case.pk))
    hearings = Hearing.objects.select_related("case__court").filter(case__fir_date__isnull=False)
    for hearing in hearings.order_by("pk").iterator(chunk_size=2000):
        for field, message in hearing_errors(hearing, hearing.case.fir_date).items():
            yield BadDate("hearing", hearing.pk, str(hearing), field, message, _admin_url(Hearing, hearing.pk))
    charges = Charge.objects.select_related("case__court", "accused").filter(verdict_date__isnull=False)
    for charge in charges.order_by("pk").iterator(chunk_size=2000):
        for field, message in charge_errors(charge, charge.case.cognizance_date).items():
            label = f"{charge.accused.public_name} in {charge.case.title}"
            yield BadDate("charge", charge.pk, label, field, message, _admin_url(Charge, charge.pk))
