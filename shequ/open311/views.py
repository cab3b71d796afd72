"""Open311 GeoReport v2 endpoints. Each view reads its arguments, calls a selector or a service, and renders.

Every response, errors included, is in the format the URL asks for; an unknown format answers in XML, the one
format the spec requires. The POSTs are authenticated by `api_key`, not by a session, so they are CSRF exempt.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt

from shequ.appeals.choices import Channel
from shequ.appeals.models import Appeal
from shequ.appeals.services import IntakeData, clean_intake
from shequ.core.errors import ShequError
from shequ.core.idempotency import run_once

from . import conf, params, selectors
from .choices import FORMATS
from .keys import apikey_authenticate
from .models import ApiKey
from .serializers import (
    Open311Error,
    definition_out,
    render,
    render_errors,
    request_out,
    service_notice,
    service_out,
    update_out,
)
from .services import appeal_partner_update, appeal_submit_from_partner

# The appeals module's field names, as an Open311 client knows them.
FIELD_NAMES = {
    "text": "description",
    "contact_phone": "phone",
    "contact_name": "first_name",
    "area": "address_id",
    "address": "address_string",
    "category": "service_code",
    "lng": "long",
}

View = Callable[..., HttpResponse]


def _described(fields: dict[str, object]) -> list[str]:
    out = []
    for field, message in fields.items():
        name = FIELD_NAMES.get(field, field)
        text = str(message)
        out.append(text if text.startswith(name) else f"{name}: {text}")
    return out


def _from_shequ_error(exc: ShequError) -> Open311Error:
    """The platform's error as GeoReport errors: HTTP 404/403/400, the more specific status in the body code."""
    http = 404 if exc.status == 404 else 403 if exc.status == 403 else 400
    descriptions = _described(exc.fields) if exc.fields else [exc.message]
    return Open311Error(http, *descriptions, codes=[exc.status] * len(descriptions))


def _check_jurisdiction(request: HttpRequest) -> None:
    # One jurisdiction is served, so the argument may be left out; a different one is a resource we do not have.
    given = params.value(request.POST, "jurisdiction_id") or params.value(request.GET, "jurisdiction_id")
    if given and given != conf.jurisdiction():
        raise Open311Error(
            404, f"jurisdiction_id {given!r} not found; this endpoint serves {conf.jurisdiction()}"
        )


def endpoint(*methods: str) -> Callable[[View], View]:
    allowed = set(methods) | ({"HEAD"} if "GET" in methods else set())

    def decorate(view: View) -> View:
        @csrf_exempt
        @functools.wraps(view)
        def wrapper(request: HttpRequest, *args: object, fmt: str, **kwargs: object) -> HttpResponse:
            if fmt not in FORMATS:
                return render_errors(
                    "xml", Open311Error(404, f"format {fmt!r} not supported: use xml or json")
                )
            if request.method not in allowed:
                response = render_errors(fmt, Open311Error(405, f"{request.method} is not allowed here"))
                response["Allow"] = ", ".join(sorted(allowed))
                return response
            try:
                _check_jurisdiction(request)
                return view(request, *args, fmt=fmt, **kwargs)
            except Open311Error as exc:
                return render_errors(fmt, exc)
            except ShequError as exc:
                return render_errors(fmt, _from_shequ_error(exc))
            except PermissionDenied as exc:
                return render_errors(fmt, Open311Error(403, str(exc) or "forbidden"))
            except Http404 as exc:
                return render_errors(fmt, Open311Error(404, str(exc) or "not found"))

        return wrapper

    return decorate


# --- keys -----------------------------------------------------------------------------------------------------
def _key(request: HttpRequest, action: str) -> ApiKey:
    raw = params.value(request.POST, "api_key") or params.value(request.GET, "api_key")
    if not raw:
        raise Open311Error(403, f"api_key is required -- can't proceed with {action}.")
    key = apikey_authenticate(raw)
    if key is None:
        raise Open311Error(403, f"Invalid api_key received -- can't proceed with {action}.")
    return key


@dataclass(frozen=True)
class _KeyPrincipal:
    """Stands in for request.user while run_once computes its scope: the key's owner is who repeats a POST."""

    pk: str
    is_authenticated: bool = True


@contextmanager
def _acting_as(request: HttpRequest, key: ApiKey) -> Iterator[None]:
    # run_once scopes Idempotency-Keys by request.user ("user:<pk>"); a partner has no user, so its key takes
    # that place for the call, and one partner can neither replay nor block another's keys.
    saved = request.user
    setattr(request, "user", _KeyPrincipal(pk=f"open311-key:{key.pk}"))  # noqa: B010 - typed as a User
    try:
        yield
    finally:
        setattr(request, "user", saved)  # noqa: B010


def _once(request: HttpRequest, key: ApiKey, work: Callable[[], tuple[int, dict]]) -> tuple[int, dict, bool]:
    with _acting_as(request, key):
        return run_once(request, work)


# --- discovery and services -----------------------------------------------------------------------------------
@endpoint("GET")
def discovery(request: HttpRequest, fmt: str) -> HttpResponse:
    base = request.build_absolute_uri(request.path.rsplit("/", 1)[0] + "/")
    document = {
        "changeset": conf.CHANGESET,
        "contact": conf.CONTACT,
        "key_service": conf.KEY_SERVICE,
        "endpoints": [
            {
                "specification": conf.SPECIFICATION,
                "url": base,
                "changeset": conf.CHANGESET,
                "type": "test" if settings.DEBUG else "production",
                "formats": ["text/xml", "application/json"],
            }
        ],
    }
    return render(fmt, document, root="discovery")


