"""The appeals' KPI counters as figures for the plan's indicators (shequ/indicators/registry.py): this year's
counts under each area, read from the monthly rollup kept as events happen (never from the appeals)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shequ.geo.models import Area
from shequ.indicators.registry import Figure, SourceRow, sum_under

from .models import KpiAreaMonthly

COUNTERS = {
    "dispatched": _("Appeals dispatched this year"),
    "responded_on_time": _("Appeals responded to on time this year"),
    "replied": _("Appeals replied this year"),
    "replied_on_time": _("Appeals replied on time this year"),
    "rated": _("Appeals rated this year"),
    "satisfied": _("Appeals rated satisfied this year"),
    "resolved": _("Appeals rated resolved this year"),
}


def _this_year():
    return KpiAreaMonthly.objects.filter(month__gte=date(timezone.localdate().year, 1, 1))


def _counter(name: str):
    def compute(areas: Sequence[Area]) -> dict[str, float]:
        return sum_under(areas, _this_year(), path_field="area_path", value=Sum(name))

    def rows(area: Area, limit: int) -> list[SourceRow]:
        months = (
            _this_year()
            .filter(area_path__prefix=area.path)
            .values("month")
            .annotate(n=Sum(name))
            .order_by("month")[:limit]
        )
        return [SourceRow(label=f"{m['month']:%Y-%m}", detail=str(m["n"] or 0)) for m in months]

    return compute, rows


def _figure(name: str) -> Figure:
    compute, rows = _counter(name)
    return Figure(
        key=f"appeals.{name}",
        label=COUNTERS[name],
        unit=_("appeals"),
        source=_("Appeals' monthly KPI rollup (this calendar year)"),
        compute=compute,
        rows=rows,
    )


FIGURES = [_figure(name) for name in COUNTERS]
