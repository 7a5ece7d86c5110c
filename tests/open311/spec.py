"""The GeoReport v2 field lists and types, to check answers structurally in both formats.

JSON follows the Spark convention of the XML, so one description checks both: a JSON object must
have exactly these keys with these types; an XML element exactly these child elements, once each,
whose text parses as the type (an empty element stands for null).
"""

from datetime import datetime
from xml.etree.ElementTree import Element

STRING, NULLABLE_STRING, BOOLEAN, INTEGER = "string", "string?", "boolean", "integer"
NUMBER_OR_NULL, DATETIME, DATETIME_OR_NULL = "number?", "datetime", "datetime?"


def enum(*values):
    return ("enum", frozenset(values))


def list_of(item_element: str, fields):
    """A plural element holding ``item_element`` children (``fields`` is a dict, or a scalar type)."""
    return ("list", item_element, fields)


VALUE = {"key": STRING, "name": STRING}
ATTRIBUTE = {
    "variable": BOOLEAN,
    "code": STRING,
    "datatype": enum("string", "number", "datetime", "text", "singlevaluelist", "multivaluelist"),
    "required": BOOLEAN,
    "datatype_description": NULLABLE_STRING,
    "order": INTEGER,
    "description": NULLABLE_STRING,
    "values": list_of("value", VALUE),
}
SERVICE = {
    "service_code": STRING,
    "service_name": STRING,
    "description": NULLABLE_STRING,
    "metadata": BOOLEAN,
    "type": enum("realtime", "batch", "blackbox"),
    "keywords": NULLABLE_STRING,
    "group": NULLABLE_STRING,
}
SERVICE_DEFINITION = {"service_code": STRING, "attributes": list_of("attribute", ATTRIBUTE)}
REQUEST = {
    "service_request_id": STRING,
    "status": enum("open", "closed"),
    "status_notes": NULLABLE_STRING,
    "service_name": NULLABLE_STRING,
    "service_code": STRING,
    "description": NULLABLE_STRING,
    "agency_responsible": NULLABLE_STRING,
    "service_notice": NULLABLE_STRING,
    "requested_datetime": DATETIME,
    "updated_datetime": DATETIME_OR_NULL,
    "expected_datetime": DATETIME_OR_NULL,
    "address": NULLABLE_STRING,
    "address_id": NULLABLE_STRING,
    "zipcode": NULLABLE_STRING,
    "lat": NUMBER_OR_NULL,
    "long": NUMBER_OR_NULL,
    "media_url": NULLABLE_STRING,
}
CREATED_REQUEST = {"service_request_id": STRING, "service_notice": NULLABLE_STRING, "account_id": NULLABLE_STRING}
CREATED_BATCH_REQUEST = {"token": STRING, "service_notice": NULLABLE_STRING, "account_id": NULLABLE_STRING}
TOKEN = {"service_request_id": STRING, "token": STRING}
ERROR = {"code": INTEGER, "description": STRING}
ENDPOINT = {
    "specification": STRING,
    "url": STRING,
    "changeset": STRING,
    "type": enum("production", "test"),
    "formats": list_of("format", STRING),
}
DISCOVERY = {
    "changeset": STRING,
    "contact": STRING,
    "key_service": STRING,
    "endpoints": list_of("endpoint", ENDPOINT),
}


def _w3c(text: str) -> bool:
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        return False
    return value.tzinfo is not None and "T" in text


def check_json(data, fields, where: str = "$") -> None:
    if isinstance(fields, dict):
        assert isinstance(data, dict), f"{where} must be an object"
        assert set(data) == set(fields), f"{where} keys {sorted(data)} != {sorted(fields)}"
        for name, kind in fields.items():
            check_json(data[name], kind, f"{where}.{name}")
        return
    if isinstance(fields, tuple) and fields[0] == "list":
        assert isinstance(data, list), f"{where} must be a list"
        for index, item in enumerate(data):
            check_json(item, fields[2], f"{where}[{index}]")
        return
    if isinstance(fields, tuple) and fields[0] == "enum":
        assert data in fields[1], f"{where}={data!r} not in {sorted(fields[1])}"
        return
    nullable = fields.endswith("?")
    if data is None:
        assert nullable, f"{where} must not be null"
        return
    base = fields.rstrip("?")
    if base == "string":
        assert isinstance(data, str), f"{where} must be a string"
    elif base == "boolean":
        assert isinstance(data, bool), f"{where} must be a boolean"
    elif base == "integer":
        assert isinstance(data, int) and not isinstance(data, bool), f"{where} must be an integer"
    elif base == "number":
        assert isinstance(data, (int, float)) and not isinstance(data, bool), f"{where} must be a number"
    elif base == "datetime":
        assert isinstance(data, str) and _w3c(data), f"{where}={data!r} must be a W3C datetime with zone"


def check_xml(element: Element, fields, where: str = "") -> None:
    where = where or element.tag
    if isinstance(fields, dict):
        tags = [child.tag for child in element]
        assert sorted(tags) == sorted(fields), f"<{where}> children {tags} != {sorted(fields)}"
        for child in element:
            check_xml(child, fields[child.tag], f"{where}/{child.tag}")
        return
    if isinstance(fields, tuple) and fields[0] == "list":
        for child in element:
            assert child.tag == fields[1], f"<{where}> holds <{child.tag}>, expected <{fields[1]}>"
            check_xml(child, fields[2], f"{where}/{child.tag}")
        return
    assert len(element) == 0, f"<{where}> must hold text only"
    text = element.text or ""
    if isinstance(fields, tuple) and fields[0] == "enum":
        assert text in fields[1], f"<{where}>{text}</> not in {sorted(fields[1])}"
        return
    if text == "":
        assert fields.endswith("?") or fields == "string?", f"<{where}> must not be empty"
        return
    base = fields.rstrip("?")
    if base == "boolean":
        assert text in {"true", "false"}, f"<{where}>{text}</> must be true or false"
    elif base == "integer":
        assert text.isdigit() or (text.startswith("-") and text[1:].isdigit()), f"<{where}> must be an integer"
    elif base == "number":
        float(text)
    elif base == "datetime":
        assert _w3c(text), f"<{where}>{text}</> must be a W3C datetime with zone"


def check_list(response, fmt: str, root: str, item: str, fields) -> list:
    """Check a list answer (``services``, ``service_requests``, ``errors``); return its items."""
    if fmt == "json":
        check_json(response.body, list_of(item, fields))
        return response.body
    assert response.body.tag == root
    check_xml(response.body, list_of(item, fields))
    return list(response.body)


def xml_value(element: Element, name: str) -> str:
    found = element.find(name)
    assert found is not None, f"<{element.tag}> has no <{name}>"
    return found.text or ""
