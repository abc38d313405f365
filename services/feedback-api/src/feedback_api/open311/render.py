"""Open311 documents in JSON and XML (the same fields; XML after the GeoReport v2 examples)."""

from __future__ import annotations

import json
from typing import Any
from xml.etree.ElementTree import Element, SubElement, tostring

from fastapi.responses import Response

ROOTS = {
    # document kind: (XML root element, XML item element)
    "services": ("services", "service"),
    "requests": ("service_requests", "request"),
    "errors": ("errors", "error"),
}


def _scalar(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _fill(parent: Element, data: dict[str, Any]) -> None:
    for key, value in data.items():
        if key == "attributes" and isinstance(value, list):
            attrs = SubElement(parent, "attributes")
            for attr in value:
                _fill(SubElement(attrs, "attribute"), attr)
        elif key == "values" and isinstance(value, list):
            values = SubElement(parent, "values")
            for v in value:
                _fill(SubElement(values, "value"), v)
        elif key == "endpoints" and isinstance(value, list):
            endpoints = SubElement(parent, "endpoints")
            for e in value:
                _fill(SubElement(endpoints, "endpoint"), e)
        elif key == "formats" and isinstance(value, list):
            formats = SubElement(parent, "formats")
            for f in value:
                SubElement(formats, "format").text = f
        else:
            SubElement(parent, key).text = _scalar(value)


def to_xml(kind: str, payload: Any) -> bytes:
    if kind in ROOTS:
        root_name, item_name = ROOTS[kind]
        root = Element(root_name)
        for item in payload:
            _fill(SubElement(root, item_name), item)
    else:  # a single document: discovery, service_definition
        root = Element(kind)
        _fill(root, payload)
    body: bytes = tostring(root, encoding="utf-8")
    return b'<?xml version="1.0" encoding="utf-8"?>\n' + body


def respond(fmt: str, kind: str, payload: Any, status: int = 200) -> Response:
    if fmt == "xml":
        return Response(
            to_xml(kind, payload),
            status_code=status,
            media_type="text/xml; charset=utf-8",
        )
    body = json.dumps(payload, ensure_ascii=False).encode()
    return Response(body, status_code=status, media_type="application/json")
