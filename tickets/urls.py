from django.urls import path

from notifications import views as notification_views

from . import views

app_name = "tickets"

urlpatterns = [
    path("", views.report, name="report"),
    path("lapor/selesai/<str:token>/", views.report_done, name="report-done"),
    path("lacak/", views.track_lookup, name="track"),
    path("t/<str:token>/", views.track, name="track-token"),
    path("t/<str:token>/balas/", views.track_reply, name="track-reply"),
    path("t/<str:token>/status.json", notification_views.tracking_status, name="track-status"),
    path("t/<str:token>/survei/", notification_views.survey, name="survey"),
    path("t/<str:token>/notifikasi/", notification_views.notification_preferences, name="notification-preferences"),
    path("masukan/", notification_views.feedback, name="feedback"),
    path("reports/feedback/", notification_views.feedback_report, name="feedback-report"),
]
