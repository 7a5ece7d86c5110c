"""Open311 client applications in the admin: a key is issued on creation and shown once."""

from django.contrib import admin, messages
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from . import services
from .models import Open311Client, Open311Request


def _show_key(request, client, raw_key: str) -> None:
    messages.warning(
        request,
        _("api_key for %(name)s: %(key)s — copy it now; it is stored only as a digest and cannot be shown again.")
        % {"name": client.name, "key": raw_key},
    )


@admin.register(Open311Client)
class Open311ClientAdmin(admin.ModelAdmin):
    list_display = ["name", "key_prefix", "active", "throttle_rate", "contact", "created_at"]
    list_filter = ["active"]
    search_fields = ["name", "contact", "key_prefix"]
    readonly_fields = ["key_prefix", "created_at"]
    fields = ["name", "contact", "active", "throttle_rate", "key_prefix", "created_at"]
    actions = ["issue_new_key"]

    def save_model(self, request, obj, form, change):
        if change:
            super().save_model(request, obj, form, change)
            return
        _show_key(request, obj, services.issue_client_key(client=obj))

    @admin.action(description=gettext_lazy("Issue a new api_key (the old one stops working)"))
    def issue_new_key(self, request, queryset):
        for client in queryset:
            _show_key(request, client, services.issue_client_key(client=client))


@admin.register(Open311Request)
class Open311RequestAdmin(admin.ModelAdmin):
    """Read-only: requests are written by the API."""

    list_display = ["ticket", "client", "created_at"]
    list_filter = ["client"]
    list_select_related = ["ticket", "client"]
    search_fields = ["ticket__number", "token"]
    readonly_fields = [
        "ticket",
        "client",
        "token",
        "jurisdiction_id",
        "address_id",
        "account_id",
        "device_id",
        "media_url",
        "attributes",
        "created_at",
    ]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
