"""Call-centre API: signed PBX events, and the small JSON endpoints the operator console polls."""

import json
import logging
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError as DjangoValidationError
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_serializer
from rest_framework import serializers, status
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser, MultiPartParser
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from core.phone import normalize_phone
from hotline import pbx, selectors, services
from hotline.models import Call, CallEvent, OperatorSeat, Violation
from tickets.models import Category, Customer, ServiceUnit, Ticket

from .permissions import IsCallCentreAgent, IsCallCentreSupervisor

logger = logging.getLogger("hotline.pbx")

EVENT_DESCRIPTION = """
Events from the telephone system (Asterisk, FreeSWITCH, …) about calls to the 123 line, keyed by the PBX's
own call id. A small bridge on the PBX posts one event per request.

**Signing.** Every request carries two headers:

* `X-Sigap-Timestamp`: Unix time in seconds when the request was signed;
* `X-Sigap-Signature`: `sha256=` + hex HMAC-SHA256 of `"<timestamp>." + raw request body`, keyed with the
  shared secret `PBX_SHARED_SECRET`.

Requests older or newer than `PBX_EVENT_MAX_AGE_SECONDS` (300 s by default), unsigned or badly signed
ones are refused with 401 and logged. Malformed events are refused with 400 and change nothing.

**Idempotency and order.** `event_id` must be unique per event. Sending the same event again (a retry or a
replay) answers 200 with `duplicate: true` and changes nothing; the same id with other content is a 409.
Events may arrive in any order: the call is rebuilt from all of its events by `occurred_at`.

**Event types.** `ring` (the call alerts an operator's set: give `operator`, the extension or username),
`answer`, `hold`, `resume`, `transfer` (give `transfer_to`), `hangup` (give `ended_by`: `caller`, `operator`
or `system`) and `recording_ready`. A `recording_ready` event is sent as `multipart/form-data` with the
event JSON in the `event` field and the audio file in `recording` (WAV, MP3, OGG, FLAC or M4A, at most
`RECORDING_MAX_BYTES`); the signature covers the whole multipart body.

An event naming an operator Sigap does not know is kept and flagged, never dropped.
"""


def refuse_unsigned(request) -> Response | None:
    """A 401 (logged) unless the request carries a fresh, valid PBX signature of its body."""
    try:
        pbx.verify(
            request.body,
            timestamp=request.headers.get(pbx.TIMESTAMP_HEADER),
            signature=request.headers.get(pbx.SIGNATURE_HEADER),
        )
    except pbx.SignatureError as exc:
        logger.warning(
            "refused PBX request to %s from %s: %s", request.path, request.META.get("REMOTE_ADDR"), exc.reason
        )
        return Response(
            {"message": _("The request is not signed correctly or is too old."), "extra": {}},
            status=status.HTTP_401_UNAUTHORIZED,
            headers={"WWW-Authenticate": 'HMAC realm="pbx"'},
        )
    return None


PBX_HEADERS = [
    OpenApiParameter(pbx.TIMESTAMP_HEADER, str, OpenApiParameter.HEADER, required=True),
    OpenApiParameter(pbx.SIGNATURE_HEADER, str, OpenApiParameter.HEADER, required=True),
]


@extend_schema_serializer(component_name="CallEventInput")
class CallEventSerializer(serializers.Serializer):
    event_id = serializers.CharField(max_length=100, help_text="Unique id of this event (a UUID is fine).")
    type = serializers.ChoiceField(choices=CallEvent.Kind.choices)
    call_id = serializers.CharField(max_length=100, help_text="The PBX's id of the call (e.g. Asterisk linkedid).")
    occurred_at = serializers.DateTimeField(help_text="When it happened at the PBX, ISO 8601 with offset.")
    caller_number = serializers.CharField(max_length=32, required=False, allow_blank=True)
    queue = serializers.CharField(max_length=60, required=False, allow_blank=True)
    operator = serializers.CharField(
        max_length=60, required=False, allow_blank=True, help_text="Operator's extension or username."
    )
    ended_by = serializers.ChoiceField(choices=Call.EndedBy.choices, required=False)
    transfer_to = serializers.CharField(max_length=60, required=False, allow_blank=True)
    recorded_notice_played = serializers.BooleanField(required=False)

    def validate_occurred_at(self, value):
        now = timezone.now()
        if value > now + timedelta(seconds=settings.PBX_EVENT_MAX_AGE_SECONDS):
            raise serializers.ValidationError(_("This time is in the future."))
        if value < now - timedelta(days=7):
            raise serializers.ValidationError(_("This event is too old."))
        return value

    def validate(self, attrs):
        if attrs["type"] == CallEvent.Kind.HANGUP and not attrs.get("ended_by"):
            raise serializers.ValidationError({"ended_by": [_("Say who ended the call.")]})
        if attrs["type"] == CallEvent.Kind.TRANSFER and not attrs.get("transfer_to"):
            raise serializers.ValidationError({"transfer_to": [_("Say where the call was transferred.")]})
        return attrs


