"""Open311 GeoReport v2 in XML, the format the spec requires (JSON is the provider's
option): every ``/open311/v2/…​.xml`` resource answers the same body as its ``.json``
twin, written as the spec's examples write it (wiki.open311.org/GeoReport_v2):

``services.xml``           ``<services><service>…</service></services>``
``services/{code}.xml``    ``<service_definition><service_code/><attributes/></service_definition>``
``requests.xml`` (GET, POST) and ``requests/{id}.xml``
                           ``<service_requests><request>…</request></service_requests>``
errors                     ``<errors><error><code/><description/></error></errors>``

UTF-8 with the XML declaration; an empty field is an empty element; booleans are
``true``/``false``. ``as_xml_when_asked`` is the blueprint's after-request hook: the
endpoints build JSON once and the hook rewrites it for a ``.xml`` path.
"""
from __future__ import annotations

import json
from typing import Any
from xml.etree import ElementTree as ET

from flask import Response, request

# endpoint → (root element, element of each list item)
ROOTS = {
    "services": ("services", "service"),
    "service_definition": ("service_definition", None),
    "get_requests": ("service_requests", "request"),
    "get_request": ("service_requests", "request"),
    "post_request": ("service_requests", "request"),
}
ERRORS = ("errors", "error")
# a list inside an object: its items' element name
LIST_ITEMS = {"attributes": "attribute", "values": "value"}
MEDIA_TYPE = "text/xml"


def _text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _fill(element: ET.Element, value: Any, item_name: str | None = None) -> None:
    if isinstance(value, dict):
        for key, inner in value.items():
            _fill(ET.SubElement(element, key), inner, LIST_ITEMS.get(key))
    elif isinstance(value, list):
        for inner in value:
            _fill(ET.SubElement(element, item_name or "item"), inner, None)
    else:
        element.text = _text(value)


def to_xml(body: Any, root: str, item: str | None) -> bytes:
    """The JSON body of a GeoReport v2 answer as its XML document."""
    element = ET.Element(root)
    if isinstance(body, list):
        for inner in body:
            _fill(ET.SubElement(element, item or "item"), inner)
    else:
        _fill(element, body)
    # the declaration as the spec's examples write it (ElementTree's own uses single quotes)
    return b'<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(element, encoding="unicode").encode("utf-8")


def wants_xml() -> bool:
    return request.path.endswith(".xml")


def as_xml_when_asked(response: Response) -> Response:
    """After a request to ``….xml``: the JSON answer (or the JSON error list) as XML."""
    if not wants_xml() or response.mimetype != "application/json":
        return response
    endpoint = (request.endpoint or "").rsplit(".", 1)[-1]
    root, item = ERRORS if response.status_code >= 400 else ROOTS.get(endpoint, ERRORS)
    body = json.loads(response.get_data())
    response.set_data(to_xml(body, root, item))
    response.mimetype = MEDIA_TYPE
    response.charset = "utf-8"
    return response
