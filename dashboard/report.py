"""`/statistics/report/`: the statistics for any filter written out in sentences, as a press
release or an op-ed would give them, each sentence linking to the records behind it.

The figures are those of `/api/statistics/` (`dashboard.api.statistics_payload`, same filters);
this module only puts them into careful words, in the page's language: exact counts first,
percentages rounded to whole numbers ("less than 1%" rather than "0%"), plurals, and what is not
known said plainly. Each sentence is one translatable message with named placeholders; numbers
and dates go through Django's localisation.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.contrib.humanize.templatetags.humanize import intcomma
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import render
from django.template.defaultfilters import floatformat
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.http import urlencode
from django.utils.translation import gettext, ngettext

from cases.figures import too_few
from cases.filters import CaseFilter
from cases.justice import IMPUNITY_YEARS, years_before
from cases.models import AdjournmentReason
from core.clock import today
from incidents.filters import IncidentFilter
from incidents.listing import dress_filter_form
from incidents.models import AttackType

from . import methodology
from .api import StatisticsFilters, statistics_filters
from .cache import FiguresPending, mark_stale, pending_response, statistics_for

# Careful words ------------------------------------------------------------------------------
# Every sentence is one message with named placeholders (gettext/ngettext), so that a translation
# orders it as its own language does; only counted noun phrases ("3 attacks", "5 people") and the
# report's clauses that stand alone are made separately and put into the sentences.


def number(n: int) -> str:
    """A count, localised: 1,221."""
    return intcomma(n)


def people(n: int) -> str:
    """'1 person', '3 people'."""
    return ngettext("%(count)s person", "%(count)s people", n) % {"count": number(n)}


def percent_sign(value: int) -> str:
    """A whole-number percentage: '40%'."""
    return gettext("%(percent)s%%") % {"percent": number(value)}


def percent(part: int, whole: int) -> str:
    """part of whole as a whole-number percentage; never rounds a non-zero share to 0% or a partial one to 100%."""
    if not whole:
        return "–"
    if part == 0:
        return percent_sign(0)
    if part == whole:
        return percent_sign(100)
    value = 100 * part / whole
    if value < 1:
        return gettext("less than %(percent)s") % {"percent": percent_sign(1)}
    if value > 99:
        return gettext("more than %(percent)s") % {"percent": percent_sign(99)}
    return percent_sign(round(value))


def days(value: float | None, working: bool = False) -> str:
    """A median or percentile in (working) days: whole days, or one decimal when it falls between two."""
    if value is None:
        return "–"
    text = floatformat(value, "-1g")
    one = 1 if text == "1" else 2  # the plural form: "1 day", "1.5 days"
    if working:
        return ngettext("%(days)s working day", "%(days)s working days", one) % {"days": text}
    return ngettext("%(days)s day", "%(days)s days", one) % {"days": text}


def capitalise(text: str) -> str:
    return text[:1].upper() + text[1:]


def day_text(day: datetime.date) -> str:
    """'5 March 2012', in the page's language."""
    return date_format(day, "j F Y")


def month_span(start: datetime.date | None, end: datetime.date | None) -> str:
    """'In March 2012', 'Between March and May 2012', 'Between December 2011 and May 2012'; with one
    end only (a start date and nothing matching has no last date): 'Since March 2027', 'Until May 2012'."""
    if end is None:
        return gettext("Since %(month)s") % {"month": date_format(start, "F Y")}
    if start is None:
        return gettext("Until %(month)s") % {"month": date_format(end, "F Y")}
    if (start.year, start.month) == (end.year, end.month):
        return gettext("In %(month)s") % {"month": date_format(start, "F Y")}
    first = date_format(start, "F" if start.year == end.year else "F Y")
    return gettext("Between %(start)s and %(end)s") % {"start": first, "end": date_format(end, "F Y")}


