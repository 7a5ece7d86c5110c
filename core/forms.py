"""Form plumbing shared by the apps."""

from django import forms

ISO_DATE = "%Y-%m-%d"


class IsoDateInput(forms.DateInput):
    """An HTML date input: browsers accept and send only ISO dates (yyyy-mm-dd), whatever the page's language.

    A plain ``DateInput`` renders its value in the active locale's format ("01-12-2026" in Indonesian),
    which the browser rejects as empty, so a pre-filled filter could never be submitted.
    """

    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format=ISO_DATE)
