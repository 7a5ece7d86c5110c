"""Discovery, the service list and service definitions, in both formats, against the specification."""

import pytest

from tests.factories import category
from tickets.models import Category

from . import spec
from .spec import xml_value

pytestmark = pytest.mark.django_db

FORMATS = ["json", "xml"]


@pytest.mark.parametrize("fmt", FORMATS)
def test_discovery_names_the_georeport_v2_endpoint_and_both_formats(open311, fmt):
    # when
    response = open311.get("discovery", fmt)
    # then
    assert response.status_code == 200
    if fmt == "json":
        spec.check_json(response.body, spec.DISCOVERY)
        endpoint = response.body["endpoints"][0]
        specification, url, formats = endpoint["specification"], endpoint["url"], endpoint["formats"]
    else:
        assert response.body.tag == "discovery"
        spec.check_xml(response.body, spec.DISCOVERY)
        endpoint = response.body.find("endpoints/endpoint")
        specification, url = xml_value(endpoint, "specification"), xml_value(endpoint, "url")
        formats = [item.text for item in endpoint.findall("formats/format")]
    assert specification == "http://wiki.open311.org/GeoReport_v2"
    assert url.endswith("/open311/v2")
    assert set(formats) == {"text/xml", "application/json"}


def test_the_bare_endpoint_leads_to_the_discovery_document(open311):
    response = open311.client.get("/open311/v2/")
    assert response.status_code == 302
    assert response["Location"].endswith("/open311/v2/discovery.xml")


@pytest.mark.parametrize("fmt", FORMATS)
def test_services_lists_one_service_per_public_category(open311, fmt):
    # given
    Category.objects.filter(code="IF-TARIF").update(is_public=False)
    expected = set(Category.objects.filter(active=True, is_public=True).values_list("code", flat=True))
    # when
    response = open311.get("services", fmt)
    # then
    assert response.status_code == 200
    items = spec.check_list(response, fmt, "services", "service", spec.SERVICE)
    codes = [item["service_code"] if fmt == "json" else xml_value(item, "service_code") for item in items]
    assert set(codes) == expected and len(codes) == len(expected)
    assert "IF-TARIF" not in codes


def test_a_service_carries_its_names_group_keywords_and_type(open311):
    # when
    services = open311.get("services", "json", headers={"HTTP_ACCEPT_LANGUAGE": "en"}).body
    # then
    outage = next(item for item in services if item["service_code"] == "GG-PADAM-1")
    assert outage["metadata"] is True
    assert outage["type"] == "realtime"
    assert "Padam satu rumah / persil" in outage["keywords"]
    assert outage["service_name"]


def test_service_names_follow_the_requested_language(open311):
    # when
    english = open311.client.get("/open311/v2/services.json", HTTP_ACCEPT_LANGUAGE="en").json()
    indonesian = open311.client.get("/open311/v2/services.json", HTTP_ACCEPT_LANGUAGE="id").json()
    # then
    assert {s["service_name"] for s in english if s["service_code"] == "GG-PADAM-1"} == {"Single-premise outage"}
    assert {s["service_name"] for s in indonesian if s["service_code"] == "GG-PADAM-1"} == {"Padam satu rumah / persil"}


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("code", ["TG-LONJAK", "GG-BAHAYA", "GG-APP", "LY-PD", "SP-SARAN"])
def test_service_definitions_use_the_specified_datatypes_and_value_lists(open311, fmt, code):
    # when
    response = open311.get(f"services/{code}", fmt)
    # then
    assert response.status_code == 200
    if fmt == "json":
        spec.check_json(response.body, spec.SERVICE_DEFINITION)
        body = response.body
    else:
        assert response.body.tag == "service_definition"
        spec.check_xml(response.body, spec.SERVICE_DEFINITION)
        body = {
            "service_code": xml_value(response.body, "service_code"),
            "attributes": [
                {
                    "code": xml_value(item, "code"),
                    "datatype": xml_value(item, "datatype"),
                    "variable": xml_value(item, "variable") == "true",
                    "required": xml_value(item, "required") == "true",
                    "order": int(xml_value(item, "order")),
                    "values": [{"key": xml_value(v, "key")} for v in item.findall("values/value")],
                }
                for item in response.body.findall("attributes/attribute")
            ],
        }
    assert body["service_code"] == code
    attributes = {item["code"]: item for item in body["attributes"]}
    orders = [item["order"] for item in body["attributes"]]
    assert len(set(orders)) == len(orders) and min(orders) >= 1
    assert attributes["phone_required"]["variable"] is False
    assert attributes["id_pelanggan"]["datatype"] == "string"
    for item in body["attributes"]:
        has_values = item["datatype"] in {"singlevaluelist", "multivaluelist"}
        assert bool(item["values"]) == has_values
    if code == "TG-LONJAK":
        assert attributes["billing_period"]["required"] is True
        assert attributes["bill_amount"]["datatype"] == "number"
    if code == "GG-BAHAYA":
        assert attributes["hazard"]["datatype"] == "singlevaluelist"
        assert {"pole", "cable", "tree", "kite", "sparks"} == {v["key"] for v in attributes["hazard"]["values"]}
    if code == "GG-APP":
        assert attributes["symptoms"]["datatype"] == "multivaluelist"
    if code == "LY-PD":
        assert "2200" in {v["key"] for v in attributes["requested_power_va"]["values"]}


@pytest.mark.parametrize("fmt", FORMATS)
def test_an_unknown_service_code_is_a_404_in_the_error_format(open311, fmt):
    # when
    response = open311.get("services/NOPE", fmt)
    # then
    assert response.status_code == 404
    errors = spec.check_list(response, fmt, "errors", "error", spec.ERROR)
    description = errors[0]["description"] if fmt == "json" else xml_value(errors[0], "description")
    assert "NOPE" in description


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_foreign_jurisdiction_id_is_a_404_and_ours_is_accepted(open311, fmt, settings):
    # given
    settings.OPEN311_JURISDICTION_ID = "sigap123.id"
    # when
    foreign = open311.get("services", fmt, jurisdiction_id="sfgov.org")
    ours = open311.get("services", fmt, jurisdiction_id="sigap123.id")
    # then
    assert foreign.status_code == 404
    spec.check_list(foreign, fmt, "errors", "error", spec.ERROR)
    assert ours.status_code == 200


def test_names_with_markup_characters_stay_well_formed_xml(open311):
    # given
    Category.objects.filter(code="GG-PJU").update(name_id='Lampu <PJU> & "tiang"')
    # when
    response = open311.get("services", "xml", headers={"HTTP_ACCEPT_LANGUAGE": "id"})
    # then
    names = [xml_value(item, "service_name") for item in response.body]
    assert 'Lampu <PJU> & "tiang"' in names
    assert category("GG-PJU").name_id == 'Lampu <PJU> & "tiang"'


def test_definitions_and_errors_speak_bahasa_indonesia_by_default(open311):
    # when
    definition = open311.get("services/GG-BAHAYA", "json").body
    missing = open311.get("services/NOPE", "xml")
    # then
    hazard = next(item for item in definition["attributes"] if item["code"] == "hazard")
    assert hazard["description"] == "Apa bahayanya?"
    assert {"key": "kite", "name": "Layangan tersangkut di jaringan"} in hazard["values"]
    assert xml_value(missing.body[0], "description") == "service_code NOPE tidak ditemukan."
