"""Pages of the 123 call centre: the operator console and the supervisor's pages."""

from django.urls import path

from . import views

app_name = "hotline"

urlpatterns = [
    path("", views.console, name="console"),
    path("tickets/", views.ticket_search, name="tickets"),
    path("tickets/<str:number>/", views.ticket_detail, name="ticket"),
    path("kpi/", views.kpi, name="kpi"),
    path("violations/", views.violation_list, name="violations"),
    path("violations/<int:pk>/review/", views.violation_review, name="violation-review"),
    path("letters/<int:pk>/", views.letter_print, name="letter"),
    path("letters/<int:pk>/decide/", views.dismissal_decide, name="letter-decide"),
    path("calls/<int:pk>/recording/", views.recording, name="recording"),
]
