"""The duplicates page (issue 17): candidate pairs of incidents side by side, to merge or keep apart.

`/staff/duplicates/` lists the pairs `incidents.duplicates` finds (and the pairs staff proposed),
best first, 20 a page: for each incident its date, place, tolls, each source with its own figures,
attributions, communities and linked cases, and the reasons the pair was found. Editors merge a
pair (choosing which incident to keep) or say "not the same"; both ask for a confirmation and are
POSTs. Monitors may only propose a pair for an editor. Every POST checks the role on the server.

The pair list over all incidents is computed once per data version and kept in the cache (about
the time of `find_duplicates`); decisions are read fresh on every request, so a pair decided a
moment ago is gone at once. A page costs the same few queries with 10 or 100,000 incidents.
"""

from __future__ import annotations

from dataclasses import dataclass

from django import forms
from django.contrib import messages
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from cases.models import Case
from core.models import Status
from incidents.duplicates import MIN_SCORE, compare, find_matches, load_records
from incidents.merging import can_merge, can_propose, mark_not_same, merge, propose
from incidents.models import Attribution, DuplicatePair, Incident, IncidentSource, PairDecision
from tracker.dataversion import current_version

from . import access

PAGE_SIZE = 20
CACHE_SECONDS = 24 * 3600


class PairForm(forms.Form):
    incident = forms.IntegerField(min_value=1, widget=forms.HiddenInput)
    other = forms.IntegerField(min_value=1, widget=forms.HiddenInput)
    keep = forms.IntegerField(required=False, min_value=1, label=gettext_lazy("Keep"))
    note = forms.CharField(
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        label=gettext_lazy("Note"),
        help_text=gettext_lazy("For a merge of a published incident: shown in the public corrections log."),
    )

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        if data["incident"] == data["other"]:
            raise ValidationError(_("Choose two different incidents."))
        if data.get("keep") not in (None, data["incident"], data["other"]):
            self.add_error("keep", _("Keep one of the two incidents of the pair."))
        return data


@dataclass
class Candidate:
    a: Incident
    b: Incident
    score: float | None
    reasons: list[str]
    pair: DuplicatePair | None  # a proposal, when staff flagged it

    @property
    def both(self) -> tuple[Incident, Incident]:
        return (self.a, self.b)

    @property
    def default_keep(self) -> Incident:
        """The incident to keep unless the editor says otherwise: a published one, else the older record."""
        if self.b.status == Status.PUBLISHED and self.a.status != Status.PUBLISHED:
            return self.b
        return self.a


def found_pairs() -> list[tuple[int, int, float]]:
    """(lower id, higher id, score) of every candidate pair, best first, cached under the data version."""
    version = current_version()
    key = f"duplicates:pairs:{MIN_SCORE}:{version}"
    pairs = cache.get(key) if version else None
    if pairs is None:
        pairs = [(m.a.id, m.b.id, m.score) for m in find_matches(load_records(), min_score=MIN_SCORE)]
        if version:
            cache.set(key, pairs, CACHE_SECONDS)
    return pairs


def candidate_list() -> list[tuple[int, int, float | None, DuplicatePair | None]]:
    """Proposed pairs first (by date proposed), then the pairs found, best first; decided pairs left out."""
    decisions = {(p.incident_id, p.other_id): p for p in DuplicatePair.objects.select_related("proposed_by")}
    proposed = [
        (p.incident_id, p.other_id, p.score, p)
        for p in sorted(decisions.values(), key=lambda p: p.updated_at)
        if p.decision == PairDecision.PROPOSED
    ]
    found = [(a, b, score, None) for a, b, score in found_pairs() if (a, b) not in decisions]
    return proposed + found


