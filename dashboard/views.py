"""Public statistics pages: the `/statistics/` dashboard, court scorecards and organisation pages.

Figures come from `dashboard.api.statistics_payload` (which calls incidents/stats.py and
cases/stats.py), so the page, its CSV tables and `/api/statistics/` always agree; filters come
from the shared FilterSets (`dashboard.api.statistics_filters`). This module only arranges
figures into tables and SVG charts (dashboard/charts.py). Each page runs a fixed number of
queries whatever the number of rows.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Exists, OuterRef
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.safestring import SafeString

from cases import stats as case_stats
from cases.models import Case, Charge, Court, Verdict
from cases.workdays import WorkingCalendar
from incidents import stats as incident_stats
from incidents.filters import IncidentFilter
from incidents.listing import dress_filter_form, page_links, paginate
from incidents.models import Attribution, AttributionKind, Incident, Organisation
from tracker.csv import csv_response, wants_csv
from tracker.visibility import get_visible_or_404

from . import charts
from .api import statistics_filters, statistics_payload

NOT_RECORDED = "Not recorded"
CHART_ROWS = 12  # bars per breakdown chart; the table below it lists every group
COURT_PAGE_SIZE = 25


def today() -> datetime.date:
    """Today in Pakistan (tests replace this function to fix the date)."""
    return timezone.localdate()


# Tables: one definition serves the HTML table and its CSV -------------------------------------


@dataclass(frozen=True)
class Column:
    """A table column: `key` in the row dicts (and the CSV header), `header` on the page, `kind` for formatting."""

    key: str
    header: str
    kind: str = "count"  # text | count | share | days | decimal
    csv: bool = True
    html: bool = True
    link: str = ""  # key of the row's URL: the cell links there on the page


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
                (display(row.get(c.key), c.kind), c.kind != "text", row.get(c.link, "") if c.link else "")
                for c in self.html_columns
            ]
            for row in self.rows
        ]

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
        return "–" if kind in ("share", "days", "decimal") else "unknown"
    if kind == "share":
        return f"{value:.1%}"
    if kind in ("days", "decimal"):
        return f"{value:,.1f}".removesuffix(".0")
    return charts.format_number(value)


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
    return "–" if value is None else f"{value:.0%}"


# The statistics page ------------------------------------------------------------------------

GROUP_COLUMNS = [
    Column("incidents", "Incidents"),
    Column("share_incidents", "Share of incidents", "share"),
    Column("killed", "Killed"),
    Column("share_killed", "Share of killed", "share"),
    Column("injured", "Injured"),
    Column("killed_unknown", "Killed unknown", html=False),
    Column("injured_unknown", "Injured unknown", html=False),
]

BREAKDOWNS = {
    # table name: (payload key, section title, label columns)
    "by_year": ("Year", [Column("year", "Year", "text")]),
    "by_province": ("Province or territory", [Column("province", "Province", "text")]),
    "by_city": ("City", [Column("city", "City", "text"), Column("province", "Province", "text")]),
    "by_attack_type": (
        "Attack type",
        [Column("label", "Attack type", "text"), Column("attack_type", "attack_type", "text", html=False)],
    ),
    "by_community": ("Targeted community", [Column("community", "Community", "text")]),
    "by_organisation": ("Organisation (attributed in any way)", [Column("organisation", "Organisation", "text")]),
}
MULTI_VALUED = {"by_community", "by_organisation"}

FUNNEL_STEPS = [
    ("fatal_incidents", "Fatal incidents"),
    ("case_registered", "Case registered"),
    ("accused_charged", "Accused charged"),
    ("trial_concluded", "Trial concluded"),
    ("convicted", "Someone convicted"),
    ("conviction_upheld", "Conviction upheld"),
]

SCORECARD_COLUMNS = [
    Column("court", "Court", "text", link="url"),
    Column("court_id", "court_id", "text", html=False),
    Column("city", "City", "text", html=False),
    Column("cases", "Cases"),
    Column("decided", "Decided"),
    Column("pending", "Pending"),
    Column("median_days", "Median disposal (days)", "days"),
    Column("p90_days", "90th percentile (days)", "days", html=False),
    Column("median_working_days", "Median disposal (working days)", "days"),
    Column("p90_working_days", "90th percentile (working days)", "days", html=False),
    Column("statutory_compliance", "Within 7 working days", "share"),
    Column("over_limit", "Pending over the limit"),
    Column("adjournment_rate", "Adjournment rate", "share"),
    Column("conviction_rate", "Conviction rate (per accused)", "share"),
]


def breakdown_table(name: str, rows: list[dict[str, Any]]) -> Table:
    title, label_columns = BREAKDOWNS[name]
    note = ""
    if name in MULTI_VALUED:
        note = (
            "An incident with several communities or organisations counts once in each of its groups "
            "and once in the total, so the groups can add up to more than the total and the shares to more than 100%."
        )
    return Table(name, f"Incidents and casualties by {title.lower()}", label_columns + GROUP_COLUMNS, rows, note)


def flatten_scorecard(row: dict[str, Any]) -> dict[str, Any]:
    """One court's scorecard (cases.stats.court_scorecards) as a flat table row."""
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
        "over_limit": over["over_limit"],
        "adjournment_rate": row["adjournments"]["adjournment_rate"],
        "conviction_rate": row["conviction_rate"]["per_accused"],
    }


