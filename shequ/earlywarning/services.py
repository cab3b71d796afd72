"""Writes of early warnings: the daily detection, and the three decisions staff take on a warning.

`warnings_detect(day=…)` is idempotent: every warning has a dedupe key (kind, what, where, day) and a cell that has
just warned stays quiet for its refractory period, so running it twice for a day, or a day late, adds nothing
twice. Appeals are read through shequ.appeals.selectors and created through shequ.appeals.services only.
"""

from __future__ import annotations

import logging
from collections import Counter
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, time, timedelta

import numpy as np
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from shequ.access.scoping import can_at, user_roles
from shequ.accounts.models import User
from shequ.accounts.roles import Action
from shequ.appeals import selectors as appeal_selectors
from shequ.audit.services import audit_record
from shequ.core.errors import ShequError
from shequ.geo.choices import LEVEL_DEPTH, AreaLevel
from shequ.geo.models import Area

from . import detect
from .choices import RESULT, TRANSITIONS, WarningKind
from .models import EarlyWarning

log = logging.getLogger(__name__)

SERIES_DAYS = 28  # the counts series kept as evidence of a rise


@dataclass(frozen=True)
class RepeatParams:
    window_days: int = 30
    min_count: int = 3


@dataclass(frozen=True)
class DetectParams:
    rise: detect.RiseParams = field(default_factory=detect.RiseParams)
    repeat: RepeatParams = field(default_factory=RepeatParams)
    cluster: detect.ClusterParams = field(default_factory=detect.ClusterParams)


def _day_start(d: date) -> datetime:
    return timezone.make_aware(datetime.combine(d, time.min))


def _code_at(path: str, level: str) -> str | None:
    codes = [c for c in path.split("/") if c]
    depth = LEVEL_DEPTH[level]
    return codes[depth] if len(codes) > depth else None


def _common_code(paths: list[str]) -> str | None:
    """The deepest area (community at most) that holds every path; None above district level."""
    split = [[c for c in p.split("/") if c][: LEVEL_DEPTH[AreaLevel.COMMUNITY] + 1] for p in paths]
    common: list[str] = []
    for codes in zip(*split, strict=False):
        if len(set(codes)) != 1:
            break
        common.append(codes[0])
    if len(common) <= LEVEL_DEPTH[AreaLevel.DISTRICT]:
        return None if len(common) < LEVEL_DEPTH[AreaLevel.DISTRICT] + 1 else common[-1]
    return common[-1]


# --- detection ----------------------------------------------------------------------------------------------------
@transaction.atomic
def warnings_detect(*, day: date, params: DetectParams | None = None) -> dict:
    """Find the day's rises, repeats and new clusters and store them as open warnings (one transaction)."""
    params = params or DetectParams()
    created: list[EarlyWarning] = []
    created += _detect_rises(day, params.rise)
    created += _detect_repeats(day, params.repeat)
    created += _detect_clusters(day, params.cluster)
    result = {
        "day": day.isoformat(),
        "created": len(created),
        "by_kind": dict(Counter(str(w.kind) for w in created)),
    }
    audit_record(
        action="warning.detect",
        actor=None,
        actor_username="system",
        object_type="earlywarning.run",
        object_id=day.isoformat(),
        changes={"created": {"after": result["created"]}, "by_kind": {"after": result["by_kind"]}},
    )
    log.info("early warnings for %s: %s", day, result)
    return result


def _recent_keys(kind: str, day: date, days: int) -> set[str]:
    """Dedupe-key prefixes (without the day) of this kind's warnings in the `days` before `day`."""
    since = day - timedelta(days=max(days - 1, 0))
    keys = EarlyWarning.objects.filter(kind=kind, day__gte=since, day__lte=day).values_list(
        "dedupe_key", flat=True
    )
    return {k.rsplit(":", 1)[0] for k in keys}


def _areas(codes: set[str]) -> dict[str, Area]:
    return {a.code: a for a in Area.objects.filter(code__in=codes)}


def _categories(codes: set[str]) -> dict:
    return appeal_selectors.category_lookup(codes=codes)


