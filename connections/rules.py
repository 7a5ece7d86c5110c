"""The rules of connections as plain functions: power steps and phases, which tariff class may have which
power, NIK checks, the fee from a schedule and what a programme gives (or why it does not apply).

Sources (see docs/connections.md): tariff classes and their power ranges (Perpres 8/2011 structure),
standard LV power steps, biaya penyambungan per VA (Permen ESDM 27/2017 Lampiran I, PLN's 2025 tables), the
2025 programmes and Ramadhan Berkah 2023.
"""

from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.utils.translation import gettext as _

from tickets.sla.models import LV_POWER_LEVELS

# DOMAIN: single-phase steps; every other LV step is three-phase.
SINGLE_PHASE_VA = frozenset({450, 900, 1300, 2200, 3500, 4400, 5500, 7700, 11000, 13900, 17600, 22000})
LV_MAX_VA = 197_000

# Tariff class → (lowest, highest) power in VA an LV application may ask for; MV/HV classes are not LV work.
TARIFF_VA = {
    "S-2/TR": (450, LV_MAX_VA),
    "R-1/TR": (450, 2200),
    "R-1M/TR": (900, 900),
    "R-2/TR": (3500, 5500),
    "R-3/TR": (6600, LV_MAX_VA),
    "B-1/TR": (450, 5500),
    "B-2/TR": (6600, LV_MAX_VA),
    "I-1/TR": (450, 14000),
    "I-2/TR": (14001, LV_MAX_VA),
    "P-1/TR": (6600, LV_MAX_VA),
    "P-3/TR": (450, LV_MAX_VA),
    "L/TR": (450, LV_MAX_VA),
}
BUSINESS_PREFIXES = ("B-", "I-")


# The choices an applicant makes, as (value, label) pairs: the one catalogue of the web form, the API and the
# Open311 service definitions.
POWER_STEPS = tuple(LV_POWER_LEVELS)


def format_va(va: int) -> str:
    """``2200`` → "2.200 VA"."""
    return f"{va:,} VA".replace(",", ".")


def power_choices() -> list[tuple[int, str]]:
    return [(va, format_va(va)) for va in POWER_STEPS]


def tariff_choices() -> list[tuple[str, str]]:
    """The LV tariff classes an application may ask for (medium and high voltage classes are not LV work)."""
    return [(code, code) for code in TARIFF_VA]


def phase_of(va: int) -> str:
    return "single" if va in SINGLE_PHASE_VA else "three"


def is_power_step(va) -> bool:
    return isinstance(va, int) and va in LV_POWER_LEVELS


def tariff_allows(tariff: str, va: int) -> bool:
    bounds = TARIFF_VA.get(tariff)
    return bounds is not None and bounds[0] <= va <= bounds[1]


def tariffs_for(va: int) -> list[str]:
    return [tariff for tariff in TARIFF_VA if tariff_allows(tariff, va)]


def needs_nib(tariff: str) -> bool:
    return tariff.startswith(BUSINESS_PREFIXES)


def nik_problem(nik: str) -> str | None:
    """Why a NIK (Nomor Induk Kependudukan) is not valid, or None: 16 digits, a province code 11–94, a day of
    birth 01–31 (41–71 for women) and a month 01–12."""
    if not (len(nik) == 16 and nik.isdigit()):
        return _("A NIK has exactly 16 digits.")
    province, day, month = int(nik[:2]), int(nik[6:8]), int(nik[8:10])
    if not 11 <= province <= 94 or not (1 <= day <= 31 or 41 <= day <= 71) or not 1 <= month <= 12:
        return _("This is not a valid NIK: check the digits on the KTP.")
    return None


def rupiah(value: Decimal | int | float) -> int:
    return int(Decimal(value).quantize(Decimal("1"), rounding=ROUND_HALF_UP))


def format_rupiah(value: int | None) -> str:
    if value is None:
        return "—"
    return "Rp " + f"{value:,}".replace(",", ".")


@dataclass
class Request:
    """What is asked, for a quote: the kind, the power, class and payment; for a power change the customer's
    current contract and the date they registered; the network work the survey found."""

    kind: str
    requested_va: int
    tariff: str
    payment_type: str
    current_va: int = 0
    current_tariff: str = ""
    current_payment_type: str = ""
    id_pelanggan: str = ""
    registered_on: date | None = None
    network_work: str = "none"

    @property
    def basis_va(self) -> int:
        """The VA a fee per VA is counted on: the new power of a new connection, the added power of a change."""
        if self.kind == "power_change":
            return max(self.requested_va - self.current_va, 0)
        return self.requested_va


