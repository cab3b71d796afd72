"""WRITES of the indicators: the catalogue stored as versioned rows, the rollup that computes every indicator for
every area and day, and the task ledger (create, report progress, complete with evidence, the overdue scan)."""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from datetime import date, datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from shequ.accounts.models import Unit, User
from shequ.audit.services import audit_record
from shequ.core.errors import ShequError
from shequ.core.workdays import get_calendar
from shequ.geo.models import Area

from . import formula as formulas
from .catalogue import CATALOGUE
from .choices import Comparison, Escalation, TaskAction, TaskStatus
from .models import Indicator, IndicatorValue, PlanTask, PlanTaskEvent, RollupRun
from .registry import figure_get

log = logging.getLogger(__name__)

ROLLUP_LEVELS = ("city", "district", "street", "community")
FIELDS = (
    "name",
    "wording",
    "section",
    "formula",
    "unit",
    "comparison",
    "target",
    "target_year",
    "levels",
    "note",
)
# Working days overdue after which a warned task goes under supervision (督办), as an appeal's deadline does.
SUPERVISE_AFTER_WORKING_DAYS = 5


# --- The catalogue ------------------------------------------------------------------------------------------------


@transaction.atomic
def indicator_catalogue_sync(*, entries: Sequence[dict] = CATALOGUE) -> dict[str, int]:
    """Store the catalogue: a new indicator gets version 1, a changed one a new version (the old stays, with the
    values computed under it), an unchanged one is left alone."""
    counts = {"created": 0, "versioned": 0, "unchanged": 0}
    for entry in entries:
        formulas.check(entry["formula"])
        current = Indicator.objects.select_for_update().filter(key=entry["key"], is_current=True).first()
        wanted = {f: entry[f] for f in FIELDS}
        if current is not None:
            if all(getattr(current, f) == wanted[f] for f in FIELDS) and current.sort == entry["sort"]:
                counts["unchanged"] += 1
                continue
            if all(getattr(current, f) == wanted[f] for f in FIELDS):
                current.sort = entry["sort"]
                current.save(update_fields=["sort"])
                counts["unchanged"] += 1
                continue
            current.is_current = False
            current.save(update_fields=["is_current"])
            version = current.version + 1
            counts["versioned"] += 1
        else:
            version = 1
            counts["created"] += 1
        indicator = Indicator.objects.create(key=entry["key"], version=version, sort=entry["sort"], **wanted)
        audit_record(action="indicators.indicator_version", obj=indicator, changes={"version": version})
    return counts


# --- The rollup -------------------------------------------------------------------------------------------------


def _gap(indicator: Indicator, value: float | None) -> tuple[float | None, bool | None]:
    """How far the value is from the target (0 when met), and whether it is met."""
    if value is None:
        return None, None
    if indicator.comparison == Comparison.AT_MOST:
        return max(value - indicator.target, 0.0), value <= indicator.target
    return max(indicator.target - value, 0.0), value >= indicator.target


