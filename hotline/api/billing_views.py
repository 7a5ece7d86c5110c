"""The console's bill information (screen-pop) and its one-click "information given" record (IF-TAGIHAN)."""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_serializer
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from billing import selectors as billing_selectors
from billing import services as billing_services
from billing.api.serializers import LookupOutputSerializer
from billing.providers import ProviderUnavailable
from core.errors import ApplicationError
from hotline import selectors, services
from tickets.models import Customer

from .permissions import IsCallCentreAgent


def _id_pelanggan(value: str) -> str:
    try:
        return billing_selectors.clean_id_pelanggan(value)
    except DjangoValidationError as exc:
        raise serializers.ValidationError({"id_pelanggan": exc.messages}) from exc


class CallerBillsApi(APIView):
    """The caller's last bills or token purchases, for the screen-pop (same answer as info tagihan)."""

    permission_classes = [IsCallCentreAgent]

    @extend_schema(
        responses={200: LookupOutputSerializer},
        parameters=[OpenApiParameter("id_pelanggan", str, OpenApiParameter.QUERY, required=True)],
    )
    def get(self, request):
        idpel = _id_pelanggan(request.query_params.get("id_pelanggan", ""))
        try:
            result = billing_selectors.lookup(idpel)
        except ProviderUnavailable as exc:
            raise ApplicationError(str(exc), status_code=503) from None
        return Response(LookupOutputSerializer(result).data)


class InfoGivenApi(APIView):
    """Record that bill information was given on the call: an IF-TAGIHAN ticket, closed at first contact.

    Send an ``Idempotency-Key`` header: a repeated click records once.
    """

    permission_classes = [IsCallCentreAgent]

    @extend_schema_serializer(component_name="InfoGivenInput")
    class InputSerializer(serializers.Serializer):
        call = serializers.IntegerField(required=False, allow_null=True, default=None)
        id_pelanggan = serializers.CharField(max_length=40)
        note = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")

    @extend_schema_serializer(component_name="InfoGivenOutput")
    class OutputSerializer(serializers.Serializer):
        number = serializers.CharField()
        status = serializers.CharField()
        status_label = serializers.CharField()

    @extend_schema(
        request=InputSerializer,
        responses={201: OutputSerializer},
        parameters=[OpenApiParameter("Idempotency-Key", str, OpenApiParameter.HEADER, required=False)],
    )
    def post(self, request):
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        idpel = _id_pelanggan(values["id_pelanggan"])
        customer = Customer.objects.select_related("unit").filter(id_pelanggan=idpel).first()
        if customer is None:
            raise serializers.ValidationError({"id_pelanggan": [_("No customer has this ID pelanggan.")]})
        call = None
        if values["call"] is not None:
            call = get_object_or_404(selectors.calls_visible_to(request.user), pk=values["call"])
        phone = customer.phone or (call.caller_number if call and call.caller_number.startswith("+") else "")
        if not phone:
            raise serializers.ValidationError({"call": [_("Pick the call, or the customer needs a phone number.")]})
        key = (request.headers.get("Idempotency-Key") or "").strip()[:100] or None

        def open_ticket(*, category, customer, description):
            return services.log_call_ticket(
                operator=request.user,
                call=call,
                category=category,
                description=description,
                customer=customer,
                reporter_phone=phone,
                idempotency_key=key,
            )

        ticket = billing_services.info_given_ticket(
            open_ticket=open_ticket, customer=customer, user=request.user, note=values["note"]
        )
        body = {"number": ticket.number, "status": ticket.status, "status_label": ticket.get_status_display()}
        return Response(self.OutputSerializer(body).data, status=status.HTTP_201_CREATED)
