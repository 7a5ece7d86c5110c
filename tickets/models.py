"""The ticket domain: service units, customers, categories, tickets and their timelines.

Domain terms keep their Indonesian names where users know them:

- **UID / UIW** (Unit Induk Distribusi / Wilayah): the regional head office.
- **UP3** (Unit Pelaksana Pelayanan Pelanggan): the area office below a UID.
- **ULP** (Unit Layanan Pelanggan): the local customer-service office that owns tickets and crews.
- **ID pelanggan** (IDPEL): the 12-digit customer number printed on the meter.
- **Nomor meter**: the 11-digit prepaid meter number.
- **Gardu / penyulang**: the distribution transformer and the medium-voltage feeder that feed a customer.
- **Tambah daya**: a power upgrade (a change of contracted VA).
"""

import secrets
import uuid

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

id_pelanggan_validator = RegexValidator(r"^\d{12}$", _("ID pelanggan must be exactly 12 digits."))
meter_number_validator = RegexValidator(r"^\d{11}$", _("A meter number must be exactly 11 digits."))
latitude_validators = [MinValueValidator(-90.0), MaxValueValidator(90.0)]
longitude_validators = [MinValueValidator(-180.0), MaxValueValidator(180.0)]


class ServiceUnit(models.Model):
    """An office of the utility: UID (region) → UP3 (area) → ULP (local office)."""

    class Level(models.TextChoices):
        UID = "UID", "UID"
        UP3 = "UP3", "UP3"
        ULP = "ULP", "ULP"

    class Zone(models.TextChoices):
        WIB = "Asia/Jakarta", "WIB (UTC+7)"
        WIB_PONTIANAK = "Asia/Pontianak", "WIB (UTC+7, Pontianak)"
        WITA = "Asia/Makassar", "WITA (UTC+8)"
        WIT = "Asia/Jayapura", "WIT (UTC+9)"

    code = models.CharField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=120)
    level = models.CharField(_("level"), max_length=3, choices=Level.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    time_zone = models.CharField(_("time zone"), max_length=32, choices=Zone.choices, default=Zone.WIB)
    center_lat = models.FloatField(_("centre latitude"), validators=latitude_validators)
    center_lng = models.FloatField(_("centre longitude"), validators=longitude_validators)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("service unit")
        verbose_name_plural = _("service units")

    def __str__(self) -> str:
        # Unit names usually carry their level already ("ULP Balikpapan Utara"); never say it twice.
        if self.name.split(" ", 1)[0].upper() == str(self.level).upper():
            return self.name
        return f"{self.level} {self.name}"

    @property
    def zone_label(self) -> str:
        return {"Asia/Makassar": "WITA", "Asia/Jayapura": "WIT"}.get(self.time_zone, "WIB")


class StaffProfile(models.Model):
    """Ties a staff user to the service unit whose tickets they work on."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="staff_profile")
    unit = models.ForeignKey(ServiceUnit, on_delete=models.PROTECT, related_name="staff")
    phone = models.CharField(_("phone"), max_length=20, blank=True)

    class Meta:
        verbose_name = _("staff profile")
        verbose_name_plural = _("staff profiles")

    def __str__(self) -> str:
        return f"{self.user} @ {self.unit.code}"


class Customer(models.Model):
    """A customer account (one connection): ID pelanggan, meter, tariff, power and network position."""

    class Tariff(models.TextChoices):
        S1 = "S-1/TR", "S-1/TR"
        S2 = "S-2/TR", "S-2/TR"
        S3 = "S-3/TM", "S-3/TM"
        R1 = "R-1/TR", "R-1/TR"
        R1M = "R-1M/TR", "R-1M/TR"
        R2 = "R-2/TR", "R-2/TR"
        R3 = "R-3/TR", "R-3/TR"
        B1 = "B-1/TR", "B-1/TR"
        B2 = "B-2/TR", "B-2/TR"
        B3 = "B-3/TM", "B-3/TM"
        I1 = "I-1/TR", "I-1/TR"
        I2 = "I-2/TR", "I-2/TR"
        I3 = "I-3/TM", "I-3/TM"
        I4 = "I-4/TT", "I-4/TT"
        P1 = "P-1/TR", "P-1/TR"
        P2 = "P-2/TM", "P-2/TM"
        P3 = "P-3/TR", "P-3/TR"
        L = "L/TR", "L/TR"

    class PaymentType(models.TextChoices):
        PREPAID = "prepaid", _("Prepaid (token)")
        POSTPAID = "postpaid", _("Postpaid")

    id_pelanggan = models.CharField(_("ID pelanggan"), max_length=12, unique=True, validators=[id_pelanggan_validator])
    meter_number = models.CharField(
        _("meter number"),
        max_length=11,
        unique=True,
        null=True,
        blank=True,
        validators=[meter_number_validator],
    )
    name = models.CharField(_("name"), max_length=120)
    phone = models.CharField(_("phone"), max_length=20, blank=True, db_index=True)
    email = models.EmailField(_("e-mail"), blank=True)
    address = models.CharField(_("address"), max_length=255)
    lat = models.FloatField(_("latitude"), null=True, blank=True, validators=latitude_validators)
    lng = models.FloatField(_("longitude"), null=True, blank=True, validators=longitude_validators)
    unit = models.ForeignKey(ServiceUnit, verbose_name=_("ULP"), on_delete=models.PROTECT, related_name="customers")
    tariff = models.CharField(_("tariff class"), max_length=8, choices=Tariff.choices, default=Tariff.R1)
    power_va = models.PositiveIntegerField(_("power (VA)"), default=1300)
    payment_type = models.CharField(
        _("payment type"), max_length=8, choices=PaymentType.choices, default=PaymentType.PREPAID
    )
    transformer_code = models.CharField(_("transformer (gardu)"), max_length=32, blank=True, db_index=True)
    feeder_code = models.CharField(_("feeder (penyulang)"), max_length=32, blank=True, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id_pelanggan"]
        verbose_name = _("customer")
        verbose_name_plural = _("customers")

    def __str__(self) -> str:
        return f"{self.id_pelanggan} {self.name}"


class Category(models.Model):
    """A complaint category, held as data with Indonesian and English names."""

    class Group(models.TextChoices):
        GANGGUAN = "gangguan", _("Outage and technical fault")
        TAGIHAN = "tagihan", _("Billing")
        LAYANAN = "layanan", _("Service request")
        PENERTIBAN = "penertiban", _("Usage enforcement (P2TL)")
        PETUGAS = "petugas", _("Staff conduct")
        INFORMASI = "informasi", _("Information")
        SUARA = "suara", _("Customer voice")

    class Kind(models.TextChoices):
        TECHNICAL = "technical", _("Technical: a crew is dispatched")
        BACK_OFFICE = "back_office", _("Back office: handled by the ULP")
        FEEDBACK = "feedback", _("Feedback: criticism, suggestion or appreciation")

    code = models.CharField(_("code"), max_length=20, unique=True)
    group = models.CharField(_("group"), max_length=16, choices=Group.choices)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    name_id = models.CharField(_("name (Indonesian)"), max_length=120)
    name_en = models.CharField(_("name (English)"), max_length=120)
    is_public = models.BooleanField(_("offered on the public form"), default=True)
    dispatches = models.BooleanField(_("dispatches a technician"), default=False)
    default_priority = models.CharField(_("default priority"), max_length=8, default="normal")
    sort_order = models.PositiveSmallIntegerField(default=100)
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["sort_order", "code"]
        verbose_name = _("category")
        verbose_name_plural = _("categories")

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    @property
    def name(self) -> str:
        return self.name_en if (get_language() or "id").startswith("en") else self.name_id


def _new_tracking_token() -> str:
    return secrets.token_urlsafe(24)


def _photo_path(instance: "Ticket", filename: str) -> str:
    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    return f"ticket-photos/{timezone.now():%Y/%m}/{uuid.uuid4().hex}.{extension}"


# The back-office queue (tickets.sla.selectors.back_office_queue): non-outage tickets still being worked on,
# most urgent first. Its order is indexed (Ticket.Meta), so the expression lives here.
QUEUE_KINDS = ("back_office", "feedback")
QUEUE_STATUSES = ("received", "in_progress", "waiting_customer", "resolved")
QUEUE_PRIORITY_ORDER = ("urgent", "high", "normal", "low")


def queue_rank() -> models.Case:
    return models.Case(
        *(models.When(priority=value, then=models.Value(order)) for order, value in enumerate(QUEUE_PRIORITY_ORDER)),
        default=models.Value(len(QUEUE_PRIORITY_ORDER)),
        output_field=models.IntegerField(),
    )


class Ticket(models.Model):
    """A customer request or fault report, from any channel, with its clock and its status."""

    class Status(models.TextChoices):
        RECEIVED = "received", _("Received (Lapor)")
        ASSIGNED = "assigned", _("Crew assigned (Penugasan Regu)")
        ON_THE_WAY = "on_the_way", _("On the way (Dalam Perjalanan)")
        IN_PROGRESS = "in_progress", _("Being worked on (Dalam Pengerjaan)")
        TEMPORARILY_RESTORED = "temporarily_restored", _("Temporarily restored (Nyala Sementara)")
        RESTORED = "restored", _("Power restored (Nyala)")
        WAITING_CUSTOMER = "waiting_customer", _("Waiting for the customer")
        RESOLVED = "resolved", _("Resolved")
        CLOSED = "closed", _("Closed (Selesai)")
        CANCELLED = "cancelled", _("Cancelled")

    class Channel(models.TextChoices):
        PHONE = "phone", _("123 call")
        WEB = "web", _("Web form")
        API = "api", _("API")
        OPEN311 = "open311", _("Open311")
        WALK_IN = "walk_in", _("Walk-in")

    class Priority(models.TextChoices):
        LOW = "low", _("Low")
        NORMAL = "normal", _("Normal")
        HIGH = "high", _("High")
        URGENT = "urgent", _("Urgent")

    class DispatchState(models.TextChoices):
        NOT_NEEDED = "not_needed", _("Not needed")
        PENDING = "pending", _("Waiting to be routed")
        ENQUEUED = "enqueued", _("Routing")
        ASSIGNED = "assigned", _("Assigned")
        UNASSIGNABLE = "unassignable", _("No technician available")

    number = models.CharField(_("ticket number"), max_length=20, unique=True)
    tracking_token = models.CharField(max_length=64, unique=True, default=_new_tracking_token, editable=False)
    idempotency_key = models.CharField(max_length=100, unique=True, null=True, blank=True, editable=False)
    category = models.ForeignKey(Category, verbose_name=_("category"), on_delete=models.PROTECT, related_name="tickets")
    kind = models.CharField(_("kind"), max_length=16, choices=Category.Kind.choices)
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    status = models.CharField(_("status"), max_length=24, choices=Status.choices, default=Status.RECEIVED)
    priority = models.CharField(_("priority"), max_length=8, choices=Priority.choices, default=Priority.NORMAL)
    unit = models.ForeignKey(ServiceUnit, verbose_name=_("ULP"), on_delete=models.PROTECT, related_name="tickets")
    customer = models.ForeignKey(
        Customer, verbose_name=_("customer"), null=True, blank=True, on_delete=models.SET_NULL, related_name="tickets"
    )
    id_pelanggan = models.CharField(_("ID pelanggan"), max_length=12, blank=True)
    meter_number = models.CharField(_("meter number"), max_length=11, blank=True)
    reporter_name = models.CharField(_("reporter name"), max_length=120, blank=True)
    reporter_phone = models.CharField(_("reporter phone"), max_length=20, db_index=True)
    reporter_email = models.EmailField(_("reporter e-mail"), blank=True)
    language = models.CharField(_("language"), max_length=5, default="id")
    description = models.TextField(_("description"), max_length=4000)
    address = models.CharField(_("address"), max_length=255, blank=True)
    lat = models.FloatField(_("latitude"), null=True, blank=True, validators=latitude_validators)
    lng = models.FloatField(_("longitude"), null=True, blank=True, validators=longitude_validators)
    photo = models.ImageField(_("photo"), upload_to=_photo_path, blank=True)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("follows up ticket"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="follow_ups",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    dispatch_state = models.CharField(max_length=12, choices=DispatchState.choices, default=DispatchState.NOT_NEEDED)
    dispatch_requested_at = models.DateTimeField(null=True, blank=True)

    # The clock (docs/domain.md §3, §5.1). The regulator's outage clock runs from first_informed_at to restored_at.
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)
    first_informed_at = models.DateTimeField(default=timezone.now)
    assigned_at = models.DateTimeField(null=True, blank=True)
    departed_at = models.DateTimeField(null=True, blank=True)
    work_started_at = models.DateTimeField(null=True, blank=True)
    temporarily_restored_at = models.DateTimeField(null=True, blank=True)
    restored_at = models.DateTimeField(null=True, blank=True)
    waiting_since = models.DateTimeField(null=True, blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    response_due_at = models.DateTimeField(null=True, blank=True)
    resolution_due_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("ticket")
        verbose_name_plural = _("tickets")
        indexes = [
            models.Index(fields=["unit", "status", "-created_at"], name="ticket_unit_status_idx"),
            models.Index(fields=["dispatch_state", "dispatch_requested_at"], name="ticket_dispatch_idx"),
            # Lists filtered by category, newest first (the category alone is too common for a filter scan).
            models.Index(fields=["category", "-created_at"], name="ticket_category_created_idx"),
            # The back-office queue in its own order, over open non-outage tickets only (a few percent of
            # the table): the first page is read straight off the index instead of sorting every open ticket.
            models.Index(
                queue_rank(),
                "resolution_due_at",  # ascending: NULLs last on PostgreSQL, as the queue orders them
                "id",
                name="ticket_queue_order_idx",
                condition=models.Q(kind__in=QUEUE_KINDS, status__in=QUEUE_STATUSES),
            ),
            models.Index(
                "unit",
                queue_rank(),
                "resolution_due_at",  # ascending: NULLs last on PostgreSQL, as the queue orders them
                "id",
                name="ticket_queue_unit_order_idx",
                condition=models.Q(kind__in=QUEUE_KINDS, status__in=QUEUE_STATUSES),
            ),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def is_open(self) -> bool:
        return self.status not in {self.Status.CLOSED, self.Status.CANCELLED}

    @property
    def is_outage(self) -> bool:
        return self.kind == Category.Kind.TECHNICAL


class TicketEvent(models.Model):
    """One line of a ticket's timeline: a status change, a public update or an internal note."""

    class Kind(models.TextChoices):
        OPENED = "opened", _("Opened")
        STATUS = "status", _("Status changed")
        PUBLIC_UPDATE = "public_update", _("Update for the customer")
        NOTE = "note", _("Internal note")
        ASSIGNMENT = "assignment", _("Assignment")
        ESCALATION = "escalation", _("Escalation")
        BREACH = "breach", _("Service level breached")
        LINKED = "linked", _("Linked ticket")

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    is_public = models.BooleanField(default=False)
    from_status = models.CharField(max_length=24, blank=True)
    to_status = models.CharField(max_length=24, blank=True)
    message = models.TextField(blank=True, max_length=4000)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_label = models.CharField(max_length=60, blank=True)
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["ticket", "created_at"], name="event_ticket_time_idx")]

    def __str__(self) -> str:
        return f"{self.ticket_id} {self.kind} {self.to_status}"

    @property
    def to_status_label(self) -> str:
        if self.to_status in Ticket.Status.values:
            return str(Ticket.Status(self.to_status).label)
        return self.to_status


