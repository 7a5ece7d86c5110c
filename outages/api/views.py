"""Outage API (/api/v1/outages/…, /api/v1/announcements/…): public banner, map and PBX announcement read from
the cache; staff schedule planned outages and record staged restoration."""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.shortcuts import get_object_or_404
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import renderers, serializers, status
from rest_framework.permissions import AllowAny, BasePermission
from rest_framework.response import Response
from rest_framework.views import APIView

from core import roles
from core.throttles import PublicIntakeThrottle
from outages import selectors, services
from outages.models import PlannedOutage
from tickets import selectors as ticket_selectors
from tickets.models import ServiceUnit


class CanPlanOutages(BasePermission):
    """ULP staff who schedule maintenance: dispatchers, supervisors, back office and admins."""

    def has_permission(self, request, view) -> bool:
        return roles.has_role(request.user, roles.DISPATCHER, roles.SUPERVISOR, roles.BACK_OFFICE, roles.ADMIN)


class CanRestore(BasePermission):
    """Dispatchers, supervisors and admins of the incident's unit; a technician on their own job on site."""

    def has_permission(self, request, view) -> bool:
        return roles.has_role(request.user, roles.DISPATCHER, roles.SUPERVISOR, roles.TECHNICIAN, roles.ADMIN)


def _float(value: str | None, field: str, low: float, high: float) -> float | None:
    if value in (None, ""):
        return None
    try:
        number = float(value)
    except ValueError:
        number = None
    if number is None or not (low <= number <= high):
        raise DjangoValidationError(
            {field: [_("Give a number from %(low)s to %(high)s.") % {"low": low, "high": high}]}
        )
    return number


NOTICE_FIELDS = (
    "OutageNotice",
    {
        "kind": serializers.ChoiceField(choices=["wide_area", "planned"]),
        "title": serializers.CharField(),
        "text": serializers.CharField(),
        "unit": serializers.CharField(),
        "incident": serializers.IntegerField(required=False),
        "plan": serializers.IntegerField(required=False),
        "estimated_restoration_at": serializers.DateTimeField(required=False, allow_null=True),
        "starts_at": serializers.DateTimeField(required=False),
        "ends_at": serializers.DateTimeField(required=False),
    },
)


def _notices_schema():
    return inline_serializer(*NOTICE_FIELDS, many=True)


class BannerApi(APIView):
    """Wide-area and planned outages for a place (ULP code, point, or ID pelanggan). No personal data."""

    permission_classes = [AllowAny]
    authentication_classes = []

    @extend_schema(
        parameters=[
            OpenApiParameter("unit", str, description="ULP code"),
            OpenApiParameter("unit_id", int, description="ULP id (as in the report form)"),
            OpenApiParameter("lat", float),
            OpenApiParameter("lng", float),
            OpenApiParameter("idpel", str, description="ID pelanggan (12 digits): the customer's transformer"),
            OpenApiParameter("meter", str, description="meter number (11 digits), instead of idpel"),
        ],
        responses=inline_serializer(
            "OutageBanner",
            {"unit": serializers.DictField(allow_null=True), "notices": _notices_schema()},
        ),
    )
    def get(self, request):
        lat = _float(request.query_params.get("lat"), "lat", -90, 90)
        lng = _float(request.query_params.get("lng"), "lng", -180, 180)
        unit = (request.query_params.get("unit") or "").strip()[:32]
        unit_id = (request.query_params.get("unit_id") or "").strip()
        if unit_id and not (unit_id.isascii() and unit_id.isdigit()):
            try:  # DRF's own (translated) message for a number that is not one
                serializers.IntegerField().run_validation(unit_id)
            except serializers.ValidationError as exc:
                raise serializers.ValidationError({"unit_id": exc.detail}) from None
        if not unit and unit_id.isdigit() and len(unit_id) < 12:
            row = selectors.unit_row(unit_id=int(unit_id))
            unit = row["code"] if row else ""
        transformer = feeder = ""
        idpel = (request.query_params.get("idpel") or "").strip()
        meter = (request.query_params.get("meter") or "").strip()
        customer = None
        if idpel.isdigit() and len(idpel) == 12:
            customer = ticket_selectors.find_customer(id_pelanggan=idpel)
        elif meter.isdigit() and len(meter) == 11:
            customer = ticket_selectors.find_customer(meter_number=meter)
        if customer is not None:
            unit = customer.unit.code
            transformer, feeder = customer.transformer_code, customer.feeder_code
            if lat is None and customer.lat is not None:
                lat, lng = customer.lat, customer.lng
        if (lat is None) != (lng is None):
            raise DjangoValidationError({"lng" if lng is None else "lat": [_("Give both latitude and longitude.")]})
        data = selectors.public_notices(
            unit_code=unit, lat=lat, lng=lng, transformer_code=transformer, feeder_code=feeder
        )
        return Response(data, headers={"Cache-Control": "public, max-age=15", "Vary": "Accept-Language, Cookie"})


