"""New-connection (LY-PB) and power-change (LY-PD) applications through Open311: the service definitions carry
the application's fields and the catalogue's values, a posted request is a real application made by connections'
own service, and every refusal is a 400 naming its parameter with nothing written."""

import pytest

from connections import selectors as connection_selectors
from connections.models import Application, ApplicationDocument
from open311.models import Open311Request
from tests.factories import CustomerFactory
from tickets.models import Ticket, TicketEvent
from tickets.sla.models import LV_POWER_LEVELS

from . import spec
from .spec import xml_value

pytestmark = pytest.mark.django_db

FORMATS = ["json", "xml"]
NIK = "6471054507900003"  # Balikpapan (64 71 05), born 05-07-1990 (female: day + 40)
PLACE = ("-1.2105", "116.8705")  # near the test ULP's centre
MEDAN = ("3.5900", "98.6700")  # far from every ULP of the tests


@pytest.fixture
def applicant(city_app, ulp):
    """A new connection as a city app would post it (documents cannot come through the form)."""
    return {
        "api_key": city_app.key,
        "service_code": "LY-PB",
        "lat": PLACE[0],
        "long": PLACE[1],
        "address_string": "Jl. Melati 7, Balikpapan",
        "phone": "0812 3456 7001",
        "email": "siti@example.com",
        "attribute[applicant_name]": "Siti Aminah",
        "attribute[nik]": NIK,
        "attribute[requested_power_va]": "2200",
        "attribute[tariff]": "R-1/TR",
        "attribute[payment_type]": "prepaid",
    }


@pytest.fixture
def household(ulp):
    return CustomerFactory(unit=ulp, id_pelanggan="532100000025", power_va=900, tariff="R-1/TR", payment_type="prepaid")


@pytest.fixture
def power_change(city_app, household):
    return {
        "api_key": city_app.key,
        "service_code": "LY-PD",
        "phone": "081234567002",
        "attribute[id_pelanggan]": household.id_pelanggan,
        "attribute[applicant_name]": "Budi Santoso",
        "attribute[nik]": NIK,
        "attribute[requested_power_va]": "1300",
        "attribute[tariff]": "R-1/TR",
        "attribute[payment_type]": "postpaid",
    }


def _definition(open311, code: str, fmt: str) -> dict[str, dict]:
    """The attributes of a service definition by code, read from JSON or XML alike."""
    response = open311.get(f"services/{code}", fmt)
    assert response.status_code == 200
    if fmt == "json":
        spec.check_json(response.body, spec.SERVICE_DEFINITION)
        items = response.body["attributes"]
    else:
        spec.check_xml(response.body, spec.SERVICE_DEFINITION)
        items = [
            {
                "code": xml_value(item, "code"),
                "datatype": xml_value(item, "datatype"),
                "variable": xml_value(item, "variable") == "true",
                "required": xml_value(item, "required") == "true",
                "description": xml_value(item, "description"),
                "values": [
                    {"key": xml_value(v, "key"), "name": xml_value(v, "name")} for v in item.findall("values/value")
                ],
            }
            for item in response.body.findall("attributes/attribute")
        ]
    return {item["code"]: item for item in items}


def _descriptions(response, fmt: str) -> list[str]:
    errors = spec.check_list(response, fmt, "errors", "error", spec.ERROR)
    return [error["description"] if fmt == "json" else xml_value(error, "description") for error in errors]


def _nothing_written() -> None:
    assert not Ticket.objects.exists()
    assert not Application.objects.exists()
    assert not Open311Request.objects.exists()


# --- service definitions ---------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", FORMATS)
def test_the_new_connection_definition_lists_the_application_fields_with_the_catalogues_values(open311, fmt):
    # when
    attributes = _definition(open311, "LY-PB", fmt)
    # then: the applicant's fields are required answers
    for code in ("applicant_name", "nik", "requested_power_va", "tariff", "payment_type"):
        assert attributes[code]["variable"] is True and attributes[code]["required"] is True, code
    assert attributes["nik"]["datatype"] == "string"
    # the lists are the web form's catalogue, not a copy
    choices = connection_selectors.application_choices()
    keys = {code: [v["key"] for v in attributes[code]["values"]] for code in ("requested_power_va", "tariff")}
    assert keys["requested_power_va"] == [str(va) for va in LV_POWER_LEVELS]
    assert keys["requested_power_va"] == [str(va) for va, _label in choices["requested_va"]]
    assert keys["tariff"] == [code for code, _label in choices["tariff"]]
    assert "R-1/TR" in keys["tariff"] and "B-3/TM" not in keys["tariff"]  # medium voltage is not LV work
    assert {v["key"] for v in attributes["payment_type"]["values"]} == {"prepaid", "postpaid"}
    assert {"key": "2200", "name": "2.200 VA"} in [
        {"key": v["key"], "name": v["name"]} for v in attributes["requested_power_va"]["values"]
    ]
    # a new connection has no ID pelanggan yet; the place, the contact and the documents are explained
    assert "id_pelanggan" not in attributes and "meter_number" not in attributes
    for code in ("phone_required", "place_required", "applicant_contact", "documents_later"):
        assert attributes[code]["variable"] is False, code


