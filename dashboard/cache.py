"""Computed statistics, cached under the data version: never stale, computed once per change.

``statistics_for(filters)`` is what the statistics page, its CSV tables, the period report and
``/api/statistics/`` call instead of ``statistics_payload`` directly. The figures for one filter
set are kept in the shared cache (tracker/cache.py) under a key made of the normalised filter
parameters, today's date (figures count days to today) and the data version
(tracker/dataversion.py), read before the data: a committed change anywhere moves the version,
so cached figures are never older than their key says.

- **One computation per filter set at a time.** The reader who finds no figures takes a lock in
  the shared cache (``cache.add``, expiring after ``STATISTICS_LOCK_SECONDS`` should its process
  die) and computes; the readers who arrive meanwhile, in any process or host, get the previous
  figures marked with the time they were computed ("as of 14:05, being updated"), or wait for the
  new ones when there are none yet. Eight readers arriving together compute once, not eight times.
- **The unfiltered figures are computed again in the background** after each committed change
  (``schedule_refresh``, connected to ``tracker.dataversion.version_changed``), so readers of the
  plain statistics page and API meet the previous figures, marked, rather than the cold path. The
  job queue runs it (``dashboard.tasks.refresh_statistics``, issue 19): queued
  ``STATISTICS_REFRESH_DELAY`` seconds after the change and at most once per
  ``STATISTICS_REFRESH_INTERVAL`` across every process and host (``QueuedRefresh``): a burst of
  changes causes one computation.
- **A nightly check** (``check_cached``, the scheduled task ``dashboard.tasks.check_cached_statistics``)
  compares the cached figures of the current data with a fresh computation.

``STATISTICS_CACHE_SECONDS = 0`` turns all of it off (the tests' default, so query counts are the
views' own): every reader then computes.
"""

from __future__ import annotations

import datetime
import hashlib
import logging
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.cache import cache
from django.db.models import Model
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import render
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.utils.http import urlencode
from django.utils.safestring import SafeString, mark_safe

from core.clock import today as clock_today
from tracker.dataversion import current_version

if TYPE_CHECKING:
    from .api import StatisticsFilters

logger = logging.getLogger("dashboard.cache")

# How often a waiting reader looks for the figures another process is computing.
POLL_SECONDS = 0.05
# When a reader told the figures are being computed should ask again (the page reloads itself then).
RETRY_AFTER_SECONDS = 2


class FiguresPending(Exception):
    """Another reader is computing these figures and there are no earlier ones to show yet."""

    def __init__(self, retry_after: int):
        super().__init__(f"the figures are being computed; ask again in {retry_after} s")
        self.retry_after = retry_after


@dataclass(frozen=True)
class Figures:
    """The statistics payload, when it was computed, the cache key it was read under (empty when not
    cached; ``rendered_from`` keys HTML by it), and whether newer figures are being computed."""

    payload: dict[str, Any]
    computed_at: datetime.datetime
    key: str = ""
    stale: bool = False


def _plain(value: Any) -> str:
    """A cleaned filter value as text: model instances by primary key, several values sorted."""
    if isinstance(value, Model):
        return str(value.pk)
    if isinstance(value, list | tuple | set) or hasattr(value, "model"):  # lists and querysets
        return ",".join(sorted(_plain(v) for v in value))
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value)


def filter_parameters(filters: StatisticsFilters) -> list[tuple[str, str]]:
    """The filter set, normalised: the cleaned value of every filter that is set, sorted by name.

    ``?province=sindh&page=2`` and ``?page=3&province=sindh`` name the same figures; so do two
    spellings of one date.
    """
    if not filters.is_valid():
        raise ValueError(f"invalid filters: {filters.errors}")
    return cleaned_parameters(filters.incident_filter, filters.case_filter)


def cleaned_parameters(*filtersets) -> list[tuple[str, str]]:
    """The cleaned value of every filter set in valid ``filtersets``, as text, sorted by name."""
    params: dict[str, str] = {}
    for filterset in filtersets:
        for name, value in filterset.form.cleaned_data.items():
            text = "" if value is None else _plain(value)
            if text:
                params[name] = text
    return sorted(params.items())


def _base_key(params: list[tuple[str, str]], kind: str = "stats") -> str:
    text = "&".join(f"{name}={value}" for name, value in params)
    return f"{kind}:" + hashlib.sha256(text.encode()).hexdigest()


def _compute(filters: StatisticsFilters, today: datetime.date) -> dict[str, Any]:
    """The figures for valid `filters`, computed now (no cache)."""
    from .api import statistics_payload  # dashboard.api imports this module

    return statistics_payload(
        incidents=filters.incidents,
        cases=filters.cases,
        today=today,
        date_from=filters.date_from,
        date_to=filters.date_to,
        clearance_cases=filters.undated_case_filter.qs,
    )


