"""What each Open311 service asks for: the attributes of its service definition, as data.

Datatypes and fields are those of GeoReport v2 (``string``, ``number``, ``datetime``, ``text``,
``singlevaluelist``, ``multivaluelist``). Bump ``CHANGESET`` whenever a definition here changes so
clients know to refresh what they cached (Service Discovery ``changeset``).
"""

from dataclasses import dataclass, field, replace

from django.utils.translation import gettext_lazy as _

from connections import selectors as connection_selectors
from tickets.models import Category

SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"
CHANGESET = "2026-12-07T00:00:00Z"

STRING, NUMBER, DATETIME, TEXT = "string", "number", "datetime", "text"
SINGLE, MULTI = "singlevaluelist", "multivaluelist"
DATATYPES = {STRING, NUMBER, DATETIME, TEXT, SINGLE, MULTI}

# Attribute codes that fill ticket fields instead of only being recorded.
ID_PELANGGAN, METER_NUMBER = "id_pelanggan", "meter_number"


@dataclass(frozen=True)
class Attribute:
    """One attribute of a service definition."""

    code: str
    datatype: str
    description: object
    required: bool = False
    variable: bool = True
    datatype_description: object = ""
    pattern: str = ""
    values: tuple = field(default_factory=tuple)  # (key, name) pairs for the list datatypes

    @property
    def keys(self) -> set[str]:
        return {key for key, _name in self.values}


PHONE_NOTICE = Attribute(
    code="phone_required",
    datatype=STRING,
    variable=False,
    description=_(
        "Sigap 123 needs the reporter's phone number (the phone parameter) with every request: the "
        "ticket number and updates are sent to it by SMS."
    ),
)
ID_PELANGGAN_ATTRIBUTE = Attribute(
    code=ID_PELANGGAN,
    datatype=STRING,
    description=_("ID pelanggan: the 12-digit customer number printed on the meter and on the bill."),
    datatype_description=_("12 digits"),
    pattern=r"^\d{12}$",
)
METER_ATTRIBUTE = Attribute(
    code=METER_NUMBER,
    datatype=STRING,
    description=_("Meter number: the 11-digit number on a prepaid (token) meter."),
    datatype_description=_("11 digits"),
    pattern=r"^\d{11}$",
)
STARTED_AT = Attribute(
    code="started_at",
    datatype=DATETIME,
    description=_("When did the problem start?"),
    datatype_description=_("ISO 8601 date and time, for example 2026-11-25T19:30:00+07:00"),
)
HAZARD = Attribute(
    code="hazard",
    datatype=SINGLE,
    required=True,
    description=_("What is the danger?"),
    values=(
        ("pole", _("Pole leaning or fallen")),
        ("cable", _("Cable hanging low or broken")),
        ("tree", _("Tree or branch touching the lines")),
        ("kite", _("Kite caught on the lines")),
        ("sparks", _("Sparks, smoke or fire")),
    ),
)
METER_MESSAGE = Attribute(
    code="meter_message",
    datatype=SINGLE,
    required=True,
    description=_("What does the meter show after the token is entered?"),
    values=(
        ("GAGAL", "GAGAL"),
        ("REJECT", "REJECT"),
        ("USED", "USED"),
        ("OVER", "OVER"),
        ("PERIKSA", "PERIKSA"),
    ),
)
TOKEN_NUMBER = Attribute(
    code="token_number",
    datatype=STRING,
    description=_("The 20-digit token that was refused."),
    datatype_description=_("20 digits"),
    pattern=r"^\d{20}$",
)
METER_SYMPTOMS = Attribute(
    code="symptoms",
    datatype=MULTI,
    required=True,
    description=_("What do you notice? Choose all that apply."),
    values=(
        ("breaker_trips", _("The breaker (MCB) keeps tripping")),
        ("periksa", _("The meter shows PERIKSA")),
        ("blank", _("The meter display is blank")),
        ("burning_smell", _("Burning smell or hot meter")),
    ),
)
BILLING_PERIOD = Attribute(
    code="billing_period",
    datatype=STRING,
    required=True,
    description=_("Which month's bill is it about?"),
    datatype_description=_("Year and month, for example 2026-10"),
    pattern=r"^\d{4}-(0[1-9]|1[0-2])$",
)
BILL_AMOUNT = Attribute(
    code="bill_amount",
    datatype=NUMBER,
    description=_("The amount on the bill, in rupiah."),
    datatype_description=_("A number, without dots or currency sign"),
)

# --- connection applications (LY-PB, LY-PD): the fields of connections' application, its lists of values
# taken from the catalogue the web form uses (connections.selectors.application_choices).


def _values(name: str) -> tuple:
    return tuple((str(value), label) for value, label in connection_selectors.application_choices()[name])


APPLICANT_NAME, NIK, TARIFF, PAYMENT_TYPE = "applicant_name", "nik", "tariff", "payment_type"
REQUESTED_POWER_VA = "requested_power_va"

