"""Output shapes of the dispatch API (inputs are nested in their views)."""

from django.urls import reverse
from django.utils import timezone
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from dispatch import selectors
from dispatch.models import Assignment, FieldJob, Incident, Technician
from tickets.models import Ticket


def maps_url(lat: float | None, lng: float | None) -> str:
    if lat is None or lng is None:
        return ""
    return f"https://www.google.com/maps/dir/?api=1&destination={lat:.6f},{lng:.6f}"


_DATETIME = serializers.DateTimeField()


def _ticket_numbers(incident: Incident) -> list[str]:
    numbers = getattr(incident, "ticket_numbers", None)  # selectors.with_ticket_numbers
    if numbers is not None:
        return numbers
    return [report.ticket.number for report in incident.reports.all()]


def _open_report_count(incident: Incident) -> int:
    count = getattr(incident, "open_report_count", None)  # selectors.with_ticket_numbers
    if count is not None:
        return count
    return selectors.open_member_count(incident)


class JobReportSerializer(serializers.Serializer):
    """One customer's report on the technician's job card: what, in their words, who and how to call them."""

    number = serializers.CharField()
    status = serializers.CharField()
    still_open = serializers.BooleanField()
    category = serializers.CharField()
    category_label = serializers.CharField()
    description = serializers.CharField()
    address = serializers.CharField()
    reporter_name = serializers.CharField()
    reporter_phone = serializers.CharField()
    call_url = serializers.CharField()
    photo_url = serializers.CharField(allow_blank=True)


def job_report(assignment_id: int, ticket: Ticket) -> dict:
    phone = ticket.reporter_phone or ""
    return {
        "number": ticket.number,
        "status": ticket.status,
        "still_open": ticket.status not in selectors.MEMBER_DONE,
        "category": ticket.category.code,
        "category_label": ticket.category.name,
        "description": ticket.description,
        "address": ticket.address,
        "reporter_name": ticket.reporter_name,
        "reporter_phone": phone,
        "call_url": f"tel:{phone}" if phone else "",
        "photo_url": (
            reverse("dispatch-api:job-photo", kwargs={"pk": assignment_id, "number": ticket.number})
            if ticket.photo
            else ""
        ),
    }


class JobIncidentSerializer(serializers.ModelSerializer):
    tickets = serializers.SerializerMethodField()
    open_report_count = serializers.SerializerMethodField()

    class Meta:
        model = Incident
        fields = [
            "id",
            "status",
            "address",
            "lat",
            "lng",
            "report_count",
            "open_report_count",
            "estimated_restoration_at",
            "tickets",
        ]

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_tickets(self, incident) -> list[str]:
        return _ticket_numbers(incident)

    def get_open_report_count(self, incident) -> int:
        return sum(1 for report in incident.reports.all() if report.ticket.status not in selectors.MEMBER_DONE)


class AssignmentSerializer(serializers.ModelSerializer):
    incident = JobIncidentSerializer()
    maps_url = serializers.SerializerMethodField()
    reports = serializers.SerializerMethodField()

    class Meta:
        model = Assignment
        fields = [
            "id",
            "state",
            "offered_at",
            "expires_at",
            "accepted_at",
            "departed_at",
            "arrived_at",
            "finished_at",
            "distance_m",
            "manual",
            "cause",
            "notes",
            "incident",
            "maps_url",
            "reports",
        ]

    @extend_schema_field(JobReportSerializer(many=True))
    def get_reports(self, assignment) -> list[dict]:
        """The reports still waiting for power first, then those already restored."""
        reports = [job_report(assignment.pk, report.ticket) for report in assignment.incident.reports.all()]
        return sorted(reports, key=lambda r: not r["still_open"])

    def get_maps_url(self, assignment) -> str:
        incident = assignment.incident
        lat, lng = incident.lat, incident.lng
        if lat is None:
            lat, lng = incident.unit.center_lat, incident.unit.center_lng
        return maps_url(lat, lng)


class TechnicianRefSerializer(serializers.ModelSerializer):
    name = serializers.CharField()

    class Meta:
        model = Technician
        fields = ["id", "name"]


class LiveAssignmentSerializer(serializers.ModelSerializer):
    technician = TechnicianRefSerializer()

    class Meta:
        model = Assignment
        fields = ["id", "state", "manual", "offered_at", "expires_at", "accepted_at", "distance_m", "technician"]


