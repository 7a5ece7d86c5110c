"""Supervisor reports: access per unit, sections, exports that parse back, refused ranges."""

import csv
import io
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from openpyxl import load_workbook

from core import roles
from reports import jobs, selectors, tasks
from tests.factories import CustomerFactory, category, make_staff
from tickets import services
from tickets.models import Ticket

pytestmark = pytest.mark.django_db
WITA = ZoneInfo("Asia/Makassar")
RANGE = {"start": "2026-11-01", "end": "2026-11-30"}


def open_ticket(code: str, unit, **extra) -> Ticket:
    return services.open_ticket(
        category=category(code),
        channel=Ticket.Channel.PHONE,
        description=extra.pop("description", "Mohon dibantu"),
        reporter_phone="081234567890",
        unit=unit,
        **extra,
    )


def restored_outage(unit, customer, start: datetime, minutes: int) -> Ticket:
    with time_machine.travel(start, tick=False):
        ticket = open_ticket("GG-PADAM-1", unit, customer=customer)
    with time_machine.travel(start + timedelta(minutes=minutes), tick=False):
        services.change_status(ticket=ticket, to_status=Ticket.Status.RESTORED)
    return ticket


@pytest.fixture
def november(ulp, other_ulp):
    """Two ULPs, 4 customers in A and 6 in B, a few tickets and outages in November 2026."""
    a = [CustomerFactory(unit=ulp) for _ in range(4)]
    b = [CustomerFactory(unit=other_ulp) for _ in range(6)]
    restored_outage(ulp, a[0], datetime(2026, 11, 3, 8, 0, tzinfo=WITA), 120)
    restored_outage(ulp, a[0], datetime(2026, 11, 3, 9, 0, tzinfo=WITA), 90)  # same customer, overlapping
    restored_outage(ulp, a[1], datetime(2026, 11, 4, 8, 0, tzinfo=WITA), 3)  # momentary
    restored_outage(other_ulp, b[0], datetime(2026, 11, 5, 8, 0, tzinfo=WITA), 30)
    with time_machine.travel(datetime(2026, 11, 10, 9, 0, tzinfo=WITA), tick=False):
        open_ticket("TG-LONJAK", ulp)
        open_ticket("SP-KRITIK", ulp, description="Petugas lambat datang")
        open_ticket("LY-PB", other_ulp)
    return {"a": a, "b": b}


def test_indices_from_outage_tickets_deduplicate_per_customer(ulp, other_ulp, november, up3):
    # given the UP3 scope over November
    scope = selectors.ReportScope(
        unit=up3, unit_ids=[up3.pk, ulp.pk, other_ulp.pk], start=datetime(2026, 11, 1).date(),
        end=datetime(2026, 11, 30).date(), zone="Asia/Makassar",
    )  # fmt: skip
    # when
    records = selectors.interruption_records(unit_ids=scope.unit_ids, start_at=scope.start_at, end_at=scope.end_at)
    result = selectors.reliability(scope)
    # then customer a0's two reports are one interruption of 08:00–10:30
    assert sorted(r.minutes for r in records) == [3, 30, 150]
    total = result["months"][0]["indices"]
    assert total.customers_served == 10
    assert total.customers_interrupted == 2
    assert total.saidi == pytest.approx((150 + 30) / 10)
    assert total.caidi == pytest.approx(90)


def test_a_up3_supervisor_sees_every_ulp_below_it(client, supervisor, ulp, other_ulp, november):
    client.force_login(supervisor)
    for unit in (ulp, other_ulp):
        assert client.get("/reports/", {**RANGE, "unit": unit.pk}).status_code == 200
    page = client.get("/reports/", RANGE).content.decode()
    assert "ULP Test A" in page and "ULP Test B" in page


def test_a_ulp_supervisor_sees_their_ulp_and_not_the_other(client, ulp_a_supervisor, ulp, other_ulp, up3, november):
    # given
    client.force_login(ulp_a_supervisor)
    # when / then
    assert client.get("/reports/", {**RANGE, "unit": ulp.pk}).status_code == 200
    assert client.get("/reports/", {**RANGE, "unit": other_ulp.pk}).status_code == 403
    assert client.get("/reports/", {**RANGE, "unit": up3.pk}).status_code == 403
    assert client.get("/reports/export.csv", {**RANGE, "unit": other_ulp.pk}).status_code == 403


def test_a_ulp_supervisors_report_counts_only_their_ulp(client, ulp_a_supervisor, november):
    client.force_login(ulp_a_supervisor)
    body = b"".join(client.get("/reports/export.csv", RANGE).streaming_content).decode()
    assert "LY-PB" not in body  # the new connection is in ULP B
    assert "TG-LONJAK" in body


def test_back_office_staff_cannot_open_the_reports(client, back_office):
    client.force_login(back_office)
    assert client.get("/reports/").status_code == 403


