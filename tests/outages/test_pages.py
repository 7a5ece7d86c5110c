"""Admin refuses bad windows with messages; the tracking page tells the banner where the ticket is."""

from datetime import timedelta

import pytest
from django.utils import timezone

from outages.models import PlannedOutage
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_admin_refuses_a_window_that_ends_before_it_starts_and_saves_a_good_one(client, ulp, customers):
    admin = UserFactory(username="root", is_staff=True, is_superuser=True)
    client.force_login(admin)
    start = timezone.localtime(timezone.now() + timedelta(days=1))
    form = {
        "unit": ulp.pk,
        "title": "Pemeliharaan",
        "transformer_codes": '["GD-A"]',
        "feeder_codes": "[]",
        "area": "null",
        "starts_at_0": start.strftime("%Y-%m-%d"),
        "starts_at_1": "10:00:00",
        "ends_at_0": start.strftime("%Y-%m-%d"),
        "ends_at_1": "09:00:00",
    }
    refused = client.post("/admin/outages/plannedoutage/add/", form)
    assert refused.status_code == 200 and "Waktu selesai harus setelah waktu mulai" in refused.content.decode()
    assert not PlannedOutage.objects.exists()
    form["ends_at_1"] = "14:00:00"
    saved = client.post("/admin/outages/plannedoutage/add/", form)
    assert saved.status_code == 302
    plan = PlannedOutage.objects.get()
    assert plan.customers_affected == 3 and plan.created_by == admin


def test_the_tracking_page_gives_the_banner_its_place(client, customers, report):
    ticket = report(customers["a0"], attach=False)
    page = client.get(f"/t/{ticket.tracking_token}/")
    assert page.status_code == 200
    assert f'data-unit="{ticket.unit.code}"'.encode() in page.content
    assert f'data-idpel="{customers["a0"].id_pelanggan}"'.encode() in page.content
    assert b"js/outages/banner.js" in page.content
