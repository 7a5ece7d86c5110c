"""Dispatch on phones: a technician runs a job from offer to restored (also offline), a dispatcher assigns
by hand on the board, and a customer reporting where an outage is known is told so at once."""

import io
import time
from datetime import timedelta

import pytest
from django.db import OperationalError
from django.test import Client
from django.utils import timezone
from PIL import Image
from playwright.sync_api import expect

from core import roles
from dispatch import services
from dispatch.models import Assignment, Incident, JobStep, Technician
from tests.factories import ServiceUnitFactory, TicketFactory, make_staff
from tickets.models import Ticket, TicketEvent

PASSWORD = "sigap-e2e-123"
SLOW = 30_000  # ms: a step sent when the network returns, a board refresh


@pytest.fixture
def balikpapan_ulp(transactional_db):
    return ServiceUnitFactory(code="ULP-E2E", name="ULP Balikpapan Utara", center_lat=-1.212, center_lng=116.872)


def technician(unit, username: str, *, lat: float = -1.2101, lng: float = 116.8711) -> Technician:
    user = make_staff(role=roles.TECHNICIAN, unit=unit, username=username)
    user.first_name = username.capitalize()
    user.set_password(PASSWORD)
    user.save()
    tech = Technician.objects.create(user=user, unit=unit, skills=["lv"], job_limit=1)
    services.set_on_duty(technician=tech, on_duty=True)
    services.record_position(technician=tech, lat=lat, lng=lng)
    return tech


def outage_ticket(unit, *, address: str = "Jl. Ahmad Yani No. 5, Balikpapan") -> Ticket:
    return TicketFactory(unit=unit, lat=-1.2105, lng=116.8715, address=address)


def log_in(page, username: str, next_url: str) -> None:
    page.goto(f"/accounts/login/?next={next_url}")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("form.stack button[type=submit]")
    page.wait_for_url(f"**{next_url}")


def use_session_of(page, user, live_server) -> None:
    client = Client()
    client.force_login(user)
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )


def photo_file(tmp_path):
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), "#c04020").save(buffer, format="JPEG")
    path = tmp_path / "gardu.jpg"
    path.write_bytes(buffer.getvalue())
    return str(path)


