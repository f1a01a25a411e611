"""Court statistics (DESIGN.md "Metrics": courts and delay; the justice figures are in cases/justice.py).

Every function is keyword-only, takes querysets the caller has already restricted
(``Incident.objects.public()`` / ``Case.objects.public()`` and the FilterSets), returns plain data
and runs a constant number of queries whatever the number of rows. Only published cases count,
at every step, even when the caller passes a queryset that also holds drafts.

Working days use one ``WorkingCalendar`` (one query for the holidays), loaded once per call or
passed in by the caller (``calendar=``) so a page loads it once. Medians and percentiles are
computed in Python from one ``values_list`` query (see ``percentile``): the same result on
SQLite and PostgreSQL, and quick at 30,000 cases.

Rates are fractions from 0 to 1, and ``None`` when there is nothing to divide by: no data is
not 0 %.
"""

from __future__ import annotations

import datetime
import math
from bisect import bisect_right
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from functools import partial
from operator import itemgetter
from typing import Any, NamedTuple

from django.conf import settings
from django.core.exceptions import EmptyResultSet
from django.db import connections
from django.db.models import (
    BooleanField,
    Count,
    ExpressionWrapper,
    F,
    Q,
    QuerySet,
    Sum,
)
from django.db.models.functions import ExtractYear

from core.models import Status
from incidents.stats import share

from .models import (
    NOT_PENDING_STAGES,
    AdjournmentReason,
    Case,
    Court,
)
from .tallies import reason_field
from .workdays import WorkingCalendar

PENDING_AGE_BUCKETS = (
    ("le_7_working_days", "≤ 7 working days"),
    ("le_30_days", "≤ 30 days"),
    ("le_6_months", "≤ 6 months"),
    ("le_1_year", "≤ 1 year"),
    ("1_to_3_years", "1–3 years"),
    ("3_to_5_years", "3–5 years"),
    ("gt_5_years", "> 5 years"),
    ("unknown", "No cognizance or FIR date recorded"),
)


# Read helpers (moved from incidents/stats.py, where no figure needs them any more) -----------


def without_joins(queryset: QuerySet) -> QuerySet:
    """``queryset`` itself when its query joins no other table, else the rows whose id is in it."""
    if len(queryset.query.alias_map) <= 1 and not queryset.query.distinct:
        return queryset.order_by()
    return queryset.model._base_manager.filter(pk__in=queryset.order_by().values("pk"))


def plain_rows(queryset: QuerySet, columns: tuple[str, ...]) -> list[tuple]:
    """The rows of a ``values()`` queryset, its ``columns`` in this order, as the driver returns them."""
    try:
        sql, params = queryset.query.get_compiler(queryset.db).as_sql()
    except EmptyResultSet:
        return []
    with connections[queryset.db].cursor() as cursor:
        cursor.execute(sql, params)
        names = [column[0] for column in cursor.description]
        rows = cursor.fetchall()
    if names == list(columns):
        return rows
    pick = itemgetter(*(names.index(column) for column in columns), 0)
    return [pick(row)[:-1] for row in rows]


# Small helpers ----------------------------------------------------------------------------


def percentile(values: Sequence[float], fraction: float) -> float | None:
    """The ``fraction`` (0..1) percentile of ``values`` by linear interpolation, or None if empty.

    The same definition as PostgreSQL's ``percentile_cont`` and numpy's default ("linear"): sort
    the n values x[0] ≤ … ≤ x[n-1], take the position h = (n − 1) × fraction, and interpolate
    x[⌊h⌋] + (h − ⌊h⌋) × (x[⌊h⌋+1] − x[⌊h⌋]). The median is ``percentile(values, 0.5)``: the
    middle value, or the mean of the two middle values. One value is its own every percentile.
    """
    return _interpolated(sorted(values), fraction)


