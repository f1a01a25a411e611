from django.urls import path

from . import corrections_views, feeds, views

app_name = "incidents"

urlpatterns = [
    path("incidents/", views.incident_list, name="incident_list"),
    path("incidents/<int:pk>/", views.incident_detail, name="incident_detail"),
    path("data/", views.data, name="data"),
    path("organisations/", views.organisation_list, name="organisation_list"),
    path("organisations/<int:pk>/", views.organisation_detail, name="organisation_detail"),
    path("corrections/", corrections_views.corrections, name="corrections"),
    path("feeds/incidents/", feeds.IncidentFeed(), name="incident_feed"),
    path("feeds/corrections/", feeds.CorrectionFeed(), name="corrections_feed"),
]
