"""GeoReport v2 endpoints. Each view parses its parameters, calls one selector or service and
answers in the format named by the URL suffix (``.json`` or ``.xml``).

Errors follow the specification: a list of ``code`` + ``description``; 404 for what does not exist,
403 for a missing or wrong ``api_key``, 400 for any other request that cannot be fulfilled.
"""

import math
import re
from datetime import UTC, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import EmailValidator, URLValidator
from django.db import InterfaceError, OperationalError
from django.http import Http404
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.generic import RedirectView
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, status
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from connections import services as connection_services
from core.errors import ApplicationError
from core.phone import normalize_phone
from tickets.numbering import normalize_ticket_number

from . import definitions, selectors, serializers, services
from .renderers import Open311JSONRenderer, Open311XMLRenderer
from .throttles import Open311KeyThrottle

MAX_WINDOW = timedelta(days=90)
# A "+" of a zone offset that was not percent-encoded arrives as a space ("19:00:00 08:00").
UNENCODED_OFFSET = re.compile(r"^(.*T\d\d:\d\d(?::\d\d(?:\.\d+)?)?) (\d\d:?\d\d)$")
ATTRIBUTE_PARAM = re.compile(r"^attribute\[([^\[\]]+)\](\[\])?$")
# Field names of tickets.services.open_ticket → the Open311 parameter a client sent.
PARAMETER_OF_FIELD = {
    "reporter_phone": "phone",
    "reporter_email": "email",
    "reporter_name": "first_name",
    "unit": "location",
    "lat": "lat",
    "lng": "long",
    "address": "address_string",
    "description": "description",
    "id_pelanggan": "address_id",
}


# Field names of connections.services.create_application → the Open311 parameter a client sent.
APPLICATION_PARAMETER = {
    "applicant_name": f"attribute[{definitions.APPLICANT_NAME}]",
    "nik": f"attribute[{definitions.NIK}]",
    "requested_va": f"attribute[{definitions.REQUESTED_POWER_VA}]",
    "tariff": f"attribute[{definitions.TARIFF}]",
    "payment_type": f"attribute[{definitions.PAYMENT_TYPE}]",
    "id_pelanggan": f"attribute[{definitions.ID_PELANGGAN}]",
    "phone": "phone",
    "email": "email",
    "location": "lat/long",
    "address": "address_string",
    "kind": "service_code",
    "idempotency_key": "Idempotency-Key",
}


class Open311Error(Exception):
    """Answer with these error descriptions and this HTTP status."""

    def __init__(self, status_code: int, *descriptions: str):
        super().__init__(descriptions[0] if descriptions else "")
        self.status_code = status_code
        self.descriptions = list(descriptions)


def _errors(status_code: int, descriptions: list[str], headers: dict | None = None) -> Response:
    body = [serializers.error(status_code, description) for description in descriptions]
    return Response(body, status=status_code, headers=headers)


def open311_exception_handler(exc: Exception, context: dict) -> Response | None:
    """Every failure of an Open311 view in the specification's error format."""
    if isinstance(exc, Open311Error):
        return _errors(exc.status_code, exc.descriptions)
    if isinstance(exc, exceptions.Throttled):
        wait = max(1, math.ceil(exc.wait or 1))
        return _errors(
            status.HTTP_429_TOO_MANY_REQUESTS,
            [_("Too many requests for this api_key; retry in %(seconds)s seconds.") % {"seconds": wait}],
            headers={"Retry-After": str(wait)},
        )
    if isinstance(exc, DjangoValidationError):
        descriptions = []
        for field, messages in getattr(exc, "message_dict", {"": exc.messages}).items():
            name = PARAMETER_OF_FIELD.get(field, field)
            descriptions.extend(f"{name}: {message}" if name else message for message in messages)
        return _errors(status.HTTP_400_BAD_REQUEST, descriptions)
    if isinstance(exc, (Http404, exceptions.NotFound)):
        return _errors(status.HTTP_404_NOT_FOUND, [_("Not found.")])
    if isinstance(exc, (OperationalError, InterfaceError)):
        return _errors(
            status.HTTP_503_SERVICE_UNAVAILABLE,
            [_("Service temporarily unavailable, please retry.")],
            headers={"Retry-After": "5"},
        )
    if isinstance(exc, exceptions.APIException):
        return _errors(exc.status_code, [str(exc.detail)])
    return None


