"""Atom feeds of new and changed published incidents (`/feeds/incidents/`) and of the corrections
log (`/feeds/corrections/`).

Feeds are public by nature (a feed reader has no login): their rows come from `.public()`, and
each entry shows public fields only. The incidents feed takes the incident list's filters
(`IncidentFilter`); a bad parameter answers 400 with the filter's message, like the API.
"""

from __future__ import annotations

from django.contrib.syndication.views import Feed
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.formats import date_format
from django.utils.html import escape
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext

from core.corrections import show_today
from core.models import Correction

from .filters import IncidentFilter
from .models import Incident

FEED_LIMIT = 50


class BadFilter(Exception):
    """The feed's query parameters did not validate."""

    def __init__(self, errors):
        super().__init__("Invalid filter parameters")
        self.errors = errors


def bad_filter_response(errors) -> HttpResponse:
    """400 with one line per bad parameter, e.g. `date_from: Enter a valid date.`"""
    lines = [f"{field}: {' '.join(str(message) for message in messages)}" for field, messages in errors.items()]
    return HttpResponseBadRequest(_("Invalid filter parameters.") + "\n" + "\n".join(lines), content_type="text/plain")


def plain_summary(parts: list[str]) -> str:
    """Entry summaries are sent as HTML: escape the record's own text so it reads as text."""
    return escape(" ".join(part for part in parts if part))


class FilteredAtomFeed(Feed):
    """An Atom feed of the latest changed rows of a FilterSet over public records.

    `get_object()` binds the FilterSet to the request's parameters (the Feed instance is shared
    between requests, so nothing is stored on it); an invalid one answers 400.
    """

    feed_type = Atom1Feed
    author_name = "Tracker"  # Atom (RFC 4287) requires an author for the feed
    filterset_class: type
    model: type

    def __call__(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        try:
            return super().__call__(request, *args, **kwargs)
        except BadFilter as error:
            return bad_filter_response(error.errors)

    def base_queryset(self):
        return self.model.objects.public()

    def get_object(self, request, *args, **kwargs):
        filterset = self.filterset_class(request.GET, queryset=self.base_queryset())
        if not filterset.is_valid():
            raise BadFilter(filterset.errors)
        return filterset

    def items(self, filterset):
        return filterset.qs.order_by("-updated_at", "-id")[:FEED_LIMIT]

    def list_url(self) -> str:  # pragma: no cover - every subclass defines it
        raise NotImplementedError

    def link(self, filterset) -> str:
        """The list page with the same filters."""
        query = filterset.data.urlencode() if filterset.data else ""
        return self.list_url() + (f"?{query}" if query else "")

    def item_pubdate(self, item):
        return item.published_at or item.created_at

    def item_updateddate(self, item):
        return item.updated_at


class IncidentFeed(FilteredAtomFeed):
    """Published incidents, most recently changed first (the latest 50)."""

    filterset_class = IncidentFilter
    model = Incident
    title = gettext_lazy("Tracker: new and updated incidents")
    subtitle = gettext_lazy(
        "Published incidents of sectarian and terrorist violence in Pakistan, most recently changed first."
    )

    def list_url(self) -> str:
        return reverse("incidents:incident_list")

    def base_queryset(self):
        return Incident.objects.public().with_related()

    def item_title(self, item: Incident) -> str:
        return f"{item.title} ({item.date:%Y-%m-%d})"

    def item_description(self, item: Incident) -> str:
        place = ", ".join(p for p in [item.locality, item.city.name if item.city else "", item.province.name] if p)
        unknown = pgettext("a figure", "unknown")
        killed = unknown if item.killed is None else item.killed
        injured = unknown if item.injured is None else item.injured
        communities = ", ".join(c.name for c in item.communities.all())
        return plain_summary(
            [
                f"{date_format(item.date, 'j F Y')}, {place}.",
                f"{item.get_attack_type_display()}.",
                _("Killed: %(killed)s; injured: %(injured)s.") % {"killed": killed, "injured": injured},
                _("Communities targeted: %(communities)s.") % {"communities": communities} if communities else "",
                item.description,
            ]
        )

    def item_categories(self, item: Incident) -> list[str]:
        return [item.get_attack_type_display(), *(c.name for c in item.communities.all())]


class CorrectionFeed(Feed):
    """The corrections log: changes to published figures and retractions, newest first."""

    feed_type = Atom1Feed
    author_name = "Tracker"
    title = gettext_lazy("Tracker: corrections")
    subtitle = gettext_lazy("Changes to published figures and retractions of published records, newest first.")

    def link(self):
        return reverse("incidents:corrections")

    def items(self):
        """The newest entries, each named as its record is today (core.corrections.show_today)."""
        return show_today(Correction.objects.public().order_by("-created_at", "-id")[:FEED_LIMIT])

    def item_title(self, item: Correction) -> str:
        if item.field:
            return _("%(record)s: %(field)s corrected") % {"record": item.record_label, "field": item.field}
        return _("Correction to %(record)s") % {"record": item.record_label}

    def item_description(self, item: Correction) -> str:
        empty = _("(empty)")
        change = f"{item.field}: {item.old_value or empty} → {item.new_value or empty}." if item.field else ""
        return plain_summary([change, item.note])

    def item_link(self, item: Correction) -> str:
        return f"{reverse('incidents:corrections')}#correction-{item.pk}"

    def item_pubdate(self, item: Correction):
        return item.created_at

    def item_updateddate(self, item: Correction):
        return item.created_at
