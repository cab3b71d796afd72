"""The one NinjaAPI instance (/api/v1): error mapping to DESIGN.md §7 and the app routers."""

from __future__ import annotations

import logging

from django.core.exceptions import PermissionDenied, RequestDataTooBig, SuspiciousOperation
from django.db import DatabaseError, DataError, IntegrityError
from django.http import Http404, HttpRequest
from django.utils.translation import gettext, gettext_lazy
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError

from shequ.core.api.parser import StrictParser
from shequ.core.errors import ShequError, error_body

log = logging.getLogger("shequ.api")

api = NinjaAPI(
    title="Shequ API",
    version="1",
    description=(
        "社区 community services platform — public and staff API. Every error answers "
        '`{"code": "...", "message": "...", "fields": {...}}` with the status each operation declares.'
    ),
    urls_namespace="api-v1",
    parser=StrictParser(),
)


@api.exception_handler(ShequError)
def on_shequ_error(request: HttpRequest, exc: ShequError):
    return api.create_response(request, exc.as_dict(), status=exc.status)


# Pydantic's messages are English ("Field required"): the common kinds in the request's language, the rest as
# pydantic words them (issue 21).
_VALIDATION_MESSAGES = {
    "missing": gettext_lazy("This field is required."),
    "int_parsing": gettext_lazy("Enter a whole number."),
    "int_type": gettext_lazy("Enter a whole number."),
    "float_parsing": gettext_lazy("Enter a number."),
    "bool_parsing": gettext_lazy("Enter true or false."),
    "date_from_datetime_parsing": gettext_lazy("Enter a date as YYYY-MM-DD."),
    "date_parsing": gettext_lazy("Enter a date as YYYY-MM-DD."),
    "string_too_long": gettext_lazy("The text is too long."),
    "string_too_short": gettext_lazy("The text is too short."),
    "string_type": gettext_lazy("Enter text."),
    "greater_than_equal": gettext_lazy("The value is too small."),
    "less_than_equal": gettext_lazy("The value is too large."),
    "literal_error": gettext_lazy("Choose one of the allowed values."),
    "enum": gettext_lazy("Choose one of the allowed values."),
    "json_invalid": gettext_lazy("The body is not valid JSON."),
}


def _validation_message(err: dict) -> str:
    known = _VALIDATION_MESSAGES.get(err.get("type", ""))
    return str(known) if known is not None else str(err.get("msg", "invalid"))


@api.exception_handler(NinjaValidationError)
def on_validation_error(request: HttpRequest, exc: NinjaValidationError):
    # Ninja answers 422 by default; DESIGN.md §7 says a bad parameter is a 400 with per-field messages.
    fields: dict[str, str] = {}
    for err in exc.errors:
        loc = [str(p) for p in err.get("loc", []) if p not in ("query", "body", "path", "filters", "payload")]
        key = ".".join(loc) or "__all__"
        fields.setdefault(key, _validation_message(err))
    return api.create_response(
        request, error_body("invalid", gettext("Some parameters are not valid."), fields), status=400
    )


@api.exception_handler(Http404)
def on_not_found(request: HttpRequest, exc: Http404):
    return api.create_response(request, error_body("not_found", gettext("Not found.")), status=404)


@api.exception_handler(PermissionDenied)
def on_forbidden(request: HttpRequest, exc: PermissionDenied):
    return api.create_response(
        request, error_body("forbidden", str(exc) or gettext("You may not do this.")), status=403
    )


@api.exception_handler(DatabaseError)
def on_database_error(request: HttpRequest, exc: DatabaseError):
    # The transaction was rolled back, so nothing is half-written.
    if isinstance(exc, IntegrityError):
        return api.create_response(
            request, error_body("conflict", gettext("This conflicts with existing data.")), status=409
        )
    if isinstance(exc, DataError):
        # A value the database refused (out of range, NUL in text): the client's input, which the API should have
        # refused before the database did. A 400, so that the client does not retry it as an outage; logged as an
        # error because it means a check is missing.
        log.error("data error on %s: %s", request.path, exc)
        return api.create_response(
            request, error_body("invalid", "A value is not valid for this field or out of range."), status=400
        )
    # A real outage (connection lost, lock timeout, disk full): the client may retry.
    log.error("database error on %s: %s", request.path, type(exc).__name__)
    return api.create_response(
        request,
        error_body("service_unavailable", gettext("The database is not available; try again.")),
        status=503,
    )


@api.exception_handler(RequestDataTooBig)
def on_too_big(request: HttpRequest, exc: RequestDataTooBig):
    return api.create_response(
        request, error_body("too_large", gettext("The request body is too large.")), status=413
    )


@api.exception_handler(SuspiciousOperation)
def on_suspicious(request: HttpRequest, exc: SuspiciousOperation):
    # Too many fields, a broken multipart body: Django's own 400s, in the error shape.
    return api.create_response(
        request, error_body("bad_request", str(exc) or gettext("Bad request.")), status=400
    )


@api.exception_handler(AuthenticationError)
def on_auth_error(request: HttpRequest, exc: AuthenticationError):
    return api.create_response(
        request, error_body("unauthorized", gettext("Authentication required.")), status=401
    )


@api.exception_handler(HttpError)
def on_http_error(request: HttpRequest, exc: HttpError):
    if isinstance(exc.__cause__, ShequError):
        # The parser's own error (shequ.core.api.parser), which ninja wraps as "Cannot parse request body".
        return on_shequ_error(request, exc.__cause__)
    return api.create_response(
        request, error_body(f"http_{exc.status_code}", str(exc)), status=exc.status_code
    )


def _mount_routers() -> None:
    from shequ.geo.api import router as geo_router
    from shequ.residents.api import router as residents_router

    api.add_router("/", geo_router)
    from shequ.appeals.api import router as appeals_router

    api.add_router("/", residents_router)
    # Fixed paths under /appeals/ (rules, kpis) before /appeals/{appeal_id}.
    from shequ.appeals.api_rules import router as rules_router

    api.add_router("/", rules_router)
    from shequ.appeals.api_kpis import router as kpis_router

    api.add_router("/", kpis_router)
    from shequ.appeals.api_nearby import router as nearby_router

    api.add_router("/", nearby_router)
    api.add_router("/", appeals_router)
    from shequ.dispatch.api import router as dispatch_router

    api.add_router("/", dispatch_router)
    from shequ.earlywarning.api import router as warnings_router

    api.add_router("/", warnings_router)
    from shequ.facilities.api import router as facilities_router

    api.add_router("/", facilities_router)
    from shequ.notices.api import router as notices_router

    api.add_router("/", notices_router)
    from shequ.owners.api import router as owners_router

    api.add_router("/", owners_router)
    from shequ.surveys.api import router as surveys_router

    api.add_router("/", surveys_router)
    from shequ.credit.api import router as credit_router

    api.add_router("/", credit_router)
    from shequ.volunteers.api import router as volunteers_router

    api.add_router("/", volunteers_router)
    from shequ.indicators.api import router as indicators_router

    api.add_router("/", indicators_router)
    from shequ.venues.api import router as venues_router

    api.add_router("/", venues_router)
    from shequ.timebank.api import router as timebank_router

    api.add_router("/", timebank_router)
    from shequ.microprojects.api import router as microprojects_router

    api.add_router("/", microprojects_router)
    from shequ.care.api import router as care_router

    api.add_router("/", care_router)
    from shequ.participation.api import router as participation_router

    api.add_router("/", participation_router)
    from shequ.emergency.api import router as emergency_router

    api.add_router("/", emergency_router)


_mount_routers()
