"""Root URLs: pages of each app, the REST API under /api/v1/, the schema and the docs."""

from django.contrib import admin
from django.http import HttpResponsePermanentRedirect
from django.templatetags.static import static
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from config.health import healthz
from config.staff import staff_home

api_v1 = [
    path("", include("tickets.api.urls")),
    path("", include("hotline.api.urls")),
    path("dispatch/", include("dispatch.api.urls")),
    path("", include("outages.api.urls")),
    path("connections/", include("connections.api.urls")),
    path("billing/", include("billing.api.urls")),
]


def favicon(request):
    """Browsers ask for /favicon.ico whatever the page links; send them to the icon among the static files."""
    return HttpResponsePermanentRedirect(static("img/favicon.ico"))


urlpatterns = [
    path("favicon.ico", favicon, name="favicon"),
    path("admin/", admin.site.urls),
    path("console/", include("hotline.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("accounts/", include("django.contrib.auth.urls")),
    path("staff/", staff_home, name="staff-home"),
    path("healthz", healthz, name="healthz"),
    path("api/v1/", include(api_v1)),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="schema"), name="api-docs"),
    path("open311/v2/", include("open311.urls")),
    path("backoffice/", include("backoffice.urls")),
    path("reports/", include("reports.urls")),
    path("", include("billing.urls")),
    path("", include("dispatch.urls")),
    path("", include("outages.urls")),
    path("", include("connections.urls")),
    path("", include("tickets.urls")),
]

handler404 = "core.error_pages.not_found"