class SuffixNegotiation(DefaultContentNegotiation):
    """The format comes from the URL suffix alone, as the specification says; XML is the default."""

    def select_renderer(self, request, renderers, format_suffix=None):
        wanted = format_suffix or "xml"
        for renderer in renderers:
            if renderer.format == wanted:
                return renderer, renderer.media_type
        raise exceptions.NotFound()


class Open311View(APIView):
    """Shared behaviour: suffix formats, jurisdiction_id, api_key, per-key throttle, spec errors."""

    authentication_classes: list = []
    permission_classes = [AllowAny]
    renderer_classes = [Open311JSONRenderer, Open311XMLRenderer]
    content_negotiation_class = SuffixNegotiation
    parser_classes = [FormParser, MultiPartParser]
    throttle_classes = [Open311KeyThrottle]
    key_required = False
    xml_root = "service_requests"

    def get_exception_handler(self):
        return open311_exception_handler

    def params(self, request):
        return request.data if request.method == "POST" else request.query_params

    def perform_authentication(self, request):
        """Runs before the throttle: check jurisdiction_id, then find the client by api_key."""
        params = self.params(request)
        jurisdiction_id = (params.get("jurisdiction_id") or request.query_params.get("jurisdiction_id") or "").strip()
        if jurisdiction_id and jurisdiction_id.lower() != settings.OPEN311_JURISDICTION_ID.lower():
            raise Open311Error(
                status.HTTP_404_NOT_FOUND,
                _("jurisdiction_id %(value)s was not found; this endpoint serves %(ours)s.")
                % {"value": jurisdiction_id, "ours": settings.OPEN311_JURISDICTION_ID},
            )
        request.open311_jurisdiction_id = jurisdiction_id
        request.open311_client = None
        api_key = (params.get("api_key") or request.query_params.get("api_key") or "").strip()
        if not api_key:
            if self.key_required:
                raise Open311Error(status.HTTP_403_FORBIDDEN, _("api_key was not provided."))
            return
        client = selectors.client_for_key(api_key)
        if client is None or not client.active:
            raise Open311Error(status.HTTP_403_FORBIDDEN, _("Invalid api_key received."))
        request.open311_client = client


class DiscoveryApi(Open311View):
    """Service Discovery: where the endpoints are, which formats they speak, how to get a key."""

    xml_root = "discovery"

    @extend_schema(exclude=True)
    def get(self, request, format=None):
        return Response(serializers.discovery())


class ServiceListApi(Open311View):
    """GET Service List: one service per public ticket category."""

    xml_root = "services"

    @extend_schema(exclude=True)
    def get(self, request, format=None):
        return Response([serializers.service(category) for category in selectors.service_categories()])


def _category_or_404(service_code: str):
    category = selectors.service_category(service_code)
    if category is None:
        raise Open311Error(
            status.HTTP_404_NOT_FOUND, _("service_code %(code)s was not found.") % {"code": service_code}
        )
    return category


class ServiceDefinitionApi(Open311View):
    """GET Service Definition: the attributes a service asks for."""

    xml_root = "service_definition"

    @extend_schema(exclude=True)
    def get(self, request, service_code: str, format=None):
        return Response(serializers.service_definition(_category_or_404(service_code)))