def test_the_report_page_shows_each_section(client, supervisor, november):
    client.force_login(supervisor)
    page = client.get("/reports/", RANGE).content.decode()
    for section in ("open-tickets", "tmp-compliance", "compensation", "reliability", "referrals", "feedback"):
        assert f'id="{section}"' in page
    assert "Petugas lambat datang" in page
    assert 'id="saidi-chart"' in page
    assert 'href="/console/kpi/"' in page


def test_a_range_longer_than_a_year_is_refused_with_a_message(client, supervisor, settings):
    settings.LANGUAGE_CODE = "en"
    client.force_login(supervisor)
    response = client.get("/reports/", {"start": "2024-01-01", "end": "2026-11-30"}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    assert "split it" in response.content.decode() or "pisahkan" in response.content.decode()
    assert client.get("/reports/export.xlsx", {"start": "2024-01-01", "end": "2026-11-30"}).status_code == 400


def test_the_csv_export_parses_back(client, supervisor, november):
    client.force_login(supervisor)
    response = client.get("/reports/export.csv", RANGE)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    sections = [row[0] for row in rows if row and row[0].startswith("# ")]
    assert sections == [
        "# open_tickets", "# tmp_compliance", "# reliability", "# outage_compensation", "# referrals", "# feedback",
    ]  # fmt: skip
    reliability_all = [row for row in rows if row and row[0] == "ALL"]
    assert reliability_all[0][1] == "2026-11"
    assert float(reliability_all[0][6]) == pytest.approx(18.0)  # SAIDI minutes


def test_the_xlsx_export_opens_with_one_sheet_per_section(client, supervisor, november):
    client.force_login(supervisor)
    response = client.get("/reports/export.xlsx", RANGE)
    assert response.status_code == 200
    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True)
    assert workbook.sheetnames == [
        "open_tickets", "tmp_compliance", "reliability", "outage_compensation", "referrals", "feedback",
    ]  # fmt: skip
    open_rows = list(workbook["open_tickets"].iter_rows(values_only=True))
    assert open_rows[0][:2] == ("category", "total")
    assert {row[0] for row in open_rows[1:]} >= {"TG-LONJAK", "LY-PB"}


def test_the_ticket_list_export_parses_back_in_both_formats(client, supervisor, november):
    client.force_login(supervisor)
    csv_body = b"".join(client.get("/reports/export.csv", {**RANGE, "kind": "tickets"}).streaming_content).decode()
    rows = list(csv.DictReader(io.StringIO(csv_body)))
    assert len(rows) == Ticket.objects.count()
    xlsx = client.get("/reports/export.xlsx", {**RANGE, "kind": "tickets"})
    sheet = load_workbook(io.BytesIO(b"".join(xlsx.streaming_content)), read_only=True)["tickets"]
    assert len(list(sheet.iter_rows(values_only=True))) == Ticket.objects.count() + 1


def test_a_ticket_list_too_large_for_one_export_is_refused(client, supervisor, november, settings):
    settings.REPORT_MAX_TICKET_ROWS = 3
    client.force_login(supervisor)
    response = client.get("/reports/export.xlsx", {**RANGE, "kind": "tickets"})
    assert response.status_code == 400
    assert "7" in response.content.decode()


def test_a_large_xlsx_ticket_list_is_built_in_the_background_with_progress(client, supervisor, november, settings):
    # given a threshold below the ticket count
    settings.REPORT_SYNC_ROWS = 2
    client.force_login(supervisor)
    # when
    response = client.get("/reports/export.xlsx", {**RANGE, "kind": "tickets"})
    job_id = response["Location"].rstrip("/").split("/")[-1]
    tasks.build_ticket_export(job_id)  # what the worker runs (a second run is harmless)
    # then
    assert response.status_code == 302
    status = client.get(f"/reports/exports/{job_id}/status/").json()
    assert status == {"state": "done", "done": 7, "total": 7}
    assert "export-progress" in client.get(f"/reports/exports/{job_id}/").content.decode()
    download = client.get(f"/reports/exports/{job_id}/download/")
    sheet = load_workbook(io.BytesIO(b"".join(download.streaming_content)), read_only=True)["tickets"]
    assert len(list(sheet.iter_rows(values_only=True))) == 8
    jobs.delete_file(job_id)


def test_someone_elses_export_job_is_not_found(client, supervisor, november, settings, up3):
    settings.REPORT_SYNC_ROWS = 2
    client.force_login(supervisor)
    job_id = client.get("/reports/export.xlsx", {**RANGE, "kind": "tickets"})["Location"].rstrip("/").split("/")[-1]
    other = make_staff(role=roles.SUPERVISOR, unit=up3, username="other-supervisor")
    client.force_login(other)
    assert client.get(f"/reports/exports/{job_id}/status/").status_code == 404
