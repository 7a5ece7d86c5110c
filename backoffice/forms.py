"""Forms of the back-office pages: ask the customer, resolve, notes, request details, referrals, feedback replies."""

from django import forms
from django.utils.translation import gettext_lazy as _

from core.forms import IsoDateInput
from tickets.models import Customer, ExternalReferral, ServiceLevelTarget, ServiceRequestDetail
from tickets.sla.models import LV_POWER_LEVELS


class MessageForm(forms.Form):
    message = forms.CharField(label=_("Message for the customer"), widget=forms.Textarea(attrs={"rows": 3}))


class AnswerForm(forms.Form):
    answer = forms.CharField(label=_("Answer for the customer"), widget=forms.Textarea(attrs={"rows": 3}))


class NoteForm(forms.Form):
    message = forms.CharField(label=_("Note"), widget=forms.Textarea(attrs={"rows": 2}))
    public = forms.BooleanField(label=_("The customer may read this"), required=False)


class ServiceRequestForm(forms.Form):
    requested_power_va = forms.TypedChoiceField(
        label=_("Requested power (VA)"),
        coerce=int,
        choices=[(va, f"{va:,} VA".replace(",", ".")) for va in LV_POWER_LEVELS],
    )
    tariff = forms.ChoiceField(label=_("Tariff class"), choices=Customer.Tariff.choices)
    programme_code = forms.CharField(label=_("Programme / promotion code"), max_length=40, required=False)
    network_work = forms.ChoiceField(label=_("Network work"), choices=ServiceLevelTarget.NetworkWork.choices[1:])
    documents_received = forms.MultipleChoiceField(
        label=_("Documents received"), required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, category_code: str, **kwargs):
        super().__init__(*args, **kwargs)
        codes = ServiceRequestDetail.DOCUMENTS_FOR.get(category_code, list(ServiceRequestDetail.DOCUMENTS))
        self.fields["documents_received"].choices = [(code, ServiceRequestDetail.DOCUMENTS[code]) for code in codes]


class ReferralForm(forms.Form):
    body = forms.ChoiceField(label=_("Raised with"), choices=ExternalReferral.Body.choices)
    reference = forms.CharField(label=_("Their reference"), max_length=60)
    raised_on = forms.DateField(label=_("Raised on"), widget=IsoDateInput())
    deadline = forms.DateField(label=_("Their deadline"), widget=IsoDateInput())
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class FeedbackReplyForm(forms.Form):
    reply = forms.CharField(label=_("Reply to the customer"), max_length=2000, widget=forms.Textarea(attrs={"rows": 4}))
