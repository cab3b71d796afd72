"""Synthetic demo surveys (flagged synthetic), through the services: the year's satisfaction survey of the whole
city, drawn per community (a sample of households in every community with residents, so every district), about
two thirds of them answered at the door (entered by staff); and an open questionnaire of 华富街道 with skip logic
that the cast's resident 张伟 has not answered yet (the browser journey answers it). Idempotent by title."""

from __future__ import annotations

import random
from datetime import timedelta
from typing import Any

from django.utils import timezone

from shequ.accounts.models import User
from shequ.geo.models import Area
from shequ.residents.models import Resident

from .models import Invitation, Survey
from .services import response_enter, survey_create, survey_publish

SATISFACTION: list[dict[str, Any]] = [
    {"kind": "scale", "text": "您对社区服务的总体满意度", "scale_max": 5, "measure": "satisfaction"},
    {"kind": "scale", "text": "您对社区环境卫生的满意度", "scale_max": 5, "measure": "satisfaction"},
    {"kind": "single", "text": "过去一年您是否向社区反映过问题", "choices": ["反映过", "没有反映过"]},
    {
        "kind": "single",
        "text": "问题是否得到解决",
        "choices": ["已解决", "部分解决", "未解决"],
        "show_if": {"position": 3, "choice": "反映过"},
    },
    {
        "kind": "multiple",
        "text": "您最希望社区加强哪些服务",
        "choices": ["养老服务", "托育服务", "文体活动", "环境卫生", "治安巡逻"],
    },
    {"kind": "text", "text": "其他意见和建议", "required": False},
]
ELDER_MEALS: list[dict[str, Any]] = [
    {"kind": "single", "text": "您家是否有 60 岁以上的老人", "choices": ["有", "没有"]},
    {
        "kind": "multiple",
        "text": "老人需要哪些助餐服务",
        "choices": ["到长者饭堂就餐", "送餐上门", "用餐补贴"],
        "show_if": {"position": 1, "choice": "有"},
    },
    {"kind": "scale", "text": "您对长者饭堂的满意度", "scale_max": 5, "measure": "satisfaction"},
    {"kind": "text", "text": "您的建议", "required": False},
]
SUGGESTIONS = ["希望增加停车位", "楼道灯经常不亮", "希望多组织亲子活动", "垃圾分类点再多一些", ""]


def _answers(rng: random.Random, mood: float) -> dict:
    def scale() -> int:
        return max(1, min(5, round(rng.gauss(mood, 0.8))))

    reported = rng.random() < 0.35
    answers: dict = {
        "1": scale(),
        "2": scale(),
        "3": "反映过" if reported else "没有反映过",
        "5": rng.sample(["养老服务", "托育服务", "文体活动", "环境卫生", "治安巡逻"], rng.randint(1, 3)),
        "6": rng.choice(SUGGESTIONS),
    }
    if reported:
        answers["4"] = rng.choice(["已解决", "已解决", "部分解决", "未解决"])
    return answers


def seed_surveys(*, seed: int, users: dict[str, User]) -> int:
    rng = random.Random(seed + 27)  # noqa: S311 (demo data)
    now = timezone.now()
    year = timezone.localdate().year
    chenjing, lina = users["chenjing"], users["lina"]
    city = Area.objects.filter(level="city").order_by("code").first()
    zhang_household = Resident.objects.filter(user=users.get("zhangwei")).values_list(
        "household_id", flat=True
    )
    created = 0
    title = f"{year}年度社区服务满意度调查"
    if city is not None and not Survey.objects.filter(title=title).exists():
        survey = survey_create(
            actor=chenjing,
            title=title,
            description="了解居民对社区服务的评价，结果用于改进服务。",
            area=city,
            kind="satisfaction",
            sampling="stratified",
            sample_size=4,
            questions=SATISFACTION,
            opens_at=now - timedelta(days=10),
            closes_at=now + timedelta(days=20),
            synthetic=True,
        )
        survey = survey_publish(actor=chenjing, survey=survey, seed=seed, notify=False)
        moods: dict[int, float] = {}
        for invitation in (
            Invitation.objects.filter(survey=survey)
            .exclude(household_id__in=list(zhang_household))
            .select_related("community")
            .order_by("pk")
        ):
            mood = moods.setdefault(invitation.community_id, rng.uniform(3.0, 4.8))
            if rng.random() < 0.68:
                response_enter(
                    actor=chenjing,
                    survey=survey,
                    invitation=invitation,
                    answers=_answers(rng, mood),
                    synthetic=True,
                )
                created += 1
    street = Area.objects.filter(level="street", name="华富街道").first()
    title = "华富街道长者助餐服务意见征集"
    if street is not None and not Survey.objects.filter(title=title).exists():
        survey = survey_create(
            actor=lina,
            title=title,
            description="街道计划扩大长者饭堂服务，请每户填写一份。",
            area=street,
            kind="satisfaction",
            anonymous=True,
            questions=ELDER_MEALS,
            opens_at=now - timedelta(days=2),
            closes_at=now + timedelta(days=12),
            synthetic=True,
        )
        survey = survey_publish(actor=lina, survey=survey, seed=seed, notify=True)
        for invitation in (
            Invitation.objects.filter(survey=survey)
            .exclude(household_id__in=list(zhang_household))
            .select_related("community")
            .order_by("pk")
        ):
            if rng.random() < 0.5:
                elder = rng.random() < 0.6
                answers: dict[str, Any] = {"1": "有" if elder else "没有", "3": rng.randint(3, 5)}
                if elder:
                    answers["2"] = rng.sample(["到长者饭堂就餐", "送餐上门", "用餐补贴"], rng.randint(1, 2))
                response_enter(
                    actor=lina, survey=survey, invitation=invitation, answers=answers, synthetic=True
                )
                created += 1
    return created