class IncidentSerializer(serializers.ModelSerializer):
    unit = serializers.CharField(source="unit.code")
    status_label = serializers.CharField(source="get_status_display")
    tickets = serializers.SerializerMethodField()
    open_report_count = serializers.SerializerMethodField()
    assignment = serializers.SerializerMethodField()

    class Meta:
        model = Incident
        fields = [
            "id",
            "unit",
            "status",
            "status_label",
            "lat",
            "lng",
            "address",
            "transformer_code",
            "feeder_code",
            "skill",
            "opened_at",
            "last_report_at",
            "restored_at",
            "estimated_restoration_at",
            "cause",
            "report_count",
            "open_report_count",
            "unassignable_since",
            "customers_affected",
            "tickets",
            "assignment",
        ]

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_tickets(self, incident) -> list[str]:
        return _ticket_numbers(incident)

    def get_open_report_count(self, incident) -> int:
        return _open_report_count(incident)

    def to_representation(self, incident: Incident) -> dict:
        """The rows written out: DRF's field walk (a signature inspected for each callable source, per row) cost
        more than the queries on a 50-incident page and on the board. Same output as the generic path (a test
        compares them); subclasses use the generic path."""
        if type(self) is not IncidentSerializer:
            return super().to_representation(incident)
        as_text = _DATETIME.to_representation
        return {
            "id": incident.pk,
            "unit": incident.unit.code,
            "status": incident.status,
            "status_label": str(incident.get_status_display()),
            "lat": incident.lat,
            "lng": incident.lng,
            "address": incident.address,
            "transformer_code": incident.transformer_code,
            "feeder_code": incident.feeder_code,
            "skill": incident.skill,
            "opened_at": as_text(incident.opened_at),
            "last_report_at": as_text(incident.last_report_at),
            "restored_at": as_text(incident.restored_at),
            "estimated_restoration_at": as_text(incident.estimated_restoration_at),
            "cause": incident.cause,
            "report_count": incident.report_count,
            "open_report_count": self.get_open_report_count(incident),
            "unassignable_since": as_text(incident.unassignable_since),
            "customers_affected": incident.customers_affected,
            "tickets": self.get_tickets(incident),
            "assignment": self.get_assignment(incident),
        }

    @extend_schema_field(LiveAssignmentSerializer(allow_null=True))
    def get_assignment(self, incident):
        live = getattr(incident, "live_assignments", None)
        if live is None:
            live = list(
                incident.assignments.filter(state__in=Assignment.LIVE_STATES).select_related("technician__user")
            )
        if not live:
            return None
        # One serializer for every row: building a ModelSerializer's fields costs more than using them.
        if not hasattr(self, "_live_serializer"):
            self._live_serializer = LiveAssignmentSerializer()
        return self._live_serializer.to_representation(live[0])


class BoardTechnicianSerializer(serializers.ModelSerializer):
    name = serializers.CharField()
    unit = serializers.CharField(source="unit.code")
    lat = serializers.FloatField(source="last_lat")
    lng = serializers.FloatField(source="last_lng")

    class Meta:
        model = Technician
        fields = ["id", "name", "unit", "state", "skills", "lat", "lng", "last_position_at", "active_jobs", "job_limit"]

    def to_representation(self, technician: Technician) -> dict:
        """Written out like ``IncidentSerializer``'s rows: a UID's board lists about a thousand technicians, and
        the generic field walk was most of the board's time. Same output (a test compares them)."""
        if type(self) is not BoardTechnicianSerializer:
            return super().to_representation(technician)
        user = technician.user
        lat, lng = technician.last_lat, technician.last_lng
        return {
            "id": technician.pk,
            "name": user.get_full_name() or user.get_username(),
            "unit": technician.unit.code,
            "state": technician.state,
            "skills": technician.skills,
            "lat": None if lat is None else float(lat),
            "lng": None if lng is None else float(lng),
            "last_position_at": _DATETIME.to_representation(technician.last_position_at),
            "active_jobs": int(technician.active_jobs),
            "job_limit": int(technician.job_limit),
        }


class WaitingTicketSerializer(serializers.ModelSerializer):
    category = serializers.CharField(source="category.code")
    unit = serializers.CharField(source="unit.code")

    class Meta:
        model = Ticket
        fields = ["number", "category", "unit", "status", "dispatch_state", "address", "lat", "lng", "created_at"]

    def to_representation(self, ticket: Ticket) -> dict:
        """Written out (up to 200 rows on the board); same output as the generic path (a test compares them)."""
        if type(self) is not WaitingTicketSerializer:
            return super().to_representation(ticket)
        return {
            "number": ticket.number,
            "category": ticket.category.code,
            "unit": ticket.unit.code,
            "status": ticket.status,
            "dispatch_state": ticket.dispatch_state,
            "address": ticket.address,
            "lat": None if ticket.lat is None else float(ticket.lat),
            "lng": None if ticket.lng is None else float(ticket.lng),
            "created_at": _DATETIME.to_representation(ticket.created_at),
        }


class BoardSerializer(serializers.Serializer):
    incidents = IncidentSerializer(many=True)
    unassigned = WaitingTicketSerializer(many=True)
    technicians = BoardTechnicianSerializer(many=True)


def _datetime_writer():
    """``DateTimeField().to_representation`` for the current time zone, without its per-value look-ups."""
    tz = timezone.get_current_timezone()

    def as_text(value):
        if not value:
            return None
        text = value.astimezone(tz).isoformat()
        return text[:-6] + "Z" if text.endswith("+00:00") else text

    return as_text


