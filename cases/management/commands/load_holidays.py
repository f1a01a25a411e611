"""`python manage.py load_holidays [--first-year 1997] [--last-year YYYY]`: Pakistan's gazetted holidays.

Fills the Holiday table from python-holidays (`holidays.country_holidays("PK")`, Islamic dates
included, as estimated before they are announced). A date already in the table is left alone, so
an editor's correction in the admin (a holiday moved when the moon was sighted) is never overwritten.
`load_seeds` calls it for 1997 (the ATA's year) to next year.
"""

from __future__ import annotations

import holidays
from django.core.management.base import BaseCommand

from cases.models import Holiday
from core.clock import today
from tracker.pagecache import data_changed

FIRST_YEAR = 1997  # the Anti-Terrorism Act 1997: no ATC clock runs before it


def load_holidays(first_year: int, last_year: int) -> int:
    """Add the missing gazetted holidays of those years; return how many were added."""
    calendar = holidays.country_holidays("PK", years=range(first_year, last_year + 1))
    existing = set(
        Holiday.objects.filter(date__year__gte=first_year, date__year__lte=last_year).values_list("date", flat=True)
    )
    missing = [Holiday(date=day, name=name[:120]) for day, name in sorted(calendar.items()) if day not in existing]
    Holiday.objects.bulk_create(missing, ignore_conflicts=True)
    if missing:
        data_changed()  # working days change: retire the cached pages (bulk_create sends no signal)
    return len(missing)


class Command(BaseCommand):
    help = "Add Pakistan's gazetted holidays (python-holidays) to the Holiday table; never overwrites edits."

    def add_arguments(self, parser):
        parser.add_argument("--first-year", type=int, default=FIRST_YEAR)
        parser.add_argument("--last-year", type=int, default=today().year + 1)

    def handle(self, *args, **options):
        added = load_holidays(options["first_year"], options["last_year"])
        self.stdout.write(f"Holidays: {added} added ({options['first_year']}–{options['last_year']}).")
