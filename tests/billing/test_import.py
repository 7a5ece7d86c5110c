"""Customer, bill and token imports: good files, bad lines, dry runs, re-imports, a 10,000-row file."""

import tracemalloc

import pytest
from django.core.management import CommandError, call_command

from billing import services
from billing.models import Bill, ImportJob, TokenPurchase, UnitCustomerCount
from billing.selectors import customers_served
from tickets.models import Customer

from .conftest import CUSTOMER_HEADER, customer_row

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

BILL_HEADER = ["id_pelanggan", "period", "reading_start", "reading_end", "kwh", "amount", "due_date", "paid_at"]
TOKEN_HEADER = ["reference", "id_pelanggan", "meter_number", "purchased_at", "kwh", "amount", "token"]


def test_good_file_upserts_and_counts_customers_per_unit(ulp, other_ulp, write_csv):
    rows = [customer_row(n) for n in range(1, 6)] + [customer_row(9, ulp_code="ULP-TEST-B")]
    job = services.import_file(kind="customers", path=write_csv("c.csv", CUSTOMER_HEADER, rows))
    assert job.status == ImportJob.Status.DONE, job.message
    assert (job.created, job.updated, job.unchanged) == (6, 0, 0)
    customer = Customer.objects.get(id_pelanggan="532100000001")
    assert (customer.tariff, customer.power_va, customer.payment_type, customer.unit) == (
        "R-1/TR", 1300, "prepaid", ulp,
    )  # fmt: skip
    assert customer.meter_number == "14100000001" and customer.feeder_code == "PY-01"
    assert UnitCustomerCount.objects.get(unit=ulp).customers == 5
    assert customers_served([ulp.pk, other_ulp.pk]) == {ulp.pk: 5, other_ulp.pk: 1}


def test_reimport_changes_nothing_and_a_changed_line_updates_one_row(ulp, write_csv):
    rows = [customer_row(n) for n in range(1, 4)]
    path = write_csv("c.csv", CUSTOMER_HEADER, rows)
    services.import_file(kind="customers", path=path)
    before = list(Customer.objects.order_by("pk").values())
    again = services.import_file(kind="customers", path=path)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 3)
    assert list(Customer.objects.order_by("pk").values()) == before
    rows[1]["power_va"] = "2200"
    changed = services.import_file(kind="customers", path=write_csv("c2.csv", CUSTOMER_HEADER, rows))
    assert (changed.created, changed.updated, changed.unchanged) == (0, 1, 2)
    assert Customer.objects.get(id_pelanggan="532100000002").power_va == 2200


def test_bad_lines_reject_the_whole_file_with_a_report(ulp, write_csv):
    rows = [
        customer_row(1),
        customer_row(2, id_pelanggan="53210000000A"),  # a letter in the ID
        customer_row(3, tariff="X-9/TR"),
        customer_row(1, name="Duplicate"),  # same ID as line 2
        customer_row(5, ulp_code="ULP-NOWHERE"),
        customer_row(6, meter_number="14100000001"),  # meter of line 2
    ]
    job = services.import_file(kind="customers", path=write_csv("bad.csv", CUSTOMER_HEADER, rows))
    assert job.status == ImportJob.Status.REJECTED
    assert Customer.objects.count() == 0
    found = {(e["line"], e["field"]) for e in job.errors}
    assert found == {(3, "id_pelanggan"), (4, "tariff"), (5, "id_pelanggan"), (6, "ulp_code"), (7, "meter_number")}
    assert any("12" in e["reason"] for e in job.errors if e["line"] == 3)
    skipped = services.import_file(
        kind="customers", path=write_csv("bad.csv", CUSTOMER_HEADER, rows), skip_bad_lines=True
    )
    assert skipped.status == ImportJob.Status.DONE and skipped.created == 1
    assert list(Customer.objects.values_list("id_pelanggan", flat=True)) == ["532100000001"]


