"""Hypothesis drives random sequences of actions, by random members of the cast, on a few appeals, through the real
services, and checks the workflow's invariants after every step (DESIGN.md §8).

Invariants
    * at most one active lead Assignment per appeal; exactly one, for the lead unit, while it is being handled,
      and none at all while it waits for dispatch or has been merged;
    * the appeal's status is the to_status of its latest Event, and the timeline is a chain of moves that
      workflow.TRANSITIONS allows (plus "submit" first, and the scan's "warn"/"escalate", which change nothing);
    * every timeline event of an action is matched by one audit entry "appeal.<action>";
    * reply_due moves only for a reason: the first dispatch sets it; it moves later only through an approved
      extension, by exactly what the extension event records; it moves earlier only through a reopen; every
      re-dispatch (改派, 派单 after a return, the default unit after repeated returns) keeps the clock;
    * an action succeeds only if TRANSITIONS allows it for the actor's relations to the appeal
      (services.actor_relations); a refusal for the role is a PermissionDenied, a refusal for the state a 409
      "invalid_state", and both are audited as "appeal.refused";
    * an overdue appeal is under supervision.
"""

from __future__ import annotations

from datetime import datetime
from itertools import pairwise

import pytest
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule, run_state_machine_as_test

from shequ.appeals import services
from shequ.appeals.choices import AssignmentRole, Status
from shequ.appeals.models import Appeal, Assignment, Event
from shequ.appeals.workflow import ACTIONS, HANDLING, TRANSITIONS, allowed
from shequ.audit.models import AuditEntry
from shequ.core.errors import ShequError

from . import fixtures
from .fixtures import LEAD_OF, START, Clock, World, bring_to, submit

# The shared fixtures, bound by assignment rather than imported by name: test parameters of the same name would
# otherwise read as redefinitions of an unused import (ruff F811). `clock` is autouse: time is fixed and moved.
clock = fixtures.clock
world = fixtures.world

PEOPLE = ["zhangwei", "lina", "wangqiang", "liuyang", "sunli", "chenjing", "zhouyu"]
STARTS = [Status.SUBMITTED, Status.DISPATCHED, Status.SIGNED_FOR, Status.IN_PROGRESS, Status.REPLIED]
# The happy path and its loops: a rule that prefers these reaches the later states within a few steps.
FORWARD = {"dispatch", "sign_for", "start", "reply", "evaluate", "close", "reopen", "request_extension"}
NO_STATUS_CHANGE = {"warn", "escalate"}
# Refusals a service makes after the table allowed the action: the action's own business rules (a return after
# the window or after the default unit was decided, a second pending extension, no dispute to decide, a merge
# into a finished appeal).
BUSINESS_CODES = {"return_window_passed", "invalid_state", "duplicate", "bad_request", "unchanged"}


def parse(iso: str) -> datetime:
    return datetime.fromisoformat(iso)


def refusals() -> int:
    return AuditEntry.objects.filter(action="appeal.refused").count()


