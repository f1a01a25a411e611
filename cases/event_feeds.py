"""Atom feeds of what happened in court: recorded hearing outcomes, verdicts and appeals, per case
(`/cases/<id>/feed/`) and per court (`/courts/<id>/feed/`), newest first.

The iCalendar feeds (cases/feeds.py) look ahead to scheduled hearings; these look back at what was
recorded. Each entry is one event dated the day it happened: a hearing with an outcome, a verdict
(a charge with a final verdict and its date), an appeal filed, an appeal decided. Rows come from
``.public()`` only (a draft or retracted case, and its court's draft cases, are in no feed; the case
feed of one answers 404) and each entry shows public fields only: never ``recorded_by``, the case's
confidential notes or a juvenile's name (``Accused.public_name``).

Three queries per feed, each the newest ``FEED_LIMIT`` rows of its kind, merged in Python: the
newest ``FEED_LIMIT`` events overall are among them whatever the size of the record.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field, replace

from django.contrib.syndication.views import Feed
from django.db.models import Q
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.feedgenerator import Atom1Feed
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from incidents.feeds import FEED_LIMIT, plain_summary

from .models import Appeal, Case, Charge, Court, Hearing, Verdict


@dataclass(frozen=True)
class Event:
    """One thing that happened in court, as a feed entry."""

    kind: str  # "hearing", "verdict", "appeal-filed", "appeal-decided"
    pk: int
    date: datetime.date
    title: str
    summary: str
    link: str
    categories: tuple[str, ...] = field(default=())
    guid: str = ""  # set by court_events: "<the feed record's address>#hearing-12"

    @property
    def sort_key(self) -> tuple:
        return (self.date, self.kind, self.pk)


@dataclass(frozen=True)
class FeedSubject:
    """What a feed is about (a case or a court) and the site's address, for the entries' ids."""

    record: Case | Court
    base_url: str


def _day(value: datetime.date) -> str:
    """ "5 March 2013", the month in the reader's language."""
    return date_format(value, "j F Y")


def hearing_events(hearings: Iterable[Hearing]) -> list[Event]:
    events = []
    for hearing in hearings:
        case = hearing.case
        outcome = hearing.get_outcome_display()
        reason = f" ({hearing.get_adjournment_reason_display().lower()})" if hearing.adjournment_reason else ""
        court = hearing.court or case.court
        summary = plain_summary(
            [
                f"{_day(hearing.date)}, {court.name}.",
                _("Listed for %(purpose)s.") % {"purpose": hearing.get_purpose_display().lower()}
                if hearing.purpose
                else "",
                _("Judge: %(judge)s.") % {"judge": hearing.judge} if hearing.judge else "",
                _("Outcome: %(outcome)s%(reason)s.") % {"outcome": outcome.lower(), "reason": reason},
                _("Next date: %(date)s.") % {"date": _day(hearing.next_date)} if hearing.next_date else "",
                hearing.notes,
            ]
        )
        events.append(
            Event(
                "hearing",
                hearing.pk,
                hearing.date,
                _("Hearing %(date)s: %(outcome)s%(reason)s (%(case)s)")
                % {"date": _day(hearing.date), "outcome": outcome.lower(), "reason": reason, "case": case.title},
                summary,
                f"{case.get_absolute_url()}#hearings",
                (_("Hearing"), outcome),
            )
        )
    return events


def verdict_events(charges: Iterable[Charge]) -> list[Event]:
    events = []
    for charge in charges:
        verdict = charge.get_verdict_display()
        name = charge.accused.public_name
        sentence = charge.sentence or (charge.get_sentence_kind_display() if charge.sentence_kind else "")
        events.append(
            Event(
                "verdict",
                charge.pk,
                charge.verdict_date,
                _("Verdict: %(name)s %(verdict)s (%(case)s)")
                % {"name": name, "verdict": verdict.lower(), "case": charge.case.title},
                plain_summary(
                    [
                        _("%(date)s: %(name)s %(verdict)s.")
                        % {"date": _day(charge.verdict_date), "name": name, "verdict": verdict.lower()},
                        _("Sentence: %(sentence)s.") % {"sentence": sentence} if sentence else "",
                    ]
                ),
                f"{charge.case.get_absolute_url()}#accused",
                (_("Verdict"), verdict),
            )
        )
    return events


