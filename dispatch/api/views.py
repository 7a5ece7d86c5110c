"""Dispatch API: technicians' positions and job steps, the dispatcher's board and incidents, public nearby."""

from django.conf import settings
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import FileResponse
from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_serializer
from rest_framework import serializers, status
from rest_framework.generics import ListAPIView
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from core.errors import ApplicationError
from core.pagination import StrictCursorPagination
from core.throttles import PublicTrackingThrottle
from core.uploads import validate_photo
from dispatch import selectors, services
from dispatch.models import Assignment, FieldJob, Incident, JobStep, Technician

from .permissions import IsDispatcher, IsDispatchStaff, IsTechnician
from .serializers import (
    AssignmentSerializer,
    BoardSerializer,
    CauseSerializer,
    FieldJobSerializer,
    IncidentSerializer,
    JobsSerializer,
    NearbySerializer,
    TechnicianSelfSerializer,
    board_data,
)


def _technician(request) -> Technician:
    return request.user.technician


class TechnicianPositionUpdateApi(APIView):
    """The technician's phone reports where it is (every minute or so while on duty)."""

    permission_classes = [IsTechnician]

    @extend_schema_serializer(component_name="TechnicianPositionInput")
    class InputSerializer(serializers.Serializer):
        lat = serializers.FloatField(min_value=-90, max_value=90)
        lng = serializers.FloatField(min_value=-180, max_value=180)
        accuracy_m = serializers.FloatField(min_value=0, required=False, allow_null=True, default=None)
        at = serializers.DateTimeField(required=False, allow_null=True, default=None)

    @extend_schema(request=InputSerializer, responses={204: None})
    def post(self, request):
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.record_position(technician=_technician(request), **data.validated_data)
        return Response(status=status.HTTP_204_NO_CONTENT)


class JobListApi(APIView):
    """My open offers and my jobs in hand (and my own duty state)."""

    permission_classes = [IsTechnician]

    @extend_schema(responses=JobsSerializer)
    def get(self, request):
        technician = _technician(request)
        return Response(JobsSerializer({**selectors.jobs_for(technician), "technician": technician}).data)


class TechnicianDutyUpdateApi(APIView):
    """Start or end my shift; off duty, no new offers come (jobs in hand stay mine)."""

    permission_classes = [IsTechnician]

    @extend_schema_serializer(component_name="TechnicianDutyInput")
    class InputSerializer(serializers.Serializer):
        on_duty = serializers.BooleanField()
        shift_ends_at = serializers.DateTimeField(required=False, allow_null=True, default=None)

    @extend_schema(request=InputSerializer, responses={200: TechnicianSelfSerializer})
    def post(self, request):
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        technician = services.set_on_duty(technician=_technician(request), **data.validated_data)
        return Response(TechnicianSelfSerializer(technician).data)


class AssignmentStepCreateApi(APIView):
    """One step of a job: accept, decline, depart, arrive, restore_partly, restore.

    ``client_id`` (a UUID made by the phone) makes the step safe to resend: the same id again answers
    200 with the assignment and changes nothing. A step out of order or on an expired offer is a 409;
    another technician's job a 403. ``restore`` needs a ``cause`` (see ``causes/``) and may carry a photo
    (multipart).
    """

    permission_classes = [IsTechnician]
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    @extend_schema_serializer(component_name="JobStepInput")
    class InputSerializer(serializers.Serializer):
        step = serializers.ChoiceField(choices=JobStep.Step.choices)
        client_id = serializers.UUIDField()
        at = serializers.DateTimeField(required=False, allow_null=True, default=None)
        lat = serializers.FloatField(min_value=-90, max_value=90, required=False, allow_null=True, default=None)
        lng = serializers.FloatField(min_value=-180, max_value=180, required=False, allow_null=True, default=None)
        cause = serializers.ChoiceField(choices=Assignment.Cause.choices, required=False, allow_blank=True, default="")
        notes = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")
        photo = serializers.ImageField(required=False, allow_null=True, default=None)

        def validate_photo(self, value):
            if value is not None:
                try:
                    validate_photo(value)
                except DjangoValidationError as exc:
                    raise serializers.ValidationError(exc.messages) from exc
            return value

        def validate(self, attrs):
            if (attrs.get("lat") is None) != (attrs.get("lng") is None):
                raise serializers.ValidationError({"lat": [_both_coordinates()]})
            return attrs

    @extend_schema(
        request={"application/json": InputSerializer, "multipart/form-data": InputSerializer},
        responses={200: AssignmentSerializer},
    )
    def post(self, request, pk: int):
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        technician = _technician(request)
        # Another technician's job answers like one that does not exist: assignment ids cannot be probed.
        assignment = get_object_or_404(Assignment, pk=pk, technician=technician)
        services.take_step(assignment=assignment, technician=technician, **data.validated_data)
        fresh = selectors.assignments_of(assignment.technician).get(pk=pk)
        return Response(AssignmentSerializer(fresh).data)


