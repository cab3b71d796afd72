"""/api/v1/indicators: the plan's indicators at an area (value, target, gap, time of computation) and one
indicator's series over the days the rollup ran. Read-only; scoped like the pages (out of scope is a 404)."""

from __future__ import annotations

from datetime import date, datetime

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema

from shequ.access.api import PROTECTED
from shequ.access.scoping import can
from shequ.accounts.roles import Action
from shequ.core.api.errors import PROTECTED_READ, errors

from . import selectors

router = Router(tags=["indicators"])


class AreaQuery(Schema):
    area: str | None = None


class IndicatorOut(Schema):
    key: str
    name: str
    section: str
    unit: str
    version: int
    comparison: str
    target: float
    target_year: int
    value: float | None
    gap: float | None
    met: bool | None
    trend: float | None
    computed_at: datetime | None
    no_data_source: list[str]


class IndicatorsOut(Schema):
    area: str
    area_name: str
    day: date | None
    indicators: list[IndicatorOut]


class PointOut(Schema):
    day: date
    value: float | None
    target: float
    gap: float | None
    computed_at: datetime


class SeriesOut(Schema):
    key: str
    area: str
    points: list[PointOut]


def _require_view(request: HttpRequest) -> None:
    if not can(request.user, Action.INDICATORS_VIEW):
        raise PermissionDenied(_("You may not see the plan's indicators."))


@router.get(
    "/indicators",
    response={200: IndicatorsOut, **errors(*PROTECTED_READ)},
    auth=PROTECTED,
    summary="The plan's indicators at an area: value, target, gap and when computed",
)
def indicators(request: HttpRequest, query: Query[AreaQuery]):
    _require_view(request)
    area = selectors.indicator_area_for(user=request.user, code=(query.area or "")[:32] or None)
    board = selectors.indicator_board_for(user=request.user, area=area)
    return {
        "area": area.code,
        "area_name": area.name,
        "day": board["day"],
        "indicators": [r.as_dict() for r in board["rows"]],
    }


@router.get(
    "/indicators/{key}/series",
    response={200: SeriesOut, **errors(*PROTECTED_READ)},
    auth=PROTECTED,
    summary="One indicator's value at an area, day by day",
)
def series(request: HttpRequest, key: str, query: Query[AreaQuery]):
    _require_view(request)
    area = selectors.indicator_area_for(user=request.user, code=(query.area or "")[:32] or None)
    points = selectors.indicator_series_for(user=request.user, key=key[:64], area=area)
    return {
        "key": key,
        "area": area.code,
        "points": [
            {"day": p.day, "value": p.value, "target": p.target, "gap": p.gap, "computed_at": p.computed_at}
            for p in points
        ],
    }
