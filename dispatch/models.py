"""Dispatch: technicians (Yantek crews), outage incidents, assignments and the job steps taken on phones."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tickets.models import ServiceUnit, Ticket, latitude_validators, longitude_validators


class Technician(models.Model):
    """A field technician of a ULP: skills, shift, load and the last position their phone sent."""

    class Skill(models.TextChoices):
        LOW_VOLTAGE = "lv", _("Low voltage")
        MEDIUM_VOLTAGE = "mv", _("Medium voltage")
        METER = "meter", _("Meter and limiter")

    class State(models.TextChoices):
        AVAILABLE = "available", _("Available")
        BUSY = "busy", _("Busy")
        OFF = "off", _("Off duty")

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="technician")
    unit = models.ForeignKey(ServiceUnit, verbose_name=_("ULP"), on_delete=models.PROTECT, related_name="technicians")
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    skills = models.JSONField(_("skills"), default=list, blank=True)
    on_duty = models.BooleanField(_("on duty"), default=False)
    shift_ends_at = models.DateTimeField(_("shift ends at"), null=True, blank=True)
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.OFF)
    job_limit = models.PositiveSmallIntegerField(_("job limit"), default=1)
    active_jobs = models.PositiveSmallIntegerField(_("active jobs"), default=0)
    last_lat = models.FloatField(_("last latitude"), null=True, blank=True, validators=latitude_validators)
    last_lng = models.FloatField(_("last longitude"), null=True, blank=True, validators=longitude_validators)
    last_position_at = models.DateTimeField(_("last position at"), null=True, blank=True)
    last_accuracy_m = models.FloatField(_("position accuracy (m)"), null=True, blank=True)

    class Meta:
        ordering = ["user__username"]
        verbose_name = _("technician")
        verbose_name_plural = _("technicians")
        indexes = [
            models.Index(fields=["on_duty", "unit"], name="tech_duty_unit_idx"),
            models.Index(fields=["on_duty", "last_lat", "last_lng"], name="tech_duty_position_idx"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(job_limit__gte=1), name="tech_job_limit_positive"),
        ]

    def __str__(self) -> str:
        return self.user.get_full_name() or self.user.get_username()

    @property
    def name(self) -> str:
        return str(self)

    @property
    def has_capacity(self) -> bool:
        return self.on_duty and self.active_jobs < self.job_limit


class Incident(models.Model):
    """One outage on the network, grouping the reports of every customer it affects."""

    class Status(models.TextChoices):
        OPEN = "open", _("Waiting for a crew")
        ASSIGNED = "assigned", _("Crew assigned")
        ON_THE_WAY = "on_the_way", _("Crew on the way")
        IN_PROGRESS = "in_progress", _("Crew on site")
        PARTLY_RESTORED = "partly_restored", _("Partly restored")
        RESTORED = "restored", _("Restored")
        CANCELLED = "cancelled", _("Cancelled")

    OPEN_STATUSES = (
        Status.OPEN,
        Status.ASSIGNED,
        Status.ON_THE_WAY,
        Status.IN_PROGRESS,
        Status.PARTLY_RESTORED,
    )

    unit = models.ForeignKey(ServiceUnit, verbose_name=_("ULP"), on_delete=models.PROTECT, related_name="incidents")
    lat = models.FloatField(_("latitude"), null=True, blank=True, validators=latitude_validators)
    lng = models.FloatField(_("longitude"), null=True, blank=True, validators=longitude_validators)
    transformer_code = models.CharField(_("transformer (gardu)"), max_length=32, blank=True, db_index=True)
    feeder_code = models.CharField(_("feeder (penyulang)"), max_length=32, blank=True)
    address = models.CharField(_("address"), max_length=255, blank=True)
    skill = models.CharField(
        _("skill needed"), max_length=8, choices=Technician.Skill.choices, default=Technician.Skill.LOW_VOLTAGE
    )
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.OPEN)
    opened_at = models.DateTimeField(_("opened at"), default=timezone.now)
    last_report_at = models.DateTimeField(_("last report at"), default=timezone.now)
    last_routed_at = models.DateTimeField(_("last routed at"), null=True, blank=True)
    route_attempts = models.PositiveIntegerField(_("routing attempts"), default=0)
    # Set when a routing found nobody who could be offered the job (cleared by the next offer or assignment).
    unassignable_since = models.DateTimeField(_("nobody to offer since"), null=True, blank=True)
    restored_at = models.DateTimeField(_("restored at"), null=True, blank=True)
    estimated_restoration_at = models.DateTimeField(_("estimated restoration"), null=True, blank=True)
    cause = models.CharField(_("cause"), max_length=20, blank=True)
    report_count = models.PositiveIntegerField(_("reports"), default=0)
    customers_affected = models.PositiveIntegerField(_("customers affected"), default=0)

    class Meta:
        ordering = ["-opened_at", "-id"]
        verbose_name = _("incident")
        verbose_name_plural = _("incidents")
        indexes = [
            models.Index(fields=["status", "last_report_at"], name="incident_status_time_idx"),
            models.Index(fields=["unit", "status"], name="incident_unit_status_idx"),
            # The incident list, newest first: a region's page is read off this instead of sorting every incident.
            models.Index(fields=["opened_at", "id"], name="incident_opened_idx"),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.address or self.transformer_code or self.unit.code}"

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN_STATUSES


class IncidentReport(models.Model):
    """Membership of one outage ticket in an incident.

    ``lat``/``lng`` repeat the ticket's position (a report's place does not change once filed): grouping reads
    the reports of the incidents around a new report by place, through the (incident, lat, lng) index, without
    fetching each report's ticket — in a storm the incidents near a report hold thousands of them.
    """

    # db_index=False: the (incident, lat, lng) index below serves every look-up by incident.
    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="reports", db_index=False)
    ticket = models.OneToOneField(Ticket, on_delete=models.CASCADE, related_name="incident_report")
    joined_at = models.DateTimeField(default=timezone.now)
    distance_m = models.FloatField(null=True, blank=True)
    lat = models.FloatField(null=True, blank=True)
    lng = models.FloatField(null=True, blank=True)

    class Meta:
        ordering = ["joined_at", "id"]
        indexes = [models.Index(fields=["incident", "lat", "lng"], name="dispatch_report_place")]
        verbose_name = _("incident report")
        verbose_name_plural = _("incident reports")

    def __str__(self) -> str:
        return f"{self.ticket_id} → {self.incident_id}"


def _photo_path(instance: "Assignment", filename: str) -> str:
    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    return f"job-photos/{timezone.now():%Y/%m}/{uuid.uuid4().hex}.{extension}"


class Assignment(models.Model):
    """An incident offered to (and then worked by) one technician."""

    class State(models.TextChoices):
        OFFERED = "offered", _("Offered")
        ACCEPTED = "accepted", _("Accepted")
        EN_ROUTE = "en_route", _("On the way")
        ON_SITE = "on_site", _("On site")
        RESTORED = "restored", _("Restored")
        DECLINED = "declined", _("Declined")
        EXPIRED = "expired", _("Expired")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    LIVE_STATES = (State.OFFERED, State.ACCEPTED, State.EN_ROUTE, State.ON_SITE)

    class Cause(models.TextChoices):
        TREE = "tree", _("Tree or branch on the line")
        KITE = "kite", _("Kite or foreign object")
        ANIMAL = "animal", _("Animal")
        WEATHER = "weather", _("Lightning, wind or rain")
        FUSE = "fuse", _("Blown fuse (FCO / NH fuse)")
        CONNECTION = "connection", _("Loose or burnt connection")
        SERVICE_DROP = "service_drop", _("Service-drop cable (SR) broken")
        METER = "meter", _("Meter, limiter or MCB fault")
        OVERLOAD = "overload", _("Overload")
        TRANSFORMER = "transformer", _("Transformer fault")
        THIRD_PARTY = "third_party", _("Third party (vehicle, excavation)")
        UPSTREAM = "upstream", _("Upstream (feeder or substation)")
        OTHER = "other", _("Other")

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="assignments")
    technician = models.ForeignKey(Technician, on_delete=models.PROTECT, related_name="assignments")
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.OFFERED)
    offered_at = models.DateTimeField(_("offered at"), default=timezone.now)
    expires_at = models.DateTimeField(_("offer expires at"), null=True, blank=True)
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    departed_at = models.DateTimeField(_("departed at"), null=True, blank=True)
    arrived_at = models.DateTimeField(_("arrived at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    distance_m = models.FloatField(_("distance (m)"), null=True, blank=True)
    manual = models.BooleanField(_("assigned by hand"), default=False)
    reason = models.CharField(_("reason"), max_length=255, blank=True)
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    cause = models.CharField(_("cause"), max_length=20, choices=Cause.choices, blank=True)
    notes = models.TextField(_("notes"), max_length=2000, blank=True)
    photo = models.ImageField(_("photo"), upload_to=_photo_path, blank=True)

    class Meta:
        ordering = ["-offered_at", "-id"]
        verbose_name = _("assignment")
        verbose_name_plural = _("assignments")
        indexes = [
            models.Index(fields=["state", "expires_at"], name="assignment_state_expiry_idx"),
            models.Index(fields=["technician", "state"], name="assignment_tech_state_idx"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["incident"],
                condition=Q(state__in=["offered", "accepted", "en_route", "on_site"]),
                name="one_live_assignment_per_incident",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.incident_id} → {self.technician_id} ({self.state})"

    @property
    def is_live(self) -> bool:
        return self.state in self.LIVE_STATES


class JobStep(models.Model):
    """One step a technician took on a job, keyed by the phone's id so a resent step counts once."""

    class Step(models.TextChoices):
        ACCEPT = "accept", _("Accept")
        DECLINE = "decline", _("Decline")
        DEPART = "depart", _("On my way")
        ARRIVE = "arrive", _("On site")
        RESTORE_PARTLY = "restore_partly", _("Partly restored")
        RESTORE = "restore", _("Restored")

    assignment = models.ForeignKey(Assignment, on_delete=models.CASCADE, related_name="steps")
    client_id = models.UUIDField(unique=True)
    step = models.CharField(max_length=16, choices=Step.choices)
    at = models.DateTimeField(default=timezone.now)
    received_at = models.DateTimeField(default=timezone.now)
    lat = models.FloatField(null=True, blank=True, validators=latitude_validators)
    lng = models.FloatField(null=True, blank=True, validators=longitude_validators)

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("job step")
        verbose_name_plural = _("job steps")

    def __str__(self) -> str:
        return f"{self.assignment_id} {self.step}"


