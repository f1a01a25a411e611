from django.urls import path

from . import views

app_name = "cases"

urlpatterns = [
    path("cases/", views.case_list, name="case_list"),
    path("cases/<int:pk>/", views.case_detail, name="case_detail"),
    path("courts/<int:pk>/", views.court_detail, name="court_detail"),
]
