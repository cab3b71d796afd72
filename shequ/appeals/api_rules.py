"""/api/v1/appeals/rules: the responsibility list, read and imported from .xlsx."""

from typing import cast

from django.http import HttpRequest, JsonResponse
from ninja import File, Form, Router, Schema
from ninja.files import UploadedFile
from ninja.pagination import paginate

from shequ.access.api import PROTECTED
from shequ.accounts.models import User
from shequ.core.api.errors import PROTECTED_READ, PROTECTED_WRITE, ErrorOut, errors
from shequ.core.errors import error_body

from .rules import rules_import, rules_list_for

router = Router(tags=["responsibility list"], auth=PROTECTED)


class RuleOut(Schema):
    id: int
    category: str
    area: str
    lead_unit: str
    co_units: list[str]
    effective_from: str
    effective_to: str | None
    version: str


@router.get(
    "/appeals/rules",
    response={200: list[RuleOut], **errors(*PROTECTED_READ)},
    summary="The responsibility list (职责清单)",
)
@paginate
def list_rules(request: HttpRequest):
    qs = (
        rules_list_for(user=cast(User, request.user))
        .select_related("category", "area", "lead_unit")
        .prefetch_related("co_units")
    )
    return [
        {
            "id": r.pk,
            "category": r.category.code,
            "area": r.area.code,
            "lead_unit": r.lead_unit.code,
            "co_units": [u.code for u in r.co_units.all()],
            "effective_from": r.effective_from.isoformat(),
            "effective_to": r.effective_to.isoformat() if r.effective_to else None,
            "version": r.version,
        }
        for r in qs.order_by("category__code", "area__path", "-effective_from")
    ]


class ImportIn(Schema):
    dry_run: bool = False


class RuleRowErrorOut(Schema):
    row: int
    column: str
    message: str


class RulesImportOut(Schema):
    ok: bool
    created: int
    dry_run: bool
    errors: list[RuleRowErrorOut]


class RulesRejectedOut(ErrorOut):
    errors: list[RuleRowErrorOut] = []  # the file's rows; a bad request (no file) has none


@router.post(
    "/appeals/rules/import",
    response={**errors(*PROTECTED_WRITE), 200: RulesImportOut, 400: RulesRejectedOut},
    summary="Import rules from .xlsx (all rows or none)",
)
def import_rules(request: HttpRequest, payload: Form[ImportIn], file: File[UploadedFile]):
    report = rules_import(actor=cast(User, request.user), fileobj=file, dry_run=payload.dry_run)
    errors = [{"row": e.row, "column": e.column, "message": e.message} for e in report.errors]
    if not report.ok:
        body = {
            **error_body("import_rejected", "Some rows are not valid: nothing was imported."),
            "errors": errors,
        }
        return JsonResponse(body, status=400)
    return JsonResponse({"ok": True, "created": report.created, "dry_run": payload.dry_run, "errors": []})
