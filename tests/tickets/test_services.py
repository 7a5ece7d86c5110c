import pytest
from django.core.exceptions import ValidationError

from core.errors import ConflictError
from tests.factories import CustomerFactory, category
from tickets import services, signals
from tickets.models import Ticket, TicketEvent

pytestmark = pytest.mark.django_db


def open_outage(**overrides):
    values = {
        "category": category("GG-PADAM-1"),
        "channel": Ticket.Channel.WEB,
        "description": "Listrik padam",
        "reporter_phone": "081234567890",
    }
    values.update(overrides)
    return services.open_ticket(**values)


def test_open_ticket_finds_the_customer_and_their_ulp(ulp):
    # given
    customer = CustomerFactory(unit=ulp, id_pelanggan="530000000042")
    # when
    ticket = open_outage(id_pelanggan="530000000042")
    # then
    assert ticket.customer == customer
    assert ticket.unit == ulp
    assert ticket.reporter_phone == "+6281234567890"
    assert ticket.status == Ticket.Status.RECEIVED
    assert ticket.dispatch_state == Ticket.DispatchState.PENDING
    assert ticket.events.get().kind == TicketEvent.Kind.OPENED


def test_open_ticket_by_meter_number(ulp):
    customer = CustomerFactory(unit=ulp, meter_number="14000000077")
    ticket = open_outage(meter_number="14000000077")
    assert ticket.customer == customer
    assert ticket.id_pelanggan == customer.id_pelanggan


def test_open_ticket_with_only_a_point_goes_to_the_nearest_ulp(ulp, other_ulp):
    ticket = open_outage(lat=-1.268, lng=116.889)
    assert ticket.unit == other_ulp


def test_open_ticket_without_any_place_is_refused(db):
    with pytest.raises(ValidationError) as info:
        open_outage()
    assert "unit" in info.value.message_dict
    assert Ticket.objects.count() == 0


def test_back_office_category_does_not_need_dispatch(ulp):
    ticket = open_outage(category=category("TG-LONJAK"), unit=ulp)
    assert ticket.kind == "back_office"
    assert ticket.dispatch_state == Ticket.DispatchState.NOT_NEEDED


def test_same_idempotency_key_returns_the_same_ticket(ulp):
    first = open_outage(unit=ulp, idempotency_key="key-1")
    second = open_outage(unit=ulp, idempotency_key="key-1", description="retry")
    assert first.was_created and not second.was_created
    assert first.pk == second.pk
    assert Ticket.objects.count() == 1


def test_ticket_opened_signal_is_sent_inside_the_transaction(ulp):
    seen = []

    def receiver(sender, ticket, **kwargs):
        seen.append(Ticket.objects.filter(pk=ticket.pk).exists())

    signals.ticket_opened.connect(receiver)
    try:
        open_outage(unit=ulp)
    finally:
        signals.ticket_opened.disconnect(receiver)
    assert seen == [True]


def test_outage_walks_the_pln_mobile_statuses_and_stamps_the_clock(ulp, dispatcher):
    ticket = open_outage(unit=ulp)
    for status in ["assigned", "on_the_way", "in_progress", "temporarily_restored", "restored", "closed"]:
        ticket = services.change_status(ticket=ticket, to_status=status, actor=dispatcher)
    assert ticket.assigned_at and ticket.departed_at and ticket.work_started_at
    assert ticket.temporarily_restored_at and ticket.restored_at and ticket.closed_at
    assert list(ticket.events.filter(kind="status").values_list("to_status", flat=True)) == [
        "assigned",
        "on_the_way",
        "in_progress",
        "temporarily_restored",
        "restored",
        "closed",
    ]


def test_an_illegal_transition_is_refused_and_changes_nothing(ulp):
    ticket = open_outage(unit=ulp)
    with pytest.raises(ConflictError) as info:
        services.change_status(ticket=ticket, to_status="closed")
    assert "assigned" in info.value.extra["allowed"]
    ticket.refresh_from_db()
    assert ticket.status == "received"
    assert ticket.events.count() == 1


def test_back_office_flow_and_its_transitions(ulp, back_office):
    ticket = open_outage(category=category("LY-PD"), unit=ulp)
    with pytest.raises(ConflictError):
        services.change_status(ticket=ticket, to_status="assigned")
    for status in ["in_progress", "waiting_customer", "in_progress", "resolved", "closed"]:
        ticket = services.change_status(ticket=ticket, to_status=status, actor=back_office)
    assert ticket.waiting_since and ticket.resolved_at and ticket.closed_at


def test_closed_tickets_are_final(ulp):
    ticket = open_outage(unit=ulp)
    ticket = services.change_status(ticket=ticket, to_status="cancelled")
    with pytest.raises(ConflictError):
        services.change_status(ticket=ticket, to_status="received")


def test_notes_are_internal_unless_public(ulp, operator):
    ticket = open_outage(unit=ulp)
    services.add_note(ticket=ticket, author=operator, message="customer sounded upset")
    services.add_note(ticket=ticket, author=operator, message="Petugas segera datang", public=True)
    public = list(ticket.events.filter(is_public=True).values_list("message", flat=True))
    assert "Petugas segera datang" in public
    assert "customer sounded upset" not in public


def test_empty_note_is_refused(ulp, operator):
    ticket = open_outage(unit=ulp)
    with pytest.raises(ValidationError):
        services.add_note(ticket=ticket, author=operator, message="   ")


def test_a_follow_up_ticket_is_linked_to_its_parent(ulp):
    parent = open_outage(unit=ulp)
    child = open_outage(unit=ulp, parent=parent)
    assert child.parent == parent
    assert parent.events.filter(kind="linked", data__follow_up=child.number).exists()


def test_a_unit_is_named_with_its_level_once(db):
    # given
    from tickets.models import ServiceUnit

    named = ServiceUnit(code="ULP-X", name="ULP Balikpapan Utara", level="ULP")
    bare = ServiceUnit(code="ULP-Y", name="Balikpapan Barat", level="ULP")
    # then
    assert str(named) == "ULP Balikpapan Utara"
    assert str(bare) == "ULP Balikpapan Barat"
