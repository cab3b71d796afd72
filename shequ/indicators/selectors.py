"""READS of the indicators, always scoped: an area outside the user's INDICATORS_VIEW scope reads as one that does
not exist. Pages and the API read only the rollup's rows (IndicatorValue), never the modules' tables; the source
rows of one figure for one area are the one bounded exception (the evidence a leader opens on purpose)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db.models import Max, QuerySet
from django.utils.translation import gettext as _

from shequ.access.scoping import scope_for
from shequ.accounts.roles import Action
from shequ.core.errors import NotFound
from shequ.geo.models import Area

from . import formula as formulas
from .choices import Escalation, TaskStatus
from .models import Indicator, IndicatorValue, PlanTask, PlanTaskEvent
from .registry import figure_get

CHILD_LEVEL = {"city": "district", "district": "street", "street": "community"}
ROWS_LIMIT = 200
VALUE_FIELDS = (
    "key",
    "area",
    "level",
    "day",
    "value",
    "target",
    "gap",
    "met",
    "missing",
    "computed_at",
    "indicator",
)


def _not_found(code: str) -> NotFound:
    # Without the code asked for: an area outside the scope must answer byte for byte as a missing one.
    return NotFound(_("No area has this code."))


def indicator_area_for(*, user, code: str | None, action: str = Action.INDICATORS_VIEW) -> Area:
    """The area asked for, or the root of the user's scope; outside the scope it reads as missing (404)."""
    scope = scope_for(user, action)
    if scope.empty:
        raise NotFound(_("No area has this code."))
    if not code:
        root = sorted(scope.paths, key=len)[0]
        code = [c for c in root.split("/") if c][-1]
    area = (
        Area.objects.filter(code=code, level__in=["city", "district", "street", "community"])
        .defer("boundary", "bbox")
        .first()
    )
    if area is None or not scope.covers_path(area.path):
        raise _not_found(code)
    return area


def latest_day(area: Area) -> date | None:
    return IndicatorValue.objects.filter(area=area).aggregate(d=Max("day"))["d"]


@dataclass
class Row:
    """One indicator at one area on the page: value, target, gap, trend and its children's values."""

    indicator: Indicator
    value: IndicatorValue | None
    previous: float | None = None
    children: list[IndicatorValue] = field(default_factory=list)

    @property
    def trend(self) -> float | None:
        if self.value is None or self.value.value is None or self.previous is None:
            return None
        return round(self.value.value - self.previous, 4)

    @property
    def no_source(self) -> list[str]:
        return (
            list(self.value.missing)
            if self.value is not None
            else formulas.figure_keys(self.indicator.formula)
        )

    def as_dict(self) -> dict[str, Any]:
        v = self.value
        return {
            "key": self.indicator.key,
            "name": self.indicator.name,
            "section": self.indicator.section,
            "unit": self.indicator.unit,
            "version": self.indicator.version,
            "comparison": self.indicator.comparison,
            "target": self.indicator.target,
            "target_year": self.indicator.target_year,
            "value": v.value if v else None,
            "gap": v.gap if v else None,
            "met": v.met if v else None,
            "trend": self.trend,
            "computed_at": v.computed_at if v else None,
            "no_data_source": self.no_source,
        }


