import json
from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from notifications import delivery_sql
from notifications import services as notifications
from notifications.channels import TransientSendError
from tests.factories import category
from tickets import services, tasks
from tickets.models import ContactPreference, Notification, NotificationOptOut, Ticket

pytestmark = pytest.mark.django_db


def open_outage(unit, **overrides):
    values = {
        "category": category("GG-PADAM-1"),
        "channel": Ticket.Channel.WEB,
        "description": "Listrik padam",
        "reporter_phone": "081234567890",
        "unit": unit,
    }
    values.update(overrides)
    return services.open_ticket(**values)


def test_opening_a_ticket_writes_sms_and_email_rows_in_its_transaction(ulp):
    # given / when
    ticket = open_outage(ulp, reporter_email="Siti@Example.id")
    # then
    rows = {(n.channel, n.address, n.kind, n.status) for n in ticket.notifications.all()}
    assert rows == {
        ("sms", "+6281234567890", "received", "pending"),
        ("email", "siti@example.id", "received", "pending"),
    }


def test_a_status_change_writes_its_rows_and_a_rollback_removes_them(ulp, dispatcher):
    # given
    ticket = open_outage(ulp)
    # when
    with pytest.raises(RuntimeError), transaction.atomic():
        services.change_status(ticket=ticket, to_status="assigned", actor=dispatcher)
        assert Notification.objects.filter(ticket=ticket, kind="assigned").count() == 1
        raise RuntimeError("the surrounding work failed")
    # then
    assert not Notification.objects.filter(ticket=ticket, kind="assigned").exists()
    ticket.refresh_from_db()
    assert ticket.status == "received"


def test_rows_are_sent_after_commit_not_before(ulp, dispatcher, django_capture_on_commit_callbacks):
    # given
    ticket = open_outage(ulp)
    # when
    with django_capture_on_commit_callbacks() as callbacks:
        services.change_status(ticket=ticket, to_status="assigned", actor=dispatcher)
    # then
    assert len(callbacks) == 1
    assert Notification.objects.get(ticket=ticket, kind="assigned").status == "pending"


def test_going_back_to_received_is_internal_and_sends_nothing(ulp, dispatcher):
    # given
    ticket = open_outage(ulp)
    ticket = services.change_status(ticket=ticket, to_status="assigned", actor=dispatcher)
    # when
    services.change_status(ticket=ticket, to_status="received", actor=dispatcher)
    # then
    assert list(ticket.notifications.order_by("id").values_list("kind", flat=True)) == ["received", "assigned"]


def test_one_event_gets_at_most_one_row_per_channel(ulp):
    # given
    ticket = open_outage(ulp)
    first = ticket.notifications.get()
    # when / then
    with pytest.raises(IntegrityError), transaction.atomic():
        Notification.objects.create(
            ticket=ticket, event=first.event, kind="received", channel="sms", address=first.address
        )


def test_the_customers_whatsapp_preference_and_opt_outs_are_honoured(ulp, dispatcher):
    # given
    ContactPreference.objects.create(phone="+6281234567890", mobile_channel="whatsapp")
    NotificationOptOut.objects.create(channel="email", address="siti@example.id")
    # when
    ticket = open_outage(ulp, reporter_email="siti@example.id")
    # then
    assert list(ticket.notifications.values_list("channel", flat=True)) == ["whatsapp"]


def test_the_task_sends_through_the_http_gateway_with_number_and_link(ulp, sms_gateway):
    # given
    ticket = open_outage(ulp)
    notification = ticket.notifications.get()
    # when
    result = tasks.send_notification(notification.pk)
    # then
    assert result == "sent"
    [request] = sms_gateway.received
    body = json.loads(request.body)
    assert body["to"] == "+6281234567890"
    assert ticket.number in body["message"] and ticket.tracking_token in body["message"]
    assert "diterima" in body["message"]  # Bahasa Indonesia by default
    assert body["reference"] == str(notification.reference)
    assert request.headers["Authorization"] == "Bearer secret-token"
    notification.refresh_from_db()
    assert notification.status == "sent" and notification.provider_message_id == "msg-1"
    attempt = notification.attempt_log.get()
    assert attempt.succeeded and attempt.provider_status == "200" and "msg-1" in attempt.provider_answer


def test_an_english_speaking_customer_gets_english(ulp, sms_gateway):
    # given
    ticket = open_outage(ulp, language="en")
    # when
    tasks.send_notification(ticket.notifications.get().pk)
    # then
    assert "has been received" in json.loads(sms_gateway.received[0].body)["message"]


