"""Admin for the cases: what a legal monitor records after each hearing, in a minute.

The Case change form lists the hearings by date with the fields a monitor fills in; saving a
hearing with an outcome records who entered it, creates the next scheduled hearing when it has
a next date (`Hearing.schedule_next`) and moves the case on (`Case.advance_stage`), exactly as
the hearing quick-entry form does. The Case changelist shows the ATA s.19(7) clock
(days and working days since cognizance, working days over the statutory limit) and the last
and next hearing, from annotations plus one holiday query per page: never a query per row.

Roles: monitors add and change cases, charges, hearings, appeals and accused, but cannot
publish, retract or delete (see incidents/admin.py `PublishableAdmin` and tracker/roles.py).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.views.main import ChangeList
from django.db import models
from django.db.models import Max, Min, OuterRef, Subquery
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.clock import today
from core.corrections import REASON_REQUIRED, corrected_fields, is_published, set_reason
from core.forms import CorrectionReasonForm, show_reason
from incidents.admin import HistoryAdmin, PublishableAdmin, PublishableForm, count_of
from tracker.admin_versioning import VersionedAdminMixin

from . import dates
from .document_admin import DocumentInline, record_uploader
from .documents import Document
from .models import Accused, Appeal, Case, Charge, Court, Hearing, Holiday, Offence
from .workdays import WorkingCalendar

SMALL_TEXTAREA = {models.TextField: {"widget": forms.Textarea(attrs={"rows": 2, "cols": 30})}}


def request_today(request) -> datetime.date:
    """One "today" per request, so the annotations and the columns agree."""
    if not hasattr(request, "_tracker_today"):
        request._tracker_today = today()
    return request._tracker_today


@dataclass(frozen=True)
class Clock:
    """What the clock columns need: today and the working calendar, loaded once per page."""

    today: datetime.date
    calendar: WorkingCalendar


def hearing_date(aggregate, **filters):
    """`aggregate` (Max or Min) of the dates of the case's hearings matching `filters` (a correlated subquery).

    An aggregate, not ORDER BY date LIMIT 1: that lets PostgreSQL walk the whole date index per case.
    """
    rows = Hearing.objects.filter(case=OuterRef("pk"), **filters).order_by().values("case")
    return Subquery(rows.annotate(day=aggregate("date")).values("day"))


def save_recorded_hearing(hearing: Hearing, user) -> None:
    """Save a hearing entered in the admin: a recorded outcome remembers who entered it."""
    if hearing.outcome:
        hearing.recorded_by = user
    hearing.save()


def follow_up_hearing(hearing: Hearing) -> Hearing | None:
    """As the hearing quick-entry form does: schedule the next date and move the case on."""
    scheduled = hearing.schedule_next()
    if hearing.outcome:
        hearing.case.advance_stage(hearing)
    return scheduled


class CaseChangeList(ChangeList):
    def get_results(self, request):
        """Give every row of the page the same clock (one holiday query for the page)."""
        super().get_results(request)
        clock = Clock(today=request_today(request), calendar=WorkingCalendar())
        for case in self.result_list:
            case.clock = clock


class CaseAdminForm(PublishableForm):
    """The case form: its FIR is checked against the incidents chosen in the same form."""

    def clean(self):
        incidents = self.cleaned_data.get("incidents")
        if incidents is not None:
            self.instance._incident_dates = [incident.date for incident in incidents]
        return super().clean()


class ChargeInlineFormSet(forms.BaseInlineFormSet):
    """A verdict of a published case corrected on the case's form needs the reason given above it."""

    def clean(self):
        super().clean()
        if (self.data.get("correction_reason") or "").strip():
            return
        for form in self.forms:
            data = getattr(form, "cleaned_data", None)
            if not data or not form.instance.pk or not form.has_changed():
                continue
            # The form's instance holds the new values already: compare with the saved charge.
            saved = Charge.objects.select_related("case").get(pk=form.instance.pk)
            if corrected_fields(saved, data):
                form.add_error(None, f"{REASON_REQUIRED} (Fill in “Reason for the correction” above.)")


