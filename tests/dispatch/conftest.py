"""Dispatch fixtures: technicians placed on the map and outage reports opened through the ticket services."""

import itertools

import pytest

from core import roles
from tests.factories import TechnicianFactory, UserFactory, category
from tickets import services as ticket_services

# Points in Balikpapan Utara; 0.001° of latitude is about 111 m.
HERE = (-1.2120, 116.8720)
_phones = itertools.count()


def north_of(point: tuple[float, float], metres: float) -> tuple[float, float]:
    return point[0] + metres / 111_195.0, point[1]


def make_technician(unit, username: str, metres: float = 0.0, **fields):
    """An on-duty technician of ``unit``, ``metres`` north of HERE."""
    lat, lng = north_of(HERE, metres)
    user = UserFactory(username=username, first_name=username.capitalize(), roles=[roles.TECHNICIAN])
    return TechnicianFactory(**{"user": user, "unit": unit, "last_lat": lat, "last_lng": lng, **fields})


def open_outage(unit, metres: float = 0.0, code: str = "GG-PADAM-1", **fields):
    """An outage ticket ``metres`` north of HERE, opened by the ticket service like any report."""
    lat, lng = north_of(HERE, metres)
    values = {
        "category": category(code),
        "channel": "web",
        "description": "Listrik padam",
        "reporter_phone": f"08125{next(_phones) % 10_000_000:07d}",
        "unit": unit,
        "lat": lat,
        "lng": lng,
        **fields,
    }
    return ticket_services.open_ticket(**values)


@pytest.fixture
def place_technician(ulp):
    """``place_technician(name, metres_north_of_HERE, **fields)`` → an on-duty Technician."""
    return lambda username, metres=0.0, **fields: make_technician(fields.pop("unit", ulp), username, metres, **fields)


@pytest.fixture
def report_outage(ulp):
    """``report_outage(metres_north_of_HERE, **fields)`` → an outage ticket."""
    return lambda metres=0.0, code="GG-PADAM-1", **fields: open_outage(ulp, metres, code, **fields)


@pytest.fixture
def technician(place_technician):
    return place_technician("tono", 200)
