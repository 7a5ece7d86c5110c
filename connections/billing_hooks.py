"""The questions connections asks of billing, pluggable until the billing app answers them.

``settings.CONNECTIONS_BILLS_PAID_CHECK`` names a function ``(customer) -> bool``: True when the customer has
no unpaid bill. The default knows of no unpaid bills (there is no billing data here yet), so it says True; the
billing app replaces it by pointing the setting at its own selector.
"""

from django.conf import settings
from django.utils.module_loading import import_string


def no_unpaid_bills_known(customer) -> bool:
    return True


def bills_paid(customer) -> bool:
    if customer is None:
        return True
    return bool(import_string(settings.CONNECTIONS_BILLS_PAID_CHECK)(customer))
