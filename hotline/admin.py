from django.contrib import admin

from .models import Call, CallEvent, OperatorSeat, RecordingPlayback, Violation, WarningLetter, WarningLetterRule


@admin.register(OperatorSeat)
class OperatorSeatAdmin(admin.ModelAdmin):
    list_display = ["user", "extension", "state", "state_changed_at"]
    list_filter = ["state"]
    search_fields = ["user__username", "extension"]


class CallEventInline(admin.TabularInline):
    model = CallEvent
    extra = 0
    can_delete = False
    fields = ["occurred_at", "kind", "event_id", "unknown_operator", "payload"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Call)
class CallAdmin(admin.ModelAdmin):
    list_display = ["pbx_call_id", "caller_number", "operator", "unit", "status", "rang_at", "ended_by"]
    list_filter = ["status", "ended_by", "unknown_operator", "recorded_notice_played"]
    search_fields = ["pbx_call_id", "caller_number", "operator__username", "operator_ref"]
    list_select_related = ["operator", "unit"]
    readonly_fields = ["recording"]
    raw_id_fields = ["operator", "tickets"]
    inlines = [CallEventInline]


@admin.register(Violation)
class ViolationAdmin(admin.ModelAdmin):
    list_display = ["call", "operator", "kind", "status", "answer_seconds", "occurred_at", "letter"]
    list_filter = ["kind", "status"]
    list_select_related = ["call", "operator", "letter"]
    raw_id_fields = ["call", "operator", "reviewed_by", "letter"]


@admin.register(WarningLetterRule)
class WarningLetterRuleAdmin(admin.ModelAdmin):
    list_display = ["level", "violations", "period_days", "in_force_days", "active"]


@admin.register(WarningLetter)
class WarningLetterAdmin(admin.ModelAdmin):
    list_display = ["number", "operator", "level", "issued_at", "in_force_until"]
    list_filter = ["level"]
    raw_id_fields = ["operator"]


@admin.register(RecordingPlayback)
class RecordingPlaybackAdmin(admin.ModelAdmin):
    list_display = ["call", "user", "played_at", "ip_address"]
    list_select_related = ["call", "user"]
    raw_id_fields = ["call", "user"]