def appeal_events(appeals: Iterable[Appeal]) -> list[Event]:
    events = []
    for appeal in appeals:
        charge, case = appeal.charge, appeal.charge.case
        name = charge.accused.public_name
        by = _("by the %(appellant)s to %(court)s") % {
            "appellant": appeal.get_appellant_display().lower(),
            "court": appeal.court.name,
        }
        link = f"{case.get_absolute_url()}#accused"
        events.append(
            Event(
                "appeal-filed",
                appeal.pk,
                appeal.filed_on,
                _("Appeal filed %(by)s (%(name)s, %(case)s)") % {"by": by, "name": name, "case": case.title},
                plain_summary(
                    [
                        _("%(date)s: appeal %(by)s against the verdict on %(name)s.")
                        % {"date": _day(appeal.filed_on), "by": by, "name": name}
                    ]
                ),
                link,
                (_("Appeal"),),
            )
        )
        if appeal.decided_on:
            outcome = appeal.get_outcome_display().lower()
            events.append(
                Event(
                    "appeal-decided",
                    appeal.pk,
                    appeal.decided_on,
                    _("Appeal decided: %(outcome)s (%(name)s, %(case)s)")
                    % {"outcome": outcome, "name": name, "case": case.title},
                    plain_summary(
                        [
                            _("%(date)s: %(court)s decided the appeal %(by)s: %(outcome)s.")
                            % {
                                "date": _day(appeal.decided_on),
                                "court": appeal.court.name,
                                "by": by,
                                "outcome": outcome,
                            }
                        ]
                    ),
                    link,
                    (_("Appeal"), appeal.get_outcome_display()),
                )
            )
    return events


def court_events(*, hearings, charges, appeals, base_url: str) -> list[Event]:
    """The newest ``FEED_LIMIT`` events among the given public hearings, charges and appeals, each
    with a permanent id under ``base_url`` (the address of the case or court the feed is about)."""
    hearings = hearings.held().select_related("case", "case__court", "court").order_by("-date", "-id")
    charges = (
        charges.exclude(verdict__in=[Verdict.PENDING, Verdict.TRANSFERRED])
        .filter(verdict_date__isnull=False)
        .select_related("accused", "case", "case__court")
        .order_by("-verdict_date", "-id")
    )
    appeals = appeals.select_related("court", "charge__accused", "charge__case", "charge__case__court").order_by(
        Coalesce("decided_on", "filed_on").desc(), "-id"
    )
    events = [
        *hearing_events(hearings[:FEED_LIMIT]),
        *verdict_events(charges[:FEED_LIMIT]),
        *appeal_events(appeals[:FEED_LIMIT]),
    ]
    newest = sorted(events, key=lambda event: event.sort_key, reverse=True)[:FEED_LIMIT]
    return [replace(event, guid=f"{base_url}#{event.kind}-{event.pk}") for event in newest]


class EventFeed(Feed):
    """Shared by the case and court feeds: entries are ``Event`` objects, dated the day they happened."""

    feed_type = Atom1Feed
    author_name = "Tracker"

    def item_title(self, item: Event) -> str:
        return item.title

    def item_description(self, item: Event) -> str:
        return item.summary

    def item_link(self, item: Event) -> str:
        return item.link

    def item_guid(self, item: Event) -> str:
        return item.guid

    def item_guid_is_permalink(self, item: Event) -> bool:
        return False

    def item_pubdate(self, item: Event) -> datetime.datetime:
        return datetime.datetime.combine(item.date, datetime.time.min, tzinfo=timezone.get_current_timezone())

    item_updateddate = item_pubdate

    def item_categories(self, item: Event) -> tuple[str, ...]:
        return item.categories

    def link(self, obj: FeedSubject) -> str:
        return obj.record.get_absolute_url()


class CaseEventFeed(EventFeed):
    """Hearing outcomes, verdicts and appeals of one published case, newest first."""

    def get_object(self, request, pk: int) -> FeedSubject:
        case = get_object_or_404(Case.objects.public().select_related("court"), pk=pk)
        return FeedSubject(case, request.build_absolute_uri(case.get_absolute_url()))

    def title(self, obj: FeedSubject) -> str:
        return _("Tracker: what happened in %(case)s") % {"case": obj.record.title}

    def subtitle(self, obj: FeedSubject) -> str:
        return _("Recorded hearing outcomes, verdicts and appeals of this case, newest first.")

    def items(self, obj: FeedSubject) -> list[Event]:
        case = obj.record
        return court_events(
            hearings=Hearing.objects.public().filter(case=case),
            charges=Charge.objects.public().filter(case=case),
            appeals=Appeal.objects.public().filter(charge__case=case),
            base_url=obj.base_url,
        )


class CourtEventFeed(EventFeed):
    """Hearing outcomes before one court, verdicts in its published cases, and appeals from its
    verdicts or heard by it, newest first."""

    def get_object(self, request, pk: int) -> FeedSubject:
        court = get_object_or_404(Court.objects.public(), pk=pk)
        return FeedSubject(court, request.build_absolute_uri(court.get_absolute_url()))

    def title(self, obj: FeedSubject) -> str:
        return _("Tracker: hearings, verdicts and appeals at %(court)s") % {"court": obj.record.name}

    def subtitle(self, obj: FeedSubject) -> str:
        return _("Recorded hearing outcomes, verdicts and appeals of this court's published cases, newest first.")

    def items(self, obj: FeedSubject) -> list[Event]:
        court = obj.record
        return court_events(
            hearings=Hearing.objects.public().at_court(court),
            charges=Charge.objects.public().filter(case__court=court),
            appeals=Appeal.objects.public().filter(Q(court=court) | Q(charge__case__court=court)),
            base_url=obj.base_url,
        )
