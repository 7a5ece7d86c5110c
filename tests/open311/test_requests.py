"""POST and GET service requests, tokens, the round trip to a closed request, and every error."""

from datetime import timedelta

import pytest
from django.utils import timezone

from open311.models import Open311Request
from tests.factories import TicketFactory, category
from tickets import services as ticket_services
from tickets import signals
from tickets.models import Ticket

from . import spec
from .spec import xml_value

pytestmark = pytest.mark.django_db

FORMATS = ["json", "xml"]


@pytest.fixture
def report(city_app, customer):
    """A complete outage report as a city app would post it."""
    return {
        "api_key": city_app.key,
        "jurisdiction_id": "sigap123.id",
        "service_code": "GG-PADAM-1",
        "lat": "-1.2379",
        "long": "116.8529",
        "address_string": "Jl. Jenderal Sudirman No. 1, Balikpapan",
        "email": "budi@example.com",
        "first_name": "Budi",
        "last_name": "Santoso",
        "phone": "0812 3456 7890",
        "description": "Listrik padam sejak jam 7 malam",
        "media_url": "https://img.example.org/padam.jpg",
        "device_id": "device-77",
        "account_id": "account-42",
        "attribute[id_pelanggan]": customer.id_pelanggan,
        "attribute[started_at]": "2026-11-25T19:00:00+08:00",
    }


def _field(item, fmt: str, name: str):
    return item[name] if fmt == "json" else xml_value(item, name)


@pytest.mark.parametrize("fmt", FORMATS)
def test_posting_a_request_opens_a_ticket_on_the_open311_channel(open311, report, customer, fmt):
    # when
    response = open311.post("requests", fmt, report)
    # then
    assert response.status_code == 201
    [created] = spec.check_list(response, fmt, "service_requests", "request", spec.CREATED_REQUEST)
    ticket = Ticket.objects.get(number=_field(created, fmt, "service_request_id"))
    assert ticket.channel == Ticket.Channel.OPEN311
    assert ticket.category.code == "GG-PADAM-1"
    assert ticket.customer == customer and ticket.unit == customer.unit
    assert ticket.reporter_phone == "+6281234567890"
    assert ticket.reporter_name == "Budi Santoso"
    assert ticket.reporter_email == "budi@example.com"
    assert ticket.description.startswith("Listrik padam sejak jam 7 malam")
    assert "started_at: 2026-11-25T19:00:00+08:00" in ticket.description
    assert _field(created, fmt, "account_id") == "account-42"
    assert _field(created, fmt, "service_notice")
    stored = ticket.open311_request
    assert stored.device_id == "device-77" and stored.media_url == "https://img.example.org/padam.jpg"
    assert stored.attributes["id_pelanggan"] == customer.id_pelanggan


def test_a_posted_outage_is_announced_and_waits_for_dispatch_like_any_other(open311, report):
    # given
    announced = []

    def receiver(sender, ticket, **kwargs):
        announced.append(ticket.number)

    signals.ticket_opened.connect(receiver)
    try:
        # when
        response = open311.post("requests", "json", report)
    finally:
        signals.ticket_opened.disconnect(receiver)
    # then
    number = response.body[0]["service_request_id"]
    assert announced == [number]
    assert Ticket.objects.get(number=number).dispatch_state == Ticket.DispatchState.PENDING


def test_a_request_placed_by_coordinates_only_goes_to_the_nearest_ulp(open311, report, ulp, other_ulp):
    # given
    del report["attribute[id_pelanggan]"]
    report.update({"lat": "-1.268", "long": "116.889"})
    # when
    response = open311.post("requests", "json", report)
    # then
    assert Ticket.objects.get(number=response.body[0]["service_request_id"]).unit == other_ulp


def test_address_id_is_the_id_pelanggan_of_the_connection(open311, report, customer):
    # given
    for name in ("lat", "long", "address_string", "attribute[id_pelanggan]"):
        del report[name]
    report["address_id"] = customer.id_pelanggan
    # when
    response = open311.post("requests", "json", report)
    # then
    assert response.status_code == 201
    assert Ticket.objects.get(number=response.body[0]["service_request_id"]).customer == customer


def test_multivaluelist_answers_are_sent_as_repeated_keys(open311, report):
    # given
    report["service_code"] = "GG-APP"
    report["attribute[symptoms][]"] = ["breaker_trips", "periksa"]
    # when
    response = open311.post("requests", "json", report)
    # then
    assert response.status_code == 201
    stored = Open311Request.objects.get(ticket__number=response.body[0]["service_request_id"])
    assert stored.attributes["symptoms"] == ["breaker_trips", "periksa"]


