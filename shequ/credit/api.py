"""/api/v1/credit-lists: a year's 激励名单 and 风险名单 (and the rest), each entry with its evidence."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from ninja import Query, Router, Schema
from pydantic import Field

from shequ.access.api import PROTECTED
from shequ.access.scoping import can
from shequ.accounts.roles import Action
from shequ.core.api.errors import PROTECTED_READ, errors

from . import formula, selectors

router = Router(tags=["credit"])


class YearIn(Schema):
    year: int = Field(ge=2000, le=2100)


def entry_out(e) -> dict:
    return {
        "subject": {
            "id": e.subject_id,
            "kind": e.subject.kind,
            "name": e.subject.name,
            "company": e.subject.company.name if e.subject.company_id else None,
            "area": e.subject.area.code,
        },
        "list": e.standing,
        "score": float(e.score),
        "supervision_level": e.level,
        "evidence": e.evidence,
        "formula": e.formula,
        "computed_at": e.computed_at.isoformat(),
    }


@router.get(
    "/credit-lists",
    response={200: dict, **errors(*PROTECTED_READ)},
    auth=PROTECTED,
    summary="A year's credit lists with their evidence",
)
def credit_lists(request: HttpRequest, params: Query[YearIn]):
    """Staff with `credit.manage`: the year's entries of the subjects in their areas, grouped as the incentive
    list, the risk list and the rest, each with its score, supervision level and evidence (formula.py)."""
    if not can(request.user, Action.CREDIT_MANAGE):
        raise PermissionDenied
    entries = [entry_out(e) for e in selectors.entry_list_for(user=request.user, year=params.year)]
    return {
        "year": params.year,
        "formula": formula.FORMULA,
        "incentive": [e for e in entries if e["list"] == "incentive"],
        "risk": [e for e in entries if e["list"] == "risk"],
        "normal": [e for e in entries if e["list"] == "normal"],
    }
