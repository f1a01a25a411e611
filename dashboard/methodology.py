"""`/methodology/`: every public figure's definition, written for a reader, next to the code that computes it.

``entries()`` is the methodology, entry by entry. Each ``Entry`` names the figures it defines by
their names in ``/api/statistics/`` (``figures``: "impunity.coverage", "courts.disposal", …), and
its thresholds come from the constants the statistics modules use (``IMPUNITY_YEARS``,
``APPEAL_WINDOW_DAYS``, ``MIN_N``, ``STATUTORY_LIMIT_WORKING_DAYS``, ``WORKING_WEEKDAYS``), so a
changed rule changes its explanation. A test walks the API's payload (``figure_keys``) and fails
when a figure has no entry; the statistics tables (``TABLE_FIGURES``), the headline figures, the
report and the home page link to the entries by ``url_for(figure)``.

The page itself (``methodology``) adds what only the database knows: the holidays in the working
calendar, the research coverage today (from the cached statistics, ``dashboard.cache``), and each
source the published incidents rest on, with its citation.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db.models import Count, Max, Min, Q
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import render
from django.urls import reverse
from django.utils.dates import WEEKDAYS
from django.utils.translation import gettext, pgettext

from cases.figures import MIN_N
from cases.justice import APPEAL_WINDOW_DAYS, IMPUNITY_YEARS
from cases.models import Holiday
from core.clock import today
from incidents.listing import page_links
from incidents.models import JUSTICE_STATUS_GROUPS, JUSTICE_STATUS_MEANING, Incident, JusticeStatus, Source
from incidents.views import paginate_named

from .api import statistics_filters
from .cache import FiguresPending, statistics_for

SOURCES_PAGE_SIZE = 50


@dataclass(frozen=True)
class Entry:
    """One definition: its anchor on the page, its title, its paragraphs (plain text), and the
    ``/api/statistics/`` figures it defines (dotted paths; empty for a rule several figures share)."""

    anchor: str
    title: str
    paragraphs: tuple[str, ...]
    figures: tuple[str, ...] = ()


def _weekdays() -> str:
    """The working weekdays (settings.WORKING_WEEKDAYS, 0 = Monday) as a list in words, in the page's language."""
    names = [str(WEEKDAYS[day]) for day in sorted(settings.WORKING_WEEKDAYS)]
    if len(names) < 2:
        return "".join(names)
    return gettext("%(days)s and %(last)s") % {
        "days": pgettext("list separator", ", ").join(names[:-1]),
        "last": names[-1],
    }


