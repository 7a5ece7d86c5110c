import pytest
from django.urls import reverse

from notifications import services as notifications
from tests.factories import category
from tickets import services
from tickets.models import Feedback, Notification, NotificationOptOut, SurveyResponse, Ticket

pytestmark = pytest.mark.django_db


def open_ticket(unit, code="GG-PADAM-1", **overrides):
    values = {
        "category": category(code),
        "channel": Ticket.Channel.WEB,
        "description": "Listrik padam",
        "reporter_phone": "081234567890",
        "unit": unit,
    }
    values.update(overrides)
    return services.open_ticket(**values)


def walk(ticket, *statuses, actor=None, data=None):
    for status in statuses:
        ticket = services.change_status(ticket=ticket, to_status=status, actor=actor, data=(data or {}).get(status))
    return ticket


def status_json(client, ticket, **params):
    return client.get(reverse("tickets:track-status", args=[ticket.tracking_token]), params)


def test_status_json_shows_the_technicians_first_name_eta_and_estimated_restoration(client, ulp, dispatcher):
    # given
    ticket = walk(
        open_ticket(ulp),
        "assigned",
        "on_the_way",
        actor=dispatcher,
        data={
            "on_the_way": {
                "technician_first_name": "Joko Susilo",
                "eta_minutes": 20,
                "estimated_restoration_at": "2026-11-25T12:30:00+00:00",
                "cause": "Pohon tumbang",
            }
        },
    )
    # when
    response = status_json(client, ticket)
    # then
    body = response.json()
    assert response.status_code == 200 and response["Cache-Control"].startswith("max-age=0")
    assert body["status"] == "on_the_way" and body["changed"] is True
    assert body["progress"]["technician"] == "Joko"
    assert "Susilo" not in response.content.decode()
    assert body["progress"]["eta_minutes"] == 20
    assert body["progress"]["restoration"] == "25 Nov 2026 20:30 WITA"
    assert body["progress"]["cause"] == "Pohon tumbang"
    assert [item["kind"] for item in body["timeline"]] == ["opened", "status", "status"]


def test_status_json_answers_briefly_while_nothing_changed_and_fully_after_a_change(client, ulp, dispatcher):
    # given
    ticket = open_ticket(ulp)
    version = status_json(client, ticket).json()["version"]
    # when
    unchanged = status_json(client, ticket, v=version).json()
    walk(ticket, "assigned", actor=dispatcher)
    changed = status_json(client, ticket, v=version).json()
    # then
    assert unchanged == {"version": version, "changed": False}
    assert changed["changed"] is True and changed["status"] == "assigned"


def test_an_unknown_tracking_token_is_not_found(client):
    assert client.get(reverse("tickets:track-status", args=["nope"])).status_code == 404


def test_the_tracking_page_shows_progress_and_loads_its_script(client, ulp, dispatcher):
    # given
    ticket = walk(
        open_ticket(ulp),
        "assigned",
        "on_the_way",
        actor=dispatcher,
        data={"on_the_way": {"technician_first_name": "Joko", "eta_minutes": 15}},
    )
    # when
    page = client.get(reverse("tickets:track-token", args=[ticket.tracking_token])).content.decode()
    # then
    assert 'id="progress-technician">Joko<' in page
    assert "js/tickets/track.js" in page and "<script>" not in page
    assert reverse("tickets:track-status", args=[ticket.tracking_token]) in page


def survey_url(ticket):
    return reverse("tickets:survey", args=[ticket.tracking_token])


def test_a_restored_ticket_can_be_rated_once_and_a_second_answer_is_refused(client, ulp, dispatcher):
    # given
    ticket = walk(open_ticket(ulp), "assigned", "restored", actor=dispatcher)
    # when
    first = client.post(survey_url(ticket), {"rating": "4", "comment": "Cepat, terima kasih"})
    second = client.post(survey_url(ticket), {"rating": "1", "comment": "again"})
    # then
    assert first.status_code == 302
    assert second.status_code == 409
    response = SurveyResponse.objects.get(ticket=ticket)
    assert (response.rating, response.comment, response.unit) == (4, "Cepat, terima kasih", ulp)


def test_the_survey_is_refused_before_the_work_is_done(client, ulp):
    # given
    ticket = open_ticket(ulp)
    # when
    response = client.post(survey_url(ticket), {"rating": "5"})
    # then
    assert response.status_code == 409
    assert not SurveyResponse.objects.exists()


