"""Say only what is true: a message no gateway carried is "logged (no gateway)", not "sent"; it is final (the
sweep never sends it again); the staff timeline shows it, and names the customer in words; a deploy check
warns when production runs with a logging-only adapter. A missing page keeps the content-security policy and
the favicon; the restoration cause reads in the reader's language; counts read "1 report", "2 reports"."""

from datetime import timedelta

import pytest
from django.contrib.staticfiles import finders
from django.core.checks import run_checks
from django.test import Client
from django.utils import timezone, translation

from core import roles
from dispatch import services as dispatch_services
from dispatch.models import Assignment
from notifications import services as notifications
from tests.factories import category, make_staff
from tickets import services, tasks
from tickets.models import Notification, Ticket

pytestmark = pytest.mark.django_db


def open_outage(unit):
    return services.open_ticket(
        category=category("GG-PADAM-1"),
        channel=Ticket.Channel.WEB,
        description="Listrik padam",
        reporter_phone="081234567890",
        unit=unit,
    )


def test_a_message_only_written_to_the_log_is_recorded_as_logged_not_sent(ulp, settings):
    # given the development default: SMS goes to the log
    settings.NOTIFY_ADAPTERS = {**settings.NOTIFY_ADAPTERS, "sms": "console"}
    ticket = open_outage(ulp)
    notification = ticket.notifications.get(channel="sms")
    # when
    result = tasks.send_notification(notification.pk)
    # then
    notification.refresh_from_db()
    assert result == "logged"
    assert notification.status == Notification.Status.LOGGED
    with translation.override("en"):
        assert notification.get_status_display() == "Logged (no gateway)"
    with translation.override("id"):
        assert notification.get_status_display() == "Tercatat di log (tanpa gateway)"


def test_the_sweep_never_sends_a_logged_message_again(ulp, settings):
    # given a logged message long overdue
    settings.NOTIFY_ADAPTERS = {**settings.NOTIFY_ADAPTERS, "sms": "console"}
    ticket = open_outage(ulp)
    notification = ticket.notifications.get(channel="sms")
    tasks.send_notification(notification.pk)
    Notification.objects.filter(pk=notification.pk).update(next_attempt_at=timezone.now() - timedelta(days=1))
    # when
    swept = notifications.sweep_notifications(older_than_seconds=0)
    # then
    assert notification.pk not in swept
    notification.refresh_from_db()
    assert notification.attempts == 1


def test_the_staff_timeline_shows_logged_messages_and_the_customer_in_words(ulp, settings):
    # given a ticket a customer opened on the web, its SMS only logged
    settings.NOTIFY_ADAPTERS = {**settings.NOTIFY_ADAPTERS, "sms": "console"}
    ticket = open_outage(ulp)
    tasks.send_notification(ticket.notifications.get(channel="sms").pk)
    client = Client()
    client.force_login(make_staff(role=roles.BACK_OFFICE, unit=ulp, username="bo-truth"))
    client.cookies["sigap_language"] = "en"
    # when
    html = client.get(f"/backoffice/t/{ticket.number}/").content.decode()
    # then
    assert "Logged (no gateway)" in html
    assert ">customer<" not in html and "Customer</small>" in html


@pytest.mark.parametrize(
    "debug, adapter, warned", [(False, "console", True), (False, "http", False), (True, "console", False)]
)
def test_check_deploy_warns_when_production_only_logs_sms(settings, debug, adapter, warned):
    # given
    settings.DEBUG = debug
    settings.NOTIFY_ADAPTERS = {"sms": adapter, "whatsapp": "http", "email": "email"}
    # when
    messages = [m for m in run_checks(include_deployment_checks=True) if m.id.startswith("sigap.")]
    # then
    assert bool(messages) is warned
    if warned:
        assert "SMS" in messages[0].msg


@pytest.mark.parametrize("debug", [False, True])
def test_a_missing_page_keeps_the_content_security_policy_and_reads_in_the_readers_language(settings, debug):
    # given
    settings.DEBUG = debug
    client = Client()
    client.cookies["sigap_language"] = "en"
    # when
    response = client.get("/no-such-page/")
    # then
    assert response.status_code == 404
    assert "script-src 'self'" in response["Content-Security-Policy"]
    if not debug:  # with DEBUG on, Django shows its own debug page instead of the site's
        html = response.content.decode()
        assert "Page not found" in html and 'rel="icon"' in html


def test_favicon_ico_leads_to_the_icon(settings):
    # when
    response = Client().get("/favicon.ico")
    # then
    assert response.status_code == 301
    assert response["Location"] == settings.STATIC_URL + "img/favicon.ico"
    assert finders.find("img/favicon.ico")


def test_the_tracking_page_names_the_restoration_cause_in_the_readers_language(ulp):
    # given an outage restored by a technician who works in Indonesian
    ticket = open_outage(ulp)
    incident = dispatch_services.attach_to_incident(ticket=ticket)
    with translation.override("id"):
        dispatch_services.restore_incident(incident=incident, by=None, cause=Assignment.Cause.TREE)
        indonesian = str(Assignment.Cause.TREE.label)
    client = Client()
    # when the customer reads the tracking page in English, then in Indonesian
    client.cookies["sigap_language"] = "en"
    english_page = client.get(f"/t/{ticket.tracking_token}/").content.decode()
    english_json = client.get(f"/t/{ticket.tracking_token}/status.json").json()
    client.cookies["sigap_language"] = "id"
    indonesian_page = client.get(f"/t/{ticket.tracking_token}/").content.decode()
    # then
    assert "Tree or branch on the line" in english_page and indonesian not in english_page
    assert english_json["progress"]["cause"] == "Tree or branch on the line"
    assert indonesian in indonesian_page


@pytest.mark.parametrize(
    "language, reports, jobs",
    [
        ("en", ("{count} report waiting", "{count} reports waiting"), ("{count} job", "{count} jobs")),
        ("id", ("{count} laporan menunggu", "{count} laporan menunggu"), ("{count} pekerjaan", "{count} pekerjaan")),
    ],
)
def test_the_dispatch_board_gives_its_script_the_singular_and_the_plural(ulp, language, reports, jobs):
    # given
    client = Client()
    client.force_login(make_staff(role=roles.DISPATCHER, unit=ulp, username="plural-dispatch"))
    client.cookies["sigap_language"] = language
    # when
    html = client.get("/dispatch/").content.decode()
    # then
    assert f'data-reports-one="{reports[0]}"' in html and f'data-reports-other="{reports[1]}"' in html
    assert f'data-jobs-one="{jobs[0]}"' in html and f'data-jobs-other="{jobs[1]}"' in html