def entries() -> list[Entry]:
    """The methodology, in reading order (rules read from settings and the statistics modules)."""
    limit = settings.STATUTORY_LIMIT_WORKING_DAYS
    years = IMPUNITY_YEARS
    return [
        Entry(
            "what-counts",
            gettext("What counts: published records only"),
            (
                gettext(
                    "Every figure is a count over the tracker's records, never a number typed in. Only published "
                    "records count: drafts awaiting review and retracted records never enter a figure, on any page, "
                    "download or in the API, whoever is signed in."
                ),
                gettext(
                    "An incident is published only with at least one cited source. A case counts only when it is "
                    "published itself; a charge, hearing or appeal counts when its case is published."
                ),
                gettext(
                    "The filters (dates, place, attack type, community, organisation, text) select incidents; the court "
                    "figures then cover the published cases about those incidents."
                ),
            ),
        ),
        Entry(
            "casualties",
            gettext("Incidents, killed and injured"),
            (
                gettext(
                    "Incidents is the number of published incidents matching the filters. Killed and injured are "
                    "sums of the tracker's figure for each incident where that figure is known; an incident whose "
                    "toll is unknown adds nothing to the sum and is counted instead among the incidents with the "
                    "toll unknown. Unknown is never counted as zero, and zero means nobody."
                ),
                gettext(
                    "Sources often disagree on a toll: each incident keeps every source's own figure (shown on its "
                    "page), and the tracker's figure is the one an editor chose from the best source."
                ),
            ),
            ("incidents", "killed", "injured", "killed_unknown", "injured_unknown"),
        ),
        Entry(
            "monthly-average",
            gettext("Killed per month, on average, and the period"),
            (
                gettext(
                    "The monthly average is killed ÷ calendar months in the period, both end months counted: "
                    "an 18-month window divides by 18. The period runs from the chosen start date (else the month "
                    "of the earliest matching incident) to the chosen end date (else the month of the latest)."
                ),
            ),
            ("monthly_average_killed", "period", "period.date_from", "period.date_to", "period.months"),
        ),
        Entry(
            "breakdowns",
            gettext("Shares by year, place, attack type, community and organisation"),
            (
                gettext(
                    "Each breakdown gives, per group, the incidents and the killed, and each group's share of all "
                    "incidents and of all killed. An incident with two targeted communities, or attributed to two "
                    "organisations, counts once in each group it belongs to and once in the total: those groups may "
                    "add up to more than the total. Incidents with no group recorded (no city, no organisation "
                    "named) form their own row."
                ),
                gettext(
                    "An organisation is counted when an incident is attributed to it in any way: claimed, suspected, "
                    "named by officials or convicted. An attribution is a report, not a finding of guilt."
                ),
            ),
            ("by_year", "by_province", "by_city", "by_attack_type", "by_community", "by_organisation"),
        ),
        Entry(
            "standing-verdicts",
            gettext("Standing verdicts and standing convictions"),
            (
                gettext(
                    "A charge's standing verdict is its trial verdict as changed by its latest decided appeal (by "
                    "the date decided, then the order entered): a conviction overturned on appeal stands as an "
                    "acquittal; an acquittal or discharge overturned stands as a conviction; a verdict remanded for "
                    "retrial stands as pending; an appeal that upholds or modifies the verdict leaves it standing. "
                    "An appeal not yet decided changes nothing."
                ),
                gettext(
                    "A standing conviction is a charge whose standing verdict is a conviction. The funnel, the "
                    "impunity rate, partial justice and each incident's justice status use standing verdicts."
                ),
            ),
        ),
        Entry(
            "justice-status",
            gettext("Each incident's justice status"),
            (
                gettext(
                    "Every incident shows where its court record stands, counted from published cases only "
                    "(a draft or retracted case never changes it). An incident has the first of these that "
                    "applies, in this order:"
                ),
                *[
                    f"{JusticeStatus(code).label}: {JUSTICE_STATUS_MEANING[code]}"
                    for code in (
                        JusticeStatus.CONVICTED,
                        JusticeStatus.TRIAL_PENDING,
                        JusticeStatus.CONVICTION_OVERTURNED,
                        JusticeStatus.ACQUITTED,
                        JusticeStatus.CASE_REGISTERED,
                        JusticeStatus.NOTHING_FOUND,
                        JusticeStatus.NOT_RESEARCHED,
                    )
                ],
                gettext(
                    "So a conviction of one accused outranks a co-accused's pending trial or acquittal (see partial "
                    "justice). The incident list can be filtered by status (the justice parameter, also in the CSV "
                    "and the API), and by two groups: %(groups)s."
                )
                % {
                    "groups": pgettext("list separator", "; ").join(
                        gettext("“%(label)s” (%(key)s)") % {"label": label, "key": key}
                        for key, (label, _) in JUSTICE_STATUS_GROUPS.items()
                    )
                },
            ),
        ),
        Entry(
            "funnel",
            gettext("From attack to verdict: the justice funnel"),
            (
                gettext(
                    "The funnel follows the fatal incidents (at least one person known to be killed) through the "
                    "courts. Each step counts the fatal incidents with, in a published case: a case registered; "
                    "at least one accused charged; a trial concluded (a charge whose standing verdict is final: "
                    "convicted, acquitted, discharged or abated); a standing conviction; and a conviction upheld."
                ),
                gettext(
                    "A conviction is upheld when it was appealed and every appeal is decided with none overturning "
                    "or remanding it, or when it was not appealed and its verdict is more than %(days)s "
                    "days old (the time to appeal under ATA s.25). A pending appeal means not (yet) upheld."
                )
                % {"days": APPEAL_WINDOW_DAYS},
            ),
            (
                "funnel",
                "funnel.fatal_incidents",
                "funnel.case_registered",
                "funnel.accused_charged",
                "funnel.trial_concluded",
                "funnel.convicted",
                "funnel.conviction_upheld",
            ),
        ),
        Entry(
            "research-coverage",
            gettext("Researched incidents and research coverage"),
            (
                gettext(
                    "An incident's court record is researched when it has at least one published case, or when a "
                    "monitor has recorded searching the courts and police for proceedings on it (whatever was "
                    "found). Only where someone looked can the tracker say that nobody was convicted."
                ),
                gettext(
                    "Coverage = researched ÷ all fatal incidents at least %(years)s years old. Every page, report "
                    "sentence and API answer that gives the impunity rate gives its coverage and its two counts "
                    "beside it: a rate over a small, researched share of the incidents says little about the rest."
                )
                % {"years": years},
            ),
            ("impunity.fatal_old", "impunity.researched", "impunity.coverage"),
        ),
        Entry(
            "impunity-rate",
            gettext("The impunity rate"),
            (
                gettext(
                    "Among the fatal incidents at least %(years)s years old (on the day the figure is computed) whose "
                    "court record is researched, the share in which nobody's conviction stands. Younger incidents "
                    "are left out because their cases may still be under investigation or trial."
                )
                % {"years": years},
                gettext(
                    "The API gives it as a fraction from 0 to 1 (null when no such incident is researched), with "
                    "the researched incidents (its n), the unpunished ones, all fatal incidents of that age and the "
                    "coverage."
                ),
            ),
            ("impunity_rate", "impunity", "impunity.rate", "impunity.unpunished"),
        ),
        Entry(
            "partial-justice",
            gettext("Partial justice"),
            (
                gettext(
                    "Among the researched fatal incidents at least %(years)s years old with a standing conviction, "
                    "those where another accused in the same incident's published cases stands acquitted or "
                    "discharged, or is absconding or a proclaimed offender with no verdict. Shown as a count and as "
                    "a share of the incidents with a standing conviction."
                )
                % {"years": years},
            ),
            (
                "partial_justice",
                "partial_justice.incidents",
                "partial_justice.with_standing_conviction",
                "partial_justice.share",
            ),
        ),
        Entry(
            "working-days",
            gettext("Working days and holidays"),
            (
                gettext(
                    "A working day is a %(weekdays)s (the WORKING_WEEKDAYS setting) that is not a gazetted public "
                    "holiday in the tracker's holiday table. The table is filled from the python-holidays list "
                    "for Pakistan, Islamic holidays included, and editors correct it in the admin, since some "
                    "dates are announced late."
                )
                % {"weekdays": _weekdays()},
                gettext(
                    "Working days between two dates are the working days after the first date up to and including "
                    "the second: the day of cognizance does not count; the day of judgment does."
                ),
            ),
        ),
        Entry(
            "statutory-clock",
            gettext("The s.19(7) clock: statutory compliance and cases over the limit"),
            (
                gettext(
                    "The Anti-Terrorism Act 1997, s.19(7), says an Anti-Terrorism Court shall decide a case within "
                    "%(limit)s working days, trying it from day to day. The clock starts at cognizance (the day the "
                    "court formally takes up the case) and stops at the judgment."
                )
                % {"limit": limit},
                gettext(
                    "Statutory compliance = the share of decided cases disposed of within %(limit)s working days. "
                    "A pending case whose working days since cognizance (to today) exceed %(limit)s is over the "
                    "limit by the excess; the figures give how many are, their share of the pending cases since "
                    "cognizance, and the median and largest excess. A pending case is one with no judgment that "
                    "has not been decided, transferred, sent on appeal or closed."
                )
                % {"limit": limit},
            ),
            ("courts.statutory_compliance", "courts.over_statutory_limit"),
        ),
        Entry(
            "disposal-time",
            gettext("Disposal time"),
            (
                gettext(
                    "The disposal time of a decided case is judgment date − cognizance date, in calendar days and "
                    "in working days. The figures give the median and the 90th percentile (interpolated between "
                    "the two nearest cases), overall, per court, per city and per year of cognizance."
                ),
            ),
            ("courts.disposal", "courts.disposal_by_year"),
        ),
        Entry(
            "pending-ages",
            gettext("How long pending cases have waited"),
            (
                gettext(
                    "Pending age = today − the cognizance date (or − the FIR date before cognizance), in buckets, "
                    "each case in the first that fits: ≤ %(limit)s working days, ≤ 30 days, ≤ 6 months, ≤ 1 year, "
                    "1–3 years, 3–5 years, > 5 years; cases with neither date are counted apart."
                )
                % {"limit": limit},
            ),
            ("courts.pending_ages",),
        ),
        Entry(
            "adjournments",
            gettext("Hearings and adjournments"),
            (
                gettext(
                    "The adjournment rate = hearings adjourned ÷ hearings with a recorded outcome (scheduled "
                    "hearings have none yet). Adjournments are also counted by the reason recorded and per court, "
                    "at the court that heard them. Hearings per decided case = hearings with an outcome in the "
                    "decided cases ÷ those cases."
                ),
            ),
            ("courts.adjournments",),
        ),
        Entry(
            "conviction-rate",
            gettext("Conviction rate"),
            (
                gettext(
                    "Convicted ÷ charges with a final verdict (convicted, acquitted, discharged, abated), counted "
                    "per accused, and per case (a case with at least one conviction, of the cases with a final "
                    "verdict). It counts the trial courts' verdicts, as court statistics do; appeals are followed "
                    "in the funnel and the impunity rate."
                ),
            ),
            ("courts.conviction_rate",),
        ),
        Entry(
            "clearance-rate",
            gettext("Clearance rate"),
            (
                gettext(
                    "The clearance rate (as the Council of Europe's CEPEJ defines it) = cases decided in a period ÷ "
                    "cases that reached cognizance in it. Above 1, a court decides more cases than it takes up; "
                    "below 1, its backlog grows. The period is the one chosen in the filters (any period when none)."
                ),
            ),
            ("courts.clearance_rate",),
        ),
        Entry(
            "court-scorecards",
            gettext("Court by court"),
            (
                gettext(
                    "Each trial court's scorecard gives the figures above over its own published cases: cases, "
                    "decided, pending, disposal times, cases over the limit, adjournments and conviction rate."
                ),
            ),
            ("courts", "courts.scorecards"),
        ),
        Entry(
            "small-numbers",
            gettext("Small numbers"),
            (
                gettext(
                    "A median, percentile or rate computed from fewer than %(min_n)s cases, hearings, accused or "
                    "incidents is shown on the pages as “too few to say (n = …)”, with the number it would rest "
                    "on. The API gives the value and its n, so a reader can decide."
                )
                % {"min_n": MIN_N},
                gettext("A rate with nothing to divide by is not zero: it is left empty (null in the API)."),
            ),
        ),
        Entry(
            "sources",
            gettext("Where the data comes from"),
            (
                gettext(
                    "Incidents are entered by the tracker's editors from news reports, human-rights reports and "
                    "datasets, each incident citing at least one source with the figures that source gave. Cases "
                    "and hearings are recorded by legal monitors from court files, cause lists and attendance at "
                    "hearings. The sources the published incidents rest on are listed below, with the citation "
                    "each asks for; a dataset's own citation must be carried with any use of its data."
                ),
            ),
        ),
        Entry(
            "known-gaps",
            gettext("Known gaps"),
            (
                gettext(
                    "The tracker counts what has been recorded, not everything that happened: attacks that no "
                    "source reported, or that nobody has yet entered, are missing, so totals are lower bounds."
                ),
                gettext(
                    "Court records are researched for only some incidents (the coverage says how many); where "
                    "nobody has looked, the justice status says “not yet researched”, never “no case”."
                ),
                gettext(
                    "Tolls are often uncertain: sources disagree, and some incidents have no known toll (counted "
                    "apart, never as zero)."
                ),
                gettext(
                    "Working days follow the holiday table: a holiday not yet entered makes a case's clock one "
                    "day longer until it is."
                ),
                gettext(
                    "Cases transferred to another court (ATA s.23, or military courts in 2015–2019) are followed "
                    "only as far as the tracker's records go."
                ),
            ),
        ),
    ]


