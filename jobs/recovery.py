"""A killed worker's task is run again.

django_tasks_db marks a task RUNNING when a worker claims it and never looks back: a worker killed
mid-task (OOM, `kill -9`, a power cut) would leave it RUNNING for ever. `manage.py worker` names
itself ``<host>:<pid>:<random>``; `requeue_orphans` (run when a worker starts and at each turn of the
scheduler) puts back in the queue every RUNNING task whose worker ran on this host and whose process
is gone, and, whatever the host, every task RUNNING for longer than ``TASK_STALE_SECONDS``. A task
claimed ``TASK_MAX_ATTEMPTS`` times without finishing is marked failed instead, so that a task
that kills its worker does not kill every worker in turn.

Tasks are written to be safe to run again (an import is all-or-nothing: the killed run's
transaction was rolled back).
"""

from __future__ import annotations

import datetime
import logging
import os
import socket

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.crypto import get_random_string
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

logger = logging.getLogger("jobs")


def host_name() -> str:
    return socket.gethostname()[:40]


def new_worker_id() -> str:
    """``host:pid:random``: who claimed a task, and whether that process still lives."""
    return f"{host_name()}:{os.getpid()}:{get_random_string(8)}"


def _process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # somebody else's process now holds the number
        return True
    return True


def _orphaned(worker_id: str, started_at: datetime.datetime | None, stale_before: datetime.datetime) -> bool:
    if started_at is None or started_at < stale_before:
        return True
    host, _, rest = worker_id.partition(":")
    pid = rest.partition(":")[0]
    return host == host_name() and pid.isdigit() and not _process_alive(int(pid))


def requeue_orphans() -> list[str]:
    """Put the tasks of dead workers back in the queue (or fail them after too many tries); their ids."""
    stale_before = timezone.now() - datetime.timedelta(seconds=settings.TASK_STALE_SECONDS)
    handled = []
    with transaction.atomic():
        for result in DBTaskResult.objects.running().select_for_update(skip_locked=True):
            worker = result.worker_ids[-1] if result.worker_ids else ""
            if not _orphaned(worker, result.started_at, stale_before):
                continue
            if len(result.worker_ids) >= settings.TASK_MAX_ATTEMPTS:
                result.set_failed(RuntimeError(f"its worker died {len(result.worker_ids)} times while running it"))
                logger.error("task %s failed: its worker died %d times", result.id, len(result.worker_ids))
            else:
                result.status, result.started_at = TaskResultStatus.READY, None
                result.save(update_fields=["status", "started_at"])
                logger.warning("task %s put back in the queue: its worker %s is gone", result.id, worker)
            handled.append(str(result.id))
    return handled