class MapApi(APIView):
    """Open incidents (rounded positions) and planned outages of a city (UP3) or a ULP, cached per area."""

    permission_classes = [AllowAny]
    authentication_classes = []

    @extend_schema(
        parameters=[OpenApiParameter("area", str, required=True, description="UP3 or ULP code")],
        responses={
            200: inline_serializer(
                "OutageMap",
                {
                    "area": serializers.CharField(),
                    "center": serializers.ListField(child=serializers.FloatField()),
                    "incidents": serializers.ListField(child=serializers.DictField()),
                    "planned": serializers.ListField(child=serializers.DictField()),
                    "generated_at": serializers.DateTimeField(),
                },
            ),
            404: inline_serializer(
                "UnknownArea", {"message": serializers.CharField(), "extra": serializers.DictField()}
            ),
        },
    )
    def get(self, request):
        area = (request.query_params.get("area") or "").strip()[:32]
        if not area:
            raise DjangoValidationError({"area": [_("Choose an area.")]})
        data = selectors.map_data(area)
        if data is None:
            return Response({"message": _("Unknown area."), "extra": {}}, status=status.HTTP_404_NOT_FOUND)
        return Response(data, headers={"Cache-Control": "public, max-age=15"})


class PlainTextRenderer(renderers.BaseRenderer):
    media_type = "text/plain"
    format = "txt"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        if isinstance(data, dict) and "text_id" in data:
            request = renderer_context.get("request") if renderer_context else None
            language = (request.query_params.get("lang") if request else "") or "id"
            return data["text_en" if language == "en" else "text_id"]
        return str(data.get("message", "") if isinstance(data, dict) else data)


class AnnouncementApi(APIView):
    """What the PBX plays before the queue for callers of a ULP (Indonesian and English).

    JSON by default; ``?format=txt`` (or ``Accept: text/plain``) gives the plain text, ``&lang=en`` the English.
    An empty text means there is nothing to announce.
    """

    permission_classes = [AllowAny]
    authentication_classes = []
    renderer_classes = [renderers.JSONRenderer, PlainTextRenderer]

    @extend_schema(
        responses={
            (200, "application/json"): inline_serializer(
                "OutageAnnouncement",
                {
                    "unit": serializers.CharField(),
                    "active": serializers.BooleanField(),
                    "text_id": serializers.CharField(),
                    "text_en": serializers.CharField(),
                    "wide_area": serializers.IntegerField(),
                    "incidents": serializers.ListField(child=serializers.IntegerField()),
                },
            ),
            (200, "text/plain"): OpenApiTypes.STR,
            (404, "application/json"): inline_serializer(
                "UnknownUnit", {"message": serializers.CharField(), "extra": serializers.DictField()}
            ),
            (404, "text/plain"): OpenApiTypes.STR,
        }
    )
    def get(self, request, code: str):
        data = selectors.announcement(code[:32])
        if data is None:
            return Response({"message": _("Unknown unit."), "extra": {}}, status=status.HTTP_404_NOT_FOUND)
        return Response(data, headers={"Cache-Control": "no-cache"})


class SubscriptionInput(serializers.Serializer):
    incident = serializers.IntegerField()
    phone = serializers.CharField(max_length=40)
    source = serializers.ChoiceField(choices=["web", "phone"], default="web")


class RestorationSubscriptionApi(APIView):
    """Ask for one SMS when the power of a wide-area outage returns, instead of filing a report."""

    permission_classes = [AllowAny]
    authentication_classes = []  # anonymous by design: a logged-in session changes nothing here
    throttle_classes = [PublicIntakeThrottle]

    @extend_schema(
        request=SubscriptionInput,
        responses={
            201: inline_serializer("RestorationSubscription", {"incident": serializers.IntegerField()}),
            200: inline_serializer("RestorationSubscriptionAgain", {"incident": serializers.IntegerField()}),
        },
    )
    def post(self, request):
        from dispatch.models import Incident

        data = SubscriptionInput(data=request.data)
        data.is_valid(raise_exception=True)
        incident = Incident.objects.filter(pk=data.validated_data["incident"]).select_related("unit").first()
        if incident is None:
            raise DjangoValidationError({"incident": [_("Unknown outage.")]})
        row = services.subscribe_to_restoration(
            incident=incident,
            phone=data.validated_data["phone"],
            language=(get_language() or "id")[:2],
            source=data.validated_data["source"],
        )
        return Response(
            {"incident": incident.pk}, status=status.HTTP_201_CREATED if row.was_created else status.HTTP_200_OK
        )


