"""Feedback API: customers send kritik, saran or apresiasi; the back office lists and answers it."""

import django_filters
from django.core.exceptions import ValidationError as DjangoValidationError
from django.shortcuts import get_object_or_404
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_serializer
from rest_framework import serializers, status
from rest_framework.fields import empty
from rest_framework.generics import ListAPIView
from rest_framework.parsers import JSONParser
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from core.pagination import StrictCursorPagination
from core.phone import normalize_phone
from core.throttles import PublicIntakeThrottle
from notifications import services as notifications
from tickets import feedback as feedback_services
from tickets.models import Feedback, ServiceUnit, Ticket
from tickets.numbering import normalize_ticket_number

from .permissions import CanAnswerFeedback
from .serializers import FreshFieldsSerializer, ReferenceCodeField


@extend_schema_serializer(component_name="Feedback")
class FeedbackSerializer(serializers.ModelSerializer):
    ticket = serializers.SlugRelatedField(slug_field="number", read_only=True, allow_null=True)
    unit = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True)
    replied_by = serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True)
    email = serializers.CharField(read_only=True, help_text="E-mail address, or empty")  # "" is no e-mail format

    class Meta:
        model = Feedback
        fields = [
            "id",
            "kind",
            "message",
            "name",
            "phone",
            "email",
            "ticket",
            "unit",
            "origin",
            "status",
            "reply",
            "replied_by",
            "replied_at",
            "created_at",
        ]
        read_only_fields = fields


class UnitCodeField(ReferenceCodeField):
    """A ULP by its code; an empty code is refused like an unknown one (the schema asks for at least a character),
    where DRF's related fields would read it as "no unit"."""

    def run_validation(self, data=empty):
        if data == "":
            self.fail("does_not_exist", slug_name=self.slug_field, value="")
        return super().run_validation(data)


class FeedbackCursorPagination(StrictCursorPagination):
    page_size = 50
    max_page_size = 200
    page_size_query_param = "page_size"
    ordering = ("-created_at", "-id")


class FeedbackFilter(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(choices=Feedback.Kind.choices)
    status = django_filters.ChoiceFilter(choices=Feedback.Status.choices)
    unit = django_filters.CharFilter(field_name="unit__code", help_text="ULP code")

    class Meta:
        model = Feedback
        fields = ["kind", "status", "unit"]


class FeedbackListCreateApi(ListAPIView):
    """GET: feedback of the caller's units, newest first, filtered by kind, status and ULP code (back office,
    supervisors, admins).

    POST: send kritik, saran or apresiasi. Public (no login), throttled like ticket intake. Give a phone number
    or an e-mail address to get the back office's reply; a ticket number ties the feedback to that report (and its
    ULP) and shows the reply on its tracking page.
    """

    permission_classes = [CanAnswerFeedback]
    serializer_class = FeedbackSerializer
    pagination_class = FeedbackCursorPagination
    filterset_class = FeedbackFilter
    parser_classes = [JSONParser]  # multipart would turn an empty unit into "no unit", which the schema refuses

    def get_permissions(self):
        if self.request.method == "POST":
            return [AllowAny()]
        return super().get_permissions()

    def get_throttles(self):
        if self.request.method == "POST":
            return [PublicIntakeThrottle()]
        return super().get_throttles()

    def get_queryset(self):
        return feedback_services.feedback_list(self.request.user)

    @extend_schema_serializer(component_name="FeedbackCreateInput")
    class InputSerializer(FreshFieldsSerializer):
        kind = serializers.ChoiceField(choices=Feedback.Kind.choices)
        message = serializers.CharField(max_length=4000)
        name = serializers.CharField(max_length=120, required=False, allow_blank=True)
        phone = serializers.CharField(max_length=32, required=False, allow_blank=True)
        email = serializers.EmailField(required=False, allow_blank=True)
        ticket_number = serializers.CharField(max_length=32, required=False, allow_blank=True)
        unit = UnitCodeField(ServiceUnit, required=False, allow_null=True)
        language = serializers.ChoiceField(choices=["id", "en"], required=False)

        def validate_phone(self, value):
            if not (value or "").strip():
                return ""
            try:
                return normalize_phone(value)
            except DjangoValidationError as exc:
                raise serializers.ValidationError(exc.messages) from exc

        def validate_ticket_number(self, value):
            value = (value or "").strip()
            if not value:
                return None
            canonical = normalize_ticket_number(value)
            ticket = Ticket.objects.select_related("unit").filter(number=canonical).first() if canonical else None
            if ticket is None:
                raise serializers.ValidationError(_("No ticket has this number. Check it, or leave the field empty."))
            return ticket

    @extend_schema(
        request=InputSerializer,
        responses={201: FeedbackSerializer},
        auth=[],
        summary="Send kritik, saran or apresiasi",
    )
    def post(self, request):
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        feedback = notifications.send_feedback(
            kind=values["kind"],
            message=values["message"],
            name=values.get("name", ""),
            phone=values.get("phone", ""),
            email=values.get("email", ""),
            ticket=values.get("ticket_number"),
            unit=values.get("unit"),
            origin=Feedback.Origin.API,
            language=values.get("language") or (get_language() or "id")[:2],
        )
        return Response(FeedbackSerializer(feedback).data, status=status.HTTP_201_CREATED)


def _visible_feedback(request, pk: int) -> Feedback:
    return get_object_or_404(feedback_services.feedback_list(request.user), pk=pk)


class FeedbackReplyApi(APIView):
    """Answer the customer once. The reply is stored and sent through the notification outbox to the phone (its
    preferred mobile channel) and the e-mail address the customer gave; with a ticket it also shows on the
    tracking page. 400 when already answered or closed, and when the customer left no phone, e-mail or ticket
    (close such feedback instead)."""

    permission_classes = [CanAnswerFeedback]

    @extend_schema_serializer(component_name="FeedbackReplyInput")
    class InputSerializer(serializers.Serializer):
        reply = serializers.CharField(max_length=feedback_services.REPLY_MAX_LENGTH)

    @extend_schema(request=InputSerializer, responses={200: FeedbackSerializer})
    def post(self, request, pk: int):
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        feedback = feedback_services.reply_to_feedback(
            feedback=_visible_feedback(request, pk), user=request.user, reply=data.validated_data["reply"]
        )
        return Response(FeedbackSerializer(feedback).data)


class FeedbackCloseApi(APIView):
    """Done with the feedback without (another) reply; 400 when it is already closed."""

    permission_classes = [CanAnswerFeedback]

    @extend_schema(request=None, responses={200: FeedbackSerializer})
    def post(self, request, pk: int):
        feedback = feedback_services.close_feedback(feedback=_visible_feedback(request, pk), user=request.user)
        return Response(FeedbackSerializer(feedback).data)
