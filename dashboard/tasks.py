"""Statistics work for the job queue (jobs/queue.py): the refresh after a change, the nightly check."""

from __future__ import annotations

from core.clock import today
from jobs.queue import job

from . import cache as statistics_cache


class CachedFiguresDiffer(Exception):
    """Cached statistics differ from a fresh computation: a bug somewhere keeps stale figures."""


@job
def refresh_statistics() -> None:
    """Compute the unfiltered statistics page and API figures for the current data (queued after a
    committed change by ``dashboard.cache.schedule_refresh``, debounced)."""
    statistics_cache.refresher.starting()
    statistics_cache.refresh_unfiltered()


@job
def check_cached_statistics() -> dict:
    """The nightly check: every cached set of figures of the current data equals a fresh computation.
    Fails (shown in the admin, with the filter sets) when one does not; those entries are dropped."""
    compared, differing = statistics_cache.check_cached(today=today())
    if differing:
        raise CachedFiguresDiffer(
            f"{len(differing)} of {compared} cached figure set(s) differ from a fresh computation: "
            + "; ".join(differing)
        )
    return {"compared": compared}
