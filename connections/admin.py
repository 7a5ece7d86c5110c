from django.contrib import admin

from .models import Application, ApplicationDocument, CustomerChange, FeeRule, FeeSchedule, Programme


class FeeRuleInline(admin.TabularInline):
    model = FeeRule
    extra = 0


@admin.register(FeeSchedule)
class FeeScheduleAdmin(admin.ModelAdmin):
    list_display = ("name", "effective_from", "effective_to")
    inlines = [FeeRuleInline]


@admin.register(Programme)
class ProgrammeAdmin(admin.ModelAdmin):
    list_display = ("code", "name_id", "applies_to", "starts_on", "ends_on", "discount", "discount_value", "active")
    list_filter = ("applies_to", "discount", "active")
    search_fields = ("code", "name_id", "name_en")


class DocumentInline(admin.TabularInline):
    model = ApplicationDocument
    extra = 0
    readonly_fields = ("kind", "file", "content_type", "size", "uploaded_at")


@admin.register(Application)
class ApplicationAdmin(admin.ModelAdmin):
    list_display = ("ticket", "kind", "stage", "unit", "requested_va", "tariff", "price", "created_at")
    list_filter = ("kind", "stage", "unit")
    search_fields = ("ticket__number", "applicant_name", "nik", "phone")
    raw_id_fields = ("ticket", "customer", "new_customer", "programme")
    inlines = [DocumentInline]


@admin.register(CustomerChange)
class CustomerChangeAdmin(admin.ModelAdmin):
    list_display = ("id_pelanggan", "change", "old_power_va", "new_power_va", "new_tariff", "created_at", "exported_at")
    list_filter = ("change",)
