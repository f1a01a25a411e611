"""Scheduled: the holiday table extended each year (settings.TASK_SCHEDULE "holidays")."""

from __future__ import annotations

from core.clock import today
from jobs.queue import job

from .management.commands.load_holidays import load_holidays


@job
def extend_holidays() -> dict:
    """Add this year's and next year's gazetted holidays that are missing (python-holidays); the
    dates already in the table, an editor's corrections included, are left alone."""
    year = today().year
    return {"years": [year, year + 1], "added": load_holidays(year, year + 1)}
