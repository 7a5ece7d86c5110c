"""Serializers shared by the ticket API views."""

from django.conf import settings
from django.urls import reverse
from rest_framework import serializers

from tickets import reference
from tickets.models import Category, ServiceUnit, Ticket, TicketEvent


def tracking_url(ticket: Ticket) -> str:
    return settings.SITE_URL + reverse("tickets:track-token", args=[ticket.tracking_token])


class ReferenceCodeField(serializers.SlugRelatedField):
    """An active category or service unit by its code, from the process's reference copy (no query).

    Same input, output, schema and error messages as ``SlugRelatedField(slug_field="code", queryset=<active>)``.
    """

    LOOKUPS = {Category: reference.Tables.active_category, ServiceUnit: reference.Tables.active_unit}

    def __init__(self, model, **kwargs):
        self._lookup = self.LOOKUPS[model]
        super().__init__(slug_field="code", queryset=model.objects.filter(active=True), **kwargs)

    def to_internal_value(self, data):
        if not isinstance(data, (str, int)) or isinstance(data, bool):
            self.fail("invalid")
        found = self._lookup(reference.tables(), str(data))
        if found is None:
            self.fail("does_not_exist", slug_name=self.slug_field, value=str(data))
        return found


class FreshFieldsSerializer(serializers.Serializer):
    """Each instance gets new field instances, as DRF's do, made from the declared fields' arguments without
    deep-copying them (choices, limits, patterns are constants): on a public intake that copy was most of the
    validation's cost."""

    def get_fields(self):
        return {name: field.__class__(*field._args, **field._kwargs) for name, field in self._declared_fields.items()}


class CategorySerializer(serializers.ModelSerializer):
    name = serializers.CharField(read_only=True)

    class Meta:
        model = Category
        fields = ["code", "group", "kind", "name", "name_id", "name_en", "dispatches"]


class PublicEventSerializer(serializers.ModelSerializer):
    status_label = serializers.SerializerMethodField()

    class Meta:
        model = TicketEvent
        fields = ["kind", "to_status", "status_label", "message", "created_at"]

    def get_status_label(self, obj: TicketEvent) -> str:
        return str(Ticket.Status(obj.to_status).label) if obj.to_status else ""


class StaffEventSerializer(serializers.ModelSerializer):
    class Meta:
        model = TicketEvent
        fields = ["id", "kind", "is_public", "from_status", "to_status", "message", "actor_label", "created_at"]


_DATETIME = serializers.DateTimeField()


class TicketSummarySerializer(serializers.ModelSerializer):
    category = serializers.CharField(source="category.code")
    unit = serializers.CharField(source="unit.code")
    status_label = serializers.CharField(source="get_status_display")

    class Meta:
        model = Ticket
        fields = [
            "number",
            "category",
            "kind",
            "channel",
            "status",
            "status_label",
            "priority",
            "unit",
            "reporter_name",
            "reporter_phone",
            "id_pelanggan",
            "address",
            "lat",
            "lng",
            "dispatch_state",
            "created_at",
            "updated_at",
        ]

    def to_representation(self, ticket: Ticket) -> dict:
        """The list's rows, written out: the generic field walk costs more than the query on a 200-row page.

        Same output as ModelSerializer's (a test compares them); subclasses use the generic path.
        """
        if type(self) is not TicketSummarySerializer:
            return super().to_representation(ticket)
        as_text = _DATETIME.to_representation
        return {
            "number": ticket.number,
            "category": ticket.category.code,
            "kind": ticket.kind,
            "channel": ticket.channel,
            "status": ticket.status,
            "status_label": str(ticket.get_status_display()),
            "priority": ticket.priority,
            "unit": ticket.unit.code,
            "reporter_name": ticket.reporter_name,
            "reporter_phone": ticket.reporter_phone,
            "id_pelanggan": ticket.id_pelanggan,
            "address": ticket.address,
            "lat": ticket.lat,
            "lng": ticket.lng,
            "dispatch_state": ticket.dispatch_state,
            "created_at": as_text(ticket.created_at),
            "updated_at": as_text(ticket.updated_at),
        }


class TicketDetailSerializer(TicketSummarySerializer):
    events = StaffEventSerializer(many=True, read_only=True)

    class Meta(TicketSummarySerializer.Meta):
        fields = TicketSummarySerializer.Meta.fields + [
            "description",
            "meter_number",
            "reporter_email",
            "parent_number",
            "first_informed_at",
            "assigned_at",
            "departed_at",
            "work_started_at",
            "temporarily_restored_at",
            "restored_at",
            "resolved_at",
            "closed_at",
            "cancelled_at",
            "response_due_at",
            "resolution_due_at",
            "events",
        ]

    parent_number = serializers.CharField(source="parent.number", default=None, read_only=True)


class PublicTicketSerializer(serializers.ModelSerializer):
    """What anyone holding the number and phone (or the token link) may see: no personal data."""

    category = serializers.CharField(source="category.name")
    status_label = serializers.CharField(source="get_status_display")
    unit = serializers.CharField(source="unit.name")
    timeline = serializers.SerializerMethodField()

    class Meta:
        model = Ticket
        fields = ["number", "category", "kind", "status", "status_label", "unit", "created_at", "timeline"]

    def get_timeline(self, obj: Ticket) -> list[dict]:
        return PublicEventSerializer(obj.events.filter(is_public=True).order_by("created_at", "id"), many=True).data