@extend_schema_serializer(component_name="CallRecordingEventInput")
class CallRecordingEventSerializer(serializers.Serializer):
    event = serializers.CharField(help_text="The event as JSON (type recording_ready), as in CallEventInput.")
    recording = serializers.FileField(help_text="The call's audio.")


@extend_schema_serializer(component_name="CallState")
class CallStateSerializer(serializers.Serializer):
    call_id = serializers.CharField(source="pbx_call_id")
    status = serializers.CharField()
    caller_number = serializers.CharField()
    operator = serializers.CharField(source="operator_ref")
    unknown_operator = serializers.BooleanField()
    rang_at = serializers.DateTimeField(allow_null=True)
    answered_at = serializers.DateTimeField(allow_null=True)
    ended_at = serializers.DateTimeField(allow_null=True)
    ended_by = serializers.CharField()
    answer_seconds = serializers.FloatField(allow_null=True)
    has_recording = serializers.SerializerMethodField()

    def get_has_recording(self, call: Call) -> bool:
        return bool(call.recording)


class CallEventCreateApi(APIView):
    """Receive one signed call event from the PBX."""

    authentication_classes: list = []
    permission_classes = [AllowAny]
    parser_classes = [JSONParser, MultiPartParser]

    @extend_schema_serializer(component_name="CallEventAccepted")
    class OutputSerializer(serializers.Serializer):
        event_id = serializers.CharField()
        duplicate = serializers.BooleanField()
        call = CallStateSerializer()

    @extend_schema(
        operation_id="calls_events_create",
        description=EVENT_DESCRIPTION,
        request={"application/json": CallEventSerializer, "multipart/form-data": CallRecordingEventSerializer},
        parameters=PBX_HEADERS,
        responses={
            201: OutputSerializer,
            200: OpenApiResponse(OutputSerializer, description="The same event again: nothing changed."),
            400: OpenApiResponse(description="Malformed event, or a recording that is not audio or too large."),
            401: OpenApiResponse(description="Unsigned, badly signed or stale."),
            409: OpenApiResponse(description="This event id was already used for other content."),
            415: OpenApiResponse(description="The body is neither JSON nor multipart/form-data."),
        },
        auth=[],
    )
    def post(self, request):
        remote = request.META.get("REMOTE_ADDR", "")
        refused = refuse_unsigned(request)
        if refused is not None:
            return refused
        try:
            raw, recording = self._event_and_recording(request)
            data = CallEventSerializer(data=raw)
            data.is_valid(raise_exception=True)
            values = dict(data.validated_data)
            payload = {key: value for key, value in values.items() if key not in {"occurred_at"}}
            payload["occurred_at"] = values["occurred_at"].isoformat()
            event, created = services.apply_call_event(
                event_id=values["event_id"],
                kind=values["type"],
                pbx_call_id=values["call_id"],
                occurred_at=values["occurred_at"],
                payload=payload,
                recording=recording,
            )
        except (serializers.ValidationError, DjangoValidationError, ParseError) as exc:
            detail = getattr(exc, "detail", None) or getattr(exc, "message_dict", None) or str(exc)
            logger.warning("refused malformed call event from %s: %s", remote, detail)
            raise
        body = {"event_id": event.event_id, "duplicate": not created, "call": event.call}
        return Response(
            self.OutputSerializer(body).data, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK
        )

    def _event_and_recording(self, request):
        if request.content_type.startswith("multipart/"):
            text = request.data.get("event")
            if not text:
                raise serializers.ValidationError({"event": [_("This field is required.")]})
            try:
                raw = json.loads(text)
            except ValueError:
                raise serializers.ValidationError({"event": [_("This is not valid JSON.")]}) from None
            recording = request.FILES.get("recording")
        else:
            raw, recording = request.data, None
        if not isinstance(raw, dict):
            raise serializers.ValidationError({"event": [_("Send one event as a JSON object.")]})
        return raw, recording


