"""The counting rules (docs/kpis.md, "What each action counts"): given an event and the appeal's state just before
it, which rollup counters change, in which row, by how much.

This module is the only place that decides a delta. The live writes (`live.record`) read the state before the
event from the appeal row; the rebuild (`rebuild.Replay`) works it out from the timeline; both hand it to
`deltas` and write what it returns.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, NamedTuple

from django.utils import timezone

from shequ.geo.choices import LEVEL_DEPTH, AreaLevel
from shequ.geo.models import Area

from ..choices import EMERGENCY_DISPATCH_MINUTES, SATISFIED_RATINGS, Urgency
from ..models import Appeal, KpiAreaDaily, KpiAreaMonthly, KpiDaily, KpiMonthly

COUNTERS = (
    "received",
    "dispatched",
    "responded",
    "responded_on_time",
    "replied",
    "replied_on_time",
    "handling_seconds",
    "rated",
    "satisfied",
    "resolved",
    "reopened",
    "returned",
    "closed",
    "overdue",
    "rejected",
    "emergency_received",
    "emergency_dispatched_in_20min",
)
# Actions that move a counter; every other action (supervise, extensions, merge, sign_for...) is on the
# timeline only and costs `record` nothing.
COUNTED = frozenset(
    {
        "submit",
        "raise_emergency",
        "dispatch",
        "reassign",
        "contact",
        "reply",
        "evaluate",
        "decide_rating_dispute",
        "reopen",
        "return",
        "close",
        "reject",
        "overdue",
    }
)
# Actions whose data names a unit (its code) that the count is for: the receiving unit of a hand-over, the unit
# that returned the appeal. Every other action counts for the lead unit before it.
NAMES_ITS_UNIT = frozenset({"dispatch", "reassign", "return"})
COMMUNITY_DEPTH = LEVEL_DEPTH[AreaLevel.COMMUNITY]
# The rollup levels: (period column, whether the unit is in the key). Every delta is added to its key's row at
# each level: the unit levels answer the unit ranking, the area levels (without the unit: far fewer rows) every
# other grouping (docs/kpis.md).
Rollup = type[KpiDaily] | type[KpiMonthly] | type[KpiAreaDaily] | type[KpiAreaMonthly]
ROLLUPS: dict[Rollup, tuple[str, bool]] = {
    KpiDaily: ("day", True),
    KpiMonthly: ("month", True),
    KpiAreaDaily: ("day", False),
    KpiAreaMonthly: ("month", False),
}


# --- where a count goes -----------------------------------------------------------------------------------------
class RowKey(NamedTuple):
    day: date
    unit_id: int | None
    area_id: int
    area_path: str  # follows from area_id; carried along so a new row can be written without a lookup
    category_id: int | None


# One change of the rollups: the row (its daily key) and the counters it moves; negative for a voided rating.
Delta = tuple[RowKey, Counter[str]]


@dataclass(frozen=True)
class Place:
    """Where an appeal's counts go, whatever the event: its community (or coarser area) and top category."""

    area_id: int
    area_path: str
    category_id: int | None


def place_of(appeal: Appeal, communities: dict[str, tuple[int, str]] | None = None) -> Place:
    """The appeal's community (a grid, estate or building rolls up to it) and top-level category. `communities`
    caches the community lookups of a replay of many appeals."""
    area = appeal.area
    area_id, path = area.pk, area.path
    if area.depth > COMMUNITY_DEPTH:
        # Grids, estates and buildings roll up to their community: rankings stop at community level.
        code = [c for c in area.path.split("/") if c][COMMUNITY_DEPTH]
        if communities is None or code not in communities:
            found = Area.objects.filter(code=code).values_list("pk", "path").get()
            if communities is not None:
                communities[code] = found
        else:
            found = communities[code]
        area_id, path = found
    category = appeal.category
    top = None if category is None else (category.parent_id or category.pk)
    return Place(area_id=area_id, area_path=path, category_id=top)


def local_day(at: datetime) -> date:
    return timezone.localtime(at).date()  # settings.TIME_ZONE is Asia/Shanghai


def month_key(key: RowKey) -> RowKey:
    return key._replace(day=key.day.replace(day=1))


# --- what an event counts -----------------------------------------------------------------------------------------
def event_action(action: str, data: Mapping[str, Any]) -> str:
    """The KPI action of a timeline event. The deadline scan writes "escalate" for both late replies and late
    emergency dispatch, and records "overdue" only for the first; that one carries the reply deadline it missed."""
    if action == "escalate":
        return "overdue" if "reply_due" in data else "escalate"
    return action


