"""What a customer types as an ID pelanggan, a meter number or a report number, checked with a message that
says what is wrong: a letter is not dropped silently, a wrong length says how many digits were typed, and a
report number whose check digit does not match asks to check the number again (tickets/numbering.py)."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from .numbering import NUMBER_RE, format_number, luhn_check_digit

# Spaces, dashes and dots people type between groups of digits are fine; anything else is a mistake.
SEPARATORS = frozenset(" -./")


def _stray(raw: str) -> str:
    return "".join(sorted({ch for ch in raw if not ch.isdigit() and ch not in SEPARATORS}))


def customer_number(raw: str, *, kinds: tuple[int, ...] = (12, 11)) -> str:
    """The digits of an ID pelanggan (12) or a meter number (11); ``kinds`` says which lengths are allowed."""
    text = (raw or "").strip()
    if not text:
        return ""
    stray = _stray(text)
    if stray:
        raise ValidationError(
            _("An ID pelanggan or meter number has digits only; remove “%(chars)s”.") % {"chars": stray},
            code="not_digits",
        )
    digits = "".join(ch for ch in text if ch.isdigit())
    if len(digits) not in kinds:
        if kinds == (12,):
            message = _("You typed %(count)s digits; an ID pelanggan has exactly 12.")
        elif kinds == (11,):
            message = _("You typed %(count)s digits; a meter number has exactly 11.")
        else:
            message = _("You typed %(count)s digits; an ID pelanggan has 12 and a meter number 11.")
        raise ValidationError(message % {"count": len(digits)}, code="length")
    return digits


def ticket_number(raw: str) -> str:
    """The canonical report number, or a message saying what is wrong with it."""
    text = (raw or "").strip()
    if _stray(text):
        raise ValidationError(_("A report number has digits only, like 251125-000123-4."), code="not_digits")
    digits = "".join(ch for ch in text if ch.isdigit())
    if not NUMBER_RE.match(digits):
        raise ValidationError(
            _("You typed %(count)s digits; a report number has 13, like 251125-000123-4.") % {"count": len(digits)},
            code="length",
        )
    if luhn_check_digit(digits[:12]) != int(digits[12]):
        raise ValidationError(
            _("This report number is not right (its last digit does not match). Please check the report number."),
            code="check_digit",
        )
    return format_number(digits)
