from django.urls import path

from . import views

app_name = "incidents"

urlpatterns = [
    path("", views.home, name="home"),
    path("incidents/", views.incident_list, name="incident_list"),
    path("incidents/<int:pk>/", views.incident_detail, name="incident_detail"),
    path("data/", views.data, name="data"),
    path("organisations/<int:pk>/", views.organisation_detail, name="organisation_detail"),
]
