"""Connections fixtures: documents, applicants, and applications opened through the service."""

import io
import itertools

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from connections import services
from tests.factories import CustomerFactory

_phones = itertools.count()
PLACE = (-1.2105, 116.8705)  # near the test ULP's centre
NIK = "6471054507900003"  # Balikpapan (64 71 05), born 05-07-1990 (female: day + 40)


def png(name="ktp.png") -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (16, 10), "white").save(buffer, "PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


def pdf(name="nib.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(
        name, b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n", content_type="application/pdf"
    )


def new_connection(**overrides):
    values = {
        "kind": "new_connection",
        "channel": "web",
        "applicant_name": "Siti Aminah",
        "nik": NIK,
        "phone": f"08125{next(_phones) % 10_000_000:07d}",
        "email": "siti@example.com",
        "address": "Jl. Melati 7, Balikpapan",
        "lat": PLACE[0],
        "lng": PLACE[1],
        "requested_va": 2200,
        "tariff": "R-1/TR",
        "payment_type": "prepaid",
        "documents": {"ktp": png()},
        **overrides,
    }
    return services.create_application(**values)


def power_change(customer, **overrides):
    values = {
        "kind": "power_change",
        "channel": "web",
        "applicant_name": customer.name,
        "nik": NIK,
        "phone": "081234500001",
        "id_pelanggan": customer.id_pelanggan,
        "requested_va": 2200,
        "tariff": "R-1/TR",
        "payment_type": customer.payment_type,
        "documents": {"ktp": png()},
        **overrides,
    }
    return services.create_application(**values)


@pytest.fixture
def customer(ulp):
    return CustomerFactory(unit=ulp, power_va=900, tariff="R-1/TR", payment_type="prepaid", lat=PLACE[0], lng=PLACE[1])


@pytest.fixture(autouse=True)
def _english():
    """Messages are asserted in English (the catalog's Indonesian is checked by the page tests)."""
    from django.utils import translation

    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def _catalogue(request):
    """The fee table and programmes of the data migration, put back if a live-server test emptied the tables."""
    if "transactional_db" not in request.fixturenames:
        request.getfixturevalue("db")
    from connections import catalogue
    from connections.models import FeeRule, FeeSchedule, Programme

    catalogue.load(FeeSchedule, FeeRule, Programme)
