"""The 123 call centre: calls from the PBX, operators' seats, answer compliance and warning letters.

- A **Call** is keyed by the PBX's own call id; it is built from signed **CallEvent** rows that may
  arrive late, twice or out of order, so every field is set from the event that carries it.
- The **answer time** is answered − rang (from the moment the operator's set alerts); the ring cadence
  (1 s tone, 4 s silence in Indonesia) turns "answered by the third ring" into seconds.
- A **Violation** is a late answer or a ring-no-answer (a call that rang out at an operator's set: both
  found by the clock) or an operator hang-up (suspected, confirmed or dismissed by a supervisor after
  listening); confirmed ones lead up the ladder of **WarningLetter** by the **WarningLetterRule** rows:
  a written reprimand (teguran), SP1 → SP2 → SP3, and after SP3 a recommendation for dismissal that a
  supervisor decides and records.
"""

import uuid

from django.conf import settings
from django.core.files.storage import storages
from django.core.signals import setting_changed
from django.db import models
from django.dispatch import receiver
from django.utils import timezone
from django.utils.functional import LazyObject, empty
from django.utils.translation import gettext_lazy as _


class _RecordingsStorage(LazyObject):
    """The ``recordings`` entry of STORAGES, looked up when first used (and again after a settings change)."""

    def _setup(self):
        self._wrapped = storages["recordings"]


_recordings = _RecordingsStorage()


@receiver(setting_changed)
def _reset_recordings_storage(*, setting, **kwargs):
    if setting == "STORAGES":
        _recordings._wrapped = empty


def recordings_storage():
    """Recordings live in their own storage (local files by default, S3-compatible by setting)."""
    return _recordings


def _recording_path(instance: "Call", filename: str) -> str:
    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    return f"{timezone.now():%Y/%m/%d}/{uuid.uuid4().hex}.{extension}"


class OperatorSeat(models.Model):
    """An operator's place on the 123 line: the PBX extension and whether they are ready for calls."""

    class State(models.TextChoices):
        OFFLINE = "offline", _("Offline")
        READY = "ready", _("Ready")
        PAUSED = "paused", _("Paused")

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="operator_seat")
    extension = models.CharField(_("PBX extension"), max_length=32, unique=True, null=True, blank=True)
    state = models.CharField(_("state"), max_length=8, choices=State.choices, default=State.OFFLINE)
    state_changed_at = models.DateTimeField(_("state changed at"), default=timezone.now)

    class Meta:
        verbose_name = _("operator seat")
        verbose_name_plural = _("operator seats")

    def __str__(self) -> str:
        return f"{self.user} ({self.state})"


class Call(models.Model):
    """One call to the 123 line, keyed by the PBX's call id."""

    class Status(models.TextChoices):
        RINGING = "ringing", _("Ringing")
        ANSWERED = "answered", _("In conversation")
        ENDED = "ended", _("Ended")
        ABANDONED = "abandoned", _("Abandoned before answer")

    class EndedBy(models.TextChoices):
        CALLER = "caller", _("Caller")
        OPERATOR = "operator", _("Operator")
        SYSTEM = "system", _("System")

    pbx_call_id = models.CharField(_("PBX call id"), max_length=100, unique=True)
    caller_number = models.CharField(_("caller number"), max_length=32, blank=True, db_index=True)
    queue = models.CharField(_("queue"), max_length=60, blank=True)
    operator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("operator"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="calls",
    )
    operator_ref = models.CharField(_("operator as named by the PBX"), max_length=60, blank=True)
    unknown_operator = models.BooleanField(_("operator unknown"), default=False)
    unit = models.ForeignKey(
        "tickets.ServiceUnit",
        verbose_name=_("unit"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="calls",
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.RINGING)
    rang_at = models.DateTimeField(_("rang at"), null=True, blank=True, db_index=True)
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True)
    ended_by = models.CharField(_("ended by"), max_length=8, choices=EndedBy.choices, blank=True)
    hold_count = models.PositiveSmallIntegerField(_("times on hold"), default=0)
    transferred_to = models.CharField(_("transferred to"), max_length=60, blank=True)
    recorded_notice_played = models.BooleanField(_("recording notice played"), default=False)
    recording = models.FileField(_("recording"), storage=recordings_storage, upload_to=_recording_path, blank=True)
    recording_content_type = models.CharField(max_length=40, blank=True)
    recording_size = models.PositiveIntegerField(null=True, blank=True)
    tickets = models.ManyToManyField("tickets.Ticket", verbose_name=_("tickets"), blank=True, related_name="calls")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-rang_at", "-id"]
        verbose_name = _("call")
        verbose_name_plural = _("calls")
        indexes = [models.Index(fields=["operator", "status"], name="call_operator_status_idx")]

    def __str__(self) -> str:
        return f"{self.pbx_call_id} {self.caller_number}"

    @property
    def answer_seconds(self) -> float | None:
        if self.rang_at is None or self.answered_at is None:
            return None
        return max(0.0, (self.answered_at - self.rang_at).total_seconds())

    @property
    def handle_seconds(self) -> float | None:
        if self.answered_at is None or self.ended_at is None:
            return None
        return max(0.0, (self.ended_at - self.answered_at).total_seconds())


