"""Background jobs on Django's Tasks API (the django-tasks backport of Django 6's django.tasks).

Every task of the project is declared with `job()` rather than `task()`: the same Task object (enqueue
it with `.enqueue(...)` or `enqueue(...)` below), plus two things django-tasks leaves to its users:

- **Retries with backoff.** A task that raises is enqueued again, ``TASK_RETRY_BACKOFF_SECONDS`` ×
  2^(attempt − 1) seconds later, until ``TASK_MAX_ATTEMPTS`` attempts have failed. Each failed attempt
  stays in the admin's task results (*Django Tasks DB → Task results*) with its traceback; the last
  one is the failure that stands. Tasks are written to be safe to run again (an import run twice
  creates nothing new; a digest sends only what is new since the last one).
- **Schedule bookkeeping.** A run started by the scheduler (jobs/schedule.py) carries
  ``scheduled_as=<name>``: its start, end, outcome and error are written on that ScheduledJob, which
  the admin lists (*Background jobs → Scheduled jobs*).

The database backend (django_tasks_db) keeps the queue in the shared database: any number of
`manage.py worker` processes, on any host, take tasks from it. The tests use the immediate backend:
`enqueue` runs the task at once, in the caller.
"""

from __future__ import annotations

import datetime
import functools
import logging
import traceback
from collections.abc import Callable

from django.conf import settings
from django.utils import timezone
from django_tasks import task

logger = logging.getLogger("jobs")


def enqueue(the_task, *args, delay: float = 0, **kwargs):
    """Enqueue `the_task`, to run `delay` seconds from now on a backend that can defer (the immediate
    backend of the tests runs it now, whatever the delay)."""
    if delay > 0 and the_task.get_backend().supports_defer:
        the_task = the_task.using(run_after=timezone.now() + datetime.timedelta(seconds=delay))
    return the_task.enqueue(*args, **kwargs)


def retry_delay(attempt: int) -> float:
    """Seconds before the attempt after `attempt` (1, 2, ...): doubled each time."""
    return settings.TASK_RETRY_BACKOFF_SECONDS * 2 ** (attempt - 1)


def job(func: Callable | None = None, /, **task_options):
    """`@job` or `@job(priority=..., queue_name=...)`: a django-tasks Task with retries and schedule
    bookkeeping (see the module docstring). The function must live at module level (the worker
    finds a task by its module path)."""

    def wrap(func: Callable):
        @functools.wraps(func)
        def run(*args, attempt: int = 1, scheduled_as: str | None = None, **kwargs):
            from .models import ScheduledJob

            ScheduledJob.record_start(scheduled_as, attempt=attempt)
            try:
                value = func(*args, **kwargs)
            except Exception as error:
                retry = attempt < settings.TASK_MAX_ATTEMPTS
                delay = retry_delay(attempt)
                logger.warning(
                    "task %s failed (attempt %d of %d)%s",
                    run.__qualname__,
                    attempt,
                    settings.TASK_MAX_ATTEMPTS,
                    f"; retried in {delay:.0f} s" if retry else "",
                )
                ScheduledJob.record_end(
                    scheduled_as, error="".join(traceback.format_exception_only(error)).strip(), retried=retry
                )
                if retry:
                    enqueue(the_task, *args, delay=delay, attempt=attempt + 1, scheduled_as=scheduled_as, **kwargs)
                raise
            ScheduledJob.record_end(scheduled_as)
            return value

        the_task = task(**task_options)(run)
        return the_task

    return wrap(func) if func is not None else wrap