class AppealMachine(RuleBasedStateMachine):
    world: World
    clock: Clock
    created: list[int]

    @initialize(
        starts=st.lists(st.sampled_from(STARTS), min_size=3, max_size=3),
        leads=st.lists(st.sampled_from(sorted(LEAD_OF)), min_size=3, max_size=3),
    )
    def fresh_appeals(self, starts, leads):
        """Three new appeals each example, walked by the real services to a random starting point."""
        self.clock.set(START)
        w = self.world
        appeals = [
            submit(w),  # zhangwei's, in 华富街道
            submit(w, by="sunli", channel="hotline", area=w.yuehai_community, text="粤海街道路边垃圾堆积"),
            submit(w, text="楼道里煤气泄漏了，味道很浓"),  # an emergency, with a dispatch deadline
        ]
        self.created.extend(a.pk for a in appeals)
        appeals = [
            a if status == Status.SUBMITTED else bring_to(w, a, status, lead=lead)
            for a, status, lead in zip(appeals, starts, leads, strict=True)
        ]
        self.pks = [a.pk for a in appeals]
        self.due = {a.pk: a.reply_due for a in appeals}
        self.seen = {a.pk: a.events.count() for a in appeals}  # events already checked against reply_due

    # --- steps ---------------------------------------------------------------------------------------------------
    def _params(self, data, action: str, appeal: Appeal) -> dict:
        """Valid parameters: the machine tests the workflow, not the validation of input."""
        w = self.world
        units = [w.lina_unit, w.cg, w.yuehai_office, w.huafu_office]
        if action in ("dispatch", "reassign"):
            lead = data.draw(st.sampled_from(units), label="unit")
            co = data.draw(st.lists(st.sampled_from(units), max_size=2, unique=True), label="co_units")
            return {"unit": lead, "co_units": co}
        if action == "categorize":
            category = data.draw(st.sampled_from(["sanitation", "road_damage", "noise"]), label="category")
            return {"category": category, "resend": data.draw(st.booleans(), label="resend")}
        if action == "merge":
            into = data.draw(st.sampled_from([pk for pk in self.pks if pk != appeal.pk]), label="into")
            return {"into": Appeal.objects.get(pk=into)}
        draw = {
            "request_extension": lambda: {
                "days": data.draw(st.integers(1, 5), label="days"),
                "reason": "需要协调",
            },
            "decide_extension": lambda: {"approve": data.draw(st.booleans(), label="approve")},
            "evaluate": lambda: {"rating": data.draw(st.integers(1, 5), label="rating")},
            "decide_rating_dispute": lambda: {"uphold": data.draw(st.booleans(), label="uphold")},
        }
        if action in draw:
            return draw[action]()
        return {
            "co_reply": {"note": "协办单位已现场核实"},
            "reply": {"text": "已处理完毕，感谢您的反映"},
            "return": {"reason": "不属于本单位职责"},
            "reopen": {"reason": "回访发现问题反弹"},
            "reject": {"reason": "无实际诉求内容"},
            "supervise": {"comment": "请抓紧办理"},
            "dispute_rating": {"reason": "评价与诉求内容无关，属于恶意差评"},
            "raise_emergency": {"reason": "回访确认有人受伤"},
            "lower_emergency": {"reason": "回访确认不紧急"},
        }.get(action, {"note": "处理记录"})

    def _take(self, data, appeal: Appeal, username: str, action: str) -> None:
        user = self.world[username]
        relations = services.actor_relations(user, appeal)
        t = TRANSITIONS[action]
        expected = allowed(action, appeal.status, relations)
        kwargs = self._params(data, action, appeal)
        before = refusals()
        try:
            services.ACTION_SERVICES[action](actor=user, appeal=appeal, **kwargs)
        except PermissionDenied:
            assert appeal.status in t.sources and not (t.who & relations), (action, username, relations)
            assert refusals() == before + 1
            return
        except ShequError as exc:
            if expected:
                assert exc.code in BUSINESS_CODES, (action, exc.code, exc.message)
            else:
                # Refused for the state (a refusal for the role is the PermissionDenied above), and audited.
                assert appeal.status not in t.sources, (action, username, appeal.status, exc.code)
                assert (exc.status, exc.code) == (409, "invalid_state"), (action, exc.code, exc.message)
                assert refusals() == before + 1
            return
        assert expected, f"{username} ({sorted(relations)}) took {action!r} on a {appeal.status} appeal"

    def _allowed_step(self, data, index: int, only: set[str] | None) -> None:
        appeal = Appeal.objects.select_related("area").get(pk=self.pks[index])
        options = []
        for username in PEOPLE:
            relations = services.actor_relations(self.world[username], appeal)
            options += [
                (username, a)
                for a in ACTIONS
                if (only is None or a in only) and allowed(a, appeal.status, relations)
            ]
        if options:
            username, action = data.draw(st.sampled_from(options), label="allowed step")
            self._take(data, appeal, username, action)

    @rule(data=st.data(), index=st.integers(0, 2))
    def someone_who_may_act_acts(self, data, index):
        self._allowed_step(data, index, None)

    @rule(data=st.data(), index=st.integers(0, 2))
    def the_work_moves_on(self, data, index):
        self._allowed_step(data, index, FORWARD)

    @rule(
        data=st.data(),
        index=st.integers(0, 2),
        username=st.sampled_from(PEOPLE),
        action=st.sampled_from(ACTIONS),
    )
    def anyone_tries_anything(self, data, index, username, action):
        self._take(data, Appeal.objects.select_related("area").get(pk=self.pks[index]), username, action)

    @rule(hours=st.sampled_from([0.25, 3, 20, 30, 96]))
    def time_passes(self, hours):
        self.clock.advance(hours=hours)

    @rule()
    def the_minute_scan_runs(self):
        services.appeal_scan_deadlines(now=self.clock.now)

    # --- invariants ----------------------------------------------------------------------------------------------
    @invariant()
    def the_workflow_invariants_hold(self):
        for appeal in Appeal.objects.filter(pk__in=self.pks):
            events = list(appeal.events.order_by("at", "id"))
            self.one_active_lead_at_most(appeal)
            self.the_timeline_is_a_chain_of_allowed_moves(appeal, events)
            self.every_action_is_audited(appeal, events)
            self.the_reply_deadline_moves_only_for_a_reason(appeal, events)
            assert appeal.overdue_at is None or appeal.supervised

    def one_active_lead_at_most(self, appeal: Appeal) -> None:
        active = list(Assignment.objects.filter(appeal=appeal, active=True).values_list("role", "unit_id"))
        leads = [unit for role, unit in active if role == AssignmentRole.LEAD]
        assert len(leads) <= 1, active
        if appeal.status in HANDLING:
            assert leads == [appeal.lead_unit_id], (appeal.status, active, appeal.lead_unit_id)
        if appeal.status in (Status.SUBMITTED, Status.MERGED):
            assert active == [], (appeal.status, active)

    def the_timeline_is_a_chain_of_allowed_moves(self, appeal: Appeal, events: list[Event]) -> None:
        first = events[0]
        assert (first.action, first.from_status, first.to_status) == ("submit", "", Status.SUBMITTED)
        assert appeal.status == events[-1].to_status
        for before, event in pairwise(events):
            assert event.from_status == before.to_status, (before.action, event.action)
            if event.action in NO_STATUS_CHANGE:
                assert event.to_status == event.from_status
                continue
            t = TRANSITIONS[event.action]
            assert event.from_status in t.sources, (event.action, event.from_status)
            assert event.to_status == (t.target or event.from_status), (event.action, event.to_status)

    def every_action_is_audited(self, appeal: Appeal, events: list[Event]) -> None:
        timeline: dict[str, int] = {}
        for e in events:
            if e.action != "warn":  # a warning is a note on the timeline, not an action
                timeline[f"appeal.{e.action}"] = timeline.get(f"appeal.{e.action}", 0) + 1
        audited = dict(
            AuditEntry.objects.filter(object_type="appeals.appeal", object_id=str(appeal.pk))
            .exclude(action="appeal.refused")
            .values_list("action")
            .annotate(n=Count("id"))
            .order_by()
        )
        assert timeline == audited

    def the_reply_deadline_moves_only_for_a_reason(self, appeal: Appeal, events: list[Event]) -> None:
        old, new = self.due[appeal.pk], appeal.reply_due
        recent = events[self.seen[appeal.pk] :]
        self.seen[appeal.pk], self.due[appeal.pk] = len(events), new
        if new == old:
            return
        actions = [e.action for e in recent]
        assert new is not None, actions
        if "reopen" in actions:
            return  # a reopen sets a new deadline: the rectification window or a fresh reply window
        if old is None:
            assert {"dispatch", "reassign"} & set(actions), actions  # the first dispatch starts the clock
            return
        approved = [e.data for e in recent if e.action == "decide_extension" and e.data.get("approved")]
        assert new > old and approved, (old, new, actions)
        assert parse(approved[0]["old_due"]) == old and parse(approved[-1]["new_due"]) == new


@pytest.mark.django_db
def test_random_actions_by_the_cast_keep_the_workflow_invariants(world, clock):
    AppealMachine.world, AppealMachine.clock, AppealMachine.created = world, clock, []
    try:
        run_state_machine_as_test(
            AppealMachine,
            settings=settings(
                max_examples=25,
                stateful_step_count=15,
                deadline=None,
                database=None,  # nothing written outside the test database
                suppress_health_check=[HealthCheck.too_slow],
            ),
        )
    finally:
        # The examples share the test's transaction: remove their appeals. The audit trail is append-only and
        # keeps its entries, which roll back with the test.
        created = Appeal.objects.filter(pk__in=AppealMachine.created)
        created.update(merged_into=None)
        created.delete()