class CallEvent(models.Model):
    """One signed event from the PBX, kept by its id so a replay or retry changes nothing."""

    class Kind(models.TextChoices):
        RING = "ring", _("Ring")
        ANSWER = "answer", _("Answer")
        HOLD = "hold", _("Hold")
        RESUME = "resume", _("Resume")
        TRANSFER = "transfer", _("Transfer")
        HANGUP = "hangup", _("Hang-up")
        RECORDING_READY = "recording_ready", _("Recording ready")

    event_id = models.CharField(max_length=100, unique=True)
    call = models.ForeignKey(Call, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    occurred_at = models.DateTimeField()
    received_at = models.DateTimeField(default=timezone.now)
    payload_digest = models.CharField(max_length=64)
    payload = models.JSONField(default=dict)
    unknown_operator = models.BooleanField(default=False)

    class Meta:
        ordering = ["occurred_at", "id"]

    def __str__(self) -> str:
        return f"{self.event_id} {self.kind}"


class Violation(models.Model):
    """A breach of the call-centre rules by an operator on one call."""

    class Kind(models.TextChoices):
        LATE_ANSWER = "late_answer", _("Late answer")
        RING_NO_ANSWER = "ring_no_answer", _("Rang out without an answer")
        HANG_UP = "hang_up", _("Operator hang-up")

    class Status(models.TextChoices):
        SUSPECTED = "suspected", _("Suspected: to review")
        CONFIRMED = "confirmed", _("Confirmed")
        DISMISSED = "dismissed", _("Dismissed")

    call = models.ForeignKey(Call, on_delete=models.CASCADE, related_name="violations")
    operator = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="call_violations")
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices)
    answer_seconds = models.FloatField(_("answer time (s)"), null=True, blank=True)
    occurred_at = models.DateTimeField(_("occurred at"))
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    review_note = models.TextField(_("review note"), max_length=2000, blank=True)
    letter = models.ForeignKey(
        "WarningLetter", null=True, blank=True, on_delete=models.SET_NULL, related_name="violations"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-occurred_at", "-id"]
        verbose_name = _("violation")
        verbose_name_plural = _("violations")
        # A call may ring out at several operators' sets in turn: one ring-no-answer each.
        constraints = [
            models.UniqueConstraint(fields=["call", "kind", "operator"], name="violation_once_per_call_kind_operator")
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.call_id} {self.status}"


class WarningLetterRule(models.Model):
    """How many confirmed violations within how many days earn a letter of this level.

    SP2 and SP3 apply only while the letter one level below is still in force (``in_force_days``).
    """

    class Level(models.IntegerChoices):
        REPRIMAND = 0, _("Written reprimand")
        SP1 = 1, "SP1"
        SP2 = 2, "SP2"
        SP3 = 3, "SP3"
        DISMISSAL = 4, _("Recommendation for dismissal")

    level = models.PositiveSmallIntegerField(_("level"), choices=Level.choices, unique=True)
    violations = models.PositiveSmallIntegerField(_("confirmed violations"))
    period_days = models.PositiveSmallIntegerField(_("within days"))
    in_force_days = models.PositiveSmallIntegerField(_("letter in force for days"), default=180)
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["level"]
        verbose_name = _("warning letter rule")
        verbose_name_plural = _("warning letter rules")

    def __str__(self) -> str:
        return f"{self.get_level_display()}: {self.violations} / {self.period_days} d"


class WarningLetter(models.Model):
    """A warning letter (Surat Peringatan) to an operator, with its text as printed."""

    Level = WarningLetterRule.Level

    class Decision(models.TextChoices):
        DISMISS = "dismiss", _("Dismissal decided")
        RETAIN = "retain", _("Retained with a final warning")

    operator = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="warning_letters")
    unit = models.ForeignKey("tickets.ServiceUnit", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    level = models.PositiveSmallIntegerField(_("level"), choices=WarningLetterRule.Level.choices)
    number = models.CharField(_("letter number"), max_length=40, unique=True)
    issued_at = models.DateTimeField(_("issued at"), default=timezone.now)
    in_force_until = models.DateTimeField(_("in force until"))
    body = models.TextField(_("text"))
    # Only for a recommendation for dismissal: what the supervisor decided, and why.
    decision = models.CharField(_("decision"), max_length=12, choices=Decision.choices, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_note = models.TextField(_("decision note"), max_length=2000, blank=True)

    class Meta:
        ordering = ["-issued_at", "-id"]
        verbose_name = _("warning letter")
        verbose_name_plural = _("warning letters")

    def __str__(self) -> str:
        return self.number


class RecordingPlayback(models.Model):
    """Who listened to which call recording, and when."""

    call = models.ForeignKey(Call, on_delete=models.CASCADE, related_name="playbacks")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    played_at = models.DateTimeField(default=timezone.now)
    ip_address = models.GenericIPAddressField(null=True, blank=True)

    class Meta:
        ordering = ["-played_at"]

    def __str__(self) -> str:
        return f"{self.call_id} {self.user_id} {self.played_at:%Y-%m-%d %H:%M}"
