"""Justice figures per incident (DESIGN.md "Metrics"): standing verdicts, researched incidents,
the funnel, the impunity rate with its coverage, and partial justice.

Every figure is one keyword-only function over a queryset of incidents the caller has already
restricted (``Incident.objects.public()`` and the ``IncidentFilter``, which filters through
``Exists`` and so never multiplies rows), and returns a named row. Each is a grouped query over
the source tables, the incidents, the case-incident links, the cases, the charges and the
appeals (the funnel in two), whatever the number of rows: the sets of incidents a step needs ("has a published case
with a standing conviction", ...) are uncorrelated subqueries that the database hashes once. Only
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
from collections.abc import Iterable
from dataclasses import dataclass

from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import Case as Conditional
from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet, When

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


@dataclass(frozen=True)
class Within:
    """Some incidents' ids and the ids of all their cases (published or not), both as lists.

    Lists, not subqueries: given "the cases of these incidents" as a subquery, PostgreSQL scans
    every charge of a verdict and hashes, rather than looking up the few charges of a few cases.
    """

    incident_ids: list[int]
    case_ids: list[int]

    @classmethod
    def of(cls, incident_ids) -> Within:
        """The incidents ``incident_ids`` and their cases (one query)."""
        incident_ids = list(incident_ids)
        links = Case.incidents.through.objects.order_by().filter(incident_id__in=incident_ids)
        return cls(incident_ids=incident_ids, case_ids=sorted(set(links.values_list("case_id", flat=True))))


def with_charges(condition: Q, within: Within | None = None) -> Q:
    """On an Incident: one of its published cases has a charge meeting ``condition`` (on a Charge).

    Charges → their cases → the cases' incidents: one set, hashed once by the database (the links'
    incident ids are never NULL, so the condition is safe to negate). ``within``, when given,
    narrows the set to those incidents and their cases: the same answer for them, without reading
    every charge (a page of 50 incidents, not 100,000)."""
    links = Case.incidents.through.objects.order_by()
    charges = Charge.objects.order_by().filter(case__status=Status.PUBLISHED).filter(condition)
    if within is not None:
        links = links.filter(incident_id__in=within.incident_ids)
        charges = charges.filter(case_id__in=within.case_ids)
    return Q(pk__in=links.filter(case_id__in=charges.values("case_id")).values("incident_id"))


def with_published_case(within: Within | None = None) -> Q:
    """On an Incident: at least one published Case (``within``: as for ``with_charges``)."""
    links = Case.incidents.through.objects.order_by().filter(case__status=Status.PUBLISHED)
    if within is not None:
        links = links.filter(incident_id__in=within.incident_ids)
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


def funnel(*, incidents: QuerySet[Incident], today: datetime.date) -> Funnel:
    """The justice funnel over the fatal incidents (killed > 0) of ``incidents``. Two queries.

    Each step counts the fatal incidents with, in a published case: ``case_registered`` the case
    itself; ``accused_charged`` a Charge; ``trial_concluded`` a Charge whose standing verdict is
    final (convicted, acquitted, discharged, abated: a remand reopens the trial);
    ``convicted`` a standing conviction; ``conviction_upheld`` a conviction upheld
    (``upheld_conviction``) on ``today``. The charged steps are counted from one pass over the
    charges, grouped per incident (the database counts the groups, nothing is fetched).
    """
    fatal = incidents.order_by().filter(killed__gt=0)
    row = fatal.aggregate(fatal_incidents=Count("pk"), case_registered=Count("pk", filter=with_published_case()))
    # One row per fatal incident with a charge in a published case: its charges counted by step.
    per_incident = (
        Charge.objects.order_by()
        .filter(case__status=Status.PUBLISHED, case__incidents__in=fatal.values("pk"))
        .values("case__incidents")
        .annotate(
            n_concluded=Count("pk", filter=standing(*FINAL_VERDICTS)),
            n_convicted=Count("pk", filter=standing(Verdict.CONVICTED)),
            n_upheld=Count("pk", filter=upheld_conviction(today)),
        )
    )
    incident = "case__incidents"
    steps = per_incident.aggregate(
        accused_charged=Count(incident),
        trial_concluded=Count(incident, filter=Q(n_concluded__gt=0)),
        convicted=Count(incident, filter=Q(n_convicted__gt=0)),
        conviction_upheld=Count(incident, filter=Q(n_upheld__gt=0)),
    )
    return Funnel(**row, **steps)


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


def impunity(*, incidents: QuerySet[Incident], today: datetime.date) -> Impunity:
    """Among the fatal incidents of ``incidents`` at least ``IMPUNITY_YEARS`` old on ``today``
    whose court record is researched, the share with no standing conviction of anyone; with the
    coverage (researched ÷ all those fatal old incidents) and both counts. One query."""
    # A standing conviction is in a published case, so every incident with one is researched:
    # unpunished = researched − convicted, each set read once.
    row = (
        incidents.order_by()
        .filter(fatal_and_old(today))
        .aggregate(
            fatal_old=Count("pk"),
            researched=Count("pk", filter=researched()),
            convicted=Count("pk", filter=with_charges(standing(Verdict.CONVICTED))),
        )
    )
    unpunished = row["researched"] - row["convicted"]
    return Impunity(
        rate=share(unpunished, row["researched"]),
        fatal_old=row["fatal_old"],
        researched=row["researched"],
        unpunished=unpunished,
        coverage=share(row["researched"], row["fatal_old"]),
    )


@dataclass(frozen=True)
class PartialJustice:
    """Of the researched fatal incidents at least 3 years old with a standing conviction
    (``with_standing_conviction``, the share's n), those where another accused in the incident's
    published cases stands acquitted or discharged, or is absconding or a proclaimed offender with
    no verdict yet (``incidents``); ``share`` = incidents ÷ with_standing_conviction."""

    incidents: int
    with_standing_conviction: int
    share: float | None


# On a Charge: the accused is free of it, standing acquitted or discharged, or at large before a verdict.
def left_free() -> Q:
    return standing(*FREE_VERDICTS) | (standing(Verdict.PENDING) & Q(custody__in=AT_LARGE))


def partial_justice(*, incidents: QuerySet[Incident], today: datetime.date) -> PartialJustice:
    """Partial justice among the researched fatal incidents of ``incidents`` at least
    ``IMPUNITY_YEARS`` old on ``today``: one grouped query, a row per such incident with a
    standing conviction.

    "Another accused" is a different person: per incident, C = the accused standing convicted and
    F = those left free (``left_free``); a person in C and a different person in F exist unless C
    and F are one and the same single person, i.e. unless min C = max C = min F = max F.

    Each charge is classed once (convicted: its accused in C; left free: in F) in a subquery, and
    the incidents are grouped over those two columns: grouped directly, the database evaluated each
    condition once per aggregate (four times), a third of the query's time at 1,000,000 incidents.
    """
    scope = incidents.order_by().filter(fatal_and_old(today)).values("pk")
    charges = (
        Charge.objects.order_by()
        .filter(case__status=Status.PUBLISHED, case__incidents__in=scope)
        .annotate(
            incident=F("case__incidents"),
            convicted=Conditional(When(standing(Verdict.CONVICTED), then=F("accused_id"))),
            free=Conditional(When(left_free(), then=F("accused_id"))),
        )
        .values("incident", "convicted", "free")
    )
    with_conviction = partial = 0
    for c_min, c_max, f_min, f_max in _convicted_and_free_per_incident(charges):
        with_conviction += 1
        if f_min is not None and not (c_min == c_max == f_min == f_max):
            partial += 1
    return PartialJustice(
        incidents=partial, with_standing_conviction=with_conviction, share=share(partial, with_conviction)
    )


def _convicted_and_free_per_incident(charges: QuerySet[Charge]) -> list[tuple]:
    """(min, max) of the ``convicted`` and of the ``free`` column of ``charges`` (a ``values()``
    queryset of "incident", "convicted", "free") per incident with a non-NULL ``convicted``. One
    query, over ``charges`` as a subquery; none when Django knows they match nothing (``pk__in=[]``).

    The subquery is Django's own SQL with its parameters kept apart: nothing from input is pasted.
    PostgreSQL would merge it into the grouping (and evaluate its conditions once per aggregate
    again) but for ``OFFSET 0``, its documented fence.
    """
    try:
        inner, params = charges.query.sql_with_params()
    except EmptyResultSet:
        return []
    fence = " OFFSET 0" if connection.vendor == "postgresql" else ""
    columns = 'MIN("convicted"), MAX("convicted"), MIN("free"), MAX("free")'
    grouped = 'GROUP BY "incident" HAVING MIN("convicted") IS NOT NULL'
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {columns} FROM ({inner}{fence}) charges {grouped}", params)  # noqa: S608
        return cursor.fetchall()


# An incident's justice status ----------------------------------------------------------------


def status_conditions(incident_ids: Iterable[int] | None = None) -> list[tuple[str, Q]]:
    """(``JusticeStatus`` code, condition on an Incident) in order of precedence: an incident has the
    first status whose condition holds, "not yet researched" when none does. Published cases only.
    ``incident_ids``, when given, narrows the sets the conditions read to those incidents and their
    cases (found with one query): the status of a page of incidents, from their own cases only.

    - convicted: a charge whose standing verdict is convicted (the impunity rate's "punished");
    - trial pending: otherwise, a charge still pending or transferred (a remanded verdict stands as pending);
    - conviction overturned: otherwise, a trial conviction whose latest decided appeal overturned it;
    - acquitted: otherwise, any charge: every one stands acquitted, discharged or abated;
    - case registered: a published case with no charge recorded;
    - nothing found: no published case, but a recorded check of the courts and police
      (``court_record_checked_on``). Every status but "not yet researched" is ``researched()``.
    """
    within = None if incident_ids is None else Within.of(incident_ids)
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
