"""CSV and XLSX exports of the supervisor reports: the summary tables and the ticket list.

CSV is streamed row by row. XLSX is written with openpyxl's write-only mode (constant memory) into a
temporary file; a ticket list larger than ``REPORT_SYNC_ROWS`` is built by a Celery task that reports
its progress, and one larger than ``REPORT_MAX_TICKET_ROWS`` is refused: split the range.
"""

import csv
import tempfile
from collections.abc import Iterable, Iterator
from datetime import datetime
from zoneinfo import ZoneInfo

from openpyxl import Workbook

from . import selectors
from .selectors import ReportScope

Table = tuple[str, list[str], list[list]]


def _number(value: float | None, digits: int = 3):
    return None if value is None else round(value, digits)


def summary_tables(scope: ReportScope) -> list[Table]:
    """Each report section as one table: (name, header, rows)."""
    outages = selectors.customer_outages(unit_ids=scope.unit_ids, start_at=scope.start_at, end_at=scope.end_at)
    return [
        _open_tickets_table(scope),
        _tmp_compliance_table(scope),
        _reliability_table(scope, outages),
        _compensation_table(scope, outages),
        _referrals_table(scope),
        _feedback_table(scope),
    ]


def _open_tickets_table(scope: ReportScope) -> Table:
    open_rows = selectors.open_tickets_by_category_and_age(scope)
    return (
        "open_tickets",
        ["category", "total", "<1d", "1-3d", "3-7d", "7-30d", ">30d"],
        [
            [r["category"].code, r["total"], r["lt1d"], r["1to3d"], r["3to7d"], r["7to30d"], r["gt30d"]]
            for r in open_rows
        ],
    )


def _tmp_compliance_table(scope: ReportScope) -> Table:
    return (
        "tmp_compliance",
        [
            "indicator",
            "tickets",
            "response_met",
            "response_late",
            "resolution_met",
            "resolution_late",
            "response_breaches",
            "resolution_breaches",
            "compensation_flagged",
            "compliance_percent",
        ],
        [
            [
                r["indicator"],
                r["tickets"],
                r["responses_met"],
                r["responses_late"],
                r["resolutions_met"],
                r["resolutions_late"],
                r["response_breaches"],
                r["resolution_breaches"],
                r["compensated"],
                r["compliance"],
            ]
            for r in selectors.tmp_compliance(scope)
        ],
    )


def _reliability_table(scope: ReportScope, outages) -> Table:
    records = selectors.interruption_records(
        unit_ids=scope.unit_ids, start_at=scope.start_at, end_at=scope.end_at, outages=outages
    )
    reliability = selectors.reliability(scope, records=records)
    return (
        "reliability",
        [
            "unit",
            "month",
            "customers_served",
            "customers_interrupted",
            "customer_minutes",
            "saifi",
            "saidi_min",
            "caidi_min",
        ],
        [
            [
                row["unit"].code if row["unit"] else "",
                row["month"],
                row["indices"].customers_served,
                row["indices"].customers_interrupted,
                round(row["indices"].customer_minutes, 1),
                _number(row["indices"].saifi, 4),
                _number(row["indices"].saidi, 2),
                _number(row["indices"].caidi, 1),
            ]
            for row in reliability["units"]
        ]
        + [
            [
                "ALL",
                row["month"],
                row["indices"].customers_served,
                row["indices"].customers_interrupted,
                round(row["indices"].customer_minutes, 1),
                _number(row["indices"].saifi, 4),
                _number(row["indices"].saidi, 2),
                _number(row["indices"].caidi, 1),
            ]
            for row in reliability["months"]
        ],
    )


def _compensation_table(scope: ReportScope, outages) -> Table:
    compensation = selectors.monthly_outage_compensation(scope, outages=outages)
    return (
        "outage_compensation",
        ["rule", "percent_of_biaya_beban", "customer_months"],
        [[compensation["rule"], percent, count] for percent, count in compensation["by_percent"]]
        + [
            [f"ticket:{row['indicator']}", row["compensation_percent"], row["tickets"]]
            for row in selectors.compensation_flags(scope)
        ],
    )


def _referrals_table(scope: ReportScope) -> Table:
    return (
        "referrals",
        ["body", "reference", "ticket", "category", "unit", "raised_on", "deadline", "status"],
        [
            [
                r.body,
                r.reference,
                r.ticket.number,
                r.ticket.category.code,
                r.ticket.unit.code,
                r.raised_on,
                r.deadline,
                r.ticket.status,
            ]
            for r in selectors.referrals(scope)
        ],
    )


def _feedback_table(scope: ReportScope) -> Table:
    return (
        "feedback",
        ["kind", "feedback"],
        [[item["kind"], item["count"]] for item in selectors.feedback_summary(scope)["kinds"]],
    )


class _Echo:
    def write(self, value: str) -> str:
        return value


def csv_rows(tables: Iterable[Table]) -> Iterator[str]:
    """One CSV stream: each table preceded by a ``# name`` line and its header, separated by a blank line."""
    writer = csv.writer(_Echo())
    first = True
    for name, header, rows in tables:
        if not first:
            yield "\r\n"
        first = False
        yield writer.writerow([f"# {name}"])
        yield writer.writerow(header)
        for row in rows:
            yield writer.writerow(row)


TICKET_HEADER = [
    "number",
    "created_at",
    "category",
    "status",
    "priority",
    "unit",
    "channel",
    "response_due_at",
    "resolution_due_at",
    "restored_at",
    "resolved_at",
]


def _local(value, tz: ZoneInfo):
    if isinstance(value, datetime):
        return value.astimezone(tz).replace(tzinfo=None)
    return value


def ticket_rows(scope: ReportScope) -> Iterator[list]:
    tz = ZoneInfo(scope.zone)
    for row in selectors.tickets_for_export(scope).iterator(chunk_size=5000):
        yield [_local(value, tz) for value in row]


def csv_ticket_rows(scope: ReportScope) -> Iterator[str]:
    writer = csv.writer(_Echo())
    yield writer.writerow(TICKET_HEADER)
    for row in ticket_rows(scope):
        yield writer.writerow(
            ["" if v is None else (v.isoformat(sep=" ") if isinstance(v, datetime) else v) for v in row]
        )


def write_xlsx(tables: Iterable[Table], *, progress=None) -> tempfile.SpooledTemporaryFile:
    """A write-only workbook with one sheet per table; ``progress(rows_done)`` is called every 5,000 rows."""
    workbook = Workbook(write_only=True)
    done = 0
    for name, header, rows in tables:
        sheet = workbook.create_sheet(title=name[:31])
        sheet.append(header)
        for row in rows:
            sheet.append(row)
            done += 1
            if progress is not None and done % 5000 == 0:
                progress(done)
    handle = tempfile.SpooledTemporaryFile(max_size=16 * 1024 * 1024)
    workbook.save(handle)
    handle.seek(0)
    return handle
