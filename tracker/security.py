"""Security events: who signed in, who failed, who was locked out or refused.

Everything goes to the logger ``tracker.security`` with the username (or user id), the client
address and the path — never a password, token, OTP code or session key. The helpers here are
also used by django-axes (username lookup, lockout response) and by tracker.middleware.
"""

from __future__ import annotations

import ipaddress
import logging

from axes.signals import user_locked_out
from django.conf import settings
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
from two_factor.signals import user_verified

logger = logging.getLogger("tracker.security")

LOCKOUT_SECONDS = 3600


def client_ip(request: HttpRequest | None) -> str:
    """The client's address, for the rate limits, django-axes' lockouts and every log line.

    REMOTE_ADDR, or, behind a trusted reverse proxy (RATE_LIMIT_TRUST_X_FORWARDED_FOR), the last
    X-Forwarded-For hop: the address the proxy itself saw (hops further left are the client's to
    invent). A hop that is not an IP address is ignored, so nothing but an address is ever counted,
    stored or logged as one.
    """
    if request is None:
        return "-"
    if getattr(settings, "RATE_LIMIT_TRUST_X_FORWARDED_FOR", False):
        hops = [hop.strip() for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        if hops[-1] and _is_ip(hops[-1]):
            return hops[-1]
    return request.META.get("REMOTE_ADDR", "-") or "-"


def _is_ip(text: str) -> bool:
    try:
        ipaddress.ip_address(text)
    except ValueError:
        return False
    return True


def axes_client_ip(request: HttpRequest) -> str | None:
    """AXES_CLIENT_IP_CALLABLE: django-axes locks out and logs the same client as the rate limits do."""
    address = client_ip(request)
    return address if _is_ip(address) else None


def _path(request: HttpRequest | None) -> str:
    # The path only: a query string could carry a token.
    return getattr(request, "path", "-") if request is not None else "-"


def axes_username(request: HttpRequest, credentials: dict | None = None) -> str | None:
    """The username a login attempt is for, from authenticate() or two_factor's `auth-` form."""
    if credentials and credentials.get("username"):
        return credentials["username"]
    data = getattr(request, "POST", {}) or {}
    return data.get("auth-username") or data.get("username")


def lockout_response(request: HttpRequest, credentials: dict | None = None, *args, **kwargs) -> HttpResponse:
    """What a locked-out username+address sees: the generic 429 page with Retry-After."""
    body = render_to_string(
        "429.html",
        {"message": "Too many failed sign-in attempts. Try again in an hour."},
        request=request,
    )
    response = HttpResponse(body, status=429)
    response["Retry-After"] = str(LOCKOUT_SECONDS)
    return response


@receiver(user_logged_in)
def log_login(sender, request, user, **kwargs) -> None:
    logger.info("login user=%s id=%s ip=%s", user.get_username(), user.pk, client_ip(request))


@receiver(user_logged_out)
def log_logout(sender, request, user, **kwargs) -> None:
    who = user.get_username() if user is not None else "-"
    logger.info("logout user=%s ip=%s", who, client_ip(request))


@receiver(user_login_failed)
def log_login_failed(sender, credentials: dict, request=None, **kwargs) -> None:
    # `credentials` holds the password (Django masks it, but we take only the username anyway).
    username = (credentials or {}).get("username")
    if not username and request is not None:
        username = axes_username(request, None)
    logger.warning("login failed user=%s ip=%s path=%s", username or "-", client_ip(request), _path(request))


@receiver(user_locked_out)
def log_lockout(sender, request=None, username=None, ip_address=None, **kwargs) -> None:
    logger.warning("lockout user=%s ip=%s", username or "-", ip_address or client_ip(request))


@receiver(user_verified)
def log_verified(sender, request, user, device, **kwargs) -> None:
    logger.info(
        "second factor verified user=%s device=%s ip=%s", user.get_username(), type(device).__name__, client_ip(request)
    )


def log_refused(request: HttpRequest, status: int) -> None:
    """A 403: who was refused what (called by the middleware for every 403 response)."""
    user = getattr(request, "user", None)
    who = user.get_username() if user is not None and user.is_authenticated else "anonymous"
    logger.warning(
        "refused status=%s user=%s ip=%s method=%s path=%s",
        status,
        who,
        client_ip(request),
        request.method,
        _path(request),
    )
