"""Connections API: apply for a new connection or a power change; ask what it costs (IF-TARIF answers)."""

from django.utils.translation import get_language
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from core.errors import ApplicationError
from core.throttles import PublicIntakeThrottle, PublicTrackingThrottle
from tickets.models import Ticket

from .. import quotes, services
from .serializers import ApplicationInputSerializer, ApplicationSerializer, QuoteQuerySerializer, QuoteSerializer


class ApplicationCreateApi(APIView):
    """Apply (multipart, with the KTP and for a business the NIB as photos or PDFs). A new connection needs a
    place (lat/lng) and an address, no ID pelanggan; a power change needs the ID pelanggan. 201 with the
    ticket number and the tracking token; 400 with every field's message."""

    permission_classes = [AllowAny]
    throttle_classes = [PublicIntakeThrottle]
    parser_classes = [MultiPartParser, FormParser, JSONParser]

    @extend_schema(
        request={"multipart/form-data": ApplicationInputSerializer},
        responses={201: ApplicationSerializer},
    )
    def post(self, request):
        data = ApplicationInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        documents = {"ktp": values.pop("ktp"), "nib": values.pop("nib")}
        language = values.pop("language", None) or (get_language() or "id")[:2]
        user = request.user if request.user.is_authenticated else None
        application = services.create_application(
            **values,
            documents=documents,
            channel=Ticket.Channel.API,
            language=language,
            created_by=user,
        )
        return Response(ApplicationSerializer(application).data, status=status.HTTP_201_CREATED)


class QuoteApi(APIView):
    """What a new connection or a power change costs today (or ``at``) in a ULP: the normal fee, each programme
    with its price or the reasons it does not apply, and the price to pay."""

    permission_classes = [AllowAny]
    throttle_classes = [PublicTrackingThrottle]

    @extend_schema(parameters=[QuoteQuerySerializer], responses={200: QuoteSerializer})
    def get(self, request):
        query = QuoteQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        quote = quotes.quote_from_query(**query.validated_data)
        if quote.normal_fee is None:
            raise ApplicationError(
                _("No fee is published for this power."),
                extra={"fields": {"requested_va": [_("No fee for this power.")]}},
            )
        return Response(QuoteSerializer(quote.as_dict()).data)
