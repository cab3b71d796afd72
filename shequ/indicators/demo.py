"""The plan's task ledger and indicators for the demo (STYLE.md §13): the tasks of the plan's chapter 7 and columns
as city rows, each broken down into every district's implementation plan (some done with evidence, some in
progress, some overdue and escalated), then the catalogue stored and the indicators computed for the whole city.

Tasks are synthetic (flagged); natural keys are the task codes, so running again creates nothing."""

from __future__ import annotations

import random
from datetime import timedelta

from django.utils import timezone

from shequ.accounts.models import User
from shequ.geo.models import Area

from .models import IndicatorValue, PlanTask
from .services import (
    indicator_catalogue_sync,
    indicator_rollup,
    plan_task_complete,
    plan_task_create,
    plan_task_report,
    plan_task_scan_overdue,
)

# code, chapter, column, task, responsible unit (city), indicator it serves, months from now to the due date
# fmt: off
TASKS = [
    ("7-01", "第七章 保障措施", "", "建立规划任务清单和工作台账，按年度分解目标", "市民政局", "", -2),
    ("4-03", "第四章 4.1", "专栏3 志愿服务", "新建社区志愿服务站点，实现社区全覆盖", "市民政局", "volunteer_stations", 3),
    ("4-05", "第四章 4.1", "健康服务", "推进社康机构建设，人口超2万社区设社康中心", "市卫生健康委", "health_every_community", 6),
    ("4-07", "第四章 4.1", "兜底服务", "街道社会工作服务站全覆盖", "市民政局", "social_work_every_street", -1),
    ("4-09", "第四章 4.1", "一老一小", "每个街道建成普惠性托育机构", "市卫生健康委", "childcare_every_street", 9),
    ("3-02", "第三章", "专栏2 基层组织", "健全居委会五个下属委员会", "市民政局", "five_committees", 4),
    ("5-01", "第五章 5.1", "15分钟服务圈", "补齐15分钟社区服务圈设施短板", "市规划和自然资源局", "circle_full", 12),
]
# fmt: on


def seed_indicators(*, seed: int = 1, actor: User | None = None) -> dict[str, int]:
    rng = random.Random(seed)  # noqa: S311 - reproducible demo data
    city = Area.objects.filter(level="city").order_by("code").first()
    if city is None:
        return {"tasks": 0, "values": 0}
    indicator_catalogue_sync()
    districts = list(Area.objects.filter(parent=city, level="district").order_by("code"))
    today = timezone.localdate()
    created = 0
    if not PlanTask.objects.filter(code__startswith="SZ-").exists():
        for code, chapter, column, title, unit, key, months in TASKS:
            due = today + timedelta(days=30 * months)
            parent = plan_task_create(
                actor=actor,
                code=f"SZ-{code}",
                chapter=chapter,
                column=column,
                title=title,
                area=city,
                unit_name=unit,
                indicator_key=key,
                due_date=due,
                synthetic=True,
            )
            created += 1
            for district in districts:
                task = plan_task_create(
                    actor=actor,
                    code=f"SZ-{code}-{district.code}",
                    chapter=chapter,
                    column=column,
                    title=f"{district.name}实施方案：{title}",
                    area=district,
                    unit_name=f"{district.name}{unit.removeprefix('市')}",
                    parent=parent,
                    indicator_key=key,
                    due_date=due - timedelta(days=rng.randint(0, 20)),
                    synthetic=True,
                )
                created += 1
                roll = rng.random()
                if actor is not None and roll < 0.35:
                    plan_task_report(
                        actor=actor, task=task, progress=rng.choice([20, 40, 60, 80]), note="按月报送进展"
                    )
                if actor is not None and roll < 0.15:
                    plan_task_complete(actor=actor, task=task, evidence=f"{district.name}验收报告（演示）")
        plan_task_scan_overdue()
    if IndicatorValue.objects.filter(day=today).exists():  # a second run the same day creates nothing
        return {"tasks": created, "values": 0}
    run = indicator_rollup(day=today)  # the trend appears from the next nightly run on
    return {"tasks": created, "values": run.values}
