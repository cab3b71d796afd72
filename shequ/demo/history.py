"""A living year of synthetic appeals across the whole city, written in bulk (issue 21 item 10, issue 22 item 1).

Thousands (or, at city scale, a million) of appeals cannot each go through the services in a demo that must start
in a minute or two. So this module plays every appeal's life forward in memory, step by step, writing what the
services would write for each step (`Life`: the appeal's columns, its timeline events with the same actions,
notes, data and public flags, its assignments, its extensions), and the rows are then loaded in bulk
(`shequ.core.db.bulk.load_rows`: COPY on PostgreSQL). What is the same as the services, and proved by
`tests/test_history.py`, which drives appeals of every story through the real services under a clock fixed at each
generated event's time and compares the rows:

- intake: the number (SQ + day + the city-wide counter), urgency (the category's default, or the safety words of the
  text, `appeals.urgency`), the responsibility list's rule (`services.match_rule`) dispatching at the same instant,
  deadlines on the working-day calendar (`services.reply_deadline`'s rules);
- handling by a handler of the lead unit (sign for, start, contact, reply), returns within a day with re-dispatch
  by the 12345 dispatcher (and the default (兜底) unit after two), reassignment, extensions requested and approved,
  supervision, merges into an open duplicate, rejections, 好差评 by the 12345 callback (on behalf of the caller),
  automatic reopen after a bad rating, close;
- the minute deadline scan (`services.appeal_scan_deadlines`): a warning when a fifth of the reply window is left,
  escalation with supervision when the reply deadline passes, at the minute they fall due.

What is not written, on purpose: audit entries (a hash chain of forged links would prove nothing; one entry records
the seeding), text messages to the callers, the after-intake queue and the dispatch model's training signal. The
KPI rollups are computed from the timeline by the same counting rules (`appeals.kpis`): the demo calls
`kpis_rebuild`, the city scale feeds the generated events to the rebuild's `Replay` as they are made.

Everything is flagged `synthetic=True`, and every text says it is synthetic demo data (合成演示数据).
"""

from __future__ import annotations

import bisect
import random
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.db.models import Model
from django.utils import timezone

from shequ.accounts.choices import UnitKind
from shequ.accounts.models import Unit, User
from shequ.accounts.roles import Role
from shequ.appeals.choices import (
    BAD_RATINGS,
    CONTACT_HOURS,
    DEFAULT_REPLY,
    EMERGENCY_DISPATCH_MINUTES,
    SATISFIED_RATINGS,
    Rating,
    Urgency,
)
from shequ.appeals.kpis import ROLLUPS, RowKey
from shequ.appeals.models import Appeal, Category
from shequ.appeals.services import NUMBER_SEQUENCE, WARN_FRACTION, match_rule
from shequ.appeals.urgency import detect_urgency
from shequ.core.crypto import blind_index, encrypt
from shequ.core.db import bulk
from shequ.core.idnumbers import normalize_phone
from shequ.core.workdays import get_calendar
from shequ.geo.models import Area

try:
    from shequ.appeals.urgency import assess
except ImportError:  # pragma: no cover - the urgency assessment of issue 23 is newer than this module
    assess = None  # type: ignore[assignment]

# Intake keeps the kind of emergency where the model has the column (issue 23).
HAS_KIND = any(f.name == "urgency_kind" for f in Appeal._meta.concrete_fields)

SYNTHETIC_MARK = "（合成演示数据）"
HANDLING = ("dispatched", "signed_for", "in_progress")
WORKING = ("signed_for", "in_progress")
OPEN = ("submitted", *HANDLING)

# What people call about, by top-level category, and how often (weights, 12345 practice: city management,
# housing and property, environment and traffic lead).
TOP_WEIGHTS = {
    "city_management": 20,
    "housing_property": 16,
    "environment": 12,
    "traffic": 11,
    "utilities": 8,
    "public_safety": 5,
    "market_regulation": 6,
    "labour_social_security": 6,
    "community_affairs": 6,
    "civil_affairs": 3,
    "health": 3,
    "education": 3,
    "culture_sports": 1,
}
GENERIC_TEXTS = [
    "关于{name}的问题，已经反映过一次，希望有关部门尽快处理",
    "附近{name}方面存在问题，影响居民生活，请帮忙协调解决",
    "想咨询{name}相关的办理流程和所需材料",
]
UNCATEGORISED_TEXTS = [
    "来电反映的问题涉及多个部门，暂时无法确定归属，请协调",
    "市民来电咨询一项政策，需要核实后回复",
    "反映小区周边有一处问题，具体情况需要现场核实",
]
REPLIES = [
    "已到现场核实处理，问题已解决，感谢您的反映。",
    "经核查，已联系相关责任单位整改完毕，后续将加强巡查。",
    "已向您电话解释相关政策并协助办理，如有疑问请再次来电。",
]
CONTACT_NOTES = ["已电话联系诉求人，约定上门时间", "已电话联系诉求人了解详情", "已联系诉求人说明处理安排"]
RETURN_REASONS = ["该事项不属于本单位职责范围，建议转属地街道", "经核实应由其他部门主办"]
EXTENSION_REASONS = ["需协调多个部门现场会商，申请延期", "涉及工程施工，需待材料到场后处理"]
SUPERVISE_COMMENTS = ["请加快办理进度，按期答复诉求人", "群众反映强烈，请主办单位专人跟进"]
RATINGS = [(5, 58), (4, 24), (3, 8), (2, 6), (1, 4)]
COMMENTS = {5: "处理及时，非常满意", 4: "处理得不错", 3: "基本解决了", 2: "没有真正解决", 1: "敷衍了事"}


class _Pick:
    """A weighted choice, drawn with one random number."""

    def __init__(self, pairs: Sequence[tuple[Any, float]]) -> None:
        self.values = [v for v, _ in pairs]
        self.cum: list[float] = []
        acc = 0.0
        for _, w in pairs:
            acc += w
            self.cum.append(acc)

    def __call__(self, rng: random.Random) -> Any:
        return self.values[min(bisect.bisect(self.cum, rng.random() * self.cum[-1]), len(self.values) - 1)]


# The platform's days are Shanghai's (settings.TIME_ZONE); read once, not through Django's per-call lookup of the
# active time zone, which is most of the cost of a million lives' office hours.
_TZ = ZoneInfo(settings.TIME_ZONE)


def _local(at: datetime) -> datetime:
    return at.astimezone(_TZ)


def _utc(at: datetime) -> datetime:
    return at.astimezone(UTC)


