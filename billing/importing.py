"""CSV imports from the CIS: customers, bills, token purchases (layouts in docs/billing.md).

A file goes through two passes, streamed (memory stays flat whatever the file size):

1. **Check**: every line is parsed and checked; good lines go to a staging table (``ImportRow``) in
   batches, bad ones to the job's report (line number, field, reason). Then the staging table finds what
   one line cannot see: duplicate keys in the file, references to unknown customers, meter numbers held by
   another customer.
2. **Write** (not on a dry run, and only when there are no bad lines unless asked to skip them): the
   staged lines are upserted in batches inside one transaction — a failure leaves nothing half-written.

Progress is written to the ``ImportJob`` row while checking (the upload page polls it); while writing
inside the transaction it goes to the cache under ``progress_key(job)`` as well.
"""

import csv
import hashlib
import hmac
import io
import re
from collections.abc import Iterable, Iterator
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation
from typing import NamedTuple

from django.conf import settings
from django.core.cache import cache
from django.db import connection, transaction
from django.db.models import Count, Exists, OuterRef
from django.db.models.fields.json import KeyTextTransform
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from core.phone import normalize_phone
from tickets import customer_services
from tickets.models import Customer, ServiceUnit

from .models import Bill, ImportJob, ImportRow, TokenPurchase, UnitCustomerCount

BATCH = 2000
MAX_REPORTED = 500
ID_PELANGGAN = re.compile(r"^\d{12}$")
METER = re.compile(r"^\d{11}$")
TOKEN = re.compile(r"^\d{20}$")
PERIOD = re.compile(r"^(\d{4})-(\d{2})$")
TARIFFS = frozenset(Customer.Tariff.values)
PAYMENT_TYPES = frozenset(Customer.PaymentType.values)


class Staged(NamedTuple):
    """A checked line on its way through the staging table."""

    line: int
    key: str
    ref: str
    data: dict


class LineError(Exception):
    def __init__(self, field: str, reason: str):
        super().__init__(reason)
        self.field = field
        self.reason = reason


class FileError(Exception):
    """The file as a whole cannot be read (wrong header, not UTF-8 text): nothing is imported."""


# --- field parsers -------------------------------------------------------------------------------


def _required(row: dict, field: str) -> str:
    value = (row.get(field) or "").strip()
    if not value:
        raise LineError(field, _("This field is required."))
    return value


def parse_id_pelanggan(value: str, field: str = "id_pelanggan") -> str:
    if not ID_PELANGGAN.match(value):
        raise LineError(field, _("ID pelanggan must be exactly 12 digits."))
    return value


def _int(row: dict, field: str, *, minimum: int = 0) -> int:
    value = _required(row, field)
    if not value.isdigit():
        raise LineError(field, _("Enter a whole number."))
    number = int(value)
    if number < minimum:
        raise LineError(field, _("Must be at least %(min)s.") % {"min": minimum})
    return number


def _decimal(row: dict, field: str, *, required: bool = True) -> Decimal:
    value = (row.get(field) or "").strip()
    if not value and not required:
        return Decimal("0")
    value = value or _required(row, field)
    try:
        number = Decimal(value)
    except InvalidOperation:
        raise LineError(field, _("Enter a number (a dot for decimals, no thousands separator).")) from None
    if not number.is_finite() or number < 0:
        raise LineError(field, _("Enter a number that is not negative."))
    return number.quantize(Decimal("0.01"))


def _coordinate(row: dict, field: str, limit: float) -> float | None:
    value = (row.get(field) or "").strip()
    if not value:
        return None
    try:
        number = float(value)
    except ValueError:
        raise LineError(field, _("Enter a decimal coordinate.")) from None
    if not -limit <= number <= limit:
        raise LineError(field, _("Out of range."))
    return number


