"""The admin's view of the schedule: when each scheduled job last ran and how it ended (read-only).

Every task run, scheduled or not, with its error and traceback, is under *Django Tasks DB → Task
results* (django_tasks_db's own admin).
"""

from __future__ import annotations

from django.contrib import admin
from django.utils.translation import gettext_lazy

from .models import ScheduledJob


@admin.register(ScheduledJob)
class ScheduledJobAdmin(admin.ModelAdmin):
    list_display = (
        "name",
        "schedule",
        "next_run_at",
        "last_started_at",
        "last_finished_at",
        "last_outcome",
        "last_attempt",
        "short_error",
    )
    list_filter = ("last_outcome",)
    readonly_fields = [f.name for f in ScheduledJob._meta.fields if f.name != "id"]

    @admin.display(description=gettext_lazy("last error"))
    def short_error(self, obj: ScheduledJob) -> str:
        return obj.last_error.splitlines()[-1][:200] if obj.last_error else ""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
