"""Justice figures per incident (DESIGN.md "Metrics"): standing verdicts, researched incidents,
the funnel, the impunity rate with its coverage, and partial justice.

Every figure is one keyword-only function over a queryset of incidents the caller has already
restricted (``Incident.objects.public()`` and the ``IncidentFilter``, which filters through
``Exists`` and so never multiplies rows), and returns a named row. The three read one set of
counts (``justice_counts``: two grouped queries over the source tables, the incidents, the
case-incident links, the cases, the charges and the appeals, whatever the number of rows), so a
page that shows all three reads each incident and each charge once; the sets a condition needs
("has a published case", "latest decided appeal overturned", ...) are uncorrelated subqueries
that the database hashes once. Only
published cases count, at every step. Nothing is stored: a change to any record, by any path
(a form, ``update()``, a bulk write, raw SQL), is in the next figure.

A charge's standing verdict is its trial verdict as changed by its latest decided appeal (by
``decided_on``, then id): an appeal's outcome is about the trial court's verdict (the Appeal's
help text), so an overturned conviction stands as acquitted, an overturned acquittal or discharge
as convicted, a remanded verdict as pending (retrial); upheld and modified leave the trial verdict
standing; pending appeals change nothing.

Rates are fractions from 0 to 1, None when there is nothing to divide by; each comes with its
``n`` (the count it is over), so that a page can say "too few to say" under five (the rule of
cases/figures.py, shared with the court figures).
"""

from __future__ import annotations

import datetime
import json
from dataclasses import dataclass

from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import (
    BooleanField,
    Count,
    Exists,
    ExpressionWrapper,
    F,
    Lookup,
    OuterRef,
    Q,
    QuerySet,
    When,
)
from django.db.models import Case as Conditional

from incidents.models import Incident, JusticeStatus, Status
from incidents.stats import share

from .figures import years_before
from .models import FINAL_VERDICTS, Appeal, AppealOutcome, Case, Charge, Custody, Verdict

# A conviction with no appeal counts as upheld once its verdict is more than this many days old
# (the convict, the state and the victim's family may appeal within 30 days: ATA s.25).
APPEAL_WINDOW_DAYS = 30
# The impunity rate looks at fatal incidents at least this many years old: younger ones may
# still be under investigation or trial.
IMPUNITY_YEARS = 3
FREE_VERDICTS = (Verdict.ACQUITTED, Verdict.DISCHARGED)
AT_LARGE = (Custody.ABSCONDING, Custody.PROCLAIMED_OFFENDER)


# Standing verdicts ---------------------------------------------------------------------------


def latest_decided_appeals() -> QuerySet[Appeal]:
    """Each appealed charge's latest decided appeal (by ``decided_on``, then id): the decided
    appeals with no later decided appeal of the same charge."""
    decided = Appeal.objects.order_by().exclude(outcome=AppealOutcome.PENDING)
    later = decided.filter(charge_id=OuterRef("charge_id")).filter(
        Q(decided_on__gt=OuterRef("decided_on")) | Q(decided_on=OuterRef("decided_on"), pk__gt=OuterRef("pk"))
    )
    return decided.filter(~Exists(later))


def _latest_is(outcome: str) -> Q:
    """On a Charge: its latest decided appeal has this outcome."""
    return Q(pk__in=latest_decided_appeals().filter(outcome=outcome).values("charge_id"))


# What an overturning appeal makes of each trial verdict (the others stand as they were).
OVERTURNED_TO = {Verdict.CONVICTED: Verdict.ACQUITTED, Verdict.ACQUITTED: Verdict.CONVICTED}
OVERTURNED_TO |= {Verdict.DISCHARGED: Verdict.CONVICTED}


def standing(*verdicts: str) -> Q:
    """On a Charge: its standing verdict is one of ``verdicts``.

    For example ``Charge.objects.filter(standing(Verdict.CONVICTED))`` are the standing
    convictions. A remanded charge stands as pending whatever its trial verdict; an overturned one
    as ``OVERTURNED_TO`` says; any other as its trial verdict (pending appeals play no part). The
    condition names each set of appeals only where it changes the answer: the final verdicts, for
    one, are final whether overturned or not.
    """
    wanted = set(verdicts)
    if_overturned = {trial for trial in Verdict.values if OVERTURNED_TO.get(trial, trial) in wanted}
    remanded = _latest_is(AppealOutcome.REMANDED)
    if if_overturned == wanted:
        not_remanded = Q(verdict__in=sorted(wanted))
    else:
        overturned = _latest_is(AppealOutcome.OVERTURNED)
        not_remanded = (Q(verdict__in=sorted(wanted)) & ~overturned) | (
            Q(verdict__in=sorted(if_overturned)) & overturned
        )
    condition = not_remanded & ~remanded
    return condition | remanded if Verdict.PENDING in wanted else condition


