"""Admin pages of dispatch render; the staff home still works for a technician before the pages exist."""

from dispatch import services
from dispatch.models import Technician


def test_dispatch_admin_lists_and_detail_pages_render(client, superuser, place_technician, report_outage):
    # given
    tech = place_technician("tono", 100)
    offer = services.route_ticket(ticket_id=report_outage(0).pk)
    client.force_login(superuser)
    # then
    for url in [
        "/admin/dispatch/technician/",
        f"/admin/dispatch/technician/{tech.pk}/change/",
        "/admin/dispatch/incident/",
        f"/admin/dispatch/incident/{offer.incident_id}/change/",
        "/admin/dispatch/assignment/",
        f"/admin/dispatch/assignment/{offer.pk}/change/",
    ]:
        assert client.get(url).status_code == 200, url


def test_taking_a_technician_off_duty_in_the_admin_sets_their_state(client, superuser, technician):
    # given
    client.force_login(superuser)
    form = {
        "user": technician.user_id,
        "unit": technician.unit_id,
        "phone": "",
        "skills": ["lv", "mv"],
        "job_limit": 2,
        "shift_ends_at_0": "",
        "shift_ends_at_1": "",
    }
    # when (on_duty unchecked)
    response = client.post(f"/admin/dispatch/technician/{technician.pk}/change/", form)
    # then
    assert response.status_code == 302
    technician.refresh_from_db()
    assert technician.on_duty is False and technician.state == Technician.State.OFF
    assert technician.skills == ["lv", "mv"] and technician.job_limit == 2


def test_a_technician_still_has_a_staff_home(client, technician):
    # given
    client.force_login(technician.user)
    # when
    response = client.get("/staff/")
    # then
    assert response.status_code in (200, 302)
