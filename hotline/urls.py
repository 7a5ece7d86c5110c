"""Root URLs: pages of each app, the REST API under /api/v1/, the schema and the docs."""

from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from hotline.health import healthz

api_v1 = [
    path("", include("tickets.api.urls")),
    path("", include("hotline.api.urls")),
]

urlpatterns = [
    path("admin/", admin.site.urls),
    path("console/", include("hotline.console_urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("healthz", healthz, name="healthz"),
    path("api/v1/", include(api_v1)),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="api-docs"),
    path("", include("tickets.urls")),
]
