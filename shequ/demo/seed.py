"""Deterministic synthetic demo data on top of the real area tree: units, grids, estates, buildings, the cast.

Everything written here is flagged `synthetic=True` with source "seed_demo". The same seed gives the same rows;
running again updates in place and duplicates nothing (natural keys are codes and usernames).
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from shequ.accounts.choices import UnitKind
from shequ.accounts.models import Unit
from shequ.appeals.models import Appeal
from shequ.audit.context import audit_context
from shequ.audit.services import audit_record
from shequ.core.db import bulk
from shequ.earlywarning.services import warnings_detect
from shequ.facilities.demo import seed_facilities
from shequ.geo.choices import AreaLevel
from shequ.geo.models import PATH_SEPARATOR, Area
from shequ.venues.demo import seed_venues

from .appeals import seed_appeals, seed_rules
from .cast import CAST, DEMO_PASSWORD, ensure_cast
from .history import SYNTHETIC_MARK, ensure_handlers, seed_history
from .notices import seed_notices
from .people import seed_residents

SOURCE = "seed_demo"

# `small`: the streets of the fixed cast (DESIGN.md §8) and a few neighbours, in three districts.
SMALL_STREETS = {
    "440304": ["华富街道", "福田街道", "莲花街道"],
    "440305": ["粤海街道", "南头街道"],
    "440303": ["桂园街道"],
}

DISTRICT_DEPARTMENTS = [
    ("CG", "城市管理和综合执法局"),
    ("ZJ", "住房和建设局"),
    ("SW", "水务局"),
    ("JT", "交通运输局"),
    ("HB", "生态环境分局"),
    ("SJ", "市场监督管理局"),
    ("RS", "人力资源局"),
    ("WJ", "卫生健康局"),
    ("JY", "教育局"),
    ("MZ", "民政局"),
    ("WT", "文化广电旅游体育局"),
    ("GA", "公安分局"),
]

ESTATE_STEMS = "华富 景田 莲花 翠海 碧云 锦绣 榕树 海滨 荔园 桃源 枫叶 星河 阳光 金域 书香 鹏城 东海 南山 松园 竹林".split()
ESTATE_SUFFIXES = ["花园", "苑", "小区", "家园", "雅居", "公寓", "新村", "名苑"]


@dataclass
class SeedReport:
    counts: dict[str, int] = field(default_factory=dict)

    def add(self, key: str, n: int = 1) -> None:
        self.counts[key] = self.counts.get(key, 0) + n

    def summary(self) -> str:
        # Only what was made: a second run says it made nothing.
        return ", ".join(f"{k} {v}" for k, v in sorted(self.counts.items()) if v)


class SeedError(Exception):
    pass


def _streets(scale: str) -> list[Area]:
    streets = Area.objects.filter(level=AreaLevel.STREET).select_related("parent").order_by("code")
    if scale == "city":
        return list(streets)
    wanted = {(d, s) for d, names in SMALL_STREETS.items() for s in names}
    return [s for s in streets if s.parent is not None and (s.parent.code, s.name) in wanted]


def _upsert_areas(rows: list[Area]) -> int:
    existing = {a.code: a for a in Area.objects.filter(code__in=[r.code for r in rows])}
    new = [r for r in rows if r.code not in existing]
    changed = []
    for r in rows:
        old = existing.get(r.code)
        if old and (old.name, old.parent_id, old.path) != (r.name, r.parent_id, r.path):
            old.name, old.parent_id, old.path, old.depth = r.name, r.parent_id, r.path, r.depth
            changed.append(old)
        if old:
            r.pk = old.pk
    Area.objects.bulk_create(new, batch_size=1000)
    if changed:
        Area.objects.bulk_update(changed, ["name", "parent_id", "path", "depth"], batch_size=1000)
    # bulk_create on SQLite/PostgreSQL sets pks; re-read codes we could not map to be safe.
    missing = [r.code for r in rows if r.pk is None]
    if missing:
        pks = dict(Area.objects.filter(code__in=missing).values_list("code", "pk"))
        for r in rows:
            if r.pk is None:
                r.pk = pks[r.code]
    return len(new)


def _child(parent: Area, code: str, level: str, name: str, kind: str) -> Area:
    """An unsaved child row; its parent_id is right only if the parent is saved already."""
    path = f"{parent.path}{code}{PATH_SEPARATOR}"
    return Area(
        code=code,
        level=level,
        name=name,
        official_name=name,
        kind=kind,
        parent_id=parent.pk,
        path=path,
        depth=path.count(PATH_SEPARATOR) - 2,
        code_official=False,
        source=SOURCE,
        synthetic=True,
        centroid_approximate=True,
    )


def _upsert_unit(
    report: SeedReport, *, code: str, name: str, kind: str, area: Area, parent: Unit | None = None
) -> Unit:
    unit, created = Unit.objects.update_or_create(
        code=code, defaults={"name": name, "kind": kind, "area": area, "parent": parent, "synthetic": True}
    )
    if created:
        report.add(f"units.{kind}")
    return unit


# A living year (shequ/demo/history.py): appeals over the last 12 months across the whole city.
HISTORY_APPEALS = 4000
HISTORY_DAYS = 365


@transaction.atomic
def seed_demo(*, scale: str = "small", seed: int = 1, appeals: int | None = None) -> SeedReport:
    if scale not in ("small", "city"):
        raise SeedError(f"unknown scale {scale!r}: use small or city")
    if not Area.objects.filter(level=AreaLevel.CITY).exists():
        raise SeedError("the area tree is empty: run `python manage.py load_city_pack shenzhen` first")
    rng = random.Random(seed)  # noqa: S311 - reproducible demo data, not security
    report = SeedReport()
    streets = _streets(scale)
    if not streets:
        raise SeedError("none of the demo streets exist in the loaded city pack")

    # Every district has its departments and every street its office, at every scale: the living year's appeals
    # come from the whole city. Communities, grids and estates below are seeded for `streets` only.
    every_street = _streets("city")
    districts = sorted({s.parent for s in every_street if s.parent is not None}, key=lambda a: a.code)
    for district in districts:
        for slug, dept in DISTRICT_DEPARTMENTS:
            _upsert_unit(
                report,
                code=f"{district.code}-{slug}",
                name=f"{district.name}{dept}",
                kind=UnitKind.DISTRICT_DEPARTMENT,
                area=district,
            )

    communities_by_street: dict[int, list[Area]] = {}
    for c in Area.objects.filter(level=AreaLevel.COMMUNITY, parent__in=streets).order_by("code"):
        communities_by_street.setdefault(c.parent_id, []).append(c)  # type: ignore[arg-type]

    grids: list[Area] = []
    estates: list[Area] = []
    buildings: list[Area] = []
    offices = {
        street.pk: _upsert_unit(
            report,
            code=f"{street.code}-JDB",
            name=f"{street.name}办事处",
            kind=UnitKind.STREET_OFFICE,
            area=street,
        )
        for street in every_street
    }
    for street in streets:
        office = offices[street.pk]
        for community in communities_by_street.get(street.pk, []):
            station = _upsert_unit(
                report,
                code=f"{community.code}-GZZ",
                name=f"{community.name}工作站",
                kind=UnitKind.COMMUNITY_STATION,
                area=community,
                parent=office,
            )
            if rng.random() < 0.5:
                _upsert_unit(
                    report,
                    code=f"{community.code}-SK",
                    name=f"{community.name}健康服务中心",
                    kind=UnitKind.HEALTH_CENTRE,
                    area=community,
                )
            _ = station
            for g in range(1, rng.randint(2, 4) + 1):
                grid = _child(
                    community,
                    f"{community.code}{g:02d}",
                    AreaLevel.GRID,
                    f"{community.name}第{g}网格",
                    "网格",
                )
                grids.append(grid)
                for e in range(1, rng.randint(1, 3) + 1):
                    name = f"{rng.choice(ESTATE_STEMS)}{rng.choice(ESTATE_SUFFIXES)}"
                    estates.append(_child(grid, f"{grid.code}{e:02d}", AreaLevel.ESTATE, name, "小区"))
    report.add("areas.grid", _upsert_areas(grids))
    # Estates were built before their grids had primary keys; attach them now by code.
    grid_pks = {g.code: g.pk for g in grids}
    for estate in estates:
        estate.parent_id = grid_pks[estate.code[:-2]]
    report.add("areas.estate", _upsert_areas(estates))
    for estate in estates:
        for b in range(1, rng.randint(2, 6) + 1):
            buildings.append(
                _child(estate, f"{estate.code}{b:03d}", AreaLevel.BUILDING, f"{estate.name}{b}栋", "楼栋")
            )
    report.add("areas.building", _upsert_areas(buildings))

    users = ensure_cast()
    # Residents go to the cast's streets at every scale: enough for every role to see someone, and the city
    # scale stays a matter of seconds.
    report.add("residents", seed_residents(rng, streets=_streets("small"), cast=users))
    report.add("appeals", seed_appeals(rng, streets=_streets("small"), cast=users))
    seed_rules(streets=every_street, lina_unit=None)
    report.add("handlers", ensure_handlers())
    report.add(
        "appeals.history",
        seed_living_year(
            users, count=HISTORY_APPEALS if appeals is None else appeals, seed=seed, scale=scale
        ),
    )
    report.add("notices", seed_notices(rng, streets=every_street, author=users["chenjing"]))
    report.add("facilities", seed_facilities(seed=seed, streets=streets))
    # The registries the plan counts and the 15-minute circle by population (issue 29): entries in every seeded
    # community, building points with synthetic populations, idle premises, and the circle computed once.
    from shequ.facilities.demo import seed_circle
    from shequ.registries.demo import seed_registries

    report.add("registries", seed_registries(seed=seed, streets=streets))
    for key, n in seed_circle(seed=seed, streets=streets).items():
        report.add(f"circle.{key}", n)
    # Owners' decisions (issue 27): a unit register in every district, a finished and an open vote.
    from shequ.owners.demo import seed_owners

    report.add("owners.parts", seed_owners(seed=seed))
    # Surveys and credit lists (issue 27 items 4-5): a satisfaction survey in every district, last year's lists.
    from shequ.credit.demo import seed_credit
    from shequ.surveys.demo import seed_surveys

    report.add("surveys.responses", seed_surveys(seed=seed, users=users))
    report.add("credit.entries", seed_credit(seed=seed, users=users))
    # Volunteer service (issue 24): 200 synthetic residents, and a team, a station and a season in every district.
    from shequ.volunteers.demo import seed_volunteers

    for key, n in seed_volunteers(seed=seed).items():
        report.add(f"volunteers.{key}", n)
    # The time bank (issue 24): ledger history in every district, after the volunteers (whose confirmed hours
    # already earned credits through the hook).
    from shequ.timebank.demo import seed_timebank

    report.add("timebank.transfers", seed_timebank(seed=seed, password=DEMO_PASSWORD))
    # Emergency management (issue 28): plans, shelters, supplies, drills and teams; a past warning in 华富街道.
    from shequ.emergency.demo import seed_emergency

    for key, n in seed_emergency(seed=seed).items():
        report.add(f"emergency.{key}", n)
    report.add("venues", seed_venues(seed=seed, streets=every_street, users=users))
    # Residents choose (issue 26): the three lists, a meeting with minutes and a deliberation topic per district.
    from shequ.participation.demo import seed_participation

    for key, n in seed_participation(seed=seed).items():
        report.add(f"participation.{key}", n)
    # 民生微实事 (issue 26): last year's round disclosed and this year's open for voting, in two districts.
    from shequ.microprojects.demo import seed_microprojects

    for key, n in seed_microprojects(seed=seed).items():
        report.add(f"microprojects.{key}", n)
    # Care for people in difficulty (issue 28): stations, special groups, the discovery queue, open and closed cases.
    from shequ.care.demo import seed_care

    for key, n in seed_care(seed=seed).items():
        report.add(f"care.{key}", n)
    # The last week's early warnings over the appeals (the daily task's work; idempotent, so a re-run adds none).
    with audit_context(channel="command"):
        today = timezone.localdate()
        for back in range(6, -1, -1):
            report.add("warnings", warnings_detect(day=today - timedelta(days=back))["created"])
    # The plan's task ledger and its indicators computed for the whole city (issue 29), after every module's data.
    from shequ.indicators.demo import seed_indicators

    for key, n in seed_indicators(seed=seed, actor=users["chenjing"]).items():
        report.add(f"indicators.{key}", n)
    analyze_seeded()
    return report


def analyze_seeded() -> None:
    """Fresh planner statistics for every table the seed wrote (the living year analyzes its own as it ends):
    a fresh database may run without autovacuum, and a plan made for an empty area tree reads the city's 26,000
    areas row by row (issue 22)."""
    from django.apps import apps

    from shequ.appeals.models import Event, KpiDaily

    history = {Appeal, Event, KpiDaily}
    labels = ("geo", "accounts", "residents", "appeals", "dispatch", "earlywarning", "notices", "facilities")
    bulk.analyze(
        m
        for label in labels
        if apps.is_installed(f"shequ.{label}")
        for m in apps.get_app_config(label).get_models()
        if m not in history and not m._meta.proxy and m._meta.managed
    )


def cast_units() -> set[int]:
    """The units of the fixed cast: the living year leaves them only old, finished appeals, so that their queues
    are what the cast's browser journeys expect."""
    from shequ.accounts.models import Grant

    return set(
        Grant.objects.filter(user__username__in=[m.username for m in CAST], unit__isnull=False).values_list(
            "unit_id", flat=True
        )
    )


def seed_living_year(users: dict, *, count: int, seed: int, scale: str) -> int:
    """The living year (shequ/demo/history.py), once: nothing if its appeals are there already."""
    if Appeal.objects.filter(synthetic=True, text__endswith=SYNTHETIC_MARK).exists():
        return 0
    result = seed_history(
        count=count,
        days=HISTORY_DAYS,
        seed=seed,
        dispatcher=users["sunli"],
        avoid_units=cast_units(),
        # The demo rebuilds the rollups from every timeline; at city scale the replay runs as the rows are made.
        rollups="rebuild" if scale == "small" else "replay",
        phone_pool=None if count <= 20_000 else 200_000,
    )
    audit_record(
        action="demo.history",
        obj=None,
        object_repr=f"{result.appeals} synthetic appeals",
        channel="command",
        changes={
            "appeals": {"after": result.appeals},
            "events": {"after": result.events},
            "statuses": {"after": dict(result.statuses)},
        },
    )
    return result.appeals
