"""Demo billing data: bills for some demo customers (postpaid) and token purchases for others (prepaid).

Safe to run again. The first demo customer, DEMO_POSTPAID, has six months of bills with a spike in the
last one (unpaid), so "info tagihan" shows something worth seeing.
"""

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from tickets import customer_services
from tickets.models import Customer

from .importing import default_due_date, token_digest
from .models import Bill, TokenPurchase

DEMO_POSTPAID = "530000000001"
DEMO_PREPAID = "530000000002"
RATE = Decimal("1444.70")  # Rp per kWh, R-1 1300 VA and above


def _months_back(today: date, count: int) -> list[date]:
    first = today.replace(day=1)
    months = []
    for _ in range(count):
        first = (first - timedelta(days=1)).replace(day=1)
        months.append(first)
    return list(reversed(months))


def seed(today: date | None = None) -> dict:
    today = today or date.today()
    postpaid_ids = [f"53{n:010d}" for n in range(1, 20, 2)]
    prepaid_ids = [f"53{n:010d}" for n in range(2, 21, 2)]
    for idpel in postpaid_ids:
        customer_services.set_payment_type(id_pelanggan=idpel, payment_type=Customer.PaymentType.POSTPAID)
    customers = {c.id_pelanggan: c for c in Customer.objects.filter(id_pelanggan__in=postpaid_ids + prepaid_ids)}
    months = _months_back(today, 7)
    bills = 0
    for number, idpel in enumerate(postpaid_ids):
        customer = customers.get(idpel)
        if customer is None:
            continue
        reading = 10_000 + number * 1_000
        for index, period in enumerate(months):
            kwh = 110 + (number * 7 + index * 13) % 45
            if idpel == DEMO_POSTPAID and index == len(months) - 1:
                kwh = 395  # the spike a customer calls about
            last = index == len(months) - 1
            due = default_due_date(period)
            Bill.objects.update_or_create(
                customer=customer,
                period=period,
                defaults={
                    "reading_start": reading,
                    "reading_end": reading + kwh,
                    "kwh": kwh,
                    "amount": (RATE * kwh).quantize(Decimal("1")),
                    "due_date": due,
                    "paid_at": None if last else datetime.combine(due - timedelta(days=6), datetime.min.time(), UTC),
                },
            )
            reading += kwh
            bills += 1
    purchases = 0
    for number, idpel in enumerate(prepaid_ids):
        customer = customers.get(idpel)
        if customer is None or not customer.meter_number:
            continue
        for index in range(5):
            token = f"{(number + 1) * 7919 + index * 104729:020d}"[-20:]
            bought = datetime.combine(today - timedelta(days=6 * index + number), datetime.min.time(), UTC)
            amount = Decimal(50_000 if index % 2 else 100_000)
            TokenPurchase.objects.update_or_create(
                reference=f"DEMO-{idpel}-{index}",
                defaults={
                    "customer": customer,
                    "meter_number": customer.meter_number,
                    "purchased_at": bought + timedelta(hours=19),
                    "kwh": (amount / RATE).quantize(Decimal("0.01")),
                    "amount": amount,
                    "token_last4": token[-4:],
                    "token_digest": token_digest(token),
                },
            )
            purchases += 1
    from .importing import recount_customers

    recount_customers()
    return {"bills": bills, "purchases": purchases, "postpaid": DEMO_POSTPAID, "prepaid": DEMO_PREPAID}