def _s(at: datetime) -> datetime:
    return at.replace(microsecond=0)


# --- the reference data every life reads -------------------------------------------------------------------------
@dataclass
class CategoryInfo:
    pk: int
    code: str
    name: str
    parent_id: int | None
    contact_hours: int
    rectify_days: int
    reply_deadlines: dict
    default_urgency: str
    attributes: dict


@dataclass
class World:
    """The reference rows a life reads, loaded once: categories, communities with their weights, the
    responsibility list's answers, the units and their handlers, the dispatcher, the calendar."""

    now: datetime
    dispatcher_id: int
    categories: dict[str, CategoryInfo]
    community_pick: _Pick  # → (area id, path, district code, street code)
    category_pick: _Pick  # → category code (second level)
    handlers: dict[int, int]  # unit id → handler user id
    unit_codes: dict[int, str]
    street_office: dict[str, int]  # street code → unit id
    district_units: dict[str, list[int]]  # district code → department unit ids (reassignment targets)
    avoid_units: set[int]  # the fixed cast's units: their queues stay as the browser tests know them
    calendar: Any
    # category code → (text, urgency, reason, kind of emergency)
    texts: dict[str, list[tuple[str, str, str, str]]] = field(default_factory=dict)
    _rules: dict[tuple[int, int], tuple[int, int] | None] = field(default_factory=dict)

    def rule(self, area: tuple, category: CategoryInfo) -> tuple[int, int] | None:
        """(rule id, lead unit id) of the responsibility list for a community and category: `match_rule` itself,
        asked once per pair."""
        key = (area[0], category.pk)
        if key not in self._rules:
            appeal = Appeal(
                area=Area(pk=area[0], path=area[1]),
                category=Category(pk=category.pk, parent_id=category.parent_id, code=category.code),
            )
            found = match_rule(appeal)
            self._rules[key] = (found.pk, found.lead_unit_id) if found else None
        return self._rules[key]

    def text(self, rng: random.Random, code: str) -> tuple[str, str, str, str]:
        return rng.choice(self.texts[code])


def _urgency(text: str, category: CategoryInfo | None, definitions: list | None) -> tuple[str, str, str, str]:
    """(text, urgency, reason, kind) as intake decides them: an emergency by the category's answers or the text
    (`appeals.urgency`), else the category's default."""
    answers = category.attributes if category else None
    if assess is not None:
        verdict = assess(text, definitions=definitions, answers=answers or None)
        if verdict.emergency:
            return text, str(Urgency.EMERGENCY), verdict.reason[:200], verdict.kind
    else:  # pragma: no cover - before appeals.urgency.assess
        reason = detect_urgency(text)
        if reason:
            return text, str(Urgency.EMERGENCY), reason[:200], ""
    return text, str(category.default_urgency if category else Urgency.NORMAL), "", ""


def load_world(
    *, now: datetime, dispatcher: User, avoid_units: set[int], districts: list[str] | None = None
) -> World:
    from .appeals import ATTRIBUTES, TEXTS

    cats = {
        c.code: CategoryInfo(
            c.pk,
            c.code,
            c.name,
            c.parent_id,
            c.contact_hours,
            c.rectify_days,
            c.reply_deadlines or {},
            c.default_urgency,
            {},
        )
        for c in Category.objects.filter(is_active=True)
    }
    by_pk = {c.pk: c for c in cats.values()}
    for row in Category.objects.filter(is_active=True).exclude(attributes=[]):
        given = ATTRIBUTES.get(row.code, {})
        cats[row.code].attributes = {
            a["code"]: given.get(a["code"], "1")
            for a in row.attributes
            if a.get("required") and a.get("variable", True)
        }
    pairs: list[tuple[str, float]] = []
    for info in cats.values():
        if info.parent_id is None:
            continue
        top = by_pk[info.parent_id].code
        siblings = sum(1 for x in cats.values() if x.parent_id == info.parent_id)
        pairs.append((info.code, TOP_WEIGHTS.get(top, 1) / siblings))
    texts: dict[str, list[tuple[str, str, str, str]]] = {}
    definitions = dict(Category.objects.filter(is_active=True).values_list("code", "attributes"))
    for code, info in cats.items():
        lines = TEXTS.get(code) or [t.format(name=info.name) for t in GENERIC_TEXTS]
        texts[code] = [_urgency(f"{line}{SYNTHETIC_MARK}", info, definitions.get(code)) for line in lines]
    texts[""] = [_urgency(f"{t}{SYNTHETIC_MARK}", None, None) for t in UNCATEGORISED_TEXTS]
    for _text, urgency, _reason, _kind in texts[""]:
        assert urgency == Urgency.NORMAL  # an uncategorised appeal waits for a dispatcher: never an emergency

    # Appeals are placed in communities, weighted by population; a street without communities in the city pack
    # (深汕特别合作区's) takes them itself, with its share of its district's population.
    places = Area.objects.filter(level__in=["community", "street"]).values_list(
        "pk", "path", "population", "level"
    )
    with_communities = {
        path.rsplit("/", 2)[0] + "/" for _pk, path, _p, level in places if level == "community"
    }
    bare = [row for row in places if row[3] == "street" and row[1] not in with_communities]
    district_population = dict(Area.objects.filter(level="district").values_list("code", "population"))
    bare_per_district = Counter(path.split("/")[2] for _pk, path, _p, _l in bare)
    areas = []
    for pk, path, population, level in places:
        codes = [c for c in path.split("/") if c]
        if (districts is not None and codes[1] not in districts) or (
            level == "street" and path in with_communities
        ):
            continue
        weight = float(population or 10_000)
        if level == "street":
            weight = (district_population.get(codes[1]) or 10_000) / bare_per_district[codes[1]]
        areas.append(((pk, path, codes[1], codes[2]), weight))
    units = list(Unit.objects.filter(is_active=True).values_list("pk", "code", "kind", "area__code"))
    street_office = {area: pk for pk, _code, kind, area in units if kind == UnitKind.STREET_OFFICE}
    district_units: dict[str, list[int]] = {}
    for pk, _code, kind, area in units:
        if kind == UnitKind.DISTRICT_DEPARTMENT:
            district_units.setdefault(area, []).append(pk)
    from shequ.accounts.models import Grant

    # unit → the person who acts for it: its synthetic handler, else whoever holds a handling grant for it (the
    # cast's community worker for her station).
    handlers: dict[int, int] = {}
    grants = Grant.objects.active().filter(unit__isnull=False, role__in=HANDLING_ROLES).order_by("pk")
    for unit_id, user_id, username in grants.values_list("unit_id", "user_id", "user__username"):
        if unit_id not in handlers or username.startswith(HANDLER_PREFIX):
            handlers[unit_id] = user_id
    return World(
        now=_s(_utc(now)),
        dispatcher_id=dispatcher.pk,
        categories=cats,
        community_pick=_Pick(areas),
        category_pick=_Pick(pairs),
        handlers=handlers,
        unit_codes={pk: code for pk, code, _k, _a in units},
        street_office=street_office,
        district_units=district_units,
        avoid_units=avoid_units,
        calendar=get_calendar(),
        texts=texts,
    )


