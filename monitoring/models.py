"""Staff-only bookkeeping: the private calendar feed tokens."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


def new_token() -> str:
    return secrets.token_urlsafe(32)


class CalendarTokenQuerySet(models.QuerySet):
    def active(self):
        """Tokens that open the staff feed: not revoked, owner still an active staff member."""
        return self.filter(revoked_at__isnull=True, user__is_active=True, user__is_staff=True)


class CalendarToken(models.Model):
    """A secret URL for one staff member's iCalendar feed of all upcoming hearings (drafts included).

    Calendar apps cannot log in, so the URL itself is the key: it can be regenerated (the old
    URL stops working) or revoked from the staff calendar page.
    """

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_token")
    token = models.CharField(max_length=64, unique=True, default=new_token, editable=False)
    created_at = models.DateTimeField(auto_now_add=True, help_text=_("When this token (URL) was made."))
    revoked_at = models.DateTimeField(null=True, blank=True, help_text=_("Set when revoked: the URL answers 404."))

    objects = CalendarTokenQuerySet.as_manager()

    class Meta:
        ordering = ["user__username"]
        verbose_name = _("calendar feed token")
        verbose_name_plural = _("calendar feed tokens")

    def __str__(self) -> str:
        return f"Calendar feed of {self.user}"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None

    def regenerate(self) -> None:
        """A new secret: the old URL stops working at once."""
        self.token = new_token()
        self.revoked_at = None
        self.created_at = timezone.now()
        self.save(update_fields=["token", "revoked_at", "created_at"])

    def revoke(self) -> None:
        self.revoked_at = timezone.now()
        self.save(update_fields=["revoked_at"])
