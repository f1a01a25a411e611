"""URL configuration: public pages from each app, the API, the admin, health."""

from django.contrib import admin
from django.contrib.auth.views import LogoutView
from django.urls import include, path
from two_factor.urls import urlpatterns as two_factor_urlpatterns

from . import views

urlpatterns = [
    path("", include("incidents.urls")),
    path("", include("cases.urls")),
    path("", include("dashboard.urls")),
    path("api/", include("tracker.api_urls")),
    path("staff/", include("monitoring.urls")),
    path("follow/", include("alerts.urls")),
    path("admin/", admin.site.urls),
    path("healthz", views.healthz, name="healthz"),
    # Staff sign-in with a second factor: /account/login/, /account/two_factor/... (issue 6).
    path("", include(two_factor_urlpatterns)),
    path("account/logout/", LogoutView.as_view(), name="logout"),
]

# Generic error pages (templates/4xx.html, 5xx.html); a dead database answers 503, not 500.
handler500 = "tracker.views.server_error"
