"""Admin: technicians are managed here; incidents and assignments change only through the services."""

from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from .models import Assignment, FieldJob, Incident, IncidentReport, JobStep, Technician


class TechnicianForm(forms.ModelForm):
    skills = forms.MultipleChoiceField(
        label=_("skills"), choices=Technician.Skill.choices, widget=forms.CheckboxSelectMultiple, required=False
    )

    class Meta:
        model = Technician
        fields = ["user", "unit", "phone", "skills", "on_duty", "shift_ends_at", "job_limit"]


@admin.register(Technician)
class TechnicianAdmin(admin.ModelAdmin):
    form = TechnicianForm
    list_display = ["__str__", "unit", "on_duty", "state", "active_jobs", "job_limit", "last_position_at"]
    list_filter = ["on_duty", "state", "unit"]
    search_fields = ["user__username", "user__first_name", "user__last_name", "phone"]
    list_select_related = ["user", "unit"]
    autocomplete_fields = ["user"]
    readonly_fields = ["state", "active_jobs", "last_lat", "last_lng", "last_accuracy_m", "last_position_at"]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        from . import services

        services.set_on_duty(technician=obj, on_duty=obj.on_duty, shift_ends_at=obj.shift_ends_at)


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class IncidentReportInline(ReadOnlyInline):
    model = IncidentReport
    fields = ["ticket", "joined_at", "distance_m"]
    readonly_fields = fields


class AssignmentInline(ReadOnlyInline):
    model = Assignment
    fields = ["technician", "state", "offered_at", "expires_at", "accepted_at", "finished_at", "manual", "reason"]
    readonly_fields = fields


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Incident)
class IncidentAdmin(ReadOnlyAdmin):
    """Incidents change through dispatch (board, API, technicians' steps); the admin only reads."""

    list_display = ["id", "unit", "status", "report_count", "customers_affected", "transformer_code", "opened_at"]
    list_filter = ["status", "unit"]
    search_fields = ["address", "transformer_code", "feeder_code", "reports__ticket__number"]
    list_select_related = ["unit"]
    date_hierarchy = "opened_at"
    inlines = [IncidentReportInline, AssignmentInline]
    show_full_result_count = False


class JobStepInline(ReadOnlyInline):
    model = JobStep
    fields = ["step", "at", "received_at", "lat", "lng", "client_id"]
    readonly_fields = fields


@admin.register(Assignment)
class AssignmentAdmin(ReadOnlyAdmin):
    list_display = ["id", "incident", "technician", "state", "manual", "offered_at", "finished_at"]
    list_filter = ["state", "manual", "cause"]
    search_fields = ["technician__user__username", "incident__reports__ticket__number"]
    list_select_related = ["incident__unit", "technician__user"]
    inlines = [JobStepInline]
    show_full_result_count = False


@admin.register(FieldJob)
class FieldJobAdmin(admin.ModelAdmin):
    list_display = ("id", "kind", "ticket", "unit", "window_start", "status", "technician")
    list_filter = ("kind", "status", "unit")
    raw_id_fields = ("ticket", "technician", "ordered_by")
    search_fields = ("ticket__number", "address")
