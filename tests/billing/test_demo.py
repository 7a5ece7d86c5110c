import pytest

from billing import demo, selectors
from tickets import demo as tickets_demo

pytestmark = pytest.mark.django_db


def test_demo_ids_show_bills_and_purchases_and_seeding_twice_adds_nothing():
    tickets_demo.seed(customers_per_unit=6)
    first = demo.seed()
    second = demo.seed()
    assert first == second
    postpaid = selectors.lookup(demo.DEMO_POSTPAID)
    assert len(postpaid["bills"]) == 6 and postpaid["bills"][0]["kwh"] == 395 and postpaid["due_date"]
    assert postpaid["payment_type"] == "postpaid" and postpaid["name"]
    prepaid = selectors.lookup(demo.DEMO_PREPAID)
    assert len(prepaid["purchases"]) == 5 and prepaid["purchases"][0]["token"].startswith("**** ****")
