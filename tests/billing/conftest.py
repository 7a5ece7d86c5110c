import csv
import io

import pytest

CUSTOMER_HEADER = [
    "id_pelanggan", "name", "address", "tariff", "power_va", "payment_type", "meter_number",
    "transformer_code", "feeder_code", "ulp_code", "lat", "lng",
]  # fmt: skip


def customer_row(n: int, ulp_code: str = "ULP-TEST-A", **overrides) -> dict:
    row = {
        "id_pelanggan": f"5321{n:08d}",
        "name": f"Pelanggan {n}",
        "address": f"Jl. Mawar No. {n}",
        "tariff": "R-1/TR",
        "power_va": "1300",
        "payment_type": "prepaid" if n % 2 else "postpaid",
        "meter_number": f"141{n:08d}",
        "transformer_code": "GD-01",
        "feeder_code": "PY-01",
        "ulp_code": ulp_code,
        "lat": "-1.2",
        "lng": "116.8",
    }
    row.update(overrides)
    return row


def csv_bytes(header: list[str], rows: list[dict]) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=header, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode()


@pytest.fixture
def write_csv(tmp_path):
    def write(name: str, header: list[str], rows: list[dict]) -> str:
        path = tmp_path / name
        path.write_bytes(csv_bytes(header, rows))
        return str(path)

    return write


@pytest.fixture
def english():
    """Messages in English (the source text) for assertions on their wording."""
    from django.utils import translation

    with translation.override("en"):
        yield