def tidy(text: str) -> str:
    """One space between words: a placeholder left empty (no scope, no share) leaves none doubled."""
    return " ".join(text.split())


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
    """What the filters restrict the attacks to, as words: 'targeting Shia in Karachi attributed to LeJ'."""
    data = filters.incident_filter.form.cleaned_data
    words = []
    if data.get("attack_type"):
        label = dict(filters.incident_filter.filters["attack_type"].extra["choices"])[data["attack_type"]]
        words.append(gettext("of the type “%(type)s”") % {"type": str(label).lower()})
    if data.get("community"):
        words.append(gettext("targeting %(community)s") % {"community": data["community"].name})
    if data.get("city"):
        words.append(gettext("in %(place)s") % {"place": data["city"].name})
    elif data.get("province"):
        words.append(gettext("in %(place)s") % {"place": data["province"].name})
    if data.get("organisation"):
        organisation = data["organisation"]
        words.append(
            gettext("attributed to %(organisation)s") % {"organisation": organisation.abbreviation or organisation.name}
        )
    if data.get("q"):
        words.append(gettext("matching “%(words)s”") % {"words": data["q"]})
    return " ".join(words)


def see_incidents(n: int) -> str:
    """Link text: 'See the incident', 'See the 3 incidents'."""
    return ngettext("See the incident", "See the %(count)s incidents", n) % {"count": number(n)}


def casualties(payload: dict[str, Any], filters: StatisticsFilters, incident_params: dict[str, str]) -> Paragraph:
    n = payload["incidents"]
    period = payload["period"]
    heading = gettext("Attacks and casualties")
    words = {"where": scope(filters)}
    link = incident_link(incident_params)
    if n == 0:
        if period["date_from"] or period["date_to"]:
            words["span"] = month_span(period["date_from"], period["date_to"])
            text = gettext("%(span)s, no published attack %(where)s is recorded.") % words
        else:
            text = gettext("No published attack %(where)s is recorded.") % words
        return Paragraph(heading, [Sentence(tidy(text), link, gettext("See the incident list"))])
    killed, killed_unknown = payload["killed"], payload["killed_unknown"]
    injured, injured_unknown = payload["injured"], payload["injured_unknown"]
    words["count"] = number(n)
    if killed_unknown:
        words["killed"] = ngettext(
            "at least %(people)s (the death toll of %(count)s attack is not known)",
            "at least %(people)s (the death toll of %(count)s attacks is not known)",
            killed_unknown,
        ) % {"people": people(killed), "count": number(killed_unknown)}
    else:
        words["killed"] = people(killed)
    if injured_unknown:
        words["injured"] = ngettext(
            "injured at least %(injured)s (the number injured in %(count)s attack is not known)",
            "injured at least %(injured)s (the number injured in %(count)s attacks is not known)",
            injured_unknown,
        ) % {"injured": number(injured), "count": number(injured_unknown)}
    else:
        words["injured"] = gettext("injured %(injured)s") % {"injured": number(injured)}
    if period["date_from"]:
        words["span"] = month_span(period["date_from"], period["date_to"])
        text = ngettext(
            "%(span)s, %(count)s attack %(where)s killed %(killed)s and %(injured)s.",
            "%(span)s, %(count)s attacks %(where)s killed %(killed)s and %(injured)s.",
            n,
        )
    else:
        text = ngettext(
            "%(count)s attack %(where)s killed %(killed)s and %(injured)s.",
            "%(count)s attacks %(where)s killed %(killed)s and %(injured)s.",
            n,
        )
    sentences = [Sentence(capitalise(tidy(text % words)), link, see_incidents(n))]
    if payload["monthly_average_killed"] is not None and period["months"]:
        months = period["months"]
        sentences.append(
            Sentence(
                ngettext(
                    "That is an average of %(average)s people killed a month over %(months)s calendar month, "
                    "counting both end months.",
                    "That is an average of %(average)s people killed a month over %(months)s calendar months, "
                    "counting both end months.",
                    months,
                )
                % {"average": floatformat(payload["monthly_average_killed"], "1g"), "months": number(months)}
            )
        )
    return Paragraph(heading, sentences, "casualties")