@pytest.mark.parametrize("fmt", FORMATS)
def test_the_power_change_definition_asks_for_the_id_pelanggan_and_the_new_power(open311, fmt):
    # when
    attributes = _definition(open311, "LY-PD", fmt)
    # then
    assert attributes["id_pelanggan"]["required"] is True
    assert attributes["requested_power_va"]["datatype"] == "singlevaluelist"
    assert "197000" in {v["key"] for v in attributes["requested_power_va"]["values"]}
    assert {"applicant_name", "nik", "tariff", "payment_type", "documents_later"} <= set(attributes)
    assert "place_required" not in attributes  # the customer's own place


def test_the_definition_speaks_the_requested_language(open311):
    # when
    english = open311.client.get("/open311/v2/services/LY-PB.json", HTTP_ACCEPT_LANGUAGE="en").json()
    indonesian = open311.client.get("/open311/v2/services/LY-PB.json", HTTP_ACCEPT_LANGUAGE="id").json()
    # then
    by_code_en = {item["code"]: item for item in english["attributes"]}
    by_code_id = {item["code"]: item for item in indonesian["attributes"]}
    assert by_code_en["nik"]["description"] == "NIK: the 16-digit number on the applicant's KTP."
    assert by_code_id["nik"]["description"] == "NIK: 16 digit nomor pada KTP pemohon."
    assert {"key": "postpaid", "name": "Pascabayar"} in by_code_id["payment_type"]["values"]


# --- posting an application ------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_new_connection_request_becomes_an_application_waiting_for_its_documents(
    open311, applicant, ulp, fmt, django_capture_on_commit_callbacks
):
    # when
    with django_capture_on_commit_callbacks(execute=True):
        response = open311.post("requests", fmt, applicant, HTTP_ACCEPT_LANGUAGE="en")
    # then: a real application, made by connections' service, on the Open311 channel
    assert response.status_code == 201
    [created] = spec.check_list(response, fmt, "service_requests", "request", spec.CREATED_REQUEST)
    number = created["service_request_id"] if fmt == "json" else xml_value(created, "service_request_id")
    application = Application.objects.select_related("ticket").get(ticket__number=number)
    ticket = application.ticket
    assert ticket.channel == Ticket.Channel.OPEN311 and ticket.category.code == "LY-PB" and ticket.unit == ulp
    assert application.kind == "new_connection" and application.stage == "permohonan"
    assert (application.applicant_name, application.nik, application.phone) == ("Siti Aminah", NIK, "+6281234567001")
    assert (application.requested_va, application.tariff, application.payment_type) == (2200, "R-1/TR", "prepaid")
    assert application.email == "siti@example.com" and application.address == "Jl. Melati 7, Balikpapan"
    assert (application.lat, application.lng) == (float(PLACE[0]), float(PLACE[1]))
    assert application.quote["normal_fee"] == 2_062_000
    # the documents are asked for on the tracking page, and the answer says so
    assert not application.documents.exists()
    assert connection_selectors.missing_documents(application) == [ApplicationDocument.DocumentKind.KTP]
    notice = created["service_notice"] if fmt == "json" else xml_value(created, "service_notice")
    assert "Permohonan" in notice and "KTP" in notice and "/lacak/" in notice
    # the Open311 side keeps no copy of the NIK, and no note sends the applicant to the web form
    stored = ticket.open311_request
    assert stored.attributes == {"requested_power_va": "2200", "tariff": "R-1/TR", "payment_type": "prepaid"}
    assert not TicketEvent.objects.filter(ticket=ticket, message__contains="/sambung/").exists()


