"""Pages of connections: /sambung/ (apply), /sambung/tarif/ (fee calculator), documents, staff actions."""

from django.urls import path

from . import views

app_name = "connections"

urlpatterns = [
    path("sambung/", views.apply, name="apply"),
    path("sambung/tarif/", views.calculator, name="calculator"),
    path("sambung/dokumen/<str:token>/", views.send_document, name="send-document"),
    path("backoffice/connections/<int:pk>/<slug:action>/", views.staff_action, name="staff-action"),
]
