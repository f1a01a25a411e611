from django.contrib import admin
from django.utils.translation import gettext_lazy

from .models import CalendarToken


@admin.register(CalendarToken)
class CalendarTokenAdmin(admin.ModelAdmin):
    list_display = ["user", "created_at", "revoked_at"]
    list_filter = ["revoked_at"]
    readonly_fields = ["user", "created_at", "revoked_at"]
    actions = ["revoke"]

    def has_add_permission(self, request) -> bool:
        return False  # staff make their own from the calendar page

    @admin.action(description=gettext_lazy("Revoke the selected calendar feed URLs"))
    def revoke(self, request, queryset):
        for token in queryset:
            token.revoke()
