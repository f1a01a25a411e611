from django.apps import AppConfig


class IncidentsConfig(AppConfig):
    name = "incidents"
    verbose_name = "Incidents"

    def ready(self) -> None:
        # The admin's import pages and the ImportRun log (kept apart from incidents/admin.py).
        from . import import_admin  # noqa: F401