class HearingForm(forms.ModelForm):
    """A hearing in the admin: a next date over a year after the hearing needs "yes, this date is right"."""

    confirm_next_date = forms.BooleanField(required=False, label=dates.CONFIRM_LABEL, help_text=dates.CONFIRM_HELP)

    def clean(self):
        data = super().clean()
        next_date = data.get("next_date")
        if dates.needs_confirmation(data.get("date"), next_date) and not data.get("confirm_next_date"):
            self.add_error("next_date", dates.far_next_date_message(next_date))
        return data


class ChargeAdminForm(CorrectionReasonForm):
    """A charge on its own page: a corrected verdict of a published case asks for the reason."""


class ChargeInline(admin.TabularInline):
    model = Charge
    formset = ChargeInlineFormSet
    fields = ["accused", "custody", "verdict", "verdict_date", "sentence_kind", "sentence", "verdict_source"]
    autocomplete_fields = ["accused"]
    formfield_overrides = SMALL_TEXTAREA
    show_change_link = True  # appeals are entered on the charge
    extra = 0

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("accused", "case__court")

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        limit_verdict_sources(formset.form.base_fields, obj)
        return formset


def limit_verdict_sources(fields, case) -> None:
    """A verdict's source is one of its case's documents (none to choose before the case has any)."""
    if "verdict_source" in fields:
        fields["verdict_source"].queryset = Document.objects.filter(case=case) if case else Document.objects.none()


class HearingInline(admin.TabularInline):
    model = Hearing
    form = HearingForm
    fields = [
        "date",
        "purpose",
        "outcome",
        "adjournment_reason",
        "next_date",
        "confirm_next_date",
        "judge",
        "monitor_present",
        "notes",
        "recorded_by",
    ]
    readonly_fields = ["recorded_by"]
    ordering = ["date", "id"]
    formfield_overrides = SMALL_TEXTAREA
    extra = 1

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("case__court", "recorded_by")


