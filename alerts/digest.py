"""What a digest holds, and sending it.

A subscriber's digest lists what became public since the last one: hearings scheduled or
recorded, final verdicts, and newly published incidents, of published records only (through
`public()` and the shared IncidentFilter). "Since" is read from the history tables, which
record every change with its time, so no timestamp needs adding to hearings or charges.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db.models import Q
from django.db.models.functions import Coalesce
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import ngettext

from cases.models import FINAL_VERDICTS, Charge, Hearing
from incidents.filters import IncidentFilter
from incidents.models import Incident

from .models import Kind, Subscription


@dataclass
class Digest:
    hearings: list = field(default_factory=list)
    verdicts: list = field(default_factory=list)
    incidents: list = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.hearings or self.verdicts or self.incidents)


def _changed_since(model, since: datetime.datetime, **lookup):
    """Ids of rows of `model` created or changed after `since` (from its history)."""
    return model.history.filter(history_date__gt=since, **lookup).values("id")


def _hearings(subscription: Subscription, since, until):
    hearings = Hearing.objects.public().filter(id__in=_changed_since(Hearing, since, history_date__lte=until))
    if subscription.kind == Kind.CASE:
        hearings = hearings.filter(case=subscription.case_id)
    else:
        court = subscription.court_id
        hearings = hearings.filter(Q(court=court) | Q(court__isnull=True, case__court=court))
    return list(hearings.select_related("case", "case__court", "court").order_by("date", "id"))


def _verdicts(subscription: Subscription, since, until):
    charges = Charge.objects.public().filter(
        verdict__in=FINAL_VERDICTS,
        id__in=_changed_since(Charge, since, history_date__lte=until, verdict__in=FINAL_VERDICTS),
    )
    if subscription.kind == Kind.CASE:
        charges = charges.filter(case=subscription.case_id)
    else:
        charges = charges.filter(case__court=subscription.court_id)
    return list(charges.select_related("case", "case__court", "accused").order_by("verdict_date", "id"))


def _incidents(subscription: Subscription, since, until):
    published = (
        Incident.objects.public()
        .annotate(first_public=Coalesce("published_at", "created_at"))
        .filter(first_public__gt=since, first_public__lte=until)
    )
    matching = IncidentFilter(subscription.filter_params(), queryset=published)
    if not matching.is_valid():
        return []  # a saved search whose city or community no longer exists matches nothing
    return list(matching.qs.select_related("province", "city").order_by("date", "id"))


def build_digest(subscription: Subscription, *, since: datetime.datetime, until: datetime.datetime) -> Digest:
    """What became public for this subscription in (since, until]."""
    if subscription.kind == Kind.SEARCH:
        return Digest(incidents=_incidents(subscription, since, until))
    return Digest(hearings=_hearings(subscription, since, until), verdicts=_verdicts(subscription, since, until))


def unsubscribe_url(subscription: Subscription) -> str:
    return settings.SITE_URL + reverse("alerts:unsubscribe", args=[subscription.unsubscribe_token()])


def digest_message(subscription: Subscription, digest: Digest) -> EmailMultiAlternatives:
    """The e-mail, with List-Unsubscribe headers for one-click unsubscribe (RFC 8058)."""
    link = unsubscribe_url(subscription)
    context = {"subscription": subscription, "digest": digest, "site_url": settings.SITE_URL, "unsubscribe": link}
    count = len(digest.hearings) + len(digest.verdicts) + len(digest.incidents)
    subject = ngettext("Tracker: %(count)s update on %(target)s", "Tracker: %(count)s updates on %(target)s", count) % {
        "count": count,
        "target": subscription.target_label,
    }
    return EmailMultiAlternatives(
        subject=subject[:200],
        body=render_to_string("alerts/email/digest.txt", context),
        to=[subscription.email],
        headers={"List-Unsubscribe": f"<{link}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"},
    )


def send_digests(*, now: datetime.datetime) -> tuple[int, int]:
    """Send each active subscriber what is new since their last digest; return (sent, checked).

    The period ends at `now`, which becomes the subscription's `last_sent_at` whether or not
    there was anything to send, so nothing is reported twice and nothing is skipped.
    """
    sent = checked = 0
    subscriptions = Subscription.objects.active().select_related("case", "case__court", "court")
    for subscription in subscriptions:
        checked += 1
        since = subscription.last_sent_at or subscription.confirmed_at
        digest = build_digest(subscription, since=since, until=now)
        if digest:
            # Written in the language the reader subscribed in, links included (/ur/... for Urdu).
            with translation.override(subscription.language):
                digest_message(subscription, digest).send()
            sent += 1
        subscription.last_sent_at = now
        subscription.save(update_fields=["last_sent_at"])
    return sent, checked
