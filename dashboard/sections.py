"""The statistics page's sections (charts beside their tables) and headline boxes.

Built from the figures of `dashboard.api.statistics_payload` and the tables of
`dashboard.tables`; the SVG comes from `core.charts`. Nothing is counted here.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.urls import reverse
from django.utils.http import urlencode
from django.utils.safestring import SafeString

from cases.figures import years_before
from cases.justice import IMPUNITY_YEARS
from core import charts

from . import methodology
from .tables import BREAKDOWNS, FUNNEL_STEPS, NOT_RECORDED, Table, display, display_n, percent, too_few

CHART_ROWS = 12  # bars per breakdown chart; the table below it lists every group


def group_value(row: dict[str, Any], name: str) -> Any:
    """The group a breakdown row stands for (None: the incidents with nothing recorded)."""
    return row.get(BREAKDOWNS[name][1][0].key)


def group_label(row: dict[str, Any], name: str) -> str:
    value = group_value(row, name)
    return NOT_RECORDED if value is None else str(value)


def not_recorded_note(name: str, table: Table) -> str:
    """Says how many incidents the charts leave out for having no group recorded (the table has them)."""
    row = next((r for r in table.rows if group_value(r, name) is None), None)
    if row is None:
        return ""
    title = BREAKDOWNS[name][0].split(" (")[0].lower()
    return (
        f"The charts leave out the {display(row['incidents'], 'count')} incident{'' if row['incidents'] == 1 else 's'} "
        f"with no {title} recorded ({display(row['killed'], 'count')} killed); the table includes them."
    )


def breakdown_charts(name: str, table: Table) -> list[tuple[str, SafeString]]:
    """Two bar charts for a breakdown (incidents, killed), each of its largest recorded groups.

    The group of incidents with nothing recorded is left out of the charts (it would dwarf the
    others when, say, most incidents are attributed to no organisation); the table keeps it.
    """
    title = BREAKDOWNS[name][0].lower()
    recorded = [r for r in table.rows if group_value(r, name) is not None]
    by_incidents = recorded[:CHART_ROWS]
    by_killed = sorted(recorded, key=lambda r: -r["killed"])[:CHART_ROWS]
    more = f" The {CHART_ROWS} largest of {len(recorded)} groups are shown." if len(recorded) > CHART_ROWS else ""
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
    chart_note: str = ""


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
        sections.append(
            Section(
                anchor,
                heading,
                [tables[name]],
                breakdown_charts(name, tables[name]),
                chart_note=not_recorded_note(name, tables[name]),
            )
        )
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
            "only published cases count, and verdicts are standing verdicts (as changed on appeal). The impunity "
            "rate is the share of fatal incidents at least three years old in which nobody's conviction stands, "
            "among those whose court record has been researched; its coverage says how many that is.",
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


def impunity_headline(impunity: dict[str, Any]) -> tuple[str, str]:
    """The impunity rate's value and detail: the rate (or "too few to say"), its counts and its coverage."""
    fatal_old, researched = impunity["fatal_old"], impunity["researched"]
    if not fatal_old:
        return "–", "no fatal incident is three years old"
    coverage = (
        f"court records researched for {researched:,} of {plural(fatal_old, 'fatal incident')} "
        f"at least three years old ({percent(impunity['coverage'])} coverage)"
    )
    if not researched:
        return "–", coverage
    value = f"too few to say (n = {researched})" if too_few(researched) else percent(impunity["rate"])
    return value, f"no standing conviction in {impunity['unpunished']:,} of {researched:,}; {coverage}"