def _date(value: str, field: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise LineError(field, _("Enter a date as YYYY-MM-DD.")) from None


def _moment(value: str, field: str) -> datetime:
    try:
        when = parse_datetime(value) if "T" in value or " " in value else None
        if when is None:
            when = datetime.combine(date.fromisoformat(value), datetime.min.time())
    except ValueError:
        when = None
    if when is None:
        raise LineError(field, _("Enter a date and time as YYYY-MM-DDTHH:MM[:SS][+08:00]."))
    if timezone.is_naive(when):
        when = timezone.make_aware(when, timezone.get_default_timezone())
    return when.astimezone(UTC)


def token_digest(token: str) -> str:
    return hmac.new(settings.SECRET_KEY.encode(), token.encode(), hashlib.sha256).hexdigest()


# --- the three layouts -------------------------------------------------------------------------------


class Layout:
    kind: str
    required: tuple[str, ...]
    optional: tuple[str, ...] = ()

    def parse(self, row: dict) -> tuple[str, str, dict]:
        """(key, reference, data) of a good line; raises LineError."""
        raise NotImplementedError


class CustomerLayout(Layout):
    kind = ImportJob.Kind.CUSTOMERS
    required = (
        "id_pelanggan",
        "name",
        "address",
        "tariff",
        "power_va",
        "payment_type",
        "meter_number",
        "transformer_code",
        "feeder_code",
        "ulp_code",
        "lat",
        "lng",
    )
    optional = ("phone",)

    def __init__(self):
        self.units = dict(ServiceUnit.objects.filter(level=ServiceUnit.Level.ULP).values_list("code", "pk"))

    def parse(self, row: dict) -> tuple[str, str, dict]:
        idpel = parse_id_pelanggan(_required(row, "id_pelanggan"))
        name = _required(row, "name")
        if len(name) > 120:
            raise LineError("name", _("At most 120 characters."))
        address = _required(row, "address")
        if len(address) > 255:
            raise LineError("address", _("At most 255 characters."))
        tariff = _required(row, "tariff").upper()
        if tariff not in TARIFFS:
            raise LineError("tariff", _("Unknown tariff class %(value)s.") % {"value": tariff})
        power = _int(row, "power_va", minimum=1)
        payment = _required(row, "payment_type").lower()
        if payment not in PAYMENT_TYPES:
            raise LineError("payment_type", _("Write prepaid or postpaid."))
        meter = (row.get("meter_number") or "").strip()
        if meter and not METER.match(meter):
            raise LineError("meter_number", _("A meter number must be exactly 11 digits."))
        if payment == Customer.PaymentType.PREPAID and not meter:
            raise LineError("meter_number", _("A prepaid customer needs a meter number."))
        unit_code = _required(row, "ulp_code")
        unit_id = self.units.get(unit_code)
        if unit_id is None:
            raise LineError("ulp_code", _("Unknown ULP code %(value)s.") % {"value": unit_code})
        phone = (row.get("phone") or "").strip()
        if phone:
            try:
                phone = normalize_phone(phone)
            except Exception:  # ValidationError with the phone module's own message
                raise LineError("phone", _("Not a valid Indonesian phone number.")) from None
        data = {
            "id_pelanggan": idpel,
            "name": name,
            "address": address,
            "tariff": tariff,
            "power_va": power,
            "payment_type": payment,
            "meter_number": meter or None,
            "transformer_code": (row.get("transformer_code") or "").strip()[:32],
            "feeder_code": (row.get("feeder_code") or "").strip()[:32],
            "unit_id": unit_id,
            "lat": _coordinate(row, "lat", 90),
            "lng": _coordinate(row, "lng", 180),
            "phone": phone,
        }
        return idpel, meter, data


class BillLayout(Layout):
    kind = ImportJob.Kind.BILLS
    required = ("id_pelanggan", "period", "reading_start", "reading_end", "kwh", "amount")
    optional = ("due_date", "paid_at", "late_fee")

    def parse(self, row: dict) -> tuple[str, str, dict]:
        idpel = parse_id_pelanggan(_required(row, "id_pelanggan"))
        period_text = _required(row, "period")
        match = PERIOD.match(period_text)
        if not match or not 1 <= int(match.group(2)) <= 12:
            raise LineError("period", _("Enter the month as YYYY-MM."))
        period = date(int(match.group(1)), int(match.group(2)), 1)
        start, end = _int(row, "reading_start"), _int(row, "reading_end")
        if end < start:
            raise LineError("reading_end", _("The end reading is below the start reading."))
        kwh = _int(row, "kwh")
        amount = _decimal(row, "amount")
        due_text = (row.get("due_date") or "").strip()
        due = _date(due_text, "due_date") if due_text else default_due_date(period)
        paid_text = (row.get("paid_at") or "").strip()
        paid = _moment(paid_text, "paid_at").isoformat() if paid_text else None
        data = {
            "period": period.isoformat(),
            "reading_start": start,
            "reading_end": end,
            "kwh": kwh,
            "amount": str(amount),
            "late_fee": str(_decimal(row, "late_fee", required=False)),
            "due_date": due.isoformat(),
            "paid_at": paid,
        }
        return f"{idpel}:{period:%Y-%m}", idpel, data


class TokenLayout(Layout):
    kind = ImportJob.Kind.TOKENS
    required = ("reference", "id_pelanggan", "meter_number", "purchased_at", "kwh", "amount", "token")

    def parse(self, row: dict) -> tuple[str, str, dict]:
        reference = _required(row, "reference")
        if len(reference) > 40:
            raise LineError("reference", _("At most 40 characters."))
        idpel = parse_id_pelanggan(_required(row, "id_pelanggan"))
        meter = _required(row, "meter_number")
        if not METER.match(meter):
            raise LineError("meter_number", _("A meter number must be exactly 11 digits."))
        token = _required(row, "token").replace(" ", "").replace("-", "")
        if not TOKEN.match(token):
            raise LineError("token", _("A token is 20 digits."))
        data = {
            "meter_number": meter,
            "purchased_at": _moment(_required(row, "purchased_at"), "purchased_at").isoformat(),
            "kwh": str(_decimal(row, "kwh")),
            "amount": str(_decimal(row, "amount")),
            "token_last4": token[-4:],
            "token_digest": token_digest(token),
        }
        return reference, idpel, data


LAYOUTS = {
    ImportJob.Kind.CUSTOMERS: CustomerLayout,
    ImportJob.Kind.BILLS: BillLayout,
    ImportJob.Kind.TOKENS: TokenLayout,
}


def default_due_date(period: date) -> date:
    """Bills fall due on the 20th of the month after the billed one."""
    year, month = (period.year + 1, 1) if period.month == 12 else (period.year, period.month + 1)
    return date(year, month, 20)


# --- reading ---------------------------------------------------------------------------------------


def _lines(binary: io.BufferedIOBase) -> Iterator[str]:
    number = 0
    for raw in binary:
        number += 1
        try:
            line = raw.decode("utf-8")
        except UnicodeDecodeError:
            raise FileError(
                _("Line %(line)s is not UTF-8 text; save the file as UTF-8 CSV.") % {"line": number}
            ) from None
        if number == 1 and line.startswith("\ufeff"):
            line = line[1:]
        yield line


def read_rows(binary: io.BufferedIOBase, layout: Layout) -> Iterator[tuple[int, dict]]:
    reader = csv.reader(_lines(binary))
    header = [name.strip().lower() for name in next(reader, [])]
    if not header:
        raise FileError(_("The file is empty."))
    missing = [name for name in layout.required if name not in header]
    unknown = [name for name in header if name not in layout.required and name not in layout.optional]
    if missing or unknown:
        parts = []
        if missing:
            parts.append(_("missing columns: %(names)s") % {"names": ", ".join(missing)})
        if unknown:
            parts.append(_("unknown columns: %(names)s") % {"names": ", ".join(unknown)})
        raise FileError(
            _("Line 1 (header): %(problems)s. Expected: %(expected)s.")
            % {"problems": "; ".join(parts), "expected": ",".join(layout.required + layout.optional)}
        )
    width = len(header)
    for values in reader:
        if not values:
            continue  # a blank line (csv.DictReader skipped them too)
        if len(values) != width:
            yield reader.line_num, {"__columns__": True}
            continue
        yield reader.line_num, dict(zip(header, values, strict=True))


# --- the job ---------------------------------------------------------------------------------------


def progress_key(job: ImportJob) -> str:
    return f"billing:import-progress:{job.pk}"


class Report:
    def __init__(self, job: ImportJob):
        self.job = job
        self.errors: list[dict] = []
        self.count = 0

    def add(self, line: int, field: str, reason: str) -> None:
        self.count += 1
        if len(self.errors) < MAX_REPORTED:
            self.errors.append({"line": line, "field": field, "reason": str(reason)})


def _save(job: ImportJob, *fields: str) -> None:
    job.save(update_fields=list(fields))
    cache.set(
        progress_key(job),
        {"status": job.status, "lines_read": job.lines_read, "lines_written": job.lines_written},
        3600,
    )


def run_import(job: ImportJob, binary: io.BufferedIOBase) -> ImportJob:
    """Check and (unless a dry run or rejected) write a file; the job row holds the outcome."""
    layout = LAYOUTS[job.kind]()
    report = Report(job)
    stage = CustomerStage(job) if CustomerStage.handles(job) else None
    job.status = ImportJob.Status.CHECKING
    _save(job, "status")
    try:
        if stage is not None:
            stage.check(binary, layout, report)
            stage.cross_check(report)
        else:
            _check(job, binary, layout, report)
            _cross_check(job, report)
        job.bad_lines = report.count
        job.errors = sorted(report.errors, key=lambda e: e["line"])
        if report.count and not job.skip_bad_lines:
            job.status = ImportJob.Status.REJECTED
            job.message = _("%(count)s bad lines: nothing was imported. Fix them, or import again skipping them.") % {
                "count": report.count
            }
        else:
            job.status = ImportJob.Status.WRITING
            _save(job, "status", "bad_lines", "errors")
            stage.write() if stage is not None else _write(job)
            job.status = ImportJob.Status.DONE
            job.message = (
                _("Dry run: nothing was written.")
                if job.dry_run
                else _("Imported: %(new)s new, %(changed)s changed, %(same)s unchanged.")
                % {"new": job.created, "changed": job.updated, "same": job.unchanged}
            )
    except FileError as exc:
        job.status = ImportJob.Status.FAILED
        job.message = str(exc)[:500]
        job.created = job.updated = job.unchanged = job.lines_written = 0
    finally:
        if stage is not None:
            stage.drop()
        else:
            ImportRow.objects.filter(job=job).delete()
    job.finished_at = timezone.now()
    job.save()
    cache.delete(progress_key(job))
    return job


def _check(job: ImportJob, binary, layout: Layout, report: Report) -> None:
    buffer: list[Staged] = []
    for line, row in read_rows(binary, layout):
        job.lines_read += 1
        if "__columns__" in row:
            report.add(line, "", _("Wrong number of columns."))
        else:
            try:
                key, ref, data = layout.parse(row)
            except LineError as exc:
                report.add(line, exc.field, exc.reason)
            else:
                buffer.append(Staged(line, key, ref, data))
        if len(buffer) >= BATCH:
            _stage(job, buffer)
            buffer.clear()
            _save(job, "lines_read")
    _stage(job, buffer)
    _save(job, "lines_read")


def _stage(job: ImportJob, rows: list["Staged"]) -> None:
    """Write checked lines to the staging table (one multi-row INSERT on PostgreSQL, no model overhead)."""
    if not rows:
        return
    if connection.vendor != "postgresql":
        ImportRow.objects.bulk_create(
            [ImportRow(job=job, line=r.line, key=r.key, ref=r.ref, data=r.data) for r in rows]
        )
        return
    from psycopg2.extras import Json, execute_values

    with connection.cursor() as cursor:
        execute_values(
            cursor.cursor,
            f"INSERT INTO {ImportRow._meta.db_table} (job_id, line, key, ref, data, bad) VALUES %s",
            [(job.pk, row.line, row.key, row.ref, Json(row.data), False) for row in rows],
            page_size=len(rows),
        )


def _mark_bad(job: ImportJob, rows: Iterable[tuple[int, int]], report: Report, field: str, reason) -> None:
    ids = []
    for pk, line in rows:
        ids.append(pk)
        report.add(line, field, reason)
    for start in range(0, len(ids), BATCH):
        ImportRow.objects.filter(pk__in=ids[start : start + BATCH]).update(bad=True)


def _cross_check(job: ImportJob, report: Report) -> None:
    staged = ImportRow.objects.filter(job=job)
    # Duplicate keys: every line after the first of a key is bad.
    duplicated = staged.values("key").annotate(n=Count("id")).filter(n__gt=1).values("key")
    firsts: set[str] = set()
    dupes = []
    for pk, line, key in staged.filter(key__in=duplicated).order_by("key", "line").values_list("pk", "line", "key"):
        if key in firsts:
            dupes.append((pk, line))
        else:
            firsts.add(key)
    labels = {
        ImportJob.Kind.CUSTOMERS: ("id_pelanggan", _("This ID pelanggan appears earlier in the file.")),
        ImportJob.Kind.BILLS: ("period", _("A bill of this customer and month appears earlier in the file.")),
        ImportJob.Kind.TOKENS: ("reference", _("This transaction reference appears earlier in the file.")),
    }
    field, reason = labels[job.kind]
    _mark_bad(job, dupes, report, field, reason)
    if job.kind == ImportJob.Kind.CUSTOMERS:
        metered = staged.filter(bad=False).exclude(ref="")
        dup_meters = metered.values("ref").annotate(n=Count("id")).filter(n__gt=1).values("ref")
        seen: set[str] = set()
        rows = []
        for pk, line, ref in (
            metered.filter(ref__in=dup_meters).order_by("ref", "line").values_list("pk", "line", "ref")
        ):
            if ref in seen:
                rows.append((pk, line))
            seen.add(ref)
        _mark_bad(job, rows, report, "meter_number", _("This meter number appears earlier in the file."))
        taken = metered.filter(
            Exists(Customer.objects.filter(meter_number=OuterRef("ref")).exclude(id_pelanggan=OuterRef("key")))
        )
        _mark_bad(
            job,
            taken.values_list("pk", "line"),
            report,
            "meter_number",
            _("This meter number belongs to another customer."),
        )
    else:
        unknown = staged.filter(bad=False).filter(~Exists(Customer.objects.filter(id_pelanggan=OuterRef("ref"))))
        _mark_bad(
            job, unknown.values_list("pk", "line"), report, "id_pelanggan", _("No customer has this ID pelanggan.")
        )
        if job.kind == ImportJob.Kind.TOKENS:
            wrong_meter = (
                staged.filter(bad=False)
                .annotate(meter=KeyTextTransform("meter_number", "data"))
                .filter(~Exists(Customer.objects.filter(id_pelanggan=OuterRef("ref"), meter_number=OuterRef("meter"))))
            )
            _mark_bad(
                job,
                wrong_meter.values_list("pk", "line"),
                report,
                "meter_number",
                _("This meter number is not the customer's."),
            )


def _batches(job: ImportJob) -> Iterator[list["Staged"]]:
    last = 0
    while True:
        values = list(
            ImportRow.objects.filter(job=job, bad=False, pk__gt=last)
            .order_by("pk")
            .values_list("pk", "line", "key", "ref", "data")[:BATCH]
        )
        if not values:
            return
        last = values[-1][0]
        yield [Staged(line, key, ref, data) for _pk, line, key, ref, data in values]


def _write(job: ImportJob) -> None:
    write = not job.dry_run
    with transaction.atomic():
        for rows in _batches(job):
            if job.kind == ImportJob.Kind.CUSTOMERS:
                result = customer_services.upsert_customers([row.data for row in rows], write=write)
                created, updated, unchanged = result.created, result.updated, result.unchanged
            elif job.kind == ImportJob.Kind.BILLS:
                created, updated, unchanged = _upsert_bills(rows, write=write)
            else:
                created, updated, unchanged = _upsert_tokens(rows, write=write)
            job.created += created
            job.updated += updated
            job.unchanged += unchanged
            job.lines_written += len(rows)
            cache.set(
                progress_key(job),
                {"status": job.status, "lines_read": job.lines_read, "lines_written": job.lines_written},
                3600,
            )
        if write and job.kind == ImportJob.Kind.CUSTOMERS:
            recount_customers()


COPY_BATCH = 10_000
WRITE_CHUNK = 50_000
_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def _copy_text(value: str | None) -> str:
    """A value in COPY's text format (None is NULL)."""
    return "\\N" if value is None else value.translate(_COPY_ESCAPES)


def _copy_number(value) -> str:
    return "\\N" if value is None else repr(value)


class CustomerStage:
    """The customer import on PostgreSQL: checked lines are streamed with COPY into a temporary table (typed
    columns, no model instances, no JSON), the file-wide checks are one SQL statement each, and the write is
    ``INSERT … SELECT … ON CONFLICT (id_pelanggan) DO UPDATE … WHERE (columns) IS DISTINCT FROM (excluded)`` in
    chunks of ``WRITE_CHUNK`` lines (for the progress bar), all in one transaction."""

    COLUMNS = (
        ("id_pelanggan", "varchar(12) NOT NULL"),
        ("name", "varchar(120) NOT NULL"),
        ("address", "varchar(255) NOT NULL"),
        ("tariff", "varchar(8) NOT NULL"),
        ("power_va", "integer NOT NULL"),
        ("payment_type", "varchar(8) NOT NULL"),
        ("meter_number", "varchar(11)"),
        ("transformer_code", "varchar(32) NOT NULL"),
        ("feeder_code", "varchar(32) NOT NULL"),
        ("unit_id", "bigint NOT NULL"),
        ("lat", "double precision"),
        ("lng", "double precision"),
        ("phone", "varchar(20) NOT NULL"),
    )

    @staticmethod
    def handles(job: ImportJob) -> bool:
        return connection.vendor == "postgresql" and job.kind == ImportJob.Kind.CUSTOMERS

    def __init__(self, job: ImportJob):
        self.job = job
        self.table = f"billing_stage_{job.pk}"
        columns = ", ".join(f"{name} {kind}" for name, kind in self.COLUMNS)
        with connection.cursor() as cursor:
            cursor.execute(f"DROP TABLE IF EXISTS {self.table}")
            cursor.execute(
                f"CREATE TEMPORARY TABLE {self.table} (line integer PRIMARY KEY, bad boolean NOT NULL DEFAULT false, "
                f"{columns})"
            )

    def drop(self) -> None:
        with connection.cursor() as cursor:
            cursor.execute(f"DROP TABLE IF EXISTS {self.table}")

    # --- checking -------------------------------------------------------------------------------------

    def check(self, binary, layout: Layout, report: Report) -> None:
        job = self.job
        buffer: list[str] = []
        for line, row in read_rows(binary, layout):
            job.lines_read += 1
            if "__columns__" in row:
                report.add(line, "", _("Wrong number of columns."))
                continue
            try:
                _key, _ref, d = layout.parse(row)
            except LineError as exc:
                report.add(line, exc.field, exc.reason)
                continue
            buffer.append(
                f"{line}\t{d['id_pelanggan']}\t{_copy_text(d['name'])}\t{_copy_text(d['address'])}\t{d['tariff']}\t"
                f"{d['power_va']}\t{d['payment_type']}\t{_copy_text(d['meter_number'])}\t"
                f"{_copy_text(d['transformer_code'])}\t{_copy_text(d['feeder_code'])}\t{d['unit_id']}\t"
                f"{_copy_number(d['lat'])}\t{_copy_number(d['lng'])}\t{_copy_text(d['phone'])}\n"
            )
            if len(buffer) >= COPY_BATCH:
                self._copy(buffer)
                buffer.clear()
                _save(job, "lines_read")
        self._copy(buffer)
        _save(job, "lines_read")
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {self.table}")

    def _copy(self, lines: list[str]) -> None:
        if not lines:
            return
        names = ", ".join(["line", *(name for name, _kind in self.COLUMNS)])
        with connection.cursor() as cursor:
            cursor.cursor.copy_expert(f"COPY {self.table} ({names}) FROM STDIN", io.StringIO("".join(lines)))

    def _mark(self, report: Report, sql: str, field: str, reason) -> None:
        """Mark the lines the query finds bad (one UPDATE … RETURNING line) and report them."""
        with connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {self.table} t SET bad = true FROM ({sql}) b WHERE t.line = b.line RETURNING t.line"
            )
            lines = sorted(line for (line,) in cursor.fetchall())
        for line in lines:
            report.add(line, field, reason)

    def cross_check(self, report: Report) -> None:
        t = self.table
        self._mark(
            report,
            f"SELECT line FROM (SELECT line, row_number() OVER (PARTITION BY id_pelanggan ORDER BY line) AS n "
            f"FROM {t}) d WHERE n > 1",
            "id_pelanggan",
            _("This ID pelanggan appears earlier in the file."),
        )
        self._mark(
            report,
            f"SELECT line FROM (SELECT line, row_number() OVER (PARTITION BY meter_number ORDER BY line) AS n "
            f"FROM {t} WHERE NOT bad AND meter_number IS NOT NULL) d WHERE n > 1",
            "meter_number",
            _("This meter number appears earlier in the file."),
        )
        self._mark(
            report,
            f"SELECT s.line FROM {t} s JOIN {Customer._meta.db_table} c ON c.meter_number = s.meter_number "
            f"WHERE NOT s.bad AND c.id_pelanggan <> s.id_pelanggan",
            "meter_number",
            _("This meter number belongs to another customer."),
        )

    # --- writing --------------------------------------------------------------------------------------

    def write(self) -> None:
        job = self.job
        columns = ", ".join(name for name, _kind in self.COLUMNS)
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT max(line) FROM {self.table} WHERE NOT bad")
            (last,) = cursor.fetchone()
        with transaction.atomic():
            start = 0
            while last is not None and start < last:
                end = start + WRITE_CHUNK
                result = customer_services.upsert_customers_from(
                    f"SELECT {columns} FROM {self.table} WHERE NOT bad AND line > %s AND line <= %s",
                    (start, end),
                    write=not job.dry_run,
                )
                start = end
                job.created += result.created
                job.updated += result.updated
                job.unchanged += result.unchanged
                job.lines_written += result.created + result.updated + result.unchanged
                cache.set(
                    progress_key(job),
                    {"status": job.status, "lines_read": job.lines_read, "lines_written": job.lines_written},
                    3600,
                )
            if not job.dry_run:
                recount_customers()


