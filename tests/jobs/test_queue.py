"""The job queue's logic with the immediate backend (the tests'): retries, the schedule, a dead
worker's task, and the scheduled tasks themselves. tests/jobs/test_worker.py runs a real worker."""

from __future__ import annotations

import datetime
import os

import pytest
from django.core.exceptions import ImproperlyConfigured
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from cases.models import Holiday
from jobs import recovery
from jobs.models import ScheduledJob
from jobs.queue import retry_delay
from jobs.schedule import describe, next_run, tick
from tests.jobs import tasks

UTC = datetime.UTC
PKT = datetime.timezone(datetime.timedelta(hours=5))
DB_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


# --- Retries ------------------------------------------------------------------------------------------


def test_a_failing_task_is_retried_until_it_succeeds(tmp_path, settings):
    settings.TASK_MAX_ATTEMPTS = 3
    calls = tmp_path / "calls"
    result = tasks.fail_until.enqueue(str(calls), 2)
    # Immediate backend: the retries ran inside; the first attempt's result is a failure.
    assert result.status == TaskResultStatus.FAILED
    assert calls.read_text().splitlines() == ["call 1", "call 2", "call 3"]


def test_after_the_last_attempt_the_failure_stands(tmp_path, settings):
    settings.TASK_MAX_ATTEMPTS = 2
    calls = tmp_path / "calls"
    with pytest.raises(RuntimeError, match="call 1 fails on purpose"):
        tasks.fail_until.call(str(calls), 5, attempt=2)  # the last attempt: no retry, the error stands
    assert calls.read_text().splitlines() == ["call 1"]
    tasks.fail_until.enqueue(str(tmp_path / "again"), 5)
    assert (tmp_path / "again").read_text().splitlines() == ["call 1", "call 2"]  # two attempts, no third


@pytest.mark.django_db
def test_retries_wait_longer_each_time_on_a_deferring_queue(tmp_path, settings, time_machine):
    settings.TASKS = DB_TASKS
    settings.TASK_RETRY_BACKOFF_SECONDS = 30
    time_machine.move_to(datetime.datetime(2026, 11, 25, 9, 0, tzinfo=UTC), tick=False)
    assert [retry_delay(n) for n in (1, 2, 3)] == [30, 60, 120]
    with pytest.raises(RuntimeError):
        tasks.fail_until.call(str(tmp_path / "calls"), 5)
    retry = DBTaskResult.objects.get()
    assert retry.args_kwargs["kwargs"] == {"attempt": 2, "scheduled_as": None}
    assert retry.run_after == datetime.datetime(2026, 11, 25, 9, 0, 30, tzinfo=UTC)
    with pytest.raises(RuntimeError):
        tasks.fail_until.call(str(tmp_path / "calls"), 5, attempt=2)
    assert DBTaskResult.objects.order_by("run_after").last().run_after == datetime.datetime(
        2026, 11, 25, 9, 1, tzinfo=UTC
    )


# --- The schedule ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("spec", "after", "expected", "words"),
    [
        ({"every": "day", "at": "06:00"}, (2026, 11, 25, 5, 59), (2026, 11, 25, 6, 0), "daily at 06:00"),
        ({"every": "day", "at": "06:00"}, (2026, 11, 25, 6, 0), (2026, 11, 26, 6, 0), "daily at 06:00"),
        (
            {"every": "week", "weekday": 0, "at": "07:00"},
            (2026, 11, 25, 8, 0),
            (2026, 11, 30, 7, 0),
            "Mondays at 07:00",
        ),
        (
            {"every": "year", "date": "12-01", "at": "03:00"},
            (2026, 12, 1, 3, 1),
            (2027, 12, 1, 3, 0),
            "yearly on 12-01 (month-day) at 03:00",
        ),
    ],
)
def test_next_run_in_pakistan_time(spec, after, expected, words):
    spec = {"task": "x", **spec}
    after = datetime.datetime(*after, tzinfo=PKT)
    assert next_run(spec, after) == datetime.datetime(*expected, tzinfo=PKT)
    assert describe(spec) == words


