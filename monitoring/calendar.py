"""The staff hearing calendar (by day and court) and the private iCalendar feed.

The feed holds every upcoming hearing, drafts included, so it is behind a per-user secret URL
(`CalendarToken`): calendar apps cannot log in. An unknown or revoked token answers 404.
The iCalendar text comes from the one renderer, `cases.ical.render_calendar`.
"""

from __future__ import annotations

import datetime
from itertools import groupby

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cases.models import Hearing
from core import clock

from . import access
from .forms import WorklistFilterForm
from .models import CalendarToken
from .worklist import LIVE

CALENDAR_DAYS = 28


def upcoming_hearings(*, today: datetime.date, days: int | None = None, court=None, city=None):
    """Hearings of live (draft or published) cases dated today or later, in date and court order."""
    hearings = (
        Hearing.objects.upcoming(today)
        .filter(case__status__in=LIVE)
        .select_related("case", "case__court", "court")
        .order_by("date", "case__court__name", "id")
    )
    if days is not None:
        hearings = hearings.filter(date__lt=today + datetime.timedelta(days=days))
    if court is not None:
        hearings = hearings.filter(case__court=court)
    if city is not None:
        hearings = hearings.filter(case__court__city=city)
    return hearings


def by_day_and_court(hearings) -> list[tuple[datetime.date, list[tuple[str, list[Hearing]]]]]:
    """[(day, [(court name, hearings)])], keeping date order; courts sorted by name within a day."""
    days = []
    for day, rows in groupby(hearings, key=lambda h: h.date):
        rows = sorted(rows, key=lambda h: (h.effective_court.name, h.pk))
        courts = [(name, list(group)) for name, group in groupby(rows, key=lambda h: h.effective_court.name)]
        days.append((day, courts))
    return days


@access.staff_required()
def calendar_page(request: HttpRequest) -> HttpResponse:
    form = WorklistFilterForm(request.GET or None)
    court = city = None
    if form.is_valid():
        court, city = form.cleaned_data["court"], form.cleaned_data["city"]
    today = clock.today()
    hearings = upcoming_hearings(today=today, days=CALENDAR_DAYS, court=court, city=city)
    token = CalendarToken.objects.filter(user=request.user).first()
    context = {
        "form": form,
        "today": today,
        "days": by_day_and_court(hearings),
        "calendar_days": CALENDAR_DAYS,
        "token": token,
        "feed_url": request.build_absolute_uri(reverse("monitoring:staff_feed", args=[token.token]))
        if token is not None and token.is_active
        else "",
    }
    return render(request, "monitoring/calendar.html", context)


@require_POST
@access.staff_required()
def calendar_token(request: HttpRequest) -> HttpResponse:
    """Make, regenerate or revoke the signed-in user's feed URL."""
    action = request.POST.get("action")
    token = CalendarToken.objects.filter(user=request.user).first()
    if action == "revoke" and token is not None:
        token.revoke()
        messages.success(request, _("Your calendar feed URL is revoked: it no longer works."))
    elif action == "regenerate":
        if token is None:
            CalendarToken.objects.create(user=request.user)
            messages.success(request, _("Your private calendar feed URL is ready."))
        else:
            token.regenerate()
            messages.success(request, _("A new feed URL replaces the old one, which no longer works."))
    else:
        messages.error(request, _("Nothing to do: choose to regenerate or revoke."))
    return redirect("monitoring:calendar")


def staff_feed(request: HttpRequest, token: str) -> HttpResponse:
    """All upcoming hearings, drafts included, for the holder of an active token."""
    from cases.ical import render_calendar

    if "\x00" in token or not CalendarToken.objects.active().filter(token=token).exists():
        raise Http404("No such calendar.")
    hearings = upcoming_hearings(today=clock.today())
    base_url = request.build_absolute_uri("/").rstrip("/")
    body = render_calendar(hearings, name="Tracker: all upcoming hearings (staff)", base_url=base_url)
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Cache-Control"] = "private, no-store"
    return response
