from django import forms
from django.utils.translation import gettext_lazy as _

from tickets.models import id_pelanggan_validator


class AlertOptInForm(forms.Form):
    id_pelanggan = forms.CharField(label=_("ID pelanggan"), max_length=12, validators=[id_pelanggan_validator])
    phone = forms.CharField(label=_("Phone number on your account"), max_length=40)
