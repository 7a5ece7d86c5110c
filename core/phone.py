"""Phone numbers: every number is stored in E.164 (+62…), parsed with Google's libphonenumber."""

from functools import lru_cache

import phonenumbers
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _


@lru_cache(maxsize=4096)  # a report's number is checked by its form or serializer, then by the service
def normalize_phone(raw: str, *, region: str = "ID") -> str:
    """Return ``raw`` in E.164. Indonesian forms 0812…, 62812… and +62812… are all accepted."""
    text = (raw or "").strip()
    if not text:
        raise ValidationError(_("Enter a phone number."), code="required")
    digits = "".join(ch for ch in text if ch.isdigit())
    if not text.startswith("+") and digits.startswith("62") and len(digits) >= 10:
        text = "+" + digits
    try:
        number = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException as exc:
        raise ValidationError(_("Enter a valid phone number, for example 0812 3456 7890."), code="invalid") from exc
    if not phonenumbers.is_valid_number(number):
        raise ValidationError(_("Enter a valid phone number, for example 0812 3456 7890."), code="invalid")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def same_phone(stored: str, raw: str) -> bool:
    """True when ``raw`` is the same number as the stored E.164 ``stored``; never raises."""
    try:
        return bool(stored) and normalize_phone(raw) == stored
    except ValidationError:
        return False
