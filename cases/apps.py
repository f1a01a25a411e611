from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "cases"
    verbose_name = "Cases and hearings"

    def justice_status_conditions(self):
        """The conditions of an incident's justice status, for the incidents app (which never imports
        this one): see ``cases.justice.status_conditions``."""
        from .justice import status_conditions

        return status_conditions()
