"""No dead ends, end to end in a browser, on a 360 px phone and a desktop, in both languages:

1. a customer reports an outage → a technician whose phone stopped sending positions still gets the job, with
   the customer's words and a tap-to-call number → restores it → the customer confirms the power is back;
2. a customer answers the back office's question with words and a file, and the clock runs again.
"""

import io
import re
from datetime import timedelta

import pytest
from django.utils import timezone
from PIL import Image
from playwright.sync_api import expect

from core import roles
from dispatch import services as dispatch_services
from dispatch.models import Assignment, Incident, Technician
from outages.models import RestorationCheck
from tests.factories import ServiceUnitFactory, category, make_staff
from tickets import services as ticket_services
from tickets.models import CustomerReply, Ticket
from tickets.sla import services as sla_services

from .test_dispatch_journeys import PASSWORD, log_in, wait_for

DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 360, "height": 740}
# (viewport, language, words the customer sees)
SIZES = [
    pytest.param(PHONE, "id", id="phone-id"),
    pytest.param(DESKTOP, "en", id="desktop-en"),
]
WORDS = {
    "id": {
        "heading": "Laporkan gangguan listrik",
        "category": "Padam satu rumah / persil",
        "restored": "Nyala",
        "call": "Telepon",
        "yes": "Ya",
        "asked": "Kami memerlukan jawaban Anda",
        "thanks": "Terima kasih, jawaban Anda sudah terkirim",
    },
    "en": {
        "heading": "Report a power problem",
        "category": "Single-premise outage",
        "restored": "Power restored",
        "call": "Call",
        "yes": "Yes",
        "asked": "We need your answer",
        "thanks": "Thank you, your answer has been sent",
    },
}


@pytest.fixture
def balikpapan_ulp(transactional_db, settings, tmp_path, monkeypatch):
    # Routing and messages run in-process, as with ./sigap run: these journeys start no Celery worker, also when
    # a broker is configured (CI sets REDIS_URL).
    # Only the Celery app's own switch: it is restored after the test (setting Django's CELERY_ setting first would
    # be read into the app's configuration on first use and stay for every later test of the process).
    from config.celery import app

    monkeypatch.setattr(app.conf, "task_always_eager", True)
    monkeypatch.setattr(app.conf, "task_eager_propagates", True)
    settings.MEDIA_ROOT = tmp_path
    settings.DISPATCH_TECH_POLL_SECONDS = 1
    settings.MAP_TILE_URL = ""
    return ServiceUnitFactory(code="ULP-E2E", name="ULP Balikpapan Utara", center_lat=-1.212, center_lng=116.872)


def _context(browser, live_server, viewport, language):
    context = browser.new_context(
        viewport=viewport,
        base_url=live_server.url,
        locale="id-ID",
        geolocation={"latitude": -1.2101, "longitude": 116.8711},
        permissions=["geolocation"],
        is_mobile=viewport is PHONE,
        has_touch=viewport is PHONE,
    )
    context.add_cookies([{"name": "sigap_language", "value": language, "url": live_server.url}])
    page = context.new_page()
    page.set_default_timeout(20000)
    return context, page


def _fits(page, viewport) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]


def _stale_technician(unit) -> Technician:
    """A technician on duty whose phone locked its screen 40 minutes ago (older than the position limit)."""
    user = make_staff(role=roles.TECHNICIAN, unit=unit, username="tono")
    user.first_name = "Tono"
    user.set_password(PASSWORD)
    user.save()
    tech = Technician.objects.create(user=user, unit=unit, skills=["lv"], job_limit=1)
    dispatch_services.set_on_duty(technician=tech, on_duty=True)
    Technician.objects.filter(pk=tech.pk).update(
        last_lat=-1.2150, last_lng=116.8750, last_position_at=timezone.now() - timedelta(minutes=40)
    )
    return tech


def _jpeg(tmp_path, name="foto.jpg") -> str:
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), "#2050c0").save(buffer, format="JPEG")
    path = tmp_path / name
    path.write_bytes(buffer.getvalue())
    return str(path)


