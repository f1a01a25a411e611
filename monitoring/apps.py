from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MonitoringConfig(AppConfig):
    name = "monitoring"
    verbose_name = _("Monitoring (staff)")

    def ready(self) -> None:
        # The corrections log is written from one bookkeeping hook on the history of
        # incidents, cases and charges (see core/corrections.py).
        from core import corrections

        corrections.connect()
