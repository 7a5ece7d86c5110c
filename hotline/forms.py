"""Forms of the call-centre pages."""

from django import forms
from django.utils.translation import gettext_lazy as _

from core.forms import IsoDateInput

MAX_RANGE_DAYS = 366


class KpiFilterForm(forms.Form):
    date_from = forms.DateField(label=_("From"), widget=IsoDateInput())
    date_to = forms.DateField(label=_("To"), widget=IsoDateInput())

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end:
            if end < start:
                self.add_error("date_to", _("The end date is before the start date."))
            elif (end - start).days > MAX_RANGE_DAYS:
                self.add_error("date_to", _("Choose at most one year."))
        return cleaned


class ViolationReviewForm(forms.Form):
    decision = forms.ChoiceField(choices=[("confirm", _("Confirm")), ("dismiss", _("Dismiss"))])
    note = forms.CharField(label=_("Note"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 2}))
