"""Reading GeoReport arguments: W3C dates, the 90-day window, comma lists, and the POST request form.

"Optional" in the spec means that a parameter passed empty behaves exactly like one left out; every reader here
treats "" as missing.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.http import QueryDict
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from shequ.appeals.models import Category
from shequ.appeals.services import MAX_TEXT

from . import conf
from .choices import REQUEST_STATUSES
from .serializers import Open311Error

_ATTRIBUTE = re.compile(r"^attribute\[([^\[\]]{1,80})\](\[\])?$")
# "2026-11-01T00:00:00+08:00" sent unencoded in a query string arrives with a space for the "+".
_SPACED_OFFSET = re.compile(r" (\d\d(?::?\d\d)?)$")
MAX_ATTRIBUTE_TEXT = 500
MAX_URL = 500


def value(data: QueryDict, name: str) -> str:
    return (data.get(name) or "").strip()


def comma_list(data: QueryDict, name: str) -> list[str]:
    """The distinct values of a comma list, at most conf.MAX_LIST_ITEMS of them (a 400 beyond)."""
    seen: dict[str, None] = {}
    for part in value(data, name).split(","):
        if part.strip():
            seen[part.strip()] = None
    if len(seen) > conf.MAX_LIST_ITEMS:
        raise Open311Error(
            400,
            f"{name}: at most {conf.MAX_LIST_ITEMS} values in one request ({len(seen)} given); ask in pages",
        )
    return list(seen)


def w3c_datetime(name: str, text: str) -> datetime | None:
    """A W3C date-time with its offset ("Z" or ±hh:mm); the spec makes the timezone mandatory."""
    text = _SPACED_OFFSET.sub(r"+\1", text.strip())
    if not text:
        return None
    try:
        parsed = parse_datetime(text)
    except ValueError:
        parsed = None
    if parsed is None or timezone.is_naive(parsed):
        raise Open311Error(
            400, f"{name} must be a W3C date-time with a timezone, e.g. 2026-11-01T00:00:00+08:00 ({text!r})"
        )
    return parsed


def window(data: QueryDict, *, now: datetime | None = None) -> tuple[datetime, datetime]:
    """start_date/end_date on requested_datetime: at most 90 days; the last 90 days when neither is given."""
    start = w3c_datetime("start_date", value(data, "start_date"))
    end = w3c_datetime("end_date", value(data, "end_date"))
    span = timedelta(days=conf.WINDOW_DAYS)
    if start is not None and end is not None:
        if end < start:
            raise Open311Error(400, "end_date is before start_date")
        if end - start > span:
            raise Open311Error(400, f"start_date and end_date may not span more than {conf.WINDOW_DAYS} days")
        return start, end
    if start is not None:
        return start, start + span
    if end is not None:
        return end - span, end
    end = now or timezone.now()
    return end - span, end


def statuses(data: QueryDict) -> list[str]:
    given = comma_list(data, "status")
    wrong = [s for s in given if s not in REQUEST_STATUSES]
    if wrong:
        raise Open311Error(400, *[f"status {s!r} is not one of open, closed" for s in wrong])
    return given


def number(name: str, text: str, errors: dict[str, str]) -> float | None:
    if not text:
        return None
    try:
        result = float(text)
    except ValueError:
        result = math.nan
    if not math.isfinite(result):
        errors[name] = f"{name} must be a number ({text!r})"
        return None
    return result


def http_url(name: str, text: str, errors: dict[str, str]) -> str:
    if text and (len(text) > MAX_URL or not re.match(r"^https?://[^\s]+$", text, re.IGNORECASE)):
        errors[name] = f"{name} must be an http(s) URL of at most {MAX_URL} characters"
        return ""
    return text


def attributes(data: QueryDict, category: Category, errors: dict[str, str]) -> dict[str, Any]:
    """attribute[CODE]=v and attribute[CODE][]=v1&attribute[CODE][]=v2, checked against the definition.

    Only the service's own attributes are kept (partners such as FixMyStreet send extra ones, e.g.
    attribute[fixmystreet_id], which this platform has no use for); informational ones (variable=false) too
    are dropped. A required attribute that is missing is reported by appeals.services.clean_intake.
    """
    given: dict[str, list[str]] = {}
    for key, values in data.lists():
        match = _ATTRIBUTE.match(key)
        if match:
            given.setdefault(match.group(1), []).extend(v.strip() for v in values if v.strip())
    kept: dict[str, Any] = {}
    for attribute in category.attributes or []:
        code = attribute["code"]
        values = given.get(code) or []
        if not values or not attribute.get("variable", True):
            continue
        name = f"attribute[{code}]"
        datatype = attribute.get("datatype") or "string"
        keys = [str(v["key"]) for v in attribute.get("values", [])]
        if datatype == "multivaluelist":
            wrong = [v for v in values if v not in keys]
            if wrong:
                errors[name] = f"{name}: {', '.join(wrong)} not among {', '.join(keys)}"
            kept[code] = values
            continue
        text = values[-1]
        if datatype == "singlevaluelist" and text not in keys:
            errors[name] = f"{name}: {text!r} is not one of {', '.join(keys)}"
        elif datatype == "number":
            number(name, text, errors)
        elif datatype == "datetime":
            try:
                w3c_datetime(name, text)
            except Open311Error as exc:
                errors[name] = str(exc.errors[0]["description"])
        elif len(text) > (MAX_TEXT if datatype == "text" else MAX_ATTRIBUTE_TEXT):
            errors[name] = f"{name} is too long"
        kept[code] = text
    return kept


def contact_name(first: str, last: str) -> str:
    """Chinese names are family name first with no space ("张" + "伟" → "张伟"); others "first last"."""
    if first and last and not (first.isascii() or last.isascii()):
        return f"{last}{first}"
    return " ".join(part for part in (first, last) if part)


@dataclass
class RequestForm:
    """The POST requests arguments that the platform keeps, and the problems found in them."""

    service_code: str = ""
    lat: float | None = None
    lng: float | None = None
    address: str = ""
    address_id: str = ""
    attributes: dict[str, Any] = field(default_factory=dict)
    description: str = ""
    contact_name: str = ""
    phone: str = ""
    account_id: str = ""
    errors: dict[str, str] = field(default_factory=dict)


def request_form(data: QueryDict, category: Category) -> RequestForm:
    form = RequestForm(service_code=category.code)
    errors = form.errors
    form.lat = number("lat", value(data, "lat"), errors)
    form.lng = number("long", value(data, "long"), errors)
    form.address = value(data, "address_string")
    form.address_id = value(data, "address_id")
    has_point = bool(value(data, "lat")) and bool(value(data, "long"))
    if (bool(value(data, "lat")) != bool(value(data, "long"))) and "lat" not in errors:
        errors["lat"] = "lat and long are given together"
    if not (has_point or form.address or form.address_id) and not errors:
        errors["location"] = "a location is required: lat and long, address_string or address_id"
    form.attributes = attributes(data, category, errors)
    media_url = http_url("media_url", value(data, "media_url"), errors)
    if media_url:
        # No photo is fetched from a partner's URL (the server must not be made to request arbitrary addresses);
        # the link is kept with the appeal for the handler and returned as the request's media_url.
        form.attributes["media_url"] = media_url
    form.description = value(data, "description")
    if not form.description:
        errors["description"] = "description is required by this jurisdiction (describe the problem)"
    form.contact_name = contact_name(value(data, "first_name"), value(data, "last_name"))[:50]
    form.phone = value(data, "phone")
    form.account_id = value(data, "account_id")[:100]
    # email and device_id are accepted and not kept: an appeal has no field for them, and what is not needed
    # is not collected (PIPL). The requester is reached through the phone.
    return form
