"""The statistics page's tables: one definition serves the HTML table and its CSV download.

`statistics_tables(payload)` turns the figures of `dashboard.api.statistics_payload` into named
tables (`by_province`, `funnel`, `courts`, ...): the page shows them, `?format=csv&table=<name>`
downloads one. Nothing is counted here: values are the payload's, only arranged and formatted.

Captions, headers and labels are in the page's language (the payload itself stays in English, as
the API gives it): labels of coded rows (attack types, adjournment reasons, pending ages) are
looked up by their code here, so a cached payload reads right in either language. The CSV header
is the columns' keys, the same in every language (a data contract).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.template.defaultfilters import floatformat
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext, gettext_lazy, ngettext_lazy

from cases import figures
from cases.delay import PENDING_AGE_BUCKETS
from cases.models import AdjournmentReason
from core import charts
from incidents import stats as incident_stats
from incidents.models import AttackType

from . import methodology

NOT_RECORDED = gettext_lazy("Not recorded")

# A body cell's HTML by (heads its row, is a number, links somewhere), for format_html.
CELL = {
    (heads, number, linked): (
        ('<th scope="row">' if heads else ('<td class="num">' if number else "<td>"))
        + ('<a href="{url}">{text}</a>' if linked else "{text}")
        + ("</th>" if heads else "</td>")
    )
    for heads in (True, False)
    for number in (True, False)
    for linked in (True, False)
}


@dataclass(frozen=True)
class Column:
    """A table column: `key` in the row dicts (and the CSV header), `header` on the page, `kind` for formatting."""

    key: str
    header: str
    kind: str = "count"  # text | count | share | days | decimal
    csv: bool = True
    html: bool = True
    link: str = ""  # key of the row's URL: the cell links there on the page
    n: str = ""  # key of the row's n behind this median or rate: "too few to say" on the page when small


@dataclass
class Table:
    name: str
    caption: str
    columns: list[Column]
    rows: list[dict[str, Any]]
    note: str = ""
    csv_url: str = ""

    @property
    def html_columns(self) -> list[Column]:
        return [c for c in self.columns if c.html]

    @property
    def html_rows(self) -> list[list[tuple[str, bool, str]]]:
        """Each row as (text, is_number, url) cells, formatted for reading."""
        return [
            [
                (
                    display_n(row.get(c.key), c.kind, row.get(c.n) if c.n else None),
                    c.kind != "text",
                    row.get(c.link, "") if c.link else "",
                )
                for c in self.html_columns
            ]
            for row in self.rows
        ]

    @property
    def html_body(self) -> SafeString:
        """The table's body rows as HTML: the first cell of a row heads it, numbers align right,
        a cell with a URL links there. Made here, not by a template loop: the statistics page has
        a few thousand cells, and a template renders each one through several nodes."""
        return mark_safe(  # noqa: S308 - every piece is escaped by format_html
            "".join(
                "<tr>"
                + "".join(
                    format_html(
                        CELL[index == 0, is_number, bool(url)],
                        text=text,
                        url=url,
                    )
                    for index, (text, is_number, url) in enumerate(cells)
                )
                + "</tr>"
                for cells in self.html_rows
            )
        )

    @property
    def methodology_url(self) -> str:
        """The methodology entry of the figure this table shows (``methodology.TABLE_FIGURES``)."""
        return methodology.url_for(methodology.TABLE_FIGURES[self.name])

    def csv_rows(self) -> Iterable[list]:
        for row in self.rows:
            yield [csv_value(row.get(c.key), c.kind) for c in self.columns if c.csv]

    @property
    def csv_header(self) -> list[str]:
        return [c.key for c in self.columns if c.csv]


def display(value: Any, kind: str) -> str:
    """A cell as the page shows it: 1,234; 12.5%; "–" for a rate or time with nothing behind it."""
    if kind == "text":
        return NOT_RECORDED if value is None else str(value)
    if value is None:
        return "–" if kind in ("share", "days", "decimal") else gettext("unknown")
    if kind == "share":
        return share_text(value, 1)
    if kind in ("days", "decimal"):
        return floatformat(value, "-1g")
    return charts.format_number(value)


def share_text(value: float, decimals: int) -> str:
    """A fraction 0..1 as a percentage with ``decimals`` places, localised: 0.125 → "12.5%"."""
    return f"{floatformat(value * 100, f'{decimals}g')}%"


def csv_value(value: Any, kind: str) -> Any:
    """A cell as the CSV gives it: shares as fractions 0..1 (4 decimals), empty when unknown."""
    if value is None:
        return ""
    if kind == "share":
        return round(value, 4)
    if kind in ("days", "decimal"):
        return round(value, 2)
    return value


def percent(value: float | None) -> str:
    return "–" if value is None else share_text(value, 0)


# The statistics page's tables -----------------------------------------------------------------

GROUP_COLUMNS = [
    Column("incidents", gettext_lazy("Incidents")),
    Column("share_incidents", gettext_lazy("Share of incidents"), "share"),
    Column("killed", gettext_lazy("Killed")),
    Column("share_killed", gettext_lazy("Share of killed"), "share"),
    Column("injured", gettext_lazy("Injured")),
    Column("killed_unknown", "Killed unknown", html=False),
    Column("injured_unknown", "Injured unknown", html=False),
]


@dataclass(frozen=True)
class Breakdown:
    """A breakdown's label columns and its words: the table's caption, the two charts' titles and the
    note on the incidents with no group recorded (a plural message: ``%(count)s``, ``%(killed)s``)."""

    columns: list[Column]
    caption: str
    incidents_title: str
    killed_title: str
    not_recorded_note: str = ""


BREAKDOWNS = {
    "by_year": Breakdown(
        [Column("year", gettext_lazy("Year"), "text")],
        gettext_lazy("Incidents and casualties by year"),
        gettext_lazy("Incidents by year"),
        gettext_lazy("Killed by year"),
    ),
    "by_province": Breakdown(
        [Column("province", gettext_lazy("Province"), "text")],
        gettext_lazy("Incidents and casualties by province or territory"),
        gettext_lazy("Incidents by province or territory"),
        gettext_lazy("Killed by province or territory"),
        ngettext_lazy(
            "The charts leave out the %(count)s incident with no province or territory recorded (%(killed)s killed); "
            "the table includes them.",
            "The charts leave out the %(count)s incidents with no province or territory recorded (%(killed)s killed); "
            "the table includes them.",
            "number",
        ),
    ),
    "by_city": Breakdown(
        [Column("city", gettext_lazy("City"), "text"), Column("province", gettext_lazy("Province"), "text")],
        gettext_lazy("Incidents and casualties by city"),
        gettext_lazy("Incidents by city"),
        gettext_lazy("Killed by city"),
        ngettext_lazy(
            "The charts leave out the %(count)s incident with no city recorded (%(killed)s killed); "
            "the table includes them.",
            "The charts leave out the %(count)s incidents with no city recorded (%(killed)s killed); "
            "the table includes them.",
            "number",
        ),
    ),
    "by_attack_type": Breakdown(
        [
            Column("label", gettext_lazy("Attack type"), "text"),
            Column("attack_type", "attack_type", "text", html=False),
        ],
        gettext_lazy("Incidents and casualties by attack type"),
        gettext_lazy("Incidents by attack type"),
        gettext_lazy("Killed by attack type"),
        ngettext_lazy(
            "The charts leave out the %(count)s incident with no attack type recorded (%(killed)s killed); "
            "the table includes them.",
            "The charts leave out the %(count)s incidents with no attack type recorded (%(killed)s killed); "
            "the table includes them.",
            "number",
        ),
    ),
    "by_community": Breakdown(
        [Column("community", gettext_lazy("Community"), "text")],
        gettext_lazy("Incidents and casualties by targeted community"),
        gettext_lazy("Incidents by targeted community"),
        gettext_lazy("Killed by targeted community"),
        ngettext_lazy(
            "The charts leave out the %(count)s incident with no targeted community recorded (%(killed)s killed); "
            "the table includes them.",
            "The charts leave out the %(count)s incidents with no targeted community recorded (%(killed)s killed); "
            "the table includes them.",
            "number",
        ),
    ),
    "by_organisation": Breakdown(
        [Column("organisation", gettext_lazy("Organisation"), "text")],
        gettext_lazy("Incidents and casualties by organisation (attributed in any way)"),
        gettext_lazy("Incidents by organisation (attributed in any way)"),
        gettext_lazy("Killed by organisation (attributed in any way)"),
        ngettext_lazy(
            "The charts leave out the %(count)s incident with no organisation recorded (%(killed)s killed); "
            "the table includes them.",
            "The charts leave out the %(count)s incidents with no organisation recorded (%(killed)s killed); "
            "the table includes them.",
            "number",
        ),
    ),
}
MULTI_VALUED = {"by_community", "by_organisation"}

FUNNEL_STEPS = [
    ("fatal_incidents", gettext_lazy("Fatal incidents")),
    ("case_registered", gettext_lazy("Case registered")),
    ("accused_charged", gettext_lazy("Accused charged")),
    ("trial_concluded", gettext_lazy("Trial concluded")),
    ("convicted", gettext_lazy("Someone convicted")),
    ("conviction_upheld", gettext_lazy("Conviction upheld")),
]

SCORECARD_COLUMNS = [
    Column("court", gettext_lazy("Court"), "text", link="url"),
    Column("court_id", "court_id", "text", html=False),
    Column("city", "City", "text", html=False),
    Column("cases", gettext_lazy("Cases")),
    Column("decided", gettext_lazy("Decided")),
    Column("pending", gettext_lazy("Pending")),
    Column("median_days", gettext_lazy("Median disposal (days)"), "days", n="disposal_n"),
    Column("p90_days", "90th percentile (days)", "days", html=False, n="disposal_n"),
    Column("median_working_days", gettext_lazy("Median disposal (working days)"), "days", n="disposal_n"),
    Column("p90_working_days", "90th percentile (working days)", "days", html=False, n="disposal_n"),
    Column("statutory_compliance", gettext_lazy("Within 7 working days"), "share", n="disposal_n"),
    Column("disposal_n", "disposal_n", html=False),
    Column("over_limit", gettext_lazy("Pending over the limit")),
    Column("adjournment_rate", gettext_lazy("Adjournment rate"), "share", n="adjournment_rate_n"),
    Column("adjournment_rate_n", "adjournment_rate_n", html=False),
    Column("conviction_rate", gettext_lazy("Conviction rate (per accused)"), "share", n="conviction_rate_n"),
    Column("conviction_rate_n", "conviction_rate_n", html=False),
]


def breakdown_table(name: str, rows: list[dict[str, Any]]) -> Table:
    breakdown = BREAKDOWNS[name]
    note = ""
    if name in MULTI_VALUED:
        note = gettext(
            "An incident with several communities or organisations counts once in each of its groups "
            "and once in the total, so the groups can add up to more than the total and the shares to more than 100%."
        )
    if name == "by_attack_type":
        rows = labelled(rows, "attack_type", AttackType.choices)
    return Table(name, breakdown.caption, breakdown.columns + GROUP_COLUMNS, rows, note)


def labelled(rows: list[dict[str, Any]], code: str, choices: Iterable[tuple[str, Any]]) -> list[dict[str, Any]]:
    """``rows`` with each ``label`` looked up by the row's ``code`` in ``choices``, in the page's
    language (the payload's label is English, as the API gives it; an unknown code keeps it)."""
    labels = dict(choices)
    return [row | {"label": str(labels.get(row[code], row["label"]))} for row in rows]


def flatten_scorecard(row: dict[str, Any]) -> dict[str, Any]:
    """One court's scorecard (cases.courts.Scorecard, as a dict) as a flat table row, with the n
    behind each median and rate."""
    disposal, over = row["disposal"], row["over_statutory_limit"]
    return {
        "court": row["court"],
        "court_id": row["court_id"],
        "url": reverse("cases:court_detail", args=[row["court_id"]]),
        "city": row["city"],
        "cases": row["cases"],
        "decided": row["decided"],
        "pending": row["pending"],
        "median_days": disposal["median_days"],
        "p90_days": disposal["p90_days"],
        "median_working_days": disposal["median_working_days"],
        "p90_working_days": disposal["p90_working_days"],
        "statutory_compliance": disposal["statutory_compliance"],
        "disposal_n": disposal["n"],
        "over_limit": over["over_limit"],
        "adjournment_rate": row["adjournments"]["adjournment_rate"],
        "adjournment_rate_n": row["adjournments"]["n"],
        "conviction_rate": row["conviction_rate"]["per_accused"],
        "conviction_rate_n": row["conviction_rate"]["per_accused_n"],
    }


def figure_rows(pairs: Iterable[tuple]) -> list[dict[str, Any]]:
    """Rows of a figure/value table: (key, label, value, kind), or (key, label, value, kind, n) for
    a rate over n incidents or cases (shown as "too few to say" when n is small)."""
    return [
        {"figure": key, "label": label, "value": value, "kind": kind, "n": n[0] if n else None}
        for key, label, value, kind, *n in pairs
    ]


def too_few(n: int | None) -> bool:
    """A rate, median or percentile over too few cases or incidents (cases/figures.py) says too little."""
    return n is not None and figures.too_few(n)


def display_n(value: Any, kind: str, n: int | None) -> str:
    """``display``, or "too few to say (n = …)" when ``n`` is small (DESIGN.md "Small numbers")."""
    return figures.too_few_text(n) if too_few(n) else display(value, kind)


class FigureTable(Table):
    """A table of named figures, each formatted by its own kind."""

    @property
    def html_rows(self) -> list[list[tuple[str, bool]]]:
        return [
            [(row["label"], False, ""), (display_n(row["value"], row["kind"], row.get("n")), True, "")]
            for row in self.rows
        ]

    def csv_rows(self) -> Iterable[list]:
        for row in self.rows:
            yield [row["figure"], row["label"], csv_value(row["value"], row["kind"])]

    @property
    def csv_header(self) -> list[str]:
        return ["figure", "label", "value"]


FIGURE_COLUMNS = [Column("label", gettext_lazy("Figure"), "text"), Column("value", gettext_lazy("Value"))]


def statistics_tables(payload: dict[str, Any]) -> dict[str, Table]:
    """Every table of the statistics page, by its CSV name."""
    courts = payload["courts"]
    disposal, adjourn = courts["disposal"], courts["adjournments"]
    dn = disposal["n"]  # the decided cases behind every disposal median, percentile and share
    convictions, clearance, over = courts["conviction_rate"], courts["clearance_rate"], courts["over_statutory_limit"]
    period = payload["period"]
    tables: dict[str, Table] = {
        "totals": FigureTable(
            "totals",
            gettext_lazy("Headline figures"),
            FIGURE_COLUMNS,
            figure_rows(
                [
                    ("incidents", gettext_lazy("Incidents"), payload["incidents"], "count"),
                    ("killed", gettext_lazy("Killed (where known)"), payload["killed"], "count"),
                    ("injured", gettext_lazy("Injured (where known)"), payload["injured"], "count"),
                    (
                        "killed_unknown",
                        gettext_lazy("Incidents with the number killed unknown"),
                        payload["killed_unknown"],
                        "count",
                    ),
                    (
                        "injured_unknown",
                        gettext_lazy("Incidents with the number injured unknown"),
                        payload["injured_unknown"],
                        "count",
                    ),
                    ("period_from", gettext_lazy("Period from"), period["date_from"], "text"),
                    ("period_to", gettext_lazy("Period to"), period["date_to"], "text"),
                    ("period_months", gettext_lazy("Calendar months in the period"), period["months"], "count"),
                    (
                        "monthly_average_killed",
                        gettext_lazy("Monthly average killed"),
                        payload["monthly_average_killed"],
                        "decimal",
                    ),
                ]
            ),
        )
    }
    for name in BREAKDOWNS:
        tables[name] = breakdown_table(name, payload[name])
    funnel = payload["funnel"]
    fatal = funnel["fatal_incidents"]
    tables["funnel"] = Table(
        "funnel",
        gettext_lazy("The justice funnel: fatal incidents reaching each step"),
        [
            Column("label", gettext_lazy("Step"), "text"),
            Column("step", "step", "text", html=False),
            Column("incidents", gettext_lazy("Fatal incidents")),
            Column("share", gettext_lazy("Share of fatal incidents"), "share", n="fatal"),
            Column("fatal", "fatal_incidents", html=False),
        ],
        [
            {
                "step": key,
                "label": label,
                "incidents": funnel[key],
                "share": incident_stats.share(funnel[key], fatal),
                "fatal": fatal,  # the share's n
            }
            for key, label in FUNNEL_STEPS
        ],
    )
    impunity, partial = payload["impunity"], payload["partial_justice"]
    tables["impunity"] = FigureTable(
        "impunity",
        gettext_lazy("Impunity, research coverage and partial justice (fatal incidents at least 3 years old)"),
        FIGURE_COLUMNS,
        figure_rows(
            [
                ("fatal_old", gettext_lazy("Fatal incidents at least 3 years old"), impunity["fatal_old"], "count"),
                (
                    "researched",
                    gettext_lazy(
                        "… of which the court record is researched (a published case, or a check that found nothing)"
                    ),
                    impunity["researched"],
                    "count",
                ),
                (
                    "coverage",
                    gettext_lazy("Research coverage (researched ÷ fatal incidents at least 3 years old)"),
                    impunity["coverage"],
                    "share",
                ),
                (
                    "unpunished",
                    gettext_lazy("Researched, with no standing conviction of anyone"),
                    impunity["unpunished"],
                    "count",
                ),
                (
                    "impunity_rate",
                    gettext_lazy("Impunity rate (of the researched incidents)"),
                    impunity["rate"],
                    "share",
                    impunity["researched"],
                ),
                (
                    "with_standing_conviction",
                    gettext_lazy("Researched, with a standing conviction"),
                    partial["with_standing_conviction"],
                    "count",
                ),
                (
                    "partial_justice",
                    gettext_lazy(
                        "… of which another accused stands acquitted or discharged, or absconds (partial justice)"
                    ),
                    partial["incidents"],
                    "count",
                ),
                (
                    "partial_justice_share",
                    gettext_lazy("Partial justice, as a share of the incidents with a standing conviction"),
                    partial["share"],
                    "share",
                    partial["with_standing_conviction"],
                ),
            ]
        ),
        note=gettext(
            "A standing conviction is one not overturned or sent back for retrial on appeal. Only incidents "
            "whose court record was researched count: where nobody looked, the tracker cannot say nobody was convicted."
        ),
    )
    tables["court_summary"] = FigureTable(
        "court_summary",
        gettext_lazy("Courts and delay: the cases of these incidents"),
        FIGURE_COLUMNS,
        figure_rows(
            [
                ("decided_cases", gettext_lazy("Decided cases"), disposal["count"], "count"),
                (
                    "median_days",
                    gettext_lazy("Median disposal time (calendar days)"),
                    disposal["median_days"],
                    "days",
                    dn,
                ),
                (
                    "p90_days",
                    gettext_lazy("90th percentile disposal time (calendar days)"),
                    disposal["p90_days"],
                    "days",
                    dn,
                ),
                (
                    "median_working_days",
                    gettext_lazy("Median disposal time (working days)"),
                    disposal["median_working_days"],
                    "days",
                    dn,
                ),
                (
                    "p90_working_days",
                    gettext_lazy("90th percentile (working days)"),
                    disposal["p90_working_days"],
                    "days",
                    dn,
                ),
                (
                    "within_statutory_limit",
                    gettext_lazy("Decided within 7 working days"),
                    disposal["within_statutory_limit"],
                    "count",
                ),
                (
                    "statutory_compliance",
                    gettext_lazy("Statutory compliance (ATA s.19(7))"),
                    disposal["statutory_compliance"],
                    "share",
                    dn,
                ),
                (
                    "pending_with_cognizance",
                    gettext_lazy("Pending cases since cognizance"),
                    over["pending_with_cognizance"],
                    "count",
                ),
                ("over_limit", gettext_lazy("… over the 7-working-day limit"), over["over_limit"], "count"),
                (
                    "median_excess_working_days",
                    gettext_lazy("Median excess over the limit (working days)"),
                    over["median_excess_working_days"],
                    "days",
                    over["median_excess_n"],
                ),
                ("hearings_held", gettext_lazy("Hearings with an outcome"), adjourn["hearings_held"], "count"),
                ("adjourned", gettext_lazy("Hearings adjourned"), adjourn["adjourned"], "count"),
                (
                    "adjournment_rate",
                    gettext_lazy("Adjournment rate"),
                    adjourn["adjournment_rate"],
                    "share",
                    adjourn["n"],
                ),
                (
                    "hearings_per_decided_case",
                    gettext_lazy("Hearings per decided case"),
                    adjourn["hearings_per_decided_case"],
                    "decimal",
                    adjourn["hearings_per_decided_case_n"],
                ),
                (
                    "charges_decided",
                    gettext_lazy("Accused with a final verdict"),
                    convictions["charges_decided"],
                    "count",
                ),
                (
                    "conviction_rate_per_accused",
                    gettext_lazy("Conviction rate, per accused"),
                    convictions["per_accused"],
                    "share",
                    convictions["per_accused_n"],
                ),
                ("cases_decided", gettext_lazy("Cases with a final verdict"), convictions["cases_decided"], "count"),
                (
                    "conviction_rate_per_case",
                    gettext_lazy("Conviction rate, per case"),
                    convictions["per_case"],
                    "share",
                    convictions["per_case_n"],
                ),
                ("clearance_decided", gettext_lazy("Cases decided in the period"), clearance["decided"], "count"),
                (
                    "clearance_cognizance",
                    gettext_lazy("Cases taken up (cognizance) in the period"),
                    clearance["cognizance"],
                    "count",
                ),
                ("clearance_rate", gettext_lazy("Clearance rate"), clearance["rate"], "share", clearance["n"]),
            ]
        ),
        note=gettext(
            "A median, percentile or rate from fewer than five cases, hearings or accused is shown as "
            "“too few to say”, with the number it would rest on."
        ),
    )
    tables["pending_ages"] = Table(
        "pending_ages",
        gettext_lazy("Pending cases by time since cognizance (or since the FIR, before cognizance)"),
        [
            Column("label", gettext_lazy("Waiting"), "text"),
            Column("bucket", "bucket", "text", html=False),
            Column("count", gettext_lazy("Cases")),
        ],
        labelled(courts["pending_ages"], "bucket", PENDING_AGE_BUCKETS),
    )
    tables["adjournment_reasons"] = Table(
        "adjournment_reasons",
        gettext_lazy("Adjournments by reason"),
        [
            Column("label", gettext_lazy("Reason"), "text"),
            Column("reason", "reason", "text", html=False),
            Column("count", gettext_lazy("Adjournments")),
            Column("share", gettext_lazy("Share of adjournments"), "share", n="n"),
            Column("n", "n", html=False),
        ],
        labelled(adjourn["by_reason"], "reason", AdjournmentReason.choices),
    )
    tables["disposal_by_year"] = Table(
        "disposal_by_year",
        gettext_lazy("Disposal time by year of cognizance"),
        [
            Column("year", gettext_lazy("Year of cognizance"), "text"),
            Column("count", gettext_lazy("Decided cases")),
            Column("median_days", gettext_lazy("Median (days)"), "days", n="n"),
            Column("p90_days", gettext_lazy("90th percentile (days)"), "days", n="n"),
            Column("median_working_days", gettext_lazy("Median (working days)"), "days", n="n"),
            Column("p90_working_days", gettext_lazy("90th percentile (working days)"), "days", n="n"),
            Column("statutory_compliance", gettext_lazy("Within 7 working days"), "share", n="n"),
        ],
        courts["disposal_by_year"],
    )
    tables["courts"] = Table(
        "courts",
        gettext_lazy("Court by court"),
        SCORECARD_COLUMNS,
        [flatten_scorecard(row) for row in courts["scorecards"]],
    )
    return tables