# Sets of incidents, as conditions on an Incident ---------------------------------------------


class IdArray:
    """A placeholder for a list of ids, given to the database as one parameter (``AmongIds``): a
    statement built on it reads the same whatever the ids and however many, so it can be compiled
    once (``incidents.models.PageJusticeStatus``), the ids filled in each time it runs
    (``Within.fill``)."""

    def __init__(self, name: str):
        self.name = name


def _ids_param(ids: list[int], connection) -> list[int] | str:
    """A list of ids as one parameter: an array on PostgreSQL, a JSON list on SQLite."""
    return list(ids) if connection.vendor == "postgresql" else json.dumps(list(ids))


class AmongIds(Lookup):
    """On a row: ``lhs`` is one of the ids ``rhs`` (a list, or an ``IdArray`` placeholder), given as one
    parameter: ``= ANY(array)`` on PostgreSQL (an index lookup per id), ``IN (SELECT value FROM
    json_each(…))`` on SQLite."""

    lookup_name = "among_ids"
    prepare_rhs = False

    def as_sql(self, compiler, connection):
        lhs, params = self.process_lhs(compiler, connection)
        ids = self.rhs if isinstance(self.rhs, IdArray) else _ids_param(self.rhs, connection)
        if connection.vendor == "postgresql":
            return f"{lhs} = ANY(%s::bigint[])", [*params, ids]
        return f"{lhs} IN (SELECT value FROM json_each(%s))", [*params, ids]  # noqa: S608 (Django's column)


@dataclass(frozen=True)
class Within:
    """Some incidents' ids and the ids of all their cases (published or not), both as lists.

    Lists, not subqueries: given "the cases of these incidents" as a subquery, PostgreSQL scans
    every charge of a verdict and hashes, rather than looking up the few charges of a few cases.
    ``PAGE`` holds placeholders (``IdArray``) for them, filled by ``fill``.
    """

    incident_ids: list[int]
    case_ids: list[int]

    @classmethod
    def of(cls, incident_ids) -> Within:
        """The incidents ``incident_ids`` and their cases (one query)."""
        incident_ids = list(incident_ids)
        links = Case.incidents.through.objects.order_by().filter(incident_id__in=incident_ids)
        return cls(incident_ids=incident_ids, case_ids=sorted(set(links.values_list("case_id", flat=True))))

    def fill(self, params: list, connection) -> list:
        """``params`` of a statement built on ``PAGE``, its placeholders replaced by these ids."""
        ids = {"incident_ids": self.incident_ids, "case_ids": self.case_ids}
        return [_ids_param(ids[p.name], connection) if isinstance(p, IdArray) else p for p in params]


# The incidents of a page and their cases, as placeholders: see ``IdArray``.
PAGE = Within(incident_ids=IdArray("incident_ids"), case_ids=IdArray("case_ids"))


def with_charges(condition: Q, within: Within | None = None) -> Q:
    """On an Incident: one of its published cases has a charge meeting ``condition`` (on a Charge).

    Charges → their cases → the cases' incidents: one set, hashed once by the database (the links'
    incident ids are never NULL, so the condition is safe to negate). ``within``, when given,
    narrows the set to those incidents and their cases: the same answer for them, without reading
    every charge (a page of 50 incidents, not 100,000)."""
    links = Case.incidents.through.objects.order_by()
    charges = Charge.objects.order_by().filter(case__status=Status.PUBLISHED).filter(condition)
    if within is not None:
        links = links.filter(AmongIds(F("incident_id"), within.incident_ids))
        charges = charges.filter(AmongIds(F("case_id"), within.case_ids))
    return Q(pk__in=links.filter(case_id__in=charges.values("case_id")).values("incident_id"))


def with_published_case(within: Within | None = None) -> Q:
    """On an Incident: at least one published Case (``within``: as for ``with_charges``)."""
    links = Case.incidents.through.objects.order_by().filter(case__status=Status.PUBLISHED)
    if within is not None:
        links = links.filter(AmongIds(F("incident_id"), within.incident_ids))
    return Q(pk__in=links.values("incident_id"))


