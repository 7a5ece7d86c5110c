"""INFO PADAM MELUAS: an incident crossing its unit's threshold becomes wide-area (banner, PBX announcement,
console first) and stops being one below it; estimated times show everywhere at once; callers can ask for one
message when power returns."""

from datetime import timedelta

import pytest
from django.utils import timezone

from dispatch import services as dispatch_services
from dispatch.models import Incident
from hotline.api.views import caller_context
from notifications import messages
from outages import services
from outages.models import MassOutageThreshold, RestorationSubscription, WideAreaOutage
from tests.factories import CustomerFactory
from tickets.models import Notification

pytestmark = pytest.mark.django_db


@pytest.fixture
def threshold(ulp):
    return MassOutageThreshold.objects.create(unit=ulp, min_reports=3, min_customers=1000)


def banner(api_client, **params):
    response = api_client.get("/api/v1/outages/banner/", params)
    assert response.status_code == 200
    return response.json()["notices"]


def test_threshold_crossing_into_wide_area_mode_and_back(
    api_client, ulp, other_ulp, customers, report, threshold, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        report(customers["a0"])
        report(customers["a1"])
    incident = Incident.objects.get()
    assert not WideAreaOutage.objects.filter(active=True).exists()
    assert banner(api_client, unit=ulp.code) == []  # and this empty answer is now cached

    with django_capture_on_commit_callbacks(execute=True):
        report(customers["a2"])  # the third report reaches the unit's threshold
    wide = WideAreaOutage.objects.get(incident=incident)
    assert wide.active and wide.reports == 3
    shown = banner(api_client, unit=ulp.code)  # the cache was dropped with the change
    assert [n["kind"] for n in shown] == ["wide_area"] and shown[0]["incident"] == incident.pk
    assert banner(api_client, unit=other_ulp.code) == []  # not outside the area
    assert banner(api_client, lat=-1.211, lng=116.871)[0]["kind"] == "wide_area"  # nearest ULP by position

    # Two customers' power is back (staged): 1 report left, below the threshold → the mode ends.
    with django_capture_on_commit_callbacks(execute=True):
        services.restore_partly(incident=incident, transformer_codes=["GD-A"])
    wide.refresh_from_db()
    assert not wide.active and wide.ended_at is not None
    assert banner(api_client, unit=ulp.code) == []


def test_the_customer_count_threshold_also_counts(ulp, report):
    MassOutageThreshold.objects.create(unit=ulp, min_reports=500, min_customers=4)
    crowd = [CustomerFactory(unit=ulp, transformer_code="GD-Z", lat=-1.21, lng=116.87) for _ in range(4)]
    report(crowd[0])  # one report, but four customers on the transformer
    assert WideAreaOutage.objects.get().active


def test_estimate_changes_show_at_once_on_banner_and_announcement(
    api_client, dispatcher, ulp, customers, report, threshold, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        for key in ("a0", "a1", "a2"):
            report(customers[key])
    incident = Incident.objects.get()
    assert banner(api_client, unit=ulp.code)[0]["estimated_restoration_at"] is None
    first = api_client.get(f"/api/v1/announcements/{ulp.code}/").json()
    assert first["active"] and "INFO" not in first["text_en"] and "wide-area" in first["text_en"]
    assert first["incidents"] == [incident.pk]

    eta = timezone.now() + timedelta(hours=2)
    with django_capture_on_commit_callbacks(execute=True):
        dispatch_services.set_estimate(incident=incident, estimated_restoration_at=eta, by=dispatcher)
    notice = banner(api_client, unit=ulp.code)[0]
    assert notice["estimated_restoration_at"] == eta.isoformat()
    assert notice["estimated_restoration"] in notice["text"]
    spoken = api_client.get(f"/api/v1/announcements/{ulp.code}/?format=txt&lang=en")
    assert spoken["Content-Type"].startswith("text/plain")
    assert "expected back at about" in spoken.content.decode()
    assert api_client.get("/api/v1/announcements/NOPE/").status_code == 404


def test_an_estimate_in_the_past_is_refused(client_for, dispatcher, customers, report, threshold):
    report(customers["a0"])
    incident = Incident.objects.get()
    response = client_for(dispatcher).post(
        f"/api/v1/dispatch/incidents/{incident.pk}/estimate/",
        {"estimated_restoration_at": (timezone.now() - timedelta(hours=1)).isoformat()},
        format="json",
    )
    assert response.status_code == 400
    assert "estimated_restoration_at" in response.json()["extra"]["fields"]


def test_one_message_when_power_returns_instead_of_a_report(
    api_client, dispatcher, customers, report, threshold, django_capture_on_commit_callbacks
):
    for key in ("a0", "a1", "a2"):
        report(customers[key])
    incident = Incident.objects.get()
    body = {"incident": incident.pk, "phone": "0812 7777 0001"}
    assert api_client.post("/api/v1/outages/subscriptions/", body, format="json").status_code == 201
    assert api_client.post("/api/v1/outages/subscriptions/", body, format="json").status_code == 200
    bad = api_client.post("/api/v1/outages/subscriptions/", {"incident": incident.pk, "phone": "12"}, format="json")
    assert bad.status_code == 400 and "phone" in bad.json()["extra"]["fields"]
    assert RestorationSubscription.objects.count() == 1

    dispatch_services.restore_incident(incident=incident, by=dispatcher)
    dispatch_services.restore_incident(incident=incident, by=dispatcher)
    sent = Notification.objects.filter(kind=messages.POWER_BACK)
    assert [n.address for n in sent] == ["+6281277770001"]
    assert "power is back on" in messages.compose(sent[0]).text.lower() or "nyala" in messages.compose(sent[0]).text
    assert not WideAreaOutage.objects.get().active
    late = api_client.post("/api/v1/outages/subscriptions/", body, format="json")
    assert late.status_code == 409


def test_the_console_shows_the_wide_area_outage_first(ulp, customers, report, threshold):
    for key in ("a0", "a1", "a2"):
        report(customers[key])
    caller = CustomerFactory(unit=ulp, transformer_code="GD-Q", lat=-1.30, lng=116.95)  # far from the incident
    context = caller_context(customers=[caller], phone=caller.phone)
    first = context["incidents"][0]
    assert first["kind"] == "wide_area" and first["title"].startswith("INFO PADAM MELUAS")


def test_more_reports_joining_an_ongoing_wide_area_outage_keep_the_public_cache(
    api_client, ulp, customers, report, threshold, django_capture_on_commit_callbacks, django_assert_num_queries
):
    with django_capture_on_commit_callbacks(execute=True):
        for key in ("a0", "a1", "a2"):
            report(customers[key])
    assert banner(api_client, unit=ulp.code)[0]["kind"] == "wide_area"  # cached now
    with django_capture_on_commit_callbacks(execute=True):
        report(CustomerFactory(unit=ulp, transformer_code="GD-A", lat=-1.21, lng=116.87))
    assert WideAreaOutage.objects.get().reports == 4
    with django_assert_num_queries(0):  # a storm of reports does not empty the cache a storm of visitors needs
        assert banner(api_client, unit=ulp.code)[0]["kind"] == "wide_area"
