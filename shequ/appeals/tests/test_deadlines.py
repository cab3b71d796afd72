"""Deadlines are columns, not timers: contact and reply deadlines by urgency and category on the working-day
calendar, the yellow/red states, and the minute scan that warns and escalates (and does so once, even after a gap
in which no scan ran because the broker was down)."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from shequ.appeals import services
from shequ.appeals.choices import Status
from shequ.appeals.models import Appeal, Category, Event
from shequ.appeals.schemas import deadline_state
from shequ.appeals.tasks import scan_deadlines
from shequ.audit.models import AuditEntry
from shequ.core.workdays import add_working_time

from . import fixtures
from .fixtures import BEFORE_MAY_DAY, SHANGHAI, START, bring_to, submit

# The shared fixtures, bound by assignment rather than imported by name: test parameters of the same name would
# otherwise read as redefinitions of an unused import (ruff F811). `clock` is autouse: time is fixed and moved.
clock = fixtures.clock
world = fixtures.world

pytestmark = pytest.mark.django_db

NOTHING = {"warned": 0, "overdue": 0, "dispatch_late": 0}


def at(*args: int) -> datetime:
    return datetime(*args, tzinfo=SHANGHAI)


def dispatched(world, **kw) -> Appeal:
    return bring_to(world, submit(world, **kw), Status.DISPATCHED)


def scan(clock) -> dict[str, int]:
    return services.appeal_scan_deadlines(now=clock.now)


# --- contact and reply deadlines -----------------------------------------------------------------------------------
def test_the_unit_must_contact_the_requester_within_24_hours_of_dispatch(world, clock):
    appeal = dispatched(world)
    assert appeal.contact_due == clock.now + timedelta(hours=24)
    clock.advance(hours=2)
    appeal = services.appeal_sign_for(actor=world["lina"], appeal=appeal)
    appeal = services.appeal_contact(actor=world["lina"], appeal=appeal, note="已电话联系")
    assert appeal.events.get(action="contact").data == {"first": True, "on_time": True}


def test_a_late_first_contact_is_recorded_as_late(world, clock):
    appeal = bring_to(world, submit(world), Status.SIGNED_FOR)
    clock.advance(hours=25)
    services.appeal_contact(actor=world["lina"], appeal=appeal, note="联系晚了")
    assert appeal.events.get(action="contact").data == {"first": True, "on_time": False}


def test_a_category_sets_its_own_contact_window(world, clock):
    Category.objects.filter(code="sanitation").update(contact_hours=12)
    appeal = dispatched(world)
    assert appeal.contact_due == clock.now + timedelta(hours=12)


@pytest.mark.parametrize(
    ("urgency", "due"),
    [
        ("emergency", at(2026, 4, 30, 12, 0)),  # 2 hours on the clock
        ("utilities", at(2026, 5, 1, 10, 0)),  # 24 hours on the clock, holiday or not
        ("normal", at(2026, 5, 13, 10, 0)),  # 7 working days: May Day skipped, Saturday 9 May worked
        ("complex", at(2026, 5, 25, 10, 0)),  # 15 working days
    ],
)
def test_the_reply_is_due_by_urgency(world, clock, urgency, due):
    clock.set(BEFORE_MAY_DAY)
    appeal = dispatched(world, urgency=urgency, text="小区里的问题需要处理一下，请尽快安排")
    assert appeal.urgency == urgency
    assert appeal.reply_due == due


def test_a_category_overrides_the_reply_deadline_of_an_urgency(world, clock):
    clock.set(BEFORE_MAY_DAY)
    # Shipped data: 违法建设 gives normal appeals 15 working days instead of 7.
    appeal = dispatched(world, category="illegal_construction", text="楼顶有人在加建铁皮房")
    assert appeal.reply_due == at(2026, 5, 25, 10, 0)
    # Edited data: four hours on the clock for normal sanitation appeals.
    Category.objects.filter(code="sanitation").update(
        reply_deadlines={"normal": {"hours": 4, "working": False}}
    )
    appeal = dispatched(world)
    assert appeal.reply_due == clock.now + timedelta(hours=4)
    # Working hours stop over the holiday.
    Category.objects.filter(code="sanitation").update(
        reply_deadlines={"normal": {"hours": 20, "working": True}}
    )
    appeal = dispatched(world)
    assert appeal.reply_due == at(2026, 5, 6, 6, 0)


def test_an_emergency_must_be_dispatched_within_20_minutes(world, clock):
    appeal = submit(world, text="楼道里闻到很浓的煤气泄漏味道")
    assert appeal.urgency == "emergency"
    assert appeal.dispatch_due == clock.now + timedelta(minutes=20)
    assert submit(world).dispatch_due is None  # only emergencies have a dispatch deadline


# --- the deadline only moves for a reason ------------------------------------------------------------------------
def test_handling_and_supervision_never_move_the_reply_deadline(world, clock):
    appeal = dispatched(world)
    due = appeal.reply_due
    lina, sunli = world["lina"], world["sunli"]
    for step in (
        lambda a: services.appeal_sign_for(actor=lina, appeal=a),
        lambda a: services.appeal_start(actor=lina, appeal=a),
        lambda a: services.appeal_contact(actor=lina, appeal=a, note="已联系"),
        lambda a: services.appeal_supervise(actor=sunli, appeal=a, comment="请按时办结"),
        lambda a: services.appeal_request_extension(actor=lina, appeal=a, days=4, reason="等待物业配合"),
        lambda a: services.appeal_decide_extension(actor=sunli, appeal=a, approve=False),
    ):
        clock.advance(hours=5)
        step(appeal)
        appeal.refresh_from_db()
        assert appeal.reply_due == due
    services.appeal_request_extension(actor=lina, appeal=appeal, days=4, reason="等待物业配合")
    appeal = services.appeal_decide_extension(actor=sunli, appeal=appeal, approve=True)
    assert appeal.reply_due == add_working_time(due, days=4) > due


def test_reassigning_keeps_the_clock_of_the_first_dispatch(world, clock):
    appeal = dispatched(world)
    due = appeal.reply_due
    clock.advance(hours=6)
    appeal = services.appeal_reassign(actor=world["sunli"], appeal=appeal, unit=world.cg)
    assert appeal.reply_due == due


def test_a_redispatch_after_a_return_keeps_the_clock(world, clock):
    """The requester has waited all along: a return and a fresh dispatch must not restart (or shorten) the
    deadline, whichever of the dispatcher's two buttons (派单 or 改派) sends it out again."""
    appeal = bring_to(world, submit(world), Status.SIGNED_FOR, lead="liuyang")
    services.appeal_request_extension(actor=world["liuyang"], appeal=appeal, days=5, reason="等待协调")
    appeal = services.appeal_decide_extension(actor=world["sunli"], appeal=appeal, approve=True)
    due = appeal.reply_due
    clock.advance(hours=20)
    appeal = services.appeal_return(actor=world["liuyang"], appeal=appeal, reason="不属于城管职责")
    appeal = services.appeal_dispatch(actor=world["sunli"], appeal=appeal, unit=world.lina_unit)
    assert appeal.status == Status.DISPATCHED and appeal.reply_due == due


