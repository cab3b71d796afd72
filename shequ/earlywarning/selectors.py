"""Reads of early warnings, always scoped by `warnings.view` (STYLE.md §2), and the monthly top problems."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext as _

from shequ.access.scoping import can, scope_for, visible_to
from shequ.accounts.roles import Action
from shequ.appeals import selectors as appeal_selectors
from shequ.core.errors import NotFound, ShequError
from shequ.geo.choices import LEVEL_DEPTH, AreaLevel
from shequ.geo.models import Area

from .choices import WarningKind, WarningStatus
from .models import EarlyWarning


def warning_may_list(*, user) -> bool:
    return can(user, Action.WARNINGS_VIEW)


def visible_warnings(user) -> QuerySet[EarlyWarning]:
    return visible_to(EarlyWarning.objects.all(), user, Action.WARNINGS_VIEW)


def warning_list_for(
    *,
    user,
    status: str | None = None,
    kind: str | None = None,
    area: str | None = None,
    category: str | None = None,
    date_from: date | None = None,
    date_to: date | None = None,
) -> QuerySet[EarlyWarning]:
    """The warnings under the user's areas, newest and strongest first, with the filters of the list pages."""
    errors: dict[str, str] = {}
    if status and status not in WarningStatus.values:
        errors["status"] = str(
            _("Unknown status; one of %(values)s.") % {"values": ", ".join(WarningStatus.values)}
        )
    if kind and kind not in WarningKind.values:
        errors["kind"] = str(
            _("Unknown kind; one of %(values)s.") % {"values": ", ".join(WarningKind.values)}
        )
    if date_from and date_to and date_to < date_from:
        errors["to"] = str(_("'to' must not be before 'from'."))
    if errors:
        raise ShequError(_("Some parameters are not valid."), code="invalid", fields=errors)
    qs = visible_warnings(user)
    if status:
        qs = qs.filter(status=status)
    if kind:
        qs = qs.filter(kind=kind)
    if area:
        path = Area.objects.filter(code=area).values_list("path", flat=True).first()
        if path is None:
            raise NotFound(_("No area has this code."), fields={"area": "unknown"})
        qs = qs.filter(area__path__prefix=path)
    if category:
        qs = qs.filter(Q(category__code=category) | Q(category__parent__code=category))
    if date_from:
        qs = qs.filter(day__gte=date_from)
    if date_to:
        qs = qs.filter(day__lte=date_to)
    return qs.select_related("category", "area", "decided_by", "task_appeal").order_by(
        "-day", "-score", "-id"
    )


def warning_get_for(*, user, pk: int) -> EarlyWarning:
    """One warning in the user's areas; outside them it does not exist (404, the same as a missing one)."""
    warning = (
        visible_warnings(user)
        .select_related("category", "area", "decided_by", "task_appeal")
        .filter(pk=pk)
        .first()
    )
    if warning is None:
        raise NotFound(_("No warning with this id."))
    return warning


def warnings_recent_for(*, user, limit: int = 5) -> list[EarlyWarning]:
    """The newest open warnings the user may see, strongest first: for the leaders' dashboard and the console home.

    Empty (not an error) for a user without `warnings.view`, so a page can always call it.
    """
    if not can(user, Action.WARNINGS_VIEW):
        return []
    return list(
        visible_warnings(user)
        .filter(status=WarningStatus.OPEN)
        .select_related("category", "area")
        .order_by("-day", "-score", "-id")[: max(0, min(limit, 50))]
    )


# --- 每月一题: the month's top problems ----------------------------------------------------------------------------
GROWTH_WEIGHT = 1.0  # each appeal more than last month counts once more
WARNING_WEIGHT = 5.0  # each warning of the month counts as five appeals


def _month_bounds(month: date) -> tuple[date, date, date, date]:
    start = month.replace(day=1)
    end = (start + timedelta(days=32)).replace(day=1) - timedelta(days=1)
    prev_end = start - timedelta(days=1)
    return start, end, prev_end.replace(day=1), prev_end