def _detect_rises(day: date, p: detect.RiseParams) -> list[EarlyWarning]:
    since = day - timedelta(days=p.history_days)
    rows = appeal_selectors.appeal_daily_counts(since=since, until=day)
    if not rows:
        return []
    first = min(r.day for r in rows)
    start = max(since, first)
    n_days = (day - start).days  # history columns, today excluded
    if n_days < p.min_history_days:
        return []
    cells: dict[tuple[str, str, str], int] = {}
    counts: dict[tuple[int, int], int] = {}
    synthetic_today: Counter[int] = Counter()
    street_of: dict[str, str] = {}
    for r in rows:
        if r.day < start:
            continue
        col = (r.day - start).days
        places: list[tuple[str, str]] = [(AreaLevel.STREET, r.street_code)]
        if r.community_code:
            places.append((AreaLevel.COMMUNITY, r.community_code))
            street_of[r.community_code] = r.street_code
        for level, code in places:
            i = cells.setdefault((r.category_code, level, code), len(cells))
            counts[(i, col)] = counts.get((i, col), 0) + r.received
            if col == n_days:
                synthetic_today[i] += r.synthetic
    matrix = np.zeros((len(cells), n_days + 1))
    for (i, col), n in counts.items():
        matrix[i, col] = n
    group_ids: dict[tuple[str, str], int] = {}
    groups = np.array([group_ids.setdefault((cat, level), len(group_ids)) for (cat, level, _c) in cells])
    weekdays = np.array([(start + timedelta(days=j)).weekday() for j in range(n_days)])
    res = detect.rise_test(
        matrix[:, :n_days],
        matrix[:, n_days],
        groups=groups,
        weekdays=weekdays,
        weekday_today=day.weekday(),
        params=p,
    )
    flagged = [key for key, i in cells.items() if res.flagged[i]]
    flagged = detect.drop_streets_told_by_a_community(flagged, street_of)
    if not flagged:
        return []
    recent = _recent_keys(WarningKind.RISE, day, p.refractory_days)
    areas = _areas({code for (_cat, _lvl, code) in flagged})
    categories = _categories({cat for (cat, _lvl, _code) in flagged})
    out = []
    for key in flagged:
        cat, level, code = key
        i = cells[key]
        stem = f"rise:{cat}:{code}"
        if stem in recent or code not in areas or cat not in categories:
            continue
        area = areas[code]
        observed = int(matrix[i, n_days])
        appeals = appeal_selectors.appeal_ids_in_cell(day=day, category_code=cat, area_path=area.path)
        series_from = max(0, n_days + 1 - SERIES_DAYS)
        warning, made = EarlyWarning.objects.get_or_create(
            dedupe_key=f"{stem}:{day.isoformat()}",
            defaults={
                "kind": WarningKind.RISE,
                "category": categories[cat],
                "area": area,
                "day": day,
                "window_start": day,
                "observed": observed,
                "expected": round(float(res.expected[i]), 3),
                "p_value": float(res.p_value[i]),
                "score": detect.score_of(float(res.p_value[i])),
                "synthetic": synthetic_today[i] == observed,
                "evidence": {
                    "level": level,
                    "series_start": (start + timedelta(days=series_from)).isoformat(),
                    "series": [int(v) for v in matrix[i, series_from:]],
                    "baseline_level": round(float(res.level[i]), 3),
                    "weekday_factor": round(float(res.weekday_factor[i]), 3),
                    "dispersion": round(float(res.dispersion[i]), 4),
                    "tested_cells": res.tested,
                    "method": "bh" if p.p_threshold is None else "fixed",
                    "threshold": p.fdr if p.p_threshold is None else p.p_threshold,
                    "appeal_ids": [a for a, _n in appeals],
                    "appeal_numbers": [n for _a, n in appeals],
                },
            },
        )
        if made:
            out.append(warning)
    return out


