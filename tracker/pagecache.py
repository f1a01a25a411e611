"""A whole-page cache for anonymous readers of the public pages, retired by every data change.

Public pages are the same for every anonymous reader, and the statistics pages read every row,
so under load the server answers them from the shared cache (tracker/cache.py; kept
``settings.PAGE_CACHE_SECONDS`` at most, 0 turns it off). What is cached, and for whom, is
deliberately narrow:

- only GET requests that carry no cookie and no Authorization header: a signed-in user (even
  a monitor with a session), a reader with a flash message or a CSRF cookie always gets a page
  rendered for them, and never a cached one;
- only 200 answers that are not streamed (CSV exports stream), set no cookie, asked for no CSRF
  token or CSP nonce, and are not ``no-store``/``private`` (staff pages are, see
  StaffSecurityMiddleware; so are statistics shown while newer ones are computed), on paths
  outside ``settings.PAGE_CACHE_EXCLUDED_PREFIXES`` and the staff prefixes.

**Early, and cheap on a hit.** The middleware sits right after the security headers and the rate
limit and before sessions, CSRF, authentication and the second factor (settings.MIDDLEWARE): a
request without a cookie has no session and no user to find, so none of that work is done for a
page that is already rendered. A hit is one round trip to the shared cache and no database query
when the data version is trusted there (Redis: ``current_version_with`` fetches the version and the
page together); with the database as the shared cache, the version and the page are one query each.

**Stored.** A page is kept as plain data, never as a pickled response object: the data version it
was rendered under, when it was rendered, its bytes and its headers. The key holds the whole URL,
Accept and today's date (the statistics count days to today), not the version: a newer version
replaces the entry in place instead of leaving the old one behind until it expires, and an entry
of another version is a miss.

**Conditional requests and shared caches.** Every stored page carries an ``ETag`` made from the data
version and the day alone (the same for every URL: any committed change retires them all), a
``Last-Modified`` (when it was rendered), ``Vary: Cookie`` and, unless the view chose its own,
``Cache-Control: public, no-cache``: a reverse proxy, a CDN or the browser may keep the page but
must ask again each time; the asking costs a lookup here and answers ``304 Not Modified`` while
the data version is the same. ``Last-Modified`` has HTTP's one-second resolution: a client that
sends only ``If-Modified-Since`` may keep a page for the rest of the second in which it was
rendered; ``If-None-Match``, which browsers and proxies send, takes precedence and is exact.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.utils.cache import get_conditional_response, patch_vary_headers
from django.utils.http import http_date

from core.clock import today

from .dataversion import current_version, current_version_with, data_changed
from .paths import site_path

__all__ = ["PublicPageCacheMiddleware", "current_version", "data_changed"]

# Proxies and browsers may store a public page but must ask again before each use (see above).
CACHE_CONTROL = "public, no-cache"

Entry = tuple[str, float, bytes, list[tuple[str, str]]]


def excluded_prefixes() -> tuple[str, ...]:
    """Paths never cached: the configured ones, and every staff prefix whatever the configuration
    (the lookup runs before the staff checks)."""
    return (
        *settings.PAGE_CACHE_EXCLUDED_PREFIXES,
        *settings.NO_STORE_PATH_PREFIXES,
        *settings.LOGIN_REQUIRED_PATH_PREFIXES,
    )


def cacheable_request(request: HttpRequest) -> bool:
    return (
        request.method == "GET"
        and not request.COOKIES
        and "HTTP_AUTHORIZATION" not in request.META
        and not site_path(request.path_info).startswith(excluded_prefixes())
    )


def cacheable_response(request: HttpRequest, response: HttpResponse) -> bool:
    cache_control = response.get("Cache-Control", "")
    return (
        response.status_code == 200
        and not response.streaming
        and not response.cookies
        and not request.META.get("CSRF_COOKIE_NEEDS_UPDATE")
        and getattr(request, "_csp_nonce", None) is None
        and "no-store" not in cache_control
        and "private" not in cache_control
    )


def cache_key(request: HttpRequest) -> str:
    # The whole URL (scheme and host too: feeds and the API write absolute links), and Accept (the API negotiates).
    parts = [today().isoformat(), request.build_absolute_uri(), request.META.get("HTTP_ACCEPT", "")]
    return "page:" + hashlib.sha256("\n".join(parts).encode()).hexdigest()


def etag(version: str) -> str:
    """The validator of every page under `version` today: the same for every URL, new with every change."""
    return '"' + hashlib.sha256(f"{version}:{today().isoformat()}".encode()).hexdigest()[:32] + '"'


def stored(version: str, rendered_at: float, response: HttpResponse) -> Entry:
    """What the cache keeps of a response: its version, when it was rendered, its body and headers (plain data)."""
    return version, rendered_at, response.content, list(response.items())


def restored(entry: Entry) -> HttpResponse:
    """The response again from what `stored` kept."""
    _, _, content, headers = entry
    response = HttpResponse(content)
    for name, value in headers:
        response[name] = value
    return response


def validated(response: HttpResponse, version: str, rendered_at: float) -> HttpResponse:
    """Give a cacheable page its validators and the headers that let shared caches keep it."""
    response["ETag"] = etag(version)
    response["Last-Modified"] = http_date(rendered_at)
    if "Cache-Control" not in response:
        response["Cache-Control"] = CACHE_CONTROL
    patch_vary_headers(response, ("Cookie",))  # a reader with a cookie may be signed in
    return response


class PublicPageCacheMiddleware:
    """Answer anonymous GETs of public pages from the cache; store what may be stored."""

    def __init__(self, get_response: Callable):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        seconds = settings.PAGE_CACHE_SECONDS
        if not seconds or not cacheable_request(request):
            return self.get_response(request)
        key = cache_key(request)
        version, entry = current_version_with(key)  # the version before the view reads the data
        if version is None:
            return self.get_response(request)
        if entry is not None and entry[0] == version:
            return conditional_response(request, restored(entry), entry[1], "hit")
        response = self.get_response(request)
        if cacheable_response(request, response):
            rendered_at = time.time()
            cache.set(key, stored(version, rendered_at, validated(response, version, rendered_at)), seconds)
            return conditional_response(request, response, rendered_at, "miss")
        return response


def conditional_response(request: HttpRequest, response: HttpResponse, rendered_at: float, state: str) -> HttpResponse:
    """The page, or 304 Not Modified when the reader's copy (If-None-Match, else If-Modified-Since) is
    this page; ``X-Page-Cache`` says whether it came from the cache (never stored with it)."""
    response = get_conditional_response(
        request, etag=response["ETag"], last_modified=int(rendered_at), response=response
    )
    response["X-Page-Cache"] = state
    return response