def test_dry_run_reports_but_writes_nothing(ulp, write_csv):
    job = services.import_file(
        kind="customers", path=write_csv("c.csv", CUSTOMER_HEADER, [customer_row(1), customer_row(2)]), dry_run=True
    )
    assert job.status == ImportJob.Status.DONE and job.created == 2
    assert Customer.objects.count() == 0


def test_wrong_columns_and_bad_encoding_fail_cleanly(ulp, tmp_path):
    wrong = tmp_path / "wrong.csv"
    wrong.write_text("id,nama\n532100000001,Budi\n")
    job = services.import_file(kind="customers", path=str(wrong))
    assert job.status == ImportJob.Status.FAILED and "missing columns" in job.message
    latin = tmp_path / "latin.csv"
    latin.write_bytes((",".join(CUSTOMER_HEADER) + "\n").encode() + "532100000001,Jos\xe9".encode("latin-1") + b"\n")
    job = services.import_file(kind="customers", path=str(latin))
    assert job.status == ImportJob.Status.FAILED and "UTF-8" in job.message
    short = tmp_path / "short.csv"
    short.write_text(",".join(CUSTOMER_HEADER) + "\n532100000001,Budi\n")
    job = services.import_file(kind="customers", path=str(short))
    assert job.status == ImportJob.Status.REJECTED and job.errors[0]["line"] == 2
    assert Customer.objects.count() == 0


def test_command_exits_non_zero_on_a_rejected_file(ulp, write_csv):
    path = write_csv("bad.csv", CUSTOMER_HEADER, [customer_row(1, power_va="lots")])
    with pytest.raises(CommandError, match="Rejected"):
        call_command("import_customers", path)
    call_command("import_customers", write_csv("ok.csv", CUSTOMER_HEADER, [customer_row(1)]))
    assert Customer.objects.count() == 1


def test_bills_and_tokens_import_with_masked_tokens(ulp, write_csv):
    services.import_file(kind="customers", path=write_csv("c.csv", CUSTOMER_HEADER, [customer_row(1), customer_row(2)]))
    bills = [
        {"id_pelanggan": "532100000002", "period": "2026-10", "reading_start": "1000", "reading_end": "1150",
         "kwh": "150", "amount": "216705", "due_date": "", "paid_at": "2026-11-05T10:00:00+08:00"},
        {"id_pelanggan": "532100000002", "period": "2026-11", "reading_start": "1150", "reading_end": "1420",
         "kwh": "270", "amount": "390069", "due_date": "", "paid_at": ""},
    ]  # fmt: skip
    job = services.import_file(kind="bills", path=write_csv("b.csv", BILL_HEADER, bills))
    assert job.status == ImportJob.Status.DONE, job.errors
    november = Bill.objects.get(period="2026-11-01")
    assert str(november.due_date) == "2026-12-20" and november.paid_at is None and november.kwh == 270
    again = services.import_file(kind="bills", path=write_csv("b.csv", BILL_HEADER, bills))
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)

    token = "12345678901234567890"
    tokens = [
        {"reference": "TRX-1", "id_pelanggan": "532100000001", "meter_number": "14100000001",
         "purchased_at": "2026-11-03T19:00:00+08:00", "kwh": "34.6", "amount": "50000", "token": token},
        {"reference": "TRX-2", "id_pelanggan": "532100000001", "meter_number": "14199999999",
         "purchased_at": "2026-11-04T19:00:00+08:00", "kwh": "34.6", "amount": "50000", "token": token},
    ]  # fmt: skip
    job = services.import_file(kind="tokens", path=write_csv("t.csv", TOKEN_HEADER, tokens))
    assert job.status == ImportJob.Status.REJECTED
    assert job.errors == [{"line": 3, "field": "meter_number", "reason": "This meter number is not the customer's."}]
    job = services.import_file(kind="tokens", path=write_csv("t.csv", TOKEN_HEADER, tokens[:1]))
    purchase = TokenPurchase.objects.get()
    assert purchase.masked_token == "**** **** **** **** 7890"
    stored = " ".join(str(v) for v in TokenPurchase.objects.values().get().values())
    assert token not in stored