def recount_customers() -> None:
    """Customers served per ULP, from the master as it now stands (the reports' SAIDI/SAIFI denominator)."""
    counts = customer_services.customers_per_unit()
    now = timezone.now()
    UnitCustomerCount.objects.exclude(unit_id__in=counts).delete()
    UnitCustomerCount.objects.bulk_create(
        [UnitCustomerCount(unit_id=unit_id, customers=n, counted_at=now) for unit_id, n in counts.items()],
        update_conflicts=True,
        unique_fields=["unit"],
        update_fields=["customers", "counted_at"],
    )


BILL_FIELDS = ("reading_start", "reading_end", "kwh", "amount", "late_fee", "due_date", "paid_at")


def _bill_values(bill: Bill) -> tuple:
    return (
        bill.reading_start,
        bill.reading_end,
        bill.kwh,
        Decimal(bill.amount).quantize(Decimal("0.01")),
        Decimal(bill.late_fee).quantize(Decimal("0.01")),
        bill.due_date,
        bill.paid_at,
    )


def _new_bill(customer_id: int, data: dict) -> Bill:
    return Bill(
        customer_id=customer_id,
        period=date.fromisoformat(data["period"]),
        reading_start=data["reading_start"],
        reading_end=data["reading_end"],
        kwh=data["kwh"],
        amount=Decimal(data["amount"]),
        late_fee=Decimal(data["late_fee"]),
        due_date=date.fromisoformat(data["due_date"]),
        paid_at=datetime.fromisoformat(data["paid_at"]) if data["paid_at"] else None,
    )