def _top(rows: list[dict[str, Any]], name: str) -> dict[str, Any] | None:
    """The named group (not the 'not recorded' one) with the most killed, if anyone was killed."""
    named = [r for r in rows if r[name] is not None and r["killed"]]
    return max(named, key=lambda r: (r["killed"], r["incidents"]), default=None)


def attack_type_label(code: str, label: str) -> str:
    """An attack type's label in the page's language (the payload's is English, as the API gives it)."""
    return str(dict(AttackType.choices).get(code, label))


def breakdowns(payload: dict[str, Any], filters: StatisticsFilters, incident_params: dict[str, str]) -> Paragraph:
    total_killed = payload["killed"]
    sentences = []
    data = filters.incident_filter.form.cleaned_data
    if not data.get("attack_type") and (top := _top(payload["by_attack_type"], "attack_type")):
        n = top["incidents"]
        sentences.append(
            Sentence(
                ngettext(
                    "%(type)s caused the most deaths: %(killed)s of the %(total)s killed (%(percent)s), in "
                    "%(count)s attack.",
                    "%(type)s caused the most deaths: %(killed)s of the %(total)s killed (%(percent)s), in "
                    "%(count)s attacks.",
                    n,
                )
                % {
                    "type": attack_type_label(top["attack_type"], top["label"]),
                    "killed": number(top["killed"]),
                    "total": number(total_killed),
                    "percent": percent(top["killed"], total_killed),
                    "count": number(n),
                },
                incident_link(incident_params, attack_type=top["attack_type"]),
                ngettext("See the incident of this type", "See the %(count)s incidents of this type", n)
                % {"count": number(n)},
            )
        )
    if not data.get("province") and not data.get("city") and (top := _top(payload["by_province"], "province")):
        n = top["incidents"]
        sentences.append(
            Sentence(
                gettext(
                    "More people were killed in %(province)s than in any other province or territory: "
                    "%(killed)s (%(percent)s)."
                )
                % {
                    "province": top["province"],
                    "killed": number(top["killed"]),
                    "percent": percent(top["killed"], total_killed),
                },
                incident_link(incident_params, province=top["slug"]),
                ngettext("See the incident in %(province)s", "See the %(count)s incidents in %(province)s", n)
                % {"count": number(n), "province": top["province"]},
            )
        )
    if not data.get("community") and (top := _top(payload["by_community"], "community")):
        n = top["incidents"]
        sentences.append(
            Sentence(
                ngettext(
                    "Attacks targeting %(community)s killed %(people)s (%(percent)s of all deaths) in %(count)s "
                    "attack; an attack that targeted several communities is counted for each of them.",
                    "Attacks targeting %(community)s killed %(people)s (%(percent)s of all deaths) in %(count)s "
                    "attacks; an attack that targeted several communities is counted for each of them.",
                    n,
                )
                % {
                    "community": top["community"],
                    "people": people(top["killed"]),
                    "percent": percent(top["killed"], total_killed),
                    "count": number(n),
                },
                incident_link(incident_params, community=top["slug"]),
                ngettext(
                    "See the incident targeting %(community)s", "See the %(count)s incidents targeting %(community)s", n
                )
                % {"count": number(n), "community": top["community"]},
            )
        )
    if not data.get("organisation") and (top := _top(payload["by_organisation"], "organisation")):
        n = top["incidents"]
        sentences.append(
            Sentence(
                ngettext(
                    "Of the organisations attacks were attributed to (claimed, suspected, named by officials or "
                    "convicted), %(organisation)s is linked to the most deaths: %(killed)s in %(count)s attack.",
                    "Of the organisations attacks were attributed to (claimed, suspected, named by officials or "
                    "convicted), %(organisation)s is linked to the most deaths: %(killed)s in %(count)s attacks.",
                    n,
                )
                % {"organisation": top["organisation"], "killed": number(top["killed"]), "count": number(n)},
                incident_link(incident_params, organisation=top["slug"]),
                ngettext(
                    "See the incident attributed to %(organisation)s",
                    "See the %(count)s incidents attributed to %(organisation)s",
                    n,
                )
                % {"count": number(n), "organisation": top["organisation"]},
            )
        )
    return Paragraph(gettext("Where, how and against whom"), sentences, "breakdowns")


