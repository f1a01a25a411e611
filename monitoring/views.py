"""Staff pages: the worklist and the one-minute hearing form.

Review and publishing live in `review.py`, the calendar and its private feed in `calendar.py`.
"""

from __future__ import annotations

import datetime

from django import forms
from django.contrib import messages
from django.db import transaction
from django.db.models import Prefetch
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cases.filters import CaseFilter
from cases.models import Case, Charge, Hearing
from core import clock
from core.models import Status
from incidents.models import Incident

from . import access
from .forms import CaseSearchForm, HearingRecordForm, WorklistFilterForm, hearings_version
from .worklist import LIVE, build_worklist

SEARCH_LIMIT = 20
# Rows shown per worklist section (the counts are always complete): a longer list is filtered, not read.
SECTION_LIMIT = 100


@access.staff_required()
def worklist(request: HttpRequest) -> HttpResponse:
    """What needs doing: overdue clocks, unrecorded hearings, missing dates, stale records, drafts."""
    form = WorklistFilterForm(request.GET or None)
    court = city = None
    if form.is_valid():
        court, city = form.cleaned_data["court"], form.cleaned_data["city"]
    today = clock.today()
    context = {
        "form": form,
        "today": today,
        "work": build_worklist(today=today, court=court, city=city, limit=SECTION_LIMIT),
        "can_verify": request.user.has_perm("cases.change_case"),
        "can_check_court_record": request.user.has_perm("incidents.change_incident"),
        "limit": SECTION_LIMIT,
    }
    return render(request, "monitoring/worklist.html", context)


@require_POST
@access.staff_required("cases.change_case")
def mark_verified(request: HttpRequest, pk: int) -> HttpResponse:
    """Record that the case was checked against the court file today."""
    case = get_object_or_404(Case.objects.filter(status__in=LIVE), pk=pk)
    case.last_verified_on = clock.today()
    case.save(update_fields=["last_verified_on", "updated_at"])
    messages.success(
        request,
        _("%(case)s: marked verified on %(date)s.")
        % {"case": case.title, "date": date_format(case.last_verified_on, "d M Y")},
    )
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = reverse("monitoring:worklist")
    return redirect(target)


@require_POST
@access.staff_required("incidents.change_incident")
def court_record_checked(request: HttpRequest, pk: int) -> HttpResponse:
    """ "Court record checked: nothing found" today for a fatal published incident (the worklist's
    unresearched incidents). An editor's check is recorded at once; a monitor's waits for an editor
    in the review queue (Incident.record_court_check)."""
    incident = get_object_or_404(Incident.objects.filter(status=Status.PUBLISHED), pk=pk)
    waiting = incident.record_court_check(request.user, clock.today())
    if waiting is None:
        messages.success(
            request,
            _("%(incident)s: court record checked on %(date)s, nothing found.")
            % {"incident": incident, "date": date_format(clock.today(), "d M Y")},
        )
    else:
        messages.success(
            request,
            _("%(incident)s: your check is waiting for an editor in the review queue.") % {"incident": incident},
        )
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = reverse("monitoring:worklist")
    return redirect(target)


def _parse_date(raw: str | None) -> datetime.date | None:
    try:
        return forms.DateField().clean(raw)
    except forms.ValidationError:
        return None


def _hearing_for(case: Case, day: datetime.date | None) -> Hearing:
    """The scheduled row for that case and day, to fill in; else a new hearing."""
    if day is not None:
        scheduled = case.hearings.filter(date=day, outcome="").order_by("id").first()
        if scheduled is not None:
            return scheduled
    return Hearing(case=case)


def _initial(case: Case) -> dict:
    """Prefill with the oldest hearing still waiting for its outcome, else today."""
    today = clock.today()
    due = case.hearings.filter(outcome="", date__lte=today).order_by("date", "id").first()
    if due is None:
        return {"date": today}
    return {"date": due.date, "purpose": due.purpose, "judge": due.judge}


