"""Recount every tally (cases/tallies.py): the hearings per case and court, the charges per case and per incident."""

from django.core.management.base import BaseCommand
from django.db import transaction

from cases import tallies
from incidents.attributions import refresh_counted_all
from tracker.pagecache import data_changed


class Command(BaseCommand):
    help = (
        "Recount the tallies the statistics read: the hearing tallies (from the hearings), the charge "
        "tallies (from each case's charges), the justice tallies (from the published cases' charges and "
        "appeals) and which attribution of each incident and organisation is counted. They are kept current on every save; run "
        "this after writing hearings, cases, charges or appeals behind the application's back (SQL, bulk code)."
    )

    def handle(self, *args, **options):
        with transaction.atomic():
            rows = tallies.refresh_all()
            charges = tallies.refresh_charges_all()
            justice = tallies.refresh_justice_all()
            counted = refresh_counted_all()
            data_changed()
        self.stdout.write(
            f"Hearing tallies recounted: {rows} rows. Charge tallies recounted: {charges} rows. "
            f"Justice tallies recounted: {justice} rows. "
            f"Attributions counted once per incident and organisation: {counted}."
        )