@admin.register(Case)
class CaseAdmin(PublishableAdmin):
    form = CaseAdminForm
    list_display = [
        "__str__",
        "stage",
        "status",
        "cognizance_date",
        "days_since_cognizance",
        "working_days",
        "over_statutory_limit",
        "last_hearing",
        "next_hearing",
        "accused_count",
        "hearing_count",
    ]
    list_filter = ["status", "stage", "court"]
    list_select_related = ["court"]
    search_fields = ["case_number", "fir_number", "police_station", "court__name", "incidents__title"]
    date_hierarchy = "cognizance_date"
    autocomplete_fields = ["incidents", "court", "offences", "transferred_to"]
    inlines = [HearingInline, ChargeInline, DocumentInline]
    related_history = ((Hearing, "case_id"), (Charge, "case_id"), (Document, "case_id"))
    fieldsets = [
        (None, {"fields": ["court", "case_number", "incidents", "offences", "stage"]}),
        (gettext_lazy("FIR"), {"fields": ["fir_number", "fir_date", "police_station"], "classes": ["collapse"]}),
        (
            gettext_lazy("Dates (the ATA s.19(7) clock runs from cognizance)"),
            {
                "fields": [
                    "challan_date",
                    "cognizance_date",
                    "charge_framed_date",
                    "judgment_date",
                    "statutory_clock",
                    ("transferred_to", "transferred_on"),
                    "last_verified_on",
                ]
            },
        ),
        (gettext_lazy("Notes"), {"fields": ["public_notes", "confidential_notes"], "classes": ["collapse"]}),
        *PublishableAdmin.publication_fieldsets,
    ]
    formfield_overrides = {models.TextField: {"widget": forms.Textarea(attrs={"rows": 3, "cols": 80})}}

    def get_readonly_fields(self, request, obj=None):
        return ["statutory_clock", *super().get_readonly_fields(request, obj)]

    def render_change_form(self, request, context, *args, **kwargs):
        """A verdict corrected in the charges below without a reason opens the case's reason box."""
        form = context["adminform"].form
        for inline in context.get("inline_admin_formsets", []):
            if any(str(REASON_REQUIRED) in " ".join(f.non_field_errors()) for f in inline.formset.forms):
                show_reason(form)
        return super().render_change_form(request, context, *args, **kwargs)

    def get_changelist(self, request, **kwargs):
        return CaseChangeList

    def get_queryset(self, request):
        today = request_today(request)
        return (
            super()
            .get_queryset(request)
            .annotate(
                accused_count=count_of(Charge, "case"),
                hearing_count=count_of(Hearing, "case"),
                last_hearing=hearing_date(Max, date__lt=today),
                next_hearing=hearing_date(Min, date__gte=today),
            )
        )

    def save_formset(self, request, form, formset, change):
        """Hearings: record who entered an outcome; then schedule each next date (after all rows are saved).
        Charges: a corrected verdict carries the reason given on the case's form."""
        if formset.model is Charge:
            for charge_form in formset.forms:
                set_reason(charge_form.instance, form.cleaned_data.get("correction_reason", ""))
        if formset.model is Document:
            for document_form in formset.forms:
                record_uploader(document_form.instance, request.user)
        if formset.model is not Hearing:
            return super().save_formset(request, form, formset, change)
        hearings = formset.save(commit=False)
        for hearing in formset.deleted_objects:
            hearing.delete()
        for hearing in hearings:
            save_recorded_hearing(hearing, request.user)
        formset.save_m2m()
        for hearing in sorted(hearings, key=lambda h: h.date):
            follow_up_hearing(hearing)
        return None

    @staticmethod
    def _clock(obj) -> Clock:
        return getattr(obj, "clock", None) or Clock(today=today(), calendar=WorkingCalendar())

    @admin.display(description=gettext_lazy("days since cognizance"))
    def days_since_cognizance(self, obj) -> int | None:
        return obj.days_since_cognizance(self._clock(obj).today)

    @admin.display(description=gettext_lazy("working days"))
    def working_days(self, obj) -> int | None:
        clock = self._clock(obj)
        return obj.working_days_since_cognizance(clock.today, calendar=clock.calendar)

    @admin.display(description=gettext_lazy("over limit by"))
    def over_statutory_limit(self, obj) -> int | None:
        if not obj.cognizance_date:
            return None
        clock = self._clock(obj)
        return obj.days_over_statutory_limit(clock.today, calendar=clock.calendar)

    # Not sortable: sorting by a correlated subquery computes it for every case (seconds at 9,000).
    @admin.display(description=gettext_lazy("last hearing"))
    def last_hearing(self, obj):
        return obj.last_hearing

    @admin.display(description=gettext_lazy("next hearing"))
    def next_hearing(self, obj):
        return obj.next_hearing

    @admin.display(description=gettext_lazy("accused"), ordering="accused_count")
    def accused_count(self, obj) -> int:
        return obj.accused_count

    @admin.display(description=gettext_lazy("hearings"), ordering="hearing_count")
    def hearing_count(self, obj) -> int:
        return obj.hearing_count

    @admin.display(description=gettext_lazy("ATA s.19(7) clock"))
    def statutory_clock(self, obj) -> str:
        if obj is None or not obj.pk or not obj.cognizance_date:
            return _("Starts at cognizance.")
        clock = self._clock(obj)
        numbers = {
            "days": obj.days_since_cognizance(clock.today),
            "working": obj.working_days_since_cognizance(clock.today, calendar=clock.calendar),
            "over": obj.days_over_statutory_limit(clock.today, calendar=clock.calendar),
        }
        if obj.judgment_date:
            span = _("%(days)s days, %(working)s working days to the judgment") % numbers
        else:
            span = _("%(days)s days, %(working)s working days to today") % numbers
        if numbers["over"]:
            verdict = _("over the statutory limit by %(over)s working days") % numbers
        else:
            verdict = _("within the statutory limit")
        return _("%(span)s: %(verdict)s.") % {"span": span, "verdict": verdict}


class AppealInline(admin.TabularInline):
    model = Appeal
    fields = ["court", "appellant", "filed_on", "decided_on", "outcome"]
    autocomplete_fields = ["court"]
    extra = 0

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("court")


