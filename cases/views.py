"""Public pages about cases and courts."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from tracker.visibility import get_visible_or_404

from .models import Case, Court


def case_detail(request: HttpRequest, pk: int) -> HttpResponse:
    case = get_visible_or_404(Case.objects.with_related(), request.user, pk=pk)
    return render(request, "cases/case_detail.html", {"case": case})


def court_detail(request: HttpRequest, pk: int) -> HttpResponse:
    court = get_visible_or_404(Court.objects.select_related("city"), request.user, pk=pk)
    return render(request, "cases/court_detail.html", {"court": court})
