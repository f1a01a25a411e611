"""Site-wide middleware: rate limits, staff 2FA and no-store, and a clear 503 when the database is down.

- RateLimitMiddleware: per client address, counted in the shared cache (every process and host), on /api/, any
  `?format=csv` request and /follow/ (settings.RATE_LIMITS) → 429 with Retry-After.
- StaffSecurityMiddleware: /staff/ and the admin need a user who passed the second factor (else
  sent to sign in, to enter the code, or to set up 2FA); a user half-way through signing in is
  the public everywhere else (public pages, API, feeds, static files, /favicon.ico keep working
  and show nothing confidential); staff pages and every response to a signed-in user are
  `Cache-Control: no-store`; every 403 is logged to ``tracker.security``.
- DatabaseUnavailableMiddleware: a view that hits a dead database answers the 503 page
  (the same page tracker.views.server_error gives when it dies in another middleware).
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.contrib.auth.views import redirect_to_login
from django.core.cache import cache
from django.db.utils import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.cache import add_never_cache_headers, patch_cache_control
from django.utils.http import urlencode
from django.utils.translation import gettext
from two_factor.utils import default_device

from .paths import site_path
from .security import client_ip, log_refused

logger = logging.getLogger("tracker.security")

DATABASE_ERRORS = (OperationalError, InterfaceError)
DATABASE_RETRY_AFTER = 30
# The staff calendar feed: its secret token is the credential (calendar apps cannot sign in), so an
# anonymous request goes to the view, which answers 404 for an unknown or revoked token.
TOKEN_FEED = re.compile(r"^/staff/calendar/[^/]+\.ics$")


def _starts_with_any(path: str, prefixes) -> bool:
    return any(path.startswith(prefix) for prefix in prefixes)


def rate_limit_bucket(request: HttpRequest) -> str | None:
    """Which limit of settings.RATE_LIMITS applies to this request, if any."""
    if request.GET.get("format") == "csv":
        return "csv"
    path = site_path(request.path_info)
    if path.startswith("/api/"):
        return "api"
    if path.startswith("/follow/"):
        return "follow"
    return None


# How many times a request's count is tried before letting it pass uncounted (never a 500).
COUNT_TRIES = 5


class RateLimitMiddleware:
    """Fixed-window request counter per (limit, client address); over the limit → 429."""

    def __init__(self, get_response: Callable):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        bucket = rate_limit_bucket(request)
        limit = settings.RATE_LIMITS.get(bucket) if bucket else None
        if limit:
            retry_after = self._over_limit(bucket, client_ip(request), *limit)
            if retry_after:
                logger.warning("rate limited limit=%s ip=%s path=%s", bucket, client_ip(request), request.path)
                return too_many_requests(request, retry_after)
        return self.get_response(request)

    @staticmethod
    def _over_limit(bucket: str, ip: str, max_requests: int, window: int) -> int:
        """Count this request; return the seconds until the window ends if it is one too many, else 0.

        Counted in the shared cache (tracker/cache.py), so every process and host counts together:
        ``incr`` is atomic there, and of two first requests of a window only one ``add`` succeeds, the
        other counts on. Most requests cost one ``incr``.
        """
        now = time.time()
        key = f"ratelimit:{bucket}:{ip}:{int(now // window)}"
        count = 1  # never counted after every try (the cache too busy to answer): let the request pass
        for _ in range(COUNT_TRIES):
            try:
                count = cache.incr(key)
                break
            except ValueError:  # the window's first request (or one at the same moment)
                if cache.add(key, 1, timeout=window + 1):
                    break
                # Neither: the database cache's add also answers False on a database error (SQLite's
                # "database is locked" among concurrent writers), with no counter made. Try again.
        else:
            logger.warning("rate limit not counted limit=%s ip=%s: the cache did not answer", bucket, ip)
        if count <= max_requests:
            return 0
        return max(1, int(window - (now % window)))


def too_many_requests(request: HttpRequest, retry_after: int) -> HttpResponse:
    """429 with Retry-After: JSON under /api/, the generic page elsewhere, in the page's language."""
    with translation.override(language_of(request)):
        message = gettext("Too many requests. Please slow down and try again shortly.")
        if request.path_info.startswith("/api/"):
            response = JsonResponse({"detail": message}, status=429)
        else:
            response = HttpResponse(render_to_string("429.html", {"message": message}, request=request), status=429)
    response["Retry-After"] = str(retry_after)
    return response