def test_the_same_idempotency_key_returns_the_same_request(open311, report):
    # when
    first = open311.post("requests", "json", report, HTTP_IDEMPOTENCY_KEY="a1b2c3")
    second = open311.post("requests", "json", report, HTTP_IDEMPOTENCY_KEY="a1b2c3")
    # then
    assert (first.status_code, second.status_code) == (201, 200)
    assert first.body[0]["service_request_id"] == second.body[0]["service_request_id"]
    assert Ticket.objects.count() == 1


@pytest.mark.parametrize("fmt", FORMATS)
def test_round_trip_post_fetch_by_id_and_token_then_closed_when_restored(open311, report, fmt, settings):
    # given: batch type, so the POST answers with a token
    settings.OPEN311_SERVICE_TYPE = "batch"
    posted = open311.post("requests", fmt, report)
    [created] = spec.check_list(posted, fmt, "service_requests", "request", spec.CREATED_BATCH_REQUEST)
    token = _field(created, fmt, "token")
    # when: the token gives the id, the id gives the request
    by_token = open311.get(f"tokens/{token}", fmt)
    [pair] = spec.check_list(by_token, fmt, "service_requests", "request", spec.TOKEN)
    number = _field(pair, fmt, "service_request_id")
    before = open311.get(f"requests/{number}", fmt)
    # then
    [request] = spec.check_list(before, fmt, "service_requests", "request", spec.REQUEST)
    assert _field(pair, fmt, "token") == token
    assert _field(request, fmt, "status") == "open"
    assert _field(request, fmt, "service_code") == "GG-PADAM-1"
    # when: the crew restores power
    ticket = Ticket.objects.get(number=number)
    restored = ticket_services.change_status(
        ticket=ticket, to_status=Ticket.Status.RESTORED, message="Kabel SR diganti, listrik sudah menyala."
    )
    after = open311.get(f"requests/{number}", fmt)
    listed = open311.get("requests", fmt, service_request_id=number)
    # then
    [request] = spec.check_list(after, fmt, "service_requests", "request", spec.REQUEST)
    assert _field(request, fmt, "status") == "closed"
    assert _field(request, fmt, "status_notes") == "Kabel SR diganti, listrik sudah menyala."
    event_time = restored.events.order_by("-id").first().created_at
    assert _field(request, fmt, "updated_datetime") == event_time.astimezone(
        timezone.get_fixed_timezone(8 * 60)
    ).isoformat(timespec="seconds")
    [again] = spec.check_list(listed, fmt, "service_requests", "request", spec.REQUEST)
    assert _field(again, fmt, "status") == "closed"


def test_realtime_requests_also_have_a_token_that_resolves(open311, report):
    # given
    number = open311.post("requests", "json", report).body[0]["service_request_id"]
    token = Open311Request.objects.get(ticket__number=number).token
    # when
    response = open311.get(f"tokens/{token}", "json")
    # then
    assert response.body == [{"service_request_id": number, "token": token}]


@pytest.mark.parametrize("fmt", FORMATS)
def test_requests_never_show_the_reporters_personal_data(open311, report, customer, fmt):
    # given
    number = open311.post("requests", "json", report).body[0]["service_request_id"]
    # when
    response = open311.get(f"requests/{number}", fmt)
    listed = open311.get("requests", fmt)
    # then
    text = response.content.decode() + listed.content.decode()
    for secret in (
        "Budi",
        "Santoso",
        "budi@example.com",
        "81234567890",
        customer.id_pelanggan,
        customer.meter_number,
        "account-42",
        "device-77",
        "Listrik padam",
        "Sudirman",
        "padam.jpg",
        "116.8529",
    ):
        assert secret not in text
    [request] = spec.check_list(response, fmt, "service_requests", "request", spec.REQUEST)
    assert float(_field(request, fmt, "lat")) == -1.24


@pytest.mark.parametrize("fmt", FORMATS)
def test_get_requests_filters_by_code_status_and_date_window(open311, ulp, fmt):
    # given
    now = timezone.now()
    open_outage = TicketFactory(unit=ulp, created_at=now - timedelta(days=1))
    closed_bill = TicketFactory(
        unit=ulp, category=category("TG-LONJAK"), status=Ticket.Status.RESOLVED, created_at=now - timedelta(days=2)
    )
    TicketFactory(unit=ulp, created_at=now - timedelta(days=100))

    def numbers(**params):
        response = open311.get("requests", fmt, **params)
        assert response.status_code == 200
        items = spec.check_list(response, fmt, "service_requests", "request", spec.REQUEST)
        return {_field(item, fmt, "service_request_id") for item in items}

    # when / then: the most recent 90 days by default
    assert numbers() == {open_outage.number, closed_bill.number}
    assert numbers(service_code="TG-LONJAK") == {closed_bill.number}
    assert numbers(service_code="TG-LONJAK,GG-PADAM-1") == {open_outage.number, closed_bill.number}
    assert numbers(status="open") == {open_outage.number}
    assert numbers(status="closed") == {closed_bill.number}
    assert numbers(status="open,closed") == {open_outage.number, closed_bill.number}
    start = (now - timedelta(days=1, hours=12)).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert numbers(start_date=start) == {open_outage.number}
    end = (now - timedelta(days=1, hours=12)).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert numbers(end_date=end) == {closed_bill.number}


