"""Ticket API: public intake and tracking, staff list, detail, status changes and notes."""

import django_filters
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Subquery
from django.shortcuts import get_object_or_404
from django.utils.translation import get_language
from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema,
    extend_schema_serializer,
    extend_schema_view,
    inline_serializer,
)
from rest_framework import serializers, status
from rest_framework.generics import ListAPIView
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from core import roles
from core.pagination import StrictCursorPagination
from core.phone import normalize_phone
from core.throttles import PublicIntakeThrottle, PublicTrackingThrottle
from core.uploads import validate_photo
from tickets import input_checks, selectors, services
from tickets.models import Category, ServiceUnit, Ticket
from tickets.numbering import normalize_ticket_number

from .permissions import CanChangeTickets, IsTicketWorker
from .serializers import (
    _DATETIME,
    CategorySerializer,
    FreshFieldsSerializer,
    PublicTicketSerializer,
    ReferenceCodeField,
    StaffEventSerializer,
    TicketDetailSerializer,
    TicketSummarySerializer,
    tracking_url,
)

STAFF_CHANNELS = {Ticket.Channel.PHONE, Ticket.Channel.WALK_IN, Ticket.Channel.API}


class CategoryListApi(ListAPIView):
    """The categories a customer can report under."""

    permission_classes = [AllowAny]
    serializer_class = CategorySerializer
    pagination_class = None

    def get_queryset(self):
        return selectors.public_categories()


class TicketCursorPagination(StrictCursorPagination):
    page_size = 50
    max_page_size = 200
    page_size_query_param = "page_size"
    ordering = ("-created_at", "-id")


class TicketFilter(django_filters.FilterSet):
    status = django_filters.MultipleChoiceFilter(choices=Ticket.Status.choices, distinct=False)  # no DISTINCT sort
    category = django_filters.CharFilter(method="filter_category")
    kind = django_filters.ChoiceFilter(choices=Category.Kind.choices)
    unit = django_filters.CharFilter(method="filter_unit")
    channel = django_filters.ChoiceFilter(choices=Ticket.Channel.choices)
    created_after = django_filters.IsoDateTimeFilter(field_name="created_at", lookup_expr="gte")
    created_before = django_filters.IsoDateTimeFilter(field_name="created_at", lookup_expr="lt")
    phone = django_filters.CharFilter(field_name="reporter_phone")
    id_pelanggan = django_filters.CharFilter(field_name="id_pelanggan")

    class Meta:
        model = Ticket
        fields = ["status", "category", "kind", "unit", "channel", "created_after", "created_before"]

    # By code, as a scalar subquery rather than a join: the planner then walks the (unit, created_at)
    # index newest first and stops at the page, instead of joining and sorting every ticket of the unit.
    def filter_unit(self, queryset, name, value):
        return queryset.filter(unit_id=Subquery(ServiceUnit.objects.filter(code=value).values("pk")[:1]))

    def filter_category(self, queryset, name, value):
        return queryset.filter(category_id=Subquery(Category.objects.filter(code=value).values("pk")[:1]))


ISO_DATE_OR_TIME = "ISO 8601 date-time (with offset) or date; a date means its midnight in the server's zone."