def test_bills_for_unknown_customers_are_bad_lines(ulp, write_csv):
    bills = [{"id_pelanggan": "999999999999", "period": "2026-13", "reading_start": "5", "reading_end": "1",
              "kwh": "4", "amount": "1", "due_date": "", "paid_at": ""},
             {"id_pelanggan": "999999999999", "period": "2026-11", "reading_start": "1", "reading_end": "5",
              "kwh": "4", "amount": "1", "due_date": "", "paid_at": ""}]  # fmt: skip
    job = services.import_file(kind="bills", path=write_csv("b.csv", BILL_HEADER, bills))
    assert {(e["line"], e["field"]) for e in job.errors} == {(2, "period"), (3, "id_pelanggan")}
    assert Bill.objects.count() == 0


def test_ten_thousand_rows_in_flat_memory(ulp, tmp_path):
    path = tmp_path / "big.csv"
    with path.open("w") as out:
        out.write(",".join(CUSTOMER_HEADER) + "\n")
        for n in range(1, 10001):
            out.write(",".join(customer_row(n).values()) + "\n")
    tracemalloc.start()
    job = services.import_file(kind="customers", path=str(path))
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert job.status == ImportJob.Status.DONE and job.created == 10000
    assert Customer.objects.count() == 10000
    # Batches of 2,000 lines: the peak stays far below what holding 10,000 rows would take.
    assert peak < 40 * 1024 * 1024, peak
    again = services.import_file(kind="customers", path=str(path))
    assert again.unchanged == 10000 and again.created == again.updated == 0


def test_upload_page_runs_the_job_and_reports_progress(
    client, ulp, admin_user_sigap, operator, django_capture_on_commit_callbacks
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from .conftest import csv_bytes

    client.force_login(operator)
    assert client.get("/billing/import/").status_code == 403
    client.force_login(admin_user_sigap)
    upload = SimpleUploadedFile("pelanggan.csv", csv_bytes(CUSTOMER_HEADER, [customer_row(1), customer_row(2)]))
    with django_capture_on_commit_callbacks(execute=False) as published:
        response = client.post("/billing/import/", {"kind": "customers", "file": upload})
    assert response.status_code == 302 and len(published) == 1  # the task is handed to Celery after commit
    job = ImportJob.objects.get()
    assert job.status == ImportJob.Status.PENDING and client.get(f"/billing/import/{job.pk}/status.json").json() == {
        "status": "pending", "status_label": "Menunggu", "finished": False, "lines_read": 0, "lines_written": 0,
        "bad_lines": 0, "message": "",
    }  # fmt: skip
    services.run_import_job(job_id=job.pk)  # what the worker runs
    job.refresh_from_db()
    assert job.status == ImportJob.Status.DONE and job.created == 2 and job.created_by == admin_user_sigap
    status = client.get(f"/billing/import/{job.pk}/status.json").json()
    assert status["finished"] and status["lines_read"] == 2 and status["lines_written"] == 2
    page = client.get(response["Location"]).content.decode()
    assert 'id="import-progress"' in page and "pelanggan.csv" in page
    assert Customer.objects.count() == 2


def test_text_with_commas_quotes_tabs_backslashes_and_line_breaks_is_stored_as_written(ulp, write_csv):
    # given: quoted fields holding what the PostgreSQL COPY path must escape
    name = 'Toko "Maju", Jaya\\Abadi\tSatu'
    address = "Jl. Mawar No. 1\nRT 02 / RW 03\\4"
    path = write_csv("c.csv", CUSTOMER_HEADER, [customer_row(1, name=name, address=address), customer_row(2)])
    # when
    job = services.import_file(kind="customers", path=path)
    again = services.import_file(kind="customers", path=path)
    # then
    assert job.status == ImportJob.Status.DONE and job.created == 2, job.message
    stored = Customer.objects.get(id_pelanggan="532100000001")
    assert (stored.name, stored.address) == (name, address)
    assert Customer.objects.get(id_pelanggan="532100000002").lat == -1.2
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)
