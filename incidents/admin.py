"""Admin for data entry on incidents, with the roles of DESIGN.md "Who sees what" enforced here.

- Legal monitors add and change incidents (and their sources, attributions and victims) only
  while the incident is a draft; their new incidents are always drafts; they cannot publish,
  retract or delete, and see the reference lists read-only (their group has view permission only).
- Publishing and retracting need `incidents.publish_incident` (editors, superusers): the admin
  actions and the status field both go through `PublishableModel.publish()` / `retract()`.
- Every change is kept by django-simple-history and shown on each record's History page.
  Reverting from the history page is disabled: it would bypass these rules.

`PublishableAdmin` is shared with cases/admin.py.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.db.models import Count, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.forms.models import BaseInlineFormSet
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from simple_history.admin import SimpleHistoryAdmin

from core.forms import CorrectionReasonForm
from core.models import Status
from tracker.admin_errors import SafeAutocompleteAdminMixin
from tracker.admin_versioning import VersionedAdminMixin
from tracker.roles import can_change_source, can_edit_incident, can_publish

from .models import Attribution, City, Community, Incident, IncidentSource, Organisation, Province, Source, Victim


def count_of(model, fk: str, **filters):
    """Per-row count of the `model` rows whose `fk` points at the outer row (0 when none).

    A correlated subquery rather than Count() over a join: the database works it out only for
    the rows of the page shown, and the paginator's COUNT(*) leaves it out.
    """
    rows = model._default_manager.filter(**{fk: OuterRef("pk")}, **filters).order_by().values(fk)
    return Coalesce(Subquery(rows.annotate(n=Count("pk")).values("n")), 0)


# The title of the publication fieldset, found by it in get_fieldsets (a lazy string equals itself in
# every language).
PUBLICATION = gettext_lazy("Publication")

# Status changes the status field allows; anything else is refused with a message.
ALLOWED_TRANSITIONS = {
    (Status.DRAFT, Status.PUBLISHED),
    (Status.PUBLISHED, Status.RETRACTED),
    (Status.RETRACTED, Status.PUBLISHED),
}


class HistoryAdmin(SafeAutocompleteAdminMixin, VersionedAdminMixin, SimpleHistoryAdmin):
    """History (who, when, what) of every change; viewing only, no revert from the history page.

    A change form opened before a colleague's save is refused, naming their change (no lost edits:
    tracker/admin_versioning.py).

    `related_history` lists the children edited inline, as (model, lookup to this record's id):
    their changes are shown on this record's History page too, so one page tells the whole story.
    """

    object_history_template = "admin/history_with_related.html"
    related_history: tuple[tuple[type[models.Model], str], ...] = ()

    def revert_disabled(self, request, obj=None) -> bool:
        return True

    def history_view(self, request, object_id, extra_context=None):
        context = {"related_changes": self.related_changes(object_id), **(extra_context or {})}
        return super().history_view(request, object_id, context)

    def related_changes(self, object_id) -> list[dict]:
        """Every historical row of the children, newest first, with the fields each change touched.

        One query per child model; the diffs are made in Python between consecutive rows of the
        same child (no query per row).
        """
        changes = []
        if not str(object_id).isdigit():
            return changes
        for model, lookup in self.related_history:
            records = model.history.filter(**{lookup: object_id}).select_related("history_user")
            previous = {}
            for record in records.order_by("history_date", "history_id"):
                before = previous.get(record.id)
                fields = []
                if before is not None and record.history_type == "~":
                    delta = record.diff_against(before, foreign_keys_are_objs=False)
                    changed = set(delta.changed_fields)
                    fields = [str(f.verbose_name) for f in model._meta.concrete_fields if f.name in changed]
                previous[record.id] = record
                changes.append(
                    {
                        "record": record,
                        "label": f"{model._meta.verbose_name} #{record.id}",
                        "history_url": reverse(
                            f"admin:{model._meta.app_label}_{model._meta.model_name}_history", args=[record.id]
                        ),
                        "fields": fields,
                    }
                )
        changes.sort(key=lambda change: (change["record"].history_date, change["record"].history_id), reverse=True)
        return changes

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        if request.method == "POST":
            raise PermissionDenied(_("Reverting from the history page is disabled: edit the record instead."))
        return super().history_form_view(request, object_id, version_id, extra_context)


class PublishableForm(CorrectionReasonForm):
    """Checks a change of status made in the form (the field exists only for publishers), and asks
    for the reason when a published figure changes (core/forms.py)."""

    def clean(self):
        data = super().clean()
        if "status" not in self.fields or "status" not in data:
            return data
        old = self.instance.status if self.instance.pk else Status.DRAFT
        new = data["status"]
        if old != new and (old, new) not in ALLOWED_TRANSITIONS:
            if old == Status.PUBLISHED and new == Status.DRAFT:
                message = _("A published record cannot go back to draft: retract it with a public note instead.")
            elif Status.MERGED in (old, new):
                message = _("Duplicates are merged on the staff duplicates page, and a merged record stays merged.")
            else:
                message = _("Only a published record can be retracted.")
            self.add_error("status", message)
        elif new == Status.RETRACTED and old != new and not (data.get("retraction_note") or "").strip():
            self.add_error("retraction_note", _("Give a public note saying why the record is retracted."))
        return data


class RetractForm(forms.Form):
    note = forms.CharField(
        label=gettext_lazy("Public retraction note"),
        widget=forms.Textarea(attrs={"rows": 4, "cols": 60}),
        help_text=gettext_lazy("Shown to the public in the corrections log: say why the record is withdrawn."),
    )


class PublishableAdmin(HistoryAdmin):
    """Incidents and cases: status, publishing, retracting, and who created or changed a record."""

    form = PublishableForm
    actions = ["publish_selected", "retract_selected"]
    bookkeeping_fields = ("published_at", "retracted_at", "created_by", "created_at", "updated_by", "updated_at")
    publisher_fields = ("status", "retraction_note", "review_note")
    publication_fieldsets = [
        (PUBLICATION, {"fields": publisher_fields}),
        (gettext_lazy("Who and when"), {"fields": bookkeeping_fields, "classes": ["collapse"]}),
    ]

    def has_publish_permission(self, request) -> bool:
        return can_publish(request.user, self.opts.app_label)

    def get_readonly_fields(self, request, obj=None):
        fields = [*super().get_readonly_fields(request, obj), *self.bookkeeping_fields]
        if not self.has_publish_permission(request):
            fields += self.publisher_fields
        return fields

    def get_fieldsets(self, request, obj=None):
        """A published record's change form also has the "reason for the correction" box, before
        Publication: hidden until a save changes a public figure without one (core/forms.py)."""
        fieldsets = list(super().get_fieldsets(request, obj))
        if obj is None or obj.status != Status.PUBLISHED or not self.has_change_permission(request, obj):
            return fieldsets
        names = [name for name, _options in fieldsets]
        at = names.index(PUBLICATION) if PUBLICATION in names else len(fieldsets)
        return [*fieldsets[:at], (None, {"fields": ["correction_reason"]}), *fieldsets[at:]]

    def save_model(self, request, obj, form, change):
        """Record who; a status change is applied after the inlines are saved (see save_related)."""
        old = type(obj).objects.filter(pk=obj.pk).values_list("status", flat=True).first() if change else None
        old = old or Status.DRAFT
        if obj.status != old and self.has_publish_permission(request):
            obj._status_requested = obj.status
        obj.status = old  # never changed here: publish()/retract() below do it, with their checks
        if not change:
            obj.created_by = request.user
        obj.updated_by = request.user
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        obj = form.instance
        requested = getattr(obj, "_status_requested", None)
        try:
            if requested == Status.PUBLISHED:
                obj.publish(request.user)
            elif requested == Status.RETRACTED:
                obj.retract(request.user, obj.retraction_note)
        except ValidationError as error:
            self.message_user(
                request, _("Status not changed: %(reason)s") % {"reason": " ".join(error.messages)}, messages.ERROR
            )

    @admin.action(description=gettext_lazy("Publish the selected records"), permissions=["publish"])
    def publish_selected(self, request, queryset):
        published, refused = 0, []
        for obj in queryset:
            if obj.status == Status.PUBLISHED:
                continue
            try:
                obj.publish(request.user)
                published += 1
            except ValidationError as error:
                refused.extend(error.messages)
        if published:
            self.message_user(request, _("Published %(count)d record(s).") % {"count": published}, messages.SUCCESS)
        if refused:
            self.message_user(request, _("Not published: %(reason)s") % {"reason": " ".join(refused)}, messages.ERROR)

    @admin.action(
        description=gettext_lazy("Retract the selected records (asks for a public note)"), permissions=["publish"]
    )
    def retract_selected(self, request, queryset):
        """Ask for the public note on an intermediate page, then retract the published records selected."""
        form = RetractForm(request.POST if request.POST.get("post") == "yes" else None)
        if not form.is_valid():
            context = {
                **self.admin_site.each_context(request),
                "title": _("Retract the selected records"),
                "opts": self.opts,
                "queryset": queryset,
                "form": form,
                "action_checkbox_name": ACTION_CHECKBOX_NAME,
                "action_name": "retract_selected",
            }
            return TemplateResponse(request, "admin/retract_selected.html", context)
        retracted = 0
        for obj in queryset.filter(status=Status.PUBLISHED):
            obj.retract(request.user, form.cleaned_data["note"])
            retracted += 1
        skipped = queryset.count() - retracted
        self.message_user(
            request, _("Retracted %(count)d record(s); each is listed in the corrections log.") % {"count": retracted}
        )
        if skipped:
            self.message_user(
                request, _("%(count)d record(s) were not published and were left as they were.") % {"count": skipped}
            )
        return None


# Reference lists: editors change them, monitors see them read-only (group permissions).
@admin.register(Province)
class ProvinceAdmin(VersionedAdminMixin, admin.ModelAdmin):
    list_display = ["name", "name_ur", "slug"]
    search_fields = ["name", "name_ur", "slug", "aliases"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(City)
class CityAdmin(VersionedAdminMixin, admin.ModelAdmin):
    list_display = ["name", "name_ur", "province", "district"]
    list_filter = ["province"]
    list_select_related = ["province"]
    search_fields = ["name", "name_ur", "slug", "aliases", "district"]
    autocomplete_fields = ["province"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Community)
class CommunityAdmin(VersionedAdminMixin, admin.ModelAdmin):
    list_display = ["name", "name_ur", "slug"]
    search_fields = ["name", "name_ur", "slug", "aliases"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Organisation)
class OrganisationAdmin(VersionedAdminMixin, admin.ModelAdmin):
    list_display = [
        "name",
        "name_ur",
        "abbreviation",
        "proscribed",
        "proscribed_on",
        "proscription_verified",
        "umbrella",
    ]
    list_filter = ["proscribed", "proscription_verified"]
    list_select_related = ["umbrella"]
    search_fields = ["name", "name_ur", "slug", "abbreviation", "aliases"]
    autocomplete_fields = ["umbrella"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Source)
class SourceAdmin(HistoryAdmin):
    list_display = ["title", "publisher", "published_on", "incident_count"]
    search_fields = ["title", "publisher", "url", "citation"]
    date_hierarchy = "published_on"

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(incident_count=count_of(IncidentSource, "source"))

    @admin.display(description=gettext_lazy("incidents"), ordering="incident_count")
    def incident_count(self, obj) -> int:
        return obj.incident_count

    def has_change_permission(self, request, obj=None) -> bool:
        """Monitors may change a source only while no published or retracted incident cites it,
        by a source link or by an attribution (tracker.roles.can_change_source)."""
        return super().has_change_permission(request, obj) and can_change_source(request.user, obj)


# Children of an incident: monitors add and change them only while the incident is a draft.
class DraftIncidentChildMixin:
    """Permissions of a model hanging off an incident (inline: `obj` is the incident; else the child)."""

    def _incident(self, obj):
        return obj if obj is None or isinstance(obj, Incident) else obj.incident

    def has_add_permission(self, request, obj=None) -> bool:
        return super().has_add_permission(request, *([obj] if self._is_inline() else [])) and (
            can_edit_incident(request.user, self._incident(obj))
        )

    def has_change_permission(self, request, obj=None) -> bool:
        return super().has_change_permission(request, obj) and can_edit_incident(request.user, self._incident(obj))

    def has_delete_permission(self, request, obj=None) -> bool:
        return super().has_delete_permission(request, obj) and can_edit_incident(request.user, self._incident(obj))

    def _is_inline(self) -> bool:
        return isinstance(self, admin.options.InlineModelAdmin)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        """Monitors can attach a source, attribution or victim to a draft incident only."""
        if db_field.name == "incident" and not can_publish(request.user):
            kwargs["queryset"] = Incident.objects.filter(status=Status.DRAFT)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class IncidentSourceFormSet(BaseInlineFormSet):
    def clean(self):
        """A published incident keeps at least one source (checked before anything is saved)."""
        super().clean()
        if self.instance.status != Status.PUBLISHED:
            return
        kept = [
            form
            for form in self.forms
            if getattr(form, "cleaned_data", None)
            and form.cleaned_data.get("source")
            and not self._should_delete_form(form)
        ]
        if not kept:
            raise ValidationError(_("A published incident needs at least one source: add one here."))


class IncidentSourceInline(DraftIncidentChildMixin, admin.TabularInline):
    model = IncidentSource
    formset = IncidentSourceFormSet
    verbose_name = gettext_lazy("source")
    verbose_name_plural = gettext_lazy("sources, each with its own figures")
    fields = [
        "source",
        "reported_killed",
        "reported_killed_max",
        "reported_injured",
        "reported_injured_max",
        "note",
        "external_id",
    ]
    autocomplete_fields = ["source"]
    extra = 1
    formfield_overrides = {models.TextField: {"widget": forms.Textarea(attrs={"rows": 2, "cols": 30})}}


class AttributionInline(DraftIncidentChildMixin, admin.TabularInline):
    model = Attribution
    fields = ["organisation", "kind", "source"]
    autocomplete_fields = ["organisation", "source"]
    extra = 0


class VictimInline(DraftIncidentChildMixin, admin.TabularInline):
    model = Victim
    fields = ["name", "is_public", "age", "gender", "community", "occupation", "outcome"]
    autocomplete_fields = ["community"]
    extra = 0


@admin.register(Incident)
class IncidentAdmin(PublishableAdmin):
    list_display = ["title", "date", "province", "city", "attack_type", "killed", "injured", "status", "source_count"]
    list_filter = ["status", "attack_type", "province", "communities"]
    list_select_related = ["province", "city"]
    search_fields = ["title", "locality", "description", "city__name", "province__name"]
    date_hierarchy = "date"
    autocomplete_fields = ["province", "city", "communities"]
    inlines = [IncidentSourceInline, AttributionInline, VictimInline]
    related_history = ((IncidentSource, "incident_id"), (Attribution, "incident_id"), (Victim, "incident_id"))
    fieldsets = [
        (None, {"fields": ["title", "date", "attack_type", "communities", "killed", "injured", "description"]}),
        (gettext_lazy("Place"), {"fields": ["province", "city", "locality", ("latitude", "longitude")]}),
        (gettext_lazy("Court record"), {"fields": ["court_record_checked_on"]}),
        *PublishableAdmin.publication_fieldsets,
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(source_count=count_of(IncidentSource, "incident"))

    @admin.display(description=gettext_lazy("sources"), ordering="source_count")
    def source_count(self, obj) -> int:
        return obj.source_count

    def has_change_permission(self, request, obj=None) -> bool:
        return super().has_change_permission(request, obj) and can_edit_incident(request.user, obj)


@admin.register(IncidentSource)
class IncidentSourceAdmin(DraftIncidentChildMixin, HistoryAdmin):
    list_display = ["incident", "source", "reported_killed", "reported_killed_max", "reported_injured", "external_id"]
    lock_first = ("incident",)  # the incident's form edits these rows too
    list_select_related = ["incident", "source"]
    search_fields = ["incident__title", "source__title", "external_id", "note"]
    autocomplete_fields = ["incident", "source"]


@admin.register(Attribution)
class AttributionAdmin(DraftIncidentChildMixin, HistoryAdmin):
    list_display = ["incident", "organisation", "kind", "source"]
    lock_first = ("incident",)
    list_filter = ["kind"]
    list_select_related = ["incident", "organisation", "source"]
    search_fields = ["incident__title", "organisation__name", "organisation__abbreviation"]
    autocomplete_fields = ["incident", "organisation", "source"]


@admin.register(Victim)
class VictimAdmin(DraftIncidentChildMixin, HistoryAdmin):
    list_display = ["__str__", "name", "incident", "outcome", "gender", "age", "community"]
    lock_first = ("incident",)
    list_filter = ["outcome", "gender", "is_public"]
    list_select_related = ["incident", "community"]
    search_fields = ["name", "incident__title", "occupation"]
    autocomplete_fields = ["incident", "community"]
