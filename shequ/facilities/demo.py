"""Synthetic facilities for the demo and the benches, spread around the demo communities.

The city pack has no community points and street points are approximate (PROVENANCE.md), so each community gets
a made-up anchor inside its street's box (or within 1.5 km of the street's or district's point) and its
facilities within about 500 m of that anchor. Everything is flagged synthetic with source "seed_demo". Natural
key: (name, area): running again with the same seed creates nothing new.
"""

from __future__ import annotations

import math
import random
from collections.abc import Iterable

from shequ.geo.models import Area

from .choices import HolidayRule
from .models import Facility
from .services import FacilityData, facility_create, facility_types_ensure

SOURCE = "seed_demo"
WEEK = ("mon", "tue", "wed", "thu", "fri")
ALL = (*WEEK, "sat", "sun")


def _days(days: Iterable[str], *intervals: tuple[str, str]) -> dict[str, list[list[str]]]:
    return {d: [list(i) for i in intervals] for d in days}


# type → (chance per community, name suffix, hours, holiday rule, holiday note, services)
PLAN = [
    ("party_service", 1.0, "党群服务中心",
     {**_days(WEEK, ("08:30", "12:00"), ("14:00", "21:00")), **_days(("sat", "sun"), ("09:00", "17:00"))},
     HolidayRule.SUNDAY, "法定节假日按周日时间开放", ["政务服务代办", "党员活动", "议事协商", "图书阅览"]),
    ("health", 0.7, "社区健康服务中心",
     _days(ALL, ("08:00", "12:00"), ("14:00", "17:30")),
     HolidayRule.SUNDAY, "节假日上午门诊", ["家庭医生签约", "预防接种", "慢病随访", "中医理疗"]),
    ("elderly", 0.6, "长者服务站",
     _days(WEEK, ("08:30", "17:30")),
     HolidayRule.CLOSED, "法定节假日休息", ["长者助餐", "日间照料", "健康监测", "文娱活动"]),
    ("childcare", 0.3, "普惠托育园",
     _days(WEEK, ("07:30", "18:00")),
     HolidayRule.CLOSED, "法定节假日休园", ["全日托", "半日托", "临时托"]),
    ("children", 0.5, "儿童之家",
     {**_days(("wed",), ("14:00", "17:30")), **_days(("sat", "sun"), ("09:00", "17:00"))},
     HolidayRule.AS_USUAL, "", ["四点半课堂", "亲子阅读", "儿童游戏"]),
    ("culture_sports", 0.4, "文体活动中心",
     _days(ALL, ("09:00", "22:00")),
     HolidayRule.AS_USUAL, "", ["乒乓球", "舞蹈排练", "棋牌", "健身"]),
    ("police", 0.5, "社区警务室",
     _days(ALL, ("00:00", "24:00")),
     HolidayRule.AS_USUAL, "", ["户政咨询", "治安报警", "矛盾调解"]),
    ("volunteer", 0.6, "志愿服务站",
     {**_days(WEEK, ("09:00", "18:00")), "sat": [["09:00", "12:00"]]},
     HolidayRule.CLOSED, "法定节假日休息", ["志愿者注册", "时间银行兑换", "便民维修"]),
]  # fmt: skip
METRES_PER_DEG = 111_195.0


def _offset(rng: random.Random, lat: float, lng: float, max_m: float) -> tuple[float, float]:
    r, a = max_m * math.sqrt(rng.random()), rng.random() * 2 * math.pi
    dlat = r * math.cos(a) / METRES_PER_DEG
    dlng = r * math.sin(a) / (METRES_PER_DEG * math.cos(math.radians(lat)))
    return round(lat + dlat, 6), round(lng + dlng, 6)


def _street_anchor(street: Area) -> tuple[float, float, list[float] | None] | None:
    """(lat, lng, bbox) of a street: its own point and box, else its district's point (no box)."""
    if street.centroid_lat is not None and street.centroid_lng is not None:
        return street.centroid_lat, street.centroid_lng, street.bbox
    district = street.parent
    if district is not None and district.centroid_lat is not None and district.centroid_lng is not None:
        return district.centroid_lat, district.centroid_lng, None
    return None


def _community_anchor(
    rng: random.Random, anchor: tuple[float, float, list[float] | None]
) -> tuple[float, float]:
    lat, lng, bbox = anchor
    if bbox and len(bbox) == 4:
        min_lng, min_lat, max_lng, max_lat = bbox
        # The middle 70% of the box: the edges of these approximate boxes often lie in the sea or hills.
        return (
            round(min_lat + (0.15 + 0.7 * rng.random()) * (max_lat - min_lat), 6),
            round(min_lng + (0.15 + 0.7 * rng.random()) * (max_lng - min_lng), 6),
        )
    return _offset(rng, lat, lng, 1500)


def _phone(rng: random.Random) -> str:
    return f"0755-{rng.randint(2, 8)}{rng.randint(0, 9_999_999):07d}"


def seed_facilities(*, seed: int = 1, streets: Iterable[Area], actor=None) -> int:
    """Synthetic facilities around the communities of the given streets; returns how many were created."""
    facility_types_ensure()
    rng = random.Random(seed * 7919 + 17)  # noqa: S311 - reproducible demo data, not security
    streets = sorted(streets, key=lambda s: s.code)
    existing = set(Facility.objects.filter(source=SOURCE).values_list("name", "area_id"))
    communities: dict[int, list[Area]] = {}
    for c in Area.objects.filter(level="community", parent__in=streets).order_by("code"):
        communities.setdefault(c.parent_id, []).append(c)  # type: ignore[arg-type]
    created = 0

    def add(data: FacilityData, area: Area) -> None:
        nonlocal created
        if (data.name, area.pk) in existing:
            return
        facility_create(actor=actor, data=data)
        existing.add((data.name, area.pk))
        created += 1

    for street in streets:
        anchor = _street_anchor(street)
        if anchor is None:
            continue
        for community in communities.get(street.pk, []):
            c_lat, c_lng = _community_anchor(rng, anchor)
            for code, chance, suffix, hours, rule, note, offered in PLAN:
                # Draw every number whether or not the facility exists, so a re-run walks the same sequence.
                roll, (lat, lng), phone, number = (
                    rng.random(),
                    _offset(rng, c_lat, c_lng, 500),
                    _phone(rng),
                    rng.randint(1, 399),
                )
                accessible = rng.random() < 0.6
                if roll >= chance:
                    continue
                name = f"{community.name}{suffix}"
                add(
                    FacilityData(
                        name=name,
                        type=code,
                        area=community.code,
                        lat=lat,
                        lng=lng,
                        address=f"{street.name}{community.name}{number}号（合成地址）",
                        phone=phone,
                        hours=hours,
                        holiday_rule=rule,
                        holiday_note=note,
                        services=offered,
                        accessible=accessible,
                        synthetic=True,
                        source=SOURCE,
                    ),
                    community,
                )
        # Two emergency shelters per street (schools' playgrounds and parks in reality), open at all times.
        for i in (1, 2):
            lat, lng = _community_anchor(rng, anchor)
            add(
                FacilityData(
                    name=f"{street.name}应急避难场所{i}号",
                    type="shelter",
                    area=street.code,
                    lat=lat,
                    lng=lng,
                    address=f"{street.name}（合成地址）",
                    hours=_days(ALL, ("00:00", "24:00")),
                    holiday_note="应急时开放",
                    services=["临时安置", "应急物资"],
                    accessible=True,
                    synthetic=True,
                    source=SOURCE,
                ),
                street,
            )
    return created