def test_service_request_id_lists_override_every_other_filter(open311, ulp):
    # given
    old = TicketFactory(unit=ulp, created_at=timezone.now() - timedelta(days=200))
    recent = TicketFactory(unit=ulp)
    # when
    response = open311.get("requests", "json", service_request_id=f"{old.number},{recent.number}", status="closed")
    # then
    assert {item["service_request_id"] for item in response.body} == {old.number, recent.number}


def test_get_requests_returns_at_most_the_first_thousand(open311, ulp, monkeypatch, django_assert_max_num_queries):
    # given: the limit lowered so that the test stays small
    from open311 import selectors

    monkeypatch.setattr(selectors, "MAX_REQUESTS", 3)
    for _ in range(5):
        TicketFactory(unit=ulp)
    # when
    with django_assert_max_num_queries(4):
        response = open311.get("requests", "json")
    # then
    assert len(response.body) == 3
    assert selectors.MAX_REQUESTS == 3


@pytest.mark.parametrize(
    ("params", "fragment"),
    [
        ({"start_date": "2026-01-01T00:00:00Z", "end_date": "2026-06-01T00:00:00Z"}, "90"),
        ({"start_date": "kemarin"}, "start_date"),
        ({"end_date": "2026-13-01"}, "end_date"),
        ({"start_date": "2026-02-01T00:00:00Z", "end_date": "2026-01-01T00:00:00Z"}, "end_date"),
        ({"status": "pending"}, "status"),
    ],
)
def test_bad_search_parameters_are_a_400_naming_the_parameter(open311, params, fragment):
    # when
    response = open311.get("requests", "json", **params)
    # then
    assert response.status_code == 400
    spec.check_json(response.body, spec.list_of("error", spec.ERROR))
    assert fragment in response.body[0]["description"]


@pytest.mark.parametrize("fmt", FORMATS)
def test_unknown_request_ids_and_tokens_are_404(open311, fmt):
    for path in ("requests/251125-000001-5", "tokens/unknown-token"):
        response = open311.get(path, fmt)
        assert response.status_code == 404
        spec.check_list(response, fmt, "errors", "error", spec.ERROR)


def _without(report: dict, *names: str) -> dict:
    return {key: value for key, value in report.items() if key not in names}


@pytest.mark.parametrize(
    ("change", "status_code", "fragment"),
    [
        (lambda r: _without(r, "api_key"), 403, "api_key"),
        (lambda r: {**r, "api_key": "wrong"}, 403, "api_key"),
        (lambda r: _without(r, "service_code"), 400, "service_code"),
        (lambda r: {**r, "service_code": "XX-NONE"}, 404, "service_code"),
        (lambda r: {**r, "jurisdiction_id": "sfgov.org"}, 404, "jurisdiction_id"),
        (lambda r: _without(r, "lat", "long", "address_string", "address_id"), 400, "address_string"),
        (lambda r: _without(r, "long"), 400, "long"),
        (lambda r: {**r, "lat": "utara"}, 400, "lat"),
        (lambda r: {**r, "long": "200"}, 400, "long"),
        (lambda r: {**r, "address_id": "12345"}, 400, "address_id"),
        (lambda r: _without(r, "phone"), 400, "phone"),
        (lambda r: {**r, "phone": "12"}, 400, "phone"),
        (lambda r: {**r, "email": "not-an-address"}, 400, "email"),
        (lambda r: {**r, "media_url": "javascript:alert(1)"}, 400, "media_url"),
        (lambda r: {**r, "description": "x" * 4001}, 400, "description"),
        (lambda r: {**r, "attribute[id_pelanggan]": "123"}, 400, "attribute[id_pelanggan]"),
        (lambda r: {**r, "attribute[started_at]": "tadi malam"}, 400, "attribute[started_at]"),
        (lambda r: {**r, "service_code": "GG-BAHAYA"}, 400, "attribute[hazard]"),
        (lambda r: {**r, "service_code": "GG-BAHAYA", "attribute[hazard]": "ufo"}, 400, "attribute[hazard]"),
        (lambda r: {**r, "service_code": "GG-APP", "attribute[symptoms][]": ["smoke"]}, 400, "attribute[symptoms]"),
        (lambda r: {**r, "service_code": "TG-LONJAK", "attribute[billing_period]": "10/2026"}, 400, "billing_period"),
        (
            lambda r: {
                **r,
                "service_code": "TG-LONJAK",
                "attribute[billing_period]": "2026-10",
                "attribute[bill_amount]": "banyak",
            },
            400,
            "bill_amount",
        ),
    ],
)
def test_each_missing_or_bad_parameter_is_refused_in_the_error_format(open311, report, change, status_code, fragment):
    # when
    response = open311.post("requests", "json", change(report))
    # then
    assert response.status_code == status_code
    spec.check_json(response.body, spec.list_of("error", spec.ERROR))
    assert any(fragment in error["description"] for error in response.body), response.body
    assert all(error["code"] == status_code for error in response.body)
    assert Ticket.objects.count() == 0