@pytest.mark.parametrize(("viewport", "language"), SIZES)
def test_report_restore_confirm_with_a_technician_whose_position_is_old(
    browser, live_server, balikpapan_ulp, tmp_path, viewport, language
):
    words = WORDS[language]
    tech = _stale_technician(balikpapan_ulp)
    customer, page = _context(browser, live_server, viewport, language)
    # given a customer reporting an outage with their location
    page.goto("/")
    expect(page.locator("h1")).to_have_text(words["heading"])
    page.select_option("#id_category", label=words["category"])
    page.fill("#id_description", "Tiang miring di depan rumah, lampu mati semua")
    page.click("#use-location")
    page.fill("#id_reporter_name", "Siti")
    page.fill("#id_address", "Jl. Ahmad Yani No. 5")
    page.fill("#id_reporter_phone", "0812 3456 7890")
    page.click("#submit-report")
    number = page.locator("#ticket-number").inner_text().strip()
    assert re.fullmatch(r"\d{6}-\d{6}-\d", number)
    _fits(page, viewport)
    ticket = Ticket.objects.get(number=number)
    # then the job goes to the technician although their last position is 40 minutes old
    offer = wait_for(lambda: Assignment.objects.filter(incident__reports__ticket=ticket).first())
    assert offer.technician_id == tech.pk
    # when the technician opens the app on a phone: the card has the customer's words and a number to call
    tech_context, tech_page = _context(browser, live_server, PHONE, "id")
    log_in(tech_page, "tono", "/tech/")
    card = tech_page.locator(f".job-card[data-assignment='{offer.pk}']")
    expect(card.locator(".job-report-text")).to_have_text("Tiang miring di depan rumah, lampu mati semua")
    expect(card.locator(".job-report-who")).to_contain_text("Siti")
    expect(card.locator(".call-link")).to_have_attribute("href", "tel:+6281234567890")
    expect(card.locator(".job-meta")).to_contain_text("1 laporan menunggu")
    _fits(tech_page, PHONE)
    # and takes it from offer to restored
    card.locator(".step-accept").click()
    tech_page.locator("#jobs .step-depart").click()
    expect(tech_page.locator("#jobs .job-card")).to_have_attribute("data-state", "en_route")
    tech_page.locator("#jobs .step-arrive").click()
    job = tech_page.locator("#jobs .job-card")
    expect(job).to_have_attribute("data-state", "on_site")
    job.locator("select[name=cause]").select_option("tree")
    job.locator(".step-restore").click()
    expect(tech_page.locator("#jobs .job-card")).to_have_count(0)
    # the step reaches the server (a step refused for a moment by a busy database is sent again by the app)
    expect(tech_page.locator("#queue-status")).to_be_hidden(timeout=60_000)
    tech_context.close()
    wait_for(lambda: Ticket.objects.get(pk=ticket.pk).status != Ticket.Status.IN_PROGRESS, timeout=30)
    ticket.refresh_from_db()
    assert ticket.status == Ticket.Status.RESTORED, (ticket.status, Assignment.objects.get(pk=offer.pk).state)
    # then the customer's tracking page shows the restoration and their own words
    page.goto(f"/t/{ticket.tracking_token}/")
    expect(page.locator("#ticket-status")).to_contain_text(words["restored"])
    expect(page.locator("#own-description")).to_have_text("Tiang miring di depan rumah, lampu mati semua")
    # and they confirm the power is back on the question's page
    check = RestorationCheck.objects.get(ticket=ticket)
    page.goto(f"/nyala/{check.token}/")
    expect(page.locator("#answer-yes")).to_contain_text(words["yes"])
    _fits(page, viewport)
    page.click("#answer-yes")
    expect(page.locator("#confirm-result")).to_be_visible()
    assert Ticket.objects.get(pk=ticket.pk).status == Ticket.Status.CLOSED
    customer.close()


