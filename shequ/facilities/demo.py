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


# --- the 15-minute circle (issue 29): building points and populations, idle premises, one computation --------
CANDIDATES_PER_COMMUNITY = 3


def seed_circle(*, seed: int = 1, streets: Iterable[Area]) -> dict[str, int]:
    """Synthetic points and residents for the buildings of the demo communities (around the community's
    facilities, up to 1.5 km out so that some fall outside the circle), a few idle premises (闲置房产) per
    community as candidate sites, then the circle computed once. Buildings that already have a point keep it and
    its population (a real survey is never overwritten); re-running adds nothing."""
    from django.db.models import Avg

    from .coverage import circle_compute
    from .models import CandidateSite

    rng = random.Random(seed * 104729 + 3)  # noqa: S311 - reproducible demo data, not security
    street_paths = [s.path for s in streets]
    anchors = {
        row["area_id"]: (row["lat"], row["lng"])
        for row in Facility.objects.filter(source=SOURCE, area__level="community")
        .values("area_id")
        .annotate(lat=Avg("lat"), lng=Avg("lng"))
        .order_by()
    }
    communities = [
        c
        for c in Area.objects.filter(level="community", pk__in=anchors).order_by("code")
        if any(c.path.startswith(p) for p in street_paths)
    ]
    located = sites = 0
    existing_sites = set(CandidateSite.objects.filter(source=SOURCE).values_list("name", "area_id"))
    by_community: dict[str, list[Area]] = {}
    for b in Area.objects.filter(level="building").order_by("code"):  # one query: the city's buildings
        parts = [p for p in b.path.split("/") if p]
        if len(parts) > 4:
            by_community.setdefault(parts[3], []).append(b)
    changed = []
    for community in communities:
        lat, lng = anchors[community.pk]
        for b in by_community.get(community.code, []):
            point, population = _offset(rng, lat, lng, 1500), rng.randint(60, 480)
            if b.centroid_lat is not None:
                continue
            b.centroid_lat, b.centroid_lng = point
            b.centroid_source, b.centroid_approximate = SOURCE, True
            b.population, b.population_year, b.population_source = population, 2025, SOURCE
            b.population_synthetic = True
            changed.append(b)
        for i in range(1, CANDIDATES_PER_COMMUNITY + 1):
            (s_lat, s_lng), floor = _offset(rng, lat, lng, 1400), rng.randint(80, 1200)
            name = f"{community.name}闲置房产{i}号"
            if (name, community.pk) in existing_sites:
                continue
            CandidateSite.objects.create(
                name=name,
                area=community,
                address=f"{community.name}（合成地址）",
                lat=s_lat,
                lng=s_lng,
                floor_m2=floor,
                synthetic=True,
                source=SOURCE,
            )
            sites += 1
    fields = ["centroid_lat", "centroid_lng", "centroid_source", "centroid_approximate", "population"]
    fields += ["population_year", "population_source", "population_synthetic"]
    Area.objects.bulk_update(changed, fields, batch_size=1000)
    located = len(changed)
    circle_compute()
    return {"buildings": located, "candidate_sites": sites}
