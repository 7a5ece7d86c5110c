"""Two back-office staff moving one application at the same moment, on PostgreSQL: one succeeds, one gets 409."""

from datetime import timedelta

import pytest
from django.utils import timezone

from connections import services
from connections.models import Application
from core.errors import ConflictError
from dispatch.models import FieldJob
from tests.connections.conftest import new_connection
from tests.factories import make_staff
from tests.integration.conftest import run_at_once
from tickets.models import TicketEvent

pytestmark = pytest.mark.integration


def test_two_staff_ordering_the_survey_at_once_get_one_success_and_one_conflict(transactional_db, ulp):
    first = make_staff(role="back_office", unit=ulp, username="bo-one")
    second = make_staff(role="back_office", unit=ulp, username="bo-two")
    application = new_connection()
    start = timezone.now() + timedelta(days=1)

    def order(user):
        return lambda: services.order_survey(
            application=Application.objects.get(pk=application.pk),
            window_start=start,
            window_end=start + timedelta(hours=2),
            by=user,
            expected_stage="permohonan",
        )

    errors = run_at_once([order(first), order(second)])

    assert len(errors) == 1 and isinstance(errors[0], ConflictError) and errors[0].status_code == 409
    assert Application.objects.get(pk=application.pk).stage == "survei"
    assert FieldJob.objects.filter(ticket_id=application.ticket_id).count() == 1
    moves = TicketEvent.objects.filter(ticket_id=application.ticket_id, kind="status", to_status="in_progress")
    assert moves.count() == 1


def test_two_staff_rejecting_and_cancelling_at_once_leave_one_ending(transactional_db, ulp):
    staff = make_staff(role="back_office", unit=ulp, username="bo-three")
    application = new_connection()

    def move(stage):
        return lambda: services.move_stage(
            application=Application.objects.get(pk=application.pk),
            to_stage=stage,
            by=staff,
            reason=f"{stage} by staff",
            expected_stage="permohonan",
        )

    errors = run_at_once([move("ditolak"), move("dibatalkan")])

    assert len(errors) == 1 and isinstance(errors[0], ConflictError)
    final = Application.objects.get(pk=application.pk)
    assert final.stage in ("ditolak", "dibatalkan") and final.reason == f"{final.stage} by staff"
    assert TicketEvent.objects.filter(ticket_id=application.ticket_id, to_status="cancelled").count() == 1