@extend_schema_view(
    get=extend_schema(
        parameters=[
            OpenApiParameter("created_after", str, description=ISO_DATE_OR_TIME),
            OpenApiParameter("created_before", str, description=ISO_DATE_OR_TIME),
        ]
    )
)
class TicketListCreateApi(ListAPIView):
    """GET: tickets of the caller's units, newest first, filtered, cursor-paginated (staff).

    POST: open a ticket. Public (no login) for customers' apps; staff may also set channel and
    priority. Send an ``Idempotency-Key`` header: a retry with the same key returns the same
    ticket (200) instead of opening a second one.
    """

    permission_classes = [IsTicketWorker]
    serializer_class = TicketSummarySerializer
    pagination_class = TicketCursorPagination
    filterset_class = TicketFilter
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    def get_permissions(self):
        if self.request.method == "POST":
            return [AllowAny()]
        return super().get_permissions()

    def get_throttles(self):
        if self.request.method == "POST":
            return [PublicIntakeThrottle()]
        return super().get_throttles()

    def get_queryset(self):
        # The summary needs the category and unit codes, not the customer.
        return selectors.tickets_visible_to(self.request.user).select_related(None).select_related("category", "unit")

    @extend_schema_serializer(component_name="TicketCreateInput")
    class InputSerializer(FreshFieldsSerializer):
        category = ReferenceCodeField(Category)
        description = serializers.CharField(max_length=4000)
        reporter_phone = serializers.CharField(max_length=32)
        reporter_name = serializers.CharField(max_length=120, required=False, allow_blank=True, default="")
        reporter_email = serializers.EmailField(required=False, allow_blank=True)
        id_pelanggan = serializers.CharField(max_length=32, required=False, allow_blank=True)
        meter_number = serializers.CharField(max_length=32, required=False, allow_blank=True)

        def validate_id_pelanggan(self, value):
            return _checked(input_checks.customer_number, value, kinds=(12,))

        def validate_meter_number(self, value):
            return _checked(input_checks.customer_number, value, kinds=(11,))
        lat = serializers.FloatField(required=False, allow_null=True, default=None, min_value=-90, max_value=90)
        lng = serializers.FloatField(required=False, allow_null=True, default=None, min_value=-180, max_value=180)
        address = serializers.CharField(max_length=255, required=False, allow_blank=True, default="")
        unit = ReferenceCodeField(ServiceUnit, required=False, allow_null=True, default=None)
        language = serializers.ChoiceField(choices=["id", "en"], required=False)
        photo = serializers.ImageField(required=False, allow_null=True, default=None)
        channel = serializers.ChoiceField(choices=sorted(STAFF_CHANNELS), required=False)
        priority = serializers.ChoiceField(choices=Ticket.Priority.choices, required=False)

        def validate_reporter_phone(self, value):
            try:
                return normalize_phone(value)
            except DjangoValidationError as exc:
                raise serializers.ValidationError(exc.messages) from exc

        def validate_photo(self, value):
            if value is not None:
                try:
                    validate_photo(value)
                except DjangoValidationError as exc:
                    raise serializers.ValidationError(exc.messages) from exc
            return value

        def validate(self, attrs):
            if (attrs.get("lat") is None) != (attrs.get("lng") is None):
                raise serializers.ValidationError({"lat": ["Give both latitude and longitude, or neither."]})
            return attrs

    @extend_schema_serializer(component_name="TicketCreated")
    class OutputSerializer(serializers.Serializer):
        number = serializers.CharField()
        status = serializers.CharField()
        status_label = serializers.CharField()
        category = serializers.CharField()
        unit = serializers.CharField()
        tracking_url = serializers.CharField()
        created_at = serializers.DateTimeField()

    @extend_schema(
        request={"application/json": InputSerializer, "multipart/form-data": InputSerializer},
        responses={201: OutputSerializer, 200: OutputSerializer},
        parameters=[OpenApiParameter("Idempotency-Key", str, OpenApiParameter.HEADER, required=False)],
    )
    def post(self, request):
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        is_staff = roles.has_role(request.user, *roles.TICKET_WORKERS)
        channel = values.pop("channel", None) if is_staff else None
        priority = values.pop("priority", None) if is_staff else None
        values.pop("channel", None)
        values.pop("priority", None)
        language = values.pop("language", None) or (get_language() or "id")[:2]
        key = (request.headers.get("Idempotency-Key") or "").strip()[:100] or None
        ticket = services.open_ticket(
            **values,
            channel=channel or Ticket.Channel.API,
            priority=priority,
            language=language,
            idempotency_key=key,
            created_by=request.user if request.user.is_authenticated else None,
        )
        body = {  # OutputSerializer's fields, written out (a test compares them)
            "number": ticket.number,
            "status": ticket.status,
            "status_label": str(ticket.get_status_display()),
            "category": ticket.category.code,
            "unit": ticket.unit.code,
            "tracking_url": tracking_url(ticket),
            "created_at": _DATETIME.to_representation(ticket.created_at),
        }
        code = status.HTTP_201_CREATED if ticket.was_created else status.HTTP_200_OK
        return Response(body, status=code)