def researched() -> Q:
    """On an Incident: its court record is researched, i.e. it has a published Case or a
    ``court_record_checked_on`` date. Only where someone looked can the tracker say "nobody was
    convicted"."""
    return with_published_case() | Q(court_record_checked_on__isnull=False)


def fatal_and_old(today: datetime.date) -> Q:
    """On an Incident: fatal (killed > 0) and at least ``IMPUNITY_YEARS`` old on ``today`` (dated
    on or before the same calendar day that many years before)."""
    return Q(killed__gt=0, date__lte=years_before(today, IMPUNITY_YEARS))


# The figures ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Funnel:
    """Fatal incidents reaching each step from a registered case to an upheld conviction."""

    fatal_incidents: int
    case_registered: int
    accused_charged: int
    trial_concluded: int
    convicted: int
    conviction_upheld: int


def upheld_conviction(today: datetime.date) -> Q:
    """On a Charge: a trial conviction that has at least one appeal, all decided and none
    overturned or remanded; or that has no appeal and whose verdict is more than
    ``APPEAL_WINDOW_DAYS`` old on ``today``. A pending appeal means not (yet) upheld."""
    appealed = Q(pk__in=Appeal.objects.order_by().values("charge_id"))
    blocked = Q(
        pk__in=Appeal.objects.order_by()
        .filter(outcome__in=[AppealOutcome.PENDING, AppealOutcome.OVERTURNED, AppealOutcome.REMANDED])
        .values("charge_id")
    )
    window_closed = Q(verdict_date__lt=today - datetime.timedelta(days=APPEAL_WINDOW_DAYS))
    return Q(verdict=Verdict.CONVICTED) & ((appealed & ~blocked) | (~appealed & window_closed))


# On a Charge: the accused is free of it, standing acquitted or discharged, or at large before a verdict.
def left_free() -> Q:
    return standing(*FREE_VERDICTS) | (standing(Verdict.PENDING) & Q(custody__in=AT_LARGE))


@dataclass(frozen=True)
class JusticeCounts:
    """The counts of fatal incidents that the funnel, the impunity rate and partial justice read
    (``justice_counts``): the funnel's six steps; ``fatal_old``, the fatal incidents at least
    ``IMPUNITY_YEARS`` old; ``researched``, those of them whose court record is researched;
    ``convicted_old``, those of them with a standing conviction (all researched: a conviction is
    in a published case); ``partial``, those of them with partial justice (``partial_justice``)."""

    fatal_incidents: int
    case_registered: int
    accused_charged: int
    trial_concluded: int
    convicted: int
    conviction_upheld: int
    fatal_old: int
    researched: int
    convicted_old: int
    partial: int


CHARGES = "cases__charges__"  # from an Incident to the charges of its cases


def _on_charges(condition: Q) -> Q:
    """``condition`` on a Charge as a condition on an Incident joined to its cases' charges."""
    children = [_on_charges(c) if isinstance(c, Q) else (CHARGES + c[0], c[1]) for c in condition.children]
    return Q(*children, _connector=condition.connector, _negated=condition.negated)


def justice_counts(*, incidents: QuerySet[Incident], today: datetime.date) -> JusticeCounts:
    """Every count of the justice figures over the fatal incidents (killed > 0) of ``incidents``
    on ``today``, each incident and each charge read once. Two queries.

    The incidents are grouped by three flags (at least ``IMPUNITY_YEARS`` old, with a published
    case, court record checked): at most eight rows, each flag evaluated once per incident. The
    charges of their published cases are classed once each (``_charge_counts``).
    """
    fatal = _each_once(incidents).filter(killed__gt=0)
    flags = {
        "old": ExpressionWrapper(Q(date__lte=years_before(today, IMPUNITY_YEARS)), output_field=BooleanField()),
        "has_case": ExpressionWrapper(with_published_case(), output_field=BooleanField()),
        "checked": ExpressionWrapper(Q(court_record_checked_on__isnull=False), output_field=BooleanField()),
    }
    groups = fatal.annotate(**flags).values(*flags).annotate(n=Count("pk")).values_list(*flags, "n")
    fatal_incidents = case_registered = fatal_old = researched_old = 0
    for old, has_case, checked, n in groups:
        fatal_incidents += n
        case_registered += n if has_case else 0
        fatal_old += n if old else 0
        researched_old += n if old and (has_case or checked) else 0
    return JusticeCounts(
        fatal_incidents=fatal_incidents,
        case_registered=case_registered,
        fatal_old=fatal_old,
        researched=researched_old,
        **_charge_counts(fatal, today),
    )