def justice(
    payload: dict[str, Any], incident_params: dict[str, str], case_params: dict[str, str], on: datetime.date
) -> Paragraph:
    f = payload["funnel"]
    fatal = f["fatal_incidents"]
    heading = gettext("From attack to verdict")
    cases = case_link(case_params)
    if not fatal:
        return Paragraph(heading, [Sentence(gettext("None of these attacks is recorded as having killed anyone."))])
    sentences = [
        Sentence(
            tidy(
                ngettext(
                    "Of the one attack that killed someone, %(registered)s %(registered_share)s led to a published "
                    "court case, %(charged)s to charges against at least one accused, %(concluded)s to a concluded "
                    "trial and %(convicted)s %(convicted_share)s to the standing conviction of at least one person.",
                    "Of the %(fatal)s attacks that killed someone, %(registered)s %(registered_share)s led to a "
                    "published court case, %(charged)s to charges against at least one accused, %(concluded)s to a "
                    "concluded trial and %(convicted)s %(convicted_share)s to the standing conviction of at least "
                    "one person.",
                    fatal,
                )
                % {
                    "fatal": number(fatal),
                    "registered": number(f["case_registered"]),
                    "registered_share": in_brackets(f["case_registered"], fatal),
                    "charged": number(f["accused_charged"]),
                    "concluded": number(f["trial_concluded"]),
                    "convicted": number(f["convicted"]),
                    "convicted_share": in_brackets(f["convicted"], fatal),
                }
            ),
            cases,
            gettext("See the cases"),
            "funnel",
        )
    ]
    if f["convicted"]:
        upheld = f["conviction_upheld"]
        sentences.append(
            Sentence(
                ngettext(
                    "In %(count)s attack a conviction is final: upheld on appeal, or not appealed for more than "
                    "30 days.",
                    "In %(count)s attacks a conviction is final: upheld on appeal, or not appealed for more than "
                    "30 days.",
                    upheld,
                )
                % {"count": number(upheld)},
                case_link(case_params, verdict="convicted"),
                gettext("See the cases with a conviction"),
                "funnel.conviction_upheld",
            )
        )
    impunity = payload["impunity"]
    old = impunity["fatal_old"]
    if old:
        sentences.append(impunity_sentence(impunity, incident_params, on))
    partial = payload["partial_justice"]
    if partial["with_standing_conviction"]:
        sentences.append(
            Sentence(
                partial_justice_text(partial["with_standing_conviction"], partial["incidents"]),
                case_link(case_params, verdict="acquitted"),
                gettext("See the cases with an acquittal"),
                "partial_justice",
            )
        )
    return Paragraph(heading, sentences, "funnel")


