"""One Feedback record for every kritik, saran and apresiasi; the back office's reply reaches the customer."""

import importlib
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.apps import apps as django_apps
from django.urls import reverse
from rest_framework.throttling import SimpleRateThrottle

from core import roles
from core.errors import ApplicationError, InvalidInput
from notifications import messages
from notifications import services as notifications
from tests.factories import TicketFactory, category
from tickets import feedback, services
from tickets.models import Feedback, Notification, Ticket

pytestmark = pytest.mark.django_db

URL = "/api/v1/feedback/"


def open_ticket(unit, code="SP-KRITIK", **overrides):
    values = {
        "category": category(code),
        "channel": Ticket.Channel.PHONE,
        "description": "Petugas datang terlambat",
        "reporter_phone": "081234567890",
        "reporter_email": "Budi@Example.com",
        "reporter_name": "Budi",
        "unit": unit,
    }
    values.update(overrides)
    return services.open_ticket(**values)


# --- one model ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "kind"), [("SP-KRITIK", "kritik"), ("SP-SARAN", "saran"), ("SP-APRESIASI", "apresiasi")]
)
def test_a_feedback_ticket_from_any_channel_yields_exactly_one_feedback_row(ulp, code, kind):
    # when
    ticket = open_ticket(ulp, code)
    # then
    row = Feedback.objects.get()
    assert (row.kind, row.ticket, row.unit, row.origin, row.status) == (kind, ticket, ulp, "ticket", "new")
    assert (row.message, row.phone, row.name) == ("Petugas datang terlambat", "+6281234567890", "Budi")
    # and recording it again adds nothing
    assert feedback.record_ticket_feedback(ticket) == row
    assert Feedback.objects.count() == 1


def test_a_ticket_in_another_category_yields_no_feedback(ulp):
    open_ticket(ulp, "GG-PADAM-1")
    assert not Feedback.objects.exists()


def test_a_feedback_ticket_logged_through_the_api_is_a_feedback_row(api_client, ulp):
    # when
    response = api_client.post(
        "/api/v1/tickets/",
        {"category": "SP-SARAN", "description": "Tambah loket", "reporter_phone": "081234567890", "unit": ulp.code},
        format="json",
    )
    # then
    assert response.status_code == 201
    assert Feedback.objects.get().ticket.number == response.json()["number"]


def test_the_backfill_writes_one_row_per_existing_feedback_ticket_and_is_idempotent(ulp):
    # given tickets written before the feedback receiver existed (no Feedback rows)
    open_one = TicketFactory(unit=ulp, category=category("SP-KRITIK"), description="Antrean lama")
    done = TicketFactory(unit=ulp, category=category("SP-APRESIASI"), status=Ticket.Status.CLOSED)
    TicketFactory(unit=ulp)  # an outage report: not feedback
    assert not Feedback.objects.exists()
    backfill = importlib.import_module("tickets.migrations.0015_backfill_feedback").backfill
    # when
    backfill(django_apps, None)
    backfill(django_apps, None)
    # then
    rows = {row.ticket_id: row for row in Feedback.objects.all()}
    assert set(rows) == {open_one.pk, done.pk}
    assert (rows[open_one.pk].kind, rows[open_one.pk].message, rows[open_one.pk].status) == (
        "kritik",
        "Antrean lama",
        "new",
    )
    assert (rows[done.pk].kind, rows[done.pk].status) == ("apresiasi", "closed")


# --- the reply ------------------------------------------------------------------------------------------------


def test_a_reply_is_recorded_and_reaches_the_customers_phone_and_email_through_the_outbox(ulp, back_office):
    # given
    ticket = open_ticket(ulp, language="en")
    row = Feedback.objects.get()
    Notification.objects.all().delete()  # the ticket's own "received" messages
    # when
    answered = feedback.reply_to_feedback(feedback=row, user=back_office, reply="Maaf, kami perbaiki jadwalnya.")
    # then
    assert (answered.status, answered.replied_by, answered.reply) == (
        "replied",
        back_office,
        "Maaf, kami perbaiki jadwalnya.",
    )
    assert answered.replied_at is not None
    sent = {(n.channel, n.address): n for n in Notification.objects.filter(kind=messages.FEEDBACK_REPLY)}
    assert set(sent) == {("sms", "+6281234567890"), ("email", "budi@example.com")}
    text = messages.compose(sent["sms", "+6281234567890"]).text
    assert "PLN 123 replies to your feedback: Maaf, kami perbaiki jadwalnya." in text
    assert ticket.tracking_token in text