def _incidents(ids: list[int]) -> dict[int, Incident]:
    links = IncidentSource.objects.select_related("source").order_by("source__title", "id")
    attributions = Attribution.objects.select_related("organisation").order_by("organisation__name", "kind")
    queryset = (
        Incident.objects.filter(pk__in=ids)
        .exclude(status=Status.MERGED)
        .select_related("province", "city")
        .prefetch_related(
            "communities",
            Prefetch("source_links", queryset=links),
            Prefetch("attributions", queryset=attributions),
            Prefetch("cases", queryset=Case.objects.select_related("court").order_by("id")),
        )
    )
    return {incident.pk: incident for incident in queryset}


def _candidates(rows) -> list[Candidate]:
    incidents = _incidents([pk for a, b, _, _ in rows for pk in (a, b)])
    records = {record.id: record for record in load_records(Incident.objects.filter(pk__in=list(incidents)))}
    candidates = []
    for a, b, score, pair in rows:
        if a not in incidents or b not in incidents:
            continue
        match = compare(records[a], records[b])
        candidates.append(
            Candidate(incidents[a], incidents[b], score if score is not None else match.score, match.reasons(), pair)
        )
    return candidates


@access.staff_required()
def duplicates(request: HttpRequest) -> HttpResponse:
    """Candidate pairs, 20 a page, each side by side with its reasons and the actions the user may take."""
    page = Paginator(candidate_list(), PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "page_links": page.paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1),
        "candidates": _candidates(page.object_list),
        "can_merge": can_merge(request.user),
        "can_propose": can_propose(request.user),
        "min_score": MIN_SCORE,
    }
    return render(request, "monitoring/duplicates.html", context)


def _pair_form(request: HttpRequest) -> PairForm:
    form = PairForm(request.POST)
    if not form.is_valid():
        raise ValidationError(" ".join(str(e) for errors in form.errors.values() for e in errors))
    return form


def _confirm(request: HttpRequest, action: str, form: PairForm) -> HttpResponse:
    data = form.cleaned_data
    pair = _candidates([(data["incident"], data["other"], None, None)])
    if not pair:
        messages.error(request, _("One of the two incidents no longer exists or was merged. Nothing was changed."))
        return redirect("monitoring:duplicates")
    context = {"action": action, "candidate": pair[0], "form": form, "keep": data.get("keep")}
    return render(request, "monitoring/duplicate_confirm.html", context)


@require_POST
@access.staff_required()
def decide(request: HttpRequest, action: str) -> HttpResponse:
    """POST merge / not_same (editors) or propose (staff who may change incidents); a merge and a
    "not the same" show a confirmation page first, done with `confirm=yes`."""
    allowed = can_propose(request.user) if action == "propose" else can_merge(request.user)
    if not allowed:
        raise PermissionDenied("Only editors merge or keep apart; monitors propose.")
    try:
        form = _pair_form(request)
    except ValidationError as error:
        messages.error(request, _("Nothing was changed: %(reason)s") % {"reason": " ".join(error.messages)})
        return redirect("monitoring:duplicates")
    data = form.cleaned_data
    a, b, note = data["incident"], data["other"], data["note"]
    if action != "propose" and request.POST.get("confirm") != "yes":
        return _confirm(request, action, form)
    try:
        if action == "merge":
            keep = data.get("keep") or a
            survivor = merge(keep, b if keep == a else a, request.user, note)
            messages.success(
                request,
                _("Merged: #%(merged)s now lives on in %(kept)s (#%(pk)s).")
                % {"merged": b if keep == a else a, "kept": survivor, "pk": survivor.pk},
            )
        elif action == "not_same":
            mark_not_same(a, b, request.user, note)
            messages.success(request, _("Kept apart: #%(a)s and #%(b)s will not be proposed again.") % {"a": a, "b": b})
        else:
            propose(a, b, request.user, note)
            messages.success(
                request, _("Proposed: #%(a)s and #%(b)s wait for an editor's decision.") % {"a": a, "b": b}
            )
    except ValidationError as error:
        messages.error(request, _("Nothing was changed: %(reason)s") % {"reason": " ".join(error.messages)})
    return redirect("monitoring:duplicates")
