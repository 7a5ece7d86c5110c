"""Pages of dispatch: the technician's phone app (PWA) under /tech/ and the dispatcher board."""

from django.urls import path

from . import views

app_name = "dispatch"

urlpatterns = [
    path("tech/", views.tech_home, name="tech-home"),
    path("tech/manifest.webmanifest", views.tech_manifest, name="tech-manifest"),
    path("tech/sw.js", views.tech_service_worker, name="tech-sw"),
    path("tech/field-jobs/", views.tech_field_jobs, name="tech-field-jobs"),
    path("tech/field-jobs/<int:pk>/", views.tech_field_job, name="tech-field-job"),
    path("dispatch/", views.board, name="board"),
    path("dispatch/field-jobs/", views.field_jobs_board, name="field-jobs"),
]