@dataclass(frozen=True, slots=True)
class Happened:
    """One event as the rules see it."""

    # The KPI action: an "escalate" that missed a reply deadline is "overdue" (event_action).
    action: str
    at: datetime
    data: Mapping[str, Any]
    unit_id: int | None = None  # NAMES_ITS_UNIT: the unit named in `data`, as its id; None for other actions


@dataclass(frozen=True, slots=True)
class Before:
    """The appeal's state just before the event, as far as the rules need it: read from the appeal row live
    (`live.before`), worked out from the timeline in a rebuild (`rebuild.Replay`)."""

    # The lead unit (主办): the unit every action but those of NAMES_ITS_UNIT counts for.
    lead_unit_id: int | None = None
    returns: int = 0  # returns so far: a dispatch with none before it is the appeal's first dispatch
    contacted: bool = False  # somebody already got back to the requester (a first contact, or a reply)
    contact_due: datetime | None = None  # the contact deadline a first response is measured against
    rating: Delta | None = None  # the counted rating (its row and counts), which an upheld dispute takes back


def deltas(appeal: Appeal, before: Before, event: Happened, place: Place | None = None) -> list[Delta]:
    """The rollup changes of one event: docs/kpis.md's table, in code. Empty for an action that counts nothing.
    Without `place` it is worked out from the appeal, and only when something is counted (it may cost a query)."""
    action = event.action
    if action not in COUNTED:
        return []
    if action == "decide_rating_dispute":
        # An upheld dispute takes the rating out of the row it was counted in (its day, its unit), not today's.
        if not event.data.get("upheld") or event.data.get("voided_rating") is None or before.rating is None:
            return []
        key, counts = before.rating
        return [(key, _negated(counts))]
    unit_id = event.unit_id if action in NAMES_ITS_UNIT else before.lead_unit_id
    counts = _counts(appeal, before, event)
    if not counts:
        return []
    place = place or place_of(appeal)
    return [(RowKey(local_day(event.at), unit_id, place.area_id, place.area_path, place.category_id), counts)]


def _counts(appeal: Appeal, before: Before, event: Happened) -> Counter[str]:
    action, at, data = event.action, event.at, event.data
    c: Counter[str] = Counter()
    # The urgency as it was when the event happened (its data), not as it is now: a dispatcher may raise or lower
    # it later (issue 23). Events written before the data carried it fall back to the appeal's.
    emergency = appeal.urgency == Urgency.EMERGENCY
    if action == "submit":
        c["received"] = 1
        c["emergency_received"] = int(data.get("urgency", appeal.urgency) == Urgency.EMERGENCY)
    elif action == "raise_emergency":
        c["emergency_received"] = 1  # an emergency from now on: its 20 minutes run from here
    elif action in ("dispatch", "reassign"):
        # Every hand-over to a lead unit is one work order for that unit; a reopen is not a new dispatch.
        c["dispatched"] = 1
        # Only the first dispatch (none after a return, no reassignment) measures the dispatcher's 20 minutes,
        # from the intake or from the raising that made the appeal an emergency.
        if "emergency" in data:
            emergency = bool(data["emergency"])
        if action == "dispatch" and before.returns == 0 and emergency:
            since = datetime.fromisoformat(data["emergency_since"]) if data.get("emergency_since") else None
            c["emergency_dispatched_in_20min"] = int(
                at - (since or appeal.created_at) <= timedelta(minutes=EMERGENCY_DISPATCH_MINUTES)
            )
    elif action == "contact":
        if data.get("first"):
            c["responded"] = 1
            c["responded_on_time"] = int(bool(data.get("on_time")))
    elif action == "reply":
        c["replied"] = 1
        c["replied_on_time"] = int(bool(data.get("on_time")))
        c["handling_seconds"] = max(0, int(data.get("handling_seconds") or 0))
        if not before.contacted:
            # Nobody had got back to the requester: the reply is the response (a reply reaches the requester).
            c["responded"] = 1
            c["responded_on_time"] = int(before.contact_due is not None and at <= before.contact_due)
    elif action == "evaluate":
        # "Not fixed" must not count as fixed: resolved comes only from the rating's own answer.
        c["rated"] = 1
        c["satisfied"] = int(data.get("rating") in SATISFIED_RATINGS)
        c["resolved"] = int(bool(data.get("resolved")))
    elif action == "reopen":
        c["reopened"] = 1
    elif action == "return":
        c["returned"] = 1
    elif action == "close":
        c["closed"] = 1
    elif action == "reject":
        c["rejected"] = 1
    elif action == "overdue":
        c["overdue"] = 1
    return +c  # drop the zeros


def _negated(counts: Mapping[str, int]) -> Counter[str]:
    out: Counter[str] = Counter()
    for name, n in counts.items():
        out[name] = -n
    return out