# --- handlers: one synthetic account per unit that handles appeals ----------------------------------------------------
HANDLER_PREFIX = "handler-"
HANDLING_ROLES = (Role.DEPARTMENT_HANDLER, Role.STREET_OFFICER, Role.COMMUNITY_WORKER, Role.GRID_WORKER)


def ensure_handlers() -> int:
    """A synthetic handler (办理员) for every district department and street office, granted to act for it, so that
    the timeline names a person as the services do. Idempotent; returns how many were created."""
    from shequ.access.services import grant_bootstrap

    units = list(
        Unit.objects.filter(kind__in=[UnitKind.DISTRICT_DEPARTMENT, UnitKind.STREET_OFFICE]).select_related(
            "area"
        )
    )
    have = set(User.objects.filter(username__startswith=HANDLER_PREFIX).values_list("username", flat=True))
    unusable = make_password(None)  # synthetic accounts nobody signs in with
    User.objects.bulk_create(
        [
            User(
                username=f"{HANDLER_PREFIX}{u.code}",
                display_name=f"{u.name}办理员（合成）",
                password=unusable,
                synthetic=True,
            )
            for u in units
            if f"{HANDLER_PREFIX}{u.code}" not in have
        ],
        batch_size=500,
    )
    users = {u.username: u for u in User.objects.filter(username__startswith=HANDLER_PREFIX)}
    made = 0
    from shequ.accounts.models import Grant

    granted = set(
        Grant.objects.filter(user__username__startswith=HANDLER_PREFIX).values_list("unit_id", flat=True)
    )
    for u in units:
        if u.pk in granted:
            continue
        role = Role.DEPARTMENT_HANDLER if u.kind == UnitKind.DISTRICT_DEPARTMENT else Role.STREET_OFFICER
        grant_bootstrap(
            user=users[f"{HANDLER_PREFIX}{u.code}"],
            role=role,
            area=u.area,
            unit=u,
            reason="synthetic demo handler",
        )
        made += 1
    return made