def test_a_form_encoded_gateway_with_basic_auth_gets_its_own_template(ulp, sms_gateway, settings):
    # given
    settings.NOTIFY_GATEWAYS = {
        **settings.NOTIFY_GATEWAYS,
        "sms": {
            "URL": sms_gateway.url,
            "CONTENT_TYPE": "form",
            "TEMPLATE": "msisdn=$to_digits&text=$message&from=$sender",
            "SENDER": "PLN123",
            "USERNAME": "pln",
            "PASSWORD": "rahasia",
        },
    }
    ticket = open_outage(ulp)
    # when
    tasks.send_notification(ticket.notifications.get().pk)
    # then
    request = sms_gateway.received[0]
    assert request.body.startswith("msisdn=6281234567890&text=PLN+123")
    assert request.body.endswith("&from=PLN123")
    assert request.headers["Authorization"].startswith("Basic ")


def test_e_mail_goes_through_djangos_mail_backend_with_an_unsubscribe_link(ulp, sms_gateway):
    # given
    ticket = open_outage(ulp, reporter_email="siti@example.id")
    email_row = ticket.notifications.get(channel="email")
    # when
    tasks.send_notification(email_row.pk)
    # then
    [message] = mail.outbox
    assert message.to == ["siti@example.id"]
    assert ticket.number in message.subject and ticket.tracking_token in message.body
    assert "/notifikasi/" in message.extra_headers["List-Unsubscribe"]


def test_restored_carries_the_survey_link_and_the_technicians_first_name_only(ulp, dispatcher, sms_gateway, settings):
    # given: without the "is your power back?" loop (with it, the rating is asked once power is confirmed)
    settings.RESTORATION_CONFIRM_ENABLED = False
    ticket = open_outage(ulp)
    ticket = services.change_status(ticket=ticket, to_status="assigned", actor=dispatcher)
    ticket = services.change_status(
        ticket=ticket,
        to_status="on_the_way",
        actor=dispatcher,
        data={"technician_first_name": "Joko Susilo", "eta_minutes": 25},
    )
    ticket = services.change_status(ticket=ticket, to_status="restored", actor=dispatcher)
    # when
    for kind in ("on_the_way", "restored"):
        tasks.send_notification(ticket.notifications.get(kind=kind).pk)
    # then
    on_the_way, restored = (json.loads(r.body)["message"] for r in sms_gateway.received)
    assert "Joko" in on_the_way and "Susilo" not in on_the_way and "25" in on_the_way
    assert "/survei/" in restored


def test_running_the_task_twice_sends_once(ulp, sms_gateway):
    # given
    notification = open_outage(ulp).notifications.get()
    # when
    first = tasks.send_notification(notification.pk)
    second = tasks.send_notification(notification.pk)
    # then
    assert (first, second) == ("sent", "skipped")
    assert len(sms_gateway.received) == 1
    assert notification.attempt_log.count() == 1


def test_a_gateway_error_is_logged_and_retried_later_then_the_sweeper_recovers_it(
    ulp, sms_gateway, eager_celery, django_capture_on_commit_callbacks
):
    # given: the first enqueue was lost (the callback never ran) and the gateway is failing
    with django_capture_on_commit_callbacks(execute=False):
        notification = open_outage(ulp).notifications.get()
    sms_gateway.plan = [(503, '{"error": "busy"}', 0)]
    # when: a first try fails
    with pytest.raises(TransientSendError):
        notifications.deliver_notification(notification_id=notification.pk)
    notification.refresh_from_db()
    # then: it stays pending with the failure on record
    assert notification.status == "pending" and notification.attempts == 1
    failed = notification.attempt_log.get()
    assert not failed.succeeded and failed.provider_status == "503" and "busy" in failed.provider_answer
    assert notification.next_attempt_at > timezone.now()
    # and the sweeper leaves it alone until its time has come
    with django_capture_on_commit_callbacks(execute=True):
        assert notifications.sweep_notifications() == []
    # when: its time has passed and the sweeper runs
    with time_machine.travel(notification.next_attempt_at + timedelta(minutes=2)):
        with django_capture_on_commit_callbacks(execute=True):
            swept = tasks.sweep_notifications()
    # then
    notification.refresh_from_db()
    assert swept == 1
    assert notification.status == "sent" and notification.attempts == 2
    assert len(sms_gateway.received) == 1


