"""Fixtures for the Open311 tests: a client application with its key, and format-aware getters."""

import json
import xml.etree.ElementTree as ET
from urllib.parse import urlencode

import pytest
from rest_framework.test import APIClient

from open311 import services
from tests.factories import CustomerFactory

BASE = "/open311/v2"


@pytest.fixture
def city_app(db):
    """An active client application; ``city_app.key`` is its api_key."""
    client, key = services.create_client(name="Kota Balikpapan app", contact="dev@balikpapan.example")
    client.key = key
    return client


@pytest.fixture
def open311():
    return Open311Caller(APIClient())


@pytest.fixture
def customer(ulp):
    return CustomerFactory(unit=ulp, id_pelanggan="532100000017", meter_number="14500000017", lat=-1.2379, lng=116.8529)


class Open311Caller:
    """Calls ``/open311/v2/<path>.<format>`` and parses the answer: JSON data or an XML root element."""

    def __init__(self, client: APIClient):
        self.client = client

    def get(self, path: str, fmt: str = "json", headers: dict | None = None, **params):
        return self._parsed(self.client.get(f"{BASE}/{path}.{fmt}", params, **(headers or {})), fmt)

    def post(self, path: str, fmt: str = "json", data: dict | list | None = None, **headers):
        """POST form-encoded, as GeoReport v2 requires; list values become repeated keys."""
        body = urlencode(data or {}, doseq=True)
        response = self.client.post(
            f"{BASE}/{path}.{fmt}", data=body, content_type="application/x-www-form-urlencoded", **headers
        )
        return self._parsed(response, fmt)

    @staticmethod
    def _parsed(response, fmt: str):
        if fmt == "json":
            assert response["Content-Type"] == "application/json; charset=utf-8"
            response.body = json.loads(response.content)
        else:
            assert response["Content-Type"] == "text/xml; charset=utf-8"
            assert response.content.startswith(b'<?xml version="1.0" encoding="utf-8"?>')
            response.body = ET.fromstring(response.content)
        return response