def impunity_sentence(impunity: dict[str, Any], incident_params: dict[str, str], on: datetime.date) -> Sentence:
    """The research coverage of the fatal attacks old enough to count, then what the researched ones say."""
    old, researched, unpunished = impunity["fatal_old"], impunity["researched"], impunity["unpunished"]
    cutoff = years_before(on, IMPUNITY_YEARS)
    date_to = min(filter(None, [cutoff.isoformat(), incident_params.get("date_to")]))
    words = {
        "old": number(old),
        "years": IMPUNITY_YEARS,
        "on": day_text(on),
        "researched": number(researched),
        "share": in_brackets(researched, old),
        "unpunished": number(unpunished),
    }
    if not researched:
        text = ngettext(
            "Of the one fatal attack at least %(years)s years old on %(on)s, the court record of %(researched)s "
            "%(share)s has been researched: a published case, or a search of the courts and police that found "
            "nothing; the tracker cannot yet say whether anyone was convicted.",
            "Of the %(old)s fatal attacks at least %(years)s years old on %(on)s, the court record of "
            "%(researched)s %(share)s has been researched: a published case, or a search of the courts and police "
            "that found nothing; the tracker cannot yet say whether anyone was convicted.",
            old,
        )
    else:
        coverage = ngettext(
            "Of the one fatal attack at least %(years)s years old on %(on)s, the court record of %(researched)s "
            "%(share)s has been researched: a published case, or a search of the courts and police that found "
            "nothing.",
            "Of the %(old)s fatal attacks at least %(years)s years old on %(on)s, the court record of "
            "%(researched)s %(share)s has been researched: a published case, or a search of the courts and police "
            "that found nothing.",
            old,
        )
        if researched == 1 and unpunished:
            verdict = gettext(
                "In that attack no conviction of anyone stands; one attack is too few to give a rate (n = 1)."
            )
        elif researched == 1:
            verdict = gettext("In that attack a conviction stands; one attack is too few to give a rate (n = 1).")
        elif too_few(researched):
            verdict = gettext(
                "In %(unpunished)s of them no conviction of anyone stands; too few to give a rate (n = %(researched)s)."
            )
        else:
            words["percent"] = percent(unpunished, researched)
            verdict = gettext("In %(unpunished)s of them (%(percent)s) no conviction of anyone stands.")
        text = f"{coverage} {verdict}"  # two sentences, each whole
    return Sentence(
        tidy(text % words),
        incident_link(incident_params, date_to=date_to),
        gettext("See the attacks up to %(date)s") % {"date": day_text(cutoff)},
        "impunity_rate",
    )


def partial_justice_text(convicted: int, left: int) -> str:
    """The researched attacks with a standing conviction in which another accused stands acquitted,
    discharged or absconding."""
    if convicted == 1 and left:
        return gettext(
            "In the one researched attack of that age with a standing conviction, another accused stands acquitted "
            "or discharged, or is still absconding (partial justice)."
        )
    if convicted == 1:
        return gettext(
            "In the one researched attack of that age with a standing conviction, no other accused stands "
            "acquitted or discharged, or is still absconding (partial justice)."
        )
    if not left:
        return gettext(
            "In none of the %(convicted)s researched attacks of that age with a standing conviction, another "
            "accused stands acquitted or discharged, or is still absconding (partial justice)."
        ) % {"convicted": number(convicted)}
    return gettext(
        "In %(left)s of the %(convicted)s researched attacks of that age with a standing conviction, another "
        "accused stands acquitted or discharged, or is still absconding (partial justice)."
    ) % {"left": number(left), "convicted": number(convicted)}


def in_brackets(part: int, whole: int) -> str:
    """'(40%)' after a count, or nothing when the whole is too few for a share to say much
    (DESIGN.md "Small numbers": the counts are given, the percentage is not)."""
    return "" if too_few(whole) else gettext("(%(percent)s)") % {"percent": percent(part, whole)}


def courts(payload: dict[str, Any], case_params: dict[str, str]) -> Paragraph:
    """The court figures in sentences. Exact counts always; a median, percentile or percentage only
    when it rests on at least five cases (hearings, accused), else "too few to say (n = …)"."""
    c = payload["courts"]
    link = case_link(case_params)
    see_cases = gettext("See the cases")
    sentences = [
        *disposal_sentences(c["disposal"], link, see_cases),
        *limit_sentences(c["statutory_compliance"], c["over_statutory_limit"], case_params, link, see_cases),
        *adjournment_sentences(c["adjournments"]),
        *conviction_sentences(c["conviction_rate"], case_params),
    ]
    if not sentences:
        sentences.append(Sentence(gettext("No published court case is linked to these attacks yet."), link, see_cases))
    return Paragraph(gettext("In the courts"), sentences, "statutory-clock")


