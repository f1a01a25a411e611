"""The statistics page's sections (charts beside their tables) and headline boxes.

Built from the figures of `dashboard.api.statistics_payload` and the tables of
`dashboard.tables`; the SVG comes from `core.charts`. Nothing is counted here.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.template.defaultfilters import floatformat
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.safestring import SafeString
from django.utils.translation import gettext, ngettext

from cases.figures import too_few_text, years_before
from cases.justice import IMPUNITY_YEARS
from core import charts

from . import methodology
from .tables import BREAKDOWNS, FUNNEL_STEPS, NOT_RECORDED, Table, display, percent, too_few

CHART_ROWS = 12  # bars per breakdown chart; the table below it lists every group


def group_value(row: dict[str, Any], name: str) -> Any:
    """The group a breakdown row stands for (None: the incidents with nothing recorded)."""
    return row.get(BREAKDOWNS[name].columns[0].key)


def group_label(row: dict[str, Any], name: str) -> str:
    value = group_value(row, name)
    label = row["label"] if name == "by_attack_type" else value  # the attack type's label in the page's language
    return str(NOT_RECORDED) if value is None else str(label)


def not_recorded_note(name: str, table: Table) -> str:
    """Says how many incidents the charts leave out for having no group recorded (the table has them)."""
    row = next((r for r in table.rows if group_value(r, name) is None), None)
    if row is None:
        return ""
    return BREAKDOWNS[name].not_recorded_note % {
        "number": row["incidents"],
        "count": display(row["incidents"], "count"),
        "killed": display(row["killed"], "count"),
    }


def chart_desc(what: str, more: str = "") -> str:
    """A chart's description: what it draws, how many groups it shows, where the figures are."""
    return " ".join(filter(None, [what, more, gettext("The table below gives every figure.")]))


