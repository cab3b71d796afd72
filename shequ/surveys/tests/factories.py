"""Surveys for tests, made through the real services."""

from __future__ import annotations

from datetime import date, timedelta

from django.utils import timezone

from shequ.core.idnumbers import make_id_number
from shequ.geo.models import Area
from shequ.residents.models import Resident
from shequ.residents.services import household_create, resident_create

from ..services import survey_create, survey_publish

QUESTIONS = [
    {"kind": "scale", "text": "您对社区服务的总体满意度", "scale_max": 5, "measure": "satisfaction"},
    {"kind": "single", "text": "您是否参加过社区活动", "choices": ["参加过", "没参加过"]},
    {
        "kind": "multiple",
        "text": "您参加过哪些活动",
        "choices": ["文体活动", "志愿服务", "长者饭堂"],
        "show_if": {"position": 2, "choice": "参加过"},
    },
    {"kind": "text", "text": "您的建议", "required": False},
]
GOOD = {"1": 5, "2": "参加过", "3": ["志愿服务"], "4": "多办活动"}

_n = {"n": 0}


def street(name: str = "华富街道") -> Area:
    return Area.objects.get(level="street", name=name, parent__code__in=["440304", "440305"])


def communities(name: str = "华富街道") -> list[Area]:
    return list(Area.objects.filter(parent=street(name), level="community").order_by("code"))


def household_with_resident(community: Area, user=None, *, tags=()) -> Resident:
    """A household in `community` with one resident (linked to `user`'s account when given)."""
    _n["n"] += 1
    n = _n["n"]
    household = household_create(actor=None, area=community, room=f"{n}栋{n}01室")
    resident = resident_create(
        actor=None,
        household=household,
        name="测试居民",
        id_number=make_id_number("440304", date(1970, 3, 1 + n // 500 % 28), n % 500, "male"),
        phone=f"137{n:08d}",
        tags=tags,
    )
    if user is not None:
        Resident.objects.filter(pk=resident.pk).update(user=user)
        resident.refresh_from_db()
    return resident


def make_survey(actor, *, area: Area | None = None, publish: bool = True, seed: int = 7, **extra):
    now = timezone.now()
    fields = {
        "title": "2026年社区服务满意度调查",
        "area": area or street(),
        "kind": "satisfaction",
        "questions": QUESTIONS,
        "opens_at": now - timedelta(hours=1),
        "closes_at": now + timedelta(days=14),
        **extra,
    }
    survey = survey_create(actor=actor, **fields)
    if publish:
        survey = survey_publish(actor=actor, survey=survey, seed=seed)
    return survey
