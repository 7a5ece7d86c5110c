"""Admin: planned outages (created through the service, so the same rules apply), thresholds, the rest read-only."""

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from . import services
from .models import (
    MassOutageThreshold,
    OutageAlertOptIn,
    PlannedOutage,
    RestorationCheck,
    RestorationSubscription,
    StagedRestoration,
    WideAreaOutage,
)


class PlannedOutageForm(forms.ModelForm):
    class Meta:
        model = PlannedOutage
        fields = ["unit", "title", "transformer_codes", "feeder_codes", "area", "starts_at", "ends_at"]


@admin.register(PlannedOutage)
class PlannedOutageAdmin(admin.ModelAdmin):
    form = PlannedOutageForm
    list_display = [
        "unit",
        "title",
        "starts_at",
        "ends_at",
        "customers_affected",
        "notice_sent_at",
        "ended_at",
        "cancelled_at",
    ]
    list_filter = ["unit"]
    date_hierarchy = "starts_at"
    actions = ["cancel"]

    def get_readonly_fields(self, request, obj=None):
        if obj is not None:
            return [f.name for f in PlannedOutage._meta.fields]
        return []

    def save_model(self, request, obj, form, change):
        if change:
            return
        created = services.create_planned_outage(
            unit=obj.unit,
            title=obj.title,
            starts_at=obj.starts_at,
            ends_at=obj.ends_at,
            transformer_codes=obj.transformer_codes,
            feeder_codes=obj.feeder_codes,
            area=obj.area,
            by=request.user,
        )
        obj.pk = created.pk

    def get_form(self, request, obj=None, **kwargs):
        form_class = super().get_form(request, obj, **kwargs)

        class Checked(form_class):
            def clean(inner):
                data = super().clean()
                if obj is None and not inner.errors:
                    try:
                        services.validate_planned_outage(
                            unit=data.get("unit"),
                            title=data.get("title", ""),
                            starts_at=data.get("starts_at"),
                            ends_at=data.get("ends_at"),
                            transformer_codes=data.get("transformer_codes"),
                            feeder_codes=data.get("feeder_codes"),
                            area=data.get("area"),
                        )
                    except ValidationError as exc:
                        for field, messages in exc.message_dict.items():
                            inner.add_error(field if field in inner.fields else None, messages)
                return data

        return Checked

    @admin.action(description=_("Cancel the selected planned outages"))
    def cancel(self, request, queryset):
        for plan in queryset.filter(cancelled_at__isnull=True, ended_at__isnull=True):
            services.cancel_planned_outage(plan=plan, by=request.user)


@admin.register(MassOutageThreshold)
class MassOutageThresholdAdmin(admin.ModelAdmin):
    list_display = ["unit", "min_reports", "min_customers"]


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(WideAreaOutage)
class WideAreaOutageAdmin(ReadOnlyAdmin):
    list_display = ["incident", "unit", "active", "started_at", "ended_at", "reports", "customers"]
    list_filter = ["active", "unit"]


@admin.register(RestorationSubscription)
class RestorationSubscriptionAdmin(ReadOnlyAdmin):
    list_display = ["incident", "source", "created_at", "notified_at"]


@admin.register(StagedRestoration)
class StagedRestorationAdmin(ReadOnlyAdmin):
    list_display = ["incident", "transformer_codes", "tickets_restored", "by", "at"]


@admin.register(RestorationCheck)
class RestorationCheckAdmin(ReadOnlyAdmin):
    list_display = ["ticket", "asked_at", "due_at", "answer", "answered_at", "follow_up"]
    list_filter = ["answer"]


@admin.register(OutageAlertOptIn)
class OutageAlertOptInAdmin(admin.ModelAdmin):
    list_display = ["customer", "language", "created_at"]
    raw_id_fields = ["customer"]