def _parse_attributes(params, category, defaults: dict | None = None) -> tuple[dict, list[str], set[str]]:
    """``attribute[code]=value`` and ``attribute[code][]=value`` pairs, checked against the definition.

    Returns the answers, the problems and the codes of the attributes that had one. ``defaults`` stand in for
    an attribute that was not sent (a power change's ID pelanggan may come as ``address_id``)."""
    sent: dict[str, list[str]] = {}
    for name in params:
        match = ATTRIBUTE_PARAM.match(name)
        if match:
            values = [value.strip() for value in params.getlist(name) if value.strip()]
            sent.setdefault(match.group(1), []).extend(values)
    answers, errors, failed = {}, [], set()
    for item in definitions.attributes_for(category):
        if not item.variable:
            continue
        values = sent.get(item.code) or ([defaults[item.code]] if (defaults or {}).get(item.code) else [])
        label = f"attribute[{item.code}]"
        if not values:
            if item.required:
                errors.append(_("%(name)s is required: %(question)s") % {"name": label, "question": item.description})
                failed.add(item.code)
            continue
        if item.datatype == definitions.MULTI:
            unknown = [value for value in values if value not in item.keys]
            if unknown:
                errors.append(
                    _("%(name)s has values that are not offered: %(values)s")
                    % {"name": label, "values": ", ".join(unknown)}
                )
                failed.add(item.code)
                continue
            answers[item.code] = list(dict.fromkeys(values))
            continue
        value = values[-1]
        error = _check_value(item, value)
        if error:
            errors.append(f"{label}: {error}")
            failed.add(item.code)
        else:
            answers[item.code] = value
    return answers, errors, failed


def parse_w3c(raw: str):
    """An ISO 8601 / W3C date and time, or None; tolerates an offset whose "+" became a space."""
    text = raw.strip()
    value = parse_datetime(text)
    if value is None:
        match = UNENCODED_OFFSET.match(text)
        if match:
            value = parse_datetime(f"{match.group(1)}+{match.group(2)}")
    return value


def _check_value(item: definitions.Attribute, value: str) -> str:
    if item.datatype == definitions.SINGLE and value not in item.keys:
        return _("%(value)s is not one of the offered values.") % {"value": value}
    if item.datatype == definitions.NUMBER:
        try:
            number = float(value)
        except ValueError:
            return _("Enter a number.")
        if not math.isfinite(number):
            return _("Enter a number.")
    if item.datatype == definitions.DATETIME and parse_w3c(value) is None:
        return _("Enter an ISO 8601 date and time, for example 2026-11-25T19:30:00+07:00.")
    if item.datatype == definitions.STRING and ("\n" in value or "\r" in value or len(value) > 255):
        return _("Enter one line of at most 255 characters.")
    if item.pattern and not re.match(item.pattern, value):
        return str(item.datatype_description) or _("Enter a valid value.")
    return ""


def _coordinate(raw: str, name: str, limit: float, errors: list[str]) -> float | None:
    try:
        value = float(raw)
    except ValueError:
        errors.append(_("%(name)s must be a number in degrees (WGS84).") % {"name": name})
        return None
    if not -limit <= value <= limit:
        errors.append(_("%(name)s must be between -%(limit)s and %(limit)s.") % {"name": name, "limit": int(limit)})
        return None
    return value


