"""Answer 503 with a retry hint, never a 500 with a trace, while the database is unreachable."""

import logging

from csp.middleware import CSPMiddleware
from django.conf import settings
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


# Machine-facing APIs honour Accept-Language; pages do not.
MACHINE_API_PREFIXES = ("/api/", "/open311/")


class LanguageMiddleware:
    """Bahasa Indonesia unless the user chose English with the language switch (a cookie).

    Pages ignore the browser's Accept-Language: many Indonesian phones run an English interface, yet
    customers expect PLN's pages in Indonesian. API clients may ask for a language with Accept-Language.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from django.conf import settings
        from django.utils import translation

        supported = {code for code, _name in settings.LANGUAGES}
        language = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        if language not in supported and request.path.startswith(MACHINE_API_PREFIXES):
            language = translation.get_language_from_request(request)
        if language not in supported:
            language = settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        patch_vary = response.headers.get("Vary", "")
        if "Cookie" not in patch_vary:
            response.headers["Vary"] = ", ".join(filter(None, [patch_vary, "Cookie"]))
        translation.deactivate()
        return response


class ContentSecurityPolicyMiddleware(CSPMiddleware):
    """django-csp's middleware, also for "not found" answers while DEBUG is on.

    django-csp leaves 404 and 500 answers without the policy under DEBUG, for Django's debug pages. Here a 404 is
    mostly an ordinary page (a tracking link that matches nothing, the site's own 404 page) and Django's debug 404
    page runs no script, so it keeps the policy like every other page; only the debug 500 page (which has a script)
    stays exempt.
    """

    def process_response(self, request, response):
        if response.status_code != 404 or not settings.DEBUG:
            return super().process_response(request, response)
        response.status_code = 200  # the library exempts by status; the answer itself is unchanged
        try:
            return super().process_response(request, response)
        finally:
            response.status_code = 404
