"""Answer 503 with a retry hint, never a 500 with a trace, while the database is unreachable."""

import logging

from django.db import InterfaceError, OperationalError
from django.http import HttpResponse, JsonResponse

logger = logging.getLogger(__name__)


class DatabaseUnavailableMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, (OperationalError, InterfaceError)):
            return None
        logger.warning("database unavailable: %s", exception)
        if request.path.startswith("/api/") or "json" in request.headers.get("Accept", ""):
            response = JsonResponse(
                {"message": "Service temporarily unavailable, please retry.", "extra": {}},
                status=503,
            )
        else:
            response = HttpResponse(
                "Layanan sedang sibuk, silakan coba lagi sebentar lagi. / "
                "Service temporarily unavailable, please retry shortly.",
                status=503,
                content_type="text/plain; charset=utf-8",
            )
        response["Retry-After"] = "5"
        return response
