from django.apps import AppConfig


class IncidentsConfig(AppConfig):
    name = "incidents"
    verbose_name = "Incidents"

    def ready(self) -> None:
        # The admin's import pages and the ImportRun log (kept apart from incidents/admin.py).
        from . import attributions, import_admin  # noqa: F401

        attributions.connect()
