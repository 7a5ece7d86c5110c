"""Reads of connections: the quote (fee and programmes) for a request, applications for pages and staff."""

from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from tickets.models import Customer, ServiceUnit, Ticket
from tickets.selectors import visible_unit_ids

from . import billing_hooks, rules, workflow
from .models import Application, ApplicationDocument, FeeRule, FeeSchedule, Kind, Programme, Stage


@dataclass
class Quote:
    request: rules.Request
    local_day: object
    normal_fee: int | None
    results: list[rules.ProgrammeResult] = field(default_factory=list)
    schedule: FeeSchedule | None = None

    @property
    def best(self) -> rules.ProgrammeResult | None:
        applying = [r for r in self.results if r.applies and r.price is not None]
        return min(applying, key=lambda r: (r.price, r.programme.pk)) if applying else None

    @property
    def price(self) -> int | None:
        best = self.best
        return best.price if best is not None else self.normal_fee

    def as_dict(self) -> dict:
        best = self.best
        return {
            "kind": self.request.kind,
            "requested_va": self.request.requested_va,
            "current_va": self.request.current_va or None,
            "tariff": self.request.tariff,
            "payment_type": self.request.payment_type,
            "day": self.local_day.isoformat(),
            "normal_fee": self.normal_fee,
            "schedule": self.schedule.name if self.schedule else "",
            "programme": best.programme.code if best else "",
            "price": self.price,
            "programmes": [
                {
                    "code": r.programme.code,
                    "name": r.programme.name,
                    "applies": r.applies,
                    "price": r.price if r.applies else None,
                    "reasons": r.reasons,
                }
                for r in self.results
            ],
        }


def unit_zone(unit: ServiceUnit) -> ZoneInfo:
    return ZoneInfo(unit.time_zone or settings.TIME_ZONE)


def local_day(unit: ServiceUnit, at: datetime | None = None):
    return timezone.localtime(at or timezone.now(), unit_zone(unit)).date()


def schedule_on(day) -> FeeSchedule | None:
    return (
        FeeSchedule.objects.filter(effective_from__lte=day)
        .filter(Q(effective_to__isnull=True) | Q(effective_to__gte=day))
        .order_by("-effective_from", "-id")
        .first()
    )


def programme_used(*, programme: Programme, id_pelanggan: str, exclude_application_id: int | None = None) -> bool:
    """Whether this ID pelanggan already had this programme on a paid application."""
    if not id_pelanggan:
        return False
    qs = Application.objects.filter(programme=programme, paid_at__isnull=False).filter(
        Q(customer__id_pelanggan=id_pelanggan) | Q(new_customer__id_pelanggan=id_pelanggan)
    )
    if exclude_application_id:
        qs = qs.exclude(pk=exclude_application_id)
    return qs.exists()


def quote_for(
    request: rules.Request,
    *,
    unit: ServiceUnit,
    at: datetime | None = None,
    customer: Customer | None = None,
    exclude_application_id: int | None = None,
) -> Quote:
    """The fee on the day (in the unit's zone) and each active programme: its price or why it does not apply."""
    day = local_day(unit, at)
    schedule = schedule_on(day)
    rule_rows = list(FeeRule.objects.filter(schedule=schedule)) if schedule else []
    normal_fee, _rule = rules.fee_from_rules(request, rule_rows)
    quote = Quote(request=request, local_day=day, normal_fee=normal_fee, schedule=schedule)
    if normal_fee is None or normal_fee == 0:
        return quote
    paid = billing_hooks.bills_paid(customer)
    for programme in Programme.objects.filter(active=True).order_by("-starts_on", "code"):
        used = programme.once_per_customer and programme_used(
            programme=programme, id_pelanggan=request.id_pelanggan, exclude_application_id=exclude_application_id
        )
        quote.results.append(
            rules.evaluate_programme(
                programme, request, normal_fee=normal_fee, local_day=day, used_before=used, bills_paid=paid
            )
        )
    return quote