APPLICANT_NAME_ATTRIBUTE = Attribute(
    code=APPLICANT_NAME,
    datatype=STRING,
    required=True,
    description=_("The applicant's full name, as on the KTP."),
)
NIK_ATTRIBUTE = Attribute(
    code=NIK,
    datatype=STRING,
    required=True,
    description=_("NIK: the 16-digit number on the applicant's KTP."),
    datatype_description=_("16 digits"),  # checked by connections' NIK rule, whose message says what is wrong
)
REQUESTED_POWER = Attribute(
    code=REQUESTED_POWER_VA,
    datatype=SINGLE,
    required=True,
    description=_("Which power (VA) do you want?"),
    values=_values("requested_va"),
)
TARIFF_ATTRIBUTE = Attribute(
    code=TARIFF,
    datatype=SINGLE,
    required=True,
    description=_(
        "Tariff class: R = household, B = business, I = industry, S = social (e.g. houses of worship), "
        "P = government. Each class allows only some powers."
    ),
    values=_values("tariff"),
)
PAYMENT_TYPE_ATTRIBUTE = Attribute(
    code=PAYMENT_TYPE,
    datatype=SINGLE,
    required=True,
    description=_("Prepaid (token) or postpaid?"),
    values=_values("payment_type"),
)
POWER_CHANGE_ID_PELANGGAN = replace(
    ID_PELANGGAN_ATTRIBUTE,
    required=True,
    description=_("ID pelanggan of the connection whose power changes (12 digits, on the meter and the bill)."),
)
NEW_POWER = replace(REQUESTED_POWER, description=_("Which power (VA) do you want instead of the present one?"))
PLACE_NOTICE = Attribute(
    code="place_required",
    datatype=STRING,
    variable=False,
    description=_(
        "The place to connect: lat and long, within the area of a ULP we serve, and its address in "
        "address_string. Both are required."
    ),
)
CONTACT_NOTICE = Attribute(
    code="applicant_contact",
    datatype=STRING,
    variable=False,
    description=_(
        "The applicant's mobile phone is the phone parameter and their e-mail the email parameter (optional): "
        "every stage of the application is sent to them."
    ),
)
DOCUMENTS_NOTICE = Attribute(
    code="documents_later",
    datatype=STRING,
    variable=False,
    description=_(
        "The KTP (and, for a business or industry class, the NIB) cannot be sent through Open311: after the "
        "request, the applicant sends a photo or PDF of it from the tracking page, whose link comes by SMS."
    ),
)
APPLICATION_ATTRIBUTES: dict[str, tuple[Attribute, ...]] = {
    "LY-PB": (
        APPLICANT_NAME_ATTRIBUTE,
        NIK_ATTRIBUTE,
        REQUESTED_POWER,
        TARIFF_ATTRIBUTE,
        PAYMENT_TYPE_ATTRIBUTE,
        PLACE_NOTICE,
        CONTACT_NOTICE,
        DOCUMENTS_NOTICE,
    ),
    "LY-PD": (
        POWER_CHANGE_ID_PELANGGAN,
        APPLICANT_NAME_ATTRIBUTE,
        NIK_ATTRIBUTE,
        NEW_POWER,
        TARIFF_ATTRIBUTE,
        PAYMENT_TYPE_ATTRIBUTE,
        CONTACT_NOTICE,
        DOCUMENTS_NOTICE,
    ),
}

COMMON = (ID_PELANGGAN_ATTRIBUTE, METER_ATTRIBUTE)
EXTRA_BY_CODE: dict[str, tuple[Attribute, ...]] = {
    "GG-PADAM-1": (STARTED_AT,),
    "GG-PADAM-M": (STARTED_AT,),
    "GG-TEG": (STARTED_AT,),
    "GG-SR": (STARTED_AT,),
    "GG-GARDU": (STARTED_AT,),
    "GG-BAHAYA": (HAZARD,),
    "GG-TOKEN": (METER_MESSAGE, TOKEN_NUMBER),
    "GG-APP": (METER_SYMPTOMS,),
    "TG-LONJAK": (BILLING_PERIOD, BILL_AMOUNT),
    "TG-CATAT": (BILLING_PERIOD,),
    "TG-KOREKSI": (BILLING_PERIOD,),
}

KEYWORDS_BY_GROUP: dict[str, tuple[str, ...]] = {
    Category.Group.GANGGUAN: ("gangguan", "padam", "listrik mati", "power outage", "fault"),
    Category.Group.TAGIHAN: ("tagihan", "rekening", "bill", "billing"),
    Category.Group.LAYANAN: ("layanan", "permohonan", "service request"),
    Category.Group.PENERTIBAN: ("P2TL", "penertiban", "enforcement"),
    Category.Group.PETUGAS: ("petugas", "etika", "staff conduct"),
    Category.Group.INFORMASI: ("informasi", "information"),
    Category.Group.SUARA: ("suara pelanggan", "feedback"),
}

NOTICE_BY_KIND = {
    Category.Kind.TECHNICAL: _(
        "A crew from the responsible ULP is dispatched. Follow this request to see when they are on the "
        "way and when power is back."
    ),
    Category.Kind.BACK_OFFICE: _(
        "The responsible ULP's back office handles this request and may call the reporter's phone number."
    ),
    Category.Kind.FEEDBACK: _("Thank you. Your feedback is passed to the responsible ULP."),
}


def application_kind(category: Category) -> str | None:
    """The kind of connection application a service takes (new connection, power change), or None."""
    return connection_selectors.kind_for_category(category.code)


def attributes_for(category: Category) -> tuple[Attribute, ...]:
    """The attributes of a category's service definition, in display order."""
    if category.code in APPLICATION_ATTRIBUTES:
        return (PHONE_NOTICE, *APPLICATION_ATTRIBUTES[category.code])
    return (PHONE_NOTICE, *COMMON, *EXTRA_BY_CODE.get(category.code, ()))