def test_several_problems_are_reported_together_in_xml(open311, report):
    # when
    response = open311.post("requests", "xml", _without(report, "phone", "lat", "long", "address_string"))
    # then
    assert response.status_code == 400
    errors = spec.check_list(response, "xml", "errors", "error", spec.ERROR)
    descriptions = " ".join(xml_value(error, "description") for error in errors)
    assert len(errors) == 2 and "phone" in descriptions and "address_string" in descriptions


def test_an_inactive_key_is_refused(open311, report, city_app):
    # given
    city_app.active = False
    city_app.save()
    # when
    response = open311.post("requests", "xml", report)
    # then
    assert response.status_code == 403
    spec.check_list(response, "xml", "errors", "error", spec.ERROR)


def test_a_description_is_optional_and_the_service_name_stands_in(open311, report):
    # when
    response = open311.post("requests", "json", _without(report, "description"))
    # then
    assert response.status_code == 201
    ticket = Ticket.objects.get(number=response.body[0]["service_request_id"])
    assert ticket.description.startswith(category("GG-PADAM-1").name_id)


def test_a_json_body_is_refused_because_the_spec_posts_forms(open311, report):
    # when
    response = open311.client.post("/open311/v2/requests.json", report, format="json")
    # then
    assert response.status_code == 415
    assert response.json()[0]["code"] == 415


def test_an_offset_whose_plus_was_not_encoded_is_still_understood(open311, report):
    # given: "+08:00" sent raw in a form body arrives as " 08:00"
    report["attribute[started_at]"] = "2026-11-25T19:00:00 08:00"
    # when
    response = open311.post("requests", "json", report)
    # then
    assert response.status_code == 201


def test_an_address_string_alone_needs_a_default_unit_to_be_placed(open311, report, ulp, settings):
    # given
    place = _without(report, "lat", "long", "attribute[id_pelanggan]")
    settings.SIGAP_DEFAULT_UNIT_CODE = ""
    # when
    refused = open311.post("requests", "json", place)
    settings.SIGAP_DEFAULT_UNIT_CODE = ulp.code
    accepted = open311.post("requests", "json", place)
    # then
    assert refused.status_code == 400
    assert refused.body[0]["description"].startswith("location: ")
    assert accepted.status_code == 201
    assert Ticket.objects.get().address == "Jl. Jenderal Sudirman No. 1, Balikpapan"


def test_repeated_filter_parameters_count_like_a_comma_list(open311, ulp):
    # given
    outage = TicketFactory(unit=ulp)
    bill = TicketFactory(unit=ulp, category=category("TG-LONJAK"))
    TicketFactory(unit=ulp, category=category("LY-PB"))
    # when
    response = open311.client.get("/open311/v2/requests.json?service_code=GG-PADAM-1&service_code=TG-LONJAK")
    # then
    assert {item["service_request_id"] for item in response.json()} == {outage.number, bill.number}


def test_a_wrong_method_is_a_405_in_the_error_format(open311):
    response = open311.post("services", "xml", {})
    assert response.status_code == 405
    assert xml_value(response.body[0], "code") == "405"


def test_a_billing_request_closes_when_resolved_and_opens_again_when_reopened(open311, report):
    # given
    report.update({"service_code": "TG-LONJAK", "attribute[billing_period]": "2026-10"})
    number = open311.post("requests", "json", report).body[0]["service_request_id"]
    ticket = Ticket.objects.get(number=number)

    def status_of():
        return open311.get(f"requests/{number}", "json").body[0]["status"]

    # when / then
    ticket_services.change_status(ticket=ticket, to_status=Ticket.Status.IN_PROGRESS)
    assert status_of() == "open"
    ticket_services.change_status(ticket=ticket, to_status=Ticket.Status.RESOLVED, message="Tagihan dikoreksi.")
    assert status_of() == "closed"
    ticket_services.change_status(ticket=ticket, to_status=Ticket.Status.IN_PROGRESS)
    assert status_of() == "open"
