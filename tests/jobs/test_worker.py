"""A real `manage.py worker` process on the database queue: killed mid-task and started again, retries
with backoff, the last failure kept with its error, and the scheduler queuing a due task.

The worker gets a database of its own, migrated for this module: an SQLite file, or, when the suite
runs on PostgreSQL, a PostgreSQL database beside the test database (dropped at the end). The test
talks to it through `manage.py shell` (each call a process, as a web server would be).
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

ROOT = Path(settings.BASE_DIR)


def _postgres_url(name: str) -> str:
    db = connection.settings_dict
    auth = db["USER"] + (f":{db['PASSWORD']}" if db.get("PASSWORD") else "")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{name}"


def _admin_sql(statement: str) -> None:
    import psycopg

    with psycopg.connect(_postgres_url("postgres"), autocommit=True) as admin:
        admin.execute(statement)


@pytest.fixture(scope="module")
def site(tmp_path_factory, django_db_blocker) -> dict[str, str]:
    """The environment of the worker and shell processes: the module's database, short delays."""
    folder = tmp_path_factory.mktemp("worker")
    postgres = connection.vendor == "postgresql"
    if postgres:
        name = f"{connection.settings_dict['NAME']}_worker"[:63]
        _admin_sql(f'DROP DATABASE IF EXISTS "{name}"')
        _admin_sql(f'CREATE DATABASE "{name}"')
        url = _postgres_url(name)
    else:
        url = f"sqlite:///{folder / 'worker.sqlite3'}"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "PYTEST", "TASK"))}
    env.pop("ALLOWED_HOSTS", None)
    env.update(
        DATABASE_URL=url,
        DEBUG="0",
        PYTHONUNBUFFERED="1",
        TASKS_BACKEND="django_tasks_db.DatabaseBackend",
        TASK_RETRY_BACKOFF_SECONDS="0.2",
        TASK_SCHEDULER_INTERVAL="0.2",
        TASK_MAX_ATTEMPTS="3",
        TASK_SCHEDULE=json.dumps({"holidays": {"task": "cases.tasks.extend_holidays", "every": "day", "at": "03:00"}}),
    )
    subprocess.run([sys.executable, "manage.py", "migrate", "--noinput", "-v0"], cwd=ROOT, env=env, check=True)  # noqa: S603
    yield env
    if postgres:
        _admin_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def shell(env: dict[str, str], code: str):
    """Run `code` in `manage.py shell` against the worker's database; what it prints last, as JSON."""
    done = subprocess.run(  # noqa: S603
        [sys.executable, "manage.py", "shell", "-c", code], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def enqueue(env, call: str) -> str:
    return shell(env, f"import json; from tests.jobs import tasks; print(json.dumps(str(tasks.{call}.id)))")


def results(env) -> list[dict]:
    """Every task result in the queue, oldest first."""
    return shell(
        env,
        "import json; from django_tasks_db.models import DBTaskResult; print(json.dumps([dict(id=str(r.id), "
        "status=r.status, task=r.task_path.rsplit('.', 1)[1], workers=len(r.worker_ids), error=r.traceback, "
        "kwargs=r.args_kwargs['kwargs']) for r in DBTaskResult.objects.order_by('enqueued_at')]))",
    )


@contextmanager
def worker(env, log: Path, *options: str):
    """A worker process until the block ends (SIGTERM: it finishes its task and stops)."""
    with log.open("a") as out:
        process = subprocess.Popen(  # noqa: S603
            [sys.executable, "manage.py", "worker", "--interval", "0.1", "--no-startup-delay", *options],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        yield process
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def wait_for(condition, *, timeout: float = 60, what: str = ""):
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.2)


@pytest.fixture(autouse=True)
def _empty_queue(site):
    shell(site, "from django_tasks_db.models import DBTaskResult; DBTaskResult.objects.all().delete(); print(0)")


def test_a_killed_workers_task_is_run_again_by_the_next_worker(site, tmp_path):
    marks = tmp_path / "marks"
    task_id = enqueue(site, f"slow_the_first_time.enqueue({str(marks)!r}, 120)")
    with worker(site, tmp_path / "worker.log") as first:
        wait_for(lambda: marks.exists(), what="the task to start")
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=10)
    [orphan] = results(site)
    assert (orphan["id"], orphan["status"], orphan["workers"]) == (task_id, "RUNNING", 1)
    with worker(site, tmp_path / "worker.log") as second:
        wait_for(lambda: results(site)[0]["status"] == "SUCCESSFUL", what="the task to run again")
        second.send_signal(signal.SIGTERM)
        assert second.wait(timeout=20) == 0  # a clean stop between tasks
    [done] = results(site)
    assert (done["id"], done["workers"]) == (task_id, 2)
    lines = marks.read_text().splitlines()
    assert [line.split()[0] for line in lines] == ["started", "started", "done"]
    assert lines[0].split()[1] != lines[1].split()[1]  # two processes


def test_a_failing_task_is_retried_with_backoff_and_the_last_failure_stays(site, tmp_path):
    enqueue(site, f"fail_until.enqueue({str(tmp_path / 'once')!r}, 1)")
    enqueue(site, f"fail_until.enqueue({str(tmp_path / 'always')!r}, 99)")
    with worker(site, tmp_path / "worker.log"):
        wait_for(
            lambda: [r["status"] for r in results(site)].count("FAILED") == 4 and len(results(site)) == 5,
            what="two attempts of the first task and three of the second",
        )
        time.sleep(1)  # nothing more is queued after the last attempt
        final = results(site)
    by_task = sorted((r["kwargs"].get("attempt", 1), r["status"]) for r in final)
    assert by_task == [(1, "FAILED"), (1, "FAILED"), (2, "FAILED"), (2, "SUCCESSFUL"), (3, "FAILED")]
    last = next(r for r in final if r["kwargs"].get("attempt") == 3)
    assert "RuntimeError: call 3 fails on purpose" in last["error"]
    assert (tmp_path / "always").read_text().splitlines() == ["call 1", "call 2", "call 3"]


def test_the_workers_scheduler_queues_a_due_task_and_records_how_it_ended(site, tmp_path):
    shell(
        site,
        "from datetime import timedelta; from django.utils import timezone; from jobs.models import ScheduledJob; "
        "ScheduledJob.objects.update_or_create(name='holidays', defaults=dict(task_path='cases.tasks.extend_holidays', "
        "schedule='daily at 03:00', next_run_at=timezone.now() - timedelta(minutes=1), last_outcome='')); print(0)",
    )
    with worker(site, tmp_path / "worker.log"):
        entry = wait_for(
            lambda: (
                (
                    e := shell(
                        site,
                        "import json; from jobs.models import ScheduledJob; from cases.models import Holiday; "
                        "e = ScheduledJob.objects.get(name='holidays'); print(json.dumps([e.last_outcome, e.last_error, "
                        "e.last_queued_at is not None and e.next_run_at > e.last_queued_at, Holiday.objects.count()]))",
                    )
                )[0]
                == "done"
                and e
            ),
            what="the scheduled task to run",
        )
    outcome, error, moved_on, holidays = entry
    assert (outcome, error, moved_on) == ("done", "", True)
    assert holidays > 10