def _detect_repeats(day: date, p: RepeatParams) -> list[EarlyWarning]:
    since = _day_start(day - timedelta(days=p.window_days - 1))
    until = _day_start(day + timedelta(days=1))
    groups = appeal_selectors.appeal_repeats(since=since, until=until, min_count=p.min_count)
    today_start = _day_start(day)
    kinds = {"person": WarningKind.REPEAT_PERSON, "address": WarningKind.REPEAT_ADDRESS}
    recent = {k: _recent_keys(kind, day, p.window_days) for k, kind in kinds.items()}
    candidates = []
    for g in groups:
        if not any(m.created_at >= today_start for m in g.members):
            continue  # nothing new today: this group warned (or was too small) on an earlier day
        stem = f"{kinds[g.kind]}:{g.key}"
        if stem in recent[g.kind]:
            continue
        code = _common_code([m.area_path for m in g.members])
        if code is None:
            continue
        candidates.append((g, stem, code))
    if not candidates:
        return []
    areas = _areas({code for _g, _s, code in candidates})
    cat_codes = {
        Counter(m.category_code for m in g.members if m.category_code).most_common(1)[0][0]
        for g, _s, _c in candidates
        if any(m.category_code for m in g.members)
    }
    categories = _categories(cat_codes)
    out = []
    for g, stem, code in candidates:
        if code not in areas:
            continue
        top = Counter(m.category_code for m in g.members if m.category_code).most_common(1)
        warning, made = EarlyWarning.objects.get_or_create(
            dedupe_key=f"{stem}:{day.isoformat()}",
            defaults={
                "kind": kinds[g.kind],
                "category": categories.get(top[0][0]) if top else None,
                "area": areas[code],
                "day": day,
                "window_start": day - timedelta(days=p.window_days - 1),
                "observed": len(g.members),
                "score": float(len(g.members)),
                "subject": g.label[:200],
                "synthetic": all(m.synthetic for m in g.members),
                "evidence": {
                    "window_days": p.window_days,
                    "min_count": p.min_count,
                    "appeal_ids": [m.id for m in g.members],
                    "appeal_numbers": [m.number for m in g.members],
                    "days": [timezone.localtime(m.created_at).date().isoformat() for m in g.members],
                    "categories": dict(Counter(m.category_code or "" for m in g.members)),
                },
            },
        )
        if made:
            out.append(warning)
    return out


def _detect_clusters(day: date, p: detect.ClusterParams) -> list[EarlyWarning]:
    window_start = day - timedelta(days=p.window_days - 1)
    current = appeal_selectors.appeal_points(
        since=_day_start(window_start), until=_day_start(day + timedelta(1))
    )
    if len(current) < p.min_points:
        return []
    background = appeal_selectors.appeal_points(
        since=_day_start(window_start - timedelta(days=p.background_days)), until=_day_start(window_start)
    )
    today_start = _day_start(day)
    previous = list(
        EarlyWarning.objects.filter(
            kind=WarningKind.CLUSTER, day__gte=day - timedelta(days=p.refractory_days - 1), day__lte=day
        ).values_list("category__code", "evidence", "dedupe_key")
    )
    by_category: dict[str, list] = {}
    for pt in current:
        by_category.setdefault(pt.category_code, []).append(pt)
    back_by_category: dict[str, list] = {}
    for pt in background:
        back_by_category.setdefault(pt.category_code, []).append(pt)
    found = []
    for cat, pts in by_category.items():
        if len(pts) < p.min_points:
            continue
        back = back_by_category.get(cat, [])
        clusters = detect.find_new_clusters(
            np.array([(q.lat, q.lng) for q in pts]), np.array([(q.lat, q.lng) for q in back]), p
        )
        for c in clusters:
            members = [pts[i] for i in c.members]
            if not any(m.created_at >= today_start for m in members):
                continue
            if any(
                prev_cat == cat
                and detect.haversine_m(c.lat, c.lng, ev.get("lat", 0), ev.get("lng", 0)) <= c.radius_m
                for prev_cat, ev, _k in previous
            ):
                continue  # the same cluster warned within the refractory period
            code = _common_code([m.area_path for m in members])
            if code is not None:
                found.append((cat, c, members, code))
    if not found:
        return []
    areas = _areas({code for *_x, code in found})
    categories = _categories({cat for cat, *_x in found})
    out = []
    for cat, c, members, code in found:
        if code not in areas or cat not in categories:
            continue
        cell = f"{round(c.lat, 3)},{round(c.lng, 3)}"
        warning, made = EarlyWarning.objects.get_or_create(
            dedupe_key=f"cluster:{cat}:{cell}:{day.isoformat()}",
            defaults={
                "kind": WarningKind.CLUSTER,
                "category": categories[cat],
                "area": areas[code],
                "day": day,
                "window_start": window_start,
                "observed": c.observed,
                "expected": round(c.expected, 3),
                "p_value": c.p_value,
                "score": detect.score_of(c.p_value),
                "synthetic": all(m.synthetic for m in members),
                "evidence": {
                    "lat": round(c.lat, 6),
                    "lng": round(c.lng, 6),
                    "radius_m": c.radius_m,
                    "background": c.background,
                    "background_days": p.background_days,
                    "window_days": p.window_days,
                    "appeal_ids": [m.id for m in members],
                    "appeal_numbers": [m.number for m in members],
                },
            },
        )
        if made:
            out.append(warning)
    return out


# --- decisions ----------------------------------------------------------------------------------------------------
def _roles(actor: User) -> str:
    return ",".join(sorted(user_roles(actor)))