def _staff_ticket(request, number: str) -> Ticket:
    canonical = normalize_ticket_number(number) or number
    return get_object_or_404(selectors.tickets_visible_to(request.user), number=canonical)


class TicketDetailApi(APIView):
    permission_classes = [IsTicketWorker]

    @extend_schema(responses=TicketDetailSerializer)
    def get(self, request, number: str):
        ticket = _staff_ticket(request, number)
        return Response(TicketDetailSerializer(ticket).data)


class TicketStatusChangeApi(APIView):
    """Move a ticket to another status; a move the status table does not allow is a 409."""

    permission_classes = [CanChangeTickets]

    @extend_schema_serializer(component_name="TicketStatusChangeInput")
    class InputSerializer(serializers.Serializer):
        status = serializers.ChoiceField(choices=Ticket.Status.choices)
        message = serializers.CharField(max_length=4000, required=False, allow_blank=True, default="")

    @extend_schema(request=InputSerializer, responses=TicketDetailSerializer)
    def post(self, request, number: str):
        ticket = _staff_ticket(request, number)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        ticket = services.change_status(
            ticket=ticket,
            to_status=data.validated_data["status"],
            actor=request.user,
            message=data.validated_data["message"],
        )
        return Response(TicketDetailSerializer(ticket).data)


class TicketNoteCreateApi(APIView):
    """Add an internal note, or a public update the customer sees."""

    permission_classes = [CanChangeTickets]

    @extend_schema_serializer(component_name="TicketNoteInput")
    class InputSerializer(serializers.Serializer):
        message = serializers.CharField(max_length=4000)
        public = serializers.BooleanField(required=False, default=False)

    @extend_schema(request=InputSerializer, responses={201: StaffEventSerializer})
    def post(self, request, number: str):
        ticket = _staff_ticket(request, number)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        event = services.add_note(
            ticket=ticket,
            author=request.user,
            message=data.validated_data["message"],
            public=data.validated_data["public"],
        )
        return Response(StaffEventSerializer(event).data, status=status.HTTP_201_CREATED)


NOT_FOUND_MESSAGE = "No ticket matches this number and phone number."


def _checked(check, value, **kwargs):
    try:
        return check(value, **kwargs)
    except DjangoValidationError as exc:
        raise serializers.ValidationError(exc.messages) from exc


class TrackingLookupApi(APIView):
    """Public timeline of one ticket, by number plus the reporter's phone number."""

    permission_classes = [AllowAny]
    authentication_classes: list = []
    throttle_classes = [PublicTrackingThrottle]

    @extend_schema_serializer(component_name="TrackingLookupInput")
    class InputSerializer(serializers.Serializer):
        number = serializers.CharField(max_length=32)
        phone = serializers.CharField(max_length=32)

        def validate_number(self, value):
            return _checked(input_checks.ticket_number, value)

    @extend_schema(
        request=InputSerializer,
        responses={
            200: PublicTicketSerializer,
            404: inline_serializer("NotFound", {"message": serializers.CharField()}),
        },
        auth=[],
    )
    def post(self, request):
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        ticket = selectors.ticket_for_tracking(number=data.validated_data["number"], phone=data.validated_data["phone"])
        if ticket is None:
            return Response({"message": NOT_FOUND_MESSAGE, "extra": {}}, status=status.HTTP_404_NOT_FOUND)
        return Response(PublicTicketSerializer(ticket).data)


class TrackingTokenApi(APIView):
    """Public timeline of one ticket, by the secret token of its tracking link."""

    permission_classes = [AllowAny]
    authentication_classes: list = []
    throttle_classes = [PublicTrackingThrottle]

    @extend_schema(responses=PublicTicketSerializer, auth=[])
    def get(self, request, token: str):
        ticket = selectors.ticket_by_tracking_token(token)
        if ticket is None:
            return Response({"message": NOT_FOUND_MESSAGE, "extra": {}}, status=status.HTTP_404_NOT_FOUND)
        return Response(PublicTicketSerializer(ticket).data)