# --- one appeal's life ----------------------------------------------------------------------------------------------
class Life:
    """One appeal, its timeline, assignments and extensions, as the services write them step by step.

    Each method is one service (or the minute scan) at the time given; `appeal` holds the columns by attribute name.
    Times are UTC, whole seconds; the JSON data keeps the services' exact values (deadlines as the services format
    them: read back from the database, UTC; a new extension's deadline as the calendar returns it, Shanghai time).
    """

    def __init__(self, w: World, *, pk: int, number: str) -> None:
        self.w = w
        self.pk = pk
        self.a: dict[str, Any] = {}
        self.events: list[dict[str, Any]] = []
        self.assignments: list[dict[str, Any]] = []
        self.extensions: list[dict[str, Any]] = []
        self.number = number
        self.last: datetime | None = None
        self.category: CategoryInfo | None = None
        self.area: tuple = ()

    # -- helpers --
    def _event(self, action: str, at: datetime, *, actor: int | None, unit: int | None, frm: str, note: str = "",
               data: dict | None = None, public: bool = True, to: str | None = None) -> None:  # fmt: skip
        self.events.append(
            {
                "appeal_id": self.pk,
                "action": action,
                "actor_id": actor,
                "actor_unit_id": unit,
                "from_status": frm,
                "to_status": self.a["status"] if to is None else to,
                "note": note[:4000],
                "data": data or {},
                "public": public,
                "at": at,
            }
        )
        self.last = at

    def _contact_hours(self) -> int:
        return self.category.contact_hours if self.category else CONTACT_HOURS

    def _reply_deadline(self, start: datetime) -> datetime:
        rule: dict = dict(DEFAULT_REPLY[Urgency(self.a["urgency"])])
        if self.category and self.a["urgency"] in self.category.reply_deadlines:
            rule = dict(self.category.reply_deadlines[self.a["urgency"]])
        working = rule.get("working", True)
        if "days" in rule:
            due = (
                self.w.calendar.add_working_days(start, int(rule["days"]))
                if working
                else start + timedelta(days=rule["days"])
            )
        else:
            due = (
                self.w.calendar.add_working_hours(start, float(rule["hours"]))
                if working
                else start + timedelta(hours=rule["hours"])
            )
        return _utc(due)

    def _start_deadlines(self, at: datetime) -> None:
        self.a["contact_due"] = at + timedelta(hours=self._contact_hours())
        self.a["reply_due"] = self._reply_deadline(at)
        self.a["warned_at"] = self.a["overdue_at"] = None

    def _assign(self, unit: int, at: datetime) -> None:
        self.assignments.append(
            {
                "appeal_id": self.pk,
                "unit_id": unit,
                "role": "lead",
                "active": True,
                "created_at": at,
                "ended_at": None,
                "reply_text": "",
            }
        )

    def _end_assignments(self, at: datetime) -> None:
        for row in self.assignments:
            if row["active"]:
                row["active"], row["ended_at"] = False, at

    def _hand_to(self, unit: int, at: datetime, *, keep: bool) -> None:
        self.a.update(lead_unit_id=unit, status="dispatched", dispatched_at=at, signed_at=None)
        if not keep:
            self._start_deadlines(at)

    def lead_actor(self) -> tuple[int, int]:
        unit = self.a["lead_unit_id"]
        return self.w.handlers[unit], unit

    # -- the minute scan --
    def scan(self, until: datetime) -> None:
        """What `appeal_scan_deadlines`, run every minute, does to this appeal up to `until` (inclusive)."""
        a = self.a
        while a["status"] in HANDLING and self.last is not None:
            due, last = a["reply_due"], self.last
            overdue_at = max(due, last) if a["overdue_at"] is None else None
            warn_at = None
            if a["warned_at"] is None and a["dispatched_at"] is not None:
                window = (due - a["dispatched_at"]).total_seconds()
                if window > 0:
                    when = max(
                        due - timedelta(seconds=window * WARN_FRACTION), last, due - timedelta(days=15)
                    )
                    when = (
                        when if when.microsecond == 0 else when.replace(microsecond=0) + timedelta(seconds=1)
                    )
                    if when < due:
                        warn_at = when
            if overdue_at is not None and overdue_at <= until and (warn_at is None or overdue_at <= warn_at):
                a["overdue_at"], a["supervised"] = overdue_at, True
                self._event("escalate", overdue_at, actor=None, unit=None, frm=a["status"], note="超期：自动督办",
                            public=False, data={"reply_due": _utc(due).isoformat()})  # fmt: skip
            elif warn_at is not None and warn_at <= until:
                a["warned_at"] = warn_at
                self._event(
                    "warn", warn_at, actor=None, unit=None, frm=a["status"], note="即将超期", public=False
                )
            else:
                return

    # -- the services --
    def submit(self, at: datetime, *, text: str, category: CategoryInfo | None, area: tuple, channel: str,
               urgency: str, reason: str, phone: tuple[str, str] | None, kind: str = "") -> None:  # fmt: skip
        w = self.w
        self.category = category
        self.area = area
        local_day = _local(at).date()
        self.a = {
            "id": self.pk,
            "number": f"SQ{local_day:%Y%m%d}{self.number}",
            "text": text,
            "category_id": category.pk if category else None,
            "status": "submitted",
            "channel": channel,
            "urgency": urgency,
            "urgency_reason": reason,
            **({"urgency_kind": kind} if HAS_KIND else {}),
            "requester_id": None,
            "anonymous": False,
            "contact_name": "来电市民" if phone else "",
            "contact_phone": phone[0] if phone else "",
            "contact_phone_hash": phone[1] if phone else "",
            "created_by_id": w.dispatcher_id,
            "lat": None,
            "lng": None,
            "address": "",
            "area_id": area[0],
            "location_precision": "area",
            "attributes": dict(category.attributes) if category else {},
            "lead_unit_id": None,
            "default_unit_decided": False,
            "supervised": False,
            "merged_into_id": None,
            "resolved": None,
            "rating": None,
            "rating_comment": "",
            "reply_text": "",
            "created_at": at,
            "dispatched_at": None,
            "signed_at": None,
            "contacted_at": None,
            "replied_at": None,
            "rated_at": None,
            "closed_at": None,
            "dispatch_due": at + timedelta(minutes=EMERGENCY_DISPATCH_MINUTES)
            if urgency == Urgency.EMERGENCY
            else None,
            "contact_due": None,
            "reply_due": None,
            "warned_at": None,
            "overdue_at": None,
            "reopen_count": 0,
            "return_count": 0,
            "synthetic": True,
        }
        submitted = {"channel": channel, "urgency": urgency}
        self._event("submit", at, actor=w.dispatcher_id, unit=None, frm="", data=submitted, to="submitted")
        rule = w.rule(area, category) if category else None
        if rule is not None:
            rule_id, unit = rule
            self._hand_to(unit, at, keep=False)
            self._event("dispatch", at, actor=None, unit=None, frm="submitted", note="职责清单 demo",
                        data={"rule": rule_id, "unit": w.unit_codes[unit], "co_units": [],
                              "emergency": urgency == "emergency"})  # fmt: skip
            self._assign(unit, at)

    def _finish(self, action: str, at: datetime, *, actor: int | None, unit: int | None, frm: str, note: str = "",
                data: dict | None = None, public: bool = True) -> None:  # fmt: skip
        self._event(action, at, actor=actor, unit=unit, frm=frm, note=note, data=data, public=public)

    def dispatch(self, at: datetime, unit: int, *, note: str, action: str = "dispatch", actor: int | None = None,
                 extra: dict | None = None, keep: bool | None = None) -> None:  # fmt: skip
        """appeal_dispatch / appeal_reassign by the dispatcher (keep the clock when dispatched before), or the
        default unit's dispatch after returns (`actor` None, `extra` {"default_unit": True})."""
        self.scan(at)
        a = self.a
        frm = a["status"]
        if keep is None:
            keep = a["reply_due"] is not None and a["dispatched_at"] is not None
        self._end_assignments(at)
        self._assign(unit, at)
        self._hand_to(unit, at, keep=keep)
        self._finish(action, at, actor=self.w.dispatcher_id if actor is None and not extra else actor, unit=None,
                     frm=frm, note=note, data={**(extra or {}), "unit": self.w.unit_codes[unit], "co_units": [],
                                               "emergency": a["urgency"] == "emergency"})  # fmt: skip

    def sign_for(self, at: datetime) -> None:
        self.scan(at)
        actor, unit = self.lead_actor()
        frm = self.a["status"]
        self.a.update(status="signed_for", signed_at=at)
        self._finish("sign_for", at, actor=actor, unit=unit, frm=frm)

    def start(self, at: datetime) -> None:
        self.scan(at)
        actor, unit = self.lead_actor()
        self.a["status"] = "in_progress"
        self._finish("start", at, actor=actor, unit=unit, frm="signed_for")

    def contact(self, at: datetime, note: str) -> None:
        self.scan(at)
        actor, unit = self.lead_actor()
        a = self.a
        first = a["contacted_at"] is None
        if first:
            a["contacted_at"] = at
        on_time = bool(first and a["contact_due"] and at <= a["contact_due"])
        self._finish("contact", at, actor=actor, unit=unit, frm=a["status"], note=note,
                     data={"first": first, "on_time": on_time}, public=False)  # fmt: skip

    def reply(self, at: datetime, text: str) -> None:
        self.scan(at)
        actor, unit = self.lead_actor()
        a = self.a
        frm = a["status"]
        a.update(status="replied", replied_at=at, reply_text=text)
        if a["contacted_at"] is None:
            a["contacted_at"] = at
        on_time = a["reply_due"] is None or at <= a["reply_due"]
        handling = (at - a["dispatched_at"]).total_seconds() if a["dispatched_at"] else 0
        self._finish("reply", at, actor=actor, unit=unit, frm=frm, note=text,
                     data={"on_time": on_time, "handling_seconds": int(handling)})  # fmt: skip

    def return_(self, at: datetime, reason: str, *, default_unit: int | None) -> None:
        self.scan(at)
        actor, unit = self.lead_actor()
        a = self.a
        frm = a["status"]
        self._end_assignments(at)
        a.update(status="submitted", lead_unit_id=None, return_count=a["return_count"] + 1)
        # The event names no acting unit: the appeal has none left when the services write it.
        self._finish("return", at, actor=actor, unit=None, frm=frm, note=reason,
                     data={"unit": self.w.unit_codes[unit], "returns": a["return_count"]})  # fmt: skip
        if a["return_count"] >= 2 and default_unit is not None:
            a["default_unit_decided"] = True
            self.dispatch(
                at, default_unit, note="多次退单：属地兜底", extra={"default_unit": True}, keep=True
            )

    def request_extension(self, at: datetime, ext_id: int, days: int, reason: str) -> None:
        self.scan(at)
        actor, unit = self.lead_actor()
        self.extensions.append(
            {
                "id": ext_id,
                "appeal_id": self.pk,
                "requested_by_id": actor,
                "days": days,
                "reason": reason,
                "status": "pending",
                "decided_by_id": None,
                "old_due": self.a["reply_due"],
                "new_due": None,
                "created_at": at,
                "decided_at": None,
            }
        )
        self._finish("request_extension", at, actor=actor, unit=unit, frm=self.a["status"], note=reason,
                     data={"extension": ext_id, "days": days}, public=False)  # fmt: skip

    def approve_extension(self, at: datetime, note: str) -> None:
        self.scan(at)
        a, ext = self.a, self.extensions[-1]
        new_due = self.w.calendar.add_working_days(a["reply_due"], ext["days"])
        ext.update(
            status="approved", decided_by_id=self.w.dispatcher_id, decided_at=at, new_due=_utc(new_due)
        )
        data = {"extension": ext["id"], "approved": True, "old_due": _utc(a["reply_due"]).isoformat(),
                "new_due": new_due.isoformat()}  # fmt: skip
        a.update(reply_due=_utc(new_due), warned_at=None, overdue_at=None)
        self._finish("decide_extension", at, actor=self.w.dispatcher_id, unit=None, frm=a["status"], note=note,
                     data=data, public=False)  # fmt: skip

    def supervise(self, at: datetime, comment: str) -> None:
        self.scan(at)
        self.a["supervised"] = True
        self._finish("supervise", at, actor=self.w.dispatcher_id, unit=None, frm=self.a["status"], note=comment,
                     data={"level": "normal"}, public=False)  # fmt: skip

    def evaluate(self, at: datetime, rating: int, comment: str, resolved: bool | None = None) -> None:
        """好差评 recorded by the 12345 callback, on behalf of the caller; a bad one reopens for rectification."""
        self.scan(at)
        a = self.a
        if resolved is None:
            resolved = rating in SATISFIED_RATINGS
        a.update(
            status="evaluated", rating=rating, rating_comment=comment[:500], rated_at=at, resolved=resolved
        )
        self._finish("evaluate", at, actor=self.w.dispatcher_id, unit=None, frm="replied", note=comment,
                     data={"rating": rating, "resolved": resolved, "on_behalf": True})  # fmt: skip
        if rating in BAD_RATINGS:
            days = self.category.rectify_days if self.category else 5
            a.update(status="dispatched", reopen_count=a["reopen_count"] + 1, dispatched_at=at, signed_at=None,
                     replied_at=None, closed_at=None)  # fmt: skip
            a["contact_due"] = at + timedelta(hours=self._contact_hours())
            a["reply_due"] = _utc(self.w.calendar.add_working_days(at, days))
            a["warned_at"] = a["overdue_at"] = None
            self._finish("reopen", at, actor=None, unit=None, frm="evaluated",
                         note=f"差评（{Rating(rating).label}）：自动重办",
                         data={"rectify_days": days, "reopens": a["reopen_count"]})  # fmt: skip
        else:
            self.close(at, "评价后办结")

    def close(self, at: datetime, note: str) -> None:
        self.scan(at)
        frm = self.a["status"]
        self.a.update(status="closed", closed_at=at)
        self._finish("close", at, actor=None, unit=None, frm=frm, note=note)

    def merge(self, at: datetime, into_pk: int, into_number: str) -> None:
        self.scan(at)
        frm = self.a["status"]
        self._end_assignments(at)
        self.a.update(status="merged", merged_into_id=into_pk)
        self._finish("merge", at, actor=self.w.dispatcher_id, unit=None, frm=frm, note="与在办诉求重复，并单处理",
                     data={"into": into_number})  # fmt: skip

    def reject(self, at: datetime, reason: str) -> None:
        self.scan(at)
        self.a.update(status="rejected", closed_at=at)
        self._finish("reject", at, actor=self.w.dispatcher_id, unit=None, frm="submitted", note=reason)


