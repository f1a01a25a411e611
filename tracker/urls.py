"""URL configuration: public pages from each app, the API, the admin, health."""

from django.contrib import admin
from django.urls import include, path

from . import account, views

urlpatterns = [
    path("", include("incidents.urls")),
    path("", include("cases.urls")),
    path("", include("dashboard.urls")),
    path("api/", include("tracker.api_urls")),
    path("staff/", include("monitoring.urls")),
    path("follow/", include("alerts.urls")),
    path("admin/", admin.site.urls),
    path("healthz", views.healthz, name="healthz"),
    # Staff sign-in with a second factor: /account/login/, /account/two_factor/... (issue 6); the setup
    # pages from tracker.account (they survive other tabs and give backup codes, issue 13).
    path("", include(account.two_factor_urls())),
    path("account/logout/", account.LogoutView.as_view(), name="logout"),
    path("favicon.ico", account.favicon, name="favicon"),
]

# Generic error pages (templates/4xx.html, 5xx.html); a dead database answers 503, not 500.
handler500 = "tracker.views.server_error"