def indicator_rollup(*, day: date | None = None, root: Area | None = None) -> RollupRun:
    """Compute every current indicator for every area (city to community) under `root` (all cities without it)
    for `day`, from the registered figures, and store the values. Each figure answers for all areas at once (a
    few grouped queries), so the run costs the same number of queries for a street as for a city.

    Run by the beat schedule every night and by `manage.py indicators_rollup`; pages only read its rows."""
    started = timezone.now()
    t0 = time.perf_counter()
    day = day or timezone.localdate()
    areas_qs = Area.objects.filter(level__in=ROLLUP_LEVELS)
    if root is not None:
        areas_qs = areas_qs.filter(path__prefix=root.path)
    areas = list(areas_qs.only("id", "code", "path", "level", "population", "name"))
    indicators = list(Indicator.objects.filter(is_current=True))
    wanted = sorted({k for i in indicators for k in formulas.figure_keys(i.formula)})
    figure_values: dict[str, dict[str, float | int | None]] = {}
    missing_keys: set[str] = set()
    for key in wanted:
        figure = figure_get(key)
        if figure is None:
            missing_keys.add(key)
            continue
        try:
            figure_values[key] = dict(figure.compute(areas))
        except Exception:  # one module's broken figure must not stop the plan's other indicators
            log.exception("figure %s failed", key)
            missing_keys.add(key)
    rows = []
    for indicator in indicators:
        keys = formulas.figure_keys(indicator.formula)
        missing = [k for k in keys if k in missing_keys]
        for area in areas:
            if area.level not in indicator.levels:
                continue
            inputs = {k: figure_values.get(k, {}).get(area.code) for k in keys}
            value = None if missing else formulas.evaluate(indicator.formula, inputs)
            gap, met = _gap(indicator, value)
            rows.append(
                IndicatorValue(
                    indicator=indicator,
                    key=indicator.key,
                    area=area,
                    area_path=area.path,
                    level=area.level,
                    day=day,
                    value=None if value is None else round(value, 4),
                    target=indicator.target,
                    gap=None if gap is None else round(gap, 4),
                    met=met,
                    inputs=inputs,
                    missing=missing,
                    computed_at=started,
                )
            )
    with transaction.atomic():
        stale = IndicatorValue.objects.filter(day=day, area__in=[a.pk for a in areas]) if root else None
        (stale if stale is not None else IndicatorValue.objects.filter(day=day)).delete()
        IndicatorValue.objects.bulk_create(rows, batch_size=2000)
        run = RollupRun.objects.create(
            day=day,
            started_at=started,
            seconds=round(time.perf_counter() - t0, 3),
            areas=len(areas),
            values=len(rows),
        )
    return run


# --- The task ledger --------------------------------------------------------------------------------------------


def _event(task: PlanTask, action: str, actor: User | None, note: str = "") -> PlanTaskEvent:
    return PlanTaskEvent.objects.create(task=task, action=action, actor=actor, note=note, at=timezone.now())


@transaction.atomic
def plan_task_create(
    *,
    actor: User | None,
    code: str,
    chapter: str,
    title: str,
    area: Area,
    due_date: date,
    unit: Unit | None = None,
    unit_name: str = "",
    column: str = "",
    description: str = "",
    parent: PlanTask | None = None,
    indicator_key: str = "",
    target: float | None = None,
    synthetic: bool = False,
) -> PlanTask:
    """A task of the plan's list, or a district's share of one (`parent`, the district's implementation plan)."""
    errors: dict[str, str] = {}
    if PlanTask.objects.filter(code=code).exists():
        errors["code"] = _("A task with this code exists already.")
    if not title.strip():
        errors["title"] = _("Say what the task is.")
    if not (unit or unit_name.strip()):
        errors["unit"] = _("Name the unit responsible for the task.")
    if parent is not None and not area.path.startswith(parent.area_path):
        errors["area"] = _("A task that breaks another down lies in that task's area.")
    if indicator_key and not Indicator.objects.filter(key=indicator_key).exists():
        errors["indicator_key"] = _("No indicator has this key.")
    if errors:
        raise ShequError(_("The task was not saved."), fields=errors)
    task = PlanTask.objects.create(
        code=code,
        chapter=chapter,
        column=column,
        title=title.strip(),
        description=description,
        area=area,
        area_path=area.path,
        parent=parent,
        unit=unit,
        unit_name=unit_name or (unit.name if unit else ""),
        indicator_key=indicator_key,
        target=target,
        due_date=due_date,
        synthetic=synthetic,
    )
    _event(task, TaskAction.CREATED, actor)
    audit_record(action="indicators.task_create", actor=actor, obj=task, changes={"due_date": str(due_date)})
    return task