def _decide(actor: User, warning: EarlyWarning, action: str) -> tuple[EarlyWarning, str]:
    """Lock the row, check the actor and the transition; return the locked row and its old status."""
    if not can_at(actor, Action.WARNINGS_DECIDE, warning.area.path):
        raise PermissionDenied(_("You may not decide on this warning."))
    locked = (
        EarlyWarning.objects.select_for_update(of=("self",))
        .select_related("area", "category")
        .get(pk=warning.pk)
    )
    if locked.status not in TRANSITIONS[action]:
        raise ShequError(
            _("This warning has already been decided (%(status)s).")
            % {"status": locked.get_status_display()},
            code="invalid_state",
            status=409,
        )
    return locked, locked.status


def _finish(actor: User, warning: EarlyWarning, action: str, before: str, note: str, **extra) -> EarlyWarning:
    warning.status = RESULT[action]
    warning.decided_by = actor
    warning.decided_at = timezone.now()
    warning.decision_note = note[:500]
    for k, v in extra.items():
        setattr(warning, k, v)
    warning.save(update_fields=["status", "decided_by", "decided_at", "decision_note", *extra])
    audit_record(
        action=f"warning.{action}",
        actor=actor,
        actor_role=_roles(actor),
        obj=warning,
        changes={
            "status": {"before": before, "after": warning.status},
            **({"note": {"after": note[:500]}} if note else {}),
            **({"task_appeal": {"after": warning.task_appeal_id}} if "task_appeal" in extra else {}),
        },
    )
    return warning


@transaction.atomic
def warning_acknowledge(*, actor: User, warning: EarlyWarning, note: str = "") -> EarlyWarning:
    """Someone in the area has seen the warning and is looking into it."""
    locked, before = _decide(actor, warning, "acknowledge")
    return _finish(actor, locked, "acknowledge", before, (note or "").strip())


@transaction.atomic
def warning_dismiss(*, actor: User, warning: EarlyWarning, reason: str) -> EarlyWarning:
    """Not a problem (a known event, a data artefact): the reason is required and audited."""
    reason = (reason or "").strip()
    if len(reason) < 2:
        raise ShequError(
            _("Give a reason for dismissing the warning."), code="invalid", fields={"reason": "required"}
        )
    locked, before = _decide(actor, warning, "dismiss")
    return _finish(actor, locked, "dismiss", before, reason)


def _task_text(warning: EarlyWarning) -> str:
    # The appeal's text is data kept with the appeal (like the SMS bodies of appeals.services), not a UI string:
    # it is written in Chinese for the units that will handle it, whatever the language of the person deciding.
    what = warning.category.name if warning.category else "诉求"
    place = warning.area.name
    if warning.kind == WarningKind.RISE:
        detail = f"{warning.day:%Y-%m-%d} 当日 {what} 诉求 {warning.observed} 件，预期约 {warning.expected or 0:.1f} 件"
    elif warning.kind == WarningKind.CLUSTER:
        detail = f"{warning.window_start:%m-%d} 至 {warning.day:%m-%d} 附近出现 {warning.observed} 件{what}诉求聚集"
    else:
        detail = (
            f"近 {(warning.day - warning.window_start).days + 1} 天同一来源重复诉求 {warning.observed} 件"
        )
    return f"【未诉先办】{place}：{detail}，请主动核查处置。（预警 #{warning.pk}）"


@transaction.atomic
def warning_to_task(
    *, actor: User, warning: EarlyWarning, text: str = "", attributes: dict | None = None, note: str = ""
) -> EarlyWarning:
    """Turn the warning into a proactive appeal (未诉先办, channel "proactive"), dispatched like any other."""
    from shequ.appeals.services import IntakeData, appeal_submit

    if not can_at(actor, Action.APPEALS_INTAKE, warning.area.path):
        raise PermissionDenied(_("Only staff who record appeals in this area may create a proactive task."))
    locked, before = _decide(actor, warning, "task")
    appeal = appeal_submit(
        actor=actor,
        data=IntakeData(
            text=(text or "").strip() or _task_text(locked),
            channel="proactive",
            category=locked.category.code if locked.category else None,
            area=locked.area.code,
            lat=locked.evidence.get("lat") if locked.kind == WarningKind.CLUSTER else None,
            lng=locked.evidence.get("lng") if locked.kind == WarningKind.CLUSTER else None,
            attributes=attributes,
        ),
    )
    return _finish(actor, locked, "task", before, (note or "").strip(), task_appeal=appeal)


def as_evidence_dict(params: DetectParams) -> dict:
    """The parameters as plain data (for the bench's record of what it ran)."""
    return asdict(params)
