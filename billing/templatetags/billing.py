"""``{% billing_panel ticket %}``: the billing part of a back-office ticket page (disputed bill, correction,
token steps). Renders nothing for other categories."""

from django import template

from .. import selectors
from ..forms import CorrectionForm, MeterCheckForm, SolveForm, TokenStepForm
from ..models import MeterCheck, TokenRemedy
from ..services import BILL_COMPLAINT_CATEGORIES, TOKEN_CATEGORY

register = template.Library()


@register.inclusion_tag("billing/_ticket_panel.html", takes_context=True)
def billing_panel(context, ticket):
    code = ticket.category.code
    out = {"ticket": ticket, "csrf_token": context.get("csrf_token"), "show": False}
    if code in BILL_COMPLAINT_CATEGORIES or code == TOKEN_CATEGORY:
        out["meter_checks"] = list(MeterCheck.objects.filter(ticket=ticket).select_related("job"))
        out["meter_form"] = MeterCheckForm(prefix="meter")
    if code in BILL_COMPLAINT_CATEGORIES:
        disputed = selectors.disputed_bill(ticket)
        initial = {"period": disputed.bill.period.strftime("%Y-%m")} if disputed and disputed.bill else {}
        out.update(
            show=True,
            kind="bill",
            disputed=disputed,
            corrections=selectors.corrections_for(ticket),
            correction_form=CorrectionForm(prefix="correction", initial=initial),
        )
    elif code == TOKEN_CATEGORY:
        purchases = selectors.purchases_for_ticket(ticket)
        out.update(
            show=True,
            kind="token",
            purchases=purchases,
            remedies=TokenRemedy.objects.filter(ticket=ticket).select_related("purchase"),
            step_form=TokenStepForm(prefix="token", purchases=purchases),
            solve_form=SolveForm(prefix="solve"),
        )
    return out


@register.simple_tag
def public_corrections(ticket):
    return selectors.public_corrections_for(ticket)


@register.filter
def rupiah(value) -> str:
    """Whole rupiah with dots between thousands, as written in Indonesia: 592327 → "592.327"."""
    from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

    try:
        number = Decimal(str(value)).quantize(Decimal("1"), rounding=ROUND_HALF_UP)
    except (InvalidOperation, ValueError):
        return str(value)
    return f"{number:,}".replace(",", ".")