class NumberCounter(models.Model):
    """A named counter used where the database has no native sequence (SQLite)."""

    name = models.CharField(max_length=40, primary_key=True)
    value = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.name}={self.value}"


# The notification outbox, surveys and feedback live in their own package but belong to this app.
from notifications.models import (  # noqa: E402, F401
    ContactPreference,
    Feedback,
    Notification,
    NotificationAttempt,
    NotificationOptOut,
    SurveyResponse,
)

from .customer_models import CustomerHistory  # noqa: E402, F401  (contract changes of a customer)
from .sla.models import (  # noqa: E402, F401  (service levels, escalations, back-office details)
    Escalation,
    ExternalReferral,
    PublicHoliday,
    ServiceLevelTarget,
    ServiceRequestDetail,
    TicketServiceLevel,
)


def _reply_path(instance: "CustomerReply", filename: str) -> str:
    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    return f"customer-replies/{timezone.now():%Y/%m}/{uuid.uuid4().hex}.{extension}"


class CustomerReply(models.Model):
    """The customer's answer to a question of the back office: words and/or a file (image or PDF), from the
    tracking page, the API or a reply to the SMS/WhatsApp message. Its timeline event is ``event``."""

    class Channel(models.TextChoices):
        WEB = "web", _("Tracking page")
        API = "api", _("API")
        SMS = "sms", _("SMS")
        WHATSAPP = "whatsapp", _("WhatsApp")

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="customer_replies")
    event = models.OneToOneField(TicketEvent, null=True, blank=True, on_delete=models.SET_NULL, related_name="reply")
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    message = models.TextField(_("message"), max_length=4000, blank=True)
    attachment = models.FileField(_("attachment"), upload_to=_reply_path, blank=True)
    # The gateway's id of an SMS/WhatsApp reply: the same message posted twice is recorded once.
    external_id = models.CharField(max_length=100, null=True, blank=True, unique=True, editable=False)
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("customer reply")
        verbose_name_plural = _("customer replies")

    def __str__(self) -> str:
        return f"{self.ticket_id} {self.channel}"