@pytest.mark.parametrize(("viewport", "language"), SIZES)
def test_a_customer_answers_the_back_offices_question_with_words_and_a_file(
    browser, live_server, balikpapan_ulp, tmp_path, viewport, language
):
    words = WORDS[language]
    worker = make_staff(role=roles.BACK_OFFICE, unit=balikpapan_ulp, username="bo-rina")
    ticket = ticket_services.open_ticket(
        category=category("TG-KOREKSI"),
        channel=Ticket.Channel.WEB,
        description="Tagihan bulan ini dua kali lipat",
        reporter_phone="081234567890",
        unit=balikpapan_ulp,
        language=language,
    )
    sla_services.claim_ticket(ticket=ticket, user=worker)
    sla_services.ask_customer(ticket=ticket, user=worker, message="Mohon kirim foto rekening bulan lalu")
    assert Ticket.objects.get(pk=ticket.pk).service_level.paused_since is not None
    customer, page = _context(browser, live_server, viewport, language)
    # given the customer finds their report with its number and phone
    page.goto("/lacak/")
    page.fill("#id_number", ticket.number)
    page.fill("#id_phone", "0812-3456-7890")
    page.click("form.stack button[type=submit]")
    # then the question is shown with a way to answer
    expect(page.locator("#reply-title")).to_have_text(words["asked"])
    expect(page.locator("#question-text")).to_have_text("Mohon kirim foto rekening bulan lalu")
    _fits(page, viewport)
    # when they answer with words and a photo
    page.fill("#id_message", "Ini foto rekening bulan lalu")
    page.set_input_files("#id_attachment", _jpeg(tmp_path, "rekening.jpg"))
    page.click("#send-reply")
    # then they are thanked, the form is gone and the clock runs again
    expect(page.locator("#reply-thanks")).to_contain_text(words["thanks"])
    expect(page.locator("#reply-form")).to_have_count(0)
    ticket.refresh_from_db()
    assert ticket.status == Ticket.Status.IN_PROGRESS and ticket.service_level.paused_since is None
    reply = CustomerReply.objects.get(ticket=ticket)
    assert reply.message == "Ini foto rekening bulan lalu" and reply.attachment.name.endswith(".jpg")
    _fits(page, viewport)
    customer.close()


@pytest.mark.parametrize(("viewport", "language"), SIZES)
def test_the_board_says_at_once_when_nobody_can_be_offered_an_outage(
    browser, live_server, balikpapan_ulp, settings, viewport, language
):
    settings.DISPATCH_BOARD_POLL_SECONDS = 1
    alert = {"id": "Tidak ada teknisi yang bisa ditawari", "en": "No technician can be offered"}[language]
    # given an outage reported while no technician is on duty
    ticket = ticket_services.open_ticket(
        category=category("GG-PADAM-1"),
        channel=Ticket.Channel.WEB,
        description="Padam satu gang",
        address="Gg. Melati RT 12",
        reporter_phone="081234567890",
        unit=balikpapan_ulp,
        lat=-1.2105,
        lng=116.8715,
    )
    assert dispatch_services.route_ticket(ticket_id=ticket.pk) is None
    dispatcher = make_staff(role=roles.DISPATCHER, unit=balikpapan_ulp, username="dewi-dispatch")
    dispatcher.set_password(PASSWORD)
    dispatcher.save()
    context, page = _context(browser, live_server, viewport, language)
    # when the dispatcher opens the board
    log_in(page, "dewi-dispatch", "/dispatch/")
    # then the alert is at the top and on the incident
    expect(page.locator("#nobody-alert")).to_contain_text(alert)
    expect(page.locator("#nobody-alert")).to_contain_text("Gg. Melati RT 12")
    expect(page.locator(".incident .nobody-to-offer")).to_have_count(1)
    _fits(page, viewport)
    # when a technician (phone locked for an hour) comes on duty and the sweeper routes again
    tech = _stale_technician(balikpapan_ulp)
    Incident.objects.update(last_routed_at=timezone.now() - timedelta(minutes=5))
    dispatch_services.sweep_dispatch()
    # then the alert goes away and the incident shows its crew
    expect(page.locator("#nobody-alert")).to_be_hidden()
    expect(page.locator(".incident .assigned-to")).to_contain_text(tech.user.first_name)
    context.close()
