"""Public pages: the outage map, the "is your power back?" answer page, planned-outage alerts."""

from django.conf import settings
from django.http import Http404
from django.shortcuts import render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from core.phone import same_phone
from core.throttles import PublicIntakeThrottle
from tickets import selectors as ticket_selectors

from . import selectors, services
from .forms import AlertOptInForm
from .models import RestorationCheck


def outage_map(request):
    """Open incidents and planned outages of a city on a Leaflet map (data from the cached JSON endpoint)."""
    areas = selectors.map_areas()
    chosen = (request.GET.get("area") or "").strip()[:32]
    row = selectors.unit_row(code=chosen) if chosen else None
    if row is None and areas:
        row = areas[0]
    return render(
        request,
        "outages/map.html",
        {"areas": areas, "area": row, "tile_url": settings.MAP_TILE_URL},
    )


@require_http_methods(["GET", "POST"])
def confirm(request, token: str):
    """One question after restoration: is the power really back? Answered once; later answers get a polite page."""
    check = (
        RestorationCheck.objects.select_related("ticket", "follow_up").filter(ticket__tracking_token=token[:64]).first()
    )
    if check is None:
        raise Http404
    if request.method == "POST" and check.is_open:
        answer = request.POST.get("answer", "")
        if answer in (RestorationCheck.Answer.YES, RestorationCheck.Answer.NO):
            check = services.answer_confirmation(token=check.token, answer=answer)
            return render(request, "outages/confirm_done.html", {"check": check, "just_answered": True})
    if not check.is_open:
        return render(request, "outages/confirm_done.html", {"check": check, "just_answered": False})
    return render(request, "outages/confirm.html", {"check": check, "ticket": check.ticket})


@require_http_methods(["GET", "POST"])
def alerts(request):
    """A customer asks to be told of planned outages on their connection (ID pelanggan + the phone on file)."""
    done = False
    if request.method == "POST" and not PublicIntakeThrottle().allow_request(request, None):
        return render(request, "tickets/too_many.html", status=429)
    form = AlertOptInForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        customer = ticket_selectors.find_customer(id_pelanggan=form.cleaned_data["id_pelanggan"])
        if customer is None or not same_phone(customer.phone, form.cleaned_data["phone"]):
            form.add_error(None, _("This ID pelanggan and phone number do not match our records."))
        else:
            services.opt_in(customer=customer, language=(get_language() or "id")[:2])
            done = True
    return render(request, "outages/alerts.html", {"form": form, "done": done}, status=400 if form.errors else 200)
