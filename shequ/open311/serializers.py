"""GeoReport v2 documents: what each resource says (the *_out functions) and how it is written (JSON or XML).

The JSON is the spec's mechanical mapping of the XML (the "Spark convention"): a list resource is a top-level
array whose items are the XML root's children; nested lists (attributes, values, endpoints, formats) are arrays
whose XML items take the singular name. Identifiers are strings (the spec's own `"service_code":001` is not
JSON). Dates are W3C date-times with the offset, in the platform's time zone.

Nothing here reads the contact name or phone of an appeal: the requests documents are built from public fields
only, and free text (description, address, status notes) is passed through `redact`, so an ID number, mobile,
bank card or e-mail typed into it never leaves unmasked.

XML is written with the standard library's ElementTree, which escapes text; nothing here parses XML (what comes
in is form-encoded), so defusedxml is not needed on this side.
"""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any

from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from shequ.appeals.choices import Status, Urgency
from shequ.appeals.models import Appeal, Category, Event
from shequ.core.masking import redact

from .choices import request_status, update_status

JSON_TYPE = "application/json; charset=utf-8"
XML_TYPE = "text/xml; charset=utf-8"
XML_DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>\n'
# The XML name of one item of a nested list.
ITEM_NAMES = {"attributes": "attribute", "values": "value", "endpoints": "endpoint", "formats": "format"}
LIST_TYPES = ("singlevaluelist", "multivaluelist")
# Characters XML 1.0 cannot carry at all (not even escaped): dropped from text rather than breaking the document.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


class Open311Error(Exception):
    """One or more GeoReport errors with the HTTP status (404 unknown thing, 403 key, 400 everything else)."""

    def __init__(self, status: int, *descriptions: str, codes: Iterable[int] | None = None) -> None:
        super().__init__("; ".join(descriptions))
        self.status = status
        codes = list(codes) if codes is not None else [status] * len(descriptions)
        self.errors: list[dict[str, int | str]] = [
            {"code": c, "description": d} for c, d in zip(codes, descriptions, strict=True)
        ]


# --- writing --------------------------------------------------------------------------------------------------
def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return _NOT_XML.sub("", str(value))


def _append(parent: ET.Element, name: str, value: Any) -> None:
    element = ET.SubElement(parent, name)
    if isinstance(value, dict):
        for key, item in value.items():
            _append(element, key, item)
    elif isinstance(value, list):
        for item in value:
            _append(element, ITEM_NAMES.get(name, "item"), item)
    else:
        element.text = _text(value)


def to_xml(data: list | dict, *, root: str, item: str | None = None) -> bytes:
    """A list as <root><item>…</item>…</root>, an object as <root><field>…</field>…</root>."""
    top = ET.Element(root)
    if isinstance(data, list):
        for obj in data:
            _append(top, item or "item", obj)
    else:
        for key, value in data.items():
            _append(top, key, value)
    return (XML_DECLARATION + ET.tostring(top, encoding="unicode")).encode("utf-8")


def to_json(data: list | dict) -> bytes:
    return json.dumps(data, ensure_ascii=False).encode("utf-8", errors="replace")


def render(
    fmt: str, data: list | dict, *, root: str, item: str | None = None, status: int = 200
) -> HttpResponse:
    if fmt == "json":
        return HttpResponse(to_json(data), content_type=JSON_TYPE, status=status)
    return HttpResponse(to_xml(data, root=root, item=item), content_type=XML_TYPE, status=status)


def render_errors(fmt: str, error: Open311Error) -> HttpResponse:
    return render(fmt, error.errors, root="errors", item="error", status=error.status)


# --- what the resources say -----------------------------------------------------------------------------------
def w3c(value: datetime | None) -> str | None:
    return timezone.localtime(value).isoformat(timespec="seconds") if value else None


def service_out(category: Category) -> dict[str, Any]:
    return {
        "service_code": category.code,
        "service_name": category.name,
        "description": category.description or category.name,
        "metadata": bool(category.attributes),
        "type": "realtime",
        "keywords": category.keywords,
        "group": category.parent.name if category.parent else "",
    }


