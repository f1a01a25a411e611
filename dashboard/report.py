"""`/statistics/report/`: the statistics for any filter written out in sentences, as a press
release or an op-ed would give them, each sentence linking to the records behind it.

The figures are those of `/api/statistics/` (`dashboard.api.statistics_payload`, same filters);
this module only puts them into careful English: exact counts first, percentages rounded to whole
numbers ("less than 1%" rather than "0%"), plurals, and what is not known said plainly.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.contrib.humanize.templatetags.humanize import intcomma
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import urlencode

from cases.figures import too_few
from cases.filters import CaseFilter
from cases.justice import IMPUNITY_YEARS, years_before
from core.clock import today
from incidents.filters import IncidentFilter
from incidents.listing import dress_filter_form

from . import methodology
from .api import StatisticsFilters, statistics_filters
from .cache import FiguresPending, mark_stale, pending_response, statistics_for

LIMIT = "seven working days"  # ATA 1997 s.19(7)


# Careful English -----------------------------------------------------------------------------


def number(n: int) -> str:
    return intcomma(n)


def plural(n: int, singular: str, plural_form: str | None = None) -> str:
    """'1 attack', '3 attacks', '1,221 people'."""
    return f"{number(n)} {singular if n == 1 else (plural_form or singular + 's')}"


def the(n: int, singular: str, plural_form: str | None = None) -> str:
    """'the one attack', 'the 3 attacks'."""
    return f"the one {singular}" if n == 1 else f"the {plural(n, singular, plural_form)}"


def agree(n: int, singular: str, plural_form: str) -> str:
    """The verb for a count: agree(1, 'has', 'have') → 'has'."""
    return singular if n == 1 else plural_form


def see(n: int, noun: str) -> str:
    """Link text: 'See the incident', 'See the 3 incidents'."""
    return f"See the {noun}" if n == 1 else f"See the {plural(n, noun)}"


def people(n: int) -> str:
    return plural(n, "person", "people")


def percent(part: int, whole: int) -> str:
    """part of whole as a whole-number percentage; never rounds a non-zero share to 0% or a partial one to 100%."""
    if not whole:
        return "–"
    if part == 0:
        return "0%"
    if part == whole:
        return "100%"
    value = 100 * part / whole
    if value < 1:
        return "less than 1%"
    if value > 99:
        return "more than 99%"
    return f"{round(value)}%"


def days(value: float | None, unit: str = "day") -> str:
    """A median or percentile in days: whole days, or one decimal when it falls between two."""
    if value is None:
        return "–"
    text = f"{value:,.1f}".removesuffix(".0")
    return f"{text} {unit}" if text == "1" else f"{text} {unit}s"


def capitalise(text: str) -> str:
    return text[:1].upper() + text[1:]


def month_span(start: datetime.date | None, end: datetime.date | None) -> str:
    """'In March 2012', 'Between March and May 2012', 'Between December 2011 and May 2012'; with one
    end only (a start date and nothing matching has no last date): 'Since March 2027', 'Until May 2012'."""
    if end is None:
        return f"Since {start:%B %Y}"
    if start is None:
        return f"Until {end:%B %Y}"
    if (start.year, start.month) == (end.year, end.month):
        return f"In {start:%B %Y}"
    if start.year == end.year:
        return f"Between {start:%B} and {end:%B %Y}"
    return f"Between {start:%B %Y} and {end:%B %Y}"


# Sentences -------------------------------------------------------------------------------------


@dataclass
class Sentence:
    text: str
    link: str = ""  # the records behind the sentence
    link_text: str = ""
    figure: str = ""  # the /api/statistics/ figure it states: links to its methodology entry

    @property
    def how(self) -> str:
        return methodology.url_for(self.figure) if self.figure else ""


@dataclass
class Paragraph:
    heading: str
    sentences: list[Sentence]
    figure: str = ""  # the methodology entry of the paragraph's figures

    @property
    def how(self) -> str:
        return methodology.url_for(self.figure) if self.figure else ""


def _query(data: dict[str, str], **extra: str) -> str:
    params = {k: v for k, v in (data | extra).items() if v not in (None, "")}
    return f"?{urlencode(params)}" if params else ""


def incident_link(params: dict[str, str], **extra: str) -> str:
    return reverse("incidents:incident_list") + _query(params, **extra)


def case_link(params: dict[str, str], **extra: str) -> str:
    return reverse("cases:case_list") + _query(params, **extra)


def filter_params(data: QueryDict, filterset_class) -> dict[str, str]:
    """The request's non-empty parameters that `filterset_class` understands."""
    return {name: data.get(name) for name in filterset_class.base_filters if data.get(name)}