@transaction.atomic
def plan_task_report(*, actor: User, task: PlanTask, progress: int, note: str) -> PlanTask:
    """The responsible unit reports progress (a line of the work ledger)."""
    task = PlanTask.objects.select_for_update().get(pk=task.pk)
    errors: dict[str, str] = {}
    if task.status == TaskStatus.DONE:
        errors["progress"] = _("The task is completed already.")
    if not 0 <= progress < 100:
        errors["progress"] = _("Progress is a share between 0 and 99 %; complete the task with its evidence.")
    if not note.strip():
        errors["note"] = _("Say what was done.")
    if errors:
        raise ShequError(_("The progress was not recorded."), fields=errors)
    before = {"status": task.status, "progress": task.progress}
    task.progress = progress
    task.status = TaskStatus.IN_PROGRESS
    task.save(update_fields=["progress", "status", "updated_at"])
    _event(
        task,
        TaskAction.PROGRESS if before["status"] != TaskStatus.NOT_STARTED else TaskAction.STARTED,
        actor,
        note,
    )
    audit_record(
        action="indicators.task_report",
        actor=actor,
        obj=task,
        changes={"progress": [before["progress"], progress], "status": [before["status"], task.status]},
    )
    return task


@transaction.atomic
def plan_task_complete(*, actor: User, task: PlanTask, evidence: str) -> PlanTask:
    """Completed, with the evidence (what was built, where, the document): a task counts as done only with it."""
    task = PlanTask.objects.select_for_update().get(pk=task.pk)
    if task.status == TaskStatus.DONE:
        raise ShequError(_("The task is completed already."), fields={"evidence": _("Completed already.")})
    if len(evidence.strip()) < 4:
        raise ShequError(
            _("The task was not completed."), fields={"evidence": _("Give the evidence of the work done.")}
        )
    before = task.status
    task.status = TaskStatus.DONE
    task.progress = 100
    task.evidence = evidence.strip()
    task.completed_on = timezone.localdate()
    task.save(update_fields=["status", "progress", "evidence", "completed_on", "updated_at"])
    _event(task, TaskAction.DONE, actor, task.evidence)
    audit_record(
        action="indicators.task_complete", actor=actor, obj=task, changes={"status": [before, "done"]}
    )
    return task


def plan_task_scan_overdue(*, now: datetime | None = None) -> dict[str, int]:
    """Escalate overdue tasks as appeals' deadlines do: on the first working day past the due date the responsible
    side is warned; after SUPERVISE_AFTER_WORKING_DAYS working days it goes under supervision (督办) of the level
    above. Each step happens once (the escalation column), in its own transaction with its ledger line and audit."""
    now = now or timezone.now()
    today = timezone.localtime(now).date()
    calendar = get_calendar()
    counts = {"warned": 0, "supervised": 0}
    open_ids = list(
        PlanTask.objects.filter(due_date__lt=today)
        .exclude(status=TaskStatus.DONE)
        .exclude(escalation=Escalation.SUPERVISED)
        .values_list("pk", flat=True)
    )
    for pk in open_ids:
        with transaction.atomic():
            task = PlanTask.objects.select_for_update().get(pk=pk)
            if task.status == TaskStatus.DONE:
                continue
            late = calendar.working_days_between(task.due_date, today)
            if late >= SUPERVISE_AFTER_WORKING_DAYS and task.escalation < Escalation.SUPERVISED:
                step, action = Escalation.SUPERVISED, TaskAction.SUPERVISED
                note = _("Overdue by %(days)d working days: under supervision.") % {"days": late}
            elif task.escalation < Escalation.WARNED:
                step, action = Escalation.WARNED, TaskAction.WARNED
                note = _("Past its due date: the responsible unit is warned.")
            else:
                continue
            before = task.escalation
            task.escalation = step
            task.escalated_at = now
            task.save(update_fields=["escalation", "escalated_at", "updated_at"])
            _event(task, action, None, note)
            audit_record(action=f"indicators.task_{action}", obj=task, changes={"escalation": [before, step]})
            counts["warned" if step == Escalation.WARNED else "supervised"] += 1
    return counts
