"""Dispatch fixtures: technicians placed on the map and outage reports opened through the ticket services."""

import pytest

from tests.factories import TechnicianFactory, UserFactory, category
from tickets import roles
from tickets import services as ticket_services

# Points in Balikpapan Utara; 0.001° of latitude is about 111 m.
HERE = (-1.2120, 116.8720)


def north_of(point: tuple[float, float], metres: float) -> tuple[float, float]:
    return point[0] + metres / 111_195.0, point[1]


@pytest.fixture
def place_technician(ulp):
    """``place_technician(name, metres_north_of_HERE, **fields)`` → an on-duty Technician."""

    def make(username: str, metres: float = 0.0, **fields):
        lat, lng = north_of(HERE, metres)
        user = UserFactory(username=username, first_name=username.capitalize(), roles=[roles.TECHNICIAN])
        values = {"user": user, "unit": ulp, "last_lat": lat, "last_lng": lng, **fields}
        return TechnicianFactory(**values)

    return make


@pytest.fixture
def report_outage(ulp):
    """``report_outage(metres_north_of_HERE, **fields)`` → an outage ticket opened by the ticket service."""
    counter = iter(range(10_000))

    def make(metres: float = 0.0, code: str = "GG-PADAM-1", **fields):
        lat, lng = north_of(HERE, metres)
        values = {
            "category": category(code),
            "channel": "web",
            "description": "Listrik padam",
            "reporter_phone": f"08125{next(counter):07d}",
            "unit": ulp,
            "lat": lat,
            "lng": lng,
            **fields,
        }
        return ticket_services.open_ticket(**values)

    return make


@pytest.fixture
def technician(place_technician):
    return place_technician("tono", 200)