def test_the_tracking_page_asks_the_applicant_for_the_ktp(open311, applicant, client):
    # given
    number = open311.post("requests", "json", applicant).body[0]["service_request_id"]
    ticket = Ticket.objects.get(number=number)
    # when
    page = client.get(f"/t/{ticket.tracking_token}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    # then
    assert 'id="document-form"' in page and 'value="ktp"' in page


def test_a_business_is_also_asked_for_its_nib(open311, applicant):
    # when
    response = open311.post(
        "requests",
        "json",
        {**applicant, "attribute[tariff]": "B-1/TR"},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    # then
    assert response.status_code == 201
    application = Application.objects.get()
    assert connection_selectors.missing_documents(application) == ["ktp", "nib"]
    assert "NIB" in response.body[0]["service_notice"]


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_power_change_request_becomes_an_application_for_that_customer(open311, power_change, household, fmt):
    # when
    response = open311.post("requests", fmt, power_change)
    # then
    assert response.status_code == 201
    application = Application.objects.select_related("ticket").get()
    assert application.kind == "power_change" and application.customer == household
    assert (application.current_va, application.requested_va) == (900, 1300)
    assert application.payment_type == "postpaid" and application.current_payment_type == "prepaid"
    assert application.ticket.category.code == "LY-PD" and application.ticket.unit == household.unit
    assert application.ticket.channel == Ticket.Channel.OPEN311
    assert application.quote["normal_fee"] == 374_800


def test_a_power_change_may_name_its_customer_by_address_id(open311, power_change, household):
    # given
    data = {**power_change, "address_id": household.id_pelanggan}
    del data["attribute[id_pelanggan]"]
    # when
    response = open311.post("requests", "json", data)
    # then
    assert response.status_code == 201
    assert Application.objects.get().customer == household


def test_get_request_shows_the_stage_of_the_application(open311, applicant, back_office):
    # given
    from connections import services as connection_services

    number = open311.post("requests", "json", applicant, HTTP_ACCEPT_LANGUAGE="en").body[0]["service_request_id"]
    # when
    before = open311.client.get(f"/open311/v2/requests/{number}.json", HTTP_ACCEPT_LANGUAGE="en").json()[0]
    connection_services.move_stage(
        application=Application.objects.get(), to_stage="dibatalkan", by=back_office, reason="Duplicate request"
    )
    after = open311.client.get(f"/open311/v2/requests/{number}.json", HTTP_ACCEPT_LANGUAGE="en").json()[0]
    listed = open311.client.get(
        "/open311/v2/requests.json", {"service_code": "LY-PB"}, HTTP_ACCEPT_LANGUAGE="en"
    ).json()
    # then
    assert before["status"] == "open" and before["status_notes"].startswith("Stage: Application (Permohonan).")
    assert after["status"] == "closed"
    assert after["status_notes"] == "Stage: Cancelled (Dibatalkan). Duplicate request"
    assert listed[0]["service_request_id"] == number and listed[0]["status_notes"] == after["status_notes"]
    for field in ("description", "address", "address_id"):
        assert after[field] is None  # nothing personal, as for every request


def test_the_application_shows_in_the_back_office_queue_of_its_ulp(open311, applicant, back_office, client):
    # given
    number = open311.post("requests", "json", applicant).body[0]["service_request_id"]
    client.force_login(back_office)
    # when
    queue = client.get("/backoffice/").content.decode()
    page = client.get(f"/backoffice/t/{number}/").content.decode()
    # then
    assert number in queue
    assert Application.objects.get().stage in page and "/backoffice/connections/" in page


# --- refusals --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "change, parameter, fragment",
    [
        ({"attribute[requested_power_va]": "1000"}, "attribute[requested_power_va]", "not one of the offered values"),
        ({"attribute[requested_power_va]": "5500"}, "attribute[tariff]", "R-1/TR cannot have 5500 VA"),
        ({"attribute[nik]": None}, "attribute[nik]", "is required"),
        ({"attribute[nik]": "9971054507900003"}, "attribute[nik]", "not a valid NIK"),
        ({"lat": MEDAN[0], "long": MEDAN[1]}, "lat/long", "outside every ULP"),
        ({"lat": None, "long": None}, "lat and long are required", "new connection"),
        ({"address_string": None}, "address_string", "Enter the address"),
        ({"attribute[payment_type]": "credit"}, "attribute[payment_type]", "not one of the offered values"),
    ],
)
def test_a_bad_new_connection_is_a_400_naming_the_parameter_and_writes_nothing(
    open311, applicant, change, parameter, fragment
):
    # given
    data = {key: value for key, value in {**applicant, **change}.items() if value is not None}
    # when
    response = open311.post("requests", "xml", data, HTTP_ACCEPT_LANGUAGE="en")
    # then
    assert response.status_code == 400
    descriptions = _descriptions(response, "xml")
    assert any(d.startswith(parameter) and fragment in d for d in descriptions), descriptions
    _nothing_written()


def test_every_problem_of_an_application_is_answered_together_in_the_requested_language(open311, applicant):
    # given: a protocol problem (no phone), a value not offered, and rules only connections knows
    data = {**applicant, "attribute[nik]": "12345", "attribute[requested_power_va]": "1000", "lat": MEDAN[0]}
    data["long"] = MEDAN[1]
    del data["phone"]
    # when
    english = open311.post("requests", "json", data, HTTP_ACCEPT_LANGUAGE="en")
    indonesian = open311.post("requests", "json", data, HTTP_ACCEPT_LANGUAGE="id")
    # then
    assert english.status_code == indonesian.status_code == 400
    described = _descriptions(english, "json")
    assert any(d.startswith("phone was not provided") for d in described)
    assert any(d.startswith("attribute[requested_power_va]: 1000 is not one of") for d in described)
    assert "attribute[nik]: A NIK has exactly 16 digits." in described
    assert "lat/long: This place is outside every ULP we serve." in described
    assert not any(d.startswith("phone:") for d in described)  # one message per parameter
    assert "attribute[nik]: NIK terdiri dari tepat 16 digit." in _descriptions(indonesian, "json")
    _nothing_written()


def test_a_power_change_to_the_same_power_or_for_an_unknown_customer_is_refused(open311, power_change):
    # when
    same = open311.post("requests", "json", {**power_change, "attribute[requested_power_va]": "900"})
    unknown = open311.post(
        "requests", "json", {**power_change, "attribute[id_pelanggan]": "999999999999"}, HTTP_ACCEPT_LANGUAGE="en"
    )
    # then
    assert same.status_code == unknown.status_code == 400
    assert any(d.startswith("attribute[requested_power_va]") for d in _descriptions(same, "json"))
    assert "attribute[id_pelanggan]: Enter the 12-digit ID pelanggan of an existing customer." in _descriptions(
        unknown, "json"
    )
    _nothing_written()


# --- retries and duplicates ------------------------------------------------------------------------------


def test_the_same_idempotency_key_returns_the_same_application(open311, power_change):
    # when
    first = open311.post("requests", "json", power_change, HTTP_IDEMPOTENCY_KEY="pd-7f3a")
    second = open311.post("requests", "json", power_change, HTTP_IDEMPOTENCY_KEY="pd-7f3a")
    # then
    assert (first.status_code, second.status_code) == (201, 200)
    assert first.body[0]["service_request_id"] == second.body[0]["service_request_id"]
    assert second.body[0]["service_notice"] == first.body[0]["service_notice"]  # still asks for the KTP
    assert Application.objects.count() == Ticket.objects.count() == Open311Request.objects.count() == 1


def test_another_client_with_the_same_key_is_another_request(open311, applicant):
    # given
    from open311 import services

    _other, other_key = services.create_client(name="Portal PLN Mitra")
    # when
    first = open311.post("requests", "json", applicant, HTTP_IDEMPOTENCY_KEY="k-1")
    second = open311.post("requests", "json", {**applicant, "api_key": other_key}, HTTP_IDEMPOTENCY_KEY="k-1")
    # then
    assert (first.status_code, second.status_code) == (201, 201)
    assert Application.objects.count() == 2


def test_without_a_key_a_second_power_change_for_the_customer_is_refused_as_in_progress(open311, power_change):
    # when
    first = open311.post("requests", "json", power_change)
    second = open311.post("requests", "json", power_change, HTTP_ACCEPT_LANGUAGE="en")
    # then
    assert (first.status_code, second.status_code) == (201, 400)
    assert "attribute[id_pelanggan]: This customer already has an application in progress." in _descriptions(
        second, "json"
    )
    assert Application.objects.count() == 1


def test_a_key_already_used_returns_its_first_request_whatever_the_service(open311, applicant, customer, city_app):
    # given: an outage report with the key
    outage = {
        "api_key": city_app.key,
        "service_code": "GG-PADAM-1",
        "phone": "081234567003",
        "address_id": customer.id_pelanggan,
    }
    assert open311.post("requests", "json", outage, HTTP_IDEMPOTENCY_KEY="shared").status_code == 201
    # when
    response = open311.post("requests", "json", applicant, HTTP_IDEMPOTENCY_KEY="shared")
    # then: the outage's request is returned, like any retry with the key (the key names the first request)
    assert response.status_code == 200
    assert not Application.objects.exists()
