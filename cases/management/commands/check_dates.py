"""`python manage.py check_dates`: list every case, hearing and charge whose dates make no sense.

The rules are those of cases/dates.py (what the forms now refuse): dates in the future, out of
order, an FIR before its incident, a hearing before the FIR. Rows entered before the rules existed
are listed here with the admin page to fix each one, never silently kept; the command exits with
status 1 while any is left, so a deploy script or a cron job can notice.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from cases.dates import bad_dates


class Command(BaseCommand):
    help = "List the cases, hearings and charges whose dates break the rules of cases/dates.py (exit 1 if any)."

    def handle(self, *args, **options):
        found = 0
        for bad in bad_dates():
            found += 1
            self.stdout.write(f"{bad.kind} #{bad.pk} ({bad.label}): {bad.field}: {bad.message} Fix: {bad.admin_url}")
        if found:
            raise CommandError(f"{found} date(s) to fix, listed above.")
        self.stdout.write("All dates make sense.")
