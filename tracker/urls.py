"""URL configuration: public pages from each app, the API, the admin, health."""

from django.contrib import admin
from django.urls import include, path

from . import views

urlpatterns = [
    path("", include("incidents.urls")),
    path("", include("cases.urls")),
    path("admin/", admin.site.urls),
    path("healthz", views.healthz, name="healthz"),
]
