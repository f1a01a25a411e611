"""`manage.py send_alerts`: e-mail each confirmed subscriber what is new since their last digest.

`--staff-digest` instead sends every active staff member with an e-mail address a summary of
the worklist (run it weekly, e.g. from cron on Monday mornings).
"""

from __future__ import annotations

from django.core.management.base import BaseCommand
from django.utils import timezone

from alerts.digest import send_digests
from alerts.staff import send_staff_digests
from core.clock import today


class Command(BaseCommand):
    help = "Send subscribers their digest of new hearings, verdicts and incidents (or, with --staff-digest, staff their worklist)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--staff-digest", action="store_true", help="Send staff the weekly worklist digest instead."
        )

    def handle(self, *args, staff_digest: bool = False, **options):
        if staff_digest:
            sent = send_staff_digests(today=today())
            self.stdout.write(f"Staff worklist digests sent: {sent}.")
            return
        sent, checked = send_digests(now=timezone.now())
        self.stdout.write(f"Subscriptions checked: {checked}; digests sent: {sent}.")