def breakdown_charts(name: str, table: Table) -> list[tuple[str, SafeString]]:
    """Two bar charts for a breakdown (incidents, killed), each of its largest recorded groups.

    The group of incidents with nothing recorded is left out of the charts (it would dwarf the
    others when, say, most incidents are attributed to no organisation); the table keeps it.
    """
    breakdown = BREAKDOWNS[name]
    recorded = [r for r in table.rows if group_value(r, name) is not None]
    by_incidents = recorded[:CHART_ROWS]
    by_killed = sorted(recorded, key=lambda r: -r["killed"])[:CHART_ROWS]
    more = (
        gettext("The %(shown)s largest of %(groups)s groups are shown.")
        % {"shown": CHART_ROWS, "groups": charts.format_number(len(recorded))}
        if len(recorded) > CHART_ROWS
        else ""
    )
    return [
        (
            gettext("Incidents"),
            charts.bar_chart(
                [(group_label(r, name), r["incidents"]) for r in by_incidents],
                title=str(breakdown.incidents_title),
                desc=chart_desc(gettext("Bar chart of the number of incidents in each group."), more),
                chart_id=f"{name}-incidents",
            ),
        ),
        (
            gettext("Killed"),
            charts.bar_chart(
                [(group_label(r, name), r["killed"]) for r in by_killed],
                title=str(breakdown.killed_title),
                desc=chart_desc(gettext("Bar chart of the number of people killed in each group."), more),
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
            gettext("Incidents per year"),
            charts.column_chart(
                [(year, row["incidents"]) for year, row in series],
                title=gettext("Incidents per year"),
                desc=chart_desc(gettext("Column chart of the number of incidents in each year.")),
                chart_id="by-year-incidents",
            ),
        ),
        (
            gettext("Killed per year"),
            charts.column_chart(
                [(year, row["killed"]) for year, row in series],
                title=gettext("Killed per year"),
                desc=chart_desc(gettext("Column chart of the number of people killed in each year.")),
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
            gettext("By year"),
            [tables["by_year"]],
            year_charts(payload["by_year"]),
            wide=True,
        )
    ]
    for name, anchor, heading in [
        ("by_province", "by-province", gettext("By province")),
        ("by_city", "by-city", gettext("By city")),
        ("by_attack_type", "by-attack-type", gettext("By attack type")),
        ("by_community", "by-community", gettext("By targeted community")),
        ("by_organisation", "by-organisation", gettext("By organisation")),
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
            gettext("From attack to verdict"),
            [tables["funnel"], tables["impunity"]],
            [
                (
                    gettext("The justice funnel"),
                    charts.funnel_chart(
                        [(str(label), funnel[key]) for key, label in FUNNEL_STEPS],
                        title=gettext("The justice funnel"),
                        desc=gettext(
                            "How many fatal incidents reached each step from a registered case to an upheld "
                            "conviction, with each step's share of the fatal incidents. The table below gives the "
                            "figures."
                        ),
                        chart_id="funnel",
                    ),
                )
            ],
            intro=gettext(
                "Each step counts the fatal incidents (at least one person killed) that reached it; "
                "only published cases count, and verdicts are standing verdicts (as changed on appeal). The impunity "
                "rate is the share of fatal incidents at least three years old in which nobody's conviction stands, "
                "among those whose court record has been researched; its coverage says how many that is."
            ),
        )
    )
    sections.append(
        Section(
            "courts",
            gettext("Courts and delay"),
            [
                tables["court_summary"],
                tables["pending_ages"],
                tables["adjournment_reasons"],
                tables["disposal_by_year"],
                tables["courts"],
            ],
            [
                (
                    gettext("Pending cases by time waiting"),
                    charts.bar_chart(
                        [(row["label"], row["count"]) for row in tables["pending_ages"].rows],
                        title=gettext("Pending cases by time waiting"),
                        desc=gettext(
                            "Bar chart of pending cases by time since cognizance (or since the FIR before "
                            "cognizance). The table below gives the figures."
                        ),
                        chart_id="pending-ages",
                        colour=charts.PURPLE,
                    ),
                ),
                (
                    gettext("Adjournments by reason"),
                    charts.bar_chart(
                        [(row["label"], row["count"]) for row in tables["adjournment_reasons"].rows],
                        title=gettext("Adjournments by reason"),
                        desc=gettext(
                            "Bar chart of adjourned hearings by the reason recorded. The table below gives the figures."
                        ),
                        chart_id="adjournment-reasons",
                        colour=charts.GREEN,
                    ),
                ),
            ],
            intro=gettext(
                "Disposal time runs from cognizance to judgment. The Anti-Terrorism Act 1997, s.19(7), "
                "asks courts to decide a case within seven working days of cognizance. Figures cover the published "
                "cases of the incidents selected above."
            ),
        )
    )
    return sections


def count(n: int) -> str:
    """A count as the pages write it (1,234), in the page's language."""
    return charts.format_number(n)


def impunity_headline(impunity: dict[str, Any]) -> tuple[str, str]:
    """The impunity rate's value and detail: the rate (or "too few to say"), its counts and its coverage."""
    fatal_old, researched = impunity["fatal_old"], impunity["researched"]
    if not fatal_old:
        return "–", gettext("no fatal incident is three years old")
    coverage = ngettext(
        "court records researched for %(researched)s of %(fatal_old)s fatal incident at least three years old "
        "(%(coverage)s coverage)",
        "court records researched for %(researched)s of %(fatal_old)s fatal incidents at least three years old "
        "(%(coverage)s coverage)",
        fatal_old,
    ) % {"researched": count(researched), "fatal_old": count(fatal_old), "coverage": percent(impunity["coverage"])}
    if not researched:
        return "–", coverage
    value = too_few_text(researched) if too_few(researched) else percent(impunity["rate"])
    detail = gettext("no standing conviction in %(unpunished)s of %(researched)s; %(coverage)s") % {
        "unpunished": count(impunity["unpunished"]),
        "researched": count(researched),
        "coverage": coverage,
    }
    return value, detail


def median_days(disposal: dict[str, Any]) -> str:
    """The median disposal time in days, "too few to say (n = …)", or "–" with no decided case."""
    if disposal["median_days"] is None:
        return "–"
    if too_few(disposal["n"]):
        return too_few_text(disposal["n"])
    return gettext("%(days)s days") % {"days": display(disposal["median_days"], "days")}


def headline_figures(payload: dict[str, Any]) -> list[tuple[str, str, str, str]]:
    """(label, value, detail, methodology entry's URL) for the boxes at the top of the dashboard."""
    impunity, disposal = payload["impunity"], payload["courts"]["disposal"]
    months = payload["period"]["months"]
    average = payload["monthly_average_killed"]
    killed_unknown, injured_unknown = payload["killed_unknown"], payload["injured_unknown"]
    figures = ["incidents", "killed", "injured", "monthly_average_killed", "impunity_rate", "courts.disposal"]
    boxes = [
        (gettext("Incidents"), count(payload["incidents"]), ""),
        (
            gettext("Killed"),
            count(payload["killed"]),
            ngettext("toll unknown in %(count)s incident", "toll unknown in %(count)s incidents", killed_unknown)
            % {"count": count(killed_unknown)}
            if killed_unknown
            else "",
        ),
        (
            gettext("Injured"),
            count(payload["injured"]),
            ngettext("unknown in %(count)s incident", "unknown in %(count)s incidents", injured_unknown)
            % {"count": count(injured_unknown)}
            if injured_unknown
            else "",
        ),
        (
            gettext("Killed per month, on average"),
            "–" if average is None else floatformat(average, "1g"),
            ngettext("over %(count)s calendar month", "over %(count)s calendar months", months)
            % {"count": count(months)}
            if months
            else "",
        ),
        (gettext("Impunity rate"), *impunity_headline(impunity)),
        (
            gettext("Median disposal time"),
            median_days(disposal),
            ngettext("%(count)s decided case", "%(count)s decided cases", disposal["count"])
            % {"count": count(disposal["count"])},
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
    numbers = {
        "years": IMPUNITY_YEARS,
        "unpunished": count(unpunished),
        "researched": count(researched),
        "fatal_old": count(fatal_old),
        "coverage": percent(impunity["coverage"]),
    }
    if not fatal_old:
        impunity_detail = gettext(
            "Of the fatal attacks at least %(years)s years old whose court record has been researched, the share "
            "in which no conviction of anyone stands: %(unpunished)s of %(researched)s. Research coverage: "
            "%(researched)s of 0 fatal attacks of that age."
        )
    else:
        impunity_detail = ngettext(
            "Of the fatal attacks at least %(years)s years old whose court record has been researched, the share "
            "in which no conviction of anyone stands: %(unpunished)s of %(researched)s. Research coverage: "
            "%(researched)s of %(fatal_old)s fatal attack of that age (%(coverage)s).",
            "Of the fatal attacks at least %(years)s years old whose court record has been researched, the share "
            "in which no conviction of anyone stands: %(unpunished)s of %(researched)s. Research coverage: "
            "%(researched)s of %(fatal_old)s fatal attacks of that age (%(coverage)s).",
            fatal_old,
        )
    pending = over["pending_with_cognizance"]
    over_numbers = {"pending": count(pending)}
    if over["over_limit"]:
        over_numbers |= {
            "longest": count(over["max_excess_working_days"]),
            "excess": too_few_text(over["median_excess_n"])
            if too_few(over["median_excess_n"])
            else gettext("%(days)s working days") % {"days": display(over["median_excess_working_days"], "days")},
        }
        over_detail = ngettext(
            "Pending cases past the seven working days of ATA s.19(7), of %(pending)s pending case since "
            "cognizance; median excess %(excess)s, the longest %(longest)s.",
            "Pending cases past the seven working days of ATA s.19(7), of %(pending)s pending cases since "
            "cognizance; median excess %(excess)s, the longest %(longest)s.",
            pending,
        )
    else:
        over_detail = ngettext(
            "Pending cases past the seven working days of ATA s.19(7), of %(pending)s pending case since cognizance.",
            "Pending cases past the seven working days of ATA s.19(7), of %(pending)s pending cases since cognizance.",
            pending,
        )
    decided = disposal["count"]
    return [
        HomeFigure(
            gettext("Impunity rate"),
            rate,
            impunity_detail % numbers,
            [
                (
                    gettext("%(count)s with no standing conviction") % {"count": count(unpunished)},
                    _list_url("incidents:incident_list", **old, justice="unpunished"),
                ),
                (
                    gettext("%(count)s researched") % {"count": count(researched)},
                    _list_url("incidents:incident_list", **old, justice="researched"),
                ),
                (gettext("all %(count)s") % {"count": count(fatal_old)}, _list_url("incidents:incident_list", **old)),
            ],
            methodology.url_for("impunity_rate"),
        ),
        HomeFigure(
            gettext("Cases over the s.19(7) limit"),
            count(over["over_limit"]),
            over_detail % over_numbers,
            [
                (
                    gettext("the cases, longest first"),
                    _list_url("cases:case_list", clock="over_limit", sort="-clock"),
                ),
                (gettext("all pending cases"), _list_url("cases:case_list", clock="pending", sort="-clock")),
            ],
            methodology.url_for("courts.over_statutory_limit"),
        ),
        HomeFigure(
            gettext("Median disposal time"),
            median_days(disposal),
            ngettext(
                "From cognizance to judgment, over %(count)s decided case; %(within)s decided within seven "
                "working days.",
                "From cognizance to judgment, over %(count)s decided cases; %(within)s decided within seven "
                "working days.",
                decided,
            )
            % {"count": count(decided), "within": count(disposal["within_statutory_limit"])},
            [(gettext("the decided cases"), _list_url("cases:case_list", clock="decided"))],
            methodology.url_for("courts.disposal"),
        ),
    ]