def test_a_timeout_is_transient(ulp, sms_gateway, settings):
    # given
    settings.NOTIFY_GATEWAYS["sms"]["TIMEOUT"] = 0.2
    sms_gateway.plan = [(200, "{}", 0.6)]
    notification = open_outage(ulp).notifications.get()
    # when
    with pytest.raises(TransientSendError):
        notifications.deliver_notification(notification_id=notification.pk)
    # then
    notification.refresh_from_db()
    assert notification.status == "pending"
    assert "unreachable" in notification.attempt_log.get().error


def test_a_refused_message_fails_at_once_and_visibly(ulp, sms_gateway):
    # given
    sms_gateway.plan = [(400, '{"error": "invalid number"}', 0)]
    notification = open_outage(ulp).notifications.get()
    # when
    result = notifications.deliver_notification(notification_id=notification.pk)
    # then
    notification.refresh_from_db()
    assert result == "failed" and notification.status == "failed" and notification.failed_at
    assert "HTTP 400" in notification.last_error


def test_after_the_last_attempt_a_failing_notification_is_marked_failed(ulp, sms_gateway, settings):
    # given
    settings.NOTIFY_MAX_ATTEMPTS = 2
    sms_gateway.plan = [(500, "{}", 0), (500, "{}", 0)]
    notification = open_outage(ulp).notifications.get()
    # when
    with pytest.raises(TransientSendError):
        notifications.deliver_notification(notification_id=notification.pk)
    result = notifications.deliver_notification(notification_id=notification.pk)
    # then
    notification.refresh_from_db()
    assert result == "failed" and notification.attempts == 2
    assert notification.attempt_log.filter(succeeded=False).count() == 2


def test_an_address_that_opted_out_after_the_row_was_written_is_skipped(ulp, sms_gateway):
    # given
    notification = open_outage(ulp).notifications.get()
    NotificationOptOut.objects.create(channel="sms", address=notification.address)
    # when
    result = tasks.send_notification(notification.pk)
    # then
    assert result == "skipped" and sms_gateway.received == []
    notification.refresh_from_db()
    assert notification.status == "skipped"


def test_a_broker_that_refuses_the_publish_leaves_the_row_for_the_sweeper(ulp, monkeypatch):
    # given
    def broker_down(*args, **kwargs):
        raise ConnectionError("broker down")

    monkeypatch.setattr(tasks.send_notification, "delay", broker_down)
    notification = open_outage(ulp).notifications.get()
    # when
    notifications.enqueue([notification.pk])
    # then
    notification.refresh_from_db()
    assert notification.status == "pending"


def test_retry_delays_grow_and_stay_below_the_broker_visibility_timeout(settings):
    # given
    settings.NOTIFY_RETRY_BACKOFF, settings.NOTIFY_RETRY_BACKOFF_MAX = 5, 240
    # when
    delays = [notifications.retry_delay(n) for n in range(1, 10)]
    # then
    assert delays[:3] == [5, 10, 20]
    assert max(delays) == 240 < settings.CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"]
    assert tasks.send_notification.retry_backoff_max < settings.CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"]


def test_intake_refuses_a_bad_phone_number_and_a_bad_e_mail_with_clear_field_messages(api_client, ulp):
    # when
    response = api_client.post(
        "/api/v1/tickets/",
        {
            "category": "GG-PADAM-1",
            "description": "Listrik padam",
            "reporter_phone": "0800",
            "reporter_email": "siti@",
            "unit": ulp.code,
        },
        format="json",
    )
    # then
    assert response.status_code == 400
    fields = response.json()["extra"]["fields"]
    assert set(fields) == {"reporter_phone", "reporter_email"}
    assert not Notification.objects.exists()


def test_an_estimated_restoration_time_is_told_in_the_units_own_zone(ulp, dispatcher, sms_gateway):
    # given: ULP Test A is in WITA (UTC+8)
    ticket = open_outage(ulp)
    ticket = services.change_status(
        ticket=ticket,
        to_status="assigned",
        actor=dispatcher,
        data={"estimated_restoration_at": "2026-11-25T10:30:00+00:00"},
    )
    # when
    tasks.send_notification(ticket.notifications.get(kind="assigned").pk)
    # then
    assert "Perkiraan menyala pukul 18:30 WITA." in json.loads(sms_gateway.received[0].body)["message"]


