"""App configs of the project package: `tracker` itself (signals, management commands) and the admin."""

from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps
from django.utils.translation import gettext_lazy as _


class TrackerConfig(AppConfig):
    """The project package as an app: security logging, the data version of the caches, backup/restore."""

    name = "tracker"
    verbose_name = _("Tracker")
    default = True

    def ready(self) -> None:
        from django.db.backends.signals import connection_created
        from django.db.models.signals import post_migrate

        from dashboard import cache as statistics_cache

        from . import dataversion, security  # noqa: F401  (security connects the login/logout/lockout receivers)

        # Every connection reports the app's writes to public tables; every migrate (re)installs the
        # triggers that count all writes; a committed change has the statistics computed again.
        connection_created.connect(dataversion.install_watcher, dispatch_uid="tracker_dataversion_watcher")
        post_migrate.connect(dataversion.install_after_migrate, dispatch_uid="tracker_dataversion_triggers")
        dataversion.version_changed.connect(statistics_cache.schedule_refresh, dispatch_uid="statistics_refresh")


class OTPAdminConfig(admin_apps.AdminConfig):
    """The admin, whose default site lets in only staff who passed a second factor.

    Its login view redirects to two_factor's login wizard, so /admin/login/ is no way around 2FA.
    """

    default = False  # named explicitly in INSTALLED_APPS; `tracker` alone means TrackerConfig
    default_site = "two_factor.admin.AdminSiteOTPRequired"