def scope(filters: StatisticsFilters) -> str:
    """What the filters restrict the attacks to, as words: ' on Shia in Karachi attributed to LeJ'."""
    data = filters.incident_filter.form.cleaned_data
    words = []
    if data.get("attack_type"):
        label = dict(filters.incident_filter.filters["attack_type"].extra["choices"])[data["attack_type"]]
        words.append(f"of the type “{label.lower()}”")
    if data.get("community"):
        words.append(f"targeting {data['community'].name}")
    if data.get("city"):
        words.append(f"in {data['city'].name}")
    elif data.get("province"):
        words.append(f"in {data['province'].name}")
    if data.get("organisation"):
        organisation = data["organisation"]
        words.append(f"attributed to {organisation.abbreviation or organisation.name}")
    if data.get("q"):
        words.append(f"matching “{data['q']}”")
    return (" " + " ".join(words)) if words else ""


def casualties(payload: dict[str, Any], filters: StatisticsFilters, incident_params: dict[str, str]) -> Paragraph:
    n = payload["incidents"]
    period = payload["period"]
    where = scope(filters)
    link = incident_link(incident_params)
    if n == 0:
        dated = period["date_from"] or period["date_to"]
        when = f"{month_span(period['date_from'], period['date_to'])}, no" if dated else "No"
        return Paragraph(
            "Attacks and casualties",
            [Sentence(f"{when} published attack{where} is recorded.", link, "See the incident list")],
        )
    opening = f"{month_span(period['date_from'], period['date_to'])}, " if period["date_from"] else ""
    killed = people(payload["killed"])
    if payload["killed_unknown"]:
        killed = f"at least {killed} (the death toll of {plural(payload['killed_unknown'], 'attack')} is not known)"
    injured = number(payload["injured"])
    if payload["injured_unknown"]:
        injured = (
            f"injured at least {injured} (the number injured in {plural(payload['injured_unknown'], 'attack')} "
            "is not known)"
        )
    else:
        injured = f"injured {injured}"
    sentences = [
        Sentence(
            capitalise(f"{opening}{plural(n, 'attack')}{where} killed {killed} and {injured}."),
            link,
            "See the incident" if n == 1 else f"See the {plural(n, 'incident')}",
        )
    ]
    if payload["monthly_average_killed"] is not None and period["months"]:
        average = f"{payload['monthly_average_killed']:,.1f}"
        sentences.append(
            Sentence(
                f"That is an average of {average} people killed a month over "
                f"{plural(period['months'], 'calendar month')}, counting both end months."
            )
        )
    return Paragraph("Attacks and casualties", sentences, "casualties")


def _top(rows: list[dict[str, Any]], name: str) -> dict[str, Any] | None:
    """The named group (not the 'not recorded' one) with the most killed, if anyone was killed."""
    named = [r for r in rows if r[name] is not None and r["killed"]]
    return max(named, key=lambda r: (r["killed"], r["incidents"]), default=None)


