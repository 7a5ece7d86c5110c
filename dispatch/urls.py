"""Pages of dispatch: the technician's phone app (PWA) under /tech/ and the dispatcher board."""

from django.urls import path

from . import views

app_name = "dispatch"

urlpatterns = [
    path("tech/", views.tech_home, name="tech-home"),
    path("tech/manifest.webmanifest", views.tech_manifest, name="tech-manifest"),
    path("tech/sw.js", views.tech_service_worker, name="tech-sw"),
    path("dispatch/", views.board, name="board"),
]