class StaffSecurityMiddleware:
    """Second factor on staff paths, no-store on staff responses, a log line for every 403.

    Only navigations that need a verified user are redirected: a browser asks for /favicon.ico,
    static files and other tabs' public pages in the middle of the 2FA setup, and sending those
    to the setup wizard used to restart it (tracker.account.SetupView no longer restarts anyway).
    """

    def __init__(self, get_response: Callable):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        path = site_path(request.path_info)
        signed_in = request.user.is_authenticated
        refusal = self._require_second_factor(request)
        if refusal is not None:
            add_never_cache_headers(refusal)
            return refusal
        response = self.get_response(request)
        if response.status_code == 403:
            log_refused(request, 403)
        if signed_in or _starts_with_any(path, settings.NO_STORE_PATH_PREFIXES):
            patch_cache_control(response, no_store=True, private=True)
        return response

    @staticmethod
    def _require_second_factor(request: HttpRequest) -> HttpResponse | None:
        """None when the request may go on; else where to send the user.

        Anonymous visitors to /staff/ go to the login wizard (the admin sends its own there too).
        A signed-in user who has not passed the second factor is sent, from a staff or admin page,
        to set up 2FA when they have no device yet or back to the login wizard to enter their
        code; anywhere else (public pages, API, feeds, favicon) they are served as the public is,
        so that a password alone never shows a draft. The sign-in pages and sign-out are theirs.
        """
        path = site_path(request.path_info)
        if path.endswith("/logout/") or _starts_with_any(path, settings.OTP_EXEMPT_PATH_PREFIXES):
            return None
        user = request.user
        if not user.is_authenticated:
            if _starts_with_any(path, settings.LOGIN_REQUIRED_PATH_PREFIXES) and not TOKEN_FEED.match(path):
                return redirect_to_login(request.get_full_path())
            return None
        if user.is_verified():
            return None
        if not _needs_verified_user(path):
            request.user = AnonymousUser()  # a password alone: the public's view of the site
            return None
        if default_device(user) is None:  # the device two_factor's login wizard asks for
            return redirect(f"{reverse('two_factor:setup')}?{urlencode({'next': request.get_full_path()})}")
        return redirect_to_login(request.get_full_path())


def _needs_verified_user(path: str) -> bool:
    """Staff pages (settings.LOGIN_REQUIRED_PATH_PREFIXES) and the admin, but not the staff calendar
    feed, whose secret token is its credential. ``path`` is without its language prefix."""
    prefixes = (*settings.LOGIN_REQUIRED_PATH_PREFIXES, site_path(reverse("admin:index")))
    return _starts_with_any(path, prefixes) and not TOKEN_FEED.match(path)


def language_of(request: HttpRequest | None) -> str:
    """The language of the page asked for, from its path alone ("/ur/..." is Urdu), as LocaleMiddleware
    decides it: the rate limit and a dead database answer before that middleware has run."""
    if request is None:
        return translation.get_language() or settings.LANGUAGE_CODE
    return translation.get_language_from_path(request.path_info) or settings.LANGUAGE_CODE


def database_unavailable_response(request: HttpRequest | None = None) -> HttpResponse:
    """The 503 page, rendered without touching the database (no request context), in the language of
    `request`'s page when given."""
    with translation.override(language_of(request)):
        response = HttpResponse(render_to_string("503.html"), status=503)
    response["Retry-After"] = str(DATABASE_RETRY_AFTER)
    add_never_cache_headers(response)
    return response


class DatabaseUnavailableMiddleware:
    """A view that cannot reach the database answers 503 (no traceback), not 500."""

    def __init__(self, get_response: Callable):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if isinstance(exception, DATABASE_ERRORS):
            logging.getLogger("tracker.database").error("database unavailable path=%s: %s", request.path, exception)
            return database_unavailable_response(request)
        return None
