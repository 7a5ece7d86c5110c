from django.contrib import admin
from django.shortcuts import redirect
from django.urls import reverse

from .models import BiayaBeban, Bill, BillCorrection, ImportJob, TokenPurchase, TokenRemedy, UnitCustomerCount


@admin.register(ImportJob)
class ImportJobAdmin(admin.ModelAdmin):
    list_display = ["created_at", "kind", "file_name", "status", "lines_read", "bad_lines", "created", "updated"]
    list_filter = ["kind", "status"]
    readonly_fields = [f.name for f in ImportJob._meta.fields]

    def has_add_permission(self, request):
        return False

    def add_view(self, request, form_url="", extra_context=None):
        return redirect(reverse("billing:import"))


@admin.register(Bill)
class BillAdmin(admin.ModelAdmin):
    list_display = ["customer", "period", "kwh", "amount", "due_date", "paid_at"]
    search_fields = ["customer__id_pelanggan"]
    raw_id_fields = ["customer"]
    date_hierarchy = "period"


@admin.register(TokenPurchase)
class TokenPurchaseAdmin(admin.ModelAdmin):
    list_display = ["reference", "customer", "meter_number", "purchased_at", "kwh", "amount", "masked_token"]
    search_fields = ["reference", "meter_number", "customer__id_pelanggan"]
    raw_id_fields = ["customer"]
    exclude = ["token_digest"]


@admin.register(BillCorrection)
class BillCorrectionAdmin(admin.ModelAdmin):
    list_display = ["ticket", "period", "old_amount", "new_amount", "within_target", "cis_reference", "created_at"]
    raw_id_fields = ["ticket", "customer", "bill"]


@admin.register(TokenRemedy)
class TokenRemedyAdmin(admin.ModelAdmin):
    list_display = ["ticket", "symptom", "kind", "cis_reference", "created_at"]
    raw_id_fields = ["ticket", "purchase"]


@admin.register(BiayaBeban)
class BiayaBebanAdmin(admin.ModelAdmin):
    list_display = ["tariff", "min_va", "max_va", "rupiah_per_kva", "valid_from", "valid_until", "source"]
    list_filter = ["tariff"]


@admin.register(UnitCustomerCount)
class UnitCustomerCountAdmin(admin.ModelAdmin):
    list_display = ["unit", "customers", "counted_at"]