class RequestListCreateApi(Open311View):
    """GET Service Requests (open to all) and POST Service Request (needs an api_key)."""

    def perform_authentication(self, request):
        self.key_required = request.method == "POST"
        super().perform_authentication(request)

    @extend_schema(exclude=True)
    def get(self, request, format=None):
        params = request.query_params
        numbers = _comma_list(params, "service_request_id")[: selectors.MAX_REQUESTS]
        if numbers:
            tickets = selectors.service_requests(numbers=[normalize_ticket_number(n) or n for n in numbers])
        else:
            start, end = _window(params.get("start_date"), params.get("end_date"))
            statuses = set(_comma_list(params, "status"))
            unknown = statuses - {"open", "closed"}
            if unknown:
                raise Open311Error(
                    status.HTTP_400_BAD_REQUEST,
                    _("status must be open or closed, not %(value)s.") % {"value": ", ".join(sorted(unknown))},
                )
            tickets = selectors.service_requests(
                service_codes=_comma_list(params, "service_code"), start=start, end=end, statuses=statuses
            )
        return Response([serializers.service_request(ticket) for ticket in tickets])

    @extend_schema(exclude=True)
    def post(self, request, format=None):
        params = request.data
        service_code = (params.get("service_code") or "").strip()
        if not service_code:
            raise Open311Error(status.HTTP_400_BAD_REQUEST, _("service_code was not provided."))
        category = _category_or_404(service_code)
        kind = definitions.application_kind(category)
        errors: list[str] = []
        failed: set[str] = set()  # parameters already refused here (a connection application's own checks follow)
        address_id = (params.get("address_id") or "").strip()
        # A power change is placed by its customer: the ID pelanggan (attribute, or address_id) is its location.
        placed_by_customer = kind == "power_change" and bool(
            address_id or (params.get(f"attribute[{definitions.ID_PELANGGAN}]") or "").strip()
        )
        before = len(errors)
        values = self._location(params, errors, optional=placed_by_customer)
        if len(errors) > before:
            failed |= {"lat/long", "address_string"}
        elif kind == "new_connection" and values["lat"] is None:
            errors.append(_("lat and long are required for a new connection: they mark the place to connect."))
            failed.add("lat/long")
        phone = (params.get("phone") or "").strip()
        if not phone:
            errors.append(
                _(
                    "phone was not provided: Sigap 123 needs the reporter's phone number to send the ticket number "
                    "and updates."
                )
            )
            failed.add("phone")
        else:
            try:
                phone = normalize_phone(phone)
            except DjangoValidationError as exc:
                errors.append(f"phone: {exc.messages[0]}")
                failed.add("phone")
        email = (params.get("email") or "").strip()
        if email:
            try:
                EmailValidator()(email)
            except DjangoValidationError:
                errors.append(_("email is not a valid e-mail address."))
                failed.add("email")
        description = params.get("description") or ""
        if len(description) > 4000:
            errors.append(_("description is limited to 4,000 characters."))
        media_url = (params.get("media_url") or "").strip()
        if media_url:
            try:
                URLValidator(schemes=["http", "https"])(media_url)
            except DjangoValidationError:
                errors.append(_("media_url is not a valid http or https URL."))
        defaults = {definitions.ID_PELANGGAN: address_id} if kind == "power_change" else None
        attributes, attribute_errors, failed_codes = _parse_attributes(params, category, defaults)
        errors.extend(attribute_errors)
        failed |= {f"attribute[{code}]" for code in failed_codes}
        common = {
            "client": request.open311_client,
            "email": email,
            "media_url": media_url,
            "device_id": (params.get("device_id") or "").strip(),
            "account_id": (params.get("account_id") or "").strip(),
            "jurisdiction_id": request.open311_jurisdiction_id,
            "language": (get_language() or "id")[:2],
            "idempotency_key": (request.headers.get("Idempotency-Key") or "").strip() or None,
        }
        if kind:
            created = self._submit_application(kind, phone, values, attributes, common, errors, failed)
            application = getattr(created, "application", None) or selectors.application_of_request(created)
            notice = serializers.application_notice(application) if application is not None else None
        else:
            if errors:
                raise Open311Error(status.HTTP_400_BAD_REQUEST, *errors)
            created = services.submit_service_request(
                category=category,
                phone=phone,
                description=description,
                attributes=attributes,
                first_name=(params.get("first_name") or "").strip(),
                last_name=(params.get("last_name") or "").strip(),
                **common,
                **values,
            )
            notice = None
        with_token = settings.OPEN311_SERVICE_TYPE == "batch"
        code = status.HTTP_201_CREATED if created.was_created else status.HTTP_200_OK
        return Response([serializers.created_request(created, with_token=with_token, notice=notice)], status=code)

    @staticmethod
    def _submit_application(kind, phone, values, attributes, common, errors, failed):
        """A connection application: connections' checks answer what Open311's did not already refuse, all in
        one 400; then connections' service makes it."""
        fields = {
            "kind": kind,
            "applicant_name": attributes.get(definitions.APPLICANT_NAME, ""),
            "nik": attributes.get(definitions.NIK, ""),
            "phone": phone if "phone" not in failed else "",
            "requested_va": attributes.get(definitions.REQUESTED_POWER_VA),
            "tariff": attributes.get(definitions.TARIFF, ""),
            "payment_type": attributes.get(definitions.PAYMENT_TYPE, ""),
            "id_pelanggan": attributes.get(definitions.ID_PELANGGAN, ""),
            "lat": values["lat"],
            "lng": values["lng"],
            "address": values["address_string"],
        }

        def described(problems: dict) -> list[str]:
            out = []
            for name, messages in problems.items():
                parameter = APPLICATION_PARAMETER.get(name, name)
                if parameter in failed:
                    continue
                for message in messages if isinstance(messages, list) else [messages]:
                    out.append(f"{parameter}: {message}")
            return out

        if errors:
            problems = connection_services.application_problems(**fields, documents_later=True)
            raise Open311Error(status.HTTP_400_BAD_REQUEST, *errors, *described(problems))
        try:
            return services.submit_application(
                **fields, attributes=attributes, address_id=values["address_id"], **common
            )
        except ApplicationError as exc:
            problems = exc.extra.get("fields") or {}
            raise Open311Error(status.HTTP_400_BAD_REQUEST, *(described(problems) or [exc.message])) from exc

    def _location(self, params, errors: list[str], optional: bool = False) -> dict:
        """One of lat & long, address_string or address_id (our address id is the ID pelanggan); ``optional``
        when the request is placed otherwise (a power change, by its customer)."""
        raw_lat, raw_long = (params.get("lat") or "").strip(), (params.get("long") or "").strip()
        address_string = (params.get("address_string") or "").strip()
        address_id = (params.get("address_id") or "").strip()
        values: dict = {"lat": None, "lng": None, "address_string": address_string, "address_id": address_id}
        if bool(raw_lat) != bool(raw_long):
            errors.append(_("lat and long must be sent together."))
        elif raw_lat:
            values["lat"] = _coordinate(raw_lat, "lat", 90, errors)
            values["lng"] = _coordinate(raw_long, "long", 180, errors)
        elif not address_string and not address_id and not optional:
            errors.append(_("A location was not provided: send lat and long, address_string or address_id."))
        if address_id and not re.fullmatch(r"\d{12}", address_id):
            errors.append(_("address_id is the 12-digit ID pelanggan of the connection."))
        return values


