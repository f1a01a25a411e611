"""`manage.py worker [--no-scheduler] [db_worker's options]`: run queued tasks, and the schedule.

django_tasks_db's `db_worker`, plus what this project adds (jobs/): the worker names itself
``host:pid:random`` and first puts back the tasks of dead workers of this host (jobs/recovery.py);
unless `--no-scheduler`, a thread queues the scheduled tasks when due (jobs/schedule.py) every
``TASK_SCHEDULER_INTERVAL`` seconds. Several workers may run, on one host or several: the queue and
the schedule live in the shared database. Stop it with SIGTERM or Ctrl+C: it finishes the task it
is running first (a second signal stops it at once; the task then runs again on the next worker).
"""

from __future__ import annotations

import os
import threading

from django.conf import settings
from django.utils.autoreload import DJANGO_AUTORELOAD_ENV
from django_tasks_db.management.commands.db_worker import Command as DBWorkerCommand

from jobs.recovery import new_worker_id, requeue_orphans
from jobs.schedule import run_scheduler


class Command(DBWorkerCommand):
    help = "Run queued background tasks (imports, digests, backups, statistics) and the task schedule."

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument(
            "--no-scheduler", action="store_true", help="Run tasks only; another worker queues the scheduled ones."
        )
        parser.set_defaults(worker_id=None, reload=False)

    def handle(self, *args, no_scheduler: bool = False, **options):
        if not options.get("worker_id"):
            options["worker_id"] = new_worker_id()
        # With --reload the parent process only watches the files: the child does the work.
        working = not options.get("reload") or os.environ.get(DJANGO_AUTORELOAD_ENV) == "true"
        if working:
            requeue_orphans()
            if not no_scheduler:
                stop = threading.Event()
                threading.Thread(
                    target=run_scheduler,
                    args=(stop, settings.TASK_SCHEDULER_INTERVAL),
                    name="scheduler",
                    daemon=True,
                ).start()
        return super().handle(*args, **options)
