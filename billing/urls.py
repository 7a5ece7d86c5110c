from django.urls import path

from . import views

app_name = "billing"

urlpatterns = [
    path("info-tagihan/", views.info_tagihan, name="info-tagihan"),
    path("billing/import/", views.import_page, name="import"),
    path("billing/import/<int:pk>/", views.import_job, name="import-job"),
    path("billing/import/<int:pk>/status.json", views.import_status, name="import-status"),
    path("billing/t/<str:number>/", views.ticket_action, name="ticket-action"),
]