# --- when people work ---------------------------------------------------------------------------------------------------
def daytime(w: World, at: datetime, rng: random.Random) -> datetime:
    """`at`, or the next morning if it falls at night (handlers call back from 8:00 to 21:00, any day)."""
    local = _local(at)
    if 8 <= local.hour < 21:
        return _s(at)
    day = local.date() + (timedelta(days=1) if local.hour >= 21 else timedelta(0))
    start = datetime.combine(day, datetime.min.time(), tzinfo=_TZ) + timedelta(
        hours=8, minutes=rng.randrange(90)
    )
    return _s(_utc(start))


def office(w: World, at: datetime, rng: random.Random) -> datetime:
    """`at`, or the next office hour (8:30–18:00) of a working day on the calendar."""
    local = _local(at)
    if w.calendar.is_working_day(local.date()) and (8, 30) <= (local.hour, local.minute) and local.hour < 18:
        return _s(at)
    day = (
        local.date()
        if local.hour < 8 or (local.hour, local.minute) < (8, 30)
        else local.date() + timedelta(days=1)
    )
    while not w.calendar.is_working_day(day):
        day += timedelta(days=1)
    start = datetime.combine(day, datetime.min.time(), tzinfo=_TZ) + timedelta(
        hours=8, minutes=30 + rng.randrange(120)
    )
    return _s(_utc(start))


def created_at(rng: random.Random, now: datetime, days: int) -> datetime:
    """A moment of the last `days` days: weekdays twice as busy as weekends, the day busier than the night."""
    while True:
        ts = now - timedelta(seconds=rng.random() * days * 86400)
        local = _local(ts)
        weight = (1.0 if local.weekday() < 5 else 0.5) * (1.0 if 8 <= local.hour < 21 else 0.15)
        if rng.random() < weight:
            return _s(ts)


