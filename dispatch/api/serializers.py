"""Output shapes of the dispatch API (inputs are nested in their views)."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from dispatch.models import Assignment, Incident, Technician
from tickets.models import Ticket


def maps_url(lat: float | None, lng: float | None) -> str:
    if lat is None or lng is None:
        return ""
    return f"https://www.google.com/maps/dir/?api=1&destination={lat:.6f},{lng:.6f}"


def _ticket_numbers(incident: Incident) -> list[str]:
    return [report.ticket.number for report in incident.reports.all()]


class JobIncidentSerializer(serializers.ModelSerializer):
    tickets = serializers.SerializerMethodField()

    class Meta:
        model = Incident
        fields = ["id", "status", "address", "lat", "lng", "report_count", "estimated_restoration_at", "tickets"]

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_tickets(self, incident) -> list[str]:
        return _ticket_numbers(incident)


class AssignmentSerializer(serializers.ModelSerializer):
    incident = JobIncidentSerializer()
    maps_url = serializers.SerializerMethodField()

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
        ]

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
            "customers_affected",
            "tickets",
            "assignment",
        ]

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_tickets(self, incident) -> list[str]:
        return _ticket_numbers(incident)

    @extend_schema_field(LiveAssignmentSerializer(allow_null=True))
    def get_assignment(self, incident):
        live = getattr(incident, "live_assignments", None)
        if live is None:
            live = list(
                incident.assignments.filter(state__in=Assignment.LIVE_STATES).select_related("technician__user")
            )
        return LiveAssignmentSerializer(live[0]).data if live else None


class BoardTechnicianSerializer(serializers.ModelSerializer):
    name = serializers.CharField()
    unit = serializers.CharField(source="unit.code")
    lat = serializers.FloatField(source="last_lat")
    lng = serializers.FloatField(source="last_lng")

    class Meta:
        model = Technician
        fields = ["id", "name", "unit", "state", "skills", "lat", "lng", "last_position_at", "active_jobs", "job_limit"]


class WaitingTicketSerializer(serializers.ModelSerializer):
    category = serializers.CharField(source="category.code")
    unit = serializers.CharField(source="unit.code")

    class Meta:
        model = Ticket
        fields = ["number", "category", "unit", "status", "dispatch_state", "address", "lat", "lng", "created_at"]


class BoardSerializer(serializers.Serializer):
    incidents = IncidentSerializer(many=True)
    unassigned = WaitingTicketSerializer(many=True)
    technicians = BoardTechnicianSerializer(many=True)


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