def breakdowns(payload: dict[str, Any], filters: StatisticsFilters, incident_params: dict[str, str]) -> Paragraph:
    total_killed = payload["killed"]
    sentences = []
    data = filters.incident_filter.form.cleaned_data
    if not data.get("attack_type") and (top := _top(payload["by_attack_type"], "attack_type")):
        sentences.append(
            Sentence(
                f"{top['label']} caused the most deaths: {number(top['killed'])} of the {number(total_killed)} "
                f"killed ({percent(top['killed'], total_killed)}), in {plural(top['incidents'], 'attack')}.",
                incident_link(incident_params, attack_type=top["attack_type"]),
                see(top["incidents"], "incident") + " of this type",
            )
        )
    if not data.get("province") and not data.get("city") and (top := _top(payload["by_province"], "province")):
        sentences.append(
            Sentence(
                f"More people were killed in {top['province']} than in any other province or territory: "
                f"{number(top['killed'])} ({percent(top['killed'], total_killed)}).",
                incident_link(incident_params, province=top["slug"]),
                see(top["incidents"], "incident") + f" in {top['province']}",
            )
        )
    if not data.get("community") and (top := _top(payload["by_community"], "community")):
        sentences.append(
            Sentence(
                f"Attacks targeting {top['community']} killed {people(top['killed'])} "
                f"({percent(top['killed'], total_killed)} of all deaths) in {plural(top['incidents'], 'attack')}; "
                "an attack that targeted several communities is counted for each of them.",
                incident_link(incident_params, community=top["slug"]),
                see(top["incidents"], "incident") + f" targeting {top['community']}",
            )
        )
    if not data.get("organisation") and (top := _top(payload["by_organisation"], "organisation")):
        sentences.append(
            Sentence(
                f"Of the organisations attacks were attributed to (claimed, suspected, named by officials or "
                f"convicted), {top['organisation']} is linked to the most deaths: {number(top['killed'])} in "
                f"{plural(top['incidents'], 'attack')}.",
                incident_link(incident_params, organisation=top["slug"]),
                see(top["incidents"], "incident") + f" attributed to {top['organisation']}",
            )
        )
    return Paragraph("Where, how and against whom", sentences, "breakdowns")


def justice(
    payload: dict[str, Any], incident_params: dict[str, str], case_params: dict[str, str], on: datetime.date
) -> Paragraph:
    f = payload["funnel"]
    fatal = f["fatal_incidents"]
    cases = case_link(case_params)
    if not fatal:
        return Paragraph(
            "From attack to verdict", [Sentence("None of these attacks is recorded as having killed anyone.")]
        )
    sentences = [
        Sentence(
            f"Of {the(fatal, 'attack')} that killed someone, {number(f['case_registered'])}"
            f"{in_brackets(f['case_registered'], fatal)} led to a published court case, "
            f"{number(f['accused_charged'])} to charges against at least one accused, "
            f"{number(f['trial_concluded'])} to a concluded trial and {number(f['convicted'])}"
            f"{in_brackets(f['convicted'], fatal)} to the standing conviction of at least one person.",
            cases,
            "See the cases",
            "funnel",
        )
    ]
    if f["convicted"]:
        sentences.append(
            Sentence(
                f"In {plural(f['conviction_upheld'], 'attack')} a conviction is final: upheld on appeal, or not "
                "appealed for more than 30 days.",
                case_link(case_params, verdict="convicted"),
                "See the cases with a conviction",
                "funnel.conviction_upheld",
            )
        )
    impunity = payload["impunity"]
    old, researched, unpunished = impunity["fatal_old"], impunity["researched"], impunity["unpunished"]
    cutoff = years_before(on, IMPUNITY_YEARS)
    if old:
        date_to = min(filter(None, [cutoff.isoformat(), incident_params.get("date_to")]))
        coverage = (
            f"Of {the(old, 'fatal attack')} at least {IMPUNITY_YEARS} years old on {on:%-d %B %Y}, the court "
            f"record of {number(researched)}{in_brackets(researched, old)} has been researched: a published case, "
            "or a search of the courts and police that found nothing"
        )
        if not researched:
            verdict = "; the tracker cannot yet say whether anyone was convicted."
        elif researched == 1:
            stands = "no conviction of anyone stands" if unpunished else "a conviction stands"
            verdict = f". In that attack {stands}; one attack is too few to give a rate (n = 1)."
        elif too_few(researched):
            verdict = (
                f". In {number(unpunished)} of them no conviction of anyone stands; too few to give a rate "
                f"(n = {researched})."
            )
        else:
            verdict = (
                f". In {number(unpunished)} of them ({percent(unpunished, researched)}) no conviction of anyone stands."
            )
        sentences.append(
            Sentence(
                coverage + verdict,
                incident_link(incident_params, date_to=date_to),
                f"See the attacks up to {cutoff:%-d %B %Y}",
                "impunity_rate",
            )
        )
    partial = payload["partial_justice"]
    if partial["with_standing_conviction"]:
        convicted, left = partial["with_standing_conviction"], partial["incidents"]
        if convicted == 1:
            text = "In the one researched attack of that age with a standing conviction, " + (
                "another" if left else "no other"
            )
        else:
            text = (
                f"In {number(left) if left else 'none'} of the {number(convicted)} researched attacks of that age "
                "with a standing conviction, another"
            )
        sentences.append(
            Sentence(
                f"{text} accused stands acquitted or discharged, or is still absconding (partial justice).",
                case_link(case_params, verdict="acquitted"),
                "See the cases with an acquittal",
                "partial_justice",
            )
        )
    return Paragraph("From attack to verdict", sentences, "funnel")