def _fold(path: str, depth: int) -> str | None:
    codes = [c for c in path.split("/") if c]
    return codes[depth] if len(codes) > depth else None


def monthly_top_problems(*, user, month: date, area: str | None = None, limit: int = 10) -> dict:
    """每月一题: the category × area pairs that most need a look this month, inside the user's areas.

    Ranked by score = received + max(0, received - last month's) + 5 × warnings of the month: volume, growth and
    the detector's signals together. Top-level categories (the KPI rollups keep those; a constant number of queries,
    no rescan of the appeals); areas one level below the scope (the city ranks streets, a street its communities).
    """
    scope = scope_for(user, Action.WARNINGS_VIEW)
    if scope.empty:
        raise PermissionDenied(_("You may not see early warnings."))
    if not 1 <= limit <= 50:
        raise ShequError(_("Some parameters are not valid."), code="invalid", fields={"limit": "1..50"})
    paths = sorted(scope.paths)
    if area:
        path = Area.objects.filter(code=area).values_list("path", flat=True).first()
        if path is None or not scope.covers_path(path):
            raise NotFound(_("No area has this code."), fields={"area": "unknown"})
        paths = [path]
    top_depth = min(p.count("/") - 2 for p in paths)
    depth = min(max(top_depth + 1, LEVEL_DEPTH[AreaLevel.STREET]), LEVEL_DEPTH[AreaLevel.COMMUNITY])
    start, end, prev_start, prev_end = _month_bounds(month)

    def volumes(since: date, until: date) -> dict[tuple[str, str], int]:
        out: dict[tuple[str, str], int] = {}
        for r in appeal_selectors.appeal_received_by_place(since=since, until=until, paths=paths):
            code = _fold(r.area_path, depth)
            if code is not None:
                out[(r.category_code, code)] = out.get((r.category_code, code), 0) + r.received
                names[r.category_code] = r.category_name
        return out

    names: dict[str, str] = {}
    now, before = volumes(start, end), volumes(prev_start, prev_end)
    in_scope = Q(pk__in=[])
    for p in paths:
        in_scope |= Q(area__path__prefix=p)
    warned: dict[tuple[str, str], int] = {}
    for row in (
        EarlyWarning.objects.filter(in_scope, day__gte=start, day__lte=end, category__isnull=False)
        .values(
            "category__code",
            "category__name",
            "category__parent__code",
            "category__parent__name",
            "area__path",
        )
        .annotate(n=Count("id"))
        .order_by()
    ):
        top = row["category__parent__code"] or row["category__code"]
        names.setdefault(top, row["category__parent__name"] or row["category__name"])
        code = _fold(row["area__path"], depth)
        if code is not None:
            warned[(top, code)] = warned.get((top, code), 0) + row["n"]
    rows: list[dict[str, Any]] = []
    for key in set(now) | set(warned):
        received, previous, warnings = now.get(key, 0), before.get(key, 0), warned.get(key, 0)
        score = received + GROWTH_WEIGHT * max(0, received - previous) + WARNING_WEIGHT * warnings
        growth = None if previous == 0 else round((received - previous) / previous, 3)
        rows.append(
            {
                "key": key,
                "received": received,
                "previous": previous,
                "growth": growth,
                "warnings": warnings,
                "score": score,
            }
        )
    rows.sort(key=lambda r: (-r["score"], -r["received"], r["key"]))
    rows = rows[:limit]
    area_names = dict(Area.objects.filter(code__in={r["key"][1] for r in rows}).values_list("code", "name"))
    level = AreaLevel.values[depth]
    return {
        "month": start.strftime("%Y-%m"),
        "level": level,
        "rows": [
            {
                "rank": i + 1,
                "category": r["key"][0],
                "category_name": names.get(r["key"][0], r["key"][0]),
                "area": r["key"][1],
                "area_name": area_names.get(r["key"][1], r["key"][1]),
                "received": r["received"],
                "previous": r["previous"],
                "growth": r["growth"],
                "warnings": r["warnings"],
                "score": r["score"],
            }
            for i, r in enumerate(rows)
        ],
    }
