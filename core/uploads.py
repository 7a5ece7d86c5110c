"""Checks for uploaded photos: real images only, by content, within the size limit."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from PIL import Image, UnidentifiedImageError

ALLOWED_FORMATS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp", "GIF": "gif"}


def validate_photo(upload) -> None:
    """Refuse anything that is not a JPEG/PNG/WebP/GIF image, judged by its bytes, or is too big."""
    if upload.size > settings.PHOTO_MAX_BYTES:
        raise ValidationError(
            _("The photo is too large (at most %(mb)s MB).") % {"mb": settings.PHOTO_MAX_BYTES // (1024 * 1024)}
        )
    try:
        upload.seek(0)
        with Image.open(upload) as image:
            image_format = image.format
            image.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        raise ValidationError(_("The file is not an image. Send a JPEG or PNG photo.")) from exc
    finally:
        upload.seek(0)
    if image_format not in ALLOWED_FORMATS:
        raise ValidationError(_("The file is not an image. Send a JPEG or PNG photo."))
    # Store under a random name with the extension that matches the content.
    upload.name = f"photo.{ALLOWED_FORMATS[image_format]}"


def validate_document(upload) -> None:
    """A customer's missing document: an image (checked as validate_photo) or a PDF (judged by its first bytes),
    within the photo size limit. Stored under a random name with the matching extension."""
    if upload.size > settings.PHOTO_MAX_BYTES:
        raise ValidationError(
            _("The file is too large (at most %(mb)s MB).") % {"mb": settings.PHOTO_MAX_BYTES // (1024 * 1024)}
        )
    upload.seek(0)
    head = upload.read(5)
    upload.seek(0)
    if head == b"%PDF-":
        upload.name = "document.pdf"
        return
    try:
        validate_photo(upload)
    except ValidationError as exc:
        raise ValidationError(_("Send a photo (JPEG or PNG) or a PDF document.")) from exc