def _both_coordinates() -> str:
    from django.utils.translation import gettext as _

    return _("Give both latitude and longitude, or neither.")


class BoardApi(APIView):
    """Open incidents, outage tickets waiting for a crew and the technicians on duty, of my units."""

    permission_classes = [IsDispatcher]

    @extend_schema(responses=BoardSerializer)
    def get(self, request):
        # Plain rows written out (``board_data``): the same output as BoardSerializer over model rows.
        return Response(board_data(selectors.board_rows(request.user)))


class IncidentCursorPagination(StrictCursorPagination):
    page_size = 50
    max_page_size = 200
    page_size_query_param = "page_size"
    ordering = ("-opened_at", "-id")


class IncidentListApi(ListAPIView):
    """Incidents of my units, newest first; ``?status=open&status=assigned`` or ``?open=1``."""

    permission_classes = [IsDispatchStaff]
    serializer_class = IncidentSerializer
    pagination_class = IncidentCursorPagination
    filter_backends: list = []

    def paginate_queryset(self, queryset):
        return selectors.with_ticket_numbers(super().paginate_queryset(queryset))

    class QuerySerializer(serializers.Serializer):
        """A wrong status or a non-boolean ``open`` is a 400, not silently ignored."""

        status = serializers.ListField(child=serializers.ChoiceField(choices=Incident.Status.choices), required=False)
        open = serializers.BooleanField(required=False)

    def get_queryset(self):
        params = self.request.query_params
        query = self.QuerySerializer(
            data={"status": params.getlist("status"), **({"open": params["open"]} if "open" in params else {})}
        )
        query.is_valid(raise_exception=True)
        qs = selectors.incidents_visible_to(self.request.user)
        if query.validated_data.get("status"):
            qs = qs.filter(status__in=query.validated_data["status"])
        if query.validated_data.get("open"):
            qs = qs.filter(status__in=Incident.OPEN_STATUSES)
        return qs

    @extend_schema(
        parameters=[
            OpenApiParameter("status", str, many=True, enum=Incident.Status.values),
            OpenApiParameter("open", bool),
        ]
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


def _incident(request, pk: int) -> Incident:
    incident = get_object_or_404(selectors.incidents_visible_to(request.user), pk=pk)
    return selectors.with_ticket_numbers([incident])[0]


class IncidentDetailApi(APIView):
    permission_classes = [IsDispatchStaff]

    @extend_schema(responses=IncidentSerializer)
    def get(self, request, pk: int):
        return Response(IncidentSerializer(_incident(request, pk)).data)


class IncidentAssignApi(APIView):
    """Give the incident to a technician by hand (withdraws the current offer or job), with a reason."""

    permission_classes = [IsDispatcher]

    @extend_schema_serializer(component_name="IncidentAssignInput")
    class InputSerializer(serializers.Serializer):
        technician = serializers.PrimaryKeyRelatedField(queryset=Technician.objects.select_related("user"))
        reason = serializers.CharField(max_length=255)

    @extend_schema(request=InputSerializer, responses={200: IncidentSerializer})
    def post(self, request, pk: int):
        incident = _incident(request, pk)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        technician = data.validated_data["technician"]
        if not selectors.technicians_visible_to(request.user).filter(pk=technician.pk).exists():
            raise ApplicationError(_not_yours(), extra={"fields": {"technician": [_not_yours()]}})
        services.manual_assign(
            incident=incident, technician=technician, reason=data.validated_data["reason"], by=request.user
        )
        return Response(IncidentSerializer(_incident(request, pk)).data)


def _not_yours() -> str:
    from django.utils.translation import gettext as _

    return _("This technician is not in your units.")


class IncidentEstimateApi(APIView):
    """Set the estimated restoration time; every customer of the incident is told."""

    permission_classes = [IsDispatcher]

    @extend_schema_serializer(component_name="IncidentEstimateInput")
    class InputSerializer(serializers.Serializer):
        estimated_restoration_at = serializers.DateTimeField()

    @extend_schema(request=InputSerializer, responses={200: IncidentSerializer})
    def post(self, request, pk: int):
        incident = _incident(request, pk)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.set_estimate(incident=incident, by=request.user, **data.validated_data)
        return Response(IncidentSerializer(_incident(request, pk)).data)


class IncidentRestoreApi(APIView):
    """Power is back (for example restored from the control room): restores every member ticket."""

    permission_classes = [IsDispatcher]

    @extend_schema_serializer(component_name="IncidentRestoreInput")
    class InputSerializer(serializers.Serializer):
        cause = serializers.ChoiceField(choices=Assignment.Cause.choices, required=False, allow_blank=True, default="")
        notes = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")

    @extend_schema(request=InputSerializer, responses={200: IncidentSerializer})
    def post(self, request, pk: int):
        incident = _incident(request, pk)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.restore_incident(incident=incident, by=request.user, **data.validated_data)
        return Response(IncidentSerializer(_incident(request, pk)).data)


class NearbyIncidentApi(APIView):
    """Is an outage already known near this point? For the report form; nothing personal is returned."""

    permission_classes = [AllowAny]
    authentication_classes: list = []
    throttle_classes = [PublicTrackingThrottle]

    class QuerySerializer(serializers.Serializer):
        lat = serializers.FloatField(min_value=-90, max_value=90)
        lng = serializers.FloatField(min_value=-180, max_value=180)

    @extend_schema(
        parameters=[OpenApiParameter("lat", float, required=True), OpenApiParameter("lng", float, required=True)],
        responses=NearbySerializer,
    )
    def get(self, request):
        query = self.QuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        found = selectors.open_incidents_near(radius_m=settings.INCIDENT_JOIN_RADIUS_M, **query.validated_data)
        return Response(NearbySerializer({"incident": found[0] if found else None}).data)


class CauseListApi(APIView):
    """The causes a technician can give when restoring, with labels in the request's language."""

    permission_classes = [AllowAny]

    @extend_schema(responses=CauseSerializer(many=True))
    def get(self, request):
        causes = [{"code": code, "label": str(label)} for code, label in Assignment.Cause.choices]
        return Response(CauseSerializer(causes, many=True).data)


class FieldJobListApi(APIView):
    """My scheduled visits (surveys, installations, meter checks): offered, in hand, and closed today."""

    permission_classes = [IsTechnician]

    @extend_schema(responses=FieldJobSerializer(many=True))
    def get(self, request):
        return Response(FieldJobSerializer(selectors.field_jobs_of(_technician(request)), many=True).data)


class FieldJobStepCreateApi(APIView):
    """One step of a scheduled visit: accept, decline, depart, arrive, finish (with the result for the job's
    kind, multipart for the photos) or fail (with a reason). Out of order: 409; another's job: 404."""

    permission_classes = [IsTechnician]
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    @extend_schema_serializer(component_name="FieldJobStepInput")
    class InputSerializer(serializers.Serializer):
        step = serializers.ChoiceField(choices=[(s, s) for s in services.FIELD_STEPS])
        reason = serializers.CharField(max_length=255, required=False, allow_blank=True, default="")
        outcome = serializers.CharField(max_length=16, required=False, allow_blank=True, default="")
        meter_number = serializers.CharField(max_length=20, required=False, allow_blank=True, default="")
        seal_numbers = serializers.CharField(max_length=120, required=False, allow_blank=True, default="")
        reading_kwh = serializers.CharField(max_length=20, required=False, allow_blank=True, default="")
        notes = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")
        photo = serializers.FileField(required=False, allow_null=True, default=None)
        photo_2 = serializers.FileField(required=False, allow_null=True, default=None)

    @extend_schema(
        request={"application/json": InputSerializer, "multipart/form-data": InputSerializer},
        responses={200: FieldJobSerializer},
    )
    def post(self, request, pk: int):
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        technician = _technician(request)
        job = get_object_or_404(FieldJob, pk=pk, technician=technician)
        step, reason = values.pop("step"), values.pop("reason")
        job = services.take_field_job_step(
            job=job, technician=technician, step=step, result=values if step == "finish" else None, reason=reason
        )
        return Response(FieldJobSerializer(job).data)


class JobPhotoApi(APIView):
    """The photo a customer sent with a report of my job (while the job is live); nobody else's."""

    permission_classes = [IsTechnician]

    @extend_schema(responses={(200, "image/*"): OpenApiTypes.BINARY})
    def get(self, request, pk: int, number: str):
        assignment = get_object_or_404(
            Assignment, pk=pk, technician=_technician(request), state__in=Assignment.LIVE_STATES
        )
        report = get_object_or_404(selectors.member_tickets(assignment.incident).exclude(photo=""), number=number)
        response = FileResponse(report.photo.open("rb"))
        response["Cache-Control"] = "private, max-age=300"
        response["X-Content-Type-Options"] = "nosniff"
        return response
