from django.urls import path

from . import views

app_name = "tickets"

urlpatterns = [
    path("", views.report, name="report"),
    path("lapor/selesai/<str:token>/", views.report_done, name="report-done"),
    path("lacak/", views.track_lookup, name="track"),
    path("t/<str:token>/", views.track, name="track-token"),
]
