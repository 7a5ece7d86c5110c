"""Business-rule errors and the one place that turns errors into API answers."""

from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import InterfaceError, OperationalError
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.serializers import as_serializer_error
from rest_framework.views import exception_handler


class ApplicationError(Exception):
    """A business rule said no. ``status_code`` is 400 unless the rule is about state (409)."""

    status_code = 400

    def __init__(self, message: str, *, extra: dict[str, Any] | None = None, status_code: int | None = None):
        super().__init__(message)
        self.message = message
        self.extra = extra or {}
        if status_code is not None:
            self.status_code = status_code


class ConflictError(ApplicationError):
    """The object is not in a state that allows this step (HTTP 409)."""

    status_code = 409


class InvalidInput(ApplicationError, DjangoValidationError):
    """Input a business rule refused, field by field (HTTP 400): ``InvalidInput({"phone": [...]})``.

    It is also a Django ``ValidationError`` carrying the same field messages, so a form or page that calls a
    service shows them by their fields (``exc.message_dict``); the API answers them as every other bad input:
    ``{"message": …, "extra": {"fields": {field: [messages]}}}``.
    """

    status_code = 400

    def __init__(self, fields: dict, message: str | None = None):
        ApplicationError.__init__(self, message or _("Some fields are not valid."))
        DjangoValidationError.__init__(self, fields)
        self.extra = {"fields": self.message_dict}


def api_exception_handler(exc: Exception, context: dict) -> Response | None:
    if isinstance(exc, (OperationalError, InterfaceError)):
        return Response(
            {"message": _("Service temporarily unavailable, please retry."), "extra": {}},
            status=status.HTTP_503_SERVICE_UNAVAILABLE,
            headers={"Retry-After": "5"},
        )
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(as_serializer_error(exc))
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    if isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    if isinstance(exc, ApplicationError):
        return Response({"message": exc.message, "extra": exc.extra}, status=exc.status_code)

    response = exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        response.data = {"message": _("Some fields are not valid."), "extra": {"fields": response.data}}
    elif isinstance(response.data, dict) and "detail" in response.data:
        response.data = {"message": str(response.data["detail"]), "extra": {}}
    return response
