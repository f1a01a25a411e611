"""Fictional data for benchmarks and demos (DESIGN.md "Commands").

    python manage.py generate_synthetic --incidents 100000 [--cases-ratio 0.3] [--seed 1]
    python manage.py generate_synthetic --delete

Every record it makes is marked `is_synthetic` (incidents, cases, courts, accused, its one
source); while any exists every page shows the "fictional data" banner. Rows go in with
bulk inserts in batches, so 100,000 incidents with ~30,000 cases and ~300,000 hearings take
a minute or two. Distributions are shaped after the real record (more attacks 2007–2014, in
Khyber Pakhtunkhwa, Balochistan and Sindh; many adjournments, few convictions), but no
figure in it describes a real event.
"""

from __future__ import annotations

import datetime
import random
import sys
import time

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction

from cases import models as cm
from incidents import models as im
from tracker.pagecache import data_changed

BATCH = 5000
# Nothing generated lies after this day, so data made on different days is the same.
LAST_DAY = datetime.date(2026, 10, 31)
FIRST_DAY = datetime.date(2001, 1, 1)

PROVINCE_WEIGHTS = {
    "khyber-pakhtunkhwa": 34,
    "balochistan": 24,
    "sindh": 20,
    "punjab": 12,
    "fata": 7,
    "islamabad": 1,
    "gilgit-baltistan": 1,
    "azad-kashmir": 1,
}
ATTACK_WEIGHTS = {
    im.AttackType.TARGET_KILLING: 40,
    im.AttackType.BOMBING: 20,
    im.AttackType.SUICIDE_BOMBING: 8,
    im.AttackType.ARMED_ASSAULT: 15,
    im.AttackType.MOB_VIOLENCE: 5,
    im.AttackType.ABDUCTION: 4,
    im.AttackType.OTHER: 3,
    im.AttackType.UNKNOWN: 5,
}
REASON_WEIGHTS = {
    cm.AdjournmentReason.WITNESS_ABSENT: 28,
    cm.AdjournmentReason.PROSECUTOR_ABSENT: 10,
    cm.AdjournmentReason.DEFENCE_COUNSEL_ABSENT: 16,
    cm.AdjournmentReason.ACCUSED_NOT_PRODUCED: 14,
    cm.AdjournmentReason.JUDGE_ABSENT_OR_VACANT: 10,
    cm.AdjournmentReason.LAWYERS_STRIKE: 8,
    cm.AdjournmentReason.RECORD_AWAITED: 6,
    cm.AdjournmentReason.CO_ACCUSED_ABSENT: 4,
    cm.AdjournmentReason.STAY_BY_HIGHER_COURT: 2,
    cm.AdjournmentReason.OTHER: 2,
}
VERDICT_WEIGHTS = {
    cm.Verdict.CONVICTED: 24,
    cm.Verdict.ACQUITTED: 58,
    cm.Verdict.DISCHARGED: 12,
    cm.Verdict.ABATED: 6,
}
TRIAL_STAGES = [
    cm.Stage.CHARGE_FRAMED,
    cm.Stage.PROSECUTION_EVIDENCE,
    cm.Stage.DEFENCE_EVIDENCE,
    cm.Stage.ARGUMENTS,
    cm.Stage.JUDGMENT_RESERVED,
]
FIRST_NAMES = ["Ali", "Hassan", "Imran", "Bilal", "Zahid", "Naveed", "Tariq", "Asif", "Kamran", "Faisal", "Sajid"]
LAST_NAMES = ["Khan", "Ahmed", "Baloch", "Shah", "Hussain", "Qureshi", "Mehsud", "Afridi", "Bugti", "Jatoi", "Awan"]


def weighted(rng: random.Random, weights: dict):
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def random_date(rng: random.Random) -> datetime.date:
    """Attack dates, denser in 2007–2014 as in the real record."""
    year = rng.choices(
        range(2001, 2027), weights=[2, 2, 2, 3, 3, 4, 7, 9, 10, 10, 9, 10, 11, 9, 6, 5, 4, 4, 3, 3, 3, 3, 3, 3, 3, 2]
    )[0]
    day = datetime.date(year, 1, 1) + datetime.timedelta(days=rng.randrange(365))
    return min(day, LAST_DAY)


