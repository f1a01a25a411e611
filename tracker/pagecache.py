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
  outside ``settings.PAGE_CACHE_EXCLUDED_PREFIXES``.

Every key holds the data version (tracker/dataversion.py: the database counts every committed
change to the public tables, whoever made it) and today's date (the statistics count days to
today), so every process and host retires its pages together. A page is stored as its bytes and
headers, never as a pickled response object.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse

from core.clock import today

from .dataversion import current_version, data_changed

__all__ = ["PublicPageCacheMiddleware", "current_version", "data_changed"]


def cacheable_request(request: HttpRequest) -> bool:
    return (
        request.method == "GET"
        and not request.COOKIES
        and "HTTP_AUTHORIZATION" not in request.META
        and not any(request.path_info.startswith(p) for p in settings.PAGE_CACHE_EXCLUDED_PREFIXES)
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


def cache_key(request: HttpRequest, version: str) -> str:
    # The whole URL (scheme and host too: feeds and the API write absolute links), and Accept (the API negotiates).
    parts = [version, today().isoformat(), request.build_absolute_uri(), request.META.get("HTTP_ACCEPT", "")]
    return "page:" + hashlib.sha256("\n".join(parts).encode()).hexdigest()


def stored(response: HttpResponse) -> tuple[bytes, list[tuple[str, str]]]:
    """What the cache keeps of a response: its body and headers (plain data, no response object)."""
    return response.content, list(response.items())


def restored(entry: tuple[bytes, list[tuple[str, str]]]) -> HttpResponse:
    """The response again from what `stored` kept."""
    content, headers = entry
    response = HttpResponse(content)
    for name, value in headers:
        response[name] = value
    return response


class PublicPageCacheMiddleware:
    """Answer anonymous GETs of public pages from the cache; store what may be stored."""

    def __init__(self, get_response: Callable):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        seconds = settings.PAGE_CACHE_SECONDS
        if not seconds or not cacheable_request(request):
            return self.get_response(request)
        version = current_version()  # before the view reads the data
        if version is None:
            return self.get_response(request)
        key = cache_key(request, version)
        entry = cache.get(key)
        if entry is not None:
            response = restored(entry)
            response["X-Page-Cache"] = "hit"
            return response
        response = self.get_response(request)
        if cacheable_response(request, response):
            cache.set(key, stored(response), seconds)
            response["X-Page-Cache"] = "miss"
        return response
