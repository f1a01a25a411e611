"""URL configuration: public pages from each app, the API, the admin, health."""

from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path

from . import account, views

# Language-neutral: the API (codes, not labels), the health check and the favicon.
urlpatterns = [
    path("api/", include("tracker.api_urls")),
    path("healthz", views.healthz, name="healthz"),
    path("favicon.ico", account.favicon, name="favicon"),
]

# Every page a person reads: English unprefixed, Urdu under /ur/.
urlpatterns += i18n_patterns(
    path("", include("incidents.urls")),
    path("", include("cases.urls")),
    path("", include("dashboard.urls")),
    path("staff/", include("monitoring.urls")),
    path("follow/", include("alerts.urls")),
    path("admin/", admin.site.urls),
    # Staff sign-in with a second factor: /account/login/, /account/two_factor/... (issue 6); the setup
    # pages from tracker.account (they survive other tabs and give backup codes, issue 13).
    path("", include(account.two_factor_urls())),
    path("account/logout/", account.LogoutView.as_view(), name="logout"),
    prefix_default_language=False,
)

# Generic error pages (templates/4xx.html, 5xx.html); a dead database answers 503, not 500.
handler500 = "tracker.views.server_error"
