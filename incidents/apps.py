from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IncidentsConfig(AppConfig):
    name = "incidents"
    verbose_name = _("Incidents")

    def ready(self) -> None:
        # The admin's import pages and the ImportRun log (kept apart from incidents/admin.py).
        from . import import_admin  # noqa: F401
