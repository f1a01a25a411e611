"""Scheduled work: ``settings.TASK_SCHEDULE`` → the tasks queued when they are due.

django-tasks runs tasks but has no scheduler; this is the small one the worker runs
(`manage.py worker` starts `run_scheduler` in a thread beside the task loop; `--no-scheduler` leaves it
out). Each entry names a task and when it runs, in the site's time zone (``TIME_ZONE``)::

    "backup": {"task": "tracker.tasks.backup_database", "every": "day", "at": "02:00"}
    "staff-digest": {..., "every": "week", "weekday": 0, "at": "07:00"}     # 0 = Monday
    "holidays": {..., "every": "year", "date": "12-01", "at": "03:00"}       # month-day

Several workers (on several hosts) may run a scheduler: queuing a due entry moves its `next_run_at`
with a compare-and-set update, so exactly one of them queues it. A worker that was down for days
queues a missed entry once when it comes back, then keeps to the schedule.
"""

from __future__ import annotations

import datetime
import logging
import threading
import zoneinfo

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import DatabaseError, close_old_connections, connections
from django.utils import timezone
from django.utils.module_loading import import_string

from .models import ScheduledJob
from .queue import enqueue

logger = logging.getLogger("jobs")

WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def _at(spec: dict) -> datetime.time:
    try:
        hour, minute = (int(part) for part in str(spec["at"]).split(":"))
        return datetime.time(hour, minute)
    except (KeyError, ValueError) as error:
        raise ImproperlyConfigured(f'TASK_SCHEDULE: {spec!r} needs "at": "HH:MM" ({error})') from None


def _matches(spec: dict, day: datetime.date) -> bool:
    every = spec.get("every")
    if every == "day":
        return True
    if every == "week":
        return day.weekday() == spec.get("weekday", 0)
    if every == "year":
        return day.strftime("%m-%d") == spec.get("date")
    raise ImproperlyConfigured(f'TASK_SCHEDULE: "every" is "day", "week" or "year", not {every!r}')


def describe(spec: dict) -> str:
    """The schedule in words, as the admin shows it: "daily at 06:00", "Mondays at 07:00", ..."""
    at = _at(spec).strftime("%H:%M")
    every = spec.get("every")
    if every == "week":
        return f"{WEEKDAYS[spec.get('weekday', 0)]}s at {at}"
    if every == "year":
        return f"yearly on {spec.get('date')} (month-day) at {at}"
    _matches(spec, datetime.date(2000, 1, 1))  # refuses an unknown "every"
    return f"daily at {at}"


def next_run(spec: dict, after: datetime.datetime) -> datetime.datetime:
    """The first time strictly after `after` that `spec` names, in settings.TIME_ZONE (aware)."""
    zone = zoneinfo.ZoneInfo(settings.TIME_ZONE)
    at = _at(spec)
    if spec.get("every") == "year":
        try:
            datetime.datetime.strptime(f"2001-{spec.get('date')}", "%Y-%m-%d")  # not 02-29: every year has it
        except ValueError:
            raise ImproperlyConfigured(f'TASK_SCHEDULE: {spec!r} needs "date": "MM-DD" (not 02-29)') from None
    day = after.astimezone(zone).date()
    for _ in range(367):
        if _matches(spec, day):
            moment = datetime.datetime.combine(day, at, tzinfo=zone)
            if moment > after:
                return moment
        day += datetime.timedelta(days=1)
    raise ImproperlyConfigured(f"TASK_SCHEDULE: {spec!r} never runs")  # pragma: no cover


def tick(now: datetime.datetime | None = None) -> list[str]:
    """Queue every entry of the schedule that is due at `now`; return their names."""
    now = now or timezone.now()
    queued = []
    for name, spec in settings.TASK_SCHEDULE.items():
        schedule = describe(spec)
        entry, created = ScheduledJob.objects.get_or_create(
            name=name, defaults={"task_path": spec["task"], "schedule": schedule, "next_run_at": next_run(spec, now)}
        )
        if not created and (entry.task_path, entry.schedule) != (spec["task"], schedule):
            entry.task_path, entry.schedule, entry.next_run_at = spec["task"], schedule, next_run(spec, now)
            entry.save(update_fields=["task_path", "schedule", "next_run_at"])
        if entry.next_run_at > now:
            continue
        claimed = ScheduledJob.objects.filter(pk=entry.pk, next_run_at=entry.next_run_at).update(
            next_run_at=next_run(spec, now),
            last_queued_at=now,
            last_outcome=ScheduledJob.Outcome.QUEUED,
            last_error="",
        )
        if claimed:  # another scheduler did not get there first
            logger.info("scheduled job %s queued", name)
            queued.append(name)
            enqueue(import_string(spec["task"]), scheduled_as=name)
    return queued


def run_scheduler(stop: threading.Event, interval: float) -> None:
    """The scheduler's loop (a thread of `manage.py worker`): every `interval` seconds, put back the
    tasks of dead workers (jobs/recovery.py) and queue what is due, until `stop` is set. A database
    that is busy or away (SQLite locked by a long import) is tried again at the next turn."""
    from .recovery import requeue_orphans

    try:
        while True:
            close_old_connections()
            try:
                requeue_orphans()
                tick()
            except DatabaseError as error:
                logger.warning("scheduler: the database did not answer (%s); trying again", error)
            except Exception:
                logger.exception("scheduler: unexpected error; trying again")
            if stop.wait(interval):
                return
    finally:
        connections.close_all()