def _search(request: HttpRequest) -> tuple[CaseSearchForm, list[Case] | None]:
    """Step 1: cases matching the search, through the shared CaseFilter's `q`."""
    search = CaseSearchForm(request.GET if "q" in request.GET else None)
    if not search.is_valid():
        return search, None
    charges = Prefetch("charges", queryset=Charge.objects.select_related("accused"))
    live = Case.objects.filter(status__in=LIVE).select_related("court").prefetch_related(charges)
    found = CaseFilter({"q": search.cleaned_data["q"]}, queryset=live).qs.order_by("-id")[:SEARCH_LIMIT]
    return search, list(found)


@access.staff_required("cases.add_hearing", "cases.change_hearing")
def record_hearing(request: HttpRequest) -> HttpResponse:
    """Find the case (GET ?q=), choose it (?case=), then record what happened (POST)."""
    search, results = _search(request)
    case_id = request.POST.get("case") or request.GET.get("case")
    case = form = None
    if case_id and request.method == "POST":
        with transaction.atomic():
            # The case locked first, then its hearings read, the form's version checked and the
            # hearing saved, in one transaction (the race this closes: tracker/versioning.py).
            case = _live_case(case_id, lock=True)
            instance = _hearing_for(case, _parse_date(request.POST.get("date")))
            form = HearingRecordForm(request.POST, instance=instance, case=case)
            if form.is_valid():
                hearing = _save(form, request.user)
                messages.success(
                    request, _("Hearing of %(date)s recorded.") % {"date": date_format(hearing.date, "d M Y")}
                )
                return redirect(f"{reverse('monitoring:record_hearing')}?case={case.pk}&saved={hearing.pk}")
    elif case_id:
        case = _live_case(case_id)
        opened = hearings_version(case).token()  # before the prefill it covers is read
        form = HearingRecordForm(initial=_initial(case), case=case, opened_version=opened)
    context = {
        "search": search,
        "results": results,
        "case": case,
        "form": form,
        "next_hearing": _next_hearing(case, request.GET.get("saved")),
    }
    stale = form is not None and form.stale_changes
    return render(request, "monitoring/record_hearing.html", context, status=409 if stale else 200)


def _live_case(case_id: str, *, lock: bool = False) -> Case:
    """The case chosen (a live one: draft or published), else 404; `lock`: locked until the transaction ends."""
    cases = Case.objects.filter(status__in=LIVE).select_related("court")
    if lock:
        cases = cases.select_for_update(no_key=True, of=("self",))
    pk = _as_id(case_id)
    if pk is None:
        raise Http404("No such case.")
    return get_object_or_404(cases, pk=pk)


def _as_id(raw: str | None) -> int | None:
    """A record id from the address: ASCII digits that fit a database integer, else None
    (so "abc", "١٢", "-1" or twenty nines are "no such record", never a server error)."""
    if not raw or not raw.isascii() or not raw.isdigit() or len(raw) > 18:
        return None
    return int(raw)


def _save(form: HearingRecordForm, user) -> Hearing:
    """Save the outcome, schedule the next date, move the case's stage on: all or nothing."""
    with transaction.atomic():
        hearing = form.save(commit=False)
        if not hearing.purpose and hearing.pk:
            hearing.purpose = Hearing.objects.filter(pk=hearing.pk).values_list("purpose", flat=True).first() or ""
        hearing.recorded_by = user
        hearing.save()
        hearing.schedule_next()
        form.case.advance_stage(hearing)
    return hearing


def _next_hearing(case: Case | None, saved: str | None) -> Hearing | None:
    """After saving: the case's next scheduled hearing, shown to confirm what the court fixed."""
    saved_id = _as_id(saved)
    if case is None or saved_id is None:
        return None
    recorded = case.hearings.filter(pk=saved_id).values_list("date", flat=True).first()
    if recorded is None:
        return None
    return case.hearings.filter(outcome="", date__gt=recorded).order_by("date", "id").first()
