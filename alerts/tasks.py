"""Scheduled e-mail (settings.TASK_SCHEDULE): the subscribers' daily digest, the staff's weekly worklist."""

from __future__ import annotations

from django.utils import timezone

from core.clock import today
from jobs.queue import job

from .digest import send_digests
from .staff import send_staff_digests


@job
def send_alert_digests() -> dict:
    """What `manage.py send_alerts` does: each confirmed subscriber's digest of what is new since
    their last one (so a run repeated after a failure sends nothing twice)."""
    sent, checked = send_digests(now=timezone.now())
    return {"checked": checked, "sent": sent}


@job
def send_staff_worklist_digests() -> dict:
    """What `manage.py send_alerts --staff-digest` does: every active staff member's worklist."""
    return {"sent": send_staff_digests(today=today())}
