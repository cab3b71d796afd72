"""The report reads: `kpi_query` (GET /api/v1/appeals/kpis) and `kpi_report` (the leaders' dashboard) sum rollup
rows inside the caller's APPEALS_KPI scope, with a constant number of queries, and compute the rates of
docs/kpis.md ("Formulas", "Reading"). They never read the appeals or their timeline.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import connection
from django.db.models import Q, QuerySet, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone
from django.utils.translation import gettext as _

from shequ.access.scoping import scope_for
from shequ.accounts.models import Unit
from shequ.accounts.roles import Action
from shequ.core.db import planned_for_parameters, where_of
from shequ.core.errors import NotFound, ShequError
from shequ.geo.choices import LEVEL_DEPTH, AreaLevel
from shequ.geo.models import Area

from ..models import Category, KpiAreaDaily, KpiAreaMonthly, KpiDaily, KpiMonthly
from .rules import COMMUNITY_DEPTH, COUNTERS, ROLLUPS

GROUP_BY = ("none", "unit", "district", "street", "community", "category", "day", "month")
MAX_DAYS = 400
DEFAULT_MIN_VOLUME = 10
_AREA_LEVEL_DEPTH = {
    "district": LEVEL_DEPTH[AreaLevel.DISTRICT],
    "street": LEVEL_DEPTH[AreaLevel.STREET],
    "community": COMMUNITY_DEPTH,
}


def _ratio(numerator: int, denominator: int) -> float | None:
    return round(numerator / denominator, 4) if denominator else None


def rates(c: Mapping[str, int]) -> dict[str, float | None]:
    """The formulas of docs/kpis.md. None when the denominator is 0 (no basis, not 0 %)."""
    return {
        "response_rate": _ratio(c["responded_on_time"], c["dispatched"]),  # 响应率
        "resolution_rate": _ratio(c["resolved"], c["rated"]),  # 解决率
        "satisfaction_rate": _ratio(c["satisfied"], c["rated"]),  # 满意率
        "on_time_rate": _ratio(c["replied_on_time"], c["replied"]),  # 按时办结率
        "reopen_rate": _ratio(c["reopened"], c["replied"]),  # 重办率
        "return_rate": _ratio(c["returned"], c["dispatched"]),  # 退单率
        "mean_handling_hours": (
            round(c["handling_seconds"] / c["replied"] / 3600, 2) if c["replied"] else None
        ),
        "emergency_dispatch_rate": _ratio(c["emergency_dispatched_in_20min"], c["emergency_received"]),
    }


@dataclass
class KpiResult:
    date_from: date
    date_to: date
    group_by: str
    rows: list[dict[str, Any]]
    left_out: int

    def as_dict(self) -> dict[str, Any]:
        return {
            "from": self.date_from.isoformat(),
            "to": self.date_to.isoformat(),
            "group_by": self.group_by,
            "rows": self.rows,
            "left_out": self.left_out,
        }


def kpi_query(
    *,
    user,
    area: str | None = None,
    group_by: str = "none",
    date_from: date | None = None,
    date_to: date | None = None,
    category: str | None = None,
    min_volume: int = DEFAULT_MIN_VOLUME,
) -> KpiResult:
    """KPIs over the rollups, inside the user's APPEALS_KPI scope; a constant number of queries.

    An area outside the scope answers exactly like an unknown one (404). With group_by=unit the rows are a
    ranking (满意率, then 解决率) of the units with at least `min_volume` work orders; `left_out` says how many
    units had fewer.
    """
    return kpi_report(
        user=user,
        area=area,
        group_bys=[group_by],
        date_from=date_from,
        date_to=date_to,
        category=category,
        min_volume=min_volume,
    )[group_by]


def kpi_report(
    *,
    user,
    group_bys: Sequence[str],
    area: str | None = None,
    date_from: date | None = None,
    date_to: date | None = None,
    category: str | None = None,
    min_volume: int = DEFAULT_MIN_VOLUME,
) -> dict[str, KpiResult]:
    """Several groupings of the same period and place at once (the leaders' dashboard), validated once. On
    PostgreSQL one GROUPING SETS statement per rollup table read; on SQLite one read per distinct grouping (the
    total comes from the categories' read when both are asked for). A constant number of queries whatever is
    asked."""
    scope = scope_for(user, Action.APPEALS_KPI)
    if scope.empty:
        raise PermissionDenied(_("You may not read appeal KPIs."))
    date_to = date_to or timezone.localdate()
    date_from = date_from or date_to - timedelta(days=29)  # the last 30 days
    errors: dict[str, str] = {}
    if not group_bys or any(g not in GROUP_BY for g in group_bys):
        errors["group_by"] = f"One of {', '.join(GROUP_BY)}."
    if date_to < date_from:
        errors["to"] = "'to' must not be before 'from'."
    elif (date_to - date_from).days + 1 > MAX_DAYS:
        errors["to"] = f"A period is at most {MAX_DAYS} days."
    if min_volume < 0:
        errors["min_volume"] = "0 or more."
    if errors:
        raise ShequError(_("Some parameters are not valid."), code="invalid", fields=errors)

    paths = sorted(scope.paths)
    if area:
        path = Area.objects.filter(code=area).values_list("path", flat=True).first()
        if path is None or not scope.covers_path(path):
            # The same words for "unknown" and "not yours": the answer must not tell them apart.
            raise NotFound(_("No area has this code."), fields={"area": area})
        paths = [path]
    where = Q()
    in_scope = Q(pk__in=[])
    for p in paths:
        in_scope |= Q(area_path__prefix=p)
    where &= in_scope
    if category:
        cat = Category.objects.filter(code=category).values_list("pk", "parent__code").first()
        if cat is None:
            raise NotFound(f"Unknown category {category!r}.", fields={"category": category})
        if cat[1] is not None:
            raise ShequError(
                _("KPIs are kept by top-level category: use %(code)s.") % {"code": cat[1]},
                code="invalid",
                fields={"category": category},
            )
        where &= Q(category_id=cat[0])

    # Each grouping is one SQL GROUP BY: folding a finer read in Python costs more than the database does
    # (bench/pages/RESULTS.md). On PostgreSQL the groupings that read the same rollup rows are one statement
    # (GROUPING SETS: the rows are read once, summed once per grouping). The total is the sum of the categories'
    # rows when those are asked for too.
    wanted = list(dict.fromkeys(group_bys))
    reads = {
        g: SQL_GROUPS.get(g, ["area_path"]) for g in wanted if not (g == "none" and "category" in wanted)
    }
    # The unit ranking reads the levels with the unit, every other grouping those without it (far fewer rows).
    # With no whole month inside the period every grouping reads daily rows; otherwise the days grouping does,
    # and the others read whole months and edge days.
    whole_months = _whole_months(date_from, date_to) is not None
    batches: dict[tuple[bool, bool], dict[str, list[str]]] = {}
    for g, fields in reads.items():
        batches.setdefault((not whole_months or g == "day", g != "unit"), {})[g] = fields
    raws: dict[str, list[dict]] = {}
    # Planned for this scope and period every time, never with a prepared statement's generic plan (core.db.plans).
    with planned_for_parameters():
        for (by_day, by_area), batch in batches.items():
            raws.update(_read_many(where, batch, date_from, date_to, by_day=by_day, by_area=by_area))
    results = {g: _fold(g, raws[g], date_from, date_to, min_volume) for g in reads}
    if "none" in wanted and "none" not in results:
        results["none"] = _fold("none", raws["category"], date_from, date_to, min_volume)
    return {g: results[g] for g in wanted}


# The rollup fields behind each grouping; district, street and community group by the community's path.
SQL_GROUPS: dict[str, list[str]] = {
    "none": [],
    "unit": ["unit"],
    "category": ["category"],
    "day": ["day"],
    "month": ["month"],
}


def _read_many(
    where: Q,
    groups: Mapping[str, list[str]],
    date_from: date,
    date_to: date,
    *,
    by_day: bool,
    by_area: bool,
) -> dict[str, list[dict]]:
    """The summed rollup rows of each grouping. Groupings with the same fields share one read; on PostgreSQL
    several groupings are one GROUPING SETS statement per rollup table."""
    distinct: dict[tuple[str, ...], list[str]] = {}
    for g, fields in groups.items():
        distinct.setdefault(tuple(fields), []).append(g)
    parts = _periods(date_from, date_to, by_day=by_day, by_area=by_area)
    if connection.vendor == "postgresql" and len(distinct) > 1:
        by_fields = _read_grouping_sets(where, list(distinct), parts)
    else:
        by_fields = {fields: _read(where, list(fields), parts) for fields in distinct}
    return {g: by_fields[fields] for fields, names in distinct.items() for g in names}


def _read(where: Q, sql_group: list[str], parts: list[QuerySet]) -> list[dict]:
    sums = {name: Sum(name) for name in COUNTERS}
    raw: list[dict[str, Any]] = []
    for part in parts:
        qs = part.filter(where).order_by()
        if sql_group:
            raw += qs.values(*sql_group).annotate(**sums)
        else:
            raw.append(qs.aggregate(**sums))
    return raw


# Column expressions of the grouping fields, per rollup table (a daily row's month is its day's month).
_DAILY_COLUMNS = {
    "unit": "unit_id",
    "category": "category_id",
    "day": "day",
    "area_path": "area_path",
    "month": "CAST(date_trunc('month', day) AS date)",
}
_MONTHLY_COLUMNS = {**_DAILY_COLUMNS, "month": "month"}


def _read_grouping_sets(
    where: Q, groupings: list[tuple[str, ...]], parts: list[QuerySet]
) -> dict[tuple[str, ...], list[dict]]:
    """PostgreSQL: every grouping in one statement per period part. GROUPING() tells which set a row belongs to;
    a NULL unit or category inside its own set is a real key (not dispatched, uncategorised)."""
    fields = sorted({f for grouping in groupings for f in grouping})
    bit = {f: 1 << (len(fields) - 1 - i) for i, f in enumerate(fields)}  # GROUPING(): leftmost is the top bit
    all_bits = (1 << len(fields)) - 1
    set_of_mask = {all_bits & ~sum(bit[f] for f in grouping): grouping for grouping in groupings}
    out: dict[tuple[str, ...], list[dict]] = {grouping: [] for grouping in groupings}
    for part in parts:
        qs = part.filter(where)
        table = connection.ops.quote_name(qs.model._meta.db_table)
        columns = _DAILY_COLUMNS if ROLLUPS[qs.model][0] == "day" else _MONTHLY_COLUMNS
        where_sql, params = where_of(qs)
        exprs = [columns[f] for f in fields]
        sets = ", ".join("(" + ", ".join(columns[f] for f in grouping) + ")" for grouping in groupings)
        # Columns and table come from the fixed maps above; every value is a parameter of the compiled WHERE.
        select = ", ".join([*exprs, f"GROUPING({', '.join(exprs)})", *(f"SUM({name})" for name in COUNTERS)])
        sql = f"SELECT {select} FROM {table} WHERE {where_sql} GROUP BY GROUPING SETS ({sets})"  # noqa: S608
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            for row in cursor.fetchall():
                grouping = set_of_mask[row[len(fields)]]
                keys = dict(zip(fields, row[: len(fields)], strict=True))
                sums = dict(zip(COUNTERS, row[len(fields) + 1 :], strict=True))
                out[grouping].append({**{f: keys[f] for f in grouping}, **sums})
    return out


def _fold(group_by: str, raw: list[dict], date_from: date, date_to: date, min_volume: int) -> KpiResult:
    groups: dict[Any, Counter[str]] = {}
    for r in raw:
        key = _group_key(group_by, r)
        total = groups.setdefault(key, Counter())
        for name in COUNTERS:
            total[name] += int(r[name] or 0)
    if group_by == "none":
        groups.setdefault(None, Counter())  # the total is one row, zeros included
    names = _names(group_by, [k for k in groups if k is not None])

    left_out = 0
    if group_by == "unit":
        groups.pop(None, None)  # not dispatched yet: no unit to rank
        small = [k for k, c in groups.items() if c["dispatched"] < min_volume]
        left_out = len(small)
        for k in small:
            del groups[k]
    rows = []
    for key, c in groups.items():
        public_key, label = names.get(key) or (key, _none_label(group_by, key))
        rows.append(
            {
                "key": public_key,
                "label": label,
                **{name: c[name] for name in COUNTERS},
                "rates": rates(c),
            }
        )
    if group_by == "unit":
        rows.sort(key=_ranking)
    else:
        rows.sort(key=lambda row: (row["key"] is None, str(row["key"] or "")))
    return KpiResult(date_from, date_to, group_by, rows, left_out)


def _periods(date_from: date, date_to: date, *, by_day: bool, by_area: bool) -> list[QuerySet]:
    """Which rollup answers which part of the period: the whole calendar months inside it from the monthly level,
    the days before the first and after the last whole month from the daily level; the levels without the unit
    (KpiAreaDaily, KpiAreaMonthly) when `by_area`, else KpiDaily and KpiMonthly. A year is then about twelve
    monthly rows per key instead of 365 daily ones. Grouped by day, everything comes from the daily level. Daily
    rows carry their day's month as `month`, so that a month grouping reads both alike."""
    daily = (KpiAreaDaily if by_area else KpiDaily).objects.annotate(month=TruncMonth("day"))
    whole = Q(day__gte=date_from, day__lte=date_to)
    if by_day:
        return [daily.filter(whole)]
    months = _whole_months(date_from, date_to)
    if months is None:
        return [daily.filter(whole)]
    first, end = months
    monthly = KpiAreaMonthly if by_area else KpiMonthly
    parts: list[QuerySet] = [monthly.objects.filter(month__gte=first, month__lt=end)]
    if date_from < first or end <= date_to:
        parts.append(daily.filter(Q(day__gte=date_from, day__lt=first) | Q(day__gte=end, day__lte=date_to)))
    return parts


def _whole_months(date_from: date, date_to: date) -> tuple[date, date] | None:
    """The first day of the first whole calendar month inside the period and the day after the last one, or None
    when no whole month is inside."""
    first = date_from if date_from.day == 1 else _next_month(date_from)
    end = (
        _next_month(date_to)
        if _next_month(date_to) - timedelta(days=1) == date_to
        else date_to.replace(day=1)
    )
    return (first, end) if first < end else None


def _next_month(d: date) -> date:
    return (d.replace(day=1) + timedelta(days=32)).replace(day=1)


def _group_key(group_by: str, row: Mapping[str, Any]) -> Any:
    if group_by == "none":
        return None
    if group_by == "unit":
        return row["unit"]
    if group_by == "category":
        return row["category"]
    if group_by == "day":
        return row["day"].isoformat()
    if group_by == "month":
        return row["month"].strftime("%Y-%m")
    # district / street / community: the rollup keeps communities; their ancestors' codes are in the path.
    codes = [c for c in row["area_path"].split("/") if c]
    depth = _AREA_LEVEL_DEPTH[group_by]
    return codes[depth] if len(codes) > depth else None  # located only above this level


def _names(group_by: str, keys: list[Any]) -> dict[Any, tuple[str, str]]:
    """One query for the (public key, label) of whatever the rows are grouped by: units answer with their code."""
    if not keys:
        return {}
    if group_by == "unit":
        return {
            pk: (code, name)
            for pk, code, name in Unit.objects.filter(pk__in=keys).values_list("pk", "code", "name")
        }
    if group_by == "category":
        return {
            pk: (code, name)
            for pk, code, name in Category.objects.filter(pk__in=keys).values_list("pk", "code", "name")
        }
    if group_by in _AREA_LEVEL_DEPTH:
        return {
            code: (code, name)
            for code, name in Area.objects.filter(code__in=keys).values_list("code", "name")
        }
    return {k: (k, k) for k in keys}


def _none_label(group_by: str, key: Any) -> str:
    if key is not None:
        return str(key)
    return {
        "none": _("All"),
        "unit": _("No unit (not dispatched)"),
        "category": _("Uncategorised"),
    }.get(group_by, _("Not located at this level"))


def _ranking(row: Mapping[str, Any]) -> tuple:
    r = row["rates"]

    def desc(v: float | None) -> float:
        return -v if v is not None else 1.0  # no ratings: after every rated unit

    return (desc(r["satisfaction_rate"]), desc(r["resolution_rate"]), -row["dispatched"], row["label"])
