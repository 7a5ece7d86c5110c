"""Customer-facing forms: report a problem and look up a ticket."""

import uuid

from django import forms
from django.utils.translation import gettext_lazy as _

from core.phone import normalize_phone
from core.uploads import validate_photo

from . import input_checks, selectors
from .models import Category, ServiceUnit


class CategoryChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Category) -> str:
        return obj.name


class UnitChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: ServiceUnit) -> str:
        return obj.name


def grouped_category_choices() -> list:
    groups: dict[str, list] = {}
    for category in selectors.public_categories():
        label = str(Category.Group(category.group).label)
        groups.setdefault(label, []).append((category.pk, category.name))
    return [("", _("Choose what happened"))] + list(groups.items())


class ReportForm(forms.Form):
    category = CategoryChoiceField(label=_("What is the problem?"), queryset=Category.objects.none())
    customer_number = forms.CharField(
        label=_("ID pelanggan or meter number"),
        required=False,
        max_length=20,
        help_text=_("12-digit ID pelanggan or 11-digit meter number, printed on your meter."),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    description = forms.CharField(
        label=_("Describe the problem"), max_length=4000, widget=forms.Textarea(attrs={"rows": 4})
    )
    reporter_name = forms.CharField(label=_("Your name"), max_length=120, required=False)
    reporter_phone = forms.CharField(
        label=_("Mobile phone number"),
        max_length=32,
        help_text=_("We send updates to this number; you also need it to track your report."),
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
    )
    reporter_email = forms.EmailField(label=_("E-mail (optional)"), required=False)
    address = forms.CharField(label=_("Address or landmark"), max_length=255, required=False)
    lat = forms.FloatField(required=False, min_value=-90, max_value=90, widget=forms.HiddenInput)
    lng = forms.FloatField(required=False, min_value=-180, max_value=180, widget=forms.HiddenInput)
    unit = UnitChoiceField(
        label=_("Nearest PLN office (ULP)"),
        required=False,
        queryset=ServiceUnit.objects.none(),
        empty_label=_("I don't know"),
    )
    photo = forms.ImageField(label=_("Photo (optional)"), required=False)
    idempotency_key = forms.CharField(widget=forms.HiddenInput, required=False, max_length=64)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = selectors.public_categories()
        self.fields["category"].choices = grouped_category_choices()
        self.fields["unit"].queryset = selectors.public_units()
        if not self.is_bound:
            self.initial.setdefault("idempotency_key", uuid.uuid4().hex)

    def clean_customer_number(self) -> str:
        return input_checks.customer_number(self.cleaned_data.get("customer_number", ""))

    def clean_reporter_phone(self) -> str:
        return normalize_phone(self.cleaned_data["reporter_phone"])

    def clean_photo(self):
        photo = self.cleaned_data.get("photo")
        if photo:
            validate_photo(photo)
        return photo

    def clean(self):
        data = super().clean()
        number = data.get("customer_number", "")
        has_point = data.get("lat") is not None and data.get("lng") is not None
        category = data.get("category")
        if "customer_number" in self.errors:
            return data  # the number's own message says what to fix; no second, unrelated one
        if category is not None and category.group == Category.Group.TAGIHAN and not number:
            self.add_error("customer_number", _("A billing question needs your ID pelanggan or meter number."))
        elif not number and not has_point and not data.get("unit") and not selectors.default_unit():
            self.add_error(
                "unit", _("Give your ID pelanggan, use your location, or choose your ULP so we know where to go.")
            )
        return data

    def open_ticket_kwargs(self) -> dict:
        data = self.cleaned_data
        number = data.get("customer_number", "")
        return {
            "category": data["category"],
            "description": data["description"],
            "reporter_phone": data["reporter_phone"],
            "reporter_name": data.get("reporter_name", ""),
            "reporter_email": data.get("reporter_email", ""),
            "id_pelanggan": number if len(number) == 12 else "",
            "meter_number": number if len(number) == 11 else "",
            "address": data.get("address", ""),
            "lat": data.get("lat"),
            "lng": data.get("lng"),
            "unit": data.get("unit"),
            "photo": data.get("photo"),
            "idempotency_key": ("web-" + data["idempotency_key"]) if data.get("idempotency_key") else None,
        }


class TrackForm(forms.Form):
    number = forms.CharField(
        label=_("Ticket number"),
        max_length=32,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "placeholder": "251125-000123-4"}),
    )

    def clean_number(self) -> str:
        return input_checks.ticket_number(self.cleaned_data["number"])
    phone = forms.CharField(
        label=_("Phone number used in the report"),
        max_length=32,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
    )


class ReplyForm(forms.Form):
    """The customer's answer to the back office's question, on the tracking page."""

    message = forms.CharField(
        label=_("Your answer"), required=False, max_length=4000, widget=forms.Textarea(attrs={"rows": 4})
    )
    attachment = forms.FileField(
        label=_("Attach a photo or PDF (optional)"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp,application/pdf"}),
    )