def request_of(application: Application) -> rules.Request:
    customer = application.customer
    registered = timezone.localtime(customer.created_at, unit_zone(application.unit)).date() if customer else None
    return rules.Request(
        kind=application.kind,
        requested_va=application.requested_va,
        tariff=application.tariff,
        payment_type=application.payment_type,
        current_va=application.current_va or 0,
        current_tariff=application.current_tariff,
        current_payment_type=application.current_payment_type,
        id_pelanggan=customer.id_pelanggan if customer else "",
        registered_on=registered,
        network_work=application.network_work,
    )


def quote_application(application: Application, at: datetime | None = None) -> Quote:
    return quote_for(
        request_of(application),
        unit=application.unit,
        at=at,
        customer=application.customer,
        exclude_application_id=application.pk,
    )


def may_be_application(ticket: Ticket) -> bool:
    """Whether the ticket's category is one of an application (its category is loaded with it)."""
    return ticket.category.code in ("LY-PB", "LY-PD")


def application_of_ticket(ticket: Ticket) -> Application | None:
    return (
        Application.objects.select_related("ticket", "unit", "programme", "customer", "new_customer")
        .filter(ticket_id=ticket.pk)
        .first()
    )


def required_documents(application: Application) -> list[str]:
    kinds = [ApplicationDocument.DocumentKind.KTP]
    if rules.needs_nib(application.tariff):
        kinds.append(ApplicationDocument.DocumentKind.NIB)
    if application.stage == Stage.SLO_KONTRAK:
        kinds.append(ApplicationDocument.DocumentKind.SLO)
    return kinds


def missing_documents(application: Application) -> list[str]:
    have = set(application.documents.values_list("kind", flat=True))
    return [kind for kind in required_documents(application) if kind not in have]


def missing_document_names(application: Application) -> list[str]:
    """The names of the documents still needed, in the reader's language ("KTP", "NIB")."""
    labels = dict(ApplicationDocument.DocumentKind.choices)
    return [str(labels[kind]) for kind in missing_documents(application)]


def customer_needs(application: Application) -> list[str]:
    """What the applicant must do now, in their language."""
    needs = []
    labels = dict(ApplicationDocument.DocumentKind.choices)
    for kind in missing_documents(application):
        needs.append(_("Send a photo or PDF of your %(document)s.") % {"document": labels[kind]})
    if application.stage == Stage.PEMBAYARAN:
        needs.append(
            _("Pay the connection fee of %(amount)s at a PLN payment point, quoting your ticket number.")
            % {"amount": rules.format_rupiah(application.price)}
        )
    if application.stage == Stage.SLO_KONTRAK:
        needs.append(
            _("Have your installer obtain the SLO certificate for your wiring, then sign the contract (SPJBTL).")
        )
    return needs


def progress(application: Application) -> list[dict]:
    """The stages of the main path with done / current / to come, for the tracking page."""
    current = application.stage
    labels = dict(Stage.choices)
    if current in workflow.PATH:
        index = workflow.PATH.index(current)
    else:
        index = -1
    rows = []
    for position, stage in enumerate(workflow.PATH):
        state = "done" if position < index else ("current" if position == index else "todo")
        rows.append({"stage": stage, "label": labels[stage], "state": state})
    return rows


def applications_visible_to(viewer) -> QuerySet[Application]:
    qs = Application.objects.select_related("ticket", "unit", "programme")
    ids = visible_unit_ids(viewer)
    return qs if ids is None else qs.filter(unit_id__in=ids)


def kind_for_category(code: str) -> str | None:
    return {"LY-PB": Kind.NEW_CONNECTION, "LY-PD": Kind.POWER_CHANGE}.get(code)


def application_choices() -> dict[str, list[tuple]]:
    """The values an applicant chooses from, as (value, label) pairs: the same catalogue as the web form's."""
    return {
        "requested_va": rules.power_choices(),
        "tariff": rules.tariff_choices(),
        "payment_type": list(Customer.PaymentType.choices),
    }


def stages_of_tickets(tickets) -> dict[int, str]:
    """The stage of each ticket's application (one query, none when no ticket is an application's)."""
    ids = [ticket.pk for ticket in tickets if may_be_application(ticket)]
    if not ids:
        return {}
    return dict(Application.objects.filter(ticket_id__in=ids).values_list("ticket_id", "stage"))


def stage_label(stage: str) -> str:
    return str(Stage(stage).label)
