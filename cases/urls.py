from django.urls import path

from . import event_feeds, feeds, views

app_name = "cases"

urlpatterns = [
    path("cases/", views.case_list, name="case_list"),
    path("cases/<int:pk>/", views.case_detail, name="case_detail"),
    path("cases/<int:case_pk>/documents/<int:pk>/", views.document_file, name="document_file"),
    path("courts/", views.court_list, name="court_list"),
    path("courts/<int:pk>/", views.court_detail, name="court_detail"),
    path("feeds/cases/", feeds.CaseFeed(), name="case_feed"),
    path("hearings.ics", feeds.hearings_ics, name="hearings_ics"),
    path("courts/<int:pk>/hearings.ics", feeds.court_hearings_ics, name="court_hearings_ics"),
    path("cases/<int:pk>/hearings.ics", feeds.case_hearings_ics, name="case_hearings_ics"),
    path("cases/<int:pk>/feed/", event_feeds.CaseEventFeed(), name="case_events_feed"),
    path("courts/<int:pk>/feed/", event_feeds.CourtEventFeed(), name="court_events_feed"),
]