def statistics_for(filters: StatisticsFilters, *, today: datetime.date, refresh: bool = False) -> Figures | None:
    """The statistics for valid `filters` on `today`: from the cache, or computed once for everyone.

    ``refresh=True`` is the background job's call: it computes if nobody is computing and returns
    None when somebody is (their figures will do).
    """

    def compute() -> dict[str, Any]:
        return _compute(filters, today)

    seconds = settings.STATISTICS_CACHE_SECONDS
    version = current_version() if seconds else None  # read before the data
    if version is None:
        return Figures(compute(), timezone.now())
    params = filter_parameters(filters)

    def compute_and_remember() -> dict[str, Any]:
        payload = compute()
        data = filters.incident_filter.data
        _remember(params, data.urlencode() if hasattr(data, "urlencode") else urlencode(data, doseq=True))
        return payload

    return _single_flight(
        _base_key(params),
        f"{today.isoformat()}:{version}",
        compute_and_remember,
        seconds=seconds,
        refreshed_in_background=not params,
        refresh=refresh,
    )


def figures_for(kind: str, filterset, compute: Callable[[], dict[str, Any]], *, today: datetime.date) -> Figures:
    """Other figures computed from one valid FilterSet (``kind`` names them, e.g. "districts"), cached
    and computed once per filter set, day and data version like the statistics (see the module);
    not refreshed in the background. May raise ``FiguresPending``."""
    seconds = settings.STATISTICS_CACHE_SECONDS
    version = current_version() if seconds else None  # read before the data
    if version is None:
        return Figures(compute(), timezone.now())
    return _single_flight(
        _base_key(cleaned_parameters(filterset), kind),
        f"{today.isoformat()}:{version}",
        compute,
        seconds=seconds,
        refreshed_in_background=False,
        refresh=False,
    )


def _single_flight(
    base: str,
    name: str,
    compute: Callable[[], dict[str, Any]],
    *,
    seconds: int,
    refreshed_in_background: bool,
    refresh: bool,
) -> Figures | None:
    """The figures under ``base:name``: cached, computed by us under the lock, or another's (see module)."""
    key, latest_key, lock_key = f"{base}:{name}", f"{base}:latest", f"{base}:lock"
    entry = cache.get(key)
    if entry is not None:
        return Figures(*entry, key=key)
    if refreshed_in_background and not refresh:
        previous = cache.get(latest_key)
        if previous is not None:  # the background job computes the new figures; show these meanwhile
            schedule_refresh()
            return Figures(*previous, key=latest_key, stale=True)
    lock_seconds = settings.STATISTICS_LOCK_SECONDS
    wait = settings.STATISTICS_WAIT_SECONDS
    deadline = time.monotonic() + wait
    while True:
        owner = uuid.uuid4().hex
        if cache.add(lock_key, owner, lock_seconds):
            try:
                entry = cache.get(key)  # finished by another between our look and our lock
                if entry is None:
                    started = time.monotonic()
                    entry = (compute(), timezone.now())
                    cache.set_many({key: entry, latest_key: entry}, seconds)
                    logger.info("statistics computed key=%s in %.0f ms", key, (time.monotonic() - started) * 1000)
            finally:
                if cache.get(lock_key) == owner:
                    cache.delete(lock_key)
            return Figures(*entry, key=key)
        if refresh:
            return None
        previous = cache.get(latest_key)
        if previous is not None:
            return Figures(*previous, key=latest_key, stale=True)
        if time.monotonic() >= deadline:  # free this process for other pages
            raise FiguresPending(retry_after=RETRY_AFTER_SECONDS)
        time.sleep(POLL_SECONDS)
        entry = cache.get(key)
        if entry is not None:
            return Figures(*entry, key=key)


def pending_response(request: HttpRequest, pending: FiguresPending) -> HttpResponse:
    """503 "being computed" for a statistics page: it reloads itself (no JavaScript) after
    ``Retry-After`` seconds, and no cache keeps it."""
    response = render(request, "statistics/computing.html", {"retry_after": pending.retry_after}, status=503)
    return pending_headers(response, pending)


def pending_headers(response: HttpResponse, pending: FiguresPending) -> HttpResponse:
    response["Retry-After"] = str(pending.retry_after)
    patch_cache_control(response, no_store=True)
    return response


def mark_stale(response: HttpResponse, figures: Figures) -> HttpResponse:
    """Previous figures shown while new ones are computed are never stored by a cache (the page cache,
    a proxy, the browser): the next reader gets the new ones."""
    if figures.stale:
        patch_cache_control(response, no_store=True)
        response["X-Figures-As-Of"] = figures.computed_at.isoformat(timespec="seconds")
    return response


