""" "Belum, masih padam": the original report's closing message names the follow-up report, and no rating is asked
while the follow-up is open."""

import pytest

from dispatch import services as dispatch_services
from dispatch.models import Incident
from notifications import messages
from notifications.selectors import survey_open
from outages import services
from outages.models import RestorationCheck
from tickets.models import Notification, Ticket

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("language", "words", "thanks"), [("id", "masih padam", "Terima kasih"), ("en", "still out", "Thank you")]
)
def test_still_dark_closes_the_original_with_the_follow_up_number_not_a_thank_you(
    client, customers, report, dispatcher, language, words, thanks
):
    # given: power restored on the report, the customer answers "no"
    ticket = report(customers["a0"], language=language)
    dispatch_services.restore_incident(incident=Incident.objects.get(), by=dispatcher)
    check = RestorationCheck.objects.get(ticket=ticket)
    # when
    services.answer_confirmation(token=check.token, answer="no")
    # then: the closing message names the follow-up, in the customer's language, and asks no rating
    follow_up = Ticket.objects.get(parent=ticket)
    closed = Notification.objects.get(ticket=ticket, kind="closed")
    text = messages.compose(closed).text
    assert follow_up.number in text and words in text
    assert thanks not in text
    assert "/survei/" not in text
    ticket.refresh_from_db()
    assert survey_open(ticket) is False
    page = client.get(f"/t/{ticket.tracking_token}/")
    assert b'id="survey-link" href' in page.content and b"hidden" in page.content.split(b'id="survey-link"')[1][:200]


def test_yes_still_offers_the_rating(customers, report, dispatcher):
    # given
    ticket = report(customers["a0"])
    dispatch_services.restore_incident(incident=Incident.objects.get(), by=dispatcher)
    check = RestorationCheck.objects.get(ticket=ticket)
    # when
    services.answer_confirmation(token=check.token, answer="yes")
    # then
    ticket.refresh_from_db()
    assert survey_open(ticket) is True
    assert "/survei/" in messages.compose(Notification.objects.get(ticket=ticket, kind="closed")).text
