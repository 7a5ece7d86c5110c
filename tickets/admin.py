from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from core.templatetags.sigap import actor_name

from .models import (
    Category,
    Customer,
    Escalation,
    ExternalReferral,
    PublicHoliday,
    ServiceLevelTarget,
    ServiceUnit,
    StaffProfile,
    Ticket,
    TicketEvent,
)


@admin.register(ServiceUnit)
class ServiceUnitAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "level", "parent", "time_zone", "active"]
    list_filter = ["level", "time_zone", "active"]
    search_fields = ["code", "name"]


@admin.register(StaffProfile)
class StaffProfileAdmin(admin.ModelAdmin):
    list_display = ["user", "unit", "phone"]
    list_select_related = ["user", "unit"]
    search_fields = ["user__username", "user__first_name", "unit__code"]
    autocomplete_fields = ["user", "unit"]


@admin.register(Customer)
class CustomerAdmin(admin.ModelAdmin):
    list_display = ["id_pelanggan", "meter_number", "name", "phone", "unit", "tariff", "power_va"]
    list_filter = ["tariff", "payment_type"]
    search_fields = ["id_pelanggan", "meter_number", "name", "phone"]
    list_select_related = ["unit"]
    autocomplete_fields = ["unit"]


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ["code", "name_id", "name_en", "group", "kind", "dispatches", "is_public", "active"]
    list_filter = ["group", "kind", "active"]
    search_fields = ["code", "name_id", "name_en"]


class TicketEventInline(admin.TabularInline):
    model = TicketEvent
    extra = 0
    can_delete = False
    fields = ["created_at", "kind", "is_public", "from_status", "to_status", "message", "actor"]
    readonly_fields = fields

    @admin.display(description=_("Who"))
    def actor(self, event):
        return actor_name(event.actor_label)  # "customer", "system": stored words, shown in the reader's language

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Ticket)
class TicketAdmin(admin.ModelAdmin):
    """Tickets are changed through the services (status table, timeline); the admin only reads."""

    list_display = ["number", "category", "status", "priority", "channel", "unit", "reporter_phone", "created_at"]
    list_filter = ["status", "kind", "channel", "priority"]
    search_fields = ["number", "reporter_phone", "id_pelanggan", "meter_number"]
    list_select_related = ["category", "unit"]
    date_hierarchy = "created_at"
    inlines = [TicketEventInline]
    show_full_result_count = False

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(ServiceLevelTarget)
class ServiceLevelTargetAdmin(admin.ModelAdmin):
    """TMP targets are data: a new version gets a new ``valid from``; overlaps and negatives are refused."""

    list_display = [
        "indicator",
        "category",
        "unit",
        "network_work",
        "clock",
        "response_time",
        "resolution_time",
        "monthly_limit",
        "grants_compensation",
        "valid_from",
        "valid_until",
    ]
    list_filter = ["indicator", "clock", "grants_compensation"]
    search_fields = ["category__code", "unit__code", "source"]
    list_select_related = ["category", "unit"]
    autocomplete_fields = ["unit"]


@admin.register(PublicHoliday)
class PublicHolidayAdmin(admin.ModelAdmin):
    list_display = ["date", "name"]
    date_hierarchy = "date"


@admin.register(Escalation)
class EscalationAdmin(admin.ModelAdmin):
    list_display = ["ticket", "level", "deadline", "unit", "due_at", "created_at", "acknowledged_at"]
    list_filter = ["level", "deadline"]
    list_select_related = ["ticket", "unit"]
    readonly_fields = [f.name for f in Escalation._meta.fields]

    def has_add_permission(self, request):
        return False


@admin.register(ExternalReferral)
class ExternalReferralAdmin(admin.ModelAdmin):
    list_display = ["ticket", "body", "reference", "raised_on", "deadline"]
    list_filter = ["body"]
    search_fields = ["reference", "ticket__number"]
    raw_id_fields = ["ticket", "created_by"]


# Open311 client applications and requests.
from notifications import admin as notifications_admin  # noqa: E402, F401  (registers the outbox admin)