def _comma_list(params, name: str) -> list[str]:
    """A parameter that may be comma delimited and may also be declared several times."""
    return [item.strip() for raw in params.getlist(name) for item in raw.split(",") if item.strip()]


def _parse_date(raw: str, name: str):
    value = parse_w3c(raw)
    if value is None:
        raise Open311Error(
            status.HTTP_400_BAD_REQUEST,
            _("%(name)s must be a W3C date and time, for example 2026-11-01T00:00:00Z.") % {"name": name},
        )
    if timezone.is_naive(value):
        value = timezone.make_aware(value, UTC)
    return value


def _window(raw_start: str | None, raw_end: str | None):
    """The search window: at most 90 days, the most recent 90 days by default."""
    start = _parse_date(raw_start, "start_date") if raw_start else None
    end = _parse_date(raw_end, "end_date") if raw_end else None
    if start is None and end is None:
        end = timezone.now()
    if start is None:
        start = end - MAX_WINDOW
    if end is None:
        end = start + MAX_WINDOW
    if end < start:
        raise Open311Error(status.HTTP_400_BAD_REQUEST, _("end_date is before start_date."))
    if end - start > MAX_WINDOW:
        raise Open311Error(status.HTTP_400_BAD_REQUEST, _("start_date and end_date may not span more than 90 days."))
    return start, end


class RequestDetailApi(Open311View):
    """GET Service Request: one request by its id (the ticket number)."""

    @extend_schema(exclude=True)
    def get(self, request, service_request_id: str, format=None):
        ticket = selectors.service_request(normalize_ticket_number(service_request_id) or service_request_id)
        if ticket is None:
            raise Open311Error(
                status.HTTP_404_NOT_FOUND,
                _("service_request_id %(value)s was not found.") % {"value": service_request_id},
            )
        return Response([serializers.service_request(ticket)])


class TokenApi(Open311View):
    """GET service_request_id from a token."""

    @extend_schema(exclude=True)
    def get(self, request, token: str, format=None):
        found = selectors.request_by_token(token)
        if found is None:
            raise Open311Error(status.HTTP_404_NOT_FOUND, _("token %(value)s was not found.") % {"value": token})
        return Response([serializers.token(found)])


class RootRedirect(RedirectView):
    """The bare endpoint shows the discovery document."""

    pattern_name = "open311:discovery"
    query_string = True

    def get_redirect_url(self, *args, **kwargs):
        return super().get_redirect_url(format="xml")