def fee_from_rules(request: Request, rules) -> tuple[int | None, object | None]:
    """The normal fee (rupiah) from the first matching rule of a schedule, and that rule; a power decrease
    costs nothing. (None, None) when no rule covers the request."""
    if request.kind == "power_change" and request.requested_va <= request.current_va:
        return 0, None
    for rule in rules:
        if rule.kind != request.kind or not (rule.va_above < request.requested_va <= rule.va_up_to):
            continue
        if rule.tariffs and request.tariff not in rule.tariffs:
            continue
        if rule.payment_type and rule.payment_type != request.payment_type:
            continue
        if rule.flat_amount is not None:
            return int(rule.flat_amount), rule
        return rupiah(Decimal(rule.rate_per_va) * request.basis_va), rule
    return None, None


@dataclass
class ProgrammeResult:
    programme: object
    applies: bool
    price: int | None
    reasons: list[str] = field(default_factory=list)


def programme_price(programme, request: Request, normal_fee: int) -> int:
    value = Decimal(programme.discount_value)
    if programme.discount == "flat_price":
        price = rupiah(value)
    elif programme.discount == "percent":
        price = rupiah(Decimal(normal_fee) * (Decimal(100) - value) / Decimal(100))
    else:
        price = rupiah(value * request.basis_va)
    return min(price, normal_fee)


def _va(value: int) -> str:
    return f"{value:,}".replace(",", ".")


def evaluate_programme(
    programme,
    request: Request,
    *,
    normal_fee: int,
    local_day: date,
    used_before: bool = False,
    bills_paid: bool = True,
) -> ProgrammeResult:
    """Whether ``programme`` applies to ``request`` on ``local_day`` (the day in the unit's zone: a programme
    ends at midnight there), its price, and each reason it does not apply."""
    reasons: list[str] = []
    if programme.applies_to != "both" and programme.applies_to != request.kind:
        reasons.append(
            _("Only for power increases.") if programme.applies_to == "power_change" else _("Only for new connections.")
        )
    if local_day < programme.starts_on:
        reasons.append(_("Starts on %(day)s.") % {"day": programme.starts_on.strftime("%d-%m-%Y")})
    if local_day > programme.ends_on:
        reasons.append(_("Ended on %(day)s.") % {"day": programme.ends_on.strftime("%d-%m-%Y")})
    if programme.eligible_tariffs and request.tariff not in programme.eligible_tariffs:
        reasons.append(_("Not for tariff class %(tariff)s.") % {"tariff": request.tariff})
    if request.kind == "power_change":
        if request.requested_va <= request.current_va:
            reasons.append(_("Only for power increases."))
        low, high = programme.from_va_min, programme.from_va_max
        if (low is not None and request.current_va < low) or (high is not None and request.current_va > high):
            reasons.append(
                _("Only for customers now at %(low)s–%(high)s VA.")
                % {"low": _va(low or 0), "high": _va(high or LV_MAX_VA)}
            )
    if programme.to_va_max is not None and request.requested_va > programme.to_va_max:
        reasons.append(_("Only up to %(max)s VA.") % {"max": _va(programme.to_va_max)})
    phases_now = {phase_of(request.requested_va)}
    if request.kind == "power_change" and request.current_va:
        phases_now.add(phase_of(request.current_va))
    if programme.phases != "any" and phases_now != {programme.phases}:
        reasons.append(
            _("Only for single-phase connections.")
            if programme.phases == "single"
            else _("Only for three-phase connections.")
        )
    if programme.same_phase_only and len(phases_now) > 1:
        reasons.append(_("Not when the number of phases changes."))
    if (
        programme.same_payment_type_only
        and request.kind == "power_change"
        and request.current_payment_type
        and request.current_payment_type != request.payment_type
    ):
        reasons.append(_("Not with a switch between prepaid and postpaid."))
    if programme.no_network_extension and request.network_work not in ("", "none"):
        reasons.append(_("Not where the network must be extended."))
    # Without an ID pelanggan (the calculator) the customer's registration date is not known: assumed met.
    if programme.registered_before is not None and request.kind == "power_change":
        if request.registered_on is not None and request.registered_on >= programme.registered_before:
            reasons.append(
                _("Only for customers registered before %(day)s.")
                % {"day": programme.registered_before.strftime("%d-%m-%Y")}
            )
    if programme.once_per_customer and used_before:
        reasons.append(_("Already used once for this ID pelanggan."))
    if programme.requires_bills_paid and not bills_paid:
        reasons.append(_("All bills must be paid first."))
    price = programme_price(programme, request, normal_fee) if normal_fee is not None else None
    return ProgrammeResult(programme=programme, applies=not reasons, price=price, reasons=reasons)