class OperatorSeatListApi(APIView):
    """For the PBX: operators' seats, so its queue rings only operators who said they are ready.

    Signed like the events, over an empty body.
    """

    authentication_classes: list = []
    permission_classes = [AllowAny]

    @extend_schema_serializer(component_name="OperatorSeatForPbx")
    class OutputSerializer(serializers.Serializer):
        extension = serializers.CharField()
        username = serializers.CharField(source="user.username")
        state = serializers.ChoiceField(choices=OperatorSeat.State.choices)
        state_changed_at = serializers.DateTimeField()
        on_call = serializers.BooleanField()

    @extend_schema(
        parameters=PBX_HEADERS,
        responses={200: OutputSerializer(many=True), 401: OpenApiResponse(description="Unsigned or stale.")},
        auth=[],
    )
    def get(self, request):
        refused = refuse_unsigned(request)
        if refused is not None:
            return refused
        seats = selectors.operator_seats_for_pbx()
        return Response(self.OutputSerializer(seats, many=True).data)


# The operator console -----------------------------------------------------------------------------


@extend_schema_serializer(component_name="ConsoleCustomer")
class ConsoleCustomerSerializer(serializers.ModelSerializer):
    unit = serializers.CharField(source="unit.name")
    unit_code = serializers.CharField(source="unit.code")

    class Meta:
        model = Customer
        fields = [
            "id_pelanggan",
            "meter_number",
            "name",
            "phone",
            "address",
            "unit",
            "unit_code",
            "tariff",
            "power_va",
            "payment_type",
            "lat",
            "lng",
            "transformer_code",
        ]


@extend_schema_serializer(component_name="ConsoleTicket")
class ConsoleTicketSerializer(serializers.ModelSerializer):
    category = serializers.CharField(source="category.name")
    status_label = serializers.CharField(source="get_status_display")

    class Meta:
        model = Ticket
        fields = ["number", "category", "status", "status_label", "description", "created_at", "id_pelanggan"]


@extend_schema_serializer(component_name="ConsoleIncident")
class ConsoleIncidentSerializer(serializers.Serializer):
    id = serializers.CharField(allow_null=True)
    title = serializers.CharField()
    status = serializers.CharField()
    estimated_restore_at = serializers.CharField(allow_null=True)


def caller_context(*, customers: list[Customer], phone: str) -> dict:
    """Customers, their open and recent tickets, and known incidents near them."""
    tickets = selectors.tickets_for_caller(customers=customers, phone=phone)
    located = next((c for c in customers if c.lat is not None and c.lng is not None), None)
    incidents = (
        [selectors.incident_summary(i) for i in selectors.incidents_near(lat=located.lat, lng=located.lng)]
        if located
        else []
    )
    # A wide-area outage of the caller's area comes first, then planned work there, then incidents nearby.
    notices = selectors.outage_notices(customers=customers)
    shown = {str(n["id"]) for n in notices}
    incidents = notices + [i for i in incidents if str(i["id"]) not in shown]
    return {
        "customers": customers,
        "open_tickets": tickets["open"],
        "recent_tickets": tickets["recent"],
        "incidents": incidents,
    }


@extend_schema_serializer(component_name="ConsoleCall")
class ConsoleCallSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    call_id = serializers.CharField()
    status = serializers.CharField()
    status_label = serializers.CharField()
    caller_number = serializers.CharField()
    queue = serializers.CharField()
    rang_at = serializers.DateTimeField(allow_null=True)
    answered_at = serializers.DateTimeField(allow_null=True)
    recorded_notice_played = serializers.BooleanField()
    tickets = serializers.ListField(child=serializers.CharField())
    customers = ConsoleCustomerSerializer(many=True)
    open_tickets = ConsoleTicketSerializer(many=True)
    recent_tickets = ConsoleTicketSerializer(many=True)
    incidents = ConsoleIncidentSerializer(many=True)


