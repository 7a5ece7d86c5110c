"""Service levels on tickets: due times at intake, pauses, breach events, escalation on a frozen clock."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import ValidationError

from tests.factories import CustomerFactory, category
from tickets import services
from tickets.models import Escalation, ServiceLevelTarget, Ticket, TicketEvent
from tickets.sla import services as sla_services

pytestmark = pytest.mark.django_db
WITA = ZoneInfo("Asia/Makassar")


def open_ticket(code: str, unit, **overrides) -> Ticket:
    values = {
        "category": category(code),
        "channel": Ticket.Channel.PHONE,
        "description": "Mohon dibantu",
        "reporter_phone": "081234567890",
        "unit": unit,
    }
    values.update(overrides)
    return services.open_ticket(**values)


def test_an_outage_report_is_due_for_response_within_one_hour(ulp):
    # given
    opened = datetime(2026, 11, 25, 9, 0, tzinfo=WITA)
    # when
    with time_machine.travel(opened, tick=False):
        ticket = open_ticket("GG-PADAM-1", ulp)
    # then
    ticket.refresh_from_db()
    assert ticket.response_due_at == opened + timedelta(hours=1)
    assert ticket.resolution_due_at is None
    assert ticket.service_level.indicator == "outage_response"


def test_a_new_connection_is_due_in_five_working_days_in_the_units_zone(ulp):
    # given a Wednesday morning in Balikpapan (WITA)
    opened = datetime(2026, 11, 25, 9, 0, tzinfo=WITA)
    # when
    with time_machine.travel(opened, tick=False):
        ticket = open_ticket("LY-PB", ulp)
    # then
    ticket.refresh_from_db()
    assert ticket.response_due_at == datetime(2026, 11, 26, 9, 0, tzinfo=WITA)
    assert ticket.resolution_due_at == datetime(2026, 12, 2, 9, 0, tzinfo=WITA)


def test_waiting_for_the_customer_moves_the_due_time_by_the_working_time_waited(ulp, back_office_worker):
    # given a bill correction (1 working day) opened Friday 10:00 WITA
    with time_machine.travel(datetime(2026, 11, 27, 10, 0, tzinfo=WITA), tick=False):
        ticket = open_ticket("TG-KOREKSI", ulp)
        sla_services.claim_ticket(ticket=ticket, user=back_office_worker)
    # when the customer is asked for the bill at 16:00 and answers on Monday 10:00
    with time_machine.travel(datetime(2026, 11, 27, 16, 0, tzinfo=WITA), tick=False):
        sla_services.ask_customer(ticket=ticket, user=back_office_worker, message="Mohon kirim foto rekening")
    with time_machine.travel(datetime(2026, 11, 30, 10, 0, tzinfo=WITA), tick=False):
        sla_services.resume_work(ticket=ticket, user=back_office_worker)
    # then 18 working hours were paused (Friday 16–24, Monday 0–10)
    ticket.refresh_from_db()
    assert ticket.resolution_due_at == datetime(2026, 11, 30, 10, 0, tzinfo=WITA) + timedelta(hours=18)
    assert ticket.service_level.paused_since is None
    assert len(ticket.service_level.pauses) == 1


def test_no_warning_or_breach_while_waiting_for_the_customer(ulp, back_office_worker, ulp_supervisor):
    with time_machine.travel(datetime(2026, 11, 25, 9, 0, tzinfo=WITA), tick=False):
        ticket = open_ticket("TG-KOREKSI", ulp)
        sla_services.claim_ticket(ticket=ticket, user=back_office_worker)
        sla_services.ask_customer(ticket=ticket, user=back_office_worker, message="Mohon kirim foto rekening")
    # when the sweep runs long after the original due time
    counts = sla_services.check_service_levels(now=datetime(2026, 12, 10, 9, 0, tzinfo=WITA))
    # then
    assert counts == {"warning": 0, "breach": 0, "up3": 0}
    assert not ticket.events.filter(kind=TicketEvent.Kind.BREACH).exists()


def test_outage_response_warns_then_breaches_then_reaches_the_up3_each_once(
    ulp, ulp_supervisor, up3_supervisor, settings, django_capture_on_commit_callbacks
):
    # given an outage report at 09:00 WITA with dispatchers to warn
    settings.SLA_WARN_BEFORE_MINUTES = 30
    opened = datetime(2026, 11, 25, 9, 0, tzinfo=WITA)
    with time_machine.travel(opened, tick=False):
        ticket = open_ticket("GG-PADAM-1", ulp)

    with django_capture_on_commit_callbacks(execute=True):
        # when the sweep runs at 09:50: warning (a quarter of the hour before the breach)
        warned = sla_services.check_service_levels(now=opened + timedelta(minutes=50))
        # and at 10:01 twice: the breach, recorded and escalated once
        first = sla_services.check_service_levels(now=opened + timedelta(minutes=61))
        again = sla_services.check_service_levels(now=opened + timedelta(minutes=62))
        # and at 11:05 (as long again as the target): the UP3
        up3 = sla_services.check_service_levels(now=opened + timedelta(hours=2, minutes=5))
        up3_again = sla_services.check_service_levels(now=opened + timedelta(hours=2, minutes=6))

    # then
    assert warned["warning"] == 1
    assert first["breach"] == 1 and again["breach"] == 0
    assert up3["up3"] == 1 and up3_again["up3"] == 0
    levels = sorted(ticket.escalations.values_list("level", flat=True))
    assert levels == [Escalation.Level.ULP, Escalation.Level.UP3, Escalation.Level.WARNING]
    breach = ticket.events.get(kind=TicketEvent.Kind.BREACH)
    assert breach.is_public is False
    assert breach.data["deadline"] == "response"
    assert ticket.escalations.get(level="ulp").unit == ulp
    assert ticket.escalations.get(level="up3").unit == ulp.parent
    recipients = [m.to for m in mail.outbox]
    assert ["ulla@ulp.example"] in recipients
    assert ["sari@up3.example"] in recipients
    assert len([r for r in recipients if r == ["ulla@ulp.example"]]) == 1


def test_a_ticket_answered_in_time_never_breaches(ulp, ulp_supervisor):
    opened = datetime(2026, 11, 25, 9, 0, tzinfo=WITA)
    with time_machine.travel(opened, tick=False):
        ticket = open_ticket("GG-PADAM-1", ulp)
    with time_machine.travel(opened + timedelta(minutes=40), tick=False):
        services.change_status(ticket=ticket, to_status=Ticket.Status.ASSIGNED)
    counts = sla_services.check_service_levels(now=opened + timedelta(hours=5))
    assert counts["breach"] == 0
    ticket.service_level.refresh_from_db()
    assert ticket.service_level.response_met is True


def test_a_late_power_change_is_flagged_for_compensation_with_its_rule(ulp, back_office_worker):
    # given a subsidised 900 VA household asking for more power on Wednesday
    customer = CustomerFactory(unit=ulp, tariff="R-1/TR", power_va=900)
    with time_machine.travel(datetime(2026, 11, 25, 9, 0, tzinfo=WITA), tick=False):
        ticket = open_ticket("LY-PD", ulp, customer=customer)
        sla_services.claim_ticket(ticket=ticket, user=back_office_worker)
    # when it is resolved on the 6th working day
    with time_machine.travel(datetime(2026, 12, 3, 9, 0, tzinfo=WITA), tick=False):
        sla_services.resolve_ticket(ticket=ticket, user=back_office_worker, answer="Daya sudah dinaikkan")
    # then
    level = ticket.service_level
    level.refresh_from_db()
    assert level.resolution_met is False
    assert level.compensation_percent == 20
    assert level.compensation_rule.startswith("Permen ESDM 18/2019")
    assert ticket.events.filter(kind=TicketEvent.Kind.BREACH, is_public=False).count() == 1


def test_the_network_work_found_by_the_survey_picks_the_longer_target(ulp, back_office_worker):
    with time_machine.travel(datetime(2026, 11, 25, 9, 0, tzinfo=WITA), tick=False):
        ticket = open_ticket("LY-PB", ulp)
        sla_services.save_service_request(
            ticket=ticket,
            requested_power_va=2200,
            tariff="R-1/TR",
            programme_code="superwow",
            network_work="extension",
            documents_received=["ktp", "not-a-document"],
            actor=back_office_worker,
        )
    ticket.refresh_from_db()
    assert ticket.resolution_due_at == datetime(2026, 12, 16, 9, 0, tzinfo=WITA)  # 15 working days
    assert ticket.service_request.programme_code == "SUPERWOW"
    assert ticket.service_request.documents_received == ["ktp"]


def test_a_power_that_is_not_a_standard_level_is_refused(ulp):
    ticket = open_ticket("LY-PD", ulp)
    with pytest.raises(ValidationError) as info:
        sla_services.save_service_request(ticket=ticket, requested_power_va=1000, tariff="R-1/TR")
    assert "requested_power_va" in info.value.message_dict


def test_a_negative_target_is_refused_with_a_message(db):
    target = ServiceLevelTarget(
        indicator="internal", category=category("LY-BN"), clock="working_days", resolution_time=-2,
        valid_from=date(2027, 1, 1),
    )  # fmt: skip
    with pytest.raises(ValidationError) as info:
        target.full_clean()
    assert "Target tidak boleh negatif." in info.value.message_dict["resolution_time"]  # Indonesian by default


def test_a_target_overlapping_another_version_is_refused(db):
    # given the seeded LY-BN target from 2020 and a version for 2027 with an end
    ServiceLevelTarget.objects.create(
        indicator="internal", category=category("LY-BN"), clock="working_days", resolution_time=4,
        valid_from=date(2027, 1, 1), valid_until=date(2027, 7, 1),
    )  # fmt: skip
    # when another version starts inside it
    clash = ServiceLevelTarget(
        indicator="internal", category=category("LY-BN"), clock="working_days", resolution_time=3,
        valid_from=date(2027, 3, 1),
    )  # fmt: skip
    # then
    with pytest.raises(ValidationError) as info:
        clash.full_clean()
    assert "tumpang tindih" in info.value.message_dict["valid_from"][0]
    assert "2027-01-01" in info.value.message_dict["valid_from"][0]


def test_a_later_version_applies_from_its_date(ulp):
    ServiceLevelTarget.objects.create(
        indicator="internal", category=category("LY-BN"), clock="working_days", resolution_time=2,
        valid_from=date(2027, 1, 1),
    )  # fmt: skip
    with time_machine.travel(datetime(2027, 1, 4, 9, 0, tzinfo=WITA), tick=False):
        ticket = open_ticket("LY-BN", ulp)
    ticket.refresh_from_db()
    assert ticket.resolution_due_at == datetime(2027, 1, 6, 9, 0, tzinfo=WITA)


@pytest.mark.parametrize(("payment_type", "flagged"), [("postpaid", True), ("prepaid", False)])
def test_a_late_bill_correction_is_compensated_for_postpaid_customers_only(
    ulp, back_office_worker, payment_type, flagged
):
    customer = CustomerFactory(unit=ulp, tariff="R-2/TR", power_va=3500, payment_type=payment_type)
    with time_machine.travel(datetime(2026, 11, 25, 9, 0, tzinfo=WITA), tick=False):
        ticket = open_ticket("TG-KOREKSI", ulp, customer=customer)
        sla_services.claim_ticket(ticket=ticket, user=back_office_worker)
    with time_machine.travel(datetime(2026, 11, 27, 9, 0, tzinfo=WITA), tick=False):
        sla_services.resolve_ticket(ticket=ticket, user=back_office_worker, answer="Rekening dikoreksi")
    level = ticket.service_level
    level.refresh_from_db()
    assert level.resolution_met is False
    assert (level.compensation_percent == 35) is flagged
