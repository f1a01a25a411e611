"""Follow a case, a court or an incident search by e-mail: subscribe, confirm, unsubscribe.

Subscribing answers the same page whatever the address (no way to learn who follows what): an
address that already follows gets an e-mail saying so (with its unsubscribe link) where a new one
gets its confirmation link, so even a mail server that does not answer fails both alike, with a
clear 503 page rather than a 500.
The subscribe POST is rate-limited per client address and per e-mail address (429 with
Retry-After), on top of the site-wide /follow/ limit. Confirmation and unsubscribe links are
signed (django.core.signing); unsubscribe also accepts the RFC 8058 one-click POST that mail
programs send from the List-Unsubscribe header, which carries no CSRF token: the signed
token is what authorises it.
"""

from __future__ import annotations

import hashlib
import logging
import smtplib

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from cases.models import Case, Court
from incidents.filters import IncidentFilter
from tracker.middleware import RateLimitMiddleware, too_many_requests
from tracker.security import client_ip

from .forms import SubscribeForm
from .models import CONFIRM_MAX_AGE, CONFIRM_SALT, UNSUBSCRIBE_SALT, Kind, Subscription, normalise_query

logger = logging.getLogger("alerts")

# What a mail server that refuses, times out or drops the connection raises (socket errors, TLS
# errors and timeouts are OSErrors).
MAIL_ERRORS = (smtplib.SMTPException, OSError)
MAIL_RETRY_AFTER = 300

# (requests, seconds): subscribe attempts per client address, and per e-mail address.
SUBSCRIBE_LIMIT_PER_IP = (10, 3600)
SUBSCRIBE_LIMIT_PER_EMAIL = (3, 24 * 3600)


def _target(kind: str, pk: int | None, request: HttpRequest) -> dict:
    """The subscription's target fields; 404 for a case that is not public; 400-style None for a bad search."""
    if kind == Kind.CASE:
        return {"case": get_object_or_404(Case.objects.public().select_related("court"), pk=pk)}
    if kind == Kind.COURT:
        return {"court": get_object_or_404(Court.objects.public(), pk=pk)}
    params = {name: request.GET.get(name, "") for name in IncidentFilter.base_filters}
    return {"query": normalise_query(params)}


def _rate_limited(request: HttpRequest, email: str | None) -> HttpResponse | None:
    retry = RateLimitMiddleware._over_limit("subscribe-ip", client_ip(request), *SUBSCRIBE_LIMIT_PER_IP)
    if not retry and email:
        digest = hashlib.sha256(email.lower().encode()).hexdigest()  # no address in cache keys
        retry = RateLimitMiddleware._over_limit("subscribe-email", digest, *SUBSCRIBE_LIMIT_PER_EMAIL)
    return too_many_requests(request, retry) if retry else None


def subscribe(request: HttpRequest, kind: str, pk: int | None = None) -> HttpResponse:
    """GET: the form; POST: a pending subscription and a confirmation e-mail."""
    target = _target(kind, pk, request)
    if kind == Kind.SEARCH:
        search = IncidentFilter(Subscription(query=target["query"]).filter_params())
        if not search.is_valid():
            return render(request, "alerts/subscribe.html", {"search_errors": search.errors, "kind": kind}, status=400)
    preview = Subscription(kind=kind, **target)
    form = SubscribeForm(request.POST or None)
    if request.method == "POST":
        limited = _rate_limited(request, request.POST.get("email", "").strip() or None)
        if limited is not None:
            return limited
        if form.is_valid():
            if not _subscribe(request, form.cleaned_data["email"], kind, target):
                response = render(request, "alerts/mail_failed.html", {"subscription": preview}, status=503)
                response["Retry-After"] = str(MAIL_RETRY_AFTER)
                return response
            return render(request, "alerts/pending.html", {"subscription": preview})
    return render(request, "alerts/subscribe.html", {"form": form, "subscription": preview, "kind": kind})


def _subscribe(request: HttpRequest, email: str, kind: str, target: dict) -> bool:
    """Create (or reuse) the pending subscription and e-mail the address; False if the mail server failed.

    A pending subscription gets its confirmation link; an active one a note that it already follows,
    with its unsubscribe link. When the message cannot be sent, a subscription made just now is
    removed again (nothing changed) and the caller answers 503.
    """
    with transaction.atomic():
        existing = Subscription.objects.filter(
            email__iexact=email, kind=kind, unsubscribed_at__isnull=True, **target
        ).first()
        subscription = existing or Subscription.objects.create(
            email=email, kind=kind, language=translation.get_language(), **target
        )
    subject, body = _subscribe_message(request, subscription)
    try:
        send_mail(subject[:200], body, settings.DEFAULT_FROM_EMAIL, [email])
    except MAIL_ERRORS as error:
        # The subscription's id only: no address in the log.
        logger.warning("follow e-mail not sent subscription=%s error=%s", subscription.pk, type(error).__name__)
        if existing is None:
            subscription.delete()
        return False
    return True


def _subscribe_message(request: HttpRequest, subscription: Subscription) -> tuple[str, str]:
    """Subject and body: the confirmation link for a pending subscription, a reminder for an active one."""
    if subscription.is_active:
        url = request.build_absolute_uri(reverse("alerts:unsubscribe", args=[subscription.unsubscribe_token()]))
        context = {"subscription": subscription, "unsubscribe_url": url}
        return _("You already follow %(target)s") % {"target": subscription.target_label}, render_to_string(
            "alerts/email/already_following.txt", context
        )
    url = request.build_absolute_uri(reverse("alerts:confirm", args=[subscription.confirm_token()]))
    context = {"subscription": subscription, "confirm_url": url}
    subject = _("Confirm: follow %(target)s") % {"target": subscription.target_label}
    return subject, render_to_string("alerts/email/confirm.txt", context)


def confirm(request: HttpRequest, token: str) -> HttpResponse:
    subscription = Subscription.from_token(token, salt=CONFIRM_SALT, max_age=CONFIRM_MAX_AGE)
    if subscription is None or subscription.unsubscribed_at is not None:
        return render(request, "alerts/bad_link.html", status=400)
    subscription.confirm()
    unsubscribe = reverse("alerts:unsubscribe", args=[subscription.unsubscribe_token()])
    return render(request, "alerts/confirmed.html", {"subscription": subscription, "unsubscribe": unsubscribe})


@csrf_exempt  # RFC 8058 one-click POST from mail programs; the signed token authorises it
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    subscription = Subscription.from_token(token, salt=UNSUBSCRIBE_SALT)
    if subscription is None:
        return render(request, "alerts/bad_link.html", status=400)
    if request.method != "POST":
        # A GET only asks: mail scanners that follow links must not unsubscribe anyone.
        return render(request, "alerts/unsubscribe_confirm.html", {"subscription": subscription})
    subscription.unsubscribe()
    return render(request, "alerts/unsubscribed.html", {"subscription": subscription})
