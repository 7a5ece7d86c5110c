"""Back-office views of the outbox: failed notifications are easy to find, with every attempt."""

from django.contrib import admin

from .models import ContactPreference, Feedback, Notification, NotificationAttempt, NotificationOptOut, SurveyResponse


class NotificationAttemptInline(admin.TabularInline):
    model = NotificationAttempt
    extra = 0
    can_delete = False
    fields = ["attempted_at", "succeeded", "provider_status", "provider_answer", "error", "duration_ms"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["created_at", "ticket", "kind", "channel", "address", "status", "attempts", "last_error"]
    list_filter = ["status", "channel", "kind"]
    search_fields = ["ticket__number", "address", "reference"]
    list_select_related = ["ticket"]
    readonly_fields = [f.name for f in Notification._meta.fields]
    inlines = [NotificationAttemptInline]
    show_full_result_count = False

    def has_add_permission(self, request):
        return False


@admin.register(NotificationOptOut)
class NotificationOptOutAdmin(admin.ModelAdmin):
    list_display = ["channel", "address", "created_at"]
    list_filter = ["channel"]
    search_fields = ["address"]


@admin.register(ContactPreference)
class ContactPreferenceAdmin(admin.ModelAdmin):
    list_display = ["phone", "mobile_channel", "updated_at"]
    search_fields = ["phone"]


@admin.register(SurveyResponse)
class SurveyResponseAdmin(admin.ModelAdmin):
    list_display = ["created_at", "ticket", "unit", "rating", "comment"]
    list_filter = ["rating", "unit"]
    list_select_related = ["ticket", "unit"]
    readonly_fields = ["ticket", "unit", "rating", "comment", "created_at"]


@admin.register(Feedback)
class FeedbackAdmin(admin.ModelAdmin):
    list_display = ["created_at", "kind", "origin", "status", "unit", "ticket", "message"]
    list_filter = ["kind", "status", "origin", "unit"]
    list_select_related = ["ticket", "unit"]
    # Answered on the back-office page or the API (tickets/feedback.py), which also sends the reply.
    readonly_fields = ["origin", "status", "reply", "replied_by", "replied_at"]
    search_fields = ["message", "ticket__number"]
