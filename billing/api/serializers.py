from drf_spectacular.utils import extend_schema_serializer
from rest_framework import serializers

from ..selectors import clean_id_pelanggan


class LookupInputSerializer(serializers.Serializer):
    id_pelanggan = serializers.CharField(max_length=40, allow_blank=True)

    def validate_id_pelanggan(self, value):
        from django.core.exceptions import ValidationError

        try:
            return clean_id_pelanggan(value)
        except ValidationError as exc:
            raise serializers.ValidationError(exc.messages) from exc


class BillSerializer(serializers.Serializer):
    period = serializers.CharField(help_text="YYYY-MM")
    kwh = serializers.IntegerField()
    reading_start = serializers.IntegerField()
    reading_end = serializers.IntegerField()
    amount = serializers.CharField(help_text="Rupiah, whole")
    late_fee = serializers.CharField()
    due_date = serializers.DateField()
    paid = serializers.BooleanField()


class PurchaseSerializer(serializers.Serializer):
    purchased_at = serializers.DateTimeField()
    kwh = serializers.CharField()
    amount = serializers.CharField()
    token = serializers.CharField(help_text="Masked: only the last 4 digits")


@extend_schema_serializer(component_name="BillLookup")
class LookupOutputSerializer(serializers.Serializer):
    id_pelanggan = serializers.CharField()
    name = serializers.CharField(help_text="Masked (B*** S******); empty without billing history")
    payment_type = serializers.CharField()
    tariff = serializers.CharField()
    power_va = serializers.IntegerField(allow_null=True)
    amount_due = serializers.CharField()
    due_date = serializers.DateField(allow_null=True)
    bills = BillSerializer(many=True)
    purchases = PurchaseSerializer(many=True)
    chart_svg = serializers.CharField()
    stale = serializers.BooleanField(help_text="True when the CIS is down and this is its last known answer")


_DATETIME = serializers.DateTimeField()


def lookup_representation(result: dict) -> dict:
    """What ``LookupOutputSerializer(result).data`` gives, built directly: the public look-up answers this on
    every request and the serializer's field machinery cost more than the database read (the schema is still
    the serializer's; a test keeps the two equal)."""
    due = result["due_date"]
    return {
        "id_pelanggan": str(result["id_pelanggan"]),
        "name": str(result["name"]),
        "payment_type": str(result["payment_type"]),
        "tariff": str(result["tariff"]),
        "power_va": None if result["power_va"] is None else int(result["power_va"]),
        "amount_due": str(result["amount_due"]),
        "due_date": due.isoformat() if due is not None else None,
        "bills": [
            {
                "period": str(b["period"]),
                "kwh": int(b["kwh"]),
                "reading_start": int(b["reading_start"]),
                "reading_end": int(b["reading_end"]),
                "amount": str(b["amount"]),
                "late_fee": str(b["late_fee"]),
                "due_date": b["due_date"].isoformat(),
                "paid": bool(b["paid"]),
            }
            for b in result["bills"]
        ],
        "purchases": [
            {
                "purchased_at": _DATETIME.to_representation(p["purchased_at"]),
                "kwh": str(p["kwh"]),
                "amount": str(p["amount"]),
                "token": str(p["token"]),
            }
            for p in result["purchases"]
        ],
        "chart_svg": str(result["chart_svg"]),
        "stale": bool(result["stale"]),
    }
