from django.urls import path

from . import calendar, duplicates, review, views

app_name = "monitoring"

urlpatterns = [
    path("worklist/", views.worklist, name="worklist"),
    path("cases/<int:pk>/verified/", views.mark_verified, name="mark_verified"),
    path("incidents/<int:pk>/court-record-checked/", views.court_record_checked, name="court_record_checked"),
    path("hearings/record/", views.record_hearing, name="record_hearing"),
    path("review/", review.queue, name="review_queue"),
    path("review/publish-selected/", review.publish_selected, name="publish_selected"),
    path("review/<str:kind>/<int:pk>/publish/", review.publish, name="publish"),
    path("review/<str:kind>/<int:pk>/send-back/", review.send_back, name="send_back"),
    path("review/<str:kind>/<int:pk>/retract/", review.retract, name="retract"),
    path(
        "review/court-checks/<int:pk>/confirm/",
        review.decide_court_check,
        {"decision": "confirm"},
        name="confirm_court_check",
    ),
    path(
        "review/court-checks/<int:pk>/discard/",
        review.decide_court_check,
        {"decision": "discard"},
        name="discard_court_check",
    ),
    path("duplicates/", duplicates.duplicates, name="duplicates"),
    path("duplicates/merge/", duplicates.decide, {"action": "merge"}, name="merge_duplicates"),
    path("duplicates/not-same/", duplicates.decide, {"action": "not_same"}, name="not_same"),
    path("duplicates/propose/", duplicates.decide, {"action": "propose"}, name="propose_duplicates"),
    path("calendar/", calendar.calendar_page, name="calendar"),
    path("calendar/token/", calendar.calendar_token, name="calendar_token"),
    path("calendar/<str:token>.ics", calendar.staff_feed, name="staff_feed"),
]