def headline_figures(payload: dict[str, Any]) -> list[tuple[str, str, str, str]]:
    """(label, value, detail, methodology entry's URL) for the boxes at the top of the dashboard."""
    impunity, disposal = payload["impunity"], payload["courts"]["disposal"]
    months = payload["period"]["months"]
    average = payload["monthly_average_killed"]
    figures = ["incidents", "killed", "injured", "monthly_average_killed", "impunity_rate", "courts.disposal"]
    boxes = [
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
        ("Impunity rate", *impunity_headline(impunity)),
        (
            "Median disposal time",
            "–"
            if disposal["median_days"] is None
            else display_n(disposal["median_days"], "days", disposal["n"])
            + ("" if too_few(disposal["n"]) else " days"),
            plural(disposal["count"], "decided case"),
        ),
    ]
    return [(*box, methodology.url_for(figure)) for box, figure in zip(boxes, figures, strict=True)]


# The home page's answer to the op-ed ------------------------------------------------------------


@dataclass(frozen=True)
class HomeFigure:
    """A home-page box: the figure, what it rests on, links to the records behind it, its definition."""

    label: str
    value: str
    detail: str
    links: list[tuple[str, str]]  # (text, URL of the filtered list)
    how: str  # the methodology entry


def _list_url(name: str, **params: str) -> str:
    return f"{reverse(name)}?{urlencode(params)}"


def home_figures(payload: dict[str, Any], *, today: datetime.date) -> list[HomeFigure]:
    """The op-ed's question answered from the unfiltered statistics: how often nobody is punished (with
    the coverage and both counts), how many cases are over the s.19(7) limit and by how much, how long
    a case takes. Each count links to the list that holds exactly those records."""
    impunity, courts = payload["impunity"], payload["courts"]
    over, disposal = courts["over_statutory_limit"], courts["disposal"]
    cutoff = years_before(today, IMPUNITY_YEARS).isoformat()
    old = {"fatal": "yes", "date_to": cutoff}
    rate, _ = impunity_headline(impunity)
    fatal_old, researched, unpunished = impunity["fatal_old"], impunity["researched"], impunity["unpunished"]
    excess = over["median_excess_working_days"]
    median_excess = display_n(excess, "days", over["median_excess_n"])
    excess_text = (
        f"; median excess {median_excess}{'' if too_few(over['median_excess_n']) else ' working days'}, "
        f"the longest {charts.format_number(over['max_excess_working_days'])}"
        if over["over_limit"]
        else ""
    )
    median = disposal["median_days"]
    return [
        HomeFigure(
            "Impunity rate",
            rate,
            f"Of the fatal attacks at least {IMPUNITY_YEARS} years old whose court record has been researched, "
            f"the share in which no conviction of anyone stands: {unpunished:,} of {researched:,}. Research "
            f"coverage: {researched:,} of {plural(fatal_old, 'fatal attack')} of that age"
            + (f" ({percent(impunity['coverage'])})." if fatal_old else "."),
            [
                (
                    f"{unpunished:,} with no standing conviction",
                    _list_url("incidents:incident_list", **old, justice="unpunished"),
                ),
                (f"{researched:,} researched", _list_url("incidents:incident_list", **old, justice="researched")),
                (f"all {fatal_old:,}", _list_url("incidents:incident_list", **old)),
            ],
            methodology.url_for("impunity_rate"),
        ),
        HomeFigure(
            "Cases over the s.19(7) limit",
            charts.format_number(over["over_limit"]),
            f"Pending cases past the seven working days of ATA s.19(7), of "
            f"{plural(over['pending_with_cognizance'], 'pending case')} since cognizance{excess_text}.",
            [
                ("the cases, longest first", _list_url("cases:case_list", clock="over_limit", sort="-clock")),
                ("all pending cases", _list_url("cases:case_list", clock="pending", sort="-clock")),
            ],
            methodology.url_for("courts.over_statutory_limit"),
        ),
        HomeFigure(
            "Median disposal time",
            "–"
            if median is None
            else display_n(median, "days", disposal["n"]) + ("" if too_few(disposal["n"]) else " days"),
            f"From cognizance to judgment, over {plural(disposal['count'], 'decided case')}; "
            f"{disposal['within_statutory_limit']:,} decided within seven working days.",
            [("the decided cases", _list_url("cases:case_list", clock="decided"))],
            methodology.url_for("courts.disposal"),
        ),
    ]
