"""URL configuration: public pages from each app, the API, the admin, health."""

from django.contrib import admin
from django.urls import include, path
from two_factor.urls import urlpatterns as two_factor_urlpatterns

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
    # Staff sign-in with a second factor: /account/login/, /account/two_factor/... (issue 6). The setup
    # pages come first: tracker.account's setup survives other tabs and gives backup codes (issue 13).
    path("account/two_factor/setup/", account.SetupView.as_view()),
    path("account/two_factor/setup/complete/", account.SetupCompleteView.as_view()),
    path("", include(two_factor_urlpatterns)),
    path("account/logout/", account.LogoutView.as_view(), name="logout"),
    path("favicon.ico", account.favicon, name="favicon"),
]

# Generic error pages (templates/4xx.html, 5xx.html); a dead database answers 503, not 500.
handler500 = "tracker.views.server_error"
