"""Error pages: API paths answer in the API's JSON error format, pages with Django's templates."""

from django.http import JsonResponse
from django.views import defaults
from rest_framework.exceptions import NotFound


def not_found(request, exception=None):
    if request.path.startswith("/api/"):
        return JsonResponse({"message": str(NotFound.default_detail), "extra": {}}, status=404)
    return defaults.page_not_found(request, exception)
