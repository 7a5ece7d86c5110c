"""Demo data lets each demo role see its work: a pasang baru in any ULP of the UP3 is in the demo back
office's queue."""

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from tests.factories import category
from tickets import demo, services
from tickets.models import ServiceUnit, Ticket

pytestmark = pytest.mark.django_db


def test_a_new_pasang_baru_in_balikpapan_selatan_is_in_the_demo_back_office_queue():
    # given the demo units and staff
    demo.seed(customers_per_unit=1)
    ticket = services.open_ticket(
        category=category("LY-PB"),
        channel=Ticket.Channel.WEB,
        description="Pasang baru 1300 VA",
        reporter_phone="081234567890",
        unit=ServiceUnit.objects.get(code="ULP-BPP-SELATAN"),
    )
    client = Client()
    client.force_login(get_user_model().objects.get(username="backoffice"))
    # when
    page = client.get("/backoffice/")
    # then
    assert ticket.number in page.content.decode()


def test_the_demo_back_office_sees_the_demo_feedback_one_of_it_answered():
    # given the demo data, loaded twice
    demo.seed(customers_per_unit=1)
    assert demo.seed_feedback() == {"feedback": 3}
    assert demo.seed_feedback() == {"feedback": 0}
    client = Client()
    client.force_login(get_user_model().objects.get(username="backoffice"))
    # when
    page = client.get("/backoffice/feedback/").content.decode()
    # then
    assert page.count('class="feedback-') == 3
    assert page.count('class="feedback-replied"') == 1