def _field_photo_path(instance: "FieldJob", filename: str) -> str:
    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    return f"field-jobs/{timezone.now():%Y/%m}/{uuid.uuid4().hex}.{extension}"


class FieldJob(models.Model):
    """A scheduled visit by a technician, ordered by another app for its ticket: a survey before a new
    connection, an installation, a meter check. Unlike an outage job it has an appointment window agreed
    with the customer, is offered to a technician of the ULP ahead of time, and ends with a typed result."""

    class Kind(models.TextChoices):
        SURVEY = "survey", _("Survey")
        INSTALLATION = "installation", _("Installation")
        METER_CHECK = "meter_check", _("Meter check")

    class Status(models.TextChoices):
        SCHEDULED = "scheduled", _("Scheduled")
        OFFERED = "offered", _("Offered")
        ASSIGNED = "assigned", _("Assigned")
        ACCEPTED = "accepted", _("Accepted")
        ON_THE_WAY = "on_the_way", _("On the way")
        ON_SITE = "on_site", _("On site")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")
        CANCELLED = "cancelled", _("Cancelled")

    class SurveyOutcome(models.TextChoices):
        FEASIBLE = "feasible", _("Feasible")
        EXTENSION = "extension", _("Needs a network extension")
        NOT_FEASIBLE = "not_feasible", _("Not feasible")

    OPEN_STATUSES = (
        Status.SCHEDULED,
        Status.OFFERED,
        Status.ASSIGNED,
        Status.ACCEPTED,
        Status.ON_THE_WAY,
        Status.ON_SITE,
    )
    FINAL_STATUSES = (Status.DONE, Status.FAILED, Status.CANCELLED)

    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="field_jobs")
    unit = models.ForeignKey(ServiceUnit, verbose_name=_("ULP"), on_delete=models.PROTECT, related_name="field_jobs")
    lat = models.FloatField(_("latitude"), null=True, blank=True, validators=latitude_validators)
    lng = models.FloatField(_("longitude"), null=True, blank=True, validators=longitude_validators)
    address = models.CharField(_("address"), max_length=255, blank=True)
    window_start = models.DateTimeField(_("appointment from"))
    window_end = models.DateTimeField(_("appointment until"))
    skill = models.CharField(_("skill needed"), max_length=8, choices=Technician.Skill.choices)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.SCHEDULED)
    technician = models.ForeignKey(
        Technician, null=True, blank=True, on_delete=models.PROTECT, related_name="field_jobs"
    )
    declined_by = models.JSONField(default=list, blank=True)
    notes = models.TextField(_("notes for the technician"), max_length=2000, blank=True)
    ordered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    offered_at = models.DateTimeField(null=True, blank=True)
    accepted_at = models.DateTimeField(null=True, blank=True)
    departed_at = models.DateTimeField(null=True, blank=True)
    arrived_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    reason = models.CharField(_("reason"), max_length=255, blank=True)
    # The result, typed per kind (see ``result``).
    survey_outcome = models.CharField(_("survey outcome"), max_length=16, choices=SurveyOutcome.choices, blank=True)
    meter_number = models.CharField(_("meter number"), max_length=11, blank=True)
    seal_numbers = models.CharField(_("seal numbers"), max_length=120, blank=True)
    reading_kwh = models.DecimalField(_("reading (kWh)"), max_digits=12, decimal_places=1, null=True, blank=True)
    result_notes = models.TextField(_("result notes"), max_length=2000, blank=True)
    photo = models.ImageField(_("photo"), upload_to=_field_photo_path, blank=True)
    photo_2 = models.ImageField(_("second photo"), upload_to=_field_photo_path, blank=True)

    class Meta:
        ordering = ["window_start", "id"]
        verbose_name = _("field job")
        verbose_name_plural = _("field jobs")
        indexes = [
            models.Index(fields=["technician", "status", "window_start"], name="fieldjob_tech_idx"),
            models.Index(fields=["unit", "status", "window_start"], name="fieldjob_unit_idx"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(window_end__gt=F("window_start")), name="fieldjob_window_order"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.ticket_id} ({self.status})"

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN_STATUSES

    @property
    def result(self) -> dict:
        """The result as the ordering app reads it: common keys plus the kind's own."""
        data: dict = {
            "kind": self.kind,
            "status": self.status,
            "notes": self.result_notes,
            "reason": self.reason,
            "finished_at": self.finished_at.isoformat() if self.finished_at else None,
            "technician_id": self.technician_id,
        }
        photos = [f.name for f in (self.photo, self.photo_2) if f]
        if self.kind == self.Kind.SURVEY:
            data.update(outcome=self.survey_outcome, photos=photos)
        elif self.kind == self.Kind.INSTALLATION:
            data.update(
                meter_number=self.meter_number,
                seal_numbers=self.seal_numbers,
                reading_kwh=str(self.reading_kwh) if self.reading_kwh is not None else None,
                photo=photos[0] if photos else "",
            )
        else:
            data.update(
                reading_kwh=str(self.reading_kwh) if self.reading_kwh is not None else None,
                register_photo=photos[0] if photos else "",
            )
        return data