def indicator_board_for(*, user, area: Area, day: date | None = None) -> dict[str, Any]:
    """Every current indicator at `area` and at its children on the latest computed day (a constant number of
    queries: indicators, the day, the values of the area and its children, the previous day's values)."""
    day = day or latest_day(area)
    child_level = CHILD_LEVEL.get(area.level)
    indicators = [i for i in Indicator.objects.filter(is_current=True) if area.level in i.levels]
    values: dict[str, IndicatorValue] = {}
    children: dict[str, list[IndicatorValue]] = {}
    previous: dict[str, float | None] = {}
    if day is not None:
        levels = [area.level, child_level] if child_level else [area.level]
        qs = (
            IndicatorValue.objects.filter(day=day, level__in=levels, area_path__prefix=area.path)
            .select_related("area")
            # The children's boundaries are megabytes of GeoJSON (a district's): the page needs names and codes.
            .only(*VALUE_FIELDS, "area__code", "area__name", "area__path", "area__level")
            .order_by("area__code")
        )
        for v in qs:
            if v.area_id == area.pk:
                values[v.key] = v
            elif v.level == child_level:
                children.setdefault(v.key, []).append(v)
        before = IndicatorValue.objects.filter(area=area, day__lt=day).aggregate(d=Max("day"))["d"]
        if before is not None:
            previous = dict(IndicatorValue.objects.filter(area=area, day=before).values_list("key", "value"))
    rows = [Row(i, values.get(i.key), previous.get(i.key), children.get(i.key, [])) for i in indicators]
    return {"area": area, "day": day, "child_level": child_level, "rows": rows}


def indicator_get(key: str) -> Indicator:
    indicator = Indicator.objects.filter(key=key, is_current=True).first()
    if indicator is None:
        raise NotFound(_("No indicator has this key."), fields={"key": key})
    return indicator


def indicator_series_for(*, user, key: str, area: Area) -> QuerySet[IndicatorValue]:
    indicator_get(key)
    return IndicatorValue.objects.filter(key=key, area=area).order_by("day")


def indicator_sources_for(*, user, key: str, area: Area, limit: int = ROWS_LIMIT) -> list[dict[str, Any]]:
    """The figures an indicator's value at `area` was computed from, each with its stored value and its source
    rows (at most `limit` per figure)."""
    indicator = indicator_get(key)
    day = latest_day(area)
    stored = IndicatorValue.objects.filter(key=key, area=area, day=day).first() if day else None
    out = []
    for fkey in formulas.figure_keys(indicator.formula):
        figure = figure_get(fkey)
        rows = [r.as_dict() for r in figure.rows(area, limit)] if figure and figure.rows else []
        out.append(
            {
                "key": fkey,
                "label": str(figure.label) if figure else fkey,
                "source": str(figure.source) if figure else "",
                "unit": str(figure.unit) if figure else "",
                "registered": figure is not None,
                "value": stored.inputs.get(fkey) if stored else None,
                "rows": rows,
                "more": len(rows) >= limit,
            }
        )
    return out


# --- The task ledger --------------------------------------------------------------------------------------------


def plan_task_list_for(
    *, user, area: Area | None = None, action: str = Action.INDICATORS_VIEW
) -> QuerySet[PlanTask]:
    """Tasks of the user's areas (a district plan's rows lie in its district; the city's in the city: a district
    officer sees his district's breakdown and not the city's own rows)."""
    scope = scope_for(user, action)
    qs = PlanTask.objects.none()
    for path in scope.paths:
        qs = qs | PlanTask.objects.filter(area_path__prefix=path)
    if area is not None:
        qs = qs.filter(area_path__prefix=area.path)
    return qs.select_related("area", "parent").order_by("due_date", "code")


def plan_task_get_for(*, user, pk: int, action: str = Action.INDICATORS_VIEW) -> PlanTask:
    task = plan_task_list_for(user=user, action=action).filter(pk=pk).first()
    if task is None:
        raise NotFound(_("No task has this number."))
    return task


def plan_task_events(task: PlanTask) -> QuerySet[PlanTaskEvent]:
    return task.events.select_related("actor").order_by("at", "pk")


def is_overdue(task: PlanTask, today: date) -> bool:
    return task.status != TaskStatus.DONE and task.due_date < today


def task_counts(tasks: list[PlanTask], today: date) -> dict[str, int]:
    return {
        "all": len(tasks),
        "done": sum(t.status == TaskStatus.DONE for t in tasks),
        "overdue": sum(is_overdue(t, today) for t in tasks),
        "supervised": sum(t.escalation == Escalation.SUPERVISED for t in tasks),
    }
