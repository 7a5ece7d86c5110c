"""The public outage map: open incidents and planned outages of a city, no personal data, served from the cache."""

from datetime import timedelta

import pytest
from django.utils import timezone

from dispatch.models import Incident
from outages import services

from .conftest import POLYGON

pytestmark = pytest.mark.django_db


def test_map_lists_incidents_and_plans_of_the_city_without_personal_data(
    api_client, ulp, up3, customers, report, django_assert_num_queries, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        report(customers["a0"], address="Jl. Melati 7, rumah Pak Budi")
        start = timezone.now() + timedelta(hours=5)
        services.create_planned_outage(
            unit=ulp, title="Pemeliharaan", starts_at=start, ends_at=start + timedelta(hours=2), area=POLYGON
        )
    response = api_client.get("/api/v1/outages/map/", {"area": up3.code})
    assert response.status_code == 200
    data = response.json()
    assert len(data["incidents"]) == 1 and len(data["planned"]) == 1
    text = response.content.decode()
    for secret in (customers["a0"].phone, customers["a0"].name, "Melati", customers["a0"].id_pelanggan):
        assert secret not in text
    assert data["incidents"][0]["lat"] == round(customers["a0"].lat, 3)

    api_client.get("/api/v1/outages/banner/", {"unit": ulp.code})  # the first visitor fills the unit's entry
    with django_assert_num_queries(0):  # a storm of visitors is served from the cache
        assert api_client.get("/api/v1/outages/map/", {"area": up3.code}).json() == data
        api_client.get("/api/v1/outages/banner/", {"unit": ulp.code})
        api_client.get("/api/v1/outages/banner/", {"unit": ulp.code})

    with django_capture_on_commit_callbacks(execute=True):
        Incident.objects.update(status="restored")
        services.evaluate_incident(incident=Incident.objects.get())
    assert api_client.get("/api/v1/outages/map/", {"area": up3.code}).json()["incidents"] == []


def test_map_page_and_unknown_area(client, api_client, up3):
    page = client.get("/peta-padam/")
    assert page.status_code == 200
    assert b"leaflet-1.9.4/leaflet.js" in page.content and b"<script>" not in page.content
    assert api_client.get("/api/v1/outages/map/", {"area": "NOWHERE"}).status_code == 404
    assert api_client.get("/api/v1/outages/map/").status_code == 400


def test_customers_opt_in_with_their_id_pelanggan_and_phone(client, customers):
    customer = customers["a0"]
    wrong = client.post("/info-pemadaman/", {"id_pelanggan": customer.id_pelanggan, "phone": "081299998888"})
    assert wrong.status_code == 400
    right = client.post("/info-pemadaman/", {"id_pelanggan": customer.id_pelanggan, "phone": customer.phone})
    assert (
        right.status_code == 200
        and hasattr(customer, "outage_alert")
        or customer.__class__.objects.get(pk=customer.pk).outage_alert
    )


def test_the_outage_endpoints_are_in_the_openapi_schema(api_client, db):
    paths = api_client.get("/api/schema/", {"format": "json"}).json()["paths"]
    for path in (
        "/api/v1/outages/banner/",
        "/api/v1/outages/map/",
        "/api/v1/outages/subscriptions/",
        "/api/v1/outages/planned/",
        "/api/v1/outages/incidents/{id}/partly-restored/",
        "/api/v1/announcements/{code}/",
    ):
        assert path in paths