# --- the stories ------------------------------------------------------------------------------------------------------
STORIES = _Pick(
    [
        ("normal", 80),
        ("late", 4),  # replied after the deadline: warned, escalated, supervised
        ("stuck", 1),  # never replied
        ("return", 2),
        ("return_twice", 0.3),
        ("reassign", 1),
        ("extension", 3),
        ("supervised", 1.5),
        ("uncategorised", 2.5),
        ("duplicate", 1.5),
    ]
)
RATING = _Pick(RATINGS)


@dataclass
class Drawn:
    """What the random draws decided for one appeal, before its life is played."""

    created: datetime
    story: str
    area: tuple
    category: CategoryInfo | None
    text: str
    urgency: str
    reason: str
    channel: str
    kind: str = ""
    first_rating: int | None = None  # forced (a test's bad rating); drawn otherwise


CHANNELS = _Pick([("hotline", 80), ("grid", 15), ("proactive", 5)])


def draw(w: World, rng: random.Random, created: datetime) -> Drawn:
    story = STORIES(rng)
    channel = CHANNELS(rng)
    while True:
        area = w.community_pick(rng)
        if story == "return_twice" and w.street_office.get(area[3]) in w.avoid_units:
            story = "return"  # the default unit would be a cast unit
        if story == "uncategorised":
            text, urgency, reason, kind = w.text(rng, "")
            return Drawn(created, story, area, None, text, urgency, reason, channel, kind)
        category = w.categories[w.category_pick(rng)]
        text, urgency, reason, kind = w.text(rng, category.code)
        rule = w.rule(area, category)
        if rule is None:
            continue
        if rule[1] in w.avoid_units and (story != "normal" or w.now - created < timedelta(days=45)):
            continue  # the cast's units get only old, finished appeals: their queues stay as the journeys know them
        if urgency == Urgency.EMERGENCY and story in ("return", "return_twice", "uncategorised"):
            story = "normal"  # an emergency is never left waiting for dispatch (the scan would escalate it)
        return Drawn(created, story, area, category, text, urgency, reason, channel, kind)


class Play:
    """Plays lives forward: ids and numbers come from the caller, the random draws from `rng`."""

    def __init__(self, w: World, rng: random.Random) -> None:
        self.w, self.rng = w, rng

    def life(self, d: Drawn, *, pk: int, number: str, phone: tuple[str, str] | None, ext_id: int,
             into: Life | None = None) -> Life:  # fmt: skip
        """One appeal played to its end or to now. `into`: the open appeal this one duplicates (story duplicate)."""
        w, rng, now = self.w, self.rng, self.w.now
        life = Life(w, pk=pk, number=number)
        life.submit(d.created, text=d.text, category=d.category, area=d.area, channel=d.channel,
                    urgency=d.urgency, reason=d.reason, kind=d.kind, phone=phone)  # fmt: skip
        a = life.a
        t = d.created

        def at(when: datetime) -> datetime | None:
            """The next step's time, if it has come by now; else the life stops here (the scan runs to now)."""
            when = _s(max(when, life.last or when))
            if when > now:
                return None
            return when

        def finish() -> Life:
            life.scan(now)
            return life

        if into is not None:
            step = at(t + timedelta(minutes=rng.uniform(10, 60)))
            if step is None:
                return finish()
            life.merge(step, into.pk, into.a["number"])
            return life
        if d.story == "uncategorised":
            step = at(office(w, t + timedelta(minutes=rng.uniform(10, 120)), rng))
            if step is None:
                return finish()
            if rng.random() < 0.35:
                life.reject(step, "经核实不属于12345受理范围，已向来电人解释")
                return life
            office_unit = w.street_office.get(d.area[3])
            if office_unit is None or office_unit in w.avoid_units:
                life.reject(step, "经核实不属于12345受理范围，已向来电人解释")
                return life
            life.dispatch(step, office_unit, note="人工派单至属地街道")
        emergency = a["urgency"] == Urgency.EMERGENCY
        # Returns come within a day of dispatch, before any work starts.
        if d.story in ("return", "return_twice"):
            step = at(a["dispatched_at"] + timedelta(hours=rng.uniform(0.5, 20)))
            if step is None:
                return finish()
            life.return_(step, rng.choice(RETURN_REASONS), default_unit=None)
            step = at(office(w, step + timedelta(minutes=rng.uniform(20, 180)), rng))
            if step is None:
                return finish()
            target = self._other_unit(life, d)
            life.dispatch(step, target, note="退单后重新派单")
            if d.story == "return_twice":
                step = at(a["dispatched_at"] + timedelta(hours=rng.uniform(0.5, 20)))
                if step is None:
                    return finish()
                office_unit = w.street_office.get(d.area[3])
                life.return_(step, rng.choice(RETURN_REASONS), default_unit=office_unit)
                if a["status"] == "submitted":
                    return finish()
        if d.story == "reassign":
            step = at(daytime(w, a["dispatched_at"] + timedelta(hours=rng.uniform(1, 30)), rng))
            if step is None:
                return finish()
            life.dispatch(step, self._other_unit(life, d), note="按职责改派", action="reassign")
        # Handling: sign for, start, call the requester, answer.
        quick = emergency or a["urgency"] == Urgency.UTILITIES
        sign = a["dispatched_at"] + timedelta(minutes=rng.uniform(3, 40) if quick else rng.uniform(10, 300))
        step = at(sign if quick else daytime(w, sign, rng))
        if step is None:
            return finish()
        life.sign_for(step)
        step = at(step + timedelta(minutes=rng.uniform(1, 30)))
        if step is None:
            return finish()
        life.start(step)
        slow = rng.random() < 0.02
        if quick:
            call = step + timedelta(minutes=rng.uniform(2, 20))
        else:
            call = step + (
                timedelta(hours=rng.uniform(20, 40)) if slow else timedelta(minutes=rng.uniform(5, 120))
            )
        step = at(call if quick else daytime(w, call, rng))
        if step is None:
            return finish()
        life.contact(step, rng.choice(CONTACT_NOTES))
        return self._answer(life, d, ext_id)

    def _other_unit(self, life: Life, d: Drawn) -> int:
        w, rng = self.w, self.rng
        district = d.area[2]
        choices = [
            u for u in w.district_units.get(district, []) if u not in w.avoid_units and u in w.handlers
        ]
        office_unit = w.street_office.get(d.area[3])
        if office_unit is not None and office_unit not in w.avoid_units:
            choices.append(office_unit)
        choices = [u for u in choices if u != life.a["lead_unit_id"]] or choices
        return rng.choice(choices)

    def _answer(self, life: Life, d: Drawn, ext_id: int) -> Life:
        w, rng, now, a = self.w, self.rng, self.w.now, life.a

        def at(when: datetime) -> datetime | None:
            when = _s(max(when, life.last or when))
            return None if when > now else when

        def finish() -> Life:
            life.scan(now)
            return life

        quick = a["urgency"] in (Urgency.EMERGENCY, Urgency.UTILITIES)
        if d.story == "stuck":
            if a["reply_due"] < now:
                step = at(a["reply_due"] + timedelta(hours=rng.uniform(2, 30)))
                if step is not None:
                    life.supervise(step, rng.choice(SUPERVISE_COMMENTS))
            return finish()
        if d.story == "extension":
            ask = at(office(w, _last(life) + timedelta(hours=rng.uniform(2, 30)), rng))
            if ask is None or ask >= a["reply_due"]:
                return finish()
            life.request_extension(ask, ext_id, rng.choice((3, 5, 7)), rng.choice(EXTENSION_REASONS))
            decide = at(office(w, ask + timedelta(minutes=rng.uniform(20, 240)), rng))
            if decide is None:
                return finish()
            life.approve_extension(decide, "同意延期，请按新期限办结")
        if d.story == "supervised":
            step = at(daytime(w, _last(life) + timedelta(hours=rng.uniform(2, 48)), rng))
            if step is None:
                return finish()
            life.supervise(step, rng.choice(SUPERVISE_COMMENTS))
        start = a["dispatched_at"]
        window = a["reply_due"] - start
        if d.story == "late":
            reply = a["reply_due"] + timedelta(hours=rng.uniform(2, 72))
        elif d.story == "extension":
            reply = _last(life) + (a["reply_due"] - _last(life)) * rng.uniform(0.2, 0.9)
        else:
            reply = start + window * rng.uniform(0.05, 0.75)
        # An office step after the last one: a call late on a holiday moves the answer to the next working day.
        step = at(reply if quick else office(w, max(reply, _last(life)), rng))
        if step is None:
            return finish()
        if d.story == "late" and rng.random() < 0.5 and step > a["reply_due"] + timedelta(hours=3):
            sup = at(daytime(w, a["reply_due"] + timedelta(hours=rng.uniform(1, 3)), rng))
            if sup is not None and sup < step:
                life.supervise(sup, rng.choice(SUPERVISE_COMMENTS))
        life.reply(step, rng.choice(REPLIES))
        for _round in range(2):
            # The 12345 callback rates three in four replies within two days; the rest close unrated after a week.
            forced = d.first_rating if _round == 0 else None
            if forced or rng.random() < 0.78:
                step = at(daytime(w, a["replied_at"] + timedelta(hours=rng.uniform(1, 48)), rng))
                if step is None:
                    return finish()
                rating = forced or (RATING(rng) if _round == 0 else rng.choice((5, 4, 4, 3, 3, 2)))
                resolved = False if rating == 3 and rng.random() < 0.3 else None
                life.evaluate(step, rating, COMMENTS[rating] + SYNTHETIC_MARK, resolved)
                if a["status"] != "dispatched":
                    return life
                # Reopened for rectification: the same unit again.
                step = at(daytime(w, _last(life) + timedelta(minutes=rng.uniform(30, 300)), rng))
                if step is None:
                    return finish()
                life.sign_for(step)
                step = at(step + timedelta(minutes=rng.uniform(5, 60)))
                if step is None:
                    return finish()
                life.start(step)
                step = at(daytime(w, step + timedelta(hours=rng.uniform(1, 24)), rng))
                if step is None:
                    return finish()
                life.contact(step, "整改前再次联系诉求人")
                reply = a["dispatched_at"] + (a["reply_due"] - a["dispatched_at"]) * rng.uniform(0.2, 0.8)
                step = at(office(w, max(reply, _last(life)), rng))
                if step is None:
                    return finish()
                life.reply(step, "已按要求整改完毕，请再次评价。")
            else:
                step = at(a["replied_at"] + timedelta(days=7, minutes=rng.uniform(0, 600)))
                if step is None:
                    return finish()
                life.close(step, "超过评价期限未评价，自动办结")
                return life
        return finish()