@pytest.mark.parametrize(
    "spec",
    [
        {"every": "hour", "at": "06:00"},
        {"every": "day"},
        {"every": "day", "at": "6h"},
        {"every": "year", "date": "02-29", "at": "01:00"},
    ],
)
def test_a_bad_schedule_entry_is_refused(spec):
    with pytest.raises(ImproperlyConfigured, match="TASK_SCHEDULE"):
        next_run({"task": "x", **spec}, datetime.datetime(2026, 1, 1, tzinfo=UTC))
        describe(spec)


@pytest.mark.django_db
def test_tick_queues_what_is_due_once_and_records_how_it_ended(tmp_path, settings):
    marks = tmp_path / "marks"
    settings.TASK_SCHEDULE = {"note": {"task": "tests.jobs.test_queue.scheduled_note", "every": "day", "at": "06:00"}}
    os.environ["JOBS_TEST_MARKS"] = str(marks)
    try:
        first = datetime.datetime(2026, 11, 25, 5, 0, tzinfo=PKT)
        assert tick(first) == []  # first seen: next run computed, nothing due
        entry = ScheduledJob.objects.get()
        assert (entry.next_run_at, entry.schedule, entry.last_outcome) == (
            datetime.datetime(2026, 11, 25, 6, 0, tzinfo=PKT),
            "daily at 06:00",
            "",
        )
        assert tick(datetime.datetime(2026, 11, 25, 6, 0, 30, tzinfo=PKT)) == ["note"]
        assert tick(datetime.datetime(2026, 11, 25, 6, 1, tzinfo=PKT)) == []  # queued once
        entry.refresh_from_db()
        assert entry.next_run_at == datetime.datetime(2026, 11, 26, 6, 0, tzinfo=PKT)
        assert (entry.last_outcome, entry.last_attempt, entry.last_error) == ("done", 1, "")
        assert entry.last_finished_at >= entry.last_started_at
        assert len(marks.read_text().splitlines()) == 1
        # Down for three days: one catch-up run, then the schedule again.
        assert tick(datetime.datetime(2026, 11, 29, 9, 0, tzinfo=PKT)) == ["note"]
        entry.refresh_from_db()
        assert entry.next_run_at == datetime.datetime(2026, 11, 30, 6, 0, tzinfo=PKT)
    finally:
        del os.environ["JOBS_TEST_MARKS"]


@pytest.mark.django_db
def test_a_scheduled_task_that_fails_shows_its_error_after_the_last_attempt(tmp_path, settings, superuser_client):
    settings.TASK_MAX_ATTEMPTS = 2
    settings.TASK_SCHEDULE = {
        "broken": {"task": "tests.jobs.test_queue.scheduled_failure", "every": "day", "at": "06:00"}
    }
    tick(datetime.datetime(2026, 11, 25, 5, 0, tzinfo=PKT))
    tick(datetime.datetime(2026, 11, 25, 6, 0, tzinfo=PKT))
    entry = ScheduledJob.objects.get()
    assert (entry.last_outcome, entry.last_attempt) == ("failed", 2)
    assert entry.last_error == "ValueError: the mail server said no"
    page = superuser_client.get("/admin/jobs/scheduledjob/").content.decode()
    assert "ValueError: the mail server said no" in page and "daily at 06:00" in page


def scheduled_note_impl() -> None:
    with open(os.environ["JOBS_TEST_MARKS"], "a") as out:
        out.write("ran\n")


def scheduled_failure_impl() -> None:
    raise ValueError("the mail server said no")


from jobs.queue import job  # noqa: E402  (the two scheduled test tasks, at module level)

scheduled_note = job(scheduled_note_impl)
scheduled_failure = job(scheduled_failure_impl)


# --- A dead worker's task ---------------------------------------------------------------------------------


def _running(worker_id: str, started: datetime.datetime, tries: int = 1) -> DBTaskResult:
    return DBTaskResult.objects.create(
        status=TaskResultStatus.RUNNING,
        args_kwargs={"args": [], "kwargs": {}},
        task_path="tests.jobs.tasks.note",
        backend_name="default",
        run_after=datetime.datetime(9999, 1, 1, tzinfo=UTC),
        started_at=started,
        worker_ids=[worker_id] * tries,
    )


