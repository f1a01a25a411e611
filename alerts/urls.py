from django.urls import path

from . import views

app_name = "alerts"

urlpatterns = [
    path("case/<int:pk>/", views.subscribe, {"kind": "case"}, name="follow_case"),
    path("court/<int:pk>/", views.subscribe, {"kind": "court"}, name="follow_court"),
    path("search/", views.subscribe, {"kind": "search"}, name="follow_search"),
    path("confirm/<str:token>/", views.confirm, name="confirm"),
    path("unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
]