# --- many lives -----------------------------------------------------------------------------------------------------
def phones(rng: random.Random, n: int) -> list[tuple[str, str]]:
    """`n` synthetic mobile numbers (the 139 0000 xxxx range no one is given), encrypted with their blind index,
    as the phone column of an appeal holds them."""
    ctx = Appeal._meta.get_field("contact_phone").crypto_context  # type: ignore[attr-defined]
    out = []
    for _ in range(n):
        phone = normalize_phone(f"1390{rng.randrange(10**7):07d}")
        out.append((encrypt(phone, context=ctx), blind_index(phone, context=ctx)))
    return out


def lives(w: World, rng: random.Random, *, count: int, days: int, ids: list[int], counters: list[int],
          ext_ids: Any, phone_pool: list[tuple[str, str]]) -> Iterator[Life]:  # fmt: skip
    """`count` appeals (ids and number counters given, in order of creation), each played to now. A duplicate is
    made right after the appeal it repeats, and merged into it while that one is still open."""
    play = Play(w, rng)
    times = sorted(created_at(rng, w.now, days) for _ in range(count))
    previous: Life | None = None
    for i, created in enumerate(times):
        d = draw(w, rng, created)
        # Each caller once while the pool lasts (the demo), then again (a city's repeat callers).
        phone = phone_pool[i % len(phone_pool)] if d.channel == "hotline" and phone_pool else None
        pk, number = ids[i], f"{counters[i]:06d}"
        into = None
        if d.story == "duplicate" and previous is not None and previous.category is not None:
            # Repeats the previous call, if that one is still open when the merge comes.
            into = previous
            d.area, d.category = previous.area, previous.category
            d.text = previous.a["text"]
            d.urgency, d.reason = previous.a["urgency"], previous.a["urgency_reason"]
            d.kind = previous.a.get("urgency_kind", "")
            d.created = max(d.created, previous.a["created_at"])
            if not _open_until(previous, d.created + timedelta(minutes=61)):
                into = None
            if into is not None and w.rule(d.area, d.category) is None:
                into = None
            if into is not None and d.urgency == Urgency.EMERGENCY:
                into = None
        life = play.life(d, pk=pk, number=number, phone=phone, ext_id=ext_ids(), into=into)
        previous = life
        yield life


def _last(life: Life) -> datetime:
    assert life.last is not None  # a life has its submit at least
    return life.last