def in_brackets(part: int, whole: int) -> str:
    """' (40%)' after a count, or nothing when the whole is too few for a share to say much
    (DESIGN.md "Small numbers": the counts are given, the percentage is not)."""
    return "" if too_few(whole) else f" ({percent(part, whole)})"


def courts(payload: dict[str, Any], case_params: dict[str, str]) -> Paragraph:
    """The court figures in sentences. Exact counts always; a median, percentile or percentage only
    when it rests on at least five cases (hearings, accused), else "too few to say (n = …)"."""
    c = payload["courts"]
    disposal, compliance = c["disposal"], c["statutory_compliance"]
    over, adjourned, convictions = c["over_statutory_limit"], c["adjournments"], c["conviction_rate"]
    link = case_link(case_params)
    sentences = []
    if disposal["count"] == 1:
        sentences.append(
            Sentence(
                f"The courts decided one case; it took {days(disposal['median_days'])} "
                f"({days(disposal['median_working_days'], 'working day')}) from cognizance to judgment.",
                link,
                "See the cases",
            )
        )
    elif too_few(disposal["n"]) and disposal["count"]:
        sentences.append(
            Sentence(
                f"The courts decided {plural(disposal['count'], 'case')}: too few to say how long the median case "
                f"took from cognizance to judgment (n = {disposal['n']}).",
                link,
                "See the cases",
            )
        )
    elif disposal["count"]:
        sentences.append(
            Sentence(
                f"The courts decided {plural(disposal['count'], 'case')}; from cognizance to judgment the median "
                f"case took {days(disposal['median_days'])} ({days(disposal['median_working_days'], 'working day')}),"
                f" and one in ten took more than {days(round(disposal['p90_days']))}.",
                link,
                "See the cases",
            )
        )
    law = f"The Anti-Terrorism Act gives a court {LIMIT} to decide a case"
    if compliance["decided"] == 1:
        sentences.append(Sentence(f"{law}; that case {'met' if compliance['within_limit'] else 'did not meet'} it."))
    elif compliance["decided"]:
        met = number(compliance["within_limit"]) if compliance["within_limit"] else "none"
        sentences.append(
            Sentence(
                f"{law}; {met} of the {number(compliance['decided'])} decided cases"
                f"{in_brackets(compliance['within_limit'], compliance['decided'])} met that limit.",
                figure="courts.statutory_compliance",
            )
        )
    if over["pending_with_cognizance"] == 1:
        excess = over["max_excess_working_days"]
        state = f"has run past the {LIMIT}, by {days(excess, 'working day')}" if excess else f"is within the {LIMIT}"
        sentences.append(Sentence(f"The one pending case already before a court {state}.", link, "See the cases"))
    elif over["pending_with_cognizance"]:
        median = over["median_excess_working_days"]
        beyond = ""
        if median is not None:
            beyond = (
                f" (too few to give a median excess, n = {over['median_excess_n']})"
                if too_few(over["median_excess_n"])
                else f", by a median of {days(median, 'working day')}"
            )
        sentences.append(
            Sentence(
                f"Of the {plural(over['pending_with_cognizance'], 'pending case')} already before a court, "
                f"{number(over['over_limit'])}{in_brackets(over['over_limit'], over['pending_with_cognizance'])} "
                f"{agree(over['over_limit'], 'has', 'have')} run past the {LIMIT}{beyond}.",
                case_link(case_params, clock="over_limit", sort="-clock"),
                "See the cases over the limit",
                "courts.over_statutory_limit",
            )
        )
    if adjourned["hearings_held"]:
        reason = adjourned["by_reason"][0] if adjourned["adjourned"] else None
        why = ""
        if reason and reason["count"]:
            of_all = "" if too_few(adjourned["adjourned"]) else f", {percent(reason['count'], adjourned['adjourned'])}"
            why = f"; the reason given most often was “{reason['label'].lower()}” ({number(reason['count'])}{of_all})"
        sentences.append(
            Sentence(
                f"Of {plural(adjourned['hearings_held'], 'hearing')} held, {number(adjourned['adjourned'])}"
                f"{in_brackets(adjourned['adjourned'], adjourned['hearings_held'])} ended in an adjournment{why}.",
                figure="courts.adjournments",
            )
        )
    if convictions["charges_decided"]:
        sentences.append(
            Sentence(
                f"Of {the(convictions['charges_decided'], 'accused', 'accused')} whose trial has ended, "
                f"{number(convictions['charges_convicted'])}"
                f"{in_brackets(convictions['charges_convicted'], convictions['charges_decided'])} "
                f"{agree(convictions['charges_convicted'], 'was', 'were')} convicted.",
                case_link(case_params, verdict="convicted"),
                "See the cases with a conviction",
                "courts.conviction_rate",
            )
        )
    if not sentences:
        sentences.append(Sentence("No published court case is linked to these attacks yet.", link, "See the cases"))
    return Paragraph("In the courts", sentences, "statutory-clock")