@endpoint("GET")
def services(request: HttpRequest, fmt: str) -> HttpResponse:
    return render(fmt, [service_out(c) for c in selectors.services()], root="services", item="service")


@endpoint("GET")
def service_definition(request: HttpRequest, code: str, fmt: str) -> HttpResponse:
    return render(fmt, definition_out(selectors.service_get(code)), root="service_definition")


# --- requests -------------------------------------------------------------------------------------------------
@endpoint("GET", "POST")
def requests(request: HttpRequest, fmt: str) -> HttpResponse:
    if request.method == "POST":
        return _create_request(request, fmt)
    query = request.GET
    ids = params.comma_list(query, "service_request_id")
    if ids:  # "overrides all other arguments"
        found = selectors.requests_list(ids=ids)
    else:
        start, end = params.window(query)
        found = selectors.requests_list(
            service_codes=params.comma_list(query, "service_code"),
            start=start,
            end=end,
            statuses=params.statuses(query),
        )
    return _requests_document(request, fmt, found)


def _requests_document(request: HttpRequest, fmt: str, appeals: list[Appeal]) -> HttpResponse:
    out = [request_out(a, absolute=request.build_absolute_uri) for a in appeals]
    return render(fmt, out, root="service_requests", item="request")


@endpoint("GET")
def request_detail(request: HttpRequest, number: str, fmt: str) -> HttpResponse:
    return _requests_document(request, fmt, [selectors.request_get(number)])


@endpoint("GET")
def token(request: HttpRequest, token: str, fmt: str) -> HttpResponse:
    # Every service is "realtime": POST answers the service_request_id at once and no token is ever issued.
    # A client that asks anyway may use the request number as its token and gets the same number back.
    appeal = selectors.request_get(token)
    return render(
        fmt, [{"service_request_id": appeal.number, "token": token}], root="service_requests", item="request"
    )


def _create_request(request: HttpRequest, fmt: str) -> HttpResponse:
    key = _key(request, "create_request")
    status, body, replayed = _once(request, key, lambda: _submit(request, key))
    response = render(fmt, body["requests"], root="service_requests", item="request", status=status)
    if replayed:
        response["Idempotent-Replayed"] = "true"
    return response


def _submit(request: HttpRequest, key: ApiKey) -> tuple[int, dict]:
    data = request.POST
    code = params.value(data, "service_code")
    if not code:
        raise Open311Error(400, "service_code is required")
    category = selectors.service_get(code)
    form = params.request_form(data, category)
    intake = IntakeData(
        text=form.description,
        channel=Channel.OPEN311,
        category=category.code,
        lat=form.lat,
        lng=form.lng,
        address=form.address,
        area=form.address_id or None,
        contact_phone=form.phone,
        contact_name=form.contact_name,
        attributes=form.attributes,
    )
    if form.errors:
        # Answer every problem at once: add what the intake itself would refuse to what the form found.
        errors: dict[str, object] = dict(form.errors)
        try:
            clean_intake(intake)
        except ShequError as exc:
            errors = {**{FIELD_NAMES.get(k, k): v for k, v in exc.fields.items()}, **errors}
        raise Open311Error(400, *_described(errors))
    appeal = appeal_submit_from_partner(key=key, data=intake)
    created = {
        "service_request_id": appeal.number,
        "service_notice": service_notice(appeal) or None,
        "account_id": form.account_id or None,
    }
    return 200, {"requests": [created]}


# --- servicerequestupdates (FixMyStreet) ----------------------------------------------------------------------
@endpoint("GET", "POST")
def updates(request: HttpRequest, fmt: str) -> HttpResponse:
    if request.method == "POST":
        return _post_update(request, fmt)
    start, end = params.window(request.GET)
    events = selectors.updates_list(start=start, end=end)
    return render(
        fmt, [update_out(e) for e in events], root="service_requests_updates", item="request_update"
    )


def _post_update(request: HttpRequest, fmt: str) -> HttpResponse:
    key = _key(request, "post_service_request_update")

    def work() -> tuple[int, dict]:
        data = request.POST
        number = params.value(data, "service_request_id")
        if not number:
            raise Open311Error(400, "service_request_id is required")
        problems: dict[str, str] = {}
        media_url = params.http_url("media_url", params.value(data, "media_url"), problems)
        if problems:
            raise Open311Error(400, *problems.values())
        event, _ = appeal_partner_update(
            key=key,
            appeal=selectors.partner_request_get(key=key, number=number),
            status=params.value(data, "status"),
            description=params.value(data, "description"),
            update_id=params.value(data, "update_id"),
            updated_datetime=params.value(data, "updated_datetime"),
            media_url=media_url,
            external_status_code=params.value(data, "external_status_code"),
        )
        return 200, {"updates": [{"update_id": str(event.pk)}]}

    status, body, replayed = _once(request, key, work)
    response = render(
        fmt, body["updates"], root="service_request_updates", item="request_update", status=status
    )
    if replayed:
        response["Idempotent-Replayed"] = "true"
    return response