def test_in_process_tasks_never_fail_the_change_when_the_gateway_is_down(
    ulp, sms_gateway, eager_celery, django_capture_on_commit_callbacks
):
    # given
    sms_gateway.plan = [(503, '{"error": "down"}', 0)]
    # when
    with django_capture_on_commit_callbacks(execute=True):
        ticket = open_outage(ulp)
    # then
    notification = ticket.notifications.get()
    assert notification.status == "pending" and notification.attempts == 1


def test_writing_the_outbox_costs_one_read_and_one_insert_per_change(ulp, dispatcher, django_assert_num_queries):
    # given
    ticket = open_outage(ulp, reporter_email="siti@example.id")
    # when / then: savepoint, lock, update, event, contact choices, outbox insert, release (7), plus the
    # five queries of the service-level clock that listens to the same status change, plus three of the
    # audit log (the ticket as it was, its entry, the timeline event's entry)
    with django_assert_num_queries(15):
        services.change_status(ticket=ticket, to_status="assigned", actor=dispatcher)
    assert Notification.objects.filter(kind="assigned").count() == 2


def test_sending_reads_no_more_than_it_needs(ulp, sms_gateway, django_assert_num_queries):
    # given
    notification = open_outage(ulp).notifications.get()
    # when / then: savepoint, claim (with ticket, unit, event and the opt-out check), attempt and update (one
    # statement on PostgreSQL), release
    with django_assert_num_queries(4 if connection.vendor == "postgresql" else 5):
        notifications.deliver_notification(notification_id=notification.pk)


def test_sending_writes_only_the_delivery_columns_of_the_row(ulp, sms_gateway, django_assert_num_queries):
    # given
    notification = open_outage(ulp).notifications.get()
    # when
    with django_assert_num_queries(4 if connection.vendor == "postgresql" else 5) as captured:
        notifications.deliver_notification(notification_id=notification.pk)
    # then: the attempt is written, and the update names what a delivery changes, not the address, words or
    # ticket of the row
    assert notification.attempt_log.get().succeeded
    (update,) = [q["sql"] for q in captured.captured_queries if q["sql"].startswith(("UPDATE", "WITH"))]
    update = update[update.index("UPDATE") :]
    assert '"status"' in update and '"attempts"' in update and '"sent_at"' in update
    assert '"address"' not in update and '"payload"' not in update and '"ticket_id"' not in update


def test_a_claimed_row_reads_as_the_orm_reads_it(ulp, dispatcher):
    # given: a row about a ticket event (with data), and a notice with a payload and no ticket
    ticket = open_outage(ulp, reporter_email="siti@example.id")
    ticket = services.change_status(
        ticket=ticket, to_status="assigned", actor=dispatcher, data={"estimated_restoration_at": "2026-11-25T10:30:00Z"}
    )
    about_event = ticket.notifications.get(kind="assigned", channel="email")
    (notice,) = notifications.notify_contact(
        kind="power_back", dedupe_key="area-7", phone="+6281234567891", payload={"area": "Kuta", "url": "https://x"}
    )
    for expected in (Notification.objects.get(pk=about_event.pk), Notification.objects.get(pk=notice.pk)):
        # when
        with transaction.atomic():
            claimed, opted_out = delivery_sql.claim(expected.pk)
        # then: every column, and what composing needs of the ticket, its unit and the event
        assert not opted_out
        fields = Notification._meta.concrete_fields
        assert [getattr(claimed, f.attname) for f in fields] == [getattr(expected, f.attname) for f in fields]
        if expected.ticket_id is None:
            assert claimed.ticket is None and claimed.event is None
        else:
            assert (claimed.ticket.number, claimed.ticket.kind, claimed.ticket.tracking_token) == (
                ticket.number,
                ticket.kind,
                ticket.tracking_token,
            )
            assert claimed.ticket.unit.time_zone == ulp.time_zone
            assert claimed.event.data == expected.event.data


def test_a_row_no_longer_pending_is_not_claimed_and_an_opt_out_is_seen_by_the_claim(ulp):
    # given
    sent, opted = (
        open_outage(ulp).notifications.get(),
        open_outage(ulp, reporter_phone="081234567899").notifications.get(),
    )
    Notification.objects.filter(pk=sent.pk).update(status="sent")
    NotificationOptOut.objects.create(channel="sms", address=opted.address)
    # when
    with transaction.atomic():
        not_pending, (claimed, opted_out) = delivery_sql.claim(sent.pk), delivery_sql.claim(opted.pk)
    # then
    assert not_pending is None
    assert claimed.pk == opted.pk and opted_out
