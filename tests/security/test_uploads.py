"""Uploaded photos: judged by their bytes, not their name or declared type; stored under random names."""

import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from tickets.models import Ticket

pytestmark = pytest.mark.django_db

URL = "/api/v1/tickets/"


def jpeg_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), "orange").save(buffer, "JPEG")
    return buffer.getvalue()


def post_photo(api_client, upload):
    return api_client.post(
        URL,
        {
            "category": "GG-PADAM-1",
            "description": "Tiang miring",
            "reporter_phone": "081234567890",
            "lat": "-1.21",
            "lng": "116.87",
            "photo": upload,
        },
        format="multipart",
    )


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


BAD_UPLOADS = {
    "svg with a script": (
        "map.svg",
        b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
        "image/svg+xml",
    ),
    "html named as a jpeg": ("photo.jpg", b"<html><script>alert(document.cookie)</script></html>", "image/jpeg"),
    "php behind a double extension": ("shell.php.png", b"<?php system($_GET['c']); ?>", "image/png"),
    "jpeg magic then html": ("x.jpg", b"\xff\xd8\xff\xe0<html><script>alert(1)</script>", "image/jpeg"),
    "empty file": ("empty.jpg", b"", "image/jpeg"),
}


@pytest.mark.parametrize("name,content,content_type", BAD_UPLOADS.values(), ids=BAD_UPLOADS.keys())
def test_a_file_that_is_not_an_image_is_refused_with_a_field_message(api_client, ulp, name, content, content_type):
    response = post_photo(api_client, SimpleUploadedFile(name, content, content_type=content_type))
    assert response.status_code == 400, response.content
    assert "photo" in response.json()["extra"]["fields"]
    assert Ticket.objects.count() == 0


def test_an_oversized_photo_is_refused(api_client, ulp, settings):
    settings.PHOTO_MAX_BYTES = 200
    response = post_photo(api_client, SimpleUploadedFile("big.jpg", jpeg_bytes() + b"\0" * 400, "image/jpeg"))
    assert response.status_code == 400
    assert "photo" in response.json()["extra"]["fields"]


def test_a_real_photo_is_stored_under_a_random_name_whatever_it_was_called(api_client, ulp, settings):
    upload = SimpleUploadedFile("../../static/evil.php.jpg", jpeg_bytes(), content_type="application/x-php")
    response = post_photo(api_client, upload)
    assert response.status_code == 201, response.content
    ticket = Ticket.objects.get()
    assert re.fullmatch(r"ticket-photos/\d{4}/\d{2}/[0-9a-f]{32}\.jpg", ticket.photo.name), ticket.photo.name
    stored = (settings.MEDIA_ROOT / ticket.photo.name).resolve()
    assert stored.is_file() and str(stored).startswith(str(settings.MEDIA_ROOT.resolve()))
    assert "evil" not in ticket.photo.name


def test_the_web_form_checks_the_photo_the_same_way(client, ulp):
    from tests.factories import category

    response = client.post(
        "/",
        {
            "category": str(category("GG-PADAM-1").pk),
            "description": "Kabel putus",
            "reporter_phone": "081234567890",
            "lat": "-1.21",
            "lng": "116.87",
            "idempotency_key": "form-1",
            "photo": SimpleUploadedFile("x.jpg", b"<html>hi</html>", content_type="image/jpeg"),
        },
    )
    assert response.status_code == 200  # the form again, with the error
    assert Ticket.objects.count() == 0