def rendered_from(figures: Figures, variant: list[str], render: Callable[[], str]) -> SafeString:
    """HTML that ``render`` makes from ``figures`` alone, kept beside them: rendered once per
    computation of the figures and ``variant`` (what else the HTML shows: the language, the links'
    query), then read from the shared cache by every reader.

    The key is the one the figures were read under (current figures: their filter set, day and data
    version; previous figures shown while new ones are computed: their filter set's latest, so they
    are rendered once more) and the moment they were computed: the HTML is retired with the figures
    by any change to the data, and shows no other figures than those. It holds public figures only,
    the same for every reader, whoever is logged in. Rendered each time when the figures are not cached.
    """
    seconds = settings.STATISTICS_CACHE_SECONDS
    if not seconds or not figures.key:
        return mark_safe(render())  # noqa: S308  (a template's output)
    text = "\n".join([figures.key, figures.computed_at.isoformat(), *variant])
    key = "stats-html:" + hashlib.sha256(text.encode()).hexdigest()
    html = cache.get(key)
    if html is None:
        html = str(render())
        cache.set(key, html, seconds)
    return mark_safe(html)  # noqa: S308  (a template's output, stored by this function)


# --- The background refresh of the unfiltered figures ---------------------------------------------


def refresh_unfiltered() -> None:
    """Compute the unfiltered statistics (the plain page and API) for the current data, if nobody is."""
    from .api import statistics_filters

    filters = statistics_filters(QueryDict())
    if filters.is_valid():
        statistics_for(filters, today=clock_today(), refresh=True)


class QueuedRefresh:
    """Asks the job queue (jobs/queue.py) for one computation of the unfiltered figures: the task
    ``dashboard.tasks.refresh_statistics``, ``STATISTICS_REFRESH_DELAY`` seconds from now and at most
    one per ``STATISTICS_REFRESH_INTERVAL``. Two keys of the shared cache make it one for every process
    and host: "queued" (set by the first ask, taken down when the task starts: asks meanwhile add
    nothing) and "started" (when the last run began: the next one waits for the interval's end)."""

    queued_key = "stats:refresh:queued"
    started_key = "stats:refresh:started"

    def ask(self) -> bool:
        """Queue a refresh unless one is queued already; True when this ask queued it."""
        interval = settings.STATISTICS_REFRESH_INTERVAL
        # Should the task be lost (a queue emptied by hand), a later ask queues another after this.
        if not cache.add(self.queued_key, True, max(600, int(10 * interval))):
            return False
        delay = settings.STATISTICS_REFRESH_DELAY
        last_start = cache.get(self.started_key)
        if last_start is not None:
            delay = max(delay, last_start + interval - time.time())
        from jobs.queue import enqueue

        from .tasks import refresh_statistics

        try:
            enqueue(refresh_statistics, delay=delay)
        except Exception:
            cache.delete(self.queued_key)
            raise
        return True

    def starting(self) -> None:
        """The task's first step: later changes queue the next run, after the interval."""
        cache.set(self.started_key, time.time(), int(settings.STATISTICS_REFRESH_INTERVAL) + 60)
        cache.delete(self.queued_key)


refresher = QueuedRefresh()


def schedule_refresh(**kwargs) -> None:
    """Have the unfiltered statistics computed again soon (receiver of ``version_changed``)."""
    if settings.STATISTICS_CACHE_SECONDS:
        try:
            refresher.ask()
        except Exception:  # the change is committed; a reader must not get an error for the refresh
            logger.exception("could not queue the statistics refresh")


# --- The nightly check: cached figures equal a fresh computation --------------------------------------

INDEX_KEY = "stats:index"
INDEX_SIZE = 200


def _remember(params: list[tuple[str, str]], query: str) -> None:
    """Note the filter set whose figures were just computed (the check goes over the last INDEX_SIZE)."""
    index = cache.get(INDEX_KEY) or {}
    index.pop(_base_key(params), None)
    index[_base_key(params)] = query
    while len(index) > INDEX_SIZE:
        index.pop(next(iter(index)))
    cache.set(INDEX_KEY, index, None)


def check_cached(*, today: datetime.date) -> tuple[int, list[str]]:
    """Compare every remembered, cached set of figures of the current data with a fresh computation.

    Returns (how many were compared, the query strings whose cached figures differ); a differing
    entry is deleted, so readers get fresh figures. Entries of an older data version or day are
    not compared (no reader gets them), nor any whose data changed during the comparison.
    """
    from .api import statistics_filters

    index = dict(cache.get(INDEX_KEY) or {})
    index.setdefault(_base_key([]), "")
    compared, differing = 0, []
    for base, query in index.items():
        version = current_version()
        key = f"{base}:{today.isoformat()}:{version}"
        entry = cache.get(key)
        if entry is None:
            continue
        filters = statistics_filters(QueryDict(query))
        if not filters.is_valid():
            continue
        fresh = _compute(filters, today)
        if current_version() != version:
            continue
        compared += 1
        if fresh != entry[0]:
            differing.append(query or "(no filter)")
            cache.delete_many([key, f"{base}:latest"])
    return compared, differing
