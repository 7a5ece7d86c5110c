"""Service-level targets are edited in the admin; overlapping or negative ones are refused with a message."""

import pytest

from tests.factories import category
from tickets.models import ServiceLevelTarget

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, superuser):
    client.force_login(superuser)
    return client


def form(**overrides):
    data = {
        "indicator": "internal",
        "category": category("LY-BN").pk,
        "unit": "",
        "network_work": "",
        "clock": "working_days",
        "response_time": "1",
        "resolution_time": "4",
        "monthly_limit": "",
        "valid_from": "2027-01-01",
        "valid_until": "",
        "source": "Keputusan GM 2027",
    }
    data.update(overrides)
    return data


def test_a_new_version_is_saved_from_the_admin(admin_client):
    response = admin_client.post("/admin/tickets/serviceleveltarget/add/", form())
    assert response.status_code == 302
    assert ServiceLevelTarget.objects.filter(category__code="LY-BN").count() == 2


def test_the_admin_refuses_a_negative_target_with_a_message(admin_client):
    response = admin_client.post("/admin/tickets/serviceleveltarget/add/", form(resolution_time="-1"))
    assert response.status_code == 200
    assert "Target tidak boleh negatif." in response.content.decode()
    assert ServiceLevelTarget.objects.filter(category__code="LY-BN").count() == 1


def test_the_admin_refuses_a_version_starting_on_the_same_day_as_another(admin_client):
    response = admin_client.post("/admin/tickets/serviceleveltarget/add/", form(valid_from="2020-01-01"))
    assert response.status_code == 200
    assert "tumpang tindih" in response.content.decode()
