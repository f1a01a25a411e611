"""The project's own table: the data version that the public page cache is keyed on (tracker/pagecache.py)."""

from django.db import models


class DataVersion(models.Model):
    """One row whose token changes whenever public data may have changed.

    Cached public pages are stored under the token current when they were rendered, so a new
    token retires them all at once, in every server process. A random token, not a counter: a
    restored backup brings back an old token, and a counter could meet a page cached earlier
    under the same number for other data.
    """

    token = models.CharField(max_length=32)
    changed_at = models.DateTimeField()

    class Meta:
        verbose_name = "data version"

    def __str__(self) -> str:
        return f"{self.token} ({self.changed_at:%Y-%m-%d %H:%M:%S})"
