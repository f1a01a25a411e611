from django.contrib import admin

from .models import CalendarToken


@admin.register(CalendarToken)
class CalendarTokenAdmin(admin.ModelAdmin):
    list_display = ["user", "created_at", "revoked_at"]
    list_filter = ["revoked_at"]
    readonly_fields = ["user", "created_at", "revoked_at"]
    actions = ["revoke"]

    def has_add_permission(self, request) -> bool:
        return False  # staff make their own from the calendar page

    @admin.action(description="Revoke the selected calendar feed URLs")
    def revoke(self, request, queryset):
        for token in queryset:
            token.revoke()
