from drf_spectacular.utils import extend_schema
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from core.errors import ApplicationError
from core.throttles import PublicTrackingThrottle

from .. import selectors
from ..providers import ProviderUnavailable
from .serializers import LookupInputSerializer, LookupOutputSerializer, lookup_representation


class BillLookupApi(APIView):
    """Info tagihan: the last 6 bills (or token purchases) of an ID pelanggan, masked.

    An unknown ID pelanggan answers exactly like a known customer without bills.
    """

    permission_classes = [AllowAny]
    authentication_classes = []
    throttle_classes = [PublicTrackingThrottle]

    @extend_schema(request=LookupInputSerializer, responses={200: LookupOutputSerializer})
    def post(self, request):
        data = LookupInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            result = selectors.lookup(data.validated_data["id_pelanggan"])
        except ProviderUnavailable as exc:
            raise ApplicationError(str(exc), status_code=503) from None
        return Response(lookup_representation(result))
