from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    name = "cases"
    verbose_name = _("Cases and hearings")

    def justice_status_conditions(self, page: bool = False):
        """The conditions of an incident's justice status, for the incidents app (which never imports
        this one): see ``cases.justice.status_conditions``; ``page``: narrowed to a page's incidents
        (``cases.justice.PAGE``, their ids given by ``justice_status_page``)."""
        from .justice import PAGE, status_conditions

        return status_conditions(PAGE if page else None)

    def justice_status_page(self, incident_ids):
        """Some incidents' ids and their cases' (one query), to fill in the conditions narrowed to a page:
        see ``cases.justice.Within``."""
        from .justice import Within

        return Within.of(incident_ids)

    def ready(self) -> None:
        from django.db.models.signals import post_delete

        from .documents import Document, remove_file

        # A deleted document's file goes too (once the deletion commits): a confidential file
        # uploaded by mistake must not stay behind in the storage.
        post_delete.connect(remove_file, sender=Document, dispatch_uid="cases_document_remove_file")