def _open_until(life: Life, until: datetime) -> bool:
    """Whether the appeal is still open (waiting or in hand) at every moment up to `until`."""
    for e in life.events:
        if e["at"] <= until and e["to_status"] not in OPEN:
            return False
    return True


def replay_counts(life: Life, totals: dict, paths: dict, categories: dict, unit_ids: dict) -> None:
    """Add the life's KPI deltas to `totals`, by the rebuild's own replay and counting rules."""
    from shequ.appeals.kpis.rebuild import Replay, accumulate
    from shequ.appeals.kpis.rules import Place

    a = life.a
    category = life.category
    light = SimpleNamespace(
        urgency=a["urgency"],
        created_at=a["created_at"],
        category=SimpleNamespace(contact_hours=category.contact_hours) if category else None,
    )
    top = None if category is None else (category.parent_id or category.pk)
    area = paths[a["area_id"]]
    replay = Replay(light, Place(area_id=a["area_id"], area_path=area, category_id=top), unit_ids,  # type: ignore[arg-type]
                    categories=categories)  # fmt: skip
    events = [SimpleNamespace(action=e["action"], data=e["data"], at=e["at"]) for e in life.events]
    replay.start(events)  # type: ignore[arg-type]
    for event in events:
        for key, counts in replay.step(event):  # type: ignore[arg-type]
            accumulate(totals, key, counts)


# --- writing them -------------------------------------------------------------------------------------------------
def _columns(model: type[Model], keys: list[str]) -> tuple[list[str], list[Any]]:
    """The model's columns that a life sets (`keys`, by attribute name) and, after them, every other concrete
    column with its field's default: a column added later with a default does not break the seeding."""
    from django.db import connection

    fields = [f for f in model._meta.concrete_fields if f.attname not in keys and not f.primary_key]
    extra = [f.get_db_prep_save(f.get_default(), connection) for f in fields]
    names = {f.attname: f.column for f in model._meta.concrete_fields}
    return [*[names[k] for k in keys], *[f.column for f in fields]], extra


class _Ids:
    """Ids of a table drawn in blocks as they are needed (`bulk.reserve`)."""

    def __init__(self, model: type[Model], block: int) -> None:
        self.model, self.block = model, block
        self.free: list[int] = []

    def __call__(self) -> int:
        if not self.free:
            self.free = bulk.reserve(self.model, self.block)[::-1]
        return self.free.pop()


@dataclass
class HistoryReport:
    appeals: int = 0
    events: int = 0
    assignments: int = 0
    extensions: int = 0
    statuses: Counter = field(default_factory=Counter)


def seed_history(*, count: int, days: int = 365, seed: int = 1, dispatcher: User, avoid_units: set[int],
                 rollups: str = "rebuild", chunk: int = 20_000, phone_pool: int | None = None,
                 now: datetime | None = None) -> HistoryReport:  # fmt: skip
    """`count` synthetic appeals over the last `days` days, with their timelines, assignments and extensions,
    loaded in bulk in chunks, and the KPI rollups: `rebuild` (kpis_rebuild over everything afterwards: the demo) or
    `replay` (the rebuild's replay and counting rules fed with each life as it is made, added to the rows already
    there: the city scale, where a rebuild would read a million appeals back). Runs inside the caller's
    transaction."""
    from shequ.appeals.kpis import kpis_rebuild
    from shequ.appeals.kpis.rebuild import accumulate, category_tops, kpis_resum
    from shequ.appeals.kpis.rules import COUNTERS
    from shequ.appeals.models import Assignment, Event, Extension, KpiDaily

    rng = random.Random(seed)  # noqa: S311 - reproducible synthetic data, not security
    w = load_world(now=now or timezone.now(), dispatcher=dispatcher, avoid_units=avoid_units)
    ids = bulk.reserve(Appeal, count)
    counters = bulk.reserve_sequence(NUMBER_SEQUENCE, count)
    pool = phones(rng, phone_pool or count)
    ext_ids = _Ids(Extension, 1000)
    report = HistoryReport()
    totals: dict = {}
    paths = {area[0]: area[1] for area in w.community_pick.values}
    categories = category_tops()
    unit_ids = dict(Unit.objects.values_list("code", "pk"))
    shapes: dict[type[Model], tuple[list[str], list[Any]]] = {}
    batches: dict[type[Model], list[tuple]] = {Appeal: [], Event: [], Assignment: [], Extension: []}

    def add(model: type[Model], row: dict[str, Any]) -> None:
        if model not in shapes:
            shapes[model] = _columns(model, list(row))
        batches[model].append((*row.values(), *shapes[model][1]))

    def flush() -> None:
        for model, rows in batches.items():
            if rows:
                bulk.load_rows(model, shapes[model][0], rows, json_columns=("attributes", "data"))
                rows.clear()

    for i, life in enumerate(lives(w, rng, count=count, days=days, ids=ids, counters=counters, ext_ids=ext_ids,
                                   phone_pool=pool)):  # fmt: skip
        add(Appeal, life.a)
        for e in life.events:
            add(Event, e)
        for row in life.assignments:
            add(Assignment, row)
        for row in life.extensions:
            add(Extension, row)
        report.events += len(life.events)
        report.assignments += len(life.assignments)
        report.extensions += len(life.extensions)
        report.statuses[life.a["status"]] += 1
        if rollups == "replay":
            replay_counts(life, totals, paths, categories, unit_ids)
        if (i + 1) % chunk == 0:
            flush()
    flush()
    report.appeals = count
    if rollups == "rebuild":
        kpis_rebuild()
    else:
        # The rows already there (the cast's appeals, an earlier seeding) are added to, not replaced.
        keys = ["day", "unit_id", "area_id", "area_path", "category_id"]
        for row in KpiDaily.objects.values(*keys, *COUNTERS).iterator():
            key = RowKey(*(row[k] for k in keys))
            accumulate(totals, key, Counter({n: row[n] for n in COUNTERS if row[n]}))
        KpiDaily.objects.all().delete()
        bulk.load_rows(
            KpiDaily,
            [*keys, *COUNTERS],
            ((*key, *(counts[n] for n in COUNTERS)) for key, counts in totals.items()),
        )
        kpis_resum()
    bulk.analyze([Appeal, Event, Assignment, Extension, *ROLLUPS])
    return report


__all__ = [
    "Life",
    "Play",
    "World",
    "ensure_handlers",
    "lives",
    "load_world",
    "phones",
    "replay_counts",
    "seed_history",
]