def wait_for(predicate, timeout: float = 20.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            value = predicate()
        except OperationalError as exc:
            # On SQLite the test database is one shared in-memory cache: a read here can meet the live
            # server's write in progress ("table is locked"). That is "not yet", not a failure.
            if "locked" not in str(exc):
                raise
            value = None
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError("condition not met in time")


def test_a_technician_takes_a_job_from_offer_to_restored_on_a_phone(phone_page, balikpapan_ulp, tmp_path, settings):
    settings.DISPATCH_TECH_POLL_SECONDS = 1
    page = phone_page
    # given an outage ticket routed to the technician as an offer (their last position a few hundred metres away)
    tech = technician(balikpapan_ulp, "tono", lat=-1.2150, lng=116.8750)
    ticket = outage_ticket(balikpapan_ulp)
    offer = services.route_ticket(ticket_id=ticket.pk)
    assert offer is not None and offer.technician == tech and offer.state == Assignment.State.OFFERED
    # when the technician logs in on their phone
    log_in(page, "tono", "/tech/")
    # then the offer shows with its countdown, in Indonesian
    card = page.locator(f".job-card[data-assignment='{offer.pk}']")
    expect(card).to_have_attribute("data-state", "offered")
    expect(card.locator(".job-address")).to_have_text("Jl. Ahmad Yani No. 5, Balikpapan")
    expect(card.locator(".countdown")).to_contain_text("Jawab dalam")
    expect(page.locator("#on-duty")).to_be_checked()
    # and the phone has sent where it is now
    wait_for(lambda: abs(Technician.objects.get(pk=tech.pk).last_lat - -1.2101) < 1e-6)
    # when they accept, go, arrive and restore with a cause, notes and a photo
    card.locator(".step-accept").click()
    expect(page.locator("#jobs .job-card")).to_have_attribute("data-state", "accepted")
    maps = page.locator("#jobs .maps-link")
    expect(maps).to_have_attribute("href", "https://www.google.com/maps/dir/?api=1&destination=-1.210500,116.871500")
    page.locator("#jobs .step-depart").click()
    expect(page.locator("#jobs .job-card")).to_have_attribute("data-state", "en_route")
    page.locator("#jobs .step-arrive").click()
    expect(page.locator("#jobs .job-card")).to_have_attribute("data-state", "on_site")
    job = page.locator("#jobs .job-card")
    expect(job.locator(".job-meta")).to_contain_text("Di lokasi")
    job.locator("select[name=cause]").select_option("tree")
    job.locator("textarea[name=notes]").fill("Dahan pohon menimpa JTR, sudah dipotong")
    job.locator("input[name=photo]").set_input_files(photo_file(tmp_path))
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    job.locator(".step-restore").click()
    # then the job is gone from the phone and restored on the server, every step once, in order
    expect(page.locator("#jobs")).to_contain_text("Tidak ada pekerjaan", timeout=SLOW)
    expect(page.locator("#queue-status")).to_be_hidden()
    offer.refresh_from_db()
    assert offer.state == Assignment.State.RESTORED
    assert offer.cause == "tree" and offer.notes.startswith("Dahan pohon")
    assert offer.photo.name.startswith("job-photos/")
    steps = list(JobStep.objects.filter(assignment=offer).order_by("at", "id").values_list("step", flat=True))
    assert steps == ["accept", "depart", "arrive", "restore"]
    assert JobStep.objects.filter(assignment=offer, lat__isnull=False).count() == 4
    assert Incident.objects.get(pk=offer.incident_id).status == Incident.Status.RESTORED
    ticket.refresh_from_db()
    assert ticket.status in {Ticket.Status.RESTORED, Ticket.Status.RESOLVED, Ticket.Status.CLOSED}
    # when another outage is routed to them, the app shows the new offer by itself
    second = services.route_ticket(ticket_id=outage_ticket(balikpapan_ulp, address="Jl. Pupuk Raya 3").pk)
    assert second is not None and second.technician == tech and second.incident_id != offer.incident_id
    expect(page.locator(f".job-card[data-assignment='{second.pk}']")).to_contain_text("Jl. Pupuk Raya 3")
    # and at the end of the shift they go off duty
    with page.expect_response(lambda r: "/duty/" in r.url and r.ok, timeout=SLOW):
        page.locator("#on-duty").uncheck()
    assert not Technician.objects.get(pk=tech.pk).on_duty
    expect(page.locator("#on-duty")).not_to_be_checked()


def test_steps_taken_offline_are_sent_once_in_order_when_the_network_returns(phone_page, balikpapan_ulp, live_server):
    page = phone_page
    # given an offer on the technician's open app
    tech = technician(balikpapan_ulp, "tari")
    offer = services.route_ticket(ticket_id=outage_ticket(balikpapan_ulp).pk)
    use_session_of(page, tech.user, live_server)
    page.goto("/tech/")
    expect(page.locator("#tech-app")).to_have_attribute("data-ready", "1")
    expect(page.locator(f".job-card[data-assignment='{offer.pk}']")).to_have_attribute("data-state", "offered")
    # the service worker keeps the app for offline use
    assert page.evaluate("navigator.serviceWorker.ready.then(r => r.scope)") == live_server.url + "/tech/"
    page.wait_for_function("caches.keys().then(k => k.length > 0)", polling=200)
    # when the network drops and the technician accepts and leaves
    page.context.set_offline(True)
    page.locator(".step-accept").click()
    expect(page.locator("#jobs .job-card")).to_have_attribute("data-state", "accepted")
    page.locator("#jobs .step-depart").click()
    # then the phone shows both steps waiting, and the server has none
    expect(page.locator("#queue-status")).to_have_text("Langkah menunggu jaringan: 2")
    expect(page.locator("#net-status")).to_have_text("Luring")
    expect(page.locator("#jobs .job-card")).to_have_attribute("data-state", "en_route")
    assert JobStep.objects.filter(assignment=offer).count() == 0
    # and the app opens again without network, with its queue
    page.reload()
    expect(page.locator("#tech-app")).to_have_attribute("data-ready", "1")
    expect(page.locator("#queue-status")).to_have_text("Langkah menunggu jaringan: 2")
    expect(page.locator("#jobs .job-card")).to_have_attribute("data-state", "en_route")
    assert JobStep.objects.filter(assignment=offer).count() == 0
    # when the network returns
    page.context.set_offline(False)
    # then both steps arrive once, in order, and the queue empties
    expect(page.locator("#queue-status")).to_be_hidden(timeout=SLOW)
    wait_for(lambda: JobStep.objects.filter(assignment=offer).count() == 2)
    assert list(JobStep.objects.filter(assignment=offer).order_by("at", "id").values_list("step", flat=True)) == [
        "accept",
        "depart",
    ]
    offer.refresh_from_db()
    assert offer.state == Assignment.State.EN_ROUTE
    # and a reload sends nothing again
    page.reload()
    expect(page.locator("#tech-app")).to_have_attribute("data-ready", "1")
    expect(page.locator("#jobs .job-card")).to_have_attribute("data-state", "en_route")
    page.wait_for_timeout(1000)
    assert JobStep.objects.filter(assignment=offer).count() == 2


def test_a_dispatcher_sees_an_unassigned_incident_and_assigns_it_by_hand(
    phone_page, balikpapan_ulp, live_server, settings
):
    settings.MAP_TILE_URL = ""  # no map tiles from the internet in tests
    settings.DISPATCH_BOARD_POLL_SECONDS = 1
    page = phone_page
    # given an incident nobody was offered (the technician was off duty when it came in)
    ticket = outage_ticket(balikpapan_ulp, address="Gg. Melati RT 12, Balikpapan")
    incident = services.attach_to_incident(ticket=ticket)
    tech = technician(balikpapan_ulp, "budi")
    dispatcher = make_staff(role=roles.DISPATCHER, unit=balikpapan_ulp, username="dewi-dispatch")
    use_session_of(page, dispatcher, live_server)
    # when the dispatcher opens the board on a phone
    page.goto("/dispatch/")
    item = page.locator(f".incident[data-incident='{incident.pk}']")
    expect(item).to_contain_text("Gg. Melati RT 12")
    expect(item).to_contain_text("belum ditugaskan")
    expect(page.locator("#technician-list")).to_contain_text("Budi")
    expect(page.locator("path.tech-marker")).to_have_count(1)
    expect(page.locator("path.incident-marker")).to_have_count(1)
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    # and assigns it by hand with a reason
    item.locator(".assign-toggle").click()
    item.locator("select[name=technician]").select_option(str(tech.pk))
    item.locator("input[name=reason]").fill("Regu terdekat, sudah dihubungi lewat radio")
    item.locator(".assign-submit").click()
    # then the board shows the crew and the timeline has the reason
    expect(page.locator(f".incident[data-incident='{incident.pk}'] .assigned-to")).to_contain_text("Budi", timeout=SLOW)
    assignment = Assignment.objects.get(incident=incident)
    assert assignment.manual and assignment.technician == tech and assignment.assigned_by == dispatcher
    assert assignment.reason == "Regu terdekat, sudah dihubungi lewat radio"
    assert TicketEvent.objects.filter(ticket=ticket, message__contains="Regu terdekat").exists()
    # when the dispatcher gives the estimated restoration time (the form offers two hours from now)
    item = page.locator(f".incident[data-incident='{incident.pk}']")
    item.locator("details.estimate summary").click()
    item.locator(".estimate-submit").click()
    expect(item).to_contain_text("Perkiraan menyala:", timeout=SLOW)
    incident.refresh_from_db()
    assert abs(incident.estimated_restoration_at - (timezone.now() + timedelta(hours=2))) < timedelta(minutes=3)
    # and a new outage appears on the board without a reload
    far = TicketFactory(unit=balikpapan_ulp, lat=-1.26, lng=116.90, address="Jl. Mulawarman 8")
    fresh = services.attach_to_incident(ticket=far)
    expect(page.locator(f".incident[data-incident='{fresh.pk}']")).to_contain_text("Jl. Mulawarman 8")


def test_the_report_form_says_at_once_that_an_outage_is_known_here(phone_page, balikpapan_ulp):
    page = phone_page
    # given an open incident next to the customer, with an estimated restoration time
    incident = services.attach_to_incident(ticket=outage_ticket(balikpapan_ulp))
    dispatcher = make_staff(role=roles.DISPATCHER, unit=balikpapan_ulp, username="dewi-dispatch")
    estimate = timezone.now() + timedelta(hours=2)
    services.set_estimate(incident=incident, estimated_restoration_at=estimate, by=dispatcher)
    # when the customer picks an outage and uses their location
    page.goto("/")
    notice = page.locator("#nearby-outage")
    page.select_option("#id_category", label="Padam satu rumah / persil")
    expect(notice).to_be_hidden()
    page.click("#use-location")
    # then the form says so at once
    expect(notice).to_be_visible()
    expect(notice).to_contain_text("Sudah ada gangguan yang diketahui di sini.")
    expect(notice).to_contain_text("Perkiraan menyala:")
    expect(notice).not_to_contain_text("belum diketahui")
    # a question about a bill is not an outage
    page.select_option("#id_category", index=0)
    expect(notice).to_be_hidden()
    page.select_option("#id_category", label="Padam satu rumah / persil")
    expect(notice).to_be_visible()
    # and the customer can still send the report
    page.fill("#id_description", "Padam juga di rumah saya")
    page.fill("#id_reporter_phone", "0812 3456 7891")
    page.click("#submit-report")
    expect(page.locator("#ticket-number")).to_be_visible()


def test_a_queued_step_the_server_refuses_is_dropped_with_its_message(phone_page, balikpapan_ulp, live_server):
    page = phone_page
    # given an offer accepted while offline
    tech = technician(balikpapan_ulp, "sari")
    offer = services.route_ticket(ticket_id=outage_ticket(balikpapan_ulp).pk)
    use_session_of(page, tech.user, live_server)
    page.goto("/tech/")
    expect(page.locator("#tech-app")).to_have_attribute("data-ready", "1")
    expect(page.locator(".step-accept")).to_be_enabled()
    page.context.set_offline(True)
    page.locator(".step-accept").click()
    expect(page.locator("#queue-status")).to_have_text("Langkah menunggu jaringan: 1")
    # when the offer runs out before the network returns
    Assignment.objects.filter(pk=offer.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    page.context.set_offline(False)
    # then the server's refusal is shown, the queue is empty and nothing changed
    expect(page.locator("#tech-message")).to_contain_text("Server menolak satu langkah", timeout=SLOW)
    expect(page.locator("#queue-status")).to_be_hidden()
    assert not JobStep.objects.filter(assignment=offer).exists()
    offer.refresh_from_db()
    assert offer.state in {Assignment.State.OFFERED, Assignment.State.EXPIRED}


def test_a_position_the_server_refused_is_sent_again_within_seconds(phone_page, balikpapan_ulp):
    # given a technician whose last known position is elsewhere, and a server that refuses the phone's first fix
    tech = technician(balikpapan_ulp, "tina", lat=-1.2150, lng=116.8750)
    refused = []

    def refuse_the_first(route):
        if refused:
            route.continue_()
        else:
            refused.append(route.request.url)
            route.fulfill(status=503, body="{}", content_type="application/json")

    phone_page.route("**/position/", refuse_the_first)
    # when they open the app, then the position is sent again and taken seconds later (the regular ping is a
    # minute apart); waiting through Playwright keeps the routed requests moving
    with phone_page.expect_response(lambda r: "/position/" in r.url and r.ok, timeout=15_000):
        log_in(phone_page, "tina", "/tech/")
    assert len(refused) == 1
    assert abs(Technician.objects.get(pk=tech.pk).last_lat - -1.2101) < 1e-6


def test_going_off_duty_while_the_server_is_briefly_unavailable_still_goes_through(
    phone_page, balikpapan_ulp, settings
):
    settings.DISPATCH_TECH_POLL_SECONDS = 1  # the app's poll (which carries the server's duty) every second
    # given a technician on duty, and a server that answers the first two duty changes with a 503
    tech = technician(balikpapan_ulp, "tari")
    refused, polls = [], []

    def unavailable_twice(route):
        if len(refused) >= 2:
            route.continue_()
        else:
            refused.append(route.request.url)
            route.fulfill(status=503, body="{}", content_type="application/json", headers={"Retry-After": "1"})

    log_in(phone_page, "tari", "/tech/")
    box = phone_page.locator("#on-duty")
    expect(box).to_be_checked()
    phone_page.route("**/duty/", unavailable_twice)
    # when they go off duty
    with phone_page.expect_response(lambda r: "/duty/" in r.url and r.status == 503):
        box.uncheck()
    # then while the app asks again (about 3 s, with polls answering "on duty" meanwhile), the box stays unticked
    phone_page.on("response", lambda r: polls.append(r.status) if r.url.endswith("/jobs/") else None)
    phone_page.evaluate(
        """() => { window.dutyTicked = 0; const box = document.getElementById("on-duty");
                   window.setInterval(() => { if (box.checked) { window.dutyTicked += 1; } }, 20); }"""
    )
    with phone_page.expect_response(lambda r: "/duty/" in r.url and r.ok, timeout=SLOW):
        pass
    assert polls, "no poll was answered while the change was being asked again"
    assert phone_page.evaluate("window.dutyTicked") == 0
    # and the change is made, with no failure shown
    assert len(refused) == 2
    assert not Technician.objects.get(pk=tech.pk).on_duty
    expect(box).not_to_be_checked()
    expect(phone_page.locator("#tech-message")).to_be_hidden()


@pytest.mark.parametrize(("language", "twelve_hour"), [("id", False), ("en", True)])
def test_the_board_clock_reads_in_the_page_language_not_the_browser_locale(
    browser, balikpapan_ulp, live_server, language, twelve_hour
):
    # given a dispatcher whose browser runs in the other language's locale
    dispatcher = make_staff(role=roles.DISPATCHER, unit=balikpapan_ulp, username="dewi-dispatch")
    context = browser.new_context(
        viewport={"width": 360, "height": 740}, base_url=live_server.url, locale="id-ID" if twelve_hour else "en-US"
    )
    try:
        page = context.new_page()
        context.add_cookies([{"name": "sigap_language", "value": language, "url": live_server.url}])
        use_session_of(page, dispatcher, live_server)
        # when the board has loaded
        page.goto("/dispatch/")
        updated = page.locator("#board-updated")
        expect(updated).not_to_be_empty()
        # then its "updated" time is written the page language's way (English 12-hour, Indonesian 24-hour)
        text = updated.inner_text()
        assert ("AM" in text or "PM" in text) == twelve_hour, text
    finally:
        context.close()
