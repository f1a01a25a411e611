"""App configs of the project package: `tracker` itself (signals, management commands) and the admin."""

from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps


class TrackerConfig(AppConfig):
    """The project package as an app: security logging, the page cache's data version, backup/restore."""

    name = "tracker"
    verbose_name = "Tracker"
    default = True

    def ready(self) -> None:
        from . import pagecache, security  # noqa: F401  (security connects the login/logout/lockout receivers)

        pagecache.connect_signals()


class OTPAdminConfig(admin_apps.AdminConfig):
    """The admin, whose default site lets in only staff who passed a second factor.

    Its login view redirects to two_factor's login wizard, so /admin/login/ is no way around 2FA.
    """

    default = False  # named explicitly in INSTALLED_APPS; `tracker` alone means TrackerConfig
    default_site = "two_factor.admin.AdminSiteOTPRequired"
