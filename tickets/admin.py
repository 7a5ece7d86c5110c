from django.contrib import admin

from .models import Category, Customer, ServiceUnit, StaffProfile, Ticket, TicketEvent


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
    fields = ["created_at", "kind", "is_public", "from_status", "to_status", "message", "actor_label"]
    readonly_fields = fields

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


from .notifications import admin as notifications_admin  # noqa: E402, F401  (registers the outbox admin)