def _full_name(first_name: str, last_name: str, username: str) -> str:
    """``Technician.name``: the user's full name, else the username (as ``User.get_full_name`` builds it)."""
    return f"{first_name} {last_name}".strip() or username


def board_data(rows: selectors.BoardRows) -> dict:
    """The board as ``BoardSerializer(selectors.board_for(viewer)).data`` gives it, written from plain rows
    (``selectors.board_rows``): same keys, values and order (a test compares the two, in both languages)."""
    as_text = _datetime_writer()
    labels = {value: str(label) for value, label in Incident.Status.choices}
    numbers, still_open, live = rows.numbers, rows.still_open, rows.live
    incidents = []
    for (
        pk,
        unit,
        status,
        lat,
        lng,
        address,
        transformer_code,
        feeder_code,
        skill,
        opened_at,
        last_report_at,
        restored_at,
        estimated_restoration_at,
        cause,
        report_count,
        unassignable_since,
        customers_affected,
    ) in rows.incidents:
        assignment = live.get(pk)
        if assignment is not None:
            _, a_id, state, manual, offered_at, expires_at, accepted_at, distance, tech_id, first, last, user = (
                assignment
            )
            assignment = {
                "id": a_id,
                "state": state,
                "manual": manual,
                "offered_at": as_text(offered_at),
                "expires_at": as_text(expires_at),
                "accepted_at": as_text(accepted_at),
                "distance_m": None if distance is None else float(distance),
                "technician": {"id": tech_id, "name": _full_name(first, last, user)},
            }
        incidents.append(
            {
                "id": pk,
                "unit": unit,
                "status": status,
                "status_label": labels.get(status, status),
                "lat": lat,
                "lng": lng,
                "address": address,
                "transformer_code": transformer_code,
                "feeder_code": feeder_code,
                "skill": skill,
                "opened_at": as_text(opened_at),
                "last_report_at": as_text(last_report_at),
                "restored_at": as_text(restored_at),
                "estimated_restoration_at": as_text(estimated_restoration_at),
                "cause": cause,
                "report_count": report_count,
                "open_report_count": still_open[pk],
                "unassignable_since": as_text(unassignable_since),
                "customers_affected": customers_affected,
                "tickets": numbers[pk],
                "assignment": assignment,
            }
        )
    unassigned = [
        {
            "number": number,
            "category": category,
            "unit": unit,
            "status": status,
            "dispatch_state": dispatch_state,
            "address": address,
            "lat": None if lat is None else float(lat),
            "lng": None if lng is None else float(lng),
            "created_at": as_text(created_at),
        }
        for number, category, unit, status, dispatch_state, address, lat, lng, created_at in rows.unassigned
    ]
    technicians = [
        {
            "id": pk,
            "name": _full_name(first, last, username),
            "unit": unit,
            "state": state,
            "skills": skills,
            "lat": None if lat is None else float(lat),
            "lng": None if lng is None else float(lng),
            "last_position_at": as_text(last_position_at),
            "active_jobs": int(active_jobs),
            "job_limit": int(job_limit),
        }
        for (
            pk,
            first,
            last,
            username,
            unit,
            state,
            skills,
            lat,
            lng,
            last_position_at,
            active_jobs,
            job_limit,
        ) in rows.technicians
    ]
    return {"incidents": incidents, "unassigned": unassigned, "technicians": technicians}


class TechnicianSelfSerializer(serializers.ModelSerializer):
    name = serializers.CharField()
    unit = serializers.CharField(source="unit.code")

    class Meta:
        model = Technician
        fields = ["id", "name", "unit", "on_duty", "shift_ends_at", "state", "active_jobs", "job_limit", "skills"]


class JobsSerializer(serializers.Serializer):
    offers = AssignmentSerializer(many=True)
    jobs = AssignmentSerializer(many=True)
    technician = TechnicianSelfSerializer()


class PublicIncidentSerializer(serializers.ModelSerializer):
    """What anyone may know about an outage near them: nothing personal."""

    class Meta:
        model = Incident
        fields = ["id", "report_count", "estimated_restoration_at", "status"]


class NearbySerializer(serializers.Serializer):
    incident = PublicIncidentSerializer(allow_null=True)


class CauseSerializer(serializers.Serializer):
    code = serializers.CharField()
    label = serializers.CharField()


class FieldJobSerializer(serializers.ModelSerializer):
    """A scheduled visit as the technician's phone and the dispatcher read it."""

    ticket_number = serializers.CharField(source="ticket.number", read_only=True)
    unit = serializers.CharField(source="unit.code", read_only=True)
    result = serializers.SerializerMethodField()

    class Meta:
        model = FieldJob
        fields = [
            "id",
            "kind",
            "status",
            "ticket_number",
            "unit",
            "lat",
            "lng",
            "address",
            "window_start",
            "window_end",
            "skill",
            "technician",
            "notes",
            "offered_at",
            "accepted_at",
            "finished_at",
            "result",
        ]

    def get_result(self, job) -> dict:
        return job.result if job.status in ("done", "failed") else {}
