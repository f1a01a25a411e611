"""A whole-page cache for anonymous readers of the public pages, retired by every data change.

Public pages are the same for every anonymous reader, and the statistics pages read every row,
so under load the server answers them from Django's cache (``settings.PAGE_CACHE_SECONDS``;
0 turns the cache off). What is cached, and for whom, is deliberately narrow:

- only GET requests that carry no cookie and no Authorization header: a signed-in user (even
  a monitor with a session), a reader with a flash message or a CSRF cookie always gets a page
  rendered for them, and never a cached one;
- only 200 answers that are not streamed (CSV exports stream), set no cookie, asked for no CSRF
  token or CSP nonce, and are not ``no-store``/``private`` (staff pages are, see
  StaffSecurityMiddleware), on paths outside ``settings.PAGE_CACHE_EXCLUDED_PREFIXES``.

Every key holds the current ``DataVersion`` token and today's date (the statistics count days
to today). Saving or deleting any record of the incidents and cases apps, or changing one of
their many-to-many links, sets a new token when the transaction commits (signals below);
commands that write in bulk (imports, ``generate_synthetic``, seeds, holidays, restore) call
``data_changed()`` themselves. ``PAGE_CACHE_SECONDS`` bounds how long a page outlives a change
made behind the application's back (e.g. SQL typed into psql). Each request costs one query for
the token. The pages live in Django's "pages" cache (files under ``settings.PAGE_CACHE_DIR``,
shared by every server process on the host); the token lives in the database, so every process
and host retires its pages together. A database that holds no token (flushed) disables the cache.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Callable

from django.apps import apps
from django.conf import settings
from django.core.cache import caches
from django.db import connection, transaction
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from core.clock import today

from .middleware import DATABASE_ERRORS
from .models import DataVersion

# Records of these apps are what the public pages show.
PUBLIC_DATA_APPS = frozenset({"incidents", "cases"})


def current_token() -> str:
    """The current data version token (one query); "" before any change was recorded."""
    return DataVersion.objects.filter(pk=1).values_list("token", flat=True).first() or ""


def _token_or_none() -> str | None:
    """The token; None when the database does not answer (the view then answers the 503 page) or
    holds none (a flushed database): then nothing is cached or served from the cache."""
    try:
        return current_token() or None
    except DATABASE_ERRORS:
        return None


def _set_new_token() -> None:
    values = {"token": uuid.uuid4().hex, "changed_at": timezone.now()}
    if not DataVersion.objects.filter(pk=1).update(**values):
        DataVersion.objects.update_or_create(pk=1, defaults=values)


def data_changed() -> None:
    """Retire every cached page once the current transaction commits (at once outside one).

    Called many times in one transaction (an import saving thousands of rows), it sets one token.
    """
    # Django drops the callbacks of a rolled-back transaction (or savepoint) from this list, so
    # "already registered" is always read from it, never remembered elsewhere.
    if not any(isinstance(entry[1], _NewToken) and not entry[1].done for entry in connection.run_on_commit):
        transaction.on_commit(_NewToken())  # runs at once outside a transaction


class _NewToken:
    """The on-commit callback; `done` once it ran (a test may run callbacks without a commit)."""

    done = False

    def __call__(self) -> None:
        self.done = True
        _set_new_token()


def _on_change(sender, **kwargs) -> None:
    data_changed()


def _on_m2m_change(sender, action: str, **kwargs) -> None:
    if action in ("post_add", "post_remove", "post_clear"):
        data_changed()


def connect_signals() -> None:
    """Called once from TrackerConfig.ready(): one receiver per model of the public apps (not a
    global one, which would take the fast path away from every bulk delete of other tables)."""
    for label in PUBLIC_DATA_APPS:
        for model in apps.get_app_config(label).get_models(include_auto_created=True):
            post_save.connect(_on_change, sender=model, dispatch_uid=f"pagecache_save_{model._meta.label}")
            post_delete.connect(_on_change, sender=model, dispatch_uid=f"pagecache_delete_{model._meta.label}")
            # For a many-to-many link the sender is its through model, which lives in the same app.
            m2m_changed.connect(_on_m2m_change, sender=model, dispatch_uid=f"pagecache_m2m_{model._meta.label}")


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


def cache_key(request: HttpRequest, token: str) -> str:
    # The whole URL (scheme and host too: feeds and the API write absolute links), and Accept (the API negotiates).
    parts = [token, today().isoformat(), request.build_absolute_uri(), request.META.get("HTTP_ACCEPT", "")]
    return "page:" + hashlib.sha256("\n".join(parts).encode()).hexdigest()


class PublicPageCacheMiddleware:
    """Answer anonymous GETs of public pages from the cache; store what may be stored."""

    def __init__(self, get_response: Callable):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        seconds = settings.PAGE_CACHE_SECONDS
        if not seconds or not cacheable_request(request):
            return self.get_response(request)
        token = _token_or_none()
        if token is None:
            return self.get_response(request)
        key = cache_key(request, token)
        response = caches["pages"].get(key)
        if response is not None:
            response["X-Page-Cache"] = "hit"
            return response
        response = self.get_response(request)
        if cacheable_response(request, response):
            caches["pages"].set(key, response, seconds)
            response["X-Page-Cache"] = "miss"
        return response
