"""The corrections log in the admin: read-only, written only by retractions and figure changes."""

from django.contrib import admin

from .models import Correction


@admin.register(Correction)
class CorrectionAdmin(admin.ModelAdmin):
    """The public corrections log: written by retractions and figure changes, never by hand."""

    list_display = ["created_at", "record_label", "field", "old_value", "new_value", "note", "created_by"]
    list_select_related = ["created_by"]
    search_fields = ["record_label", "note", "field"]
    date_hierarchy = "created_at"

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
