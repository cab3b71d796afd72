"""The appeal workflow through the real services: every transition of workflow.TRANSITIONS, who may take it, and
what each one leaves behind (a timeline event and an audit entry)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied

from shequ.accounts.models import OutboxMessage
from shequ.appeals import services
from shequ.appeals.choices import AssignmentRole, ExtensionStatus, Status
from shequ.appeals.models import Appeal, Assignment, Category, Event
from shequ.appeals.workflow import TRANSITIONS
from shequ.audit.models import AuditEntry
from shequ.core.errors import ShequError
from shequ.core.workdays import add_working_time

from . import fixtures
from .fixtures import audit_actions, bring_to, event_actions, make_officer, submit

# The shared fixtures, bound by assignment rather than imported by name: test parameters of the same name would
# otherwise read as redefinitions of an unused import (ruff F811). `clock` is autouse: time is fixed and moved.
clock = fixtures.clock
world = fixtures.world

pytestmark = pytest.mark.django_db


def refused(appeal: Appeal) -> list[dict]:
    return [
        e.changes
        for e in AuditEntry.objects.filter(
            action="appeal.refused", object_type="appeals.appeal", object_id=str(appeal.pk)
        ).order_by("seq")
    ]


# --- the happy path ------------------------------------------------------------------------------------------------
def test_an_appeal_travels_from_submission_to_closure(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        appeal = submit(world)
    assert appeal.status == Status.SUBMITTED
    sunli, lina, zhangwei = world["sunli"], world["lina"], world["zhangwei"]

    appeal = services.appeal_dispatch(actor=sunli, appeal=appeal, unit=world.lina_unit.code)
    assert appeal.status == Status.DISPATCHED and appeal.lead_unit == world.lina_unit
    appeal = services.appeal_sign_for(actor=lina, appeal=appeal)
    assert appeal.status == Status.SIGNED_FOR and appeal.signed_at is not None
    appeal = services.appeal_start(actor=lina, appeal=appeal)
    assert appeal.status == Status.IN_PROGRESS
    appeal = services.appeal_contact(actor=lina, appeal=appeal, note="电话联系了诉求人")
    assert appeal.status == Status.IN_PROGRESS and appeal.contacted_at is not None
    with django_capture_on_commit_callbacks(execute=True):
        appeal = services.appeal_reply(actor=lina, appeal=appeal, text="已安排保洁人员清理，并增加清运频次。")
    assert appeal.status == Status.REPLIED
    appeal = services.appeal_evaluate(actor=zhangwei, appeal=appeal, rating=5, comment="很快就处理了")
    appeal.refresh_from_db()
    assert appeal.status == Status.CLOSED and appeal.rating == 5 and appeal.resolved is True

    assert event_actions(appeal) == [
        "submit",
        "dispatch",
        "sign_for",
        "start",
        "contact",
        "reply",
        "evaluate",
        "close",
    ]
    statuses = list(appeal.events.order_by("at", "id").values_list("from_status", "to_status"))
    assert statuses == [
        ("", "submitted"),
        ("submitted", "dispatched"),
        ("dispatched", "signed_for"),
        ("signed_for", "in_progress"),
        ("in_progress", "in_progress"),
        ("in_progress", "replied"),
        ("replied", "evaluated"),
        ("evaluated", "closed"),
    ]
    # Every transition is audited, in the same order, as "appeal.<action>".
    assert audit_actions(appeal) == [f"appeal.{a}" for a in event_actions(appeal)]
    # The requester was told twice, after commit, through the outbox (SMS on production).
    bodies = list(OutboxMessage.objects.order_by("id").values_list("purpose", "recipient_masked"))
    assert bodies == [("appeal.received", "139****5678"), ("appeal.replied", "139****5678")]


def test_every_action_of_the_table_has_a_service():
    assert set(services.ACTION_SERVICES) == set(TRANSITIONS)


# --- return (退单), re-dispatch (改派) and the default unit (兜底) ----------------------------------------------------
def test_a_unit_returns_an_appeal_with_a_reason_and_the_dispatcher_reassigns_it(world, clock):
    appeal = bring_to(world, submit(world), Status.SIGNED_FOR, lead="liuyang")
    clock.advance(hours=3)
    appeal = services.appeal_return(
        actor=world["liuyang"], appeal=appeal, reason="不属于城管职责，应由社区处理"
    )
    assert appeal.status == Status.SUBMITTED and appeal.lead_unit is None and appeal.return_count == 1
    assert not Assignment.objects.filter(appeal=appeal, active=True).exists()
    ret = appeal.events.get(action="return")
    assert ret.note == "不属于城管职责，应由社区处理" and ret.data["unit"] == "440304-CG"

    appeal = services.appeal_reassign(actor=world["sunli"], appeal=appeal, unit=world.lina_unit)
    assert appeal.status == Status.DISPATCHED and appeal.lead_unit == world.lina_unit
    assert audit_actions(appeal)[-2:] == ["appeal.return", "appeal.reassign"]


def test_a_return_without_a_reason_is_refused(world):
    appeal = bring_to(world, submit(world), Status.DISPATCHED)
    with pytest.raises(ShequError) as exc:
        services.appeal_return(actor=world["lina"], appeal=appeal, reason=" ")
    assert exc.value.status == 400 and "reason" in exc.value.fields
    appeal.refresh_from_db()
    assert appeal.status == Status.DISPATCHED


def test_a_return_after_the_window_is_refused(world, clock):
    appeal = bring_to(world, submit(world), Status.DISPATCHED)
    clock.advance(hours=services.RETURN_WINDOW_HOURS, minutes=1)
    with pytest.raises(ShequError) as exc:
        services.appeal_return(actor=world["lina"], appeal=appeal, reason="不是我们社区的事")
    assert exc.value.status == 409 and exc.value.code == "return_window_passed"


def test_after_repeated_returns_the_street_office_is_decided_as_default_unit(world):
    appeal = submit(world)
    for _ in range(services.DEFAULT_UNIT_AFTER_RETURNS):
        appeal = services.appeal_reassign(actor=world["sunli"], appeal=appeal, unit=world.cg)
        appeal = services.appeal_return(actor=world["liuyang"], appeal=appeal, reason="不属于城管职责")
    appeal.refresh_from_db()
    assert appeal.default_unit_decided is True
    assert appeal.status == Status.DISPATCHED and appeal.lead_unit == world.huafu_office
    lead = Assignment.objects.get(appeal=appeal, active=True, role=AssignmentRole.LEAD)
    assert lead.unit == world.huafu_office
    assert appeal.events.order_by("-id").first().data["default_unit"] is True
    # The default unit cannot pass it on again.
    officer = make_officer("huafu_officer", world.huafu_office)
    with pytest.raises(ShequError) as exc:
        services.appeal_return(actor=officer, appeal=appeal, reason="还是不归我们街道")
    assert exc.value.status == 409 and exc.value.code == "invalid_state"
    # ... but signs for it and handles it.
    assert services.appeal_sign_for(actor=officer, appeal=appeal).status == Status.SIGNED_FOR


# --- co-handling (协办) --------------------------------------------------------------------------------------------
def test_a_co_unit_reports_to_the_lead_unit(world):
    appeal = bring_to(world, submit(world), Status.SIGNED_FOR, lead="liuyang", co=[world.lina_unit])
    co = Assignment.objects.get(appeal=appeal, role=AssignmentRole.CO, active=True)
    assert co.unit == world.lina_unit
    services.appeal_co_reply(actor=world["lina"], appeal=appeal, note="社区已上门核实，垃圾点位于小区东门")
    co.refresh_from_db()
    assert co.reply_text == "社区已上门核实，垃圾点位于小区东门"
    event = appeal.events.get(action="co_reply")
    assert event.public is False and event.actor_unit == world.lina_unit
    # The co-unit takes no lead action, and the lead unit does not report as a co-unit.
    with pytest.raises(PermissionDenied):
        services.appeal_reply(actor=world["lina"], appeal=appeal, text="社区答复居民：已处理完毕")
    with pytest.raises(PermissionDenied):
        services.appeal_co_reply(actor=world["liuyang"], appeal=appeal, note="城管局自己的协办意见")


# --- extension (延期) ----------------------------------------------------------------------------------------------
def test_an_approved_extension_moves_the_reply_due_by_working_days(world):
    appeal = bring_to(world, submit(world), Status.IN_PROGRESS)
    before = appeal.reply_due
    ext = services.appeal_request_extension(
        actor=world["lina"], appeal=appeal, days=3, reason="需要协调物业公司"
    )
    appeal.refresh_from_db()
    assert (
        ext.status == ExtensionStatus.PENDING and appeal.reply_due == before
    )  # a request alone moves nothing
    appeal = services.appeal_decide_extension(actor=world["sunli"], appeal=appeal, approve=True)
    ext.refresh_from_db()
    assert ext.status == ExtensionStatus.APPROVED and ext.old_due == before
    assert appeal.reply_due == ext.new_due == add_working_time(before, days=3)
    assert audit_actions(appeal)[-2:] == ["appeal.request_extension", "appeal.decide_extension"]


def test_a_refused_extension_leaves_the_deadline_where_it_was(world):
    appeal = bring_to(world, submit(world), Status.IN_PROGRESS)
    before = appeal.reply_due
    services.appeal_request_extension(actor=world["lina"], appeal=appeal, days=5, reason="需要协调物业公司")
    appeal = services.appeal_decide_extension(actor=world["sunli"], appeal=appeal, approve=False)
    appeal.refresh_from_db()
    assert appeal.reply_due == before
    assert appeal.extensions.get().status == ExtensionStatus.REFUSED


@pytest.mark.parametrize("how", ["return", "reply"])
def test_a_waiting_extension_lapses_when_the_unit_returns_or_answers(world, how):
    appeal = bring_to(world, submit(world), Status.SIGNED_FOR if how == "return" else Status.IN_PROGRESS)
    ext = services.appeal_request_extension(
        actor=world["lina"], appeal=appeal, days=3, reason="需要协调物业公司"
    )
    if how == "return":
        appeal = services.appeal_return(actor=world["lina"], appeal=appeal, reason="不属于本单位职责")
    else:
        appeal = services.appeal_reply(actor=world["lina"], appeal=appeal, text="已处理完毕，感谢您的反映")
    ext.refresh_from_db()
    assert ext.status == ExtensionStatus.WITHDRAWN and ext.decided_by is None and ext.decided_at is not None
    assert appeal.events.get(action=how).data["extensions_withdrawn"] == [ext.pk]
    with pytest.raises(ShequError):  # nothing is left to decide: the deadline cannot move any more
        services.appeal_decide_extension(actor=world["sunli"], appeal=appeal, approve=True)


def test_only_one_extension_request_waits_at_a_time(world):
    appeal = bring_to(world, submit(world), Status.SIGNED_FOR)
    services.appeal_request_extension(actor=world["lina"], appeal=appeal, days=2, reason="需要协调物业公司")
    with pytest.raises(ShequError) as exc:
        services.appeal_request_extension(actor=world["lina"], appeal=appeal, days=2, reason="再申请一次")
    assert exc.value.status == 409


def test_the_lead_unit_may_not_approve_its_own_extension(world):
    appeal = bring_to(world, submit(world), Status.SIGNED_FOR)
    services.appeal_request_extension(actor=world["lina"], appeal=appeal, days=2, reason="需要协调物业公司")
    with pytest.raises(PermissionDenied):
        services.appeal_decide_extension(actor=world["lina"], appeal=appeal, approve=True)
    assert refused(appeal)[-1]["action"]["after"] == "decide_extension"


# --- supervision (督办) --------------------------------------------------------------------------------------------
def test_supervision_marks_the_appeal_and_keeps_the_comment(world):
    appeal = bring_to(world, submit(world), Status.IN_PROGRESS)
    services.appeal_supervise(
        actor=world["chenjing"], appeal=appeal, comment="请尽快处理，本周内答复", level="high"
    )
    appeal.refresh_from_db()
    assert appeal.supervised is True and appeal.status == Status.IN_PROGRESS
    event = appeal.events.get(action="supervise")
    assert (
        event.note == "请尽快处理，本周内答复" and event.data == {"level": "high"} and event.public is False
    )


def test_a_street_officer_may_not_supervise_outside_his_street(world):
    appeal = bring_to(world, submit(world), Status.IN_PROGRESS)
    with pytest.raises(PermissionDenied):
        services.appeal_supervise(actor=world["wangqiang"], appeal=appeal, comment="跨区督办试试看")
    assert refused(appeal)[-1]["reason"]["after"] == "role"


def test_a_supervision_needs_a_comment(world):
    appeal = bring_to(world, submit(world), Status.DISPATCHED)
    with pytest.raises(ShequError) as exc:
        services.appeal_supervise(actor=world["sunli"], appeal=appeal, comment="")
    assert "comment" in exc.value.fields


# --- merge (并单) --------------------------------------------------------------------------------------------------
def test_a_duplicate_is_merged_into_the_first_appeal(world):
    first = bring_to(world, submit(world), Status.DISPATCHED)
    duplicate = bring_to(world, submit(world, text="东门垃圾桶满了没人清理，已经好几天"), Status.DISPATCHED)
    merged = services.appeal_merge(actor=world["sunli"], appeal=duplicate, into=first, note="同一点位")
    assert merged.status == Status.MERGED and merged.merged_into == first
    assert not Assignment.objects.filter(appeal=duplicate, active=True).exists()
    assert merged.events.get(action="merge").data["into"] == first.number
    first.refresh_from_db()
    assert first.status == Status.DISPATCHED


def test_an_appeal_is_not_merged_into_itself_or_into_a_finished_one(world):
    a = submit(world)
    b = bring_to(world, submit(world), Status.CLOSED)
    with pytest.raises(ShequError):
        services.appeal_merge(actor=world["sunli"], appeal=a, into=a)
    with pytest.raises(ShequError):
        services.appeal_merge(actor=world["sunli"], appeal=a, into=b)
    a.refresh_from_db()
    assert a.status == Status.SUBMITTED and a.merged_into is None


# --- rating (好差评) and reopen (重办) -------------------------------------------------------------------------------
@pytest.mark.parametrize("rating", [2, 1], ids=["dissatisfied", "very_dissatisfied"])
def test_a_bad_rating_reopens_the_appeal_with_a_rectification_deadline(
    world, clock, rating, django_capture_on_commit_callbacks
):
    Category.objects.filter(pk=world.sanitation.pk).update(rectify_days=3, contact_hours=12)
    appeal = bring_to(world, submit(world), Status.REPLIED)
    clock.advance(hours=5)
    with django_capture_on_commit_callbacks(execute=True):
        appeal = services.appeal_evaluate(actor=world["zhangwei"], appeal=appeal, rating=rating)
    appeal.refresh_from_db()
    assert appeal.status == Status.DISPATCHED and appeal.reopen_count == 1
    assert appeal.resolved is False and appeal.rating == rating
    assert appeal.reply_due == add_working_time(clock.now, days=3)
    assert appeal.contact_due == clock.now + timedelta(hours=12)  # the category's contact time, again
    assert appeal.lead_unit == world.lina_unit
    assert Assignment.objects.filter(appeal=appeal, active=True, role=AssignmentRole.LEAD).count() == 1
    reopen = appeal.events.order_by("-id").first()
    assert reopen.action == "reopen" and reopen.actor is None and reopen.data["rectify_days"] == 3
    assert event_actions(appeal)[-2:] == ["evaluate", "reopen"]
    assert audit_actions(appeal)[-2:] == ["appeal.evaluate", "appeal.reopen"]
    assert OutboxMessage.objects.filter(purpose="appeal.reopened").count() == 1
    # The unit handles it again along the same path.
    appeal = services.appeal_sign_for(actor=world["lina"], appeal=appeal)
    assert appeal.status == Status.SIGNED_FOR


@pytest.mark.parametrize("rating", [2, 5], ids=["reopen", "close"])
def test_a_rating_whose_reopen_or_close_fails_is_not_kept_either(world, monkeypatch, rating):
    """Rating and its consequence are one transaction: a failure in the second leaves the appeal as it was."""
    appeal = bring_to(world, submit(world), Status.REPLIED)
    events, entries = appeal.events.count(), AuditEntry.objects.count()

    def broken(*args, **kwargs):
        raise RuntimeError("the database went away")

    monkeypatch.setattr(services, "_reopen" if rating == 2 else "appeal_close", broken)
    with pytest.raises(RuntimeError):
        services.appeal_evaluate(actor=world["zhangwei"], appeal=appeal, rating=rating)
    appeal.refresh_from_db()
    assert appeal.status == Status.REPLIED and appeal.rating is None and appeal.rated_at is None
    assert appeal.events.count() == events and AuditEntry.objects.count() == entries


@pytest.mark.parametrize("rating", [5, 4, 3])
def test_a_satisfied_rating_closes_the_appeal(world, rating):
    appeal = bring_to(world, submit(world), Status.REPLIED)
    services.appeal_evaluate(actor=world["zhangwei"], appeal=appeal, rating=rating)
    appeal.refresh_from_db()
    assert appeal.status == Status.CLOSED and appeal.closed_at is not None and appeal.reopen_count == 0


def test_a_rating_outside_one_to_five_is_refused(world):
    appeal = bring_to(world, submit(world), Status.REPLIED)
    with pytest.raises(ShequError) as exc:
        services.appeal_evaluate(actor=world["zhangwei"], appeal=appeal, rating=6)
    assert "rating" in exc.value.fields


def test_only_the_requester_or_the_dispatcher_rates(world):
    appeal = bring_to(world, submit(world), Status.REPLIED)
    with pytest.raises(PermissionDenied):
        services.appeal_evaluate(actor=world["lina"], appeal=appeal, rating=5)
    services.appeal_evaluate(actor=world["sunli"], appeal=appeal, rating=4)
    assert appeal.events.get(action="evaluate").data["on_behalf"] is True


def test_the_dispatcher_reopens_a_closed_appeal_with_a_reason(world, clock):
    appeal = bring_to(world, submit(world), Status.CLOSED)
    with pytest.raises(ShequError):
        services.appeal_reopen(actor=world["sunli"], appeal=appeal, reason="")
    clock.advance(days=1)
    appeal = services.appeal_reopen(actor=world["sunli"], appeal=appeal, reason="回访发现问题反弹")
    assert appeal.status == Status.DISPATCHED and appeal.reopen_count == 1 and appeal.closed_at is None
    assert appeal.reply_due == services.reply_deadline(appeal, clock.now)


def test_a_rating_dispute_is_decided_only_after_the_unit_raised_it(world):
    appeal = bring_to(world, submit(world), Status.REPLIED)
    appeal = services.appeal_evaluate(actor=world["zhangwei"], appeal=appeal, rating=1)
    with pytest.raises(ShequError) as exc:
        services.appeal_decide_rating_dispute(actor=world["sunli"], appeal=appeal, uphold=True)
    assert exc.value.code == "invalid_state"
    appeal.refresh_from_db()
    assert appeal.rating == 1  # a dispatcher cannot void a rating nobody disputed

    services.appeal_dispute_rating(
        actor=world["lina"], appeal=appeal, reason="居民反映的是另一处垃圾点，非本诉求"
    )
    appeal = services.appeal_decide_rating_dispute(actor=world["sunli"], appeal=appeal, uphold=True)
    assert appeal.rating is None and appeal.events.order_by("-id").first().data["voided_rating"] == 1
    with pytest.raises(ShequError):  # decided once
        services.appeal_decide_rating_dispute(actor=world["sunli"], appeal=appeal, uphold=False)


# --- reject (不予受理) ---------------------------------------------------------------------------------------------
def test_an_invalid_appeal_is_rejected_with_a_reason_and_kept(world):
    appeal = submit(world, text="测试测试测试测试")
    with pytest.raises(ShequError):
        services.appeal_reject(actor=world["sunli"], appeal=appeal, reason="")
    services.appeal_reject(actor=world["sunli"], appeal=appeal, reason="无实际诉求内容")
    appeal = Appeal.objects.get(pk=appeal.pk)  # never deleted
    assert appeal.status == Status.REJECTED and appeal.closed_at is not None
    assert appeal.events.get(action="reject").note == "无实际诉求内容"
    assert audit_actions(appeal)[-1] == "appeal.reject"


# --- refusals: the wrong person (403, audited) and the wrong state (409, audited) ------------------------------------
@pytest.mark.parametrize(
    ("status", "username", "action", "kwargs"),
    [
        (Status.SUBMITTED, "zhangwei", "dispatch", {"unit": "440304-CG"}),
        (Status.SUBMITTED, "lina", "reject", {"reason": "居民自己可以解决"}),
        (Status.SUBMITTED, "chenjing", "dispatch", {"unit": "440304-CG"}),
        (Status.DISPATCHED, "liuyang", "sign_for", {}),
        (Status.DISPATCHED, "zhouyu", "reassign", {"unit": "440304-CG"}),
        (Status.SIGNED_FOR, "sunli", "start", {}),
        (Status.IN_PROGRESS, "zhangwei", "reply", {"text": "我自己答复自己的诉求"}),
        (Status.IN_PROGRESS, "lina", "supervise", {"comment": "社区自己督办自己"}),
        (Status.IN_PROGRESS, "wangqiang", "request_extension", {"days": 2, "reason": "跨区申请延期"}),
        (Status.REPLIED, "lina", "close", {}),
        (Status.REPLIED, "zhaomin", "evaluate", {"rating": 5}),
        (Status.CLOSED, "lina", "reopen", {"reason": "社区想重办一下"}),
        (Status.CLOSED, "zhangwei", "reopen", {"reason": "我还是不满意"}),
    ],
)
def test_a_role_that_may_not_act_is_refused_and_the_refusal_is_audited(
    world, status, username, action, kwargs
):
    appeal = submit(world)
    if status != Status.SUBMITTED:
        appeal = bring_to(world, appeal, status)
    if "unit" in kwargs:
        kwargs = {**kwargs, "unit": world.cg}
    before = (appeal.status, appeal.events.count())
    with pytest.raises(PermissionDenied):
        services.ACTION_SERVICES[action](actor=world[username], appeal=appeal, **kwargs)
    appeal.refresh_from_db()
    assert (appeal.status, appeal.events.count()) == before
    entry = (
        AuditEntry.objects.filter(action="appeal.refused", object_id=str(appeal.pk)).order_by("-seq").first()
    )
    assert entry is not None and entry.actor_username == username
    assert entry.changes["action"]["after"] == action and entry.changes["reason"]["after"] == "role"


@pytest.mark.parametrize(
    ("status", "username", "action", "kwargs"),
    [
        (Status.SUBMITTED, "lina", "sign_for", {}),
        (Status.DISPATCHED, "lina", "reply", {"text": "还没签收就答复了"}),
        (Status.SIGNED_FOR, "sunli", "dispatch", {"unit": "440304-CG"}),
        (Status.IN_PROGRESS, "zhangwei", "evaluate", {"rating": 5}),
        (Status.REPLIED, "sunli", "reject", {"reason": "已经答复了不能驳回"}),
        (Status.CLOSED, "sunli", "merge", {}),
        (Status.CLOSED, "chenjing", "supervise", {"comment": "办结了还督办"}),
    ],
)
def test_an_action_in_the_wrong_state_is_409_invalid_state_and_audited(
    world, status, username, action, kwargs
):
    appeal = submit(world)
    if status != Status.SUBMITTED:
        appeal = bring_to(world, appeal, status)
    if action == "merge":
        kwargs = {"into": submit(world)}
    with pytest.raises(ShequError) as exc:
        services.ACTION_SERVICES[action](actor=world[username], appeal=appeal, **kwargs)
    assert exc.value.status == 409 and exc.value.code == "invalid_state"
    appeal.refresh_from_db()
    assert appeal.status == status
    assert refused(appeal)[-1] == {
        "action": {"after": action},
        "reason": {"after": "state"},
        "status": {"after": status},
    }


@pytest.mark.parametrize("action", ["return", "request_extension", "merge", "dispute_rating"])
def test_the_role_is_checked_before_the_rules_of_the_action(world, clock, action):
    """Whatever else would be wrong, someone who may not take the action is told so (403) and it is audited."""
    appeal = bring_to(
        world, submit(world), Status.IN_PROGRESS if action == "request_extension" else Status.SIGNED_FOR
    )
    if action == "request_extension":
        services.appeal_request_extension(
            actor=world["lina"], appeal=appeal, days=2, reason="需要协调物业公司"
        )
    clock.advance(days=2)  # past the return window, too
    kwargs = {
        "return": {"reason": "不是我们的事"},
        "request_extension": {"days": 2, "reason": "再申请一次"},
        "merge": {"into": bring_to(world, submit(world), Status.CLOSED)},
        "dispute_rating": {"reason": "这条诉求根本没有差评可以申诉"},
    }[action]
    with pytest.raises(PermissionDenied):
        services.ACTION_SERVICES[action](actor=world["wangqiang"], appeal=appeal, **kwargs)
    assert refused(appeal)[-1]["reason"]["after"] == "role"


def test_a_refusal_never_writes_a_timeline_event(world):
    appeal = submit(world)
    with pytest.raises(PermissionDenied):
        services.appeal_dispatch(actor=world["lina"], appeal=appeal, unit=world.lina_unit)
    assert list(Event.objects.filter(appeal=appeal).values_list("action", flat=True)) == ["submit"]


# --- categorize (分类) and re-send on a new category ---------------------------------------------------------------
def _rule(category: str, area, unit) -> None:
    from datetime import date

    from shequ.appeals.models import ResponsibilityRule

    ResponsibilityRule.objects.create(
        category=Category.objects.get(code=category),
        area=area,
        lead_unit=unit,
        effective_from=date(2020, 1, 1),
    )


def test_the_dispatcher_sets_a_category_and_the_event_records_the_change(world):
    appeal = submit(world, category=None)
    appeal = services.appeal_categorize(
        actor=world["sunli"], appeal=appeal, category="noise", note="噪音扰民"
    )
    assert appeal.category.code == "noise" and appeal.status == Status.SUBMITTED
    event = appeal.events.get(action="categorize")
    assert event.data == {"category": "noise", "before": ""} and event.actor == world["sunli"]
    assert "appeal.categorize" in audit_actions(appeal)


def test_a_new_category_with_a_rule_sends_a_waiting_appeal_to_the_rule_unit(world):
    _rule("noise", world.huafu_community.parent, world.huafu_office)
    appeal = submit(world, category=None)
    appeal = services.appeal_categorize(actor=world["sunli"], appeal=appeal, category="noise", resend=True)
    assert appeal.status == Status.DISPATCHED and appeal.lead_unit == world.huafu_office
    assert event_actions(appeal) == ["submit", "categorize", "dispatch"]


def test_a_new_category_reassigns_a_dispatched_appeal_and_keeps_its_deadline(world):
    _rule("noise", world.huafu_community.parent, world.huafu_office)
    appeal = submit(world)
    appeal = services.appeal_dispatch(actor=world["sunli"], appeal=appeal, unit=world.lina_unit.code)
    due = appeal.reply_due
    appeal = services.appeal_categorize(actor=world["sunli"], appeal=appeal, category="noise", resend=True)
    assert appeal.lead_unit == world.huafu_office and appeal.status == Status.DISPATCHED
    assert appeal.reply_due == due
    assert event_actions(appeal)[-2:] == ["categorize", "reassign"]
    assert list(Assignment.objects.filter(appeal=appeal, active=True).values_list("unit", flat=True)) == [
        world.huafu_office.pk
    ]


def test_without_resend_a_new_category_moves_nothing(world):
    _rule("noise", world.huafu_community.parent, world.huafu_office)
    appeal = submit(world, category=None)
    appeal = services.appeal_categorize(actor=world["sunli"], appeal=appeal, category="noise")
    assert appeal.status == Status.SUBMITTED and appeal.lead_unit is None


def test_categorize_refuses_an_unknown_or_unchanged_category_and_a_resident(world):
    appeal = submit(world)
    with pytest.raises(ShequError) as unknown:
        services.appeal_categorize(actor=world["sunli"], appeal=appeal, category="no-such-thing")
    assert unknown.value.fields == {"category": "no-such-thing"}
    with pytest.raises(ShequError) as same:
        services.appeal_categorize(actor=world["sunli"], appeal=appeal, category="sanitation")
    assert same.value.code == "unchanged"
    with pytest.raises(PermissionDenied):
        services.appeal_categorize(actor=world["zhangwei"], appeal=appeal, category="noise")
    appeal.refresh_from_db()
    assert appeal.category.code == "sanitation" and "categorize" not in event_actions(appeal)