# --- yellow, red, escalation ---------------------------------------------------------------------------------------
def test_a_yellow_warning_comes_before_the_due_time_and_red_after_it(world, clock):
    appeal = dispatched(world)  # Monday 2 March 10:00 → due Wednesday 11 March 10:00
    assert appeal.reply_due == at(2026, 3, 11, 10, 0)
    assert deadline_state(appeal, clock.now) == "green"

    clock.set(at(2026, 3, 9, 10, 0))  # 48 h left of a 216 h window: still green
    assert scan(clock) == NOTHING
    appeal.refresh_from_db()
    assert deadline_state(appeal, clock.now) == "green"

    clock.set(at(2026, 3, 10, 10, 0))  # 24 h left: less than a fifth of the window
    assert scan(clock) == {**NOTHING, "warned": 1}
    appeal.refresh_from_db()
    assert appeal.warned_at == clock.now and deadline_state(appeal, clock.now) == "yellow"
    assert appeal.events.filter(action="warn").count() == 1

    clock.set(at(2026, 3, 11, 10, 1))
    assert scan(clock) == {**NOTHING, "overdue": 1}
    appeal.refresh_from_db()
    assert appeal.overdue_at == clock.now and appeal.supervised is True
    assert deadline_state(appeal, clock.now) == "red"
    escalate = appeal.events.get(action="escalate")
    assert escalate.actor is None and escalate.to_status == Status.DISPATCHED and escalate.public is False
    assert AuditEntry.objects.filter(action="appeal.escalate", object_id=str(appeal.pk)).count() == 1


