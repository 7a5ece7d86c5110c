"""Forms of the public pages: the application and the fee calculator (shapes only; the rules are the
service's, whose field messages are put back on these fields)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Kind
from .selectors import application_choices

_CHOICES = application_choices()
VA_CHOICES = [("", "—"), *_CHOICES["requested_va"]]
TARIFF_CHOICES = [("", "—"), *_CHOICES["tariff"]]
PAYMENT_CHOICES = _CHOICES["payment_type"]


class ApplicationForm(forms.Form):
    kind = forms.ChoiceField(label=_("What do you need?"), choices=Kind.choices, widget=forms.RadioSelect)
    applicant_name = forms.CharField(label=_("Full name (as on the KTP)"), max_length=120)
    nik = forms.CharField(
        label=_("NIK"),
        max_length=20,
        help_text=_("The 16-digit number on your KTP."),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    phone = forms.CharField(label=_("Mobile phone"), max_length=20, widget=forms.TextInput(attrs={"inputmode": "tel"}))
    email = forms.EmailField(label=_("E-mail"), required=False)
    id_pelanggan = forms.CharField(
        label=_("ID pelanggan"),
        max_length=12,
        required=False,
        help_text=_("Only for a power change: the 12-digit number of your meter."),
        widget=forms.TextInput(attrs={"inputmode": "numeric"}),
    )
    address = forms.CharField(label=_("Address to connect"), max_length=255, required=False)
    lat = forms.FloatField(label=_("Latitude"), required=False, min_value=-90, max_value=90)
    lng = forms.FloatField(label=_("Longitude"), required=False, min_value=-180, max_value=180)
    requested_va = forms.TypedChoiceField(label=_("Power you need"), choices=VA_CHOICES, coerce=int)
    tariff = forms.ChoiceField(
        label=_("Tariff class"),
        choices=TARIFF_CHOICES,
        help_text=_("R = household, B = business, I = industry, S = social (e.g. houses of worship), P = government."),
    )
    payment_type = forms.ChoiceField(
        label=_("Payment"), choices=PAYMENT_CHOICES, widget=forms.RadioSelect, initial="prepaid"
    )
    ktp = forms.FileField(label=_("KTP (photo or PDF)"), required=False)
    nib = forms.FileField(label=_("NIB (photo or PDF, businesses only)"), required=False)


class CalculatorForm(forms.Form):
    kind = forms.ChoiceField(label=_("What do you need?"), choices=Kind.choices, initial=Kind.POWER_CHANGE)
    current_va = forms.TypedChoiceField(
        label=_("Current power (power change)"), choices=VA_CHOICES, coerce=int, required=False, empty_value=0
    )
    requested_va = forms.TypedChoiceField(label=_("Power you need"), choices=VA_CHOICES, coerce=int)
    tariff = forms.ChoiceField(label=_("Tariff class"), choices=TARIFF_CHOICES, initial="R-1/TR")
    payment_type = forms.ChoiceField(label=_("Payment"), choices=PAYMENT_CHOICES, initial="prepaid")
    id_pelanggan = forms.CharField(label=_("ID pelanggan (optional)"), max_length=12, required=False)


class DocumentForm(forms.Form):
    kind = forms.ChoiceField(label=_("Document"), choices=[])
    file = forms.FileField(label=_("Photo or PDF"))

    def __init__(self, *args, kinds=(), **kwargs):
        super().__init__(*args, **kwargs)
        from .models import ApplicationDocument

        labels = dict(ApplicationDocument.DocumentKind.choices)
        self.fields["kind"].choices = [(kind, labels[kind]) for kind in kinds]


class WindowForm(forms.Form):
    day = forms.DateField(label=_("Day"), widget=forms.DateInput(attrs={"type": "date"}))
    start = forms.TimeField(label=_("From"), widget=forms.TimeInput(attrs={"type": "time"}))
    end = forms.TimeField(label=_("Until"), widget=forms.TimeInput(attrs={"type": "time"}))
    notes = forms.CharField(label=_("Notes for the technician"), required=False, max_length=500)
