"""Synthetic demo credit (flagged synthetic), through the services: for every estate with an owners' register
(shequ/owners' demo estates, one per district) a property company and its project manager serving it; last
year's owners' evaluation of each (a survey template of shequ/surveys, answered at the door); inspections; two
domestic-service companies rated by their clients; then last year's lists. One company gets a serious finding
(risk list), one is well rated (incentive list). Idempotent by name."""

from __future__ import annotations

import random
from datetime import date, timedelta
from typing import Any

from django.utils import timezone

from shequ.accounts.models import User
from shequ.core.crypto import hash_lookup
from shequ.core.errors import ShequError
from shequ.core.idnumbers import id_region_of, make_id_number
from shequ.geo.models import Area
from shequ.residents.models import Resident
from shequ.residents.services import household_create, resident_create
from shequ.surveys.models import Invitation, Survey
from shequ.surveys.services import response_enter, survey_close, survey_create, survey_publish

from .models import Subject
from .services import credit_lists_compute, estate_service_add, inspection_record, subject_create

COMPANIES = [
    "深圳市安居物业服务有限公司",
    "鹏城物业管理有限公司",
    "万家物业服务有限公司",
    "华侨城物业集团",
    "前海物业服务有限公司",
]
MANAGERS = ["陈经理", "林经理", "黄经理", "周经理", "吴经理"]
EVALUATION: list[dict[str, Any]] = [
    {"kind": "scale", "text": "您对物业服务企业的总体评价", "measure": "company"},
    {"kind": "scale", "text": "您对项目经理和物业人员的服务态度的评价", "measure": "company"},
    {"kind": "scale", "text": "您对业主委员会履职情况的评价", "measure": "committee"},
    {"kind": "text", "text": "对物业服务的意见", "required": False},
]


def _owners_households(rng, estate: Area, n: int) -> None:
    """A few more synthetic households in the estate, so that its evaluation has enough answers to count."""
    district = id_region_of(estate.path.split("/")[2])
    for i in range(n):
        id_number = make_id_number(
            district, date(1966, 1 + i % 12, 1 + int(estate.code[-4:]) % 28), 300 + i, "female"
        )
        if Resident.objects.filter(**hash_lookup(Resident, "id_number", id_number)).exists():
            continue
        household = household_create(
            actor=None, area=estate, room=f"{i + 1}栋{rng.randint(1, 30)}01室", synthetic=True
        )
        resident_create(
            actor=None,
            household=household,
            name=rng.choice("王李张刘陈杨黄赵") + rng.choice("秀兰桂英建国志强"),
            id_number=id_number,
            relation="户主",
            synthetic=True,
        )


def _evaluate(rng, actor, estate: Area, year: int, mood: float) -> None:
    now = timezone.now()
    _owners_households(rng, estate, 6)
    try:
        survey = survey_create(
            actor=actor,
            title=f"{estate.name}{year}年度物业服务评价",
            area=estate,
            kind="property_evaluation",
            year=year,
            questions=EVALUATION,
            opens_at=now - timedelta(days=3),
            closes_at=now + timedelta(days=1),
            synthetic=True,
        )
        survey = survey_publish(actor=actor, survey=survey, seed=year, notify=False)
    except ShequError:
        return  # nobody registered there
    for invitation in Invitation.objects.filter(survey=survey).select_related("community"):
        answers = {str(i): max(1, min(5, round(rng.gauss(mood, 0.6)))) for i in (1, 2, 3)}
        response_enter(actor=actor, survey=survey, invitation=invitation, answers=answers, synthetic=True)
    survey_close(actor=actor, survey=Survey.objects.get(pk=survey.pk))


def seed_credit(*, seed: int, users: dict[str, User]) -> int:
    rng = random.Random(seed + 278)  # noqa: S311 (demo data)
    chenjing = users["chenjing"]
    year = timezone.localdate().year - 1
    if Subject.objects.filter(name=COMPANIES[0], synthetic=True).exists():
        return 0
    estates = list(Area.objects.filter(level="estate", owner_parts__isnull=False).distinct().order_by("path"))
    for i, estate in enumerate(estates):
        grid = estate.parent
        street = grid.parent.parent if grid and grid.parent and grid.parent.parent else estate
        name = COMPANIES[i % len(COMPANIES)] + ("" if i < len(COMPANIES) else f"（{i}）")
        company = subject_create(
            actor=chenjing, kind="property_company", name=name, area=street, synthetic=True
        )
        manager = subject_create(
            actor=chenjing,
            kind="project_manager",
            name=MANAGERS[i % len(MANAGERS)],
            area=street,
            company=company,
            synthetic=True,
        )
        estate_service_add(actor=chenjing, subject=company, estate=estate, since=date(year - 3, 1, 1))
        estate_service_add(actor=chenjing, subject=manager, estate=estate, since=date(year, 1, 1))
        mood = 4.8 if i == 0 else rng.uniform(3.2, 4.4)
        _evaluate(rng, chenjing, estate, year, mood)
        for month in (3, 9):
            serious = i == 1 and month == 9
            inspection_record(
                actor=chenjing,
                subject=company,
                estate=estate,
                inspected_on=date(year, month, 15),
                score=96 if i == 0 else (55 if serious else rng.randint(70, 92)),
                serious=serious,
                finding="消防通道被杂物堵塞，限期整改未完成" if serious else "",
                synthetic=True,
            )
    for name, score in (("好帮手家政服务有限公司", 92), ("邻里通家政服务中心", 58)):
        district = Area.objects.filter(level="district").order_by("code").first()
        if district is None:
            break
        domestic = subject_create(
            actor=chenjing, kind="domestic_company", name=name, area=district, synthetic=True
        )
        inspection_record(
            actor=chenjing,
            subject=domestic,
            inspected_on=date(year, 6, 20),
            score=score,
            finding="" if score > 60 else "服务人员未持证上岗",
            synthetic=True,
        )
    return credit_lists_compute(actor=chenjing, year=year)
