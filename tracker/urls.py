"""URL configuration: public pages from each app, the API, the admin, health."""

from django.contrib import admin
from django.urls import include, path

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
]