class PlannedOutageSerializer(serializers.ModelSerializer):
    unit = serializers.SlugRelatedField(slug_field="code", queryset=ServiceUnit.objects.all())

    class Meta:
        model = PlannedOutage
        fields = [
            "id",
            "unit",
            "title",
            "transformer_codes",
            "feeder_codes",
            "area",
            "starts_at",
            "ends_at",
            "cancelled_at",
            "customers_affected",
            "notice_sent_at",
            "ended_at",
        ]
        read_only_fields = ["cancelled_at", "customers_affected", "notice_sent_at", "ended_at"]
        extra_kwargs = {"starts_at": {"required": True}, "ends_at": {"required": True}}

    def validate(self, attrs):
        return attrs  # the service holds the rules (one place, same messages for admin and API)


def _visible_plans(user):
    unit_ids = ticket_selectors.visible_unit_ids(user)
    qs = PlannedOutage.objects.select_related("unit").order_by("-starts_at")
    return qs if unit_ids is None else qs.filter(unit_id__in=unit_ids)


class PlannedOutageListApi(APIView):
    """Planned outages of your units (GET); schedule one (POST)."""

    permission_classes = [CanPlanOutages]

    @extend_schema(responses=PlannedOutageSerializer(many=True))
    def get(self, request):
        return Response(PlannedOutageSerializer(_visible_plans(request.user)[:200], many=True).data)

    @extend_schema(request=PlannedOutageSerializer, responses={201: PlannedOutageSerializer})
    def post(self, request):
        data = PlannedOutageSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        unit = data.validated_data["unit"]
        visible = ticket_selectors.visible_unit_ids(request.user)
        if visible is not None and unit.pk not in visible:
            raise DjangoValidationError({"unit": [_("Not one of your units.")]})
        plan = services.create_planned_outage(
            unit=unit,
            title=data.validated_data.get("title", ""),
            starts_at=data.validated_data.get("starts_at"),
            ends_at=data.validated_data.get("ends_at"),
            transformer_codes=data.validated_data.get("transformer_codes"),
            feeder_codes=data.validated_data.get("feeder_codes"),
            area=data.validated_data.get("area"),
            by=request.user,
        )
        return Response(PlannedOutageSerializer(plan).data, status=status.HTTP_201_CREATED)


class PlannedOutageCancelApi(APIView):
    permission_classes = [CanPlanOutages]

    @extend_schema(request=None, responses=PlannedOutageSerializer)
    def post(self, request, pk: int):
        plan = get_object_or_404(_visible_plans(request.user), pk=pk)
        return Response(PlannedOutageSerializer(services.cancel_planned_outage(plan=plan, by=request.user)).data)


class PartlyRestoredInput(serializers.Serializer):
    transformer_codes = serializers.ListField(child=serializers.CharField(max_length=32), allow_empty=False)
    message = serializers.CharField(max_length=500, required=False, allow_blank=True)


class PartlyRestoredApi(APIView):
    """NYALA BERTAHAP: the transformers restored so far; only their customers' tickets are restored and told."""

    permission_classes = [CanRestore]

    @extend_schema(
        request=PartlyRestoredInput,
        responses=inline_serializer(
            "StagedRestoration",
            {"incident": serializers.IntegerField(), "tickets_restored": serializers.IntegerField()},
        ),
    )
    def post(self, request, pk: int):
        from dispatch.models import Assignment, Incident

        unit_ids = ticket_selectors.visible_unit_ids(request.user)
        qs = Incident.objects.all() if unit_ids is None else Incident.objects.filter(unit_id__in=unit_ids)
        if not roles.has_role(request.user, roles.DISPATCHER, roles.SUPERVISOR, roles.ADMIN):
            # A technician records it on their own job, on site (as the job's "partly restored" step requires);
            # an offer not yet taken, or another crew's incident of the same ULP, is not theirs: not found.
            qs = qs.filter(
                assignments__technician__user=request.user, assignments__state=Assignment.State.ON_SITE
            ).distinct()
        incident = get_object_or_404(qs, pk=pk)
        data = PartlyRestoredInput(data=request.data)
        data.is_valid(raise_exception=True)
        step = services.restore_partly(
            incident=incident,
            transformer_codes=data.validated_data["transformer_codes"],
            by=request.user,
            message=data.validated_data.get("message", ""),
        )
        return Response({"incident": incident.pk, "tickets_restored": step.tickets_restored})