@admin.register(Charge)
class ChargeAdmin(HistoryAdmin):
    lock_first = ("case",)  # the case's form edits charges too
    form = ChargeAdminForm
    list_display = ["accused", "case", "custody", "verdict", "verdict_date", "sentence_kind", "appeal_count"]
    list_filter = ["verdict", "custody", "sentence_kind", "case__court"]
    list_select_related = ["accused", "case__court"]
    search_fields = ["accused__name", "case__case_number", "case__fir_number"]
    date_hierarchy = "verdict_date"
    autocomplete_fields = ["case", "accused"]
    inlines = [AppealInline]
    related_history = ((Appeal, "charge_id"),)

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(appeal_count=count_of(Appeal, "charge"))

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        limit_verdict_sources(form.base_fields, obj.case if obj else None)
        return form

    def get_fields(self, request, obj=None):
        """The "reason for the correction" box only on a charge of a published case."""
        fields = super().get_fields(request, obj)
        if obj is None or not is_published(obj):
            fields = [name for name in fields if name != "correction_reason"]
        return fields

    @admin.display(description=gettext_lazy("appeals"), ordering="appeal_count")
    def appeal_count(self, obj) -> int:
        return obj.appeal_count


@admin.register(Hearing)
class HearingAdmin(HistoryAdmin):
    lock_first = ("case",)  # the case's form and the phone form edit hearings too
    list_display = [
        "date",
        "case",
        "court_shown",
        "purpose",
        "outcome",
        "adjournment_reason",
        "next_date",
        "monitor_present",
        "recorded_by",
    ]
    list_filter = ["outcome", "adjournment_reason", "monitor_present", "case__court"]
    list_select_related = ["case__court", "court", "recorded_by"]
    search_fields = ["case__case_number", "case__fir_number", "judge", "notes"]
    date_hierarchy = "date"
    autocomplete_fields = ["case", "court"]
    readonly_fields = ["recorded_by"]
    form = HearingForm
    fields = [
        "case",
        "date",
        "court",
        "judge",
        "purpose",
        "outcome",
        "adjournment_reason",
        "next_date",
        "confirm_next_date",
        "monitor_present",
        "notes",
        "recorded_by",
    ]
    formfield_overrides = {models.TextField: {"widget": forms.Textarea(attrs={"rows": 3, "cols": 60})}}

    @admin.display(description=gettext_lazy("court"))
    def court_shown(self, obj):
        return obj.effective_court

    def save_model(self, request, obj, form, change):
        save_recorded_hearing(obj, request.user)
        scheduled = follow_up_hearing(obj)
        if scheduled is not None:
            self.message_user(
                request,
                _("Next hearing scheduled for %(date)s.") % {"date": date_format(scheduled.date, "d F Y")},
                messages.INFO,
            )


@admin.register(Appeal)
class AppealAdmin(HistoryAdmin):
    lock_first = ("charge__case", "charge")  # the charge's form edits appeals too
    list_display = ["charge", "court", "appellant", "filed_on", "decided_on", "outcome"]
    list_filter = ["outcome", "appellant", "court"]
    list_select_related = ["charge__accused", "charge__case__court", "court"]
    search_fields = ["charge__accused__name", "charge__case__case_number", "court__name"]
    date_hierarchy = "filed_on"
    autocomplete_fields = ["charge", "court"]


@admin.register(Accused)
class AccusedAdmin(HistoryAdmin):
    list_display = ["name", "affiliation", "is_juvenile", "charge_count"]
    list_filter = ["is_juvenile", "affiliation"]
    list_select_related = ["affiliation"]
    search_fields = ["name", "aliases"]
    autocomplete_fields = ["affiliation"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(charge_count=count_of(Charge, "accused"))

    @admin.display(description=gettext_lazy("cases"), ordering="charge_count")
    def charge_count(self, obj) -> int:
        return obj.charge_count


# Reference lists: editors change them, monitors see them read-only (group permissions).
@admin.register(Court)
class CourtAdmin(VersionedAdminMixin, admin.ModelAdmin):
    list_display = ["name", "kind", "city", "case_count"]
    list_filter = ["kind"]
    list_select_related = ["city"]
    search_fields = ["name", "city__name"]
    autocomplete_fields = ["city"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(case_count=count_of(Case, "court"))

    @admin.display(description=gettext_lazy("cases"), ordering="case_count")
    def case_count(self, obj) -> int:
        return obj.case_count


@admin.register(Offence)
class OffenceAdmin(VersionedAdminMixin, admin.ModelAdmin):
    list_display = ["code", "title"]
    search_fields = ["code", "title"]


@admin.register(Holiday)
class HolidayAdmin(VersionedAdminMixin, admin.ModelAdmin):
    list_display = ["date", "name"]
    search_fields = ["name"]
    date_hierarchy = "date"