def _each_once(incidents: QuerySet[Incident]) -> QuerySet[Incident]:
    """``incidents``, each once, ready to group: a caller's join (a ``distinct()`` over a related
    table) must not multiply the rows a grouping counts, so then the incidents are taken by id."""
    incidents = incidents.order_by()
    if len(incidents.query.alias_map) > 1 or incidents.query.distinct:
        return Incident.objects.filter(pk__in=incidents.values("pk"))
    return incidents


def _charge_counts(fatal: QuerySet[Incident], today: datetime.date) -> dict[str, int]:
    """Over the charges of the published cases of the ``fatal`` incidents: the incidents with a
    charge (``accused_charged``), a standing final verdict (``trial_concluded``), a standing
    conviction (``convicted``), an upheld conviction (``conviction_upheld``); among those at least
    ``IMPUNITY_YEARS`` old, with a standing conviction (``convicted_old``) and with partial
    justice (``partial``). One query.

    Each charge is classed once, in a subquery (old, concluded, upheld; its accused if convicted,
    its accused if left free); the charges are grouped per incident, and the incidents counted.
    "Another accused" left free is a different person: per incident, C = the accused standing
    convicted and F = those left free (``left_free``); a person in C and a different person in F
    exist unless C and F are one and the same single person, i.e. unless min C = max C = min F =
    max F. Grouped directly, the database evaluated each condition once per aggregate. The
    subquery is Django's own SQL with its parameters kept apart: nothing from input is pasted.
    PostgreSQL would merge it into the grouping but for ``OFFSET 0``, its documented fence.
    """
    accused = F(f"{CHARGES}accused_id")
    charges = (
        fatal.filter(cases__status=Status.PUBLISHED, cases__charges__isnull=False)
        .annotate(
            incident=F("pk"),
            old=Conditional(When(Q(date__lte=years_before(today, IMPUNITY_YEARS)), then=1), default=0),
            concluded=Conditional(When(_on_charges(standing(*FINAL_VERDICTS)), then=1), default=0),
            upheld=Conditional(When(_on_charges(upheld_conviction(today)), then=1), default=0),
            convicted=Conditional(When(_on_charges(standing(Verdict.CONVICTED)), then=accused)),
            free=Conditional(When(_on_charges(left_free()), then=accused)),
        )
        .values("incident", "old", "concluded", "upheld", "convicted", "free")
    )
    names = ("accused_charged", "trial_concluded", "convicted", "conviction_upheld", "convicted_old", "partial")
    try:
        inner, params = charges.query.sql_with_params()
    except EmptyResultSet:
        return dict.fromkeys(names, 0)
    fence = " OFFSET 0" if connection.vendor == "postgresql" else ""
    columns = (
        'MAX("old") AS old, MAX("concluded") AS concluded, MAX("upheld") AS upheld, MIN("convicted") AS c_min, '
        'MAX("convicted") AS c_max, MIN("free") AS f_min, MAX("free") AS f_max'
    )
    per_incident = f'SELECT {columns} FROM ({inner}{fence}) charges GROUP BY "incident"'  # noqa: S608
    convicted_old = "old = 1 AND c_min IS NOT NULL"
    partial = f"{convicted_old} AND f_min IS NOT NULL AND NOT (c_min = c_max AND c_max = f_min AND f_min = f_max)"
    counts = ", ".join(
        f"COUNT(CASE WHEN {condition} THEN 1 END)"
        for condition in ("concluded = 1", "c_min IS NOT NULL", "upheld = 1", convicted_old, partial)
    )
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COUNT(*), {counts} FROM ({per_incident}) incidents", params)  # noqa: S608
        return dict(zip(names, cursor.fetchone(), strict=True))


def funnel_of(counts: JusticeCounts) -> Funnel:
    return Funnel(
        fatal_incidents=counts.fatal_incidents,
        case_registered=counts.case_registered,
        accused_charged=counts.accused_charged,
        trial_concluded=counts.trial_concluded,
        convicted=counts.convicted,
        conviction_upheld=counts.conviction_upheld,
    )


def funnel(*, incidents: QuerySet[Incident], today: datetime.date) -> Funnel:
    """The justice funnel over the fatal incidents (killed > 0) of ``incidents``. Two queries
    (``justice_counts``).

    Each step counts the fatal incidents with, in a published case: ``case_registered`` the case
    itself; ``accused_charged`` a Charge; ``trial_concluded`` a Charge whose standing verdict is
    final (convicted, acquitted, discharged, abated: a remand reopens the trial);
    ``convicted`` a standing conviction; ``conviction_upheld`` a conviction upheld
    (``upheld_conviction``) on ``today``.
    """
    return funnel_of(justice_counts(incidents=incidents, today=today))


