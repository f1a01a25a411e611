"""`python manage.py find_duplicates [--format csv] [--min-score 0.6]` (DESIGN.md "Commands").

Pairs of incidents (drafts included; merged-away ones and pairs marked "not the same" left out)
that probably record the same event, best first. The CSV format is one line per pair,
`incident_id,other_id,score`, with the score from 0 to 1 (the lower id first); the human format
adds each pair's dates, places and tolls and the reasons. The method: incidents/duplicates.py.
"""

from __future__ import annotations

import csv

from django.core.management.base import BaseCommand, CommandError

from incidents.duplicates import MIN_SCORE, find_duplicates


class Command(BaseCommand):
    help = "List pairs of incidents that probably record the same event, best first."

    def add_arguments(self, parser):
        parser.add_argument("--format", choices=["text", "csv"], default="text", help="text (default) or csv.")
        parser.add_argument(
            "--min-score", type=float, default=MIN_SCORE, help=f"Leave out pairs scoring less (default {MIN_SCORE})."
        )

    def handle(self, *args, **options):
        if not 0 <= options["min_score"] <= 1:
            raise CommandError("--min-score must lie between 0 and 1.")
        matches = find_duplicates(min_score=options["min_score"])
        if options["format"] == "csv":
            writer = csv.writer(self.stdout, lineterminator="\n")
            writer.writerow(["incident_id", "other_id", "score"])
            writer.writerows([match.a.id, match.b.id, f"{match.score:.3f}"] for match in matches)
            return
        for match in matches:
            a, b = match.a, match.b
            self.stdout.write(
                f"#{a.id} ({a.date:%Y-%m-%d}, {a.place.name if a.place else 'no city'}) and "
                f"#{b.id} ({b.date:%Y-%m-%d}, {b.place.name if b.place else 'no city'}): score {match.score:.3f}"
            )
            self.stdout.write("  " + "; ".join(match.reasons()))
        self.stdout.write(f"{len(matches)} candidate pair(s) scoring {options['min_score']} or more.")