# Figures and their entries -----------------------------------------------------------------------------

# Blocks of /api/statistics/ whose keys are each a figure (one level down); lists of rows are one figure.
NESTED_BLOCKS = ("period", "funnel", "impunity", "partial_justice", "courts")

# The statistics page's tables (dashboard.tables) and the figure each one shows.
TABLE_FIGURES = {
    "totals": "incidents",
    "by_year": "by_year",
    "by_province": "by_province",
    "by_city": "by_city",
    "by_attack_type": "by_attack_type",
    "by_community": "by_community",
    "by_organisation": "by_organisation",
    "funnel": "funnel",
    "impunity": "impunity_rate",
    "court_summary": "courts.disposal",
    "pending_ages": "courts.pending_ages",
    "adjournment_reasons": "courts.adjournments",
    "disposal_by_year": "courts.disposal_by_year",
    "courts": "courts.scorecards",
}


def figure_keys(payload: dict[str, Any]) -> list[str]:
    """Every figure of a ``/api/statistics/`` payload as a dotted path: each top-level key, and each
    key of the blocks in ``NESTED_BLOCKS``."""
    keys = []
    for key, value in payload.items():
        keys.append(key)
        if key in NESTED_BLOCKS and isinstance(value, dict):
            keys += [f"{key}.{inner}" for inner in value]
    return keys


