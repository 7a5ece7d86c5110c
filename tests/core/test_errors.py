"""One family of business-rule errors (core.errors), answered by the API in one place."""

from django.core.exceptions import ValidationError
from rest_framework.views import APIView

from core.errors import ApplicationError, ConflictError, InvalidInput, api_exception_handler


def answer(exc):
    return api_exception_handler(exc, {"view": APIView()})


def test_invalid_input_is_a_400_with_its_field_messages():
    response = answer(InvalidInput({"phone": "Enter a phone number.", "unit": ["Choose a unit."]}))
    assert response.status_code == 400
    assert response.data["extra"] == {"fields": {"phone": ["Enter a phone number."], "unit": ["Choose a unit."]}}
    assert response.data["message"]


def test_invalid_input_reads_as_a_django_validation_error_for_pages_and_forms():
    exc = InvalidInput({"phone": "Enter a phone number."})
    assert isinstance(exc, ApplicationError) and isinstance(exc, ValidationError)
    assert exc.message_dict == {"phone": ["Enter a phone number."]}


def test_a_state_conflict_is_a_409_and_a_plain_rule_a_400():
    assert answer(ConflictError("Already closed.")).status_code == 409
    refused = answer(ApplicationError("Not allowed for this category."))
    assert (refused.status_code, refused.data) == (400, {"message": "Not allowed for this category.", "extra": {}})
