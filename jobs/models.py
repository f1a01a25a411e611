"""What the scheduler knows of each scheduled job: when it runs next, and how its last run went."""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ScheduledJob(models.Model):
    """One entry of ``settings.TASK_SCHEDULE``, made by the scheduler the first time it sees it."""

    class Outcome(models.TextChoices):
        QUEUED = "queued", _("queued")
        RUNNING = "running", _("running")
        DONE = "done", _("done")
        RETRYING = "retrying", _("failed, will be retried")
        FAILED = "failed", _("failed")

    name = models.CharField(max_length=100, unique=True)
    task_path = models.CharField(max_length=200)
    schedule = models.CharField(max_length=100, help_text=_("settings.TASK_SCHEDULE, in words."))
    next_run_at = models.DateTimeField(help_text=_("When the scheduler next queues it."))
    last_queued_at = models.DateTimeField(null=True, blank=True)
    last_started_at = models.DateTimeField(null=True, blank=True)
    last_finished_at = models.DateTimeField(null=True, blank=True)
    last_attempt = models.PositiveSmallIntegerField(default=0)
    last_outcome = models.CharField(max_length=10, choices=Outcome.choices, blank=True)
    last_error = models.TextField(blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("scheduled job")
        verbose_name_plural = _("scheduled jobs")

    def __str__(self) -> str:
        return self.name

    @classmethod
    def record_start(cls, name: str | None, *, attempt: int) -> None:
        if name:
            cls.objects.filter(name=name).update(
                last_started_at=timezone.now(),
                last_finished_at=None,
                last_attempt=attempt,
                last_outcome=cls.Outcome.RUNNING,
            )

    @classmethod
    def record_end(cls, name: str | None, *, error: str = "", retried: bool = False) -> None:
        if not name:
            return
        outcome = cls.Outcome.DONE
        if error:
            outcome = cls.Outcome.RETRYING if retried else cls.Outcome.FAILED
        cls.objects.filter(name=name).update(last_finished_at=timezone.now(), last_outcome=outcome, last_error=error)