@functools.cache
def _index() -> tuple[dict[str, str], frozenset[str]]:
    """The anchor of each figure, and every anchor. Worked out once per process: anchors and figures are
    fixed text (only the paragraphs read the settings and the page's language), while ``entries()``
    translates every paragraph, and a statistics page links a dozen figures to their entries."""
    entries_now = entries()
    return (
        {figure: entry.anchor for entry in entries_now for figure in entry.figures},
        frozenset(entry.anchor for entry in entries_now),
    )


def anchors() -> dict[str, str]:
    """The anchor of the entry defining each figure, by its dotted path."""
    return dict(_index()[0])


def url_for(figure: str) -> str:
    """The methodology entry of a figure (a dotted ``/api/statistics/`` path) or of a rule (an anchor)."""
    by_figure, every_anchor = _index()
    anchor = by_figure.get(figure) or (figure if figure in every_anchor else None)
    if anchor is None:
        raise KeyError(f"no methodology entry for {figure!r}")
    return f"{reverse('dashboard:methodology')}#{anchor}"


# The page -----------------------------------------------------------------------------------------------


def methodology(request: HttpRequest) -> HttpResponse:
    """Every definition; the working calendar's holidays; today's research coverage and unknown tolls
    (the unfiltered statistics, from the cache); the sources of the published incidents with their
    citations, most used first (paginated by ``sources_page``). A fixed number of queries."""
    holidays = Holiday.objects.aggregate(count=Count("pk"), first=Min("date"), last=Max("date"))
    try:
        payload = statistics_for(statistics_filters(QueryDict()), today=today()).payload
    except FiguresPending:
        payload = None  # being counted after a change: the definitions do not wait for it
    sources = (
        Source.objects.public()
        .annotate(incident_count=Count("incidents", filter=Q(incidents__in=Incident.objects.public().values("pk"))))
        .order_by("-incident_count", "title", "id")
    )
    page = paginate_named(request, sources, "sources_page", SOURCES_PAGE_SIZE)
    context = {
        "entries": entries(),
        "figures_by_entry": {e.anchor: e.figures for e in entries()},
        "holidays": holidays,
        "weekdays": _weekdays(),
        "limit": settings.STATUTORY_LIMIT_WORKING_DAYS,
        "payload": payload,
        "sources": page,
        "source_links": page_links(page),
    }
    return render(request, "statistics/methodology.html", context)