def test_a_reply_to_feedback_from_the_page_is_sent_in_its_language(ulp, back_office):
    row = notifications.send_feedback(kind="saran", message="Tambah loket", email="ani@example.com", unit=ulp)
    feedback.reply_to_feedback(feedback=row, user=back_office, reply="Terima kasih.")
    notification = Notification.objects.get(kind=messages.FEEDBACK_REPLY)
    assert (notification.channel, notification.language) == ("email", "id")
    assert messages.compose(notification).text.startswith("PLN 123 membalas masukan Anda: Terima kasih.")


def test_replying_twice_is_refused(ulp, back_office):
    row = notifications.send_feedback(kind="kritik", message="Lambat", phone="+6281234567890", unit=ulp)
    feedback.reply_to_feedback(feedback=row, user=back_office, reply="Maaf.")
    with pytest.raises(ApplicationError, match="sudah dibalas"):
        feedback.reply_to_feedback(feedback=row, user=back_office, reply="Maaf lagi.")
    assert Notification.objects.filter(kind=messages.FEEDBACK_REPLY).count() == 1


def test_feedback_with_no_way_to_reach_the_customer_is_refused_a_reply_and_can_be_closed(ulp, back_office):
    row = notifications.send_feedback(kind="kritik", message="Anonim", unit=ulp)
    with pytest.raises(ApplicationError, match="tidak dapat sampai"):
        feedback.reply_to_feedback(feedback=row, user=back_office, reply="Halo")
    with pytest.raises(InvalidInput):
        feedback.reply_to_feedback(feedback=row, user=back_office, reply="  ")
    assert feedback.close_feedback(feedback=row, user=back_office).status == "closed"
    assert not Notification.objects.filter(kind=messages.FEEDBACK_REPLY).exists()


def test_the_reply_shows_on_the_tickets_tracking_page_and_in_the_tracking_api(client, api_client, ulp, back_office):
    ticket = open_ticket(ulp)
    url = reverse("tickets:track-token", args=[ticket.tracking_token])
    assert "Petugas sudah ditegur." not in client.get(url).content.decode()
    feedback.reply_to_feedback(feedback=Feedback.objects.get(), user=back_office, reply="Petugas sudah ditegur.")
    assert "Balasan kami atas masukan Anda: Petugas sudah ditegur." in client.get(url).content.decode()
    timeline = api_client.get(f"/api/v1/track/{ticket.tracking_token}/").json()
    assert "Petugas sudah ditegur." in str(timeline)
    # and it is no second message: only the reply's outbox rows were written
    assert Notification.objects.filter(ticket=ticket).exclude(kind="received").count() == 2


# --- the back-office page ------------------------------------------------------------------------------------


def test_the_feedback_page_is_for_the_back_office_supervisors_and_admins(
    client, back_office, supervisor, admin_user_sigap, operator, dispatcher, ulp
):
    url = reverse("backoffice:feedback")
    for user, expected in [
        (back_office, 200),
        (supervisor, 200),
        (admin_user_sigap, 200),
        (operator, 403),
        (dispatcher, 403),
    ]:
        client.force_login(user)
        assert client.get(url).status_code == expected, user
    client.logout()
    assert client.get(url).status_code == 302


def test_the_feedback_page_lists_the_viewers_units_filtered_and_paginated(client, back_office, ulp, far_ulp):
    # given
    for n in range(52):
        notifications.send_feedback(kind="saran", message=f"saran {n}", unit=ulp)
    notifications.send_feedback(kind="kritik", message="kritik di sini", unit=ulp)
    notifications.send_feedback(kind="kritik", message="kritik di tempat lain", unit=far_ulp)
    client.force_login(back_office)
    # when / then
    first = client.get(reverse("backoffice:feedback")).content.decode()
    assert first.count('class="feedback-new"') == 50
    assert "page=2" in first
    kritik = client.get(reverse("backoffice:feedback"), {"kind": "kritik"}).content.decode()
    assert "kritik di sini" in kritik
    assert "kritik di tempat lain" not in kritik and "saran 1" not in kritik
    replied = client.get(reverse("backoffice:feedback"), {"status": "replied"}).content.decode()
    assert 'class="feedback-' not in replied


