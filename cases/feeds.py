"""Feeds about cases: the Atom feed of new and changed published cases (`/feeds/cases/`) and the
iCalendar feeds of upcoming hearings (`/hearings.ics`, `/courts/<id>/hearings.ics`,
`/cases/<id>/hearings.ics`).

Feeds are read by calendar and feed programs without a login: rows come from `.public()` only
(a draft or retracted case answers 404 and its hearings are in no calendar). The Atom feed takes
the case list's filters (`CaseFilter`); a bad parameter answers 400.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.clock import today
from incidents.feeds import FilteredAtomFeed, plain_summary

from .filters import CaseFilter
from .ical import render_calendar
from .models import Case, Court, Hearing


class CaseFeed(FilteredAtomFeed):
    """Published cases, most recently changed first (the latest 50)."""

    filterset_class = CaseFilter
    model = Case
    title = gettext_lazy("Tracker: new and updated cases")
    subtitle = gettext_lazy("Published cases before Pakistan's Anti-Terrorism Courts, most recently changed first.")

    def list_url(self) -> str:
        return reverse("cases:case_list")

    def base_queryset(self):
        return Case.objects.public().select_related("court")

    def item_title(self, item: Case) -> str:
        return item.title

    def item_description(self, item: Case) -> str:
        dates = [
            (_("FIR"), item.fir_date),
            (_("cognizance"), item.cognizance_date),
            (_("charge framed"), item.charge_framed_date),
            (_("judgment"), item.judgment_date),
        ]
        known = "; ".join(f"{label} {date_format(value, 'j F Y')}" for label, value in dates if value)
        return plain_summary(
            [
                _("Stage: %(stage)s.") % {"stage": item.get_stage_display()},
                _("Dates: %(dates)s.") % {"dates": known} if known else "",
                item.public_notes,
            ]
        )

    def item_categories(self, item: Case) -> list[str]:
        return [item.get_stage_display()]


# iCalendar ---------------------------------------------------------------------------------


def upcoming_public_hearings():
    """Upcoming hearings of published cases, soonest first.

    `render_calendar` reads only the columns it shows, as plain rows (thousands of hearings can be
    upcoming at once), so nothing is selected or deferred here.
    """
    return Hearing.objects.public().upcoming(today()).order_by("date", "case", "id")


def calendar_response(request: HttpRequest, hearings, *, name: str, filename: str) -> HttpResponse:
    body = render_calendar(hearings, name=name, base_url=f"{request.scheme}://{request.get_host()}")
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


def hearings_ics(request: HttpRequest) -> HttpResponse:
    """Every upcoming hearing of every published case."""
    return calendar_response(
        request, upcoming_public_hearings(), name=_("Tracker: upcoming hearings"), filename="hearings.ics"
    )


def court_hearings_ics(request: HttpRequest, pk: int) -> HttpResponse:
    """Upcoming hearings before one court (the hearing's own court, else its case's court)."""
    court = get_object_or_404(Court.objects.public(), pk=pk)
    hearings = upcoming_public_hearings().at_court(court)
    return calendar_response(
        request,
        hearings,
        name=_("Hearings: %(court)s") % {"court": court.name},
        filename=f"court-{court.pk}-hearings.ics",
    )


def case_hearings_ics(request: HttpRequest, pk: int) -> HttpResponse:
    """Upcoming hearings of one published case; any other case is not found."""
    case = get_object_or_404(Case.objects.public().select_related("court"), pk=pk)
    hearings = upcoming_public_hearings().filter(case=case)
    return calendar_response(
        request, hearings, name=_("Hearings: %(case)s") % {"case": case.title}, filename=f"case-{case.pk}-hearings.ics"
    )