def _interpolated(ordered: Sequence[float], fraction: float) -> float | None:
    """``percentile`` of values already sorted."""
    if not ordered:
        return None
    position = (len(ordered) - 1) * fraction
    low = math.floor(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (position - low) * (ordered[high] - ordered[low])


def years_before(day: datetime.date, years: int) -> datetime.date:
    """The same calendar day ``years`` earlier (29 February → 28 February)."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)


def months_before(day: datetime.date, months: int) -> datetime.date:
    """The same day of the month ``months`` earlier, clamped to the month's last day."""
    index = day.year * 12 + day.month - 1 - months
    year, month = divmod(index, 12)
    month += 1
    for last in (31, 30, 29, 28):
        try:
            return datetime.date(year, month, min(day.day, last))
        except ValueError:
            continue
    raise AssertionError("unreachable")  # pragma: no cover


class _Counter:
    """Working days between dates from a table of running counts: (a, b] = through(b) − through(a).

    A statistics page asks tens of thousands of times (every decided and pending case), so the
    table is built once, on first use, for every day from 1990 to 2040 (one pass over 18,600 days,
    holidays from the one calendar); a date outside it is asked of the calendar itself."""

    FIRST = datetime.date(1990, 1, 1)
    LAST = datetime.date(2040, 12, 31)

    def __init__(self, calendar: WorkingCalendar):
        self.calendar = calendar
        self.running: list[int] | None = None

    def _table(self) -> list[int]:
        if self.running is None:
            first, last = self.FIRST.toordinal(), self.LAST.toordinal()
            weekdays = self.calendar.weekdays
            holidays = {day.toordinal() for day in self.calendar.holidays}
            running, count = [], 0
            for ordinal in range(first, last + 1):
                # Ordinal 1 (0001-01-01) is a Monday: weekday = (ordinal + 6) % 7.
                if (ordinal + 6) % 7 in weekdays and ordinal not in holidays:
                    count += 1
                running.append(count)
            self.running = running
        return self.running

    def between(self, start: datetime.date, end: datetime.date) -> int:
        return self.spans([(start, end)])[0]

    def spans(self, pairs: Iterable[tuple[datetime.date, datetime.date]]) -> list[int]:
        """``[between(start, end) for start, end in pairs]``."""
        return [working for _, working in self.durations(pairs)]

    def durations(self, pairs: Iterable[tuple[datetime.date, datetime.date]]) -> list[tuple[int, int]]:
        """``[((end − start) in days, between(start, end)) for start, end in pairs]``, in one loop
        with no call per pair."""
        running, first = self._table(), self.FIRST.toordinal()
        low, high = first, self.LAST.toordinal()
        out = []
        for start, end in pairs:
            a, b = start.toordinal(), end.toordinal()
            if b <= a:
                out.append((b - a, 0))
            elif a < low or b > high:
                out.append((b - a, self.calendar.between(start, end)))
            else:
                out.append((b - a, running[b - first] - running[a - first]))
        return out


def _calendar(calendar: WorkingCalendar | None) -> _Counter:
    """The caller's calendar (or one loaded now: one query), memoised."""
    if isinstance(calendar, _Counter):
        return calendar
    return _Counter(calendar if calendar is not None else WorkingCalendar())


def _published(cases: QuerySet[Case]) -> QuerySet[Case]:
    """Only published cases count; ordering dropped so grouping is by what we ask for."""
    return cases.filter(status=Status.PUBLISHED).order_by()


# Courts and delay ---------------------------------------------------------------------------

GROUPS = {
    None: {},
    "court": {"court_id": "court_id", "court": "court__name"},
    "city": {"city": "court__city__name", "slug": "court__city__slug"},
    "year": {"year": "cognizance_year"},
}


def _decided(cases: QuerySet[Case], fields: Sequence[str], calendar: _Counter) -> list[tuple]:
    """(values of `fields`, calendar days, working days) per published decided case. One query.

    Working days are computed here once per case, with the one calendar, whatever uses them."""
    qs = (
        _published(cases)
        .filter(cognizance_date__isnull=False, judgment_date__isnull=False)
        .annotate(cognizance_year=ExtractYear("cognizance_date"))
    )
    rows = list(qs.values_list(*fields, "cognizance_date", "judgment_date"))
    durations = calendar.durations((row[-2], row[-1]) for row in rows)
    return [(row[:-2], *pair) for row, pair in zip(rows, durations, strict=True)]


def _disposal_summary(durations: Sequence[tuple]) -> dict[str, Any]:
    """Summary of (…, calendar days, working days) rows."""
    calendar_days = sorted(map(itemgetter(-2), durations))
    working_days = sorted(map(itemgetter(-1), durations))
    within = bisect_right(working_days, settings.STATUTORY_LIMIT_WORKING_DAYS)  # how many ≤ the limit
    return {
        "count": len(durations),
        "median_days": _interpolated(calendar_days, 0.5),
        "p90_days": _interpolated(calendar_days, 0.9),
        "median_working_days": _interpolated(working_days, 0.5),
        "p90_working_days": _interpolated(working_days, 0.9),
        "within_statutory_limit": within,
        "statutory_compliance": share(within, len(durations)),
    }


def _grouped_disposal(rows: Sequence[tuple], keys: Sequence[str], index: Sequence[int]) -> list[dict[str, Any]]:
    groups: dict[tuple, list] = defaultdict(list)
    pick = itemgetter(*index)
    single = len(index) == 1
    for row in rows:
        key = pick(row[0])
        groups[(key,) if single else key].append(row)
    return [dict(zip(keys, key, strict=True)) | _disposal_summary(durations) for key, durations in groups.items()]


def disposal_times(
    *, cases: QuerySet[Case], group_by: str | None = None, calendar: WorkingCalendar | None = None
) -> dict[str, Any] | list[dict[str, Any]]:
    """Disposal time of decided cases = judgment_date − cognizance_date, in calendar and working days.

    Working days are the days d with cognizance < d ≤ judgment on the working calendar. Returns
    ``{"count", "median_days", "p90_days", "median_working_days", "p90_working_days",
    "within_statutory_limit", "statutory_compliance"}`` (medians and 90th percentiles by linear
    interpolation, see ``percentile``; None when no case is decided). With ``group_by`` "court",
    "city" (the court's city) or "year" (of cognizance): a list of such dicts, each with its group's
    keys (``court_id``/``court``, ``city``/``slug``, ``year``), most cases first (years: oldest
    first). Two queries (one when ``calendar`` is given).
    """
    if group_by not in GROUPS:
        raise ValueError(f"group_by must be one of {sorted(k for k in GROUPS if k)} or None, not {group_by!r}")
    keys = list(GROUPS[group_by])
    rows = _decided(cases, list(GROUPS[group_by].values()), _calendar(calendar))
    if group_by is None:
        return _disposal_summary(rows)
    out = _grouped_disposal(rows, keys, range(len(keys)))
    if group_by == "year":
        return sorted(out, key=lambda r: r["year"])
    name = "court" if group_by == "court" else "city"
    return sorted(out, key=lambda r: (-r["count"], str(r[name] or "")))


def statutory_compliance(*, cases: QuerySet[Case], calendar: WorkingCalendar | None = None) -> dict[str, Any]:
    """ATA s.19(7): share of decided cases disposed of within 7 working days of cognizance.

    Returns ``{"decided", "within_limit", "rate"}``; rate None when no case is decided. Two queries.
    """
    summary = _disposal_summary(_decided(cases, [], _calendar(calendar)))
    return {
        "decided": summary["count"],
        "within_limit": summary["within_statutory_limit"],
        "rate": summary["statutory_compliance"],
    }


# The published cases, one row each -----------------------------------------------------------

# What every court figure but the hearings reads of a case (``_case_rows``): one query over the
# cases, their charges come counted per case (ChargeTally, cases/tallies.py). The figures are
# then counted here, in one pass, from these rows.
CASE_FIELDS = ("court_id", "stage", "fir_date", "cognizance_date", "judgment_date")
CASE_ROW = (*CASE_FIELDS, "concluded", "convicted")  # the last two from the case's ChargeTally
COURT, STAGE, FIR, COGNIZANCE, JUDGMENT, CONCLUDED, CONVICTED = range(len(CASE_ROW))


def _case_rows(cases: QuerySet[Case]) -> list[tuple]:
    """``CASE_ROW`` of each published case of ``cases``, once each (whatever the caller joined). One query."""
    rows = (
        without_joins(_published(cases))
        .values(*CASE_FIELDS)
        .annotate(concluded=F("charge_tally__concluded"), convicted=F("charge_tally__convicted"))
    )
    return plain_rows(rows, CASE_ROW)


class _Cases(NamedTuple):
    """The published cases in one pass over their rows (``_sorted_cases``)."""

    per_court: dict[int, int]  # court id → published cases
    decided: list[tuple]  # the rows of the decided cases: judgment and cognizance dated (CaseQuerySet.decided)
    pending: list[tuple]  # the rows of the pending cases: no judgment, no stage past the trial (CaseQuerySet.pending)
    convictions: dict[int, dict[str, int]]  # court id → CONVICTION_KEYS; courts with no final verdict left out


CONVICTION_KEYS = ("charges_decided", "charges_convicted", "cases_decided", "cases_convicted")


def _sorted_cases(cases: QuerySet[Case]) -> _Cases:
    """``cases``' published cases counted per court, sorted into decided and pending, and their
    charges with a final verdict and convicted counted per court (with the cases that have at
    least one of each). One query."""
    per_court: dict[int, int] = defaultdict(int)
    decided, pending, convictions = [], [], {}
    for row in _case_rows(cases):
        court = row[COURT]
        per_court[court] += 1
        if row[JUDGMENT] is None:
            if row[STAGE] not in NOT_PENDING_STAGES:
                pending.append(row)
        elif row[COGNIZANCE] is not None:
            decided.append(row)
        concluded = row[CONCLUDED]
        if concluded:  # no tally (no charge) or no final verdict: nothing to count (a conviction is final)
            convicted = row[CONVICTED]
            entry = convictions.get(court)
            if entry is None:
                entry = convictions[court] = dict.fromkeys(CONVICTION_KEYS, 0)
            entry["charges_decided"] += concluded
            entry["charges_convicted"] += convicted
            entry["cases_decided"] += 1
            entry["cases_convicted"] += convicted > 0
    return _Cases(dict(per_court), decided, pending, convictions)


def _per_court(rows: Iterable[tuple]) -> dict[int, int]:
    """How many of ``rows`` (``CASE_ROW``) each court has."""
    return dict(Counter(row[COURT] for row in rows))


def _pending_days(pending: Sequence[tuple], today: datetime.date, calendar: _Counter) -> list[tuple[int, int]]:
    """(court id, working days since cognizance to ``today``) of each pending case's row with a
    cognizance date."""
    dated = [row for row in pending if row[COGNIZANCE] is not None]
    working = calendar.spans((row[COGNIZANCE], today) for row in dated)
    return [(row[COURT], days) for row, days in zip(dated, working, strict=True)]


def working_day_threshold(*, today: datetime.date, working_days: int, calendar: WorkingCalendar) -> datetime.date:
    """The earliest start date s with at most ``working_days`` working days in (s, today].

    Working days since s only grow as s moves back, so "≤ N working days old" is "started on or
    after this date": one comparison per case.
    """
    start = today
    for _ in range(3660):  # bounded: a calendar with no working days would never reach N
        earlier = start - datetime.timedelta(days=1)
        if calendar.between(earlier, today) > working_days:
            break
        start = earlier
    return start


def _age_thresholds(today: datetime.date, calendar: _Counter) -> list[tuple[str, datetime.date]]:
    """(bucket, earliest start date) of the pending-age buckets but the last two, youngest first."""
    limit = settings.STATUTORY_LIMIT_WORKING_DAYS
    return [
        ("le_7_working_days", working_day_threshold(today=today, working_days=limit, calendar=calendar)),
        ("le_30_days", today - datetime.timedelta(days=30)),
        ("le_6_months", months_before(today, 6)),
        ("le_1_year", years_before(today, 1)),
        ("1_to_3_years", years_before(today, 3)),
        ("3_to_5_years", years_before(today, 5)),
    ]


def _age_buckets(pending: Iterable[tuple], today: datetime.date, calendar: _Counter) -> list[dict[str, Any]]:
    """``pending_ages`` of the pending cases' rows: each case in the first bucket whose earliest
    start date it reaches, started on its cognizance date, else its FIR date."""
    # The thresholds oldest first: the number of them on or before a start date says its bucket
    # (none: more than 5 years; all: the youngest).
    keys, since = zip(*reversed(_age_thresholds(today, calendar)), strict=True)
    buckets = ("gt_5_years", *keys)
    counts = dict.fromkeys((key for key, _ in PENDING_AGE_BUCKETS), 0)
    for row in pending:
        started = row[COGNIZANCE] or row[FIR]
        counts["unknown" if started is None else buckets[bisect_right(since, started)]] += 1
    return [{"bucket": key, "label": label, "count": counts[key]} for key, label in PENDING_AGE_BUCKETS]


def pending_ages(
    *, cases: QuerySet[Case], today: datetime.date, calendar: WorkingCalendar | None = None
) -> list[dict[str, Any]]:
    """How long pending cases have waited: today − cognizance_date (or − fir_date when no cognizance yet).

    Buckets, in order, each case in the first that fits: ≤ 7 working days (the working calendar),
    ≤ 30 days, ≤ 6 months, ≤ 1 year, 1–3 years, 3–5 years, > 5 years (calendar months and years:
    a case started exactly 6 months ago is "≤ 6 months"), and last the cases with neither date.
    Pending = published, no judgment, stage not decided, transferred, on appeal or closed.
    Returns ``[{"bucket", "label", "count"}]`` with every bucket, zeros included. Two queries.
    """
    return _age_buckets(_sorted_cases(cases).pending, today, _calendar(calendar))


def _excess_of(working_days: Sequence[int]) -> dict[str, Any]:
    """The statutory-limit figures of pending cases from their working days since cognizance."""
    limit = settings.STATUTORY_LIMIT_WORKING_DAYS
    over = [days - limit for days in working_days if days > limit]
    return {
        "pending_with_cognizance": len(working_days),
        "over_limit": len(over),
        "share": share(len(over), len(working_days)),
        "median_excess_working_days": percentile(over, 0.5),
        "max_excess_working_days": max(over) if over else None,
    }


def over_statutory_limit(
    *, cases: QuerySet[Case], today: datetime.date, calendar: WorkingCalendar | None = None
) -> dict[str, Any]:
    """Pending cases whose working days since cognizance (to ``today``) exceed 7, and by how much.

    Returns ``{"pending_with_cognizance", "over_limit", "share", "median_excess_working_days",
    "max_excess_working_days"}`` (the excess is working days beyond the seventh). Two queries.
    """
    pending = _sorted_cases(cases).pending
    return _excess_of([days for _, days in _pending_days(pending, today, _calendar(calendar))])


def _case_figures(cases: QuerySet[Case], today: datetime.date, calendar: _Counter) -> dict[str, Any]:
    """Every court figure that reads the published cases (not their hearings), overall and per
    court, from one pass over their rows (``_sorted_cases``). Two queries: the cases, their courts.

    Returns ``courts`` [(court id, name, city, published cases)]; ``disposal`` (as
    ``disposal_times``), ``disposal_by_year`` and ``disposal_by_court`` {court id: the same};
    ``decided`` and ``pending`` {court id: cases}; ``over_statutory_limit`` (as that function) and
    ``over_statutory_limit_by_court`` {court id: the same}; ``pending_ages`` (as that function);
    ``convictions`` (``_Cases.convictions``)."""
    cases_ = _sorted_cases(cases)
    names = Court.objects.filter(pk__in=list(cases_.per_court)).values_list("pk", "name", "city__name")
    # (calendar days, working days) from cognizance to judgment of each decided case, in all, per
    # court and per year of cognizance.
    decided = calendar.durations((row[COGNIZANCE], row[JUDGMENT]) for row in cases_.decided)
    decided_by_court: dict[int, list] = defaultdict(list)
    decided_by_year: dict[int, list] = defaultdict(list)
    for row, pair in zip(cases_.decided, decided, strict=True):
        decided_by_court[row[COURT]].append(pair)
        decided_by_year[row[COGNIZANCE].year].append(pair)
    days_by_court: dict[int, list[int]] = defaultdict(list)
    for court_id, days in _pending_days(cases_.pending, today, calendar):
        days_by_court[court_id].append(days)
    return {
        "courts": [(pk, name, city, cases_.per_court[pk]) for pk, name, city in names],
        "disposal": _disposal_summary(decided),
        "disposal_by_year": [
            {"year": year} | _disposal_summary(decided_by_year[year]) for year in sorted(decided_by_year)
        ],
        "disposal_by_court": {pk: _disposal_summary(rows) for pk, rows in decided_by_court.items()},
        "decided": _per_court(cases_.decided),
        "pending": _per_court(cases_.pending),
        "over_statutory_limit": _excess_of([days for days_list in days_by_court.values() for days in days_list]),
        "over_statutory_limit_by_court": {pk: _excess_of(days) for pk, days in days_by_court.items()},
        "pending_ages": _age_buckets(cases_.pending, today, calendar),
        "convictions": cases_.convictions,
    }


# Hearings ------------------------------------------------------------------------------------


def _adjournment_block(held: int, adjourned: int, decided: int, of_decided: int, reasons: dict[str, int]) -> dict:
    by_reason = [
        {"reason": code, "label": label, "count": reasons.get(code, 0), "share": share(reasons.get(code, 0), adjourned)}
        for code, label in AdjournmentReason.choices
    ]
    by_reason.sort(key=lambda r: -r["count"])  # stable: ties keep the choices' order
    return {
        "decided_cases": decided,
        "hearings_of_decided_cases": of_decided,
        "hearings_per_decided_case": share(of_decided, decided),
        "hearings_held": held,
        "adjourned": adjourned,
        "adjournment_rate": share(adjourned, held),
        "by_reason": by_reason,
    }


def _new_entry() -> dict[str, Any]:
    return {"held": 0, "adjourned": 0, "decided": 0, "of_decided": 0, "reasons": defaultdict(int)}


def _hearings(cases: QuerySet[Case]) -> dict[int, dict[str, Any]]:
    """Per court id: hearings held and adjourned (by reason) at that court, and hearings of its
    decided cases; ``decided`` (the court's decided cases) is left 0 for ``_with_decided``. One
    grouped query over the hearing tallies.

    The hearings are read from HearingTally (cases/tallies.py: each case's hearings with an
    outcome, counted per court that heard them, kept current on every change), about one row per
    case instead of one per hearing; an adjourned hearing with no reason recorded is "other"."""
    published = _published(cases)
    decided_case = Q(judgment_date__isnull=False, cognizance_date__isnull=False)
    reasons = {reason_field(code): Sum(f"hearing_tallies__{reason_field(code)}") for code in AdjournmentReason.values}
    rows = (
        published.filter(hearing_tallies__held__gt=0)
        .annotate(
            heard_by=F("hearing_tallies__court_id"),
            of_decided=ExpressionWrapper(decided_case, output_field=BooleanField()),
        )
        .values("heard_by", "court_id", "of_decided")
        .annotate(held=Sum("hearing_tallies__held"), adjourned=Sum("hearing_tallies__adjourned"), **reasons)
    )
    per: dict[int, dict[str, Any]] = defaultdict(_new_entry)
    for row in rows:
        entry = per[row["heard_by"]]
        entry["held"] += row["held"]
        entry["adjourned"] += row["adjourned"]
        for key in reasons:
            if row[key]:
                entry["reasons"][key.removeprefix("reason_")] += row[key]
        if row["of_decided"]:
            per[row["court_id"]]["of_decided"] += row["held"]
    return per


def _with_decided(per: dict[int, dict[str, Any]], decided: Mapping[int, int]) -> dict[int, dict[str, Any]]:
    """``_hearings``' table with each court's decided cases (``decided``: court id → cases) filled in."""
    for court_id, n in decided.items():
        per[court_id]["decided"] += n
    return per


def _hearing_table(cases: QuerySet[Case]) -> dict[int, dict[str, Any]]:
    """Per court id: hearings held and adjourned (by reason) at that court, hearings of its decided
    cases and its decided cases. Two queries: the hearing tallies, the cases."""
    return _with_decided(_hearings(cases), _per_court(_sorted_cases(cases).decided))


def _merge(entries: Iterable[dict[str, Any]]) -> dict[str, Any]:
    total = _new_entry()
    for entry in entries:
        for key in ("held", "adjourned", "decided", "of_decided"):
            total[key] += entry[key]
        for reason, n in entry["reasons"].items():
            total["reasons"][reason] += n
    return total


def _block(entry: dict[str, Any]) -> dict[str, Any]:
    return _adjournment_block(
        entry["held"], entry["adjourned"], entry["decided"], entry["of_decided"], entry["reasons"]
    )


def adjournments(*, cases: QuerySet[Case], group_by: str | None = None) -> dict[str, Any] | list[dict[str, Any]]:
    """Hearings and adjournments of the published ``cases``.

    - hearings per decided case = hearings with an outcome of decided cases ÷ decided cases;
    - adjournment rate = adjourned ÷ hearings with an outcome (scheduled hearings do not count);
    - adjournments by reason: ``[{"reason", "label", "count", "share"}]``, every reason, most first.

    With ``group_by="court"``: a list with ``court_id`` and ``court`` per court, most hearings first.
    Hearings and reasons go to the court that heard them (the case's court unless the hearing names
    another); hearings per decided case to the case's court. Two queries (three when grouped).
    """
    if group_by not in (None, "court"):
        raise ValueError(f"group_by must be None or 'court', not {group_by!r}")
    per = _hearing_table(cases)
    if group_by is None:
        return _block(_merge(per.values()))
    names = dict(Court.objects.filter(pk__in=list(per)).values_list("pk", "name"))
    out = [{"court_id": pk, "court": names.get(pk)} | _block(entry) for pk, entry in per.items()]
    return sorted(out, key=lambda r: (-r["hearings_held"], r["court"] or ""))


# Verdicts and clearance ----------------------------------------------------------------------


def _conviction_figures(row: dict[str, int]) -> dict[str, Any]:
    return {
        "charges_decided": row["charges_decided"],
        "charges_convicted": row["charges_convicted"],
        "per_accused": share(row["charges_convicted"], row["charges_decided"]),
        "cases_decided": row["cases_decided"],
        "cases_convicted": row["cases_convicted"],
        "per_case": share(row["cases_convicted"], row["cases_decided"]),
    }


def _sum_convictions(per_court: dict[int, dict[str, int]]) -> dict[str, Any]:
    """``conviction_rate`` of all the cases from their courts' figures (``_Cases.convictions``)."""
    total = dict.fromkeys(CONVICTION_KEYS, 0)
    for row in per_court.values():
        for key in total:
            total[key] += row[key]
    return _conviction_figures(total)


def conviction_rate(*, cases: QuerySet[Case]) -> dict[str, Any]:
    """Conviction rate = convicted ÷ charges with a final verdict (convicted, acquitted, discharged, abated).

    Per accused: over charges (one accused in one case). Per case: cases with at least one
    conviction ÷ cases with at least one final verdict. Returns ``{"charges_decided",
    "charges_convicted", "per_accused", "cases_decided", "cases_convicted", "per_case"}``. One query.
    """
    return _sum_convictions(_sorted_cases(cases).convictions)


def clearance_rate(
    *, cases: QuerySet[Case], date_from: datetime.date | None, date_to: datetime.date | None
) -> dict[str, Any]:
    """Clearance rate (CEPEJ) = cases decided in the period ÷ cases that reached cognizance in it.

    The period is inclusive; an open end (None) is unbounded. Returns ``{"decided",
    "cognizance", "rate"}``; rate None when no case reached cognizance in the period. One query.
    """

    def within(field: str) -> Q:
        q = Q(**{f"{field}__isnull": False})
        if date_from:
            q &= Q(**{f"{field}__gte": date_from})
        if date_to:
            q &= Q(**{f"{field}__lte": date_to})
        return q

    row = _published(cases).aggregate(
        decided=Count("pk", filter=within("judgment_date")), cognizance=Count("pk", filter=within("cognizance_date"))
    )
    return {
        "decided": row["decided"],
        "cognizance": row["cognizance"],
        "rate": share(row["decided"], row["cognizance"]),
    }


# Per court and all at once -------------------------------------------------------------------


def _scorecards(figures: dict[str, Any], hearings: dict[int, dict[str, Any]]) -> list[dict[str, Any]]:
    """Scorecards from what is already counted: ``_case_figures`` and ``_hearings`` (no query)."""
    convictions = figures["convictions"]
    no_conviction = dict.fromkeys(CONVICTION_KEYS, 0)
    out = [
        {
            "court_id": pk,
            "court": name,
            "city": city,
            "cases": n,
            "decided": figures["decided"].get(pk, 0),
            "pending": figures["pending"].get(pk, 0),
            "disposal": figures["disposal_by_court"].get(pk) or _disposal_summary([]),
            "over_statutory_limit": figures["over_statutory_limit_by_court"].get(pk) or _excess_of([]),
            "adjournments": _block(hearings.get(pk, _new_entry())),
            "conviction_rate": _conviction_figures(convictions.get(pk, no_conviction)),
        }
        for pk, name, city, n in figures["courts"]
    ]
    return sorted(out, key=lambda r: (-r["cases"], r["court"]))


def court_scorecards(
    *, cases: QuerySet[Case], today: datetime.date, calendar: WorkingCalendar | None = None
) -> list[dict[str, Any]]:
    """One row per trial court of the published ``cases``, most cases first.

    Each row: ``court_id``, ``court``, ``city``, ``cases``, ``decided``, ``pending``; ``disposal``
    (as ``disposal_times``); ``over_statutory_limit`` (as that function); ``adjournments`` (as
    ``adjournments``; hearings counted at the court that heard them); ``conviction_rate`` (as that
    function). Four queries whatever the number of courts (three when ``calendar`` is given): the
    cases, their courts, the hearing tallies.
    """
    figures = _case_figures(cases, today, _calendar(calendar))
    return _scorecards(figures, _with_decided(_hearings(cases), figures["decided"]))


def court_statistics_parts(
    *,
    cases: QuerySet[Case],
    today: datetime.date,
    date_from: datetime.date | None = None,
    date_to: datetime.date | None = None,
    clearance_cases: QuerySet[Case] | None = None,
    calendar: WorkingCalendar | None = None,
) -> tuple[list[Callable[[], Any]], Callable[[Sequence[Any]], dict[str, Any]]]:
    """``court_statistics`` in parts: the independent reads (to be made in any order or at once,
    see tracker/concurrency.py) and the function that assembles their results, in the same order,
    into what ``court_statistics`` returns (no query). The working calendar is loaded here (one
    query) and shared."""
    calendar = _calendar(calendar)
    calendar._table()  # built once, before the parts share it
    parts = [
        partial(_case_figures, cases, today, calendar),
        partial(_hearings, cases),
        partial(
            clearance_rate,
            cases=clearance_cases if clearance_cases is not None else cases,
            date_from=date_from,
            date_to=date_to,
        ),
    ]

    def combine(results: Sequence[Any]) -> dict[str, Any]:
        figures, hearings, clearance = results
        hearings = _with_decided(hearings, figures["decided"])
        disposal = figures["disposal"]
        return {
            "disposal": disposal,
            "disposal_by_year": figures["disposal_by_year"],
            "statutory_compliance": {
                "decided": disposal["count"],
                "within_limit": disposal["within_statutory_limit"],
                "rate": disposal["statutory_compliance"],
            },
            "pending_ages": figures["pending_ages"],
            "over_statutory_limit": figures["over_statutory_limit"],
            "adjournments": _block(_merge(hearings.values())),
            "conviction_rate": _sum_convictions(figures["convictions"]),
            "clearance_rate": clearance,
            "scorecards": _scorecards(figures, hearings),
        }

    return parts, combine


def court_statistics(
    *,
    cases: QuerySet[Case],
    today: datetime.date,
    date_from: datetime.date | None = None,
    date_to: datetime.date | None = None,
    clearance_cases: QuerySet[Case] | None = None,
    calendar: WorkingCalendar | None = None,
) -> dict[str, Any]:
    """All the court figures at once, each as its own function gives it, sharing one working calendar
    and one pass over the cases: ``disposal``, ``disposal_by_year``, ``statutory_compliance``,
    ``pending_ages``, ``over_statutory_limit``, ``adjournments``, ``conviction_rate``,
    ``clearance_rate`` (of ``clearance_cases``, default ``cases``, over date_from..date_to) and
    ``scorecards`` (per court). A constant number of queries, made at once where
    ``tracker.concurrency`` allows.
    """
    parts, combine = court_statistics_parts(
        cases=cases,
        today=today,
        date_from=date_from,
        date_to=date_to,
        clearance_cases=clearance_cases,
        calendar=calendar,
    )
    return combine([part() for part in parts])


__all__ = [
    "adjournments",
    "clearance_rate",
    "conviction_rate",
    "court_scorecards",
    "court_statistics",
    "court_statistics_parts",
    "disposal_times",
    "months_before",
    "over_statutory_limit",
    "pending_ages",
    "percentile",
    "statutory_compliance",
    "working_day_threshold",
    "years_before",
]