def test_the_back_office_replies_on_the_page_and_a_second_reply_gets_a_clear_400(client, back_office, ulp):
    row = notifications.send_feedback(kind="kritik", message="Lambat", phone="+6281234567890", unit=ulp)
    client.force_login(back_office)
    url = reverse("backoffice:feedback-detail", args=[row.pk])
    assert client.get(url).status_code == 200
    sent = client.post(url, {"action": "reply", "reply-reply": "Maaf atas keterlambatannya."})
    assert sent.status_code == 302
    assert Feedback.objects.get().status == "replied"
    client.cookies["sigap_language"] = "en"
    again = client.post(url, {"action": "reply", "reply-reply": "Lagi"})
    assert again.status_code == 400
    assert "already been answered" in again.content.decode()


def test_another_units_feedback_is_not_found(client, back_office, far_ulp):
    row = notifications.send_feedback(kind="kritik", message="Jauh", phone="+6281234567890", unit=far_ulp)
    client.force_login(back_office)
    assert client.get(reverse("backoffice:feedback-detail", args=[row.pk])).status_code == 404


def test_the_staff_menu_shows_feedback_to_the_back_office_only(client, back_office, operator):
    client.force_login(back_office)
    assert reverse("backoffice:feedback") in client.get(reverse("backoffice:queue")).content.decode()
    client.force_login(operator)
    assert reverse("backoffice:feedback") not in client.get(reverse("hotline:console")).content.decode()


# --- the API --------------------------------------------------------------------------------------------------


def test_anyone_may_send_feedback_through_the_api(api_client, ulp):
    ticket = open_ticket(ulp, "GG-PADAM-1")
    response = api_client.post(
        URL,
        {"kind": "apresiasi", "message": "Cepat sekali", "phone": "0812-3456-7890", "ticket_number": ticket.number},
        format="json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["kind"], body["ticket"], body["unit"], body["origin"], body["status"]) == (
        "apresiasi",
        ticket.number,
        ulp.code,
        "api",
        "new",
    )
    assert Feedback.objects.get().phone == "+6281234567890"


@pytest.mark.parametrize(
    ("language", "required", "choice"),
    [
        ("id", "Bidang ini harus diisi.", "tidak ada dalam daftar pilihan"),
        ("en", "This field is required.", "is not a valid choice"),
    ],
)
def test_bad_feedback_gets_field_messages_in_the_users_language(api_client, language, required, choice):
    response = api_client.post(
        URL,
        {"kind": "pujian", "phone": "12", "ticket_number": "SP-0000"},
        format="json",
        HTTP_ACCEPT_LANGUAGE=language,
    )
    assert response.status_code == 400
    fields = response.json()["extra"]["fields"]
    assert set(fields) == {"kind", "message", "phone", "ticket_number"}
    assert required in fields["message"][0]
    assert choice in fields["kind"][0]
    ticket_message = {"id": "Tidak ada tiket dengan nomor ini", "en": "No ticket has this number"}[language]
    assert ticket_message in fields["ticket_number"][0]
    assert not Feedback.objects.exists()


def test_public_feedback_is_throttled_like_ticket_intake(api_client, monkeypatch):
    monkeypatch.setattr(
        SimpleRateThrottle, "THROTTLE_RATES", {"public_intake": "2/minute", "public_tracking": "5/minute"}
    )
    codes = [api_client.post(URL, {"kind": "saran", "message": "x"}, format="json").status_code for _ in range(3)]
    assert codes == [201, 201, 429]


def test_the_staff_list_and_reply_are_for_the_back_office(client_for, api_client, back_office, operator, ulp, far_ulp):
    mine = notifications.send_feedback(kind="kritik", message="Lambat", email="ani@example.com", unit=ulp)
    notifications.send_feedback(kind="kritik", message="Jauh", email="x@example.com", unit=far_ulp)
    assert api_client.get(URL).status_code in (401, 403)
    assert client_for(operator).get(URL).status_code == 403
    assert client_for(operator).post(f"{URL}{mine.pk}/reply/", {"reply": "Hai"}, format="json").status_code == 403
    listed = client_for(back_office).get(URL, {"kind": "kritik"}).json()["results"]
    assert [row["id"] for row in listed] == [mine.pk]
    reply = client_for(back_office).post(f"{URL}{mine.pk}/reply/", {"reply": "Maaf."}, format="json")
    assert reply.status_code == 200
    assert (reply.json()["status"], reply.json()["replied_by"]) == ("replied", back_office.username)
    twice = client_for(back_office).post(f"{URL}{mine.pk}/reply/", {"reply": "Lagi."}, format="json")
    assert twice.status_code == 400
    assert twice.json()["message"]


