"""The statistics pages. Court and organisation pages live in dashboard/views.py too, but keep
their URL names in the cases and incidents namespaces (cases/urls.py, incidents/urls.py)."""

from django.urls import path

from . import report, views

app_name = "dashboard"

urlpatterns = [
    path("statistics/", views.statistics, name="statistics"),
    path("statistics/report/", report.report, name="report"),
]
