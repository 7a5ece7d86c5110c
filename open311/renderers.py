"""JSON and XML renderers for GeoReport v2.

The JSON is the Spark-convention mapping of the XML: a list under a plural element becomes repeated
singular child elements (``services`` → ``service``). XML is built with ElementTree, which escapes
every value, and carries the XML declaration with UTF-8 as the specification requires.
"""

import xml.etree.ElementTree as ET

from rest_framework.renderers import BaseRenderer, JSONRenderer

XML_DECLARATION = b'<?xml version="1.0" encoding="utf-8"?>\n'

# Plural element → the element of each item in it (the spec's "⇊" lists).
ITEM_ELEMENT = {
    "services": "service",
    "service_requests": "request",
    "errors": "error",
    "attributes": "attribute",
    "values": "value",
    "endpoints": "endpoint",
    "formats": "format",
}


class Open311JSONRenderer(JSONRenderer):
    charset = "utf-8"


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _fill(element: ET.Element, value) -> None:
    if isinstance(value, dict):
        for key, item in value.items():
            _fill(ET.SubElement(element, key), item)
    elif isinstance(value, list):
        child_name = ITEM_ELEMENT[element.tag]
        for item in value:
            _fill(ET.SubElement(element, child_name), item)
    else:
        element.text = _text(value)


def to_xml(root_name: str, data) -> bytes:
    root = ET.Element(root_name)
    _fill(root, data)
    return XML_DECLARATION + ET.tostring(root, encoding="utf-8", xml_declaration=False)


class Open311XMLRenderer(BaseRenderer):
    media_type = "text/xml"
    format = "xml"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        context = renderer_context or {}
        response = context.get("response")
        if response is not None and response.exception:
            root = "errors"
        else:
            root = getattr(context.get("view"), "xml_root", "service_requests")
        return to_xml(root, data)
