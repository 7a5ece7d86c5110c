from django.urls import path

from . import views

app_name = "backoffice"

urlpatterns = [
    path("", views.queue, name="queue"),
    path("t/<str:number>/", views.ticket_detail, name="ticket"),
    path("feedback/", views.feedback_list, name="feedback"),
    path("feedback/<int:pk>/", views.feedback_detail, name="feedback-detail"),
    path("escalations/", views.escalation_list, name="escalations"),
    path("escalations/<int:pk>/acknowledge/", views.escalation_acknowledge, name="escalation-acknowledge"),
]
