"""One clock for the whole tracker.

Every figure that depends on the day (impunity's "at least 3 years old", pending ages, upcoming
hearings, the s.19(7) clock) asks ``today()`` here, never ``date.today()`` or
``timezone.localdate()`` of its own, so a test fixes the day for all of them at once with
time-machine (``time_machine.move_to(...)``) instead of patching each module.
"""

from __future__ import annotations

import datetime

from django.utils import timezone


def today() -> datetime.date:
    """Today in Pakistan (settings.TIME_ZONE, Asia/Karachi): the day the figures are computed on."""
    return timezone.localdate()