def test_replying_to_anonymous_feedback_through_the_api_is_a_400_and_it_can_be_closed(client_for, back_office, ulp):
    row = notifications.send_feedback(kind="kritik", message="Anonim", unit=ulp)
    staff = client_for(back_office)
    refused = staff.post(f"{URL}{row.pk}/reply/", {"reply": "Hai"}, format="json", HTTP_ACCEPT_LANGUAGE="en")
    assert refused.status_code == 400
    assert "no reply can reach the customer" in refused.json()["message"]
    assert staff.post(f"{URL}{row.pk}/close/").json()["status"] == "closed"


def test_the_feedback_endpoints_are_in_the_schema(client):
    import yaml

    document = yaml.safe_load(client.get("/api/schema/").content)
    assert {"get", "post"} <= set(document["paths"]["/api/v1/feedback/"])
    assert "post" in document["paths"]["/api/v1/feedback/{id}/reply/"]
    assert "FeedbackCreateInputRequest" in document["components"]["schemas"]


def test_back_office_work_roles_are_those_of_the_staff_menu_entry():
    from config.staff import STAFF_MENU

    entry = next(allowed for _label, name, allowed in STAFF_MENU if name == "backoffice:feedback")
    assert tuple(entry) == roles.BACK_OFFICE_WORK


# --- reports --------------------------------------------------------------------------------------------------


def _november_feedback(ulp, other_ulp, back_office):
    import time_machine

    wita = ZoneInfo("Asia/Makassar")
    with time_machine.travel(datetime(2026, 11, 3, 9, 0, tzinfo=wita), tick=False):
        open_ticket(ulp, "SP-KRITIK", description="Petugas lambat datang")
        page = notifications.send_feedback(kind="saran", message="Tambah loket", phone="+6281234567890", unit=ulp)
    with time_machine.travel(datetime(2026, 11, 4, 10, 0, tzinfo=wita), tick=False):
        notifications.send_feedback(kind="apresiasi", message="Cepat", unit=other_ulp)
    with time_machine.travel(datetime(2026, 11, 3, 13, 0, tzinfo=wita), tick=False):
        feedback.reply_to_feedback(feedback=page, user=back_office, reply="Terima kasih, kami tambah.")
    with time_machine.travel(datetime(2026, 12, 2, 9, 0, tzinfo=wita), tick=False):
        notifications.send_feedback(kind="kritik", message="Desember, di luar rentang", unit=ulp)


def test_the_report_counts_feedback_from_every_channel_by_kind_unit_and_reply(
    client, supervisor, back_office, ulp, other_ulp
):
    # given a kritik ticket, a saran from the page answered after 4 hours, an apresiasi elsewhere in the UP3
    _november_feedback(ulp, other_ulp, back_office)
    from reports import selectors as report_selectors

    scope = report_selectors.report_scope(
        supervisor, unit_id=None, start=datetime(2026, 11, 1).date(), end=datetime(2026, 11, 30).date()
    )
    # when
    summary = report_selectors.feedback_summary(scope)
    # then
    assert {item["kind"]: item["count"] for item in summary["kinds"]} == {"kritik": 1, "saran": 1, "apresiasi": 1}
    assert (summary["total"], summary["replied"], summary["replied_percent"]) == (3, 1, 33.3)
    assert (summary["reply_hours_median"], summary["reply_hours_average"]) == (4.0, 4.0)
    per_unit = {row["unit"]: (row["counts"], row["total"], row["replied"]) for row in summary["units"]}
    assert per_unit == {ulp.name: ([1, 1, 0], 2, 1), other_ulp.name: ([0, 0, 1], 1, 0)}


@pytest.mark.parametrize(
    ("language", "words"),
    [("en", ["1 answered (33.3%)", "Customer feedback per day by kind"]), ("id", ["1 dijawab", "Masukan pelanggan"])],
)
def test_the_report_page_shows_the_feedback_counts_and_chart_in_both_languages(
    client, supervisor, back_office, ulp, other_ulp, language, words
):
    _november_feedback(ulp, other_ulp, back_office)
    client.force_login(supervisor)
    client.cookies["sigap_language"] = language
    page = client.get("/reports/", {"start": "2026-11-01", "end": "2026-11-30"}).content.decode()
    assert 'id="chart-feedback-per-day"' in page
    assert 'id="feedback-per-unit"' in page
    assert "Petugas lambat datang" in page and "Tambah loket" in page
    assert "Desember, di luar rentang" not in page
    for word in words:
        assert word in page


def test_an_unknown_filter_value_in_the_staff_list_is_a_400(client_for, back_office):
    assert client_for(back_office).get(URL, {"status": "AAA"}).status_code == 400
    assert client_for(back_office).get(URL, {"kind": "pujian"}).status_code == 400