def attribute_out(attribute: dict[str, Any], position: int) -> dict[str, Any]:
    datatype = attribute.get("datatype") or "string"
    return {
        "variable": bool(attribute.get("variable", True)),
        "code": attribute["code"],
        "datatype": datatype,
        "required": bool(attribute.get("required", False)),
        "datatype_description": attribute.get("datatype_description", ""),
        "order": int(attribute.get("order") or position),
        "description": attribute.get("description", ""),
        "values": [
            {"key": str(v["key"]), "name": v.get("name", str(v["key"]))} for v in attribute.get("values", [])
        ]
        if datatype in LIST_TYPES
        else [],
    }


def definition_out(category: Category) -> dict[str, Any]:
    attributes = [attribute_out(a, i) for i, a in enumerate(category.attributes or [], start=1)]
    return {"service_code": category.code, "attributes": sorted(attributes, key=lambda a: a["order"])}


def service_notice(appeal: Appeal) -> str:
    if appeal.status == Status.MERGED and appeal.merged_into is not None:
        return _("Merged into %(number)s; follow that request.") % {"number": appeal.merged_into.number}
    if appeal.status in (Status.CLOSED, Status.REJECTED):
        return ""
    if appeal.reply_due is not None:
        due = timezone.localtime(appeal.reply_due).strftime("%Y-%m-%d %H:%M")
        return _("A reply is due by %(due)s.") % {"due": due}
    if appeal.urgency == Urgency.EMERGENCY:
        return _("Emergency: it is dispatched to the responsible unit within 20 minutes.")
    return _("Received; it will be dispatched to the responsible unit.")


def _district_code(appeal: Appeal) -> str:
    # The path is "/city/district/street/…": an anonymous request is placed no closer than its district.
    codes = [c for c in appeal.area.path.split("/") if c]
    return codes[1] if len(codes) > 1 else appeal.area.code


def request_out(appeal: Appeal, *, absolute: Callable[[str], str]) -> dict[str, Any]:
    """One service request from public fields only: never the contact name or phone, nor the requester.

    An anonymous appeal also loses everything that could point at a person: the address, the point, the media
    link and the precise area (only the district's code is left). The selector annotates `open311_notes` (the note
    of the latest public event that has one) and `open311_updated_at` (the latest public event).
    """
    closed = request_status(appeal.status) == "closed"
    updated = (appeal.closed_at if closed else None) or getattr(appeal, "open311_updated_at", None)
    notes = getattr(appeal, "open311_notes", None) or ""
    # Only a link the partner itself posted is returned. Photos uploaded to the platform are not published: they
    # show residents, homes and number plates, no step reviews them for the public, and they are served only to
    # the people who may see the appeal (shequ.appeals.views_photos; issue 19).
    media_url: str | None = None
    if isinstance(appeal.attributes, dict) and appeal.attributes.get("media_url"):
        media_url = str(appeal.attributes["media_url"])
    anonymous = appeal.anonymous
    return {
        "service_request_id": appeal.number,
        "status": "closed" if closed else "open",
        "status_notes": redact(notes) or None,
        "service_name": appeal.category.name if appeal.category else None,
        "service_code": appeal.category.code if appeal.category else None,
        "description": redact(appeal.text),
        "agency_responsible": appeal.lead_unit.name if appeal.lead_unit else None,
        "service_notice": service_notice(appeal) or None,
        "requested_datetime": w3c(appeal.created_at),
        "updated_datetime": w3c(updated or appeal.created_at),
        "expected_datetime": w3c(appeal.reply_due),
        "address": None if anonymous else (redact(appeal.address) or None),
        "address_id": _district_code(appeal) if anonymous else appeal.area.code,
        "lat": None if anonymous else appeal.lat,
        "long": None if anonymous else appeal.lng,
        "media_url": None if anonymous else media_url,
    }


def update_out(event: Event) -> dict[str, Any]:
    data = event.data if isinstance(event.data, dict) else {}
    return {
        "update_id": str(event.pk),
        "service_request_id": event.appeal.number,
        "status": update_status(event.action, event.to_status),
        "description": redact(event.note),
        "updated_datetime": w3c(event.at),
        "media_url": data.get("media_url") or None,
        "external_status_code": data.get("external_status_code") or None,
    }
