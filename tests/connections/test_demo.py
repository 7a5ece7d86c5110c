"""The demo leaves applications at different stages in the Balikpapan ULPs, visits for tech1 and tech2, and a
programme running today; seeding twice adds nothing."""

import pytest

from connections import demo
from connections.models import Application
from dispatch import demo as dispatch_demo
from dispatch.models import FieldJob
from tickets import demo as tickets_demo

pytestmark = pytest.mark.django_db


def test_the_demo_shows_connection_work_and_seeding_twice_adds_nothing(django_capture_on_commit_callbacks):
    tickets_demo.seed(customers_per_unit=6)
    dispatch_demo.seed()
    with django_capture_on_commit_callbacks(execute=True):
        first = demo.seed()
    second = demo.seed()
    assert (first["applications"], second["applications"]) == (4, 0)
    stages = dict(Application.objects.values_list("applicant_name", "stage"))
    assert stages["Rina Wulandari (demo)"] == "permohonan"
    assert stages["Hendra Saputra (demo)"] == "survei"
    assert stages["Siti Rahmawati (demo)"] == "pembayaran"
    assert stages["Agus Pratama (demo)"] == "pemasangan"
    assert Application.objects.get(applicant_name="Siti Rahmawati (demo)").programme.code == demo.PROGRAMME_CODE
    holders = set(FieldJob.objects.values_list("technician__user__username", flat=True))
    assert holders == {"tech1", "tech2"}
    assert Application.objects.filter(unit__code="ULP-BPP-SELATAN").count() == 2