def _upsert_bills(rows: list["Staged"], *, write: bool) -> tuple[int, int, int]:
    ids = customer_services.customer_ids(list({row.ref for row in rows}))
    incoming = [_new_bill(ids[row.ref], row.data) for row in rows]
    stored = {
        (bill.customer_id, bill.period): _bill_values(bill)
        for bill in Bill.objects.filter(customer_id__in=set(ids.values()), period__in={b.period for b in incoming})
    }
    created = updated = unchanged = 0
    changed = []
    for bill in incoming:
        before = stored.get((bill.customer_id, bill.period))
        if before is None:
            created += 1
        elif before == _bill_values(bill):
            unchanged += 1
            continue
        else:
            updated += 1
        changed.append(bill)
    if write and changed:
        Bill.objects.bulk_create(
            changed, update_conflicts=True, unique_fields=["customer", "period"], update_fields=list(BILL_FIELDS)
        )
    return created, updated, unchanged


TOKEN_FIELDS = ("customer", "meter_number", "purchased_at", "kwh", "amount", "token_last4", "token_digest")


def _token_values(purchase: TokenPurchase) -> tuple:
    return (
        purchase.customer_id,
        purchase.meter_number,
        purchase.purchased_at,
        Decimal(purchase.kwh).quantize(Decimal("0.01")),
        Decimal(purchase.amount).quantize(Decimal("0.01")),
        purchase.token_last4,
        purchase.token_digest,
    )


def _upsert_tokens(rows: list["Staged"], *, write: bool) -> tuple[int, int, int]:
    ids = customer_services.customer_ids(list({row.ref for row in rows}))
    incoming = [
        TokenPurchase(
            reference=row.key,
            customer_id=ids[row.ref],
            meter_number=row.data["meter_number"],
            purchased_at=datetime.fromisoformat(row.data["purchased_at"]),
            kwh=Decimal(row.data["kwh"]),
            amount=Decimal(row.data["amount"]),
            token_last4=row.data["token_last4"],
            token_digest=row.data["token_digest"],
        )
        for row in rows
    ]
    stored = {
        p.reference: _token_values(p)
        for p in TokenPurchase.objects.filter(reference__in=[p.reference for p in incoming])
    }
    created = updated = unchanged = 0
    changed = []
    for purchase in incoming:
        before = stored.get(purchase.reference)
        if before is None:
            created += 1
        elif before == _token_values(purchase):
            unchanged += 1
            continue
        else:
            updated += 1
        changed.append(purchase)
    if write and changed:
        TokenPurchase.objects.bulk_create(
            changed, update_conflicts=True, unique_fields=["reference"], update_fields=list(TOKEN_FIELDS)
        )
    return created, updated, unchanged