def report_paragraphs(
    payload: dict[str, Any], filters: StatisticsFilters, data: QueryDict, on: datetime.date
) -> list[Paragraph]:
    """The report, paragraph by paragraph, from the statistics payload for `filters`."""
    incident_params = filter_params(data, IncidentFilter)
    case_params = filter_params(data, CaseFilter)
    paragraphs = [casualties(payload, filters, incident_params)]
    if payload["incidents"]:
        paragraphs.append(breakdowns(payload, filters, incident_params))
        paragraphs.append(justice(payload, incident_params, case_params, on))
    paragraphs.append(courts(payload, case_params))
    return [p for p in paragraphs if p.sentences]


def report(request: HttpRequest) -> HttpResponse:
    """The period report for the filters in the query string (the statistics page's filters)."""
    filters = statistics_filters(request.GET)
    form = dress_filter_form(filters.incident_filter.form)
    context: dict[str, Any] = {"form": form, "valid": filters.is_valid(), "errors": filters.errors}
    if not context["valid"]:
        return render(request, "statistics/report.html", context, status=400)
    on = today()
    try:
        figures = statistics_for(filters, today=on)
    except FiguresPending as pending:
        return pending_response(request, pending)
    payload = figures.payload
    query = _query(filter_params(request.GET, CaseFilter))
    context |= {
        "paragraphs": report_paragraphs(payload, filters, request.GET, on),
        "on": on,
        "query": query,
        "figures": figures,
    }
    return mark_stale(render(request, "statistics/report.html", context), figures)