def disposal_sentences(disposal: dict[str, Any], link: str, see_cases: str) -> list[Sentence]:
    """How long the decided cases took from cognizance to judgment."""
    count = disposal["count"]
    if count == 1:
        text = gettext(
            "The courts decided one case; it took %(days)s (%(working_days)s) from cognizance to judgment."
        ) % {"days": days(disposal["median_days"]), "working_days": days(disposal["median_working_days"], True)}
    elif too_few(disposal["n"]) and count:
        text = ngettext(
            "The courts decided %(count)s case: too few to say how long the median case took from cognizance to "
            "judgment (n = %(n)s).",
            "The courts decided %(count)s cases: too few to say how long the median case took from cognizance to "
            "judgment (n = %(n)s).",
            count,
        ) % {"count": number(count), "n": number(disposal["n"])}
    elif count:
        text = ngettext(
            "The courts decided %(count)s case; from cognizance to judgment the median case took %(days)s "
            "(%(working_days)s), and one in ten took more than %(p90)s.",
            "The courts decided %(count)s cases; from cognizance to judgment the median case took %(days)s "
            "(%(working_days)s), and one in ten took more than %(p90)s.",
            count,
        ) % {
            "count": number(count),
            "days": days(disposal["median_days"]),
            "working_days": days(disposal["median_working_days"], True),
            "p90": days(round(disposal["p90_days"])),
        }
    else:
        return []
    return [Sentence(text, link, see_cases)]


def limit_sentences(
    compliance: dict[str, Any], over: dict[str, Any], case_params: dict[str, str], link: str, see_cases: str
) -> list[Sentence]:
    """The s.19(7) limit: how many decided cases met it, how many pending ones have run past it."""
    sentences = []
    decided, within = compliance["decided"], compliance["within_limit"]
    if decided == 1:
        sentences.append(
            Sentence(
                gettext("The Anti-Terrorism Act gives a court seven working days to decide a case; that case met it.")
                if within
                else gettext(
                    "The Anti-Terrorism Act gives a court seven working days to decide a case; that case did not "
                    "meet it."
                )
            )
        )
    elif decided:
        words = {"met": number(within), "decided": number(decided), "share": in_brackets(within, decided)}
        text = (
            gettext(
                "The Anti-Terrorism Act gives a court seven working days to decide a case; %(met)s of the "
                "%(decided)s decided cases %(share)s met that limit."
            )
            if within
            else gettext(
                "The Anti-Terrorism Act gives a court seven working days to decide a case; none of the "
                "%(decided)s decided cases %(share)s met that limit."
            )
        )
        sentences.append(Sentence(tidy(text % words), figure="courts.statutory_compliance"))
    pending, over_limit = over["pending_with_cognizance"], over["over_limit"]
    if pending == 1:
        excess = over["max_excess_working_days"]
        text = (
            gettext("The one pending case already before a court has run past the seven working days, by %(days)s.")
            % {"days": days(excess, True)}
            if excess
            else gettext("The one pending case already before a court is within the seven working days.")
        )
        sentences.append(Sentence(text, link, see_cases))
    elif pending:
        median = over["median_excess_working_days"]
        words = {
            "pending": number(pending),
            "over": number(over_limit),
            "share": in_brackets(over_limit, pending),
            "n": number(over["median_excess_n"]),
            "days": days(median, True),
        }
        if median is None:
            text = ngettext(
                "Of the %(pending)s pending cases already before a court, %(over)s %(share)s has run past the "
                "seven working days.",
                "Of the %(pending)s pending cases already before a court, %(over)s %(share)s have run past the "
                "seven working days.",
                over_limit,
            )
        elif too_few(over["median_excess_n"]):
            text = ngettext(
                "Of the %(pending)s pending cases already before a court, %(over)s %(share)s has run past the "
                "seven working days (too few to give a median excess, n = %(n)s).",
                "Of the %(pending)s pending cases already before a court, %(over)s %(share)s have run past the "
                "seven working days (too few to give a median excess, n = %(n)s).",
                over_limit,
            )
        else:
            text = ngettext(
                "Of the %(pending)s pending cases already before a court, %(over)s %(share)s has run past the "
                "seven working days, by a median of %(days)s.",
                "Of the %(pending)s pending cases already before a court, %(over)s %(share)s have run past the "
                "seven working days, by a median of %(days)s.",
                over_limit,
            )
        sentences.append(
            Sentence(
                tidy(text % words),
                case_link(case_params, clock="over_limit", sort="-clock"),
                gettext("See the cases over the limit"),
                "courts.over_statutory_limit",
            )
        )
    return sentences


