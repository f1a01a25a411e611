from django.apps import AppConfig


class MonitoringConfig(AppConfig):
    name = "monitoring"
    verbose_name = "Monitoring (staff)"

    def ready(self) -> None:
        # The corrections log is written from one bookkeeping hook on the history of
        # incidents, cases and charges (see core/corrections.py).
        from core import corrections

        corrections.connect()
