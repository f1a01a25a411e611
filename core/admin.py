"""The corrections log in the admin: written only by retractions and figure changes, never by hand.

Nobody adds, changes or deletes an entry. A superuser can redact one (the "Redact the text"
action): its texts become "[redacted]" and the redaction is itself logged, with who, when and why,
in `CorrectionRedaction` (read-only, listed here too).
"""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .corrections import redact
from .models import Correction, CorrectionRedaction


class RedactForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Why the text is redacted"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3, "cols": 60}),
        help_text=gettext_lazy("Staff only: kept in the redaction log with your name and the time."),
    )


class RedactionInline(admin.TabularInline):
    model = CorrectionRedaction
    fields = ["redacted_at", "redacted_by", "fields", "reason"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Correction)
class CorrectionAdmin(admin.ModelAdmin):
    """The public corrections log: written by retractions and figure changes, never by hand."""

    list_display = ["created_at", "record_label", "field", "old_value", "new_value", "note", "created_by"]
    list_select_related = ["created_by"]
    search_fields = ["record_label", "note", "field"]
    date_hierarchy = "created_at"
    actions = ["redact_selected"]
    inlines = [RedactionInline]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def has_redact_permission(self, request) -> bool:
        """Redacting the public log is for superusers alone."""
        return request.user.is_active and request.user.is_superuser

    @admin.action(
        description=gettext_lazy("Redact the text of the selected entries (asks why)"), permissions=["redact"]
    )
    def redact_selected(self, request, queryset):
        """Ask why on an intermediate page, then replace the entries' texts with "[redacted]"."""
        form = RedactForm(request.POST if request.POST.get("post") == "yes" else None)
        if not form.is_valid():
            context = {
                **self.admin_site.each_context(request),
                "title": _("Redact the selected corrections log entries"),
                "opts": self.opts,
                "queryset": queryset,
                "form": form,
                "action_checkbox_name": ACTION_CHECKBOX_NAME,
                "action_name": "redact_selected",
            }
            return TemplateResponse(request, "admin/redact_selected.html", context)
        entries = list(queryset)
        for correction in entries:
            redact(correction, request.user, form.cleaned_data["reason"])
        self.message_user(
            request,
            _("Redacted %(count)d entry(ies); each redaction is logged.") % {"count": len(entries)},
            messages.SUCCESS,
        )
        return None


@admin.register(CorrectionRedaction)
class CorrectionRedactionAdmin(admin.ModelAdmin):
    """Who redacted which corrections log entry, when and why: read-only, for superusers."""

    list_display = ["redacted_at", "correction", "fields", "reason", "redacted_by"]
    list_select_related = ["correction", "redacted_by"]

    def has_module_permission(self, request) -> bool:
        return request.user.is_active and request.user.is_superuser

    def has_view_permission(self, request, obj=None) -> bool:
        return request.user.is_active and request.user.is_superuser

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