class CallCurrentApi(APIView):
    """The operator's seat state and the call ringing at (or held by) them, with the caller's records.

    The console polls this every second or so; it is small and never cached.
    """

    permission_classes = [IsCallCentreAgent]

    @extend_schema_serializer(component_name="ConsoleState")
    class OutputSerializer(serializers.Serializer):
        state = serializers.CharField()
        poll_ms = serializers.IntegerField()
        call = ConsoleCallSerializer(allow_null=True)

    @extend_schema(responses=OutputSerializer)
    def get(self, request):
        seat = OperatorSeat.objects.filter(user=request.user).first()
        call = selectors.current_call_for(request.user)
        body = {
            "state": seat.state if seat else OperatorSeat.State.OFFLINE,
            "poll_ms": settings.CONSOLE_POLL_MS,
            "call": None,
        }
        if call is not None:
            customers = selectors.customers_by_phone(call.caller_number)
            body["call"] = {
                "id": call.pk,
                "call_id": call.pbx_call_id,
                "status": call.status,
                "status_label": call.get_status_display(),
                "caller_number": call.caller_number,
                "queue": call.queue,
                "rang_at": call.rang_at,
                "answered_at": call.answered_at,
                "recorded_notice_played": call.recorded_notice_played,
                "tickets": list(call.tickets.values_list("number", flat=True)),
                **caller_context(customers=customers, phone=call.caller_number),
            }
        response = Response(self.OutputSerializer(body).data)
        response["Cache-Control"] = "no-store"
        return response


class OperatorStateUpdateApi(APIView):
    """The operator sets themself ready for calls, paused or offline."""

    permission_classes = [IsCallCentreAgent]

    @extend_schema_serializer(component_name="OperatorStateInput")
    class InputSerializer(serializers.Serializer):
        state = serializers.ChoiceField(choices=OperatorSeat.State.choices)

    @extend_schema_serializer(component_name="OperatorState")
    class OutputSerializer(serializers.Serializer):
        state = serializers.CharField()
        state_changed_at = serializers.DateTimeField()

    @extend_schema(request=InputSerializer, responses=OutputSerializer)
    def post(self, request):
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        seat = services.set_operator_state(user=request.user, state=data.validated_data["state"])
        return Response(self.OutputSerializer(seat).data)


class CallerSearchApi(APIView):
    """Find customers by ID pelanggan, meter number, name or phone, with their open and recent tickets."""

    permission_classes = [IsCallCentreAgent]

    @extend_schema_serializer(component_name="CallerSearchResult")
    class OutputSerializer(serializers.Serializer):
        customers = ConsoleCustomerSerializer(many=True)
        open_tickets = ConsoleTicketSerializer(many=True)
        recent_tickets = ConsoleTicketSerializer(many=True)
        incidents = ConsoleIncidentSerializer(many=True)

    @extend_schema(
        parameters=[OpenApiParameter("q", str, required=False, description="Empty or missing: nothing found.")],
        responses=OutputSerializer,
    )
    def get(self, request):
        query = (request.query_params.get("q") or "").strip()[:120]
        customers = selectors.search_customers(query)
        phone = ""
        if not customers:
            try:
                phone = normalize_phone(query) if any(ch.isdigit() for ch in query) else ""
            except DjangoValidationError:
                phone = ""
        return Response(self.OutputSerializer(caller_context(customers=customers, phone=phone)).data)


CHOOSE_CATEGORY = {
    "required": _lazy("Choose a category."),
    "null": _lazy("Choose a category."),
    "does_not_exist": _lazy("Choose a category from the list."),
    "invalid": _lazy("Choose a category from the list."),
}
DESCRIBE = {"required": _lazy("Write what the caller says."), "blank": _lazy("Write what the caller says.")}


