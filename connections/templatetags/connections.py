"""``{% connection_panel ticket %}`` on the tracking page and ``{% connection_staff_panel ticket %}`` on the
back-office ticket page: nothing for other tickets."""

from django import template

from dispatch.models import FieldJob

from .. import rules, selectors, workflow
from ..forms import DocumentForm, WindowForm

register = template.Library()


@register.filter
def is_application(ticket) -> bool:
    """``{% if ticket|is_application %}``: the ticket is a connection application (one query, remembered)."""
    if not hasattr(ticket, "_is_application"):
        ticket._is_application = selectors.may_be_application(ticket) and (
            selectors.application_of_ticket(ticket) is not None
        )
    return ticket._is_application


@register.filter
def rupiah(value) -> str:
    """``{{ 1031000|rupiah }}`` → "Rp 1.031.000"."""
    try:
        return rules.format_rupiah(int(value))
    except (TypeError, ValueError):
        return "—"


@register.inclusion_tag("connections/_track_panel.html", takes_context=True)
def connection_panel(context, ticket):
    if not selectors.may_be_application(ticket):  # no query for every other ticket
        return {"application": None}
    application = selectors.application_of_ticket(ticket)
    if application is None:
        return {"application": None}
    missing = selectors.missing_documents(application)
    can_upload = application.stage in workflow.UPLOAD_STAGES
    kinds = missing or (["other"] if can_upload else [])
    return {
        "application": application,
        "ticket": ticket,
        "progress": selectors.progress(application),
        "needs": selectors.customer_needs(application),
        "missing": missing,
        "document_form": DocumentForm(kinds=kinds) if can_upload and kinds else None,
        "quote": application.quote or {},
        "rupiah": rules.format_rupiah,
        "normal_fee": rules.format_rupiah(application.normal_fee) if application.normal_fee is not None else "",
        "price": rules.format_rupiah(application.price) if application.price is not None else "",
        "estimate": rules.format_rupiah((application.quote or {}).get("price")),
        "ended": application.stage in workflow.ENDED,
        "csrf_token": context.get("csrf_token"),
        "request": context.get("request"),
    }


@register.inclusion_tag("connections/_staff_panel.html", takes_context=True)
def connection_staff_panel(context, ticket):
    if not selectors.may_be_application(ticket):
        return {"application": None}
    application = selectors.application_of_ticket(ticket)
    if application is None:
        return {"application": None}
    quote = selectors.quote_application(application) if application.stage in ("penetapan_biaya", "pembayaran") else None
    return {
        "application": application,
        "ticket": ticket,
        "documents": list(application.documents.all()),
        "missing": selectors.missing_documents(application),
        "jobs": list(FieldJob.objects.filter(ticket=ticket).select_related("technician__user", "unit")),
        "quote": quote,
        "allowed": workflow.allowed_next(application.stage),
        "window_form": WindowForm(),
        "normal_fee": rules.format_rupiah(application.normal_fee) if application.normal_fee is not None else "—",
        "price": rules.format_rupiah(application.price) if application.price is not None else "—",
        "csrf_token": context.get("csrf_token"),
        "request": context.get("request"),
    }