def test_a_rating_outside_one_to_five_is_a_field_error(client, ulp, back_office):
    # given
    ticket = walk(open_ticket(ulp, code="LY-PD"), "in_progress", "resolved", actor=back_office)
    # when
    response = client.post(survey_url(ticket), {"rating": "9"})
    # then
    assert response.status_code == 400
    assert not SurveyResponse.objects.exists()


def test_stopping_sms_on_the_settings_page_stops_the_next_messages(client, ulp, dispatcher):
    # given
    ticket = open_ticket(ulp, reporter_email="siti@example.id")
    url = reverse("tickets:notification-preferences", args=[ticket.tracking_token])
    # when
    response = client.post(url, {"mobile_channel": "sms", "whatsapp": "on", "email": "on"})
    walk(ticket, "assigned", actor=dispatcher)
    # then
    assert response.status_code == 200
    assert NotificationOptOut.objects.filter(channel="sms", address="+6281234567890").exists()
    assert list(Notification.objects.filter(kind="assigned").values_list("channel", flat=True)) == ["email"]


def test_choosing_whatsapp_moves_the_next_messages_to_whatsapp(client, ulp, dispatcher):
    # given
    ticket = open_ticket(ulp)
    url = reverse("tickets:notification-preferences", args=[ticket.tracking_token])
    # when
    client.post(url, {"mobile_channel": "whatsapp", "sms": "on", "whatsapp": "on"})
    walk(ticket, "assigned", actor=dispatcher)
    # then
    assert Notification.objects.get(kind="assigned").channel == "whatsapp"


def test_feedback_tied_to_a_ticket_belongs_to_the_tickets_unit(client, ulp):
    # given
    ticket = open_ticket(ulp)
    # when
    response = client.post(
        reverse("tickets:feedback"),
        {"kind": "apresiasi", "message": "Petugas ramah dan cepat", "ticket_number": ticket.number},
    )
    # then
    assert response.status_code == 200
    feedback = Feedback.objects.get()
    assert (feedback.kind, feedback.ticket, feedback.unit) == ("apresiasi", ticket, ulp)


def test_feedback_with_a_bad_phone_number_or_an_unknown_ticket_gets_clear_field_errors(client, ulp):
    # when
    response = client.post(
        reverse("tickets:feedback"),
        {"kind": "kritik", "message": "Lama sekali", "phone": "12345", "ticket_number": "999999-999999-9"},
    )
    # then
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert "phone" in errors and "ticket_number" in errors
    assert not Feedback.objects.exists()


def test_the_supervisor_sees_ratings_and_feedback_of_their_units_only(client, ulp, far_ulp, supervisor, dispatcher):
    # given
    ticket = walk(open_ticket(ulp), "assigned", "restored", actor=dispatcher)
    notifications.answer_survey(ticket=ticket, rating=5, comment="Mantap")
    notifications.send_feedback(kind="saran", message="Tambah petugas malam", unit=ulp)
    notifications.send_feedback(kind="kritik", message="Elsewhere complaint", unit=far_ulp)
    Notification.objects.filter(ticket=ticket, kind="restored").update(
        status="failed", last_error="gateway answered HTTP 400", failed_at=ticket.restored_at
    )
    client.force_login(supervisor)
    # when
    page = client.get(reverse("tickets:feedback-report"))
    # then
    text = page.content.decode()
    assert page.status_code == 200
    assert "Mantap" in text and "Tambah petugas malam" in text
    assert "Elsewhere complaint" not in text
    assert "gateway answered HTTP 400" in text


def test_the_feedback_report_is_for_supervisors_only(client, operator):
    # given
    client.force_login(operator)
    # when
    staff = client.get(reverse("tickets:feedback-report"))
    client.logout()
    anonymous = client.get(reverse("tickets:feedback-report"))
    # then
    assert staff.status_code == 403
    assert anonymous.status_code == 302


def test_feedback_sent_from_the_tracking_page_is_tied_to_that_ticket(client, ulp):
    # given
    ticket = open_ticket(ulp)
    # when
    response = client.post(
        reverse("tickets:feedback"), {"t": ticket.tracking_token, "kind": "saran", "message": "Kabari lebih cepat"}
    )
    # then
    assert response.status_code == 200
    assert Feedback.objects.get().ticket == ticket


def test_an_unchanged_poll_costs_two_queries(client, ulp, django_assert_num_queries):
    # given
    ticket = open_ticket(ulp)
    version = status_json(client, ticket).json()["version"]
    # when / then: the ticket by token, the last public event
    with django_assert_num_queries(2):
        assert status_json(client, ticket, v=version).json()["changed"] is False
