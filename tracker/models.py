"""The project's own table: the data version that cached pages and statistics are keyed on (tracker/dataversion.py)."""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class DataVersion(models.Model):
    """One row naming the state of the public data: a random token and a count of committed changes.

    The database itself moves ``counter`` when a transaction that changed a public table (incidents,
    cases, core) commits: triggers installed by tracker/dataversion.py, so ``update()``,
    ``bulk_create``, raw SQL, ``loaddata`` and SQL typed into psql all count. Cached pages and
    statistics are stored under ``token-counter``, so a change retires them all at once, in every
    process and on every host. The token is random and changes when a backup is restored: a
    restored database counts again from an old number, which must not meet pages cached under the
    same number for other data.
    """

    token = models.CharField(max_length=32, help_text=_("Random; new for every database and every restore."))
    counter = models.BigIntegerField(
        default=0, help_text=_("Committed changes to the public tables, counted by database triggers.")
    )
    changed_at = models.DateTimeField(help_text=_("When the last counted change committed."))

    class Meta:
        verbose_name = _("data version")
        verbose_name_plural = _("data versions")

    def __str__(self) -> str:
        return f"{self.token}-{self.counter} ({timezone.localtime(self.changed_at):%Y-%m-%d %H:%M:%S})"
