"""The bottom app: what every other app shares (the clock today; status, visibility and corrections)."""

from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = "Core"
