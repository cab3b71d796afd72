"""/api/v1/residents: scoped list and detail (masked), the audited reveal, and .xlsx import / masked export."""

from dataclasses import asdict
from typing import Literal

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, JsonResponse
from django.utils import timezone
from django.utils.translation import gettext
from ninja import File, Form, Query, Router, Schema, Status
from ninja.files import UploadedFile
from ninja.pagination import paginate

from shequ.access.api import PROTECTED
from shequ.access.scoping import can
from shequ.accounts.roles import Action
from shequ.core.api.errors import PROTECTED_READ, PROTECTED_WRITE, ErrorOut, errors
from shequ.core.api.pagination import MappedQuerySet
from shequ.core.api.types import Id
from shequ.core.errors import error_body

from . import exporting, importing, selectors, services
from .schemas import ResidentOut, RevealIn, RevealOut, resident_out

router = Router(tags=["residents"], auth=PROTECTED)


class ResidentFilters(Schema):
    area: str | None = None
    tag: str | None = None
    q: str | None = None
    phone: str | None = None
    id_number: str | None = None
    household: Id | None = None


@router.get(
    "/residents",
    response={200: list[ResidentOut], **errors(*PROTECTED_READ)},
    summary="List residents in your areas (masked)",
)
@paginate
def list_residents(request: HttpRequest, filters: Query[ResidentFilters]):
    if not can(request.user, Action.RESIDENTS_VIEW) and not hasattr(request.user, "resident"):
        raise PermissionDenied(gettext("Your role may not list residents."))
    qs = selectors.resident_list_for(user=request.user, **filters.dict())
    today = timezone.localdate()
    return MappedQuerySet(qs, lambda r: resident_out(r, today=today, viewer=request.user))


# Import and export are declared before /residents/{resident_id}: Ninja matches that path with Django's str
# converter, so "/residents/export" would otherwise reach get_resident and fail as a bad integer.


class RowErrorOut(Schema):
    row: int
    column: str
    message: str


class ImportReportOut(Schema):
    ok: bool
    dry_run: bool
    created_residents: int
    created_households: int
    errors: list[RowErrorOut]


class ImportRejectedOut(ErrorOut):
    errors: list[RowErrorOut] = []  # the file's rows; a bad request (no file) has none


@router.post(
    "/residents/import",
    response={**errors(*PROTECTED_READ), 200: ImportReportOut, 400: ImportRejectedOut},
    summary="Import residents from an .xlsx sheet (all rows or none)",
)
def import_residents(request: HttpRequest, file: File[UploadedFile], dry_run: Form[bool] = False):
    if not can(request.user, Action.RESIDENTS_IMPORT):
        raise PermissionDenied(gettext("Your role may not import residents."))
    report = importing.residents_import(
        actor=request.user,  # type: ignore[arg-type]  # the router's auth guarantees a signed-in user
        fileobj=file,
        dry_run=dry_run,
    )
    if not report.ok:
        body = error_body(
            "import_rejected",
            f"{len(report.errors)} problems in the file; nothing was imported.",
        )
        return Status(400, {**body, "errors": [asdict(e) for e in report.errors]})
    return Status(200, asdict(report))


class ExportFilters(ResidentFilters):
    format: Literal["xlsx", "csv"] = "xlsx"


@router.get(
    "/residents/export",
    response={200: None, **errors(*PROTECTED_READ)},
    summary="Export residents in your areas (masked) as .xlsx or .csv",
)
def export_residents(request: HttpRequest, filters: Query[ExportFilters]):
    if not can(request.user, Action.RESIDENTS_EXPORT):
        raise PermissionDenied(gettext("Your role may not export residents."))
    chosen = filters.dict(exclude={"format"})
    qs = selectors.resident_list_for(user=request.user, action=Action.RESIDENTS_EXPORT, **chosen)
    return exporting.residents_export(
        actor=request.user,  # type: ignore[arg-type]  # the router's auth guarantees a signed-in user
        qs=qs,
        fmt=filters.format,
        filters=chosen,
    )


@router.get(
    "/residents/{resident_id}",
    response={200: ResidentOut, **errors(*PROTECTED_READ)},
    summary="One resident (masked)",
)
def get_resident(request: HttpRequest, resident_id: Id):
    resident = selectors.resident_get_for(user=request.user, pk=resident_id)
    out = resident_out(resident, today=timezone.localdate(), viewer=request.user)
    services.resident_groups_viewed(actor=request.user, residents=[out], via="api")  # type: ignore[arg-type]
    return out


@router.post(
    "/residents/{resident_id}/reveal",
    response={200: RevealOut, **errors(*PROTECTED_WRITE)},
    summary="Reveal personal fields (audited)",
)
def reveal_resident(request: HttpRequest, resident_id: Id, payload: RevealIn):
    resident = selectors.resident_get_for(user=request.user, pk=resident_id)
    values = services.resident_reveal(
        actor=request.user,  # type: ignore[arg-type]  # the router's auth guarantees a signed-in user
        resident=resident,
        fields=payload.fields,
        purpose=payload.purpose,
    )
    response = JsonResponse({"id": resident.pk, "values": values, "audited": True})
    response["X-Shequ-Reveal"] = "audited"
    response["Cache-Control"] = "no-store"
    return response
