"""GET /api/v1/appeals/kpis: the appeal KPIs (docs/kpis.md) read from the rollups, scoped to the caller.

Mounted before the appeals router so that `/appeals/kpis` is not taken for `/appeals/{appeal_id}`.
"""

from __future__ import annotations

from datetime import date

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from shequ.access.api import PROTECTED
from shequ.core.api.errors import PROTECTED_READ, errors
from shequ.core.api.types import Day

from . import kpis

router = Router(tags=["appeals"])


class KpiFilters(Schema):
    area: str | None = Field(None, description="Area code; default: your whole scope")
    group_by: str = Field("none", description=f"One of {', '.join(kpis.GROUP_BY)}")
    date_from: Day | None = Field(None, alias="from", description="First day (default: 29 days before `to`)")
    to: Day | None = Field(None, description="Last day, included (default: today)")
    category: str | None = Field(None, description="Top-level category code")
    min_volume: int = Field(
        kpis.DEFAULT_MIN_VOLUME, ge=0, description="group_by=unit: leave out units with fewer work orders"
    )


class KpiRates(Schema):
    response_rate: float | None
    resolution_rate: float | None
    satisfaction_rate: float | None
    on_time_rate: float | None
    reopen_rate: float | None
    return_rate: float | None
    mean_handling_hours: float | None
    emergency_dispatch_rate: float | None


class KpiRow(Schema):
    key: str | None
    label: str
    received: int
    dispatched: int
    responded: int
    responded_on_time: int
    replied: int
    replied_on_time: int
    handling_seconds: int
    rated: int
    satisfied: int
    resolved: int
    reopened: int
    returned: int
    closed: int
    overdue: int
    rejected: int
    emergency_received: int
    emergency_dispatched_in_20min: int
    rates: KpiRates


class KpiOut(Schema):
    date_from: date = Field(..., alias="from")
    to: date
    group_by: str
    rows: list[KpiRow]
    left_out: int


@router.get(
    "/appeals/kpis",
    response={200: KpiOut, **errors(*PROTECTED_READ)},
    by_alias=True,
    auth=PROTECTED,
    summary="Appeal KPIs (响应率, 解决率, 满意率 …) by unit, area, category or period",
)
def appeal_kpis(request: HttpRequest, filters: Query[KpiFilters]):
    """Sums of the daily rollups; never a scan of the appeals. See docs/kpis.md for every formula."""
    result = kpis.kpi_query(
        user=request.user,
        area=filters.area,
        group_by=filters.group_by,
        date_from=filters.date_from,
        date_to=filters.to,
        category=filters.category,
        min_volume=filters.min_volume,
    )
    return result.as_dict()