@pytest.mark.django_db
def test_tasks_of_dead_workers_go_back_to_the_queue(settings, time_machine):
    now = datetime.datetime(2026, 11, 25, 9, 0, tzinfo=UTC)
    time_machine.move_to(now, tick=False)
    settings.TASK_STALE_SECONDS, settings.TASK_MAX_ATTEMPTS = 3600, 3
    host = recovery.host_name()
    dead_pid = 2**22 + 12345  # above Linux's pid_max: no such process
    alive = _running(f"{host}:{os.getpid()}:abc", now)
    dead = _running(f"{host}:{dead_pid}:abc", now)
    elsewhere = _running("otherhost:1:abc", now - datetime.timedelta(minutes=5))
    stale = _running("otherhost:1:abc", now - datetime.timedelta(hours=2))
    hopeless = _running(f"{host}:{dead_pid}:abc", now, tries=3)
    assert sorted(recovery.requeue_orphans()) == sorted(str(r.id) for r in (dead, stale, hopeless))
    statuses = {r.id: r.status for r in DBTaskResult.objects.all()}
    assert statuses == {
        alive.id: "RUNNING",
        dead.id: "READY",
        elsewhere.id: "RUNNING",
        stale.id: "READY",
        hopeless.id: "FAILED",
    }
    assert "its worker died 3 times" in DBTaskResult.objects.get(id=hopeless.id).traceback


def test_worker_ids_name_the_host_and_process():
    host, pid, rest = recovery.new_worker_id().split(":")
    assert (host, pid, len(rest)) == (recovery.host_name(), str(os.getpid()), 8)


# --- The scheduled tasks themselves ------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)  # SQLite's backup cannot run inside the test's transaction
def test_the_backup_task_keeps_the_newest_backups(tmp_path, settings):
    from tracker.tasks import backup_database

    settings.BACKUP_DIR, settings.BACKUP_KEEP = tmp_path, 2
    for stamp in ("20261120-020000", "20261121-020000", "20261122-020000"):
        (tmp_path / f"tracker-{stamp}.sqlite3").write_bytes(b"old")
    (tmp_path / "notes.txt").write_text("not a backup")
    result = backup_database.call()
    kept = sorted(p.name for p in tmp_path.iterdir())
    assert result["removed"] == ["tracker-20261120-020000.sqlite3", "tracker-20261121-020000.sqlite3"]
    assert kept == sorted(["notes.txt", "tracker-20261122-020000.sqlite3", result["file"]])
    assert (tmp_path / result["file"]).stat().st_size > 0


@pytest.mark.django_db
def test_the_holiday_task_adds_this_and_next_year(time_machine):
    from cases.tasks import extend_holidays

    time_machine.move_to(datetime.date(2026, 12, 1))
    Holiday.objects.create(date=datetime.date(2027, 2, 5), name="Kashmir Day (as the editor wrote it)")
    result = extend_holidays.call()
    assert result["years"] == [2026, 2027] and result["added"] > 0
    assert Holiday.objects.get(date=datetime.date(2027, 2, 5)).name == "Kashmir Day (as the editor wrote it)"
    assert Holiday.objects.filter(date=datetime.date(2027, 8, 14)).exists()  # Independence Day
    assert extend_holidays.call()["added"] == 0


@pytest.mark.django_db
def test_the_digest_tasks_send_what_the_command_sends(mailoutbox, editor):
    from alerts.tasks import send_alert_digests, send_staff_worklist_digests

    assert send_alert_digests.call() == {"checked": 0, "sent": 0}
    editor.email = "editor@example.org"
    editor.save()
    assert send_staff_worklist_digests.call() == {"sent": 1}
    assert [m.to for m in mailoutbox] == [["editor@example.org"]]


def test_the_default_schedule_names_real_tasks():
    from django.conf import settings
    from django.utils.module_loading import import_string
    from django_tasks.base import Task

    for spec in settings.TASK_SCHEDULE.values():
        assert isinstance(import_string(spec["task"]), Task)
        describe(spec)
