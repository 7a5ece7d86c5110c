"""Customer forms: the survey, notification settings and feedback (kritik, saran, apresiasi)."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from core.phone import normalize_phone
from tickets import selectors as ticket_selectors
from tickets.models import ServiceUnit, Ticket
from tickets.numbering import normalize_ticket_number

from .models import Feedback, Notification


class SurveyForm(forms.Form):
    rating = forms.TypedChoiceField(
        label=_("How did we do?"),
        coerce=int,
        choices=[
            (5, _("5 – very good")),
            (4, _("4 – good")),
            (3, _("3 – fair")),
            (2, _("2 – poor")),
            (1, _("1 – very poor")),
        ],
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(
        label=_("Comment (optional)"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )


class PreferencesForm(forms.Form):
    mobile_channel = forms.ChoiceField(
        label=_("Send my updates by"),
        choices=[(Notification.Channel.SMS, _("SMS")), (Notification.Channel.WHATSAPP, _("WhatsApp"))],
        widget=forms.RadioSelect,
    )
    sms = forms.BooleanField(label=_("SMS messages"), required=False)
    whatsapp = forms.BooleanField(label=_("WhatsApp messages"), required=False)
    email = forms.BooleanField(label=_("E-mail messages"), required=False)


class FeedbackForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=Feedback.Kind.choices, widget=forms.RadioSelect)
    message = forms.CharField(label=_("Your message"), max_length=4000, widget=forms.Textarea(attrs={"rows": 4}))
    ticket_number = forms.CharField(label=_("Ticket number (optional)"), required=False, max_length=32)
    unit = forms.ModelChoiceField(
        label=_("PLN office (ULP), optional"), required=False, queryset=ServiceUnit.objects.none(), empty_label="—"
    )
    name = forms.CharField(label=_("Your name (optional)"), required=False, max_length=120)
    phone = forms.CharField(
        label=_("Phone number (optional)"),
        required=False,
        max_length=32,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
    )
    email = forms.EmailField(label=_("E-mail (optional)"), required=False)

    def __init__(self, *args, ticket: Ticket | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.ticket = ticket
        self.fields["unit"].queryset = ticket_selectors.public_units()
        if ticket is not None:
            del self.fields["ticket_number"]
            del self.fields["unit"]

    def clean_phone(self) -> str:
        value = self.cleaned_data.get("phone", "")
        return normalize_phone(value) if value.strip() else ""

    def clean_ticket_number(self) -> Ticket | None:
        value = (self.cleaned_data.get("ticket_number") or "").strip()
        if not value:
            return None
        canonical = normalize_ticket_number(value)
        ticket = Ticket.objects.select_related("unit").filter(number=canonical).first() if canonical else None
        if ticket is None:
            raise ValidationError(_("No ticket has this number. Check it, or leave the field empty."))
        return ticket

    def feedback_kwargs(self) -> dict:
        data = self.cleaned_data
        return {
            "kind": data["kind"],
            "message": data["message"],
            "name": data.get("name", ""),
            "phone": data.get("phone", ""),
            "email": data.get("email", ""),
            "ticket": self.ticket or data.get("ticket_number"),
            "unit": data.get("unit"),
        }