@dataclass(frozen=True)
class Impunity:
    """The impunity rate with the counts behind it and its coverage.

    ``fatal_old``: fatal incidents at least 3 years old; ``researched``: those whose court record
    is researched; ``unpunished``: researched with no standing conviction of anyone; ``rate`` =
    unpunished ÷ researched (its n is ``researched``); ``coverage`` = researched ÷ fatal_old."""

    rate: float | None
    fatal_old: int
    researched: int
    unpunished: int
    coverage: float | None


def impunity_of(counts: JusticeCounts) -> Impunity:
    # A standing conviction is in a published case, so every incident with one is researched:
    # unpunished = researched − convicted.
    unpunished = counts.researched - counts.convicted_old
    return Impunity(
        rate=share(unpunished, counts.researched),
        fatal_old=counts.fatal_old,
        researched=counts.researched,
        unpunished=unpunished,
        coverage=share(counts.researched, counts.fatal_old),
    )


def impunity(*, incidents: QuerySet[Incident], today: datetime.date) -> Impunity:
    """Among the fatal incidents of ``incidents`` at least ``IMPUNITY_YEARS`` old on ``today``
    whose court record is researched, the share with no standing conviction of anyone; with the
    coverage (researched ÷ all those fatal old incidents) and both counts. Two queries
    (``justice_counts``)."""
    return impunity_of(justice_counts(incidents=incidents, today=today))


@dataclass(frozen=True)
class PartialJustice:
    """Of the researched fatal incidents at least 3 years old with a standing conviction
    (``with_standing_conviction``, the share's n), those where another accused in the incident's
    published cases stands acquitted or discharged, or is absconding or a proclaimed offender with
    no verdict yet (``incidents``); ``share`` = incidents ÷ with_standing_conviction."""

    incidents: int
    with_standing_conviction: int
    share: float | None


def partial_justice_of(counts: JusticeCounts) -> PartialJustice:
    return PartialJustice(
        incidents=counts.partial,
        with_standing_conviction=counts.convicted_old,
        share=share(counts.partial, counts.convicted_old),
    )


def partial_justice(*, incidents: QuerySet[Incident], today: datetime.date) -> PartialJustice:
    """Partial justice among the researched fatal incidents of ``incidents`` at least
    ``IMPUNITY_YEARS`` old on ``today``: of those with a standing conviction, the ones where
    another accused is left free (``left_free``). Two queries (``justice_counts``)."""
    return partial_justice_of(justice_counts(incidents=incidents, today=today))


# An incident's justice status ----------------------------------------------------------------


def status_conditions(within: Within | None = None) -> list[tuple[str, Q]]:
    """(``JusticeStatus`` code, condition on an Incident) in order of precedence: an incident has the
    first status whose condition holds, "not yet researched" when none does. Published cases only.
    ``within``, when given (``PAGE``), narrows the sets the conditions read to those incidents and
    their cases: the status of a page of incidents, from their own cases only.

    - convicted: a charge whose standing verdict is convicted (the impunity rate's "punished");
    - trial pending: otherwise, a charge still pending or transferred (a remanded verdict stands as pending);
    - conviction overturned: otherwise, a trial conviction whose latest decided appeal overturned it;
    - acquitted: otherwise, any charge: every one stands acquitted, discharged or abated;
    - case registered: a published case with no charge recorded;
    - nothing found: no published case, but a recorded check of the courts and police
      (``court_record_checked_on``). Every status but "not yet researched" is ``researched()``.
    """
    return [
        (JusticeStatus.CONVICTED, with_charges(standing(Verdict.CONVICTED), within)),
        (JusticeStatus.TRIAL_PENDING, with_charges(standing(Verdict.PENDING, Verdict.TRANSFERRED), within)),
        (
            JusticeStatus.CONVICTION_OVERTURNED,
            with_charges(Q(verdict=Verdict.CONVICTED) & _latest_is(AppealOutcome.OVERTURNED), within),
        ),
        (JusticeStatus.ACQUITTED, with_charges(Q(), within)),
        (JusticeStatus.CASE_REGISTERED, with_published_case(within)),
        (JusticeStatus.NOTHING_FOUND, Q(court_record_checked_on__isnull=False)),
    ]
