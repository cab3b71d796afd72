"""Every action on an appeal, written once (STYLE.md §1): intake, dispatch, handling, supervision, rating.

Each action checks the workflow table and the actor's relation to the appeal, writes the status change, a
timeline event, the KPI rollups and an audit entry in one transaction, and notifies through the outbox after
commit. A refused action is audited in its own transaction (it must outlive the refusal).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Q
from django.db.models.signals import post_save
from django.utils import timezone
from django.utils.translation import gettext

from shequ.access.scoping import can_at, forget_grants, scope_for, user_roles
from shequ.accounts.models import Grant, Unit, User
from shequ.accounts.roles import Action
from shequ.audit.services import audit_batch, audit_record
from shequ.core.db import RefCache, SequenceBlock, batched_writes, insert_rows, shallow_copy
from shequ.core.errors import ShequError
from shequ.core.masking import redact
from shequ.core.uploads import CleanImage
from shequ.core.workdays import add_working_time
from shequ.geo.models import Area
from shequ.geo.selectors import area_by_code

from . import kpis, location
from .choices import (
    BAD_RATINGS,
    CONTACT_HOURS,
    DEFAULT_REPLY,
    EMERGENCY_DISPATCH_MINUTES,
    OPEN_STATUSES,
    SATISFIED_RATINGS,
    STAFF_CHANNELS,
    AssignmentRole,
    Channel,
    ExtensionStatus,
    Rating,
    Urgency,
)
from .choices import Status as S
from .hooks import run_intake_hooks
from .models import Appeal, Assignment, Category, Event, Extension, ResponsibilityRule
from .selectors import active_category
from .timeline import resident_text_for
from .workflow import (
    RETURN_WINDOW_HOURS as RETURN_WINDOW_HOURS,  # re-exported: tests and callers read it here
)
from .workflow import TRANSITIONS, allowed, event_label, failed_guard

log = logging.getLogger(__name__)

DEFAULT_UNIT_AFTER_RETURNS = 2  # after this many returns the street office is decided as 兜底 unit
MAX_TEXT = 4000


# --- who is acting --------------------------------------------------------------------------------------------
def _actor_units(user: User | None) -> set[int]:
    if user is None or not user.is_authenticated:
        return set()
    return {
        g.unit_id
        for g in Grant.objects.active().filter(user=user, unit__isnull=False)
        if g.unit_id is not None and Action.APPEALS_HANDLE in _role_actions(g.role)
    }


def _role_actions(role: str) -> frozenset[str]:
    from shequ.accounts.roles import ROLE_ACTIONS

    return ROLE_ACTIONS.get(role, frozenset())


def actor_relations(user: User | None, appeal: Appeal) -> set[str]:
    if user is None:
        return {"system"}
    rel: set[str] = set()
    path = appeal.area.path
    if can_at(user, Action.APPEALS_DISPATCH, path):
        rel.add("dispatcher")
    if can_at(user, Action.APPEALS_SUPERVISE, path):
        rel.add("supervisor")
    units = _actor_units(user)
    if appeal.lead_unit_id and appeal.lead_unit_id in units:
        rel.add("lead")
    if units and appeal.assignments.filter(active=True, role=AssignmentRole.CO, unit_id__in=units).exists():
        rel.add("co")
    if appeal.requester_id and appeal.requester_id == user.pk:
        rel.add("requester")
    return rel


def _acting_unit(user: User | None, appeal: Appeal) -> Unit | None:
    units = _actor_units(user)
    if appeal.lead_unit_id in units:
        return appeal.lead_unit
    a = appeal.assignments.filter(active=True, unit_id__in=units).select_related("unit").first()
    return a.unit if a else None


def _check(actor: User | None, appeal: Appeal, action: str) -> set[str]:
    # The caller may hold an old copy (a page loaded a minute ago): decide on the row as it is now.
    if not appeal._state.adding:
        appeal.refresh_from_db()
    relations = actor_relations(actor, appeal)
    if not allowed(action, appeal.status, relations):
        t = TRANSITIONS[action]
        reason = "state" if appeal.status not in t.sources else "role"
        audit_record(
            action="appeal.refused",
            actor=actor,
            actor_role=_roles(actor),
            obj=appeal,
            changes={
                "action": {"after": action},
                "reason": {"after": reason},
                "status": {"after": appeal.status},
            },
        )
        if reason == "state":
            raise ShequError(
                gettext("“%(action)s” is not possible while the appeal is %(status)s.")
                % {"action": event_label(action), "status": appeal.get_status_display()},
                code="invalid_state",
                status=409,
            )
        raise PermissionDenied(
            gettext("You may not “%(action)s” this appeal.") % {"action": event_label(action)}
        )
    # The action's guards (workflow.GUARDS): the same facts the pages ask before offering it.
    guard = failed_guard(action, appeal)
    if guard is not None:
        raise ShequError(gettext(guard.message) % {"hours": RETURN_WINDOW_HOURS}, code=guard.code, status=409)
    return relations


def _roles(actor: User | None) -> str:
    return ",".join(sorted(user_roles(actor))) if actor else "system"


def _new_event(
    appeal: Appeal,
    action: str,
    actor: User | None,
    *,
    from_status: str,
    to_status: str,
    note: str = "",
    data: dict | None = None,
    public: bool = True,
    unit: Unit | None = None,
    at: datetime | None = None,
) -> Event:
    return Event(
        appeal=appeal,
        action=action,
        actor=actor,
        actor_unit=unit,
        from_status=from_status,
        to_status=to_status,
        note=note[:MAX_TEXT],
        # The requester's text only where the action addresses him (timeline.TEXT_FOR_REQUESTER) and he may see it.
        resident_text=resident_text_for(action, note)[:MAX_TEXT] if public else "",
        data=data or {},
        public=public,
        at=at or timezone.now(),
    )


def _event(appeal: Appeal, action: str, actor: User | None, *, from_status: str, **fields: Any) -> Event:
    event = _new_event(appeal, action, actor, from_status=from_status, to_status=appeal.status, **fields)
    event.save(force_insert=True)
    return event


def _save_events(events: list[Event]) -> None:
    """Insert several events of one action in one statement, without their ids (`db.batch.insert_rows`: in a batch,
    no round trip of its own). That sends no signals, so post_save is sent for each row as Model.save would, on
    both databases: every Event row is announced the same way, whichever path wrote it. Dispatch learns only from
    events of its LEARN_FROM_ACTIONS that have an actor, and needs their ids; those are written by `_event`, never
    here (intake's submit is not such an action, and its dispatch by the responsibility list has no actor)."""
    insert_rows(events)
    for event in events:
        post_save.send(
            sender=Event, instance=event, created=True, update_fields=None, raw=False, using=event._state.db
        )


def _audit_step(
    appeal: Appeal,
    action: str,
    actor: User | None,
    *,
    from_status: str,
    data: dict | None,
    to_status: str | None = None,
) -> None:
    audit_record(
        action=f"appeal.{action}",
        actor=actor,
        actor_role=_roles(actor),
        obj=appeal,
        changes={
            "status": {"before": from_status, "after": to_status or appeal.status},
            **({"data": {"after": data}} if data else {}),
        },
    )


def _finish(
    appeal: Appeal,
    action: str,
    actor: User | None,
    *,
    from_status: str,
    note: str = "",
    data: dict | None = None,
    public: bool = True,
    fields: list[str] | None = None,
    notify: str | None = None,
    now: datetime | None = None,
) -> Appeal:
    """Save, write the event, the KPI rollups and the audit entry: the common tail of every action."""
    now = now or timezone.now()
    if fields:
        appeal.save(update_fields=sorted(set(fields) | {"status"}))
    unit = _acting_unit(actor, appeal) if actor else None
    _event(
        appeal, action, actor, from_status=from_status, note=note, data=data, public=public, unit=unit, at=now
    )
    kpis.record(appeal, action, at=now, data=data or {})
    _audit_step(appeal, action, actor, from_status=from_status, data=data)
    # The requester hears of the steps he cares about (appeals.notify.STEPS; by the action's name if not given).
    _notify(appeal, notify or action)
    return appeal


def _notify(appeal: Appeal, kind: str) -> None:
    """Tell the requester (appeals.notify: his inbox, and a text message where he wants one), in the action's
    transaction; a gateway's text message leaves after COMMIT."""
    from .notify import requester_notify

    requester_notify(appeal, kind)


# --- deadlines ------------------------------------------------------------------------------------------------
def reply_deadline(appeal: Appeal, start: datetime) -> datetime:
    rule: dict = dict(DEFAULT_REPLY[Urgency(appeal.urgency)])
    if appeal.category and appeal.urgency in appeal.category.reply_deadlines:
        rule = dict(appeal.category.reply_deadlines[appeal.urgency])
    working = rule.get("working", True)
    if "days" in rule:
        return (
            add_working_time(start, days=int(rule["days"]))
            if working
            else start + timedelta(days=rule["days"])
        )
    return (
        add_working_time(start, hours=float(rule["hours"]))
        if working
        else start + timedelta(hours=rule["hours"])
    )


def _start_deadlines(appeal: Appeal, now: datetime) -> None:
    hours = appeal.category.contact_hours if appeal.category else CONTACT_HOURS
    appeal.contact_due = now + timedelta(hours=hours)
    appeal.reply_due = reply_deadline(appeal, now)
    appeal.warned_at = None
    appeal.overdue_at = None


# --- intake ---------------------------------------------------------------------------------------------------
@dataclass
class IntakeData:
    text: str
    channel: str
    category: str | None = None
    lat: float | None = None
    lng: float | None = None
    address: str = ""
    area: str | None = None
    contact_phone: str = ""
    contact_name: str = ""
    urgency: str | None = None
    anonymous: bool = False
    attributes: dict | None = None


NUMBER_SEQUENCE = "appeals_appeal_number_seq"  # migration 0004 (PostgreSQL), a SequenceCounter row on SQLite

# An intake's appeal id and number counter, drawn before the INSERT (`shequ.core.db.SequenceBlock`), so that the
# appeal's INSERT needs nothing back and goes out with the intake's other writes. The counter is city-wide; on
# PostgreSQL nextval takes no lock held to COMMIT, so concurrent intakes do not queue on it.
_APPEAL_IDS = SequenceBlock(ids_of=Appeal, sequences=[NUMBER_SEQUENCE], size=16)


def _number(day: date, counter: int) -> str:
    """SQ + the local date + the counter, six digits at least: SQ20261128000123, SQ202611281000000."""
    return f"SQ{day:%Y%m%d}{counter:06d}"


def clean_intake(data: IntakeData) -> dict[str, Any]:
    """Validate every field; raise one ShequError listing all the problems."""
    from shequ.core.idnumbers import validate_phone

    errors: dict[str, str] = {}
    text = (data.text or "").strip()
    if len(text) < 5:
        errors["text"] = "Describe the problem in at least 5 characters."
    elif len(text) > MAX_TEXT:
        errors["text"] = f"At most {MAX_TEXT} characters."
    if data.channel not in Channel.values:
        errors["channel"] = f"Unknown channel; one of {', '.join(Channel.values)}."
    category = None
    if data.category:
        category = active_category(data.category)
        if category is None:
            errors["category"] = f"Unknown category {data.category!r}."
    if data.urgency and data.urgency not in Urgency.values:
        errors["urgency"] = f"Unknown urgency; one of {', '.join(Urgency.values)}."
    elif data.urgency and data.channel not in STAFF_CHANNELS:
        errors["urgency"] = gettext(
            "Only staff recording an appeal on the hotline, grid or proactive channel may set its urgency; "
            "otherwise it follows from the category and the text."
        )
    phone = ""
    if data.contact_phone:
        try:
            phone = validate_phone(data.contact_phone)
        except Exception as exc:
            errors["contact_phone"] = " ".join(getattr(exc, "messages", [str(exc)]))
    if (data.lat is None) != (data.lng is None):
        errors["lat"] = "Give both lat and lng, or neither."
    elif (
        data.lat is not None
        and data.lng is not None
        and not (-90 <= data.lat <= 90 and -180 <= data.lng <= 180)
    ):
        errors["lat"] = gettext("lat/lng must be WGS84 degrees.")
    area = None
    if data.area:
        area = area_by_code(data.area)
        if area is None:
            errors["area"] = gettext("No area has the code %(code)s.") % {"code": data.area}
    if len(data.address or "") > 200:
        errors["address"] = gettext("At most 200 characters.")
    if category is not None and category.attributes:
        given = data.attributes or {}
        for attr in category.attributes:
            if attr.get("required") and attr.get("variable", True) and not given.get(attr["code"]):
                errors[f"attribute[{attr['code']}]"] = gettext("%(name)s is required.") % {
                    "name": attr.get("description") or attr["code"]
                }
        errors.update(_attribute_value_errors(category.attributes, given))
    if errors:
        raise ShequError(gettext("Some fields are not valid."), code="invalid", fields=errors)
    resolved_area, precision = location.resolve(area=area, lat=data.lat, lng=data.lng)
    return {"text": text, "category": category, "phone": phone, "area": resolved_area, "precision": precision}


def _attribute_value_errors(definitions: list[dict], given: dict) -> dict[str, str]:
    """An answer to a list question must be one of its declared values (issue 23: an answer decides urgency, so
    an undeclared one is refused, on every channel, before anything is written)."""
    errors: dict[str, str] = {}
    for attr in definitions:
        value = given.get(attr["code"])
        datatype = attr.get("datatype") or "string"
        if value in (None, "", []) or datatype not in ("singlevaluelist", "multivaluelist"):
            continue
        keys = [str(v["key"]) for v in attr.get("values", [])]
        values = value if isinstance(value, list) and datatype == "multivaluelist" else [value]
        wrong = [str(v) for v in values if not isinstance(v, str | int) or str(v) not in keys]
        if wrong:
            errors[f"attribute[{attr['code']}]"] = gettext(
                "%(question)s: %(wrong)s is not one of %(keys)s."
            ) % {
                "question": attr.get("description") or attr["code"],
                "wrong": ", ".join(wrong),
                "keys": ", ".join(keys),
            }
    return errors


def appeal_submit(
    *, actor: User | None, data: IntakeData, requester: User | None = None, photos: list | None = None
) -> Appeal:
    """Take an appeal in on any channel: validate, locate, compute deadlines, store, then try to dispatch."""
    if data.channel in (Channel.HOTLINE, Channel.GRID, Channel.PROACTIVE) and (
        actor is None
        or (not can_at(actor, Action.APPEALS_INTAKE, "/") and not _can_anywhere(actor, Action.APPEALS_INTAKE))
    ):
        raise PermissionDenied(
            gettext("Only staff record appeals on the hotline, grid or proactive channels.")
        )
    clean = clean_intake(data)
    from .urgency import assess

    urgency, reason, kind = data.urgency, "", ""
    # An answer the category declares an emergency, a rule phrase or the learned layer (appeals.urgency, issue 23).
    verdict = assess(
        clean["text"],
        definitions=clean["category"].attributes if clean["category"] else None,
        answers=data.attributes,
    )
    if verdict.emergency:
        # The reason is kept even when the caller already chose emergency: it shows why.
        urgency, reason, kind = Urgency.EMERGENCY, verdict.reason, verdict.kind
    if urgency is None:
        urgency = clean["category"].default_urgency if clean["category"] else Urgency.NORMAL
    from . import photos as appeal_photos

    # Every photo is checked and re-encoded before anything is stored: files live outside the transaction, so a
    # bad second photo must not leave the first one behind.
    uploads = list(photos or [])
    if len(uploads) > appeal_photos.MAX_PHOTOS:
        raise appeal_photos.too_many()
    cleaned = [appeal_photos.photo_clean(upload) for upload in uploads]
    now = timezone.now()
    stored: list = []
    try:
        return _submit(
            actor,
            data,
            requester,
            clean,
            urgency=urgency,
            reason=reason,
            kind=kind,
            photos=cleaned,
            stored=stored,
            now=now,
        )
    except BaseException:
        # The rows rolled back; remove the files too, so that nothing is half-written.
        for f in stored:
            f.storage.delete(f.name)
        raise


def _submit(
    actor: User | None,
    data: IntakeData,
    requester: User | None,
    clean: dict[str, Any],
    *,
    urgency: str,
    reason: str,
    kind: str = "",
    photos: list[CleanImage],
    stored: list,
    now: datetime,
) -> Appeal:
    """The one transaction of intake; `stored` collects the files written, for the caller to remove on failure.

    An appeal that the responsibility list dispatches is inserted already dispatched: the rule is matched before
    the INSERT, so intake writes the appeal row once (no UPDATE of its indexed columns), both timeline events in one
    statement and both steps' rollup increments in one. The timeline, the rollups and the audit trail read as if
    the two steps had run one after the other, as `_finish` and `_dispatch` write them for every other action.

    The same code runs on both databases; what differs lies in `shequ.core.db`. The appeal's id and number are
    drawn beforehand (`_APPEAL_IDS`), so nothing has to come back from any of the intake's writes: on PostgreSQL
    the appeal, its assignments, events, after-intake queue row, outbox message and rollup increments go as one
    statement (`batched_writes`), and the audit trail's append (its chain's lock, head and entries: `audit_batch`
    inside the batch) ends that same statement; then COMMIT. On SQLite each goes at once, in the same order.

    Rows are written with `insert_rows`, which, as `bulk_create`, sends no model signals on either database: what
    reacts to a new appeal registers an intake hook (`hooks.register_intake_hook`), called here on both.
    """
    with transaction.atomic(), batched_writes(), audit_batch(), kpis.deferred():
        # The id and the number known now: the appeal's INSERT needs nothing back, and joins the batch below.
        pk, counter = _APPEAL_IDS.take()
        number = _number(timezone.localtime(now).date(), counter)
        appeal = Appeal(
            pk=pk,
            number=number,
            text=clean["text"],
            category=clean["category"],
            channel=data.channel,
            urgency=urgency,
            urgency_reason=reason[:200],
            urgency_kind=kind,
            requester=requester,
            anonymous=data.anonymous,
            contact_name=(data.contact_name or "")[:50],
            contact_phone=clean["phone"],
            created_by=actor,
            lat=data.lat,
            lng=data.lng,
            address=(data.address or "").strip(),
            area=clean["area"],
            location_precision=clean["precision"],
            attributes=data.attributes or {},
            created_at=now,
            status=S.SUBMITTED,
        )
        if urgency == Urgency.EMERGENCY:
            appeal.dispatch_due = now + timedelta(minutes=EMERGENCY_DISPATCH_MINUTES)
        submitted = {"channel": data.channel, "urgency": urgency}
        # Each record reads the appeal as that step leaves it; kpis.deferred writes them when the block ends.
        kpis.record(appeal, "submit", at=now, data=submitted)
        events = [
            _new_event(appeal, "submit", actor, from_status="", to_status=S.SUBMITTED, data=submitted, at=now)
        ]
        rule = match_rule(appeal)
        dispatched: dict | None = None
        co_units: list[Unit] = []
        if rule is not None:
            co_units = list(rule.co_units.all())
            _hand_to(appeal, rule.lead_unit, now)
            dispatched = {
                "rule": rule.pk,
                "unit": rule.lead_unit.code,
                "co_units": [c.code for c in co_units],
                "emergency": urgency == Urgency.EMERGENCY,  # as it was then (KPI rules; issue 23)
            }
            kpis.record(appeal, "dispatch", at=now, data=dispatched)
            events.append(
                _new_event(
                    appeal,
                    "dispatch",
                    None,
                    from_status=S.SUBMITTED,
                    to_status=appeal.status,
                    note=f"职责清单 {rule.version or rule.pk}",
                    data=dispatched,
                    at=now,
                )
            )
        # The audit trail too tells the two steps apart. Its entries are appended when the transaction ends
        # (audit_batch); recorded here, before the batch of writes, because reading the actor's roles is a query,
        # and any query would send the batch early.
        _audit_step(appeal, "submit", actor, from_status="", to_status=S.SUBMITTED, data=submitted)
        if rule is not None:
            _audit_step(appeal, "dispatch", None, from_status=S.SUBMITTED, data=dispatched)
        # The first write of the batch. As with bulk_create, Model.save's signals are not sent (on either
        # database): what the one pre_save receiver does (core.crypto: the blind indexes) the encrypted fields also
        # do in Field.pre_save, and what reacts to an intake is an intake hook (below).
        insert_rows([appeal])
        for photo in photos:
            from .photos import photo_attach

            # A save: it sends the batch so far (the appeal) first.
            stored.append(photo_attach(appeal=appeal, upload=photo, stage="intake").file)
        if rule is not None:
            _assign(appeal, rule.lead_unit, co_units, now)
        _save_events(events)
        _notify(appeal, "received")
        run_intake_hooks(appeal)
    return appeal


def _can_anywhere(user: User, action: str) -> bool:
    from shequ.access.scoping import can

    return can(user, action)


# --- dispatch -------------------------------------------------------------------------------------------------
# The responsibility list of a category, read on every intake: kept per process for 30 s and cleared when a rule or
# its co-units change in this process (shequ.core.db.refcache). Another process's change is seen within 30 s.
_CATEGORY_RULES: RefCache[list[ResponsibilityRule]] = RefCache(
    ResponsibilityRule, ResponsibilityRule.co_units.through, ttl=30
)


def _rules_of(category_id: int) -> list[ResponsibilityRule]:
    def load() -> list[ResponsibilityRule]:
        return list(
            ResponsibilityRule.objects.filter(category_id=category_id)
            .select_related("area", "lead_unit", "category")
            .defer("area__boundary")  # a district's GeoJSON (up to 30 kB) is not needed to rank rules
            .prefetch_related("co_units")
        )

    return _CATEGORY_RULES.get((category_id,), load) or []


def match_rule(appeal: Appeal, *, on=None) -> ResponsibilityRule | None:
    """The responsibility-list rule for the appeal: deepest area match, the category before its parent. The rule's
    co-units are prefetched (`rule.co_units.all()` runs no query)."""
    if appeal.category is None:
        return None
    day = on or timezone.localdate()
    # By id: the parent need not be fetched to be matched.
    categories = [appeal.category.pk] + ([appeal.category.parent_id] if appeal.category.parent_id else [])
    codes = {c for c in appeal.area.path.split("/") if c}
    rules = [
        rule
        for category_id in categories
        for rule in _rules_of(category_id)
        if rule.area.code in codes
        and rule.effective_from <= day
        and (rule.effective_to is None or rule.effective_to >= day)
    ]
    if not rules:
        return None
    # Deeper area first, then the exact category before its parent, then the newest version.
    rules.sort(
        key=lambda r: (-r.area.depth, r.category_id != appeal.category_id, -r.effective_from.toordinal())
    )
    return shallow_copy(rules[0])  # the cached rule stays as it is


def _urgency_then(appeal: Appeal) -> dict[str, Any]:
    """What the KPI rules need of the urgency when a dispatch happens (it may be raised or lowered later): whether it
    was an emergency, and since when if a dispatcher raised it (the 20 minutes run from there; issue 23)."""
    if appeal.urgency != Urgency.EMERGENCY:
        return {"emergency": False}
    raised = (
        Event.objects.filter(appeal=appeal, action="raise_emergency")
        .order_by("-at")
        .values_list("at", flat=True)
    ).first()
    return {"emergency": True, **({"emergency_since": raised.isoformat()} if raised else {})}


def _dispatch(
    appeal: Appeal,
    actor: User | None,
    unit: Unit,
    *,
    co_units: list[Unit] | None = None,
    note: str = "",
    data: dict | None = None,
    action: str = "dispatch",
    now: datetime | None = None,
    keep_deadline: bool = False,
) -> Appeal:
    now = now or timezone.now()
    from_status = appeal.status
    Assignment.objects.filter(appeal=appeal, active=True).update(active=False, ended_at=now)
    _assign(appeal, unit, co_units or [], now)
    _hand_to(appeal, unit, now, keep_deadline=keep_deadline)
    return _finish(
        appeal,
        action,
        actor,
        from_status=from_status,
        note=note,
        data={
            **(data or {}),
            "unit": unit.code,
            "co_units": [c.code for c in co_units or []],
            **_urgency_then(appeal),
        },
        fields=[
            "lead_unit",
            "status",
            "dispatched_at",
            "signed_at",
            "contact_due",
            "reply_due",
            "warned_at",
            "overdue_at",
        ],
        now=now,
    )


def _assign(appeal: Appeal, unit: Unit, co_units: list[Unit], now: datetime) -> None:
    """The active assignments of a dispatch: the lead unit and its co-units (one statement)."""
    rows = [Assignment(appeal=appeal, unit=unit, role=AssignmentRole.LEAD, created_at=now)]
    rows += [
        Assignment(appeal=appeal, unit=co, role=AssignmentRole.CO, created_at=now)
        for co in co_units
        if co.pk != unit.pk
    ]
    insert_rows(rows)  # nobody needs their ids; in the intake's batch, no round trip of its own


def _hand_to(appeal: Appeal, unit: Unit, now: datetime, *, keep_deadline: bool = False) -> None:
    """The appeal's own fields of a dispatch to `unit` (in memory; the caller saves them)."""
    appeal.lead_unit = unit
    appeal.status = S.DISPATCHED
    appeal.dispatched_at = now
    appeal.signed_at = None
    if not keep_deadline:
        _start_deadlines(appeal, now)


def _lock(appeal: Appeal) -> Appeal:
    return (
        # Lock the appeal row only: PostgreSQL refuses FOR UPDATE on the nullable side of the outer joins.
        Appeal.objects.select_for_update(of=("self",))
        .select_related("area", "category", "lead_unit")
        .get(pk=appeal.pk)
    )


def _unit(code_or_unit: Unit | str | int) -> Unit:
    if isinstance(code_or_unit, Unit):
        return code_or_unit
    unit = Unit.objects.filter(
        Q(code=str(code_or_unit)) | Q(pk=int(code_or_unit))
        if str(code_or_unit).isdigit()
        else Q(code=str(code_or_unit)),
        is_active=True,
    ).first()
    if unit is None:
        raise ShequError(gettext("Unknown unit."), fields={"unit": str(code_or_unit)})
    return unit


def appeal_dispatch(
    *, actor: User | None, appeal: Appeal, unit: Unit | str, co_units: list | None = None, note: str = ""
) -> Appeal:
    target, cos = _unit(unit), [_unit(c) for c in co_units or []]
    _check(actor, appeal, "dispatch")
    with transaction.atomic(), audit_batch():
        appeal = _lock(appeal)
        _check(actor, appeal, "dispatch")
        # After a return (退单) this is a re-dispatch: keep the clock as appeal_reassign does, so that a return
        # neither restarts the deadline (forgiving overdue) nor drops an approved extension.
        keep = appeal.reply_due is not None and appeal.dispatched_at is not None
        return _dispatch(appeal, actor, target, co_units=cos, note=note, keep_deadline=keep)


def appeal_reassign(
    *, actor: User, appeal: Appeal, unit: Unit | str, co_units: list | None = None, note: str = ""
) -> Appeal:
    target, cos = _unit(unit), [_unit(c) for c in co_units or []]
    _check(actor, appeal, "reassign")
    with transaction.atomic(), audit_batch():
        appeal = _lock(appeal)
        _check(actor, appeal, "reassign")
        # Re-dispatch keeps the clock of the original dispatch: the requester has waited all along.
        keep = appeal.reply_due is not None and appeal.dispatched_at is not None
        return _dispatch(
            appeal, actor, target, co_units=cos, note=note, action="reassign", keep_deadline=keep
        )


def appeal_categorize(
    *, actor: User | None, appeal: Appeal, category: Category | str, note: str = "", resend: bool = False
) -> Appeal:
    """Set or change an open appeal's category (分类), as a dispatcher or the system (smart dispatch).

    The timeline event carries {"category": new code, "before": old code}: the dispatch model learns a
    dispatcher's change as a correction. With `resend` (the dispatcher's action on the console and the API), the
    appeal follows the responsibility list of its new category, as FixMyStreet re-sends a report whose category
    changes: a waiting appeal is dispatched by the matching rule, an appeal in another unit's hands is
    reassigned to the rule's lead unit (keeping its deadlines). Without a matching rule nothing moves.
    """
    code = category.code if isinstance(category, Category) else str(category or "")
    target = Category.objects.filter(code=code, is_active=True).first()
    if target is None:
        raise ShequError(gettext("Unknown category."), fields={"category": code})
    _check(actor, appeal, "categorize")
    with transaction.atomic(), audit_batch():
        appeal = _lock(appeal)
        _check(actor, appeal, "categorize")
        before = appeal.category.code if appeal.category else ""
        if before == target.code:
            raise ShequError(
                gettext("The appeal already has this category."), code="unchanged", fields={"category": code}
            )
        appeal.category = target
        _finish(
            appeal,
            "categorize",
            actor,
            from_status=appeal.status,
            note=note,
            data={"category": target.code, "before": before},
            fields=["category"],
        )
        rule = match_rule(appeal) if resend else None
        if rule is None:
            return appeal
        rule_note = f"职责清单 {rule.version or rule.pk}（分类变更）"
        if appeal.status == S.SUBMITTED:
            return _dispatch(
                appeal,
                None,
                rule.lead_unit,
                co_units=list(rule.co_units.all()),
                note=rule_note,
                data={"rule": rule.pk},
            )
        if appeal.lead_unit_id != rule.lead_unit_id and appeal.status in (
            S.DISPATCHED,
            S.SIGNED_FOR,
            S.IN_PROGRESS,
        ):
            keep = appeal.reply_due is not None and appeal.dispatched_at is not None
            return _dispatch(
                appeal,
                None,
                rule.lead_unit,
                co_units=list(rule.co_units.all()),
                note=rule_note,
                data={"rule": rule.pk},
                action="reassign",
                keep_deadline=keep,
            )
    return appeal


# --- handling -------------------------------------------------------------------------------------------------
def _simple(
    action: str,
    *,
    actor: User | None,
    appeal: Appeal,
    note: str = "",
    update=None,
    fields: list[str] | None = None,
    data: dict | None = None,
    public: bool = True,
    notify: str | None = None,
) -> Appeal:
    _check(actor, appeal, action)
    with transaction.atomic(), audit_batch():
        appeal = _lock(appeal)
        _check(actor, appeal, action)
        from_status = appeal.status
        now = timezone.now()
        target = TRANSITIONS[action].target
        if target is not None:
            appeal.status = target
        extra = update(appeal, now) if update else None
        return _finish(
            appeal,
            action,
            actor,
            from_status=from_status,
            note=note,
            data={**(data or {}), **(extra or {})},
            public=public,
            fields=["status", *(fields or [])],
            notify=notify,
            now=now,
        )


def appeal_sign_for(*, actor: User, appeal: Appeal, note: str = "") -> Appeal:
    def update(a: Appeal, now: datetime) -> dict:
        a.signed_at = now
        return {}

    return _simple("sign_for", actor=actor, appeal=appeal, note=note, update=update, fields=["signed_at"])


def appeal_start(*, actor: User, appeal: Appeal, note: str = "") -> Appeal:
    return _simple("start", actor=actor, appeal=appeal, note=note)


def appeal_contact(*, actor: User, appeal: Appeal, note: str = "") -> Appeal:
    def update(a: Appeal, now: datetime) -> dict:
        first = a.contacted_at is None
        if first:
            a.contacted_at = now
        return {"first": first, "on_time": bool(first and a.contact_due and now <= a.contact_due)}

    return _simple(
        "contact", actor=actor, appeal=appeal, note=note, update=update, fields=["contacted_at"], public=False
    )


def appeal_co_reply(*, actor: User, appeal: Appeal, note: str) -> Appeal:
    if not note.strip():
        raise ShequError(gettext("Write what your unit found or did."), fields={"note": "required"})
    units = _actor_units(actor)
    _check(actor, appeal, "co_reply")
    with transaction.atomic(), audit_batch():
        Assignment.objects.filter(
            appeal=appeal, active=True, role=AssignmentRole.CO, unit_id__in=units
        ).update(reply_text=note[:MAX_TEXT])
        return _simple("co_reply", actor=actor, appeal=appeal, note=note, public=False)


def appeal_reply(*, actor: User, appeal: Appeal, text: str) -> Appeal:
    if len((text or "").strip()) < 5:
        raise ShequError(
            gettext("Write the reply to the requester (at least 5 characters)."), fields={"text": "required"}
        )

    def update(a: Appeal, now: datetime) -> dict:
        a.replied_at, a.reply_text = now, text.strip()[:MAX_TEXT]
        if a.contacted_at is None:  # a reply reaches the requester: it is a contact too
            a.contacted_at = now
        on_time = a.reply_due is None or now <= a.reply_due
        handling = (now - a.dispatched_at).total_seconds() if a.dispatched_at else 0
        withdrawn = _withdraw_extensions(a, now)
        return {
            "on_time": on_time,
            "handling_seconds": int(handling),
            **({"extensions_withdrawn": withdrawn} if withdrawn else {}),
        }

    return _simple(
        "reply",
        actor=actor,
        appeal=appeal,
        note=text,
        update=update,
        fields=["replied_at", "reply_text", "contacted_at"],
        notify="replied",
    )


def appeal_return(*, actor: User, appeal: Appeal, reason: str) -> Appeal:
    # Who and when first: a refusal for the role or state is a 403/409 and audited, whatever the other rules say.
    _check(actor, appeal, "return")
    if len((reason or "").strip()) < 4:
        raise ShequError(
            gettext("Say why this appeal is not your unit's (at least 4 characters)."),
            fields={"reason": "required"},
        )
    # A decided default unit and the return window are the transition's guards (workflow.GUARDS), checked above.
    with transaction.atomic(), audit_batch():
        appeal = _lock(appeal)
        _check(actor, appeal, "return")
        from_status, now = appeal.status, timezone.now()
        returned_by = appeal.lead_unit
        withdrawn = _withdraw_extensions(appeal, now)
        Assignment.objects.filter(appeal=appeal, active=True).update(active=False, ended_at=now)
        appeal.status, appeal.lead_unit, appeal.return_count = S.SUBMITTED, None, appeal.return_count + 1
        fields = ["lead_unit", "return_count"]
        _finish(
            appeal,
            "return",
            actor,
            from_status=from_status,
            note=reason,
            data={
                "unit": returned_by.code if returned_by else None,
                "returns": appeal.return_count,
                **({"extensions_withdrawn": withdrawn} if withdrawn else {}),
            },
            fields=fields,
            now=now,
        )
        if appeal.return_count >= DEFAULT_UNIT_AFTER_RETURNS:
            default = default_unit_for(appeal)
            if default is not None:
                appeal.default_unit_decided = True
                appeal.save(update_fields=["default_unit_decided"])
                _dispatch(
                    appeal,
                    None,
                    default,
                    note="多次退单：属地兜底",
                    data={"default_unit": True},
                    now=now,
                    keep_deadline=True,
                )
        return appeal


def _withdraw_extensions(appeal: Appeal, now: datetime) -> list[int]:
    """A request for more time lapses when the unit gives the appeal back or answers it: no decision can move
    the deadline of work that is no longer that unit's (or is done)."""
    pending = list(appeal.extensions.filter(status=ExtensionStatus.PENDING).values_list("pk", flat=True))
    if pending:
        Extension.objects.filter(pk__in=pending).update(status=ExtensionStatus.WITHDRAWN, decided_at=now)
    return pending


def default_unit_for(appeal: Appeal) -> Unit | None:
    """属地兜底: the street office of the appeal's street, else the first district department."""
    codes = [c for c in appeal.area.path.split("/") if c]
    street = Area.objects.filter(code__in=codes, level="street").first()
    if street is not None:
        office = Unit.objects.filter(area=street, kind="street_office", is_active=True).first()
        if office is not None:
            return office
    district = Area.objects.filter(code__in=codes, level="district").first()
    return Unit.objects.filter(area=district, is_active=True).order_by("code").first() if district else None


def appeal_request_extension(*, actor: User, appeal: Appeal, days: int, reason: str) -> Extension:
    _check(actor, appeal, "request_extension")  # first, as in appeal_return
    if not 1 <= int(days) <= 30:
        raise ShequError(gettext("An extension is 1 to 30 working days."), fields={"days": "1..30"})
    if len((reason or "").strip()) < 4:
        raise ShequError(gettext("Say why more time is needed."), fields={"reason": "required"})
    with transaction.atomic(), audit_batch():
        appeal = _lock(appeal)
        ext = Extension.objects.create(
            appeal=appeal, requested_by=actor, days=int(days), reason=reason[:300], old_due=appeal.reply_due
        )
        _finish(
            appeal,
            "request_extension",
            actor,
            from_status=appeal.status,
            note=reason,
            data={"extension": ext.pk, "days": int(days)},
            public=False,
        )
        return ext


def appeal_decide_extension(*, actor: User, appeal: Appeal, approve: bool, note: str = "") -> Appeal:
    _check(actor, appeal, "decide_extension")
    with transaction.atomic(), audit_batch():
        appeal = _lock(appeal)
        ext = appeal.extensions.select_for_update().filter(status=ExtensionStatus.PENDING).first()
        if ext is None:
            raise ShequError(gettext("No extension request is waiting."), code="invalid_state", status=409)
        now = timezone.now()
        ext.status = ExtensionStatus.APPROVED if approve else ExtensionStatus.REFUSED
        ext.decided_by, ext.decided_at = actor, now
        data: dict[str, Any] = {"extension": ext.pk, "approved": approve}
        fields: list[str] = []
        if approve and appeal.reply_due is not None:
            # The only way a deadline moves later: an approved extension, counted on working days.
            ext.new_due = add_working_time(appeal.reply_due, days=ext.days)
            data.update(old_due=appeal.reply_due.isoformat(), new_due=ext.new_due.isoformat())
            appeal.reply_due, appeal.warned_at, appeal.overdue_at = ext.new_due, None, None
            fields = ["reply_due", "warned_at", "overdue_at"]
        ext.save()
        return _finish(
            appeal,
            "decide_extension",
            actor,
            from_status=appeal.status,
            note=note,
            data=data,
            fields=fields,
            public=False,
        )


def appeal_supervise(*, actor: User | None, appeal: Appeal, comment: str, level: str = "normal") -> Appeal:
    if actor is not None and len((comment or "").strip()) < 4:
        raise ShequError(gettext("Write the supervision comment."), fields={"comment": "required"})

    def update(a: Appeal, now: datetime) -> dict:
        a.supervised = True
        return {"level": level}

    return _simple(
        "supervise",
        actor=actor,
        appeal=appeal,
        note=comment,
        update=update,
        fields=["supervised"],
        public=False,
    )


# --- rating and closing ---------------------------------------------------------------------------------------
def appeal_evaluate(
    *, actor: User, appeal: Appeal, rating: int, comment: str = "", resolved: bool | None = None
) -> Appeal:
    """好差评. 不满意 and 非常不满意 reopen the appeal with a rectification deadline (default 5 working days)."""
    if rating not in Rating.values:
        raise ShequError(
            gettext("A rating is 1 (very dissatisfied) to 5 (very satisfied)."), fields={"rating": "1..5"}
        )
    if resolved is None:
        # Not asked explicitly: a bad rating never counts as resolved (FixMyStreet: "not fixed" is not fixed).
        resolved = rating in SATISFIED_RATINGS

    def update(a: Appeal, now: datetime) -> dict:
        a.rating, a.rating_comment, a.rated_at, a.resolved = rating, (comment or "")[:500], now, resolved
        return {
            "rating": rating,
            "resolved": resolved,
            "on_behalf": a.requester_id != getattr(actor, "pk", None),
        }

    # The rating and what it leads to (reopen or close) are one transaction: never rated but left unhandled. The
    # first check is outside it, as in _simple, so that a refusal's audit entry outlives the refusal.
    _check(actor, appeal, "evaluate")
    with transaction.atomic(), audit_batch():
        appeal = _simple(
            "evaluate",
            actor=actor,
            appeal=appeal,
            note=comment,
            update=update,
            fields=["rating", "rating_comment", "rated_at", "resolved"],
        )
        if rating in BAD_RATINGS:
            appeal = _reopen(appeal, None, reason=f"差评（{Rating(rating).label}）：自动重办", rectify=True)
        else:
            appeal = appeal_close(actor=None, appeal=appeal, note="评价后办结")
    return appeal


def _reopen(appeal: Appeal, actor: User | None, *, reason: str, rectify: bool) -> Appeal:
    with transaction.atomic(), audit_batch():
        appeal = _lock(appeal)
        if not allowed("reopen", appeal.status, actor_relations(actor, appeal)):
            _check(actor, appeal, "reopen")
        from_status, now = appeal.status, timezone.now()
        appeal.status, appeal.reopen_count = S.DISPATCHED, appeal.reopen_count + 1
        appeal.dispatched_at, appeal.signed_at, appeal.replied_at, appeal.closed_at = now, None, None, None
        days = appeal.category.rectify_days if appeal.category else 5
        appeal.contact_due = now + timedelta(
            hours=appeal.category.contact_hours if appeal.category else CONTACT_HOURS
        )
        appeal.reply_due = add_working_time(now, days=days) if rectify else reply_deadline(appeal, now)
        appeal.warned_at = appeal.overdue_at = None
        lead = appeal.lead_unit
        if (
            lead is not None
            and not Assignment.objects.filter(appeal=appeal, active=True, role=AssignmentRole.LEAD).exists()
        ):
            Assignment.objects.create(appeal=appeal, unit=lead, role=AssignmentRole.LEAD)
        return _finish(
            appeal,
            "reopen",
            actor,
            from_status=from_status,
            note=reason,
            data={"rectify_days": days if rectify else None, "reopens": appeal.reopen_count},
            fields=[
                "reopen_count",
                "dispatched_at",
                "signed_at",
                "replied_at",
                "closed_at",
                "contact_due",
                "reply_due",
                "warned_at",
                "overdue_at",
            ],
            notify="reopened",
            now=now,
        )


def appeal_reopen(*, actor: User, appeal: Appeal, reason: str) -> Appeal:
    if len((reason or "").strip()) < 4:
        raise ShequError(gettext("Say why the appeal is reopened."), fields={"reason": "required"})
    _check(actor, appeal, "reopen")
    return _reopen(appeal, actor, reason=reason, rectify=False)


def appeal_close(*, actor: User | None, appeal: Appeal, note: str = "") -> Appeal:
    def update(a: Appeal, now: datetime) -> dict:
        a.closed_at = now
        return {}

    return _simple("close", actor=actor, appeal=appeal, note=note, update=update, fields=["closed_at"])


def appeal_dispute_rating(*, actor: User, appeal: Appeal, reason: str) -> Appeal:
    _check(actor, appeal, "dispute_rating")  # first, as in appeal_return
    if len((reason or "").strip()) < 10:
        raise ShequError(
            gettext("Explain why the rating is mistaken or malicious (at least 10 characters)."),
            fields={"reason": "required"},
        )
    return _simple("dispute_rating", actor=actor, appeal=appeal, note=reason, public=False)


def appeal_decide_rating_dispute(*, actor: User, appeal: Appeal, uphold: bool, note: str = "") -> Appeal:
    """Upholding the dispute voids the rating: it no longer counts in 满意率 (the event keeps the history)."""
    _check(actor, appeal, "decide_rating_dispute")
    # Only a dispute the lead unit raised can be decided (the guard "dispute_waiting"); otherwise a dispatcher could
    # void any rating at will.

    def update(a: Appeal, now: datetime) -> dict:
        voided = a.rating if uphold else None
        if uphold:
            a.rating, a.resolved = None, None
        return {"upheld": uphold, "voided_rating": voided}

    return _simple(
        "decide_rating_dispute",
        actor=actor,
        appeal=appeal,
        note=note,
        update=update,
        fields=["rating", "resolved"],
        public=False,
    )


def appeal_merge(*, actor: User, appeal: Appeal, into: Appeal, note: str = "") -> Appeal:
    _check(actor, appeal, "merge")  # first, as in appeal_return
    # Into an open appeal only: a closed one is never handled again, so the duplicate would be silently dropped.
    if into.pk == appeal.pk or into.status not in OPEN_STATUSES:
        raise ShequError(gettext("Merge into another open appeal."), fields={"into": str(into.pk)})

    def update(a: Appeal, now: datetime) -> dict:
        a.merged_into = into
        Assignment.objects.filter(appeal=a, active=True).update(active=False, ended_at=now)
        return {"into": into.number}

    return _simple("merge", actor=actor, appeal=appeal, note=note, update=update, fields=["merged_into"])


def appeal_reject(*, actor: User, appeal: Appeal, reason: str) -> Appeal:
    if len((reason or "").strip()) < 4:
        raise ShequError(gettext("Say why the appeal is not accepted."), fields={"reason": "required"})

    def update(a: Appeal, now: datetime) -> dict:
        a.closed_at = now
        return {}

    return _simple("reject", actor=actor, appeal=appeal, note=reason, update=update, fields=["closed_at"])


# --- the audited reveal ---------------------------------------------------------------------------------------
# Pages, the API, Open311, exports and logs show what people typed through core.masking.redact. A handler who must
# call the number a resident wrote into his text gets the original here, with a purpose, and the reveal is audited
# (as residents.services.resident_reveal).
REVEALABLE_FIELDS = ("text", "address", "contact_name", "contact_phone")


def appeal_may_reveal(user: User | None, appeal: Appeal) -> bool:
    """Whether a role of the user allows the reveal for this appeal: its area is under the grant, or the grant's
    unit handles it (lead or co-handling)."""
    scope = scope_for(user, Action.APPEALS_REVEAL)
    if scope.covers_path(appeal.area.path):
        return True
    if not scope.unit_ids:
        return False
    if appeal.lead_unit_id in scope.unit_ids:
        return True
    return appeal.assignments.filter(active=True, unit_id__in=scope.unit_ids).exists()


def appeal_reveal(*, actor: User, appeal: Appeal, fields: list[str], purpose: str) -> dict[str, str]:
    """The appeal's text, address and contact as they were typed, for a role that may see them, with a stated
    purpose; audited in the same transaction. A refusal is audited too, on its own."""
    fields = list(dict.fromkeys(fields))
    bad = [f for f in fields if f not in REVEALABLE_FIELDS]
    if not fields or bad:
        raise ShequError(
            gettext("Choose what to reveal: the text, the address or the contact."),
            fields={"fields": ", ".join(bad) or "required"},
        )
    # The purpose is free text too: a number typed into it is not kept in the audit trail.
    purpose = redact((purpose or "").strip())[:200]
    if len(purpose) < 4:
        raise ShequError(
            gettext("State the purpose of this reveal (at least 4 characters)."),
            fields={"purpose": "required"},
        )
    if not appeal_may_reveal(actor, appeal):
        audit_record(
            action="appeal.reveal_refused",
            actor=actor,
            actor_role=_roles(actor),
            obj=appeal,
            purpose=purpose,
            changes={f: {"revealed": False} for f in fields},
        )
        raise PermissionDenied(gettext("Your role may not reveal what the resident typed."))
    values = {
        "text": appeal.text,
        "address": appeal.address,
        "contact_name": appeal.contact_name,
        "contact_phone": appeal.contact_phone or "",
    }
    with transaction.atomic():
        audit_record(
            action="appeal.reveal",
            actor=actor,
            actor_role=_roles(actor),
            obj=appeal,
            purpose=purpose,
            changes={f: {"revealed": True} for f in fields},
        )
    return {f: values[f] for f in fields}


# --- the minute scan ------------------------------------------------------------------------------------------
WARN_FRACTION = 0.2  # yellow when less than a fifth of the reply window is left


def appeal_note_from_outside(
    *,
    appeal: Appeal,
    action: str,
    source: str,
    note: str,
    data: dict[str, Any],
    once_per: dict[str, Any] | None = None,
) -> tuple[Event, bool]:
    """A comment from outside the workflow (a partner system's update through Open311), recorded on the appeal's
    public timeline; answers (event, created). It never changes the appeal's status: only the workflow does.

    `source` names who sent it in the audit trail ("open311:<prefix>"); `once_per` (values of `data`) makes a
    retry of the same update return the first event instead of recording it twice: the appeal row is locked, so
    two deliveries of one update cannot both pass the check."""
    with transaction.atomic():
        appeal = _lock(appeal)
        if once_per:
            existing = Event.objects.filter(
                appeal=appeal, action=action, **{f"data__{k}": v for k, v in once_per.items()}
            ).first()
            if existing is not None:
                return existing, False
        event = _event(appeal, action, None, from_status=appeal.status, note=note, data=data, public=True)
        audit_record(
            action=f"appeal.{action}",
            actor_username=source,
            obj=appeal,
            changes={"event": {"after": event.pk}, **({"data": {"after": data}} if data else {})},
        )
    return event, True


def appeal_scan_deadlines(*, now: datetime | None = None, batch: int = 500) -> dict[str, int]:
    """Warn before due, escalate overdue appeals to supervision, escalate late emergency dispatch.

    Reads only open appeals through the partial deadline indexes; each appeal is updated in its own small
    transaction, so a crash mid-scan loses nothing (the next minute picks up what is left).
    """
    now = now or timezone.now()
    counts = {"warned": 0, "overdue": 0, "dispatch_late": 0}
    open_q = Q(status__in=[S.DISPATCHED, S.SIGNED_FOR, S.IN_PROGRESS])
    for appeal in Appeal.objects.filter(open_q, reply_due__lte=now, overdue_at__isnull=True)[:batch]:
        with transaction.atomic(), audit_batch():
            a = _lock(appeal)
            if a.overdue_at is not None or a.reply_due is None or a.reply_due > now:
                continue
            a.overdue_at, a.supervised = now, True
            a.save(update_fields=["overdue_at", "supervised"])
            _event(
                a,
                "escalate",
                None,
                from_status=a.status,
                note="超期：自动督办",
                public=False,
                data={"reply_due": a.reply_due.isoformat()},
                at=now,
            )
            kpis.record(a, "overdue", at=now, data={})
            audit_record(
                action="appeal.escalate",
                obj=a,
                channel="task",
                changes={"overdue_at": {"after": now.isoformat()}},
            )
            counts["overdue"] += 1
    horizon = now + timedelta(days=15)
    for appeal in Appeal.objects.filter(
        open_q, reply_due__gt=now, reply_due__lte=horizon, warned_at__isnull=True, dispatched_at__isnull=False
    )[: batch * 4]:
        if appeal.reply_due is None or appeal.dispatched_at is None:
            continue
        window = (appeal.reply_due - appeal.dispatched_at).total_seconds()
        if window <= 0 or (appeal.reply_due - now).total_seconds() > window * WARN_FRACTION:
            continue
        with transaction.atomic(), audit_batch():
            updated = Appeal.objects.filter(pk=appeal.pk, warned_at__isnull=True).update(warned_at=now)
            if updated:
                _event(appeal, "warn", None, from_status=appeal.status, note="即将超期", public=False, at=now)
                counts["warned"] += 1
    for appeal in Appeal.objects.filter(status=S.SUBMITTED, dispatch_due__lte=now, supervised=False)[:batch]:
        with transaction.atomic(), audit_batch():
            if Appeal.objects.filter(pk=appeal.pk, supervised=False).update(supervised=True):
                _event(
                    appeal,
                    "escalate",
                    None,
                    from_status=appeal.status,
                    note="紧急诉求超过 20 分钟未派单",
                    public=False,
                    at=now,
                )
                audit_record(
                    action="appeal.escalate",
                    obj=appeal,
                    channel="task",
                    changes={"dispatch_due": {"after": str(appeal.dispatch_due)}},
                )
                counts["dispatch_late"] += 1
    return counts


# --- urgency corrections (issue 23: written in appeals.emergency, which builds on this module's helpers) --------
def appeal_raise_emergency(*, actor: User, appeal: Appeal, reason: str = "", kind: str = "") -> Appeal:
    from .emergency import appeal_raise_emergency as raise_

    return raise_(actor=actor, appeal=appeal, reason=reason, kind=kind)


def appeal_lower_emergency(*, actor: User, appeal: Appeal, reason: str) -> Appeal:
    from .emergency import appeal_lower_emergency as lower

    return lower(actor=actor, appeal=appeal, reason=reason)


ACTION_SERVICES = {
    "categorize": appeal_categorize,
    "dispatch": appeal_dispatch,
    "sign_for": appeal_sign_for,
    "start": appeal_start,
    "contact": appeal_contact,
    "co_reply": appeal_co_reply,
    "reply": appeal_reply,
    "return": appeal_return,
    "reassign": appeal_reassign,
    "request_extension": appeal_request_extension,
    "decide_extension": appeal_decide_extension,
    "supervise": appeal_supervise,
    "evaluate": appeal_evaluate,
    "dispute_rating": appeal_dispute_rating,
    "decide_rating_dispute": appeal_decide_rating_dispute,
    "close": appeal_close,
    "reopen": appeal_reopen,
    "merge": appeal_merge,
    "reject": appeal_reject,
    "raise_emergency": appeal_raise_emergency,
    "lower_emergency": appeal_lower_emergency,
}
_ = forget_grants
