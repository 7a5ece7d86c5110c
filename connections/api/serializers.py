"""Serializers of the connections API: the application intake, its public view and the quote."""

from rest_framework import serializers

from tickets.models import Customer

from ..models import Application, Kind


class ApplicationInputSerializer(serializers.Serializer):
    """Shapes only; the rules (NIK, power step, class, place, documents) are the service's, answered together."""

    kind = serializers.ChoiceField(choices=Kind.choices)
    applicant_name = serializers.CharField(max_length=120)
    nik = serializers.CharField(max_length=20)
    phone = serializers.CharField(max_length=20)
    email = serializers.EmailField(required=False, allow_blank=True)
    address = serializers.CharField(max_length=255, required=False, allow_blank=True, default="")
    lat = serializers.FloatField(min_value=-90, max_value=90, required=False, allow_null=True, default=None)
    lng = serializers.FloatField(min_value=-180, max_value=180, required=False, allow_null=True, default=None)
    id_pelanggan = serializers.CharField(max_length=12, required=False, allow_blank=True, default="")
    requested_va = serializers.IntegerField(min_value=1)
    tariff = serializers.ChoiceField(choices=Customer.Tariff.choices)
    payment_type = serializers.ChoiceField(choices=Customer.PaymentType.choices)
    ktp = serializers.FileField(required=False, allow_null=True, default=None)
    nib = serializers.FileField(required=False, allow_null=True, default=None)
    language = serializers.ChoiceField(choices=[("id", "id"), ("en", "en")], required=False, default="id")


class ApplicationSerializer(serializers.ModelSerializer):
    ticket_number = serializers.CharField(source="ticket.number", read_only=True)
    tracking_token = serializers.CharField(source="ticket.tracking_token", read_only=True)
    unit = serializers.CharField(source="unit.code", read_only=True)
    stage_label = serializers.CharField(source="get_stage_display", read_only=True)
    programme = serializers.CharField(source="programme.code", read_only=True, default="")
    new_id_pelanggan = serializers.CharField(source="new_customer.id_pelanggan", read_only=True, default="")

    class Meta:
        model = Application
        fields = [
            "id",
            "ticket_number",
            "tracking_token",
            "kind",
            "stage",
            "stage_label",
            "unit",
            "requested_va",
            "current_va",
            "tariff",
            "payment_type",
            "normal_fee",
            "programme",
            "price",
            "quote",
            "new_id_pelanggan",
            "created_at",
        ]


class QuoteQuerySerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=Kind.choices)
    requested_va = serializers.IntegerField(min_value=1)
    tariff = serializers.ChoiceField(choices=Customer.Tariff.choices)
    payment_type = serializers.ChoiceField(choices=Customer.PaymentType.choices, required=False, default="prepaid")
    current_va = serializers.IntegerField(min_value=0, required=False, default=0)
    id_pelanggan = serializers.CharField(max_length=12, required=False, allow_blank=True, default="")
    unit = serializers.CharField(max_length=32, required=False, allow_blank=True, default="")
    at = serializers.DateTimeField(required=False, allow_null=True, default=None)


class QuoteProgrammeSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    applies = serializers.BooleanField()
    price = serializers.IntegerField(allow_null=True)
    reasons = serializers.ListField(child=serializers.CharField())


class QuoteSerializer(serializers.Serializer):
    kind = serializers.CharField()
    requested_va = serializers.IntegerField()
    current_va = serializers.IntegerField(allow_null=True)
    tariff = serializers.CharField()
    payment_type = serializers.CharField()
    day = serializers.CharField()
    normal_fee = serializers.IntegerField(allow_null=True)
    schedule = serializers.CharField()
    programme = serializers.CharField()
    price = serializers.IntegerField(allow_null=True)
    programmes = QuoteProgrammeSerializer(many=True)
