"""JSON and XML renderings with the element names of GeoReport v2.

XML: `<services><service>…`, `<service_requests><request>…`, `<service_definition>…`,
`<service_request_updates><request_update>…` (mySociety's extension; the element names that
FixMyStreet's client parses), `<errors><error><code/><description/></error></errors>`,
`<discovery>…`. Lists inside an
object repeat the singular element (`<endpoints><endpoint>…`, `<formats><format>…`).
"""

import json
from typing import Any
from xml.etree import ElementTree

from django.http import HttpResponse

JSON = "application/json; charset=utf-8"
XML = "text/xml; charset=utf-8"

# root element and item element of each top-level list
LIST_ROOTS = {
    "services": ("services", "service"),
    "requests": ("service_requests", "request"),
    "updates": ("service_request_updates", "request_update"),
    "errors": ("errors", "error"),
}
ITEM_OF = {
    "endpoints": "endpoint",
    "formats": "format",
    "attributes": "attribute",
    "values": "value",
}


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _fill(element: ElementTree.Element, value: Any) -> None:
    if isinstance(value, dict):
        for key, child in value.items():
            _fill(ElementTree.SubElement(element, key), child)
    elif isinstance(value, list):
        item = ITEM_OF.get(element.tag, "item")
        for child in value:
            _fill(ElementTree.SubElement(element, item), child)
    else:
        element.text = _text(value)


def to_xml(kind: str, body: Any) -> bytes:
    """`kind` is a key of LIST_ROOTS for a list body, else the root name for an object."""
    if kind in LIST_ROOTS:
        root_name, item_name = LIST_ROOTS[kind]
        root = ElementTree.Element(root_name)
        for item in body:
            _fill(ElementTree.SubElement(root, item_name), item)
    else:
        root = ElementTree.Element(kind)
        _fill(root, body)
    return ElementTree.tostring(root, encoding="utf-8", xml_declaration=True)


def render(fmt: str, kind: str, body: Any, status: int = 200) -> HttpResponse:
    if fmt == "xml":
        return HttpResponse(to_xml(kind, body), content_type=XML, status=status)
    return HttpResponse(json.dumps(body, ensure_ascii=False), content_type=JSON, status=status)


def error(fmt: str, status: int, description: str) -> HttpResponse:
    return render(fmt, "errors", [{"code": status, "description": description}], status)