def test_an_approved_extension_turns_a_red_appeal_green_until_the_new_due_time(world, clock):
    appeal = bring_to(world, submit(world), Status.IN_PROGRESS)
    clock.set(at(2026, 3, 11, 11, 0))
    assert scan(clock)["overdue"] == 1
    services.appeal_request_extension(actor=world["lina"], appeal=appeal, days=2, reason="材料未齐")
    appeal = services.appeal_decide_extension(actor=world["sunli"], appeal=appeal, approve=True)
    assert appeal.overdue_at is None and deadline_state(appeal, clock.now) == "green"
    clock.set(at(2026, 3, 13, 10, 1))
    assert scan(clock)["overdue"] == 1
    assert appeal.events.filter(action="escalate").count() == 2


def test_the_scan_escalates_late_emergency_dispatch_once(world, clock):
    appeal = submit(world, text="楼道里闻到很浓的煤气泄漏味道")
    clock.advance(minutes=19)
    assert scan(clock) == NOTHING
    clock.advance(minutes=2)
    assert scan(clock) == {**NOTHING, "dispatch_late": 1}
    appeal.refresh_from_db()
    assert appeal.supervised is True and appeal.status == Status.SUBMITTED
    assert appeal.events.get(action="escalate").note.startswith("紧急诉求超过 20 分钟未派单")
    assert AuditEntry.objects.filter(action="appeal.escalate", object_id=str(appeal.pk)).count() == 1
    assert scan(clock) == NOTHING


def test_an_emergency_dispatched_in_time_is_not_escalated(world, clock):
    appeal = submit(world, text="楼道里闻到很浓的煤气泄漏味道")
    clock.advance(minutes=10)
    services.appeal_dispatch(actor=world["sunli"], appeal=appeal, unit=world.lina_unit)
    clock.advance(minutes=30)
    assert scan(clock)["dispatch_late"] == 0


def test_finished_appeals_are_never_escalated(world, clock):
    replied = bring_to(world, submit(world), Status.REPLIED)
    closed = bring_to(world, submit(world), Status.CLOSED)
    rejected = submit(world)
    services.appeal_reject(actor=world["sunli"], appeal=rejected, reason="重复提交")
    clock.advance(days=60)
    assert scan(clock) == NOTHING
    assert not Event.objects.filter(appeal__in=[replied, closed, rejected], action="escalate").exists()


def test_a_scan_after_a_gap_catches_every_deadline_that_passed_and_a_second_scan_does_nothing_twice(
    world, clock
):
    """No timers live in the broker: a scan that runs after days of downtime finds everything from the columns."""
    normal = dispatched(world)  # due Wed 11 March 10:00
    emergency = dispatched(world, urgency="emergency", text="小区有安全隐患需要马上处理")  # due today 12:00
    utilities = dispatched(world, urgency="utilities", text="整栋楼停水了一整天")  # due tomorrow 10:00
    complex_ = dispatched(world, urgency="complex", text="小区改造涉及多个部门需要协调")  # due Mon 23 March
    assert complex_.reply_due == at(2026, 3, 23, 10, 0)
    undispatched = submit(world, text="电梯困人了，有老人被困在里面")  # emergency, never dispatched
    replied = bring_to(world, submit(world), Status.REPLIED)
    clock.advance(minutes=1)
    assert scan(clock) == NOTHING

    # The broker is down from here: no scan runs for two and a half weeks.
    clock.set(at(2026, 3, 19, 12, 0))
    counts = scan_deadlines.apply().get()  # the beat task, as it runs when the broker is back
    assert counts == {"warned": 1, "overdue": 3, "dispatch_late": 1}
    state = {a.pk: a for a in Appeal.objects.filter(pk__in=[x.pk for x in (normal, emergency, utilities)])}
    assert all(a.overdue_at == clock.now and a.supervised for a in state.values())
    complex_.refresh_from_db()
    assert complex_.warned_at == clock.now and complex_.overdue_at is None
    undispatched.refresh_from_db()
    assert undispatched.supervised is True
    replied.refresh_from_db()
    assert replied.overdue_at is None and replied.warned_at is None
    events, audits = Event.objects.count(), AuditEntry.objects.filter(action="appeal.escalate").count()
    assert audits == 4

    assert scan(clock) == NOTHING
    clock.advance(minutes=1)
    assert scan_deadlines.apply().get() == NOTHING
    assert (Event.objects.count(), AuditEntry.objects.filter(action="appeal.escalate").count()) == (
        events,
        audits,
    )

    # And the warned complex appeal turns red when its own time comes.
    clock.set(at(2026, 3, 23, 10, 1))
    assert scan(clock) == {**NOTHING, "overdue": 1}
    assert START < clock.now