def figure_rows(pairs: Iterable[tuple[str, str, Any, str]]) -> list[dict[str, Any]]:
    """Rows of a figure/value table: (key, label, value, kind)."""
    return [{"figure": key, "label": label, "value": value, "kind": kind} for key, label, value, kind in pairs]


class FigureTable(Table):
    """A table of named figures, each formatted by its own kind."""

    @property
    def html_rows(self) -> list[list[tuple[str, bool]]]:
        return [[(row["label"], False, ""), (display(row["value"], row["kind"]), True, "")] for row in self.rows]

    def csv_rows(self) -> Iterable[list]:
        for row in self.rows:
            yield [row["figure"], row["label"], csv_value(row["value"], row["kind"])]

    @property
    def csv_header(self) -> list[str]:
        return ["figure", "label", "value"]


FIGURE_COLUMNS = [Column("label", "Figure", "text"), Column("value", "Value")]


def statistics_tables(payload: dict[str, Any]) -> dict[str, Table]:
    """Every table of the statistics page, by its CSV name."""
    courts = payload["courts"]
    disposal, adjourn = courts["disposal"], courts["adjournments"]
    convictions, clearance, over = courts["conviction_rate"], courts["clearance_rate"], courts["over_statutory_limit"]
    period = payload["period"]
    tables: dict[str, Table] = {
        "totals": FigureTable(
            "totals",
            "Headline figures",
            FIGURE_COLUMNS,
            figure_rows(
                [
                    ("incidents", "Incidents", payload["incidents"], "count"),
                    ("killed", "Killed (where known)", payload["killed"], "count"),
                    ("injured", "Injured (where known)", payload["injured"], "count"),
                    ("killed_unknown", "Incidents with the number killed unknown", payload["killed_unknown"], "count"),
                    (
                        "injured_unknown",
                        "Incidents with the number injured unknown",
                        payload["injured_unknown"],
                        "count",
                    ),
                    ("period_from", "Period from", period["date_from"], "text"),
                    ("period_to", "Period to", period["date_to"], "text"),
                    ("period_months", "Calendar months in the period", period["months"], "count"),
                    ("monthly_average_killed", "Monthly average killed", payload["monthly_average_killed"], "decimal"),
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
        "The justice funnel: fatal incidents reaching each step",
        [
            Column("label", "Step", "text"),
            Column("step", "step", "text", html=False),
            Column("incidents", "Fatal incidents"),
            Column("share", "Share of fatal incidents", "share"),
        ],
        [
            {"step": key, "label": label, "incidents": funnel[key], "share": incident_stats.share(funnel[key], fatal)}
            for key, label in FUNNEL_STEPS
        ],
    )
    impunity, partial = payload["impunity"], payload["partial_justice"]
    tables["impunity"] = FigureTable(
        "impunity",
        "Impunity and partial justice",
        FIGURE_COLUMNS,
        figure_rows(
            [
                (
                    "fatal_incidents_3_years_old",
                    "Fatal incidents at least 3 years old",
                    impunity["fatal_incidents_3_years_old"],
                    "count",
                ),
                ("without_conviction", "… of which nobody has been convicted", impunity["without_conviction"], "count"),
                ("impunity_rate", "Impunity rate", impunity["rate"], "share"),
                ("convicted_incidents", "Incidents with a conviction", partial["convicted_incidents"], "count"),
                (
                    "partial_justice",
                    "… of which another accused was acquitted, discharged or absconds",
                    partial["partial_justice"],
                    "count",
                ),
                (
                    "partial_justice_share",
                    "Partial justice (share of incidents with a conviction)",
                    partial["share"],
                    "share",
                ),
            ]
        ),
    )
    tables["court_summary"] = FigureTable(
        "court_summary",
        "Courts and delay: the cases of these incidents",
        FIGURE_COLUMNS,
        figure_rows(
            [
                ("decided_cases", "Decided cases", disposal["count"], "count"),
                ("median_days", "Median disposal time (calendar days)", disposal["median_days"], "days"),
                ("p90_days", "90th percentile disposal time (calendar days)", disposal["p90_days"], "days"),
                ("median_working_days", "Median disposal time (working days)", disposal["median_working_days"], "days"),
                ("p90_working_days", "90th percentile (working days)", disposal["p90_working_days"], "days"),
                (
                    "within_statutory_limit",
                    "Decided within 7 working days",
                    disposal["within_statutory_limit"],
                    "count",
                ),
                (
                    "statutory_compliance",
                    "Statutory compliance (ATA s.19(7))",
                    disposal["statutory_compliance"],
                    "share",
                ),
                ("pending_with_cognizance", "Pending cases since cognizance", over["pending_with_cognizance"], "count"),
                ("over_limit", "… over the 7-working-day limit", over["over_limit"], "count"),
                (
                    "median_excess_working_days",
                    "Median excess over the limit (working days)",
                    over["median_excess_working_days"],
                    "days",
                ),
                ("hearings_held", "Hearings with an outcome", adjourn["hearings_held"], "count"),
                ("adjourned", "Hearings adjourned", adjourn["adjourned"], "count"),
                ("adjournment_rate", "Adjournment rate", adjourn["adjournment_rate"], "share"),
                (
                    "hearings_per_decided_case",
                    "Hearings per decided case",
                    adjourn["hearings_per_decided_case"],
                    "decimal",
                ),
                ("charges_decided", "Accused with a final verdict", convictions["charges_decided"], "count"),
                ("conviction_rate_per_accused", "Conviction rate, per accused", convictions["per_accused"], "share"),
                ("conviction_rate_per_case", "Conviction rate, per case", convictions["per_case"], "share"),
                ("clearance_decided", "Cases decided in the period", clearance["decided"], "count"),
                ("clearance_cognizance", "Cases taken up (cognizance) in the period", clearance["cognizance"], "count"),
                ("clearance_rate", "Clearance rate", clearance["rate"], "share"),
            ]
        ),
    )
    tables["pending_ages"] = Table(
        "pending_ages",
        "Pending cases by time since cognizance (or since the FIR, before cognizance)",
        [Column("label", "Waiting", "text"), Column("bucket", "bucket", "text", html=False), Column("count", "Cases")],
        courts["pending_ages"],
    )
    tables["adjournment_reasons"] = Table(
        "adjournment_reasons",
        "Adjournments by reason",
        [
            Column("label", "Reason", "text"),
            Column("reason", "reason", "text", html=False),
            Column("count", "Adjournments"),
            Column("share", "Share of adjournments", "share"),
        ],
        adjourn["by_reason"],
    )
    tables["disposal_by_year"] = Table(
        "disposal_by_year",
        "Disposal time by year of cognizance",
        [
            Column("year", "Year of cognizance", "text"),
            Column("count", "Decided cases"),
            Column("median_days", "Median (days)", "days"),
            Column("p90_days", "90th percentile (days)", "days"),
            Column("median_working_days", "Median (working days)", "days"),
            Column("p90_working_days", "90th percentile (working days)", "days"),
            Column("statutory_compliance", "Within 7 working days", "share"),
        ],
        courts["disposal_by_year"],
    )
    tables["courts"] = Table(
        "courts",
        "Court by court",
        SCORECARD_COLUMNS,
        [flatten_scorecard(row) for row in courts["scorecards"]],
    )
    return tables


def group_label(row: dict[str, Any], name: str) -> str:
    title, label_columns = BREAKDOWNS[name]
    value = row.get(label_columns[0].key)
    return NOT_RECORDED if value is None else str(value)


def breakdown_charts(name: str, table: Table) -> list[tuple[str, SafeString]]:
    """Two bar charts for a breakdown (incidents, killed), each of its largest groups."""
    title = BREAKDOWNS[name][0].lower()
    by_incidents = table.rows[:CHART_ROWS]
    by_killed = sorted(table.rows, key=lambda r: -r["killed"])[:CHART_ROWS]
    more = f" The {CHART_ROWS} largest of {len(table.rows)} groups are shown." if len(table.rows) > CHART_ROWS else ""
    return [
        (
            "Incidents",
            charts.bar_chart(
                [(group_label(r, name), r["incidents"]) for r in by_incidents],
                title=f"Incidents by {title}",
                desc=f"Bar chart of the number of incidents in each group.{more} The table below gives every figure.",
                chart_id=f"{name}-incidents",
            ),
        ),
        (
            "Killed",
            charts.bar_chart(
                [(group_label(r, name), r["killed"]) for r in by_killed],
                title=f"Killed by {title}",
                desc=f"Bar chart of the number of people killed in each group.{more} The table below gives every figure.",
                chart_id=f"{name}-killed",
                colour=charts.VERMILLION,
            ),
        ),
    ]


def year_charts(rows: list[dict[str, Any]]) -> list[tuple[str, SafeString]]:
    """Incidents and killed per year, every year of the span shown (a year with no incident is 0)."""
    by_year = {row["year"]: row for row in rows}
    years = range(min(by_year), max(by_year) + 1) if by_year else range(0)
    empty = {"incidents": 0, "killed": 0}
    series = [(str(year), by_year.get(year, empty)) for year in years]
    return [
        (
            "Incidents per year",
            charts.column_chart(
                [(year, row["incidents"]) for year, row in series],
                title="Incidents per year",
                desc="Column chart of the number of incidents in each year. The table below gives every figure.",
                chart_id="by-year-incidents",
            ),
        ),
        (
            "Killed per year",
            charts.column_chart(
                [(year, row["killed"]) for year, row in series],
                title="Killed per year",
                desc="Column chart of the number of people killed in each year. The table below gives every figure.",
                chart_id="by-year-killed",
                colour=charts.VERMILLION,
            ),
        ),
    ]


@dataclass
class Section:
    id: str
    title: str
    tables: list[Table]
    charts: list[tuple[str, SafeString]] = field(default_factory=list)
    intro: str = ""
    wide: bool = False  # charts that may scroll sideways (columns by year)


def statistics_sections(payload: dict[str, Any], tables: dict[str, Table]) -> list[Section]:
    sections = [
        Section(
            "by-year",
            "By year",
            [tables["by_year"]],
            year_charts(payload["by_year"]),
            wide=True,
        )
    ]
    for name, anchor, heading in [
        ("by_province", "by-province", "By province"),
        ("by_city", "by-city", "By city"),
        ("by_attack_type", "by-attack-type", "By attack type"),
        ("by_community", "by-community", "By targeted community"),
        ("by_organisation", "by-organisation", "By organisation"),
    ]:
        sections.append(Section(anchor, heading, [tables[name]], breakdown_charts(name, tables[name])))
    funnel = payload["funnel"]
    sections.append(
        Section(
            "justice",
            "From attack to verdict",
            [tables["funnel"], tables["impunity"]],
            [
                (
                    "The justice funnel",
                    charts.funnel_chart(
                        [(label, funnel[key]) for key, label in FUNNEL_STEPS],
                        title="The justice funnel",
                        desc="How many fatal incidents reached each step from a registered case to an upheld "
                        "conviction, with each step's share of the fatal incidents. The table below gives the figures.",
                        chart_id="funnel",
                    ),
                )
            ],
            intro="Each step counts the fatal incidents (at least one person killed) that reached it; "
            "only published cases count. The impunity rate is the share of fatal incidents at least three years "
            "old in which nobody has been convicted.",
        )
    )
    courts = payload["courts"]
    sections.append(
        Section(
            "courts",
            "Courts and delay",
            [
                tables["court_summary"],
                tables["pending_ages"],
                tables["adjournment_reasons"],
                tables["disposal_by_year"],
                tables["courts"],
            ],
            [
                (
                    "Pending cases by time waiting",
                    charts.bar_chart(
                        [(row["label"], row["count"]) for row in courts["pending_ages"]],
                        title="Pending cases by time waiting",
                        desc="Bar chart of pending cases by time since cognizance (or since the FIR before "
                        "cognizance). The table below gives the figures.",
                        chart_id="pending-ages",
                        colour=charts.PURPLE,
                    ),
                ),
                (
                    "Adjournments by reason",
                    charts.bar_chart(
                        [(row["label"], row["count"]) for row in courts["adjournments"]["by_reason"]],
                        title="Adjournments by reason",
                        desc="Bar chart of adjourned hearings by the reason recorded. The table below gives the figures.",
                        chart_id="adjournment-reasons",
                        colour=charts.GREEN,
                    ),
                ),
            ],
            intro="Disposal time runs from cognizance to judgment. The Anti-Terrorism Act 1997, s.19(7), "
            "asks courts to decide a case within seven working days of cognizance. Figures cover the published "
            "cases of the incidents selected above.",
        )
    )
    return sections


def plural(count: int, word: str) -> str:
    return f"{charts.format_number(count)} {word}{'' if count == 1 else 's'}"


def headline_figures(payload: dict[str, Any]) -> list[tuple[str, str, str]]:
    """(label, value, detail) for the boxes at the top of the dashboard."""
    impunity, disposal = payload["impunity"], payload["courts"]["disposal"]
    months = payload["period"]["months"]
    average = payload["monthly_average_killed"]
    return [
        ("Incidents", charts.format_number(payload["incidents"]), ""),
        (
            "Killed",
            charts.format_number(payload["killed"]),
            f"toll unknown in {plural(payload['killed_unknown'], 'incident')}" if payload["killed_unknown"] else "",
        ),
        (
            "Injured",
            charts.format_number(payload["injured"]),
            f"unknown in {plural(payload['injured_unknown'], 'incident')}" if payload["injured_unknown"] else "",
        ),
        (
            "Killed per month, on average",
            "–" if average is None else f"{average:,.1f}",
            f"over {plural(months, 'calendar month')}" if months else "",
        ),
        (
            "Impunity rate",
            percent(impunity["rate"]),
            "no fatal incident is three years old"
            if impunity["rate"] is None
            else f"nobody convicted in {impunity['without_conviction']:,} of "
            f"{plural(impunity['fatal_incidents_3_years_old'], 'fatal incident')} at least three years old",
        ),
        (
            "Median disposal time",
            "–" if disposal["median_days"] is None else f"{display(disposal['median_days'], 'days')} days",
            plural(disposal["count"], "decided case"),
        ),
    ]


def filter_query(request: HttpRequest) -> str:
    """The request's filter parameters (those of IncidentFilter), as a query string for links."""
    names = IncidentFilter.base_filters.keys()
    return urlencode([(k, v) for k in names for v in request.GET.getlist(k) if v])


def filter_errors_response(errors: dict[str, list[str]]) -> HttpResponse:
    lines = [f"{name}: {' '.join(messages)}" for name, messages in errors.items()]
    return HttpResponse(
        "Bad filter parameters; nothing exported.\n" + "\n".join(lines) + "\n",
        status=400,
        content_type="text/plain; charset=utf-8",
    )


def table_csv(table: Table, query: str) -> StreamingHttpResponse:
    suffix = "-filtered" if query else ""
    return csv_response(f"statistics-{table.name}{suffix}.csv", table.csv_header, table.csv_rows())


def statistics(request: HttpRequest) -> HttpResponse | StreamingHttpResponse:
    """The statistics dashboard for any filter; `?format=csv&table=<name>` downloads one table."""
    filters = statistics_filters(request.GET)
    valid = filters.is_valid()
    if wants_csv(request) and not valid:
        return filter_errors_response(filters.errors)
    form = dress_filter_form(filters.incident_filter.form)
    query = filter_query(request)
    context: dict[str, Any] = {"form": form, "query": query, "valid": valid, "errors": filters.errors}
    if not valid:
        return render(request, "statistics/dashboard.html", context, status=400)
    day = today()
    payload = statistics_payload(
        incidents=filters.incidents,
        cases=filters.cases,
        today=day,
        date_from=filters.date_from,
        date_to=filters.date_to,
        clearance_cases=filters.undated_case_filter.qs,
    )
    tables = statistics_tables(payload)
    if wants_csv(request):
        table = tables.get(request.GET.get("table", ""))
        if table is None:
            return HttpResponse(
                "Say which table to download: ?format=csv&table=<name>, one of: " + ", ".join(tables) + "\n",
                status=400,
                content_type="text/plain; charset=utf-8",
            )
        return table_csv(table, query)
    base = reverse("dashboard:statistics")
    for name, table in tables.items():
        table.csv_url = f"{base}?{urlencode({'format': 'csv', 'table': name})}" + (f"&{query}" if query else "")
    context.update(
        payload=payload,
        tables=tables,
        sections=statistics_sections(payload, tables),
        headline=headline_figures(payload),
        today=day,
    )
    return render(request, "statistics/dashboard.html", context)


# Courts ---------------------------------------------------------------------------------------


def court_list(request: HttpRequest) -> HttpResponse:
    """Every court, with its published cases' headline figures (cases.stats.court_scorecards)."""
    courts = Court.objects.public().select_related("city").order_by("name")
    page = paginate(request, courts, per_page=COURT_PAGE_SIZE)
    scorecards = {
        row["court_id"]: flatten_scorecard(row)
        for row in case_stats.court_scorecards(
            cases=Case.objects.public().filter(court__in=[c.pk for c in page.object_list]), today=today()
        )
    }
    rows = [(court, scorecards.get(court.pk)) for court in page.object_list]
    return render(request, "cases/court_list.html", {"page": page, "page_links": page_links(page), "rows": rows})


CLEARANCE_YEARS = 5


def clearance_by_year(cases, this_year: int) -> list[dict[str, Any]]:
    """The clearance rate for each of the last calendar years (this one so far included); one query a year."""
    rows = []
    for year in range(this_year - CLEARANCE_YEARS + 1, this_year + 1):
        figures = case_stats.clearance_rate(
            cases=cases, date_from=datetime.date(year, 1, 1), date_to=datetime.date(year, 12, 31)
        )
        rows.append({"year": year} | figures)
    return rows


def court_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A court's scorecard: disposal times, statutory compliance, pending ages, cases over the
    s.19(7) limit, adjournments and their reasons, conviction and clearance rates; its pending cases."""
    court = get_visible_or_404(Court.objects.select_related("city"), request.user, pk=pk)
    day = today()
    calendar = WorkingCalendar()
    cases = Case.objects.public().filter(court=court)
    cards = case_stats.court_scorecards(cases=cases, today=day, calendar=calendar)
    card = cards[0] if cards else None
    pending_ages = case_stats.pending_ages(cases=cases, today=day, calendar=calendar)
    by_year = case_stats.disposal_times(cases=cases, group_by="year", calendar=calendar)
    clearance = clearance_by_year(cases, day.year)
    pending = (
        cases.pending()
        .filter(cognizance_date__isnull=False)
        .order_by("cognizance_date", "id")
        .only("id", "case_number", "fir_number", "cognizance_date", "stage", "court_id", "judgment_date")
    )
    page = paginate(request, pending, per_page=COURT_PAGE_SIZE)
    pending_rows = [
        (
            case,
            case.working_days_since_cognizance(day, calendar=calendar),
            case.days_over_statutory_limit(day, calendar=calendar),
        )
        for case in page.object_list
    ]
    reasons = card["adjournments"]["by_reason"] if card else []
    context = {
        "court": court,
        "card": card,
        "today": day,
        "pending_ages": pending_ages,
        "pending_rows": pending_rows,
        "page": page,
        "page_links": page_links(page),
        "disposal_by_year": by_year,
        "clearance": clearance,
        "pending_chart": charts.bar_chart(
            [(row["label"], row["count"]) for row in pending_ages],
            title=f"Pending cases at {court.name} by time waiting",
            desc="Bar chart of pending cases by time since cognizance (or since the FIR before cognizance). "
            "The table gives the figures.",
            chart_id="court-pending-ages",
            colour=charts.PURPLE,
        ),
        "reasons": reasons,
        "reasons_chart": charts.bar_chart(
            [(row["label"], row["count"]) for row in reasons if row["count"]],
            title=f"Adjournments at {court.name} by reason",
            desc="Bar chart of adjourned hearings by the reason recorded. The table gives the figures.",
            chart_id="court-adjournment-reasons",
            colour=charts.GREEN,
        ),
        "limit": 7,
    }
    return render(request, "cases/court_detail.html", context)


# Organisations ------------------------------------------------------------------------------

ORGANISATION_PAGE_SIZE = 50
ORGANISATION_INCIDENTS_PAGE_SIZE = 25


def organisation_list(request: HttpRequest) -> HttpResponse:
    """Every organisation with the published incidents attributed to it (incidents.stats.by_organisation)."""
    organisations = Organisation.objects.public().select_related("umbrella").order_by("name")
    page = paginate(request, organisations, per_page=ORGANISATION_PAGE_SIZE)
    on_page = [org.pk for org in page.object_list]
    # Only the incidents of this page's organisations: each one's group is then complete.
    incidents = Incident.objects.public().filter(
        Exists(Attribution.objects.filter(incident_id=OuterRef("pk"), organisation_id__in=on_page))
    )
    figures = {row["slug"]: row for row in incident_stats.by_organisation(incidents=incidents) if row["slug"]}
    rows = [(org, figures.get(org.slug)) for org in page.object_list]
    return render(
        request, "incidents/organisation_list.html", {"page": page, "page_links": page_links(page), "rows": rows}
    )


def organisation_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """An organisation: the published incidents attributed to it (in any way, by kind) and the
    convictions of accused said to belong to it."""
    organisation = get_visible_or_404(Organisation.objects.select_related("umbrella"), request.user, pk=pk)
    published = Incident.objects.public()
    links = Attribution.objects.filter(incident_id=OuterRef("pk"), organisation=organisation)
    attributed = published.filter(Exists(links))
    kinds = [
        (label, incident_stats.totals(incidents=published.filter(Exists(links.filter(kind=kind)))))
        for kind, label in AttributionKind.choices
    ]
    incidents = attributed.select_related("province", "city").order_by("-date", "-id")
    page = paginate(request, incidents, per_page=ORGANISATION_INCIDENTS_PAGE_SIZE)
    kinds_by_incident: dict[int, list[str]] = {}
    for incident_id, kind in (
        Attribution.objects.filter(organisation=organisation, incident__in=[i.pk for i in page.object_list])
        .order_by("kind")
        .values_list("incident_id", "kind")
    ):
        kinds_by_incident.setdefault(incident_id, []).append(AttributionKind(kind).label)
    convictions = (
        Charge.objects.public()
        .filter(verdict=Verdict.CONVICTED, accused__affiliation=organisation)
        .select_related("accused", "case", "case__court")
        .order_by("-verdict_date", "-id")
    )
    conviction_page = paginate_named(request, convictions, "convictions_page", ORGANISATION_INCIDENTS_PAGE_SIZE)
    context = {
        "organisation": organisation,
        "totals": incident_stats.totals(incidents=attributed),
        "kinds": kinds,
        "page": page,
        "page_links": page_links(page),
        "incident_rows": [(i, kinds_by_incident.get(i.pk, [])) for i in page.object_list],
        "convictions": conviction_page,
        "conviction_links": page_links(conviction_page),
        "members": list(organisation.members.order_by("name")),
    }
    return render(request, "incidents/organisation_detail.html", context)


def paginate_named(request: HttpRequest, queryset, param: str, per_page: int):
    """Like `paginate`, but reading the page number from `param` (two lists on one page)."""
    from django.core.paginator import Paginator

    return Paginator(queryset, per_page).get_page(request.GET.get(param))