def adjournment_sentences(adjourned: dict[str, Any]) -> list[Sentence]:
    """How many hearings ended in an adjournment, and the reason given most often."""
    held = adjourned["hearings_held"]
    if not held:
        return []
    reason = adjourned["by_reason"][0] if adjourned["adjourned"] else None
    words = {
        "held": number(held),
        "adjourned": number(adjourned["adjourned"]),
        "share": in_brackets(adjourned["adjourned"], held),
    }
    if reason and reason["count"]:
        label = dict(AdjournmentReason.choices).get(reason["reason"], reason["label"])
        words |= {
            "reason": str(label).lower(),
            "count": number(reason["count"]),
            "percent": percent(reason["count"], adjourned["adjourned"]),
        }
        if too_few(adjourned["adjourned"]):
            text = ngettext(
                "Of %(held)s hearing held, %(adjourned)s %(share)s ended in an adjournment; the reason given most "
                "often was “%(reason)s” (%(count)s).",
                "Of %(held)s hearings held, %(adjourned)s %(share)s ended in an adjournment; the reason given most "
                "often was “%(reason)s” (%(count)s).",
                held,
            )
        else:
            text = ngettext(
                "Of %(held)s hearing held, %(adjourned)s %(share)s ended in an adjournment; the reason given most "
                "often was “%(reason)s” (%(count)s, %(percent)s).",
                "Of %(held)s hearings held, %(adjourned)s %(share)s ended in an adjournment; the reason given most "
                "often was “%(reason)s” (%(count)s, %(percent)s).",
                held,
            )
    else:
        text = ngettext(
            "Of %(held)s hearing held, %(adjourned)s %(share)s ended in an adjournment.",
            "Of %(held)s hearings held, %(adjourned)s %(share)s ended in an adjournment.",
            held,
        )
    return [Sentence(tidy(text % words), figure="courts.adjournments")]


def conviction_sentences(convictions: dict[str, Any], case_params: dict[str, str]) -> list[Sentence]:
    """Of the accused whose trial has ended, how many were convicted (trial verdicts)."""
    decided, convicted = convictions["charges_decided"], convictions["charges_convicted"]
    if not decided:
        return []
    words = {"decided": number(decided), "convicted": number(convicted), "share": in_brackets(convicted, decided)}
    if decided == 1:
        text = ngettext(
            "Of the one accused whose trial has ended, %(convicted)s %(share)s was convicted.",
            "Of the one accused whose trial has ended, %(convicted)s %(share)s were convicted.",
            convicted,
        )
    else:
        text = ngettext(
            "Of the %(decided)s accused whose trial has ended, %(convicted)s %(share)s was convicted.",
            "Of the %(decided)s accused whose trial has ended, %(convicted)s %(share)s were convicted.",
            convicted,
        )
    return [
        Sentence(
            tidy(text % words),
            case_link(case_params, verdict="convicted"),
            gettext("See the cases with a conviction"),
            "courts.conviction_rate",
        )
    ]


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
