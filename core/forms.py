"""The "reason for the correction" every form that can change a published figure asks for (issue 14).

`CorrectionReasonForm` is the base of the admin forms of incidents, cases and charges: when the save
would change one of `core.corrections.CORRECTED_FIELDS` of a published record, the reason is
required, and it becomes the public note of the corrections log entries the save writes.

The box is shown only when it is needed: it is a hidden input until a save changes a public figure
without a reason; that save is refused and the page comes back with the box open (`show_reason`),
which works without JavaScript.
"""

from __future__ import annotations

from django import forms

from .corrections import REASON_HELP, REASON_LABEL, REASON_REQUIRED, corrected_fields, set_reason


def reason_field() -> forms.CharField:
    return forms.CharField(
        label=REASON_LABEL, required=False, max_length=2000, help_text=REASON_HELP, widget=forms.HiddenInput()
    )


def show_reason(form) -> None:
    """Open the reason box of `form` (a hidden input until a correction needs it)."""
    form.fields["correction_reason"].widget = forms.Textarea(attrs={"rows": 2, "cols": 60})


class CorrectionReasonForm(forms.ModelForm):
    """A model form asking for the reason when it corrects a published figure."""

    correction_reason = reason_field()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if (self.data.get(self.add_prefix("correction_reason")) or "").strip():
            show_reason(self)  # given once: keep it in view

    def clean(self):
        data = super().clean()
        if corrected_fields(self.instance, data) and not (data.get("correction_reason") or "").strip():
            show_reason(self)
            self.add_error("correction_reason", REASON_REQUIRED)
        return data

    def save(self, commit=True):
        set_reason(self.instance, self.cleaned_data.get("correction_reason", ""))
        return super().save(commit)
