"""Forms of the staff pages."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from cases import dates
from cases.models import Court, Hearing, HearingOutcome
from core.clock import today
from incidents.models import City
from tracker.versioning import Rows, Version, VersionedFormMixin


class WorklistFilterForm(forms.Form):
    court = forms.ModelChoiceField(
        queryset=Court.objects.all(), required=False, label=_("Court"), empty_label=_("Any court")
    )
    city = forms.ModelChoiceField(
        queryset=City.objects.filter(courts__isnull=False).distinct(),
        to_field_name="slug",
        required=False,
        label=_("City"),
        empty_label=_("Any city"),
        help_text=_("The court's city (for draft incidents, the incident's)."),
    )


class CaseSearchForm(forms.Form):
    q = forms.CharField(
        label=_("Find the case"),
        max_length=200,
        help_text=_("FIR number, case number, court or accused name."),
    )


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


def hearings_version(case) -> Version:
    """What the hearing form shows and may change: every hearing of the case (the one it fills in
    is found by its date only when saved), so a hearing a colleague recorded or corrected since the
    form was opened makes it stale (tracker/versioning.py)."""
    return Version(scope=f"cases.case:{case.pk}", parts=(Rows(Hearing, {"case_id": case.pk}),))


class HearingRecordForm(VersionedFormMixin, forms.ModelForm):
    """One hearing's outcome. Hearing.clean() holds the rules (next date after the date, reason
    only and always when adjourned); this form adds what depends on the case and on today.

    It carries the version of the case's hearings it was opened at (`opened_version`, taken
    before the prefill was read); saving a stale form is refused with what changed and who changed it.

    A next date more than a year after the hearing is kept only with "yes, this date is right"
    ticked (cases/dates.py); a hearing before the case's FIR date is refused by Hearing.clean().
    """

    confirm_next_date = forms.BooleanField(required=False, label=dates.CONFIRM_LABEL, help_text=dates.CONFIRM_HELP)
    field_order = ["date", "purpose", "outcome", "adjournment_reason", "next_date", "confirm_next_date"]

    class Meta:
        model = Hearing
        fields = [
            "date",
            "purpose",
            "outcome",
            "adjournment_reason",
            "next_date",
            "judge",
            "monitor_present",
            "notes",
        ]
        widgets = {
            "date": DateInput(),
            "next_date": DateInput(),
            "notes": forms.Textarea(attrs={"rows": 3}),
        }
        labels = {"purpose": _("Listed for"), "monitor_present": _("A monitor of ours was present")}
        help_texts = {
            "date": _("The day the case was before the court."),
            "purpose": _("The stage the hearing was listed for: when it proceeded, the case moves on to it."),
            "outcome": _("What the court did that day."),
            "monitor_present": "",
            "notes": _("Public: what happened, in a line or two."),
        }

    def __init__(self, *args, case, opened_version: str | None = None, **kwargs):
        self.case = case
        self.edit_version = hearings_version(case)
        self.opened_version = opened_version
        super().__init__(*args, **kwargs)
        self.instance.case = case
        self.fields["outcome"].required = True
        self.fields["outcome"].choices = [("", _("Choose what happened")), *HearingOutcome.choices]
        self.fields["purpose"].choices = [("", _("— (not known)")), *self.fields["purpose"].choices[1:]]
        self.fields["adjournment_reason"].choices = [
            ("", _("— (not adjourned)")),
            *self.fields["adjournment_reason"].choices[1:],
        ]

    def clean(self):
        cleaned = super().clean()
        date, outcome = cleaned.get("date"), cleaned.get("outcome")
        if date and date > today():
            self.add_error("date", _("A hearing cannot be recorded before it has taken place."))
        if (
            date
            and outcome == HearingOutcome.JUDGMENT
            and self.case.cognizance_date
            and date < self.case.cognizance_date
        ):
            self.add_error("date", _("The judgment cannot come before cognizance."))
        if date and self.instance.pk is None:
            done = self.case.hearings.filter(date=date).exclude(outcome="").exists()
            if done:
                self.add_error("date", _("A hearing on this date is already recorded; correct it in the admin."))
        next_date = cleaned.get("next_date")
        if dates.needs_confirmation(date, next_date) and not cleaned.get("confirm_next_date"):
            self.add_error("next_date", dates.far_next_date_message(next_date))
        return cleaned


class NoteForm(forms.Form):
    note = forms.CharField(label=_("Note"), widget=forms.Textarea(attrs={"rows": 3}), max_length=5000)


class RetractForm(forms.Form):
    note = forms.CharField(
        label=_("Public retraction note"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=5000,
        help_text=_("Shown to the public in the corrections log: why the record was withdrawn."),
    )
