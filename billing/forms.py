from django import forms
from django.utils.translation import gettext_lazy as _

from .models import ImportJob, TokenRemedy
from .selectors import clean_id_pelanggan


class LookupForm(forms.Form):
    id_pelanggan = forms.CharField(
        label=_("ID pelanggan"),
        max_length=40,
        help_text=_("12 digits, printed on your meter and your bill."),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )

    def clean_id_pelanggan(self):
        return clean_id_pelanggan(self.cleaned_data["id_pelanggan"])


class ImportForm(forms.Form):
    kind = forms.ChoiceField(label=_("What the file holds"), choices=ImportJob.Kind.choices)
    file = forms.FileField(label=_("CSV file (UTF-8)"))
    dry_run = forms.BooleanField(label=_("Dry run: check only, write nothing"), required=False)
    skip_bad_lines = forms.BooleanField(label=_("Import the good lines and skip the bad ones"), required=False)


class CorrectionForm(forms.Form):
    period = forms.DateField(
        label=_("Bill month"), widget=forms.DateInput(attrs={"type": "month"}), input_formats=["%Y-%m", "%Y-%m-%d"]
    )
    new_amount = forms.DecimalField(label=_("Corrected amount (Rp)"), min_value=0, max_digits=14, decimal_places=2)
    reason = forms.CharField(label=_("Reason"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))


class TokenStepForm(forms.Form):
    symptom = forms.ChoiceField(label=_("What the meter shows"), choices=TokenRemedy.Symptom.choices)
    kind = forms.ChoiceField(label=_("Step"), choices=TokenRemedy.Kind.choices)
    purchase = forms.TypedChoiceField(label=_("Purchase"), coerce=int, required=False, empty_value=None)
    note = forms.CharField(label=_("Note"), max_length=500, required=False)

    def __init__(self, *args, purchases=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["purchase"].choices = [("", "—")] + [
            (p.pk, f"{p.purchased_at:%Y-%m-%d %H:%M} · {p.kwh} kWh · {p.masked_token}") for p in purchases
        ]


class SolveForm(forms.Form):
    answer = forms.CharField(
        label=_("Answer for the customer"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )


class MeterCheckForm(forms.Form):
    window_start = forms.DateTimeField(
        label=_("Visit from"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
    )
    window_end = forms.DateTimeField(
        label=_("Visit until"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
    )
    notes = forms.CharField(label=_("Note for the technician"), max_length=500, required=False)
