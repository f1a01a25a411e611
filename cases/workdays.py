"""Working days for the ATA s.19(7) clock.

A working day is a weekday listed in `settings.WORKING_WEEKDAYS` (default Monday to Friday)
that is not in the Holiday table. Working days between two dates are the working days d with
start < d <= end: the day of cognizance does not count, the day of judgment does.

`WorkingCalendar` loads the holidays once (one query) and then answers any number of
questions in O(log holidays) each, so statistics over thousands of cases stay one query.
"""

from __future__ import annotations

import bisect
import datetime

from django.conf import settings


class WorkingCalendar:
    def __init__(self, holidays=None, weekdays=None):
        if holidays is None:
            from .models import Holiday

            holidays = Holiday.objects.values_list("date", flat=True)
        self.weekdays = frozenset(settings.WORKING_WEEKDAYS if weekdays is None else weekdays)
        # Only holidays that fall on a working weekday take a day off the count.
        self.holidays = sorted({d for d in holidays if d.weekday() in self.weekdays})
        # Working weekdays from Monday up to and including each day of the week.
        self._week_through = [sum(1 for w in self.weekdays if w <= rest) for rest in range(7)]

    def _weekdays_through(self, day: datetime.date) -> int:
        """Working weekdays from a fixed Monday epoch up to and including `day` (holidays ignored)."""
        weeks, rest = divmod(day.toordinal() - 1, 7)  # ordinal 1 is Monday 0001-01-01
        return weeks * len(self.weekdays) + self._week_through[rest]

    def through(self, day: datetime.date) -> int:
        """Working days from a fixed epoch up to and including `day`: working days in (a, b] are
        ``through(b) - through(a)``. Statistics over many cases ask this once per distinct date."""
        return self._weekdays_through(day) - bisect.bisect_right(self.holidays, day)

    def between(self, start: datetime.date, end: datetime.date) -> int:
        """Working days d with start < d <= end (0 when end <= start)."""
        if end <= start:
            return 0
        return self.through(end) - self.through(start)

    def is_working_day(self, day: datetime.date) -> bool:
        if day.weekday() not in self.weekdays:
            return False
        i = bisect.bisect_left(self.holidays, day)
        return not (i < len(self.holidays) and self.holidays[i] == day)


def working_days_between(start: datetime.date, end: datetime.date) -> int:
    """Working days d with start < d <= end, using the Holiday table (one query)."""
    return WorkingCalendar().between(start, end)