class CallTicketCreateApi(APIView):
    """Log a ticket of any category from a call, linked to the call. Send an ``Idempotency-Key`` header."""

    permission_classes = [IsCallCentreAgent]

    @extend_schema_serializer(component_name="CallTicketInput")
    class InputSerializer(serializers.Serializer):
        call = serializers.IntegerField(required=False, allow_null=True, default=None)
        category = serializers.SlugRelatedField(
            slug_field="code",
            queryset=Category.objects.filter(active=True),
            error_messages=CHOOSE_CATEGORY,
        )
        description = serializers.CharField(max_length=4000, error_messages=DESCRIBE)
        id_pelanggan = serializers.RegexField(
            r"^\d{12}$",
            required=False,
            allow_blank=True,
            error_messages={"invalid": _lazy("An ID pelanggan has 12 digits.")},
        )
        reporter_phone = serializers.CharField(max_length=32, required=False, allow_blank=True, default="")
        reporter_name = serializers.CharField(max_length=120, required=False, allow_blank=True, default="")
        address = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
        # A caller without an ID pelanggan (a new-connection applicant, a passer-by) is placed by a map pin,
        # a landmark and the ULP the operator chooses.
        landmark = serializers.CharField(max_length=50, required=False, allow_blank=True, default="")
        lat = serializers.FloatField(required=False, allow_null=True, default=None, min_value=-90, max_value=90)
        lng = serializers.FloatField(required=False, allow_null=True, default=None, min_value=-180, max_value=180)
        unit = serializers.SlugRelatedField(
            slug_field="code",
            queryset=ServiceUnit.objects.filter(level=ServiceUnit.Level.ULP),
            required=False,
            allow_null=True,
            default=None,
            error_messages={"does_not_exist": _lazy("Choose a ULP from the list.")},
        )

        def validate(self, attrs):
            if (attrs.get("lat") is None) != (attrs.get("lng") is None):
                raise serializers.ValidationError({"lat": [_("Put the pin on the map again.")]})
            return attrs

        def validate_reporter_phone(self, value):
            if not value:
                return value
            try:
                return normalize_phone(value)
            except DjangoValidationError as exc:
                raise serializers.ValidationError(exc.messages) from exc

    @extend_schema_serializer(component_name="CallTicketCreated")
    class OutputSerializer(serializers.Serializer):
        number = serializers.CharField()
        status_label = serializers.CharField()
        category = serializers.CharField()
        unit = serializers.CharField()
        call = serializers.IntegerField(allow_null=True)

    @extend_schema(
        request=InputSerializer,
        responses={201: OutputSerializer, 200: OutputSerializer},
        parameters=[OpenApiParameter("Idempotency-Key", str, OpenApiParameter.HEADER, required=False)],
    )
    def post(self, request):
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        call = None
        if values["call"] is not None:
            call = get_object_or_404(selectors.calls_visible_to(request.user), pk=values["call"])
        customer = None
        if values.get("id_pelanggan"):
            customer = Customer.objects.select_related("unit").filter(id_pelanggan=values["id_pelanggan"]).first()
            if customer is None:
                raise serializers.ValidationError({"id_pelanggan": [_("No customer has this ID pelanggan.")]})
        if not values["reporter_phone"] and not (call and call.caller_number.startswith("+")):
            raise serializers.ValidationError({"reporter_phone": [_("Enter the caller's phone number.")]})
        key = (request.headers.get("Idempotency-Key") or "").strip()[:100] or None
        ticket = services.log_call_ticket(
            operator=request.user,
            call=call,
            category=values["category"],
            description=values["description"],
            customer=customer,
            reporter_phone=values["reporter_phone"],
            reporter_name=values["reporter_name"],
            address=services.address_with_landmark(values["address"], values["landmark"]),
            lat=values["lat"],
            lng=values["lng"],
            unit=values["unit"],
            idempotency_key=key,
        )
        body = {
            "number": ticket.number,
            "status_label": ticket.get_status_display(),
            "category": ticket.category.name,
            "unit": ticket.unit.name,
            "call": call.pk if call else None,
        }
        code = status.HTTP_201_CREATED if getattr(ticket, "was_created", True) else status.HTTP_200_OK
        return Response(self.OutputSerializer(body).data, status=code)


class ViolationReviewApi(APIView):
    """A supervisor confirms or dismisses a suspected violation after listening to the call."""

    permission_classes = [IsCallCentreSupervisor]

    @extend_schema_serializer(component_name="ViolationReviewInput")
    class InputSerializer(serializers.Serializer):
        decision = serializers.ChoiceField(choices=["confirm", "dismiss"])
        note = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")

    @extend_schema_serializer(component_name="ViolationReviewed")
    class OutputSerializer(serializers.Serializer):
        id = serializers.IntegerField()
        kind = serializers.CharField()
        status = serializers.CharField()
        letter = serializers.CharField(source="letter.number", allow_null=True, default=None)

    @extend_schema(request=InputSerializer, responses=OutputSerializer)
    def post(self, request, pk: int):
        violation = get_object_or_404(selectors.violations_visible_to(request.user), pk=pk)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        violation = services.review_violation(
            violation=violation,
            reviewer=request.user,
            confirm=data.validated_data["decision"] == "confirm",
            note=data.validated_data["note"],
        )
        violation = Violation.objects.select_related("letter").get(pk=violation.pk)
        return Response(self.OutputSerializer(violation).data)
