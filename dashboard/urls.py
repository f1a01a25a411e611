"""The home page and the statistics pages. Court pages live in cases/views.py, organisation pages in incidents/views.py."""

from django.urls import path

from . import methodology, report, views

app_name = "dashboard"

urlpatterns = [
    path("", views.home, name="home"),
    path("statistics/", views.statistics, name="statistics"),
    path("statistics/report/", report.report, name="report"),
    path("methodology/", methodology.methodology, name="methodology"),
    path("statistics/map/", views.district_map, name="district_map"),
]