def killed_figure(rng: random.Random) -> int | None:
    if rng.random() < 0.03:
        return None
    if rng.random() < 0.18:
        return 0
    return min(int(rng.paretovariate(1.4)), 150)


class Command(BaseCommand):
    help = "Generate fictional, marked data for benchmarks and demos (or --delete it)."

    def add_arguments(self, parser):
        parser.add_argument("--incidents", type=int, default=1000, help="Number of incidents (default 1000).")
        parser.add_argument(
            "--cases-ratio", type=float, default=0.3, help="Cases per incident (default 0.3: 100,000 → ~30,000)."
        )
        parser.add_argument("--hearings-per-case", type=float, default=10.0, help="Average hearings per case.")
        parser.add_argument("--seed", type=int, default=1, help="Random seed: the same seed gives the same data.")
        parser.add_argument("--delete", action="store_true", help="Delete every synthetic record and stop.")

    def handle(self, *args, **options):
        if options["delete"]:
            self.delete_synthetic()
            return
        if options["incidents"] < 1:
            raise CommandError("--incidents must be at least 1.")
        if not 0 <= options["cases_ratio"] <= 1:
            raise CommandError("--cases-ratio must lie between 0 and 1.")
        if options["hearings_per_case"] < 0:
            raise CommandError("--hearings-per-case cannot be negative.")
        if not im.Province.objects.exists():
            self.progress("No provinces yet: loading the seeds first.")
            call_command("load_seeds", verbosity=0)
        self.rng = random.Random(options["seed"])
        self.started = time.monotonic()
        with transaction.atomic():
            self.generate(options["incidents"], options["cases_ratio"], options["hearings_per_case"])
            data_changed()  # bulk inserts send no signals: retire the cached pages on commit
        if connection.vendor == "postgresql":
            # Fresh planner statistics (after a bulk load the stale ones make some queries take
            # minutes), and the rows marked visible to all as autovacuum would mark them later:
            # until then every read of a fresh row checks its transaction's fate again. VACUUM
            # cannot run inside a transaction (a caller's, or a test's): ANALYZE alone there.
            if connection.in_atomic_block:
                sql, doing = "ANALYZE", "Analysing"
            else:
                sql, doing = "VACUUM ANALYZE", "Vacuuming and analysing"
            self.progress(f"{doing} the tables for the query planner…")
            with connection.cursor() as cursor:
                cursor.execute(sql)
        self.stdout.write(
            self.style.SUCCESS(
                f"Generated {self.counts['incidents']} incidents, {self.counts['cases']} cases, "
                f"{self.counts['charges']} charges, {self.counts['hearings']} hearings, "
                f"{self.counts['appeals']} appeals in {time.monotonic() - self.started:.1f} s. "
                "All are marked synthetic; every page now shows the fictional-data banner."
            )
        )

    def progress(self, message: str) -> None:
        elapsed = time.monotonic() - getattr(self, "started", time.monotonic())
        self.stderr.write(f"[{elapsed:6.1f} s] {message}")
        sys.stderr.flush()

    # ------------------------------------------------------------------ delete
    def delete_synthetic(self) -> None:
        with transaction.atomic():
            hearings = cm.Hearing.objects.filter(case__is_synthetic=True).delete()[0]
            appeals = cm.Appeal.objects.filter(charge__case__is_synthetic=True).delete()[0]
            charges = cm.Charge.objects.filter(case__is_synthetic=True).delete()[0]
            cases = cm.Case.objects.filter(is_synthetic=True).delete()[0]
            cm.Accused.objects.filter(is_synthetic=True).delete()
            cm.Court.objects.filter(is_synthetic=True).delete()
            incidents = im.Incident.objects.filter(is_synthetic=True).delete()[0]
            im.Source.objects.filter(is_synthetic=True).delete()
            data_changed()
        self.stdout.write(
            f"Deleted synthetic data ({incidents} incident rows, {cases} case rows, {charges} charge rows, "
            f"{hearings} hearing rows, {appeals} appeal rows, counting related rows)."
        )

    # ------------------------------------------------------------------ generate
    def generate(self, n_incidents: int, cases_ratio: float, hearings_per_case: float) -> None:
        rng = self.rng
        self.counts = dict.fromkeys(["incidents", "cases", "charges", "hearings", "appeals"], 0)
        provinces = {p.slug: p for p in im.Province.objects.all()}
        weights = {slug: w for slug, w in PROVINCE_WEIGHTS.items() if slug in provinces} or dict.fromkeys(provinces, 1)
        cities_by_province: dict[int, list] = {}
        for city in im.City.objects.all():
            cities_by_province.setdefault(city.province_id, []).append(city)
        communities = list(im.Community.objects.all())
        organisations = list(im.Organisation.objects.all())
        source = im.Source.objects.create(
            title="Synthetic data generator (fictional records)",
            publisher="generate_synthetic",
            citation="Fictional data for demonstration and benchmarking; describes no real event.",
            is_synthetic=True,
        )
        courts_by_province, high_courts = self.make_courts(provinces, cities_by_province)
        all_courts = [c for courts in courts_by_province.values() for c in courts]

        self.progress(f"Creating {n_incidents} incidents…")
        incident_ids: list[tuple[int, datetime.date, int]] = []
        for start in range(0, n_incidents, BATCH):
            size = min(BATCH, n_incidents - start)
            batch = []
            for i in range(start, start + size):
                province = provinces[weighted(rng, weights)]
                cities = cities_by_province.get(province.id) or [None]
                city = rng.choice(cities)
                attack = weighted(rng, ATTACK_WEIGHTS)
                status = rng.choices([im.Status.PUBLISHED, im.Status.DRAFT, im.Status.RETRACTED], weights=[90, 7, 3])[0]
                batch.append(
                    im.Incident(
                        title=f"Fictional {im.AttackType(attack).label.lower()} #{i + 1}",
                        date=random_date(rng),
                        province=province,
                        city=city,
                        locality=f"Fictional locality {rng.randrange(1, 500)}",
                        attack_type=attack,
                        killed=killed_figure(rng),
                        injured=None if rng.random() < 0.08 else min(int(rng.paretovariate(1.2)) - 1, 300),
                        description="Fictional incident generated for demonstration and benchmarking.",
                        status=status,
                        is_synthetic=True,
                    )
                )
            created = im.Incident.objects.bulk_create(batch)
            self.link_incidents(created, communities, organisations, source)
            incident_ids.extend((inc.pk, inc.date, inc.province_id) for inc in created)
            self.counts["incidents"] += len(created)
            self.progress(f"  incidents {self.counts['incidents']}/{n_incidents}")

        n_cases = int(n_incidents * cases_ratio)
        chosen = rng.sample(incident_ids, n_cases) if n_cases else []
        self.progress(f"Creating {n_cases} cases with accused, hearings and appeals…")
        for start in range(0, n_cases, BATCH // 5):
            self.make_cases(
                chosen[start : start + BATCH // 5], courts_by_province, all_courts, high_courts, hearings_per_case
            )
            self.progress(
                f"  cases {self.counts['cases']}/{n_cases}, hearings {self.counts['hearings']}, "
                f"charges {self.counts['charges']}"
            )

    def make_courts(self, provinces, cities_by_province):
        """Two fictional ATCs in each province's first cities, and a fictional High Court bench per province."""
        courts_by_province: dict[int, list] = {}
        high_courts: dict[int, cm.Court] = {}
        numerals = ["I", "II", "III"]
        for province in provinces.values():
            cities = cities_by_province.get(province.id) or [None]
            courts = []
            for k, city in enumerate(cities[:3]):
                place = city.name if city else province.name
                court, _ = cm.Court.objects.get_or_create(
                    name=f"Anti-Terrorism Court {numerals[k]}, {place} (fictional)",
                    defaults={"kind": cm.CourtKind.ATC, "city": city, "is_synthetic": True},
                )
                courts.append(court)
            courts_by_province[province.id] = courts
            high_courts[province.id], _ = cm.Court.objects.get_or_create(
                name=f"High Court bench, {province.name} (fictional)",
                defaults={"kind": cm.CourtKind.HIGH_COURT, "city": cities[0], "is_synthetic": True},
            )
        return courts_by_province, high_courts

    def link_incidents(self, incidents, communities, organisations, source) -> None:
        rng = self.rng
        through = im.Incident.communities.through
        links, sources, attributions = [], [], []
        for incident in incidents:
            if communities:
                for community in rng.sample(communities, rng.choices([1, 2], weights=[85, 15])[0]):
                    links.append(through(incident_id=incident.pk, community_id=community.pk))
            sources.append(
                im.IncidentSource(
                    incident=incident,
                    source=source,
                    reported_killed=incident.killed,
                    reported_injured=incident.injured,
                )
            )
            if organisations and rng.random() < 0.4:
                attributions.append(
                    im.Attribution(
                        incident=incident,
                        organisation=rng.choice(organisations),
                        kind=weighted(rng, {"claimed": 3, "suspected": 5, "named_by_officials": 2}),
                    )
                )
        through.objects.bulk_create(links)
        im.IncidentSource.objects.bulk_create(sources)
        im.Attribution.objects.bulk_create(attributions)

    def make_cases(self, chosen, courts_by_province, all_courts, high_courts, hearings_per_case) -> None:
        rng = self.rng
        cases, plans = [], []
        for incident_id, incident_date, province_id in chosen:
            court = rng.choice(courts_by_province.get(province_id) or all_courts)
            fir_date = incident_date + datetime.timedelta(days=rng.randrange(0, 4))
            cognizance = fir_date + datetime.timedelta(days=rng.randrange(20, 500))
            if cognizance > LAST_DAY or rng.random() < 0.12:
                cognizance = None
            judgment = None
            if cognizance and rng.random() < 0.6:
                judgment = cognizance + datetime.timedelta(days=int(rng.lognormvariate(6.3, 0.8)))
                if judgment > LAST_DAY:
                    judgment = None
            if judgment:
                stage = cm.Stage.DECIDED
            elif cognizance:
                stage = rng.choice([cm.Stage.COGNIZANCE_TAKEN, *TRIAL_STAGES])
            else:
                stage = rng.choice([cm.Stage.FIR_REGISTERED, cm.Stage.UNDER_INVESTIGATION, cm.Stage.CHALLAN_SUBMITTED])
            status = rng.choices([im.Status.PUBLISHED, im.Status.DRAFT, im.Status.RETRACTED], weights=[92, 6, 2])[0]
            cases.append(
                cm.Case(
                    court=court,
                    case_number=f"Special Case {rng.randrange(1, 999)}/{fir_date.year} (fictional)",
                    fir_number=f"{rng.randrange(1, 800)}/{fir_date.year}",
                    fir_date=fir_date,
                    police_station=f"Fictional Police Station {rng.randrange(1, 60)}",
                    challan_date=cognizance - datetime.timedelta(days=rng.randrange(1, 15)) if cognizance else None,
                    cognizance_date=cognizance,
                    charge_framed_date=(
                        cognizance + datetime.timedelta(days=rng.randrange(10, 90))
                        if cognizance
                        and stage != cm.Stage.COGNIZANCE_TAKEN
                        and (not judgment or cognizance + datetime.timedelta(days=90) < judgment)
                        else None
                    ),
                    judgment_date=judgment,
                    stage=stage,
                    status=status,
                    last_verified_on=LAST_DAY - datetime.timedelta(days=rng.randrange(0, 400)),
                    public_notes="Fictional case generated for demonstration and benchmarking.",
                    is_synthetic=True,
                )
            )
            plans.append((incident_id, province_id))
        cases = cm.Case.objects.bulk_create(cases)
        self.counts["cases"] += len(cases)
        through = cm.Case.incidents.through
        through.objects.bulk_create(
            [through(case_id=c.pk, incident_id=i) for c, (i, _) in zip(cases, plans, strict=True)]
        )
        province_of_case = {c.pk: p for c, (_, p) in zip(cases, plans, strict=True)}

        accused, charge_specs = [], []
        for case in cases:
            for _ in range(rng.choices([1, 2, 3, 4], weights=[45, 30, 15, 10])[0]):
                accused.append(
                    cm.Accused(
                        name=f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)} (fictional)",
                        is_juvenile=rng.random() < 0.02,
                        is_synthetic=True,
                    )
                )
                charge_specs.append(case)
        accused = cm.Accused.objects.bulk_create(accused)
        charges = []
        for person, case in zip(accused, charge_specs, strict=True):
            verdict, verdict_date = cm.Verdict.PENDING, None
            if case.judgment_date:
                verdict, verdict_date = weighted(rng, VERDICT_WEIGHTS), case.judgment_date
            custody = rng.choices(
                [cm.Custody.ARRESTED, cm.Custody.ON_BAIL, cm.Custody.ABSCONDING, cm.Custody.PROCLAIMED_OFFENDER],
                weights=[55, 20, 15, 10],
            )[0]
            charges.append(
                cm.Charge(
                    case=case,
                    accused=person,
                    custody=custody,
                    verdict=verdict,
                    verdict_date=verdict_date,
                    sentence_kind=(
                        rng.choice([cm.SentenceKind.DEATH, cm.SentenceKind.LIFE, cm.SentenceKind.YEARS])
                        if verdict == cm.Verdict.CONVICTED
                        else ""
                    ),
                )
            )
        charges = cm.Charge.objects.bulk_create(charges)
        self.counts["charges"] += len(charges)

        appeals = []
        for charge in charges:
            if charge.verdict == cm.Verdict.CONVICTED and rng.random() < 0.5:
                filed = charge.verdict_date + datetime.timedelta(days=rng.randrange(5, 30))
                decided = filed + datetime.timedelta(days=rng.randrange(200, 1500))
                if decided > LAST_DAY:
                    outcome, decided = cm.AppealOutcome.PENDING, None
                else:
                    outcome = rng.choices(
                        [
                            cm.AppealOutcome.UPHELD,
                            cm.AppealOutcome.OVERTURNED,
                            cm.AppealOutcome.MODIFIED,
                            cm.AppealOutcome.REMANDED,
                        ],
                        weights=[45, 35, 12, 8],
                    )[0]
                appeals.append(
                    cm.Appeal(
                        charge=charge,
                        court=high_courts.get(province_of_case[charge.case.pk]) or next(iter(high_courts.values())),
                        appellant=cm.Appellant.CONVICT,
                        filed_on=filed,
                        decided_on=decided,
                        outcome=outcome,
                    )
                )
        cm.Appeal.objects.bulk_create(appeals)
        self.counts["appeals"] += len(appeals)

        hearings = []
        for case in cases:
            hearings.extend(self.plan_hearings(case, hearings_per_case))
            if len(hearings) >= BATCH:
                cm.Hearing.objects.bulk_create(hearings)
                self.counts["hearings"] += len(hearings)
                hearings = []
        cm.Hearing.objects.bulk_create(hearings)
        self.counts["hearings"] += len(hearings)

    def plan_hearings(self, case, hearings_per_case: float) -> list:
        """A run of hearings from cognizance (or the FIR) to judgment, or on past today for pending cases."""
        rng = self.rng
        start = case.cognizance_date or case.fir_date
        if not start or hearings_per_case <= 0:
            return []
        count = max(1, int(rng.expovariate(1 / hearings_per_case)) + 1)
        end = case.judgment_date or (LAST_DAY + datetime.timedelta(days=60))
        span = max((end - start).days, count)
        dates = sorted({start + datetime.timedelta(days=rng.randrange(1, span + 1)) for _ in range(count)})
        if case.judgment_date:
            dates = [d for d in dates if d < case.judgment_date] + [case.judgment_date]
        rows = []
        for k, day in enumerate(dates):
            next_day = dates[k + 1] if k + 1 < len(dates) else None
            if day > LAST_DAY:
                outcome, reason, next_day = "", "", None  # still only scheduled
            elif case.judgment_date and day == case.judgment_date:
                outcome, reason, next_day = cm.HearingOutcome.JUDGMENT, "", None
            else:
                outcome = rng.choices(
                    [cm.HearingOutcome.ADJOURNED, cm.HearingOutcome.PROCEEDED, cm.HearingOutcome.NOT_TAKEN_UP],
                    weights=[62, 30, 8],
                )[0]
                reason = weighted(rng, REASON_WEIGHTS) if outcome == cm.HearingOutcome.ADJOURNED else ""
            rows.append(
                cm.Hearing(
                    case=case,
                    date=day,
                    purpose=case.stage if case.stage in TRIAL_STAGES else "",
                    outcome=outcome,
                    adjournment_reason=reason,
                    next_date=next_day,
                    monitor_present=rng.random() < 0.3,
                    judge=f"Judge {rng.choice(LAST_NAMES)} (fictional)",
                )
            )
        return rows
