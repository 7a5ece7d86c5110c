"""The customer answers the back office through the API: by the tracking token, or the number plus their phone;
and the message gateway posts their SMS/WhatsApp replies (signed, tickets/inbound.py)."""

import json
import logging

from django.http import FileResponse
from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_serializer, inline_serializer
from rest_framework import serializers, status
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from core.throttles import PublicTrackingThrottle
from tickets import inbound, replies, selectors
from tickets.models import CustomerReply

from .permissions import IsTicketWorker
from .serializers import PublicTicketSerializer

logger = logging.getLogger(__name__)


def _not_found() -> Response:
    from .views import NOT_FOUND_MESSAGE

    return Response({"message": str(NOT_FOUND_MESSAGE), "extra": {}}, status=status.HTTP_404_NOT_FOUND)


class TrackingReplyCreateApi(APIView):
    """Answer the back office's question on a ticket waiting for you: words and/or a photo or PDF
    (multipart). Identify the ticket by ``token`` (the tracking link), or by ``number`` and ``phone``."""

    permission_classes = [AllowAny]
    authentication_classes: list = []
    throttle_classes = [PublicTrackingThrottle]
    parser_classes = [MultiPartParser, FormParser, JSONParser]

    @extend_schema_serializer(component_name="TrackingReplyInput")
    class InputSerializer(serializers.Serializer):
        token = serializers.CharField(max_length=64, required=False, allow_blank=True, default="")
        number = serializers.CharField(max_length=32, required=False, allow_blank=True, default="")
        phone = serializers.CharField(max_length=32, required=False, allow_blank=True, default="")
        message = serializers.CharField(max_length=4000, required=False, allow_blank=True, default="")
        attachment = serializers.FileField(required=False, allow_null=True, default=None)

        def validate(self, attrs):
            from django.utils.translation import gettext as _

            if not attrs["token"] and not (attrs["number"] and attrs["phone"]):
                raise serializers.ValidationError(
                    {"token": [_("Give the tracking link's token, or the report number and your phone number.")]}
                )
            return attrs

    @extend_schema(
        request={"multipart/form-data": InputSerializer, "application/json": InputSerializer},
        responses={
            201: PublicTicketSerializer,
            400: inline_serializer("TrackingReplyError", {"message": serializers.CharField()}),
            404: inline_serializer("TrackingReplyNotFound", {"message": serializers.CharField()}),
            409: inline_serializer("TrackingReplyConflict", {"message": serializers.CharField()}),
            # A body the parsers cannot read (a broken multipart message, say).
            415: inline_serializer("TrackingReplyUnreadable", {"message": serializers.CharField()}),
            429: inline_serializer("TrackingReplyThrottled", {"message": serializers.CharField()}),
        },
        auth=[],
    )
    def post(self, request):
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        if values["token"]:
            ticket = selectors.ticket_by_tracking_token(values["token"])
        else:
            ticket = selectors.ticket_for_tracking(number=values["number"], phone=values["phone"])
        if ticket is None:
            return _not_found()
        replies.reply_to_question(
            ticket=ticket, message=values["message"], attachment=values["attachment"], channel=CustomerReply.Channel.API
        )
        ticket.refresh_from_db()
        return Response(PublicTicketSerializer(ticket).data, status=status.HTTP_201_CREATED)


class InboundMessageCreateApi(APIView):
    """The message gateway posts a customer's SMS/WhatsApp reply (signed with MESSAGING_INBOUND_SECRET):
    ``{"id": gateway message id, "from": phone, "channel": "sms"|"whatsapp", "text": ...}``. It answers the
    sender's latest ticket waiting for them; 202 with ``matched`` false when none waits (the gateway may send
    the usual auto-reply)."""

    permission_classes = [AllowAny]
    authentication_classes: list = []
    parser_classes = [JSONParser]

    @extend_schema(
        request=inline_serializer(
            "InboundMessage",
            {
                "id": serializers.CharField(),
                "from": serializers.CharField(),
                "channel": serializers.ChoiceField(choices=["sms", "whatsapp"]),
                "text": serializers.CharField(),
            },
        ),
        responses={
            202: inline_serializer("InboundMessageResult", {"matched": serializers.BooleanField()}),
            400: inline_serializer("InboundMessageError", {"message": serializers.CharField()}),
            403: inline_serializer("InboundMessageForbidden", {"message": serializers.CharField()}),
        },
        auth=[],
    )
    def post(self, request):
        try:
            inbound.verify(
                request.body,
                timestamp=request.headers.get(inbound.TIMESTAMP_HEADER),
                signature=request.headers.get(inbound.SIGNATURE_HEADER),
            )
        except inbound.SignatureError as exc:
            logger.warning("inbound message refused: %s", exc.reason)
            return Response({"message": "Bad signature.", "extra": {}}, status=status.HTTP_403_FORBIDDEN)
        try:
            body = json.loads(request.body or b"{}")
        except ValueError:
            body = None
        if not isinstance(body, dict) or not all(isinstance(body.get(k), str) for k in ("id", "from", "text")):
            return Response(
                {"message": "Send id, from and text.", "extra": {"fields": {"id": ["Required."]}}},
                status=status.HTTP_400_BAD_REQUEST,
            )
        channel = CustomerReply.Channel.WHATSAPP if body.get("channel") == "whatsapp" else CustomerReply.Channel.SMS
        if CustomerReply.objects.filter(external_id=body["id"][:100]).exists():
            return Response({"matched": True, "duplicate": True}, status=status.HTTP_202_ACCEPTED)
        ticket = replies.ticket_waiting_for(body["from"])
        if ticket is None or not body["text"].strip():
            return Response({"matched": False}, status=status.HTTP_202_ACCEPTED)
        replies.reply_to_question(ticket=ticket, message=body["text"], channel=channel, external_id=body["id"][:100])
        return Response({"matched": True, "ticket": ticket.number}, status=status.HTTP_202_ACCEPTED)


class ReplyAttachmentApi(APIView):
    """The file a customer sent with their answer: for ticket workers of the ticket's units only."""

    permission_classes = [IsTicketWorker]

    @extend_schema(responses={(200, "application/octet-stream"): OpenApiTypes.BINARY})
    def get(self, request, number: str, pk: int):
        ticket = get_object_or_404(selectors.tickets_visible_to(request.user), number=number)
        reply = get_object_or_404(CustomerReply.objects.exclude(attachment=""), ticket=ticket, pk=pk)
        name = reply.attachment.name.rsplit("/", 1)[-1]
        response = FileResponse(reply.attachment.open("rb"), as_attachment=True, filename=name)
        response["Cache-Control"] = "private, no-store"
        response["X-Content-Type-Options"] = "nosniff"
        return response
