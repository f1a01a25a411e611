"""Recount every case's hearing tallies (cases/tallies.py) from the hearings."""

from django.core.management.base import BaseCommand
from django.db import transaction

from cases import tallies
from tracker.pagecache import data_changed


class Command(BaseCommand):
    help = (
        "Recount the hearing tallies the court statistics read, from the hearings. They are kept current "
        "on every save; run this after writing hearings or cases behind the application's back (SQL, bulk code)."
    )

    def handle(self, *args, **options):
        with transaction.atomic():
            rows = tallies.refresh_all()
            data_changed()
        self.stdout.write(f"Hearing tallies recounted: {rows} rows.")
