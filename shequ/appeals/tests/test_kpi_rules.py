"""The KPI counting rules are written once (shequ/appeals/kpis/rules.py) and both writers use them: the live writes,
which read the state before an event from the appeal row, and the rebuild, which works it out from the timeline.
For any history the two decide the same deltas and leave the same rollup rows (docs/kpis.md, "Repair")."""

from __future__ import annotations

import ast
from collections import defaultdict
from datetime import date, datetime
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, rule, run_state_machine_as_test

from shequ.appeals import kpis, services
from shequ.appeals.choices import Status
from shequ.appeals.kpis import COUNTERS, kpis_rebuild, live, rebuild, rules
from shequ.appeals.kpis.rules import Delta
from shequ.appeals.models import Appeal, KpiAreaDaily, KpiAreaMonthly, KpiDaily, KpiMonthly
from shequ.appeals.workflow import ACTIONS, allowed
from shequ.core.errors import ShequError

from . import fixtures
from .fixtures import LEAD_OF, SHANGHAI, START, Clock, World, bring_to, submit

# The shared fixtures, bound by assignment rather than imported by name (ruff F811); `clock` is autouse.
clock = fixtures.clock
world = fixtures.world

pytestmark = pytest.mark.django_db

MON = date(2026, 3, 2)
REPLY = "已安排保洁人员清理，并增加清运频次。"


def rows_now() -> set[tuple]:
    """Every rollup row of every level, as comparable tuples (level, key and counters)."""
    key = ["unit_id", "area_id", "area_path", "category_id", *COUNTERS]
    return (
        {("day", *r) for r in KpiDaily.objects.values_list("day", *key)}
        | {("month", *r) for r in KpiMonthly.objects.values_list("month", *key)}
        | {("area day", *r) for r in KpiAreaDaily.objects.values_list("day", *key[1:])}
        | {("area month", *r) for r in KpiAreaMonthly.objects.values_list("month", *key[1:])}
    )


def comparable(deltas: list[Delta]) -> list[tuple]:
    return [(key, tuple(sorted(counts.items()))) for key, counts in deltas]


def replayed(appeal: Appeal) -> list[Delta]:
    """The deltas the rebuild's replay decides for one appeal's whole timeline, in order."""
    events = list(appeal.events.order_by("at", "id"))
    replay = rebuild.Replay.of(appeal, events)
    return [delta for event in events for delta in replay.step(event)]


class Spy:
    """What the rules decided and what each writer wrote, captured around the real code."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.decided: list[Delta] = []  # every delta rules.deltas returned, to either writer
        self.written: list[Delta] = []  # what the live writes added to the rollups
        self.accumulated: list[Delta] = []  # what the rebuild added up
        # The live deltas with the appeal they were taken for (an intake's has no id until the end of its block).
        self.live_taken: list[tuple[Appeal, list[Delta]]] = []
        deltas, add, accumulate, changes = rules.deltas, live._add, rebuild._accumulate, live.changes

        def spy_deltas(*args, **kwargs):
            out = deltas(*args, **kwargs)
            self.decided += out
            return out

        def spy_add(key, counts):
            self.written.append((key, counts))
            add(key, counts)

        def spy_accumulate(totals, key, counts):
            self.accumulated.append((key, counts))
            accumulate(totals, key, counts)

        def spy_changes(appeal, action, **kwargs):
            out = changes(appeal, action, **kwargs)
            self.live_taken.append((appeal, out))
            return out

        monkeypatch.setattr(rules, "deltas", spy_deltas)
        monkeypatch.setattr(live, "_add", spy_add)
        monkeypatch.setattr(rebuild, "_accumulate", spy_accumulate)
        monkeypatch.setattr(live, "changes", spy_changes)

    def live_by_appeal(self) -> dict[int, list[Delta]]:
        out: dict[int, list[Delta]] = defaultdict(list)
        for appeal, deltas in self.live_taken:
            out[appeal.pk] += deltas
        return out

    def clear(self) -> None:
        self.decided.clear()
        self.written.clear()
        self.accumulated.clear()
        self.live_taken.clear()


def made_by_the_rules(taken: list[Delta], decided: list[Delta]) -> bool:
    """Every delta taken is one the rules returned: the very objects, not equal ones made elsewhere."""
    return {(id(k), id(c)) for k, c in taken} <= {(id(k), id(c)) for k, c in decided}


# --- one implementation -------------------------------------------------------------------------------------------
def test_live_writes_and_the_rebuild_write_exactly_the_deltas_the_rules_decide(world, clock, monkeypatch):
    """A history with every counted action (returns and the default unit, a reassignment before anyone called, a
    late reply that is the first contact, a reopen, an upheld rating dispute, a late emergency, the overdue scan):
    each writer writes exactly what the rules returned to it, and the two write the same deltas."""
    spy = Spy(monkeypatch)
    sunli, lina, liuyang, zhangwei = world["sunli"], world["lina"], world["liuyang"], world["zhangwei"]
    b1 = services.appeal_dispatch(actor=sunli, appeal=submit(world), unit=world.cg)
    b1 = services.appeal_return(actor=liuyang, appeal=b1, reason="属社区工作站职责")
    b1 = services.appeal_dispatch(actor=sunli, appeal=b1, unit=world.lina_unit)
    services.appeal_return(actor=lina, appeal=b1, reason="属街道办事处职责")  # the default unit takes it
    b2 = services.appeal_dispatch(actor=sunli, appeal=submit(world), unit=world.lina_unit)
    clock.set(datetime(2026, 3, 2, 16, tzinfo=SHANGHAI))
    b2 = services.appeal_reassign(actor=sunli, appeal=b2, unit=world.cg, note="属城管职责")
    b2 = services.appeal_start(actor=liuyang, appeal=services.appeal_sign_for(actor=liuyang, appeal=b2))
    clock.set(datetime(2026, 3, 3, 11, tzinfo=SHANGHAI))
    b2 = services.appeal_reply(actor=liuyang, appeal=b2, text=REPLY)
    b2 = services.appeal_evaluate(actor=zhangwei, appeal=b2, rating=3)
    b2 = services.appeal_reopen(actor=sunli, appeal=b2, reason="回访发现问题反复")
    b2 = services.appeal_start(actor=liuyang, appeal=services.appeal_sign_for(actor=liuyang, appeal=b2))
    b2 = services.appeal_contact(actor=liuyang, appeal=b2, note="再次联系")
    b2 = services.appeal_reply(actor=liuyang, appeal=b2, text=REPLY)
    b2 = services.appeal_evaluate(actor=zhangwei, appeal=b2, rating=1)
    b2 = services.appeal_dispute_rating(
        actor=liuyang, appeal=b2, reason="诉求人评价的是另一件事，与本工单无关"
    )
    services.appeal_decide_rating_dispute(actor=sunli, appeal=b2, uphold=True)
    b3 = submit(world, text="小区地下车库有积水，需要尽快处理", urgency="emergency")
    clock.set(datetime(2026, 3, 3, 11, 30, tzinfo=SHANGHAI))
    services.appeal_dispatch(actor=sunli, appeal=b3, unit=world.lina_unit)
    clock.set(datetime(2026, 3, 5, 11, 30, tzinfo=SHANGHAI))
    assert services.appeal_scan_deadlines()["overdue"] >= 1
    services.appeal_reject(actor=sunli, appeal=submit(world), reason="属咨询，已直接答复")

    # Live: every delta written is one the rules returned (the voided rating's included, which the live write
    # takes from a replay of the appeal's timeline).
    assert spy.written and made_by_the_rules(spy.written, spy.decided)
    assert any(n < 0 for _, counts in spy.written for n in counts.values())
    # Per appeal, in order, the live deltas are the replay's.
    for pk, deltas in spy.live_by_appeal().items():
        assert comparable(deltas) == comparable(replayed(Appeal.objects.get(pk=pk))), pk
    live_deltas = sorted(comparable(spy.written), key=repr)

    # The rebuild: what it added up is what the rules decided, and the same deltas as the live writes.
    spy.decided.clear()
    kpis_rebuild()
    assert made_by_the_rules(spy.accumulated, spy.decided)
    assert comparable(spy.accumulated) == comparable(spy.decided)  # nothing decided was left out
    assert sorted(comparable(spy.accumulated), key=repr) == live_deltas


def test_only_the_rules_module_names_a_counter_or_a_threshold():
    """The writers move counters only by the names the rules hand them: no counter name, rating or time limit is
    spelled out in live.py or rebuild.py."""
    decided_elsewhere = set(COUNTERS) | {"SATISFIED_RATINGS", "EMERGENCY_DISPATCH_MINUTES", "Urgency"}
    package = Path(kpis.__file__).parent
    for name in ("live.py", "rebuild.py"):
        tree = ast.parse((package / name).read_text(encoding="utf-8"))
        named = {node.value for node in ast.walk(tree) if isinstance(node, ast.Constant)}
        named |= {node.id for node in ast.walk(tree) if isinstance(node, ast.Name)}
        named |= {node.attr for node in ast.walk(tree) if isinstance(node, ast.Attribute)}
        named |= {
            alias.name for node in ast.walk(tree) if isinstance(node, ast.ImportFrom) for alias in node.names
        }
        assert not named & decided_elsewhere, (name, named & decided_elsewhere)


def test_a_redispatch_after_a_return_keeps_the_contact_deadline_in_the_rebuild_too(world, clock):
    """appeal_dispatch after a return keeps the first dispatch's deadlines; the replay used to start them again,
    so a rebuild counted a late first response (the reply) as on time."""
    sunli, lina = world["sunli"], world["lina"]
    a = services.appeal_dispatch(actor=sunli, appeal=submit(world), unit=world.cg)
    clock.advance(hours=20)
    a = services.appeal_return(actor=world["liuyang"], appeal=a, reason="属社区工作站职责")
    a = services.appeal_dispatch(actor=sunli, appeal=a, unit=world.lina_unit)
    a = services.appeal_start(actor=lina, appeal=services.appeal_sign_for(actor=lina, appeal=a))
    clock.advance(hours=10)  # 30 h after the first dispatch, 10 h after the second
    services.appeal_reply(actor=lina, appeal=a, text=REPLY)
    assert KpiAreaDaily.objects.filter(responded=1, responded_on_time=0).exists()
    live_rows = rows_now()
    kpis_rebuild()
    assert rows_now() == live_rows


def test_a_category_change_counts_later_events_under_the_new_category_live_and_rebuilt(world):
    """Each event counts under the category the appeal had when it happened, in the live writes and in the
    rebuild alike: a correction (分类) moves what comes after it, not what was already counted."""
    a = submit(world)  # sanitation, under 城市管理
    a = services.appeal_categorize(actor=world["sunli"], appeal=a, category="parking")  # under 交通出行
    services.appeal_dispatch(actor=world["sunli"], appeal=a, unit=world.cg)
    live_rows = rows_now()
    kpis_rebuild()
    assert rows_now() == live_rows


# --- random histories ---------------------------------------------------------------------------------------------
PEOPLE = ["zhangwei", "lina", "liuyang", "wangqiang", "sunli"]
STARTS = [Status.SUBMITTED, Status.DISPATCHED, Status.IN_PROGRESS, Status.REPLIED]
# The moves that count or lead to one: a rule that prefers these reaches rated, disputed and reopened appeals
# within a few steps (merge, reject and supervision are only in the other rule's choice).
COUNTED_MOVES = frozenset(
    {
        "dispatch",
        "reassign",
        "return",
        "sign_for",
        "start",
        "contact",
        "reply",
        "evaluate",
        "dispute_rating",
        "decide_rating_dispute",
        "reopen",
        "close",
    }
)
TEXTS = {
    "reply": {"text": REPLY},
    "return": {"reason": "不属于本单位职责"},
    "reopen": {"reason": "回访发现问题反弹"},
    "reject": {"reason": "无实际诉求内容"},
    "supervise": {"comment": "请抓紧办理"},
    "dispute_rating": {"reason": "评价与诉求内容无关，属于恶意差评"},
    "co_reply": {"note": "协办单位已现场核实"},
    "request_extension": {"days": 2, "reason": "需要协调"},
    "raise_emergency": {"reason": "回访确认有人受伤"},
    "lower_emergency": {"reason": "回访确认不紧急"},
}


class Histories(RuleBasedStateMachine):
    """Random workflow histories of two appeals (one an emergency), brought to random starting points and moved on
    by whoever may act, through the real services, with time passing and the minute scan running; at the end of
    each, the live rollups must be the rebuild's, and each appeal's live deltas the replay's."""

    world: World
    clock: Clock
    spy: Spy
    LEFT_OUT: frozenset[str] = frozenset()

    @initialize(
        starts=st.lists(st.sampled_from(STARTS), min_size=2, max_size=2),
        leads=st.lists(st.sampled_from(sorted(LEAD_OF)), min_size=2, max_size=2),
    )
    def two_new_appeals(self, starts, leads):
        Appeal.objects.update(merged_into=None)
        Appeal.objects.all().delete()
        for model in kpis.ROLLUPS:
            model.objects.all().delete()
        self.spy.clear()
        self.clock.set(START)
        w = self.world
        appeals = [submit(w), submit(w, text="楼道里煤气泄漏了，味道很浓")]  # the second an emergency
        self.pks = [
            (a if status == Status.SUBMITTED else bring_to(w, a, status, lead=lead)).pk
            for a, status, lead in zip(appeals, starts, leads, strict=True)
        ]

    def _params(self, data, action: str, appeal: Appeal) -> dict:
        w = self.world
        if action in ("dispatch", "reassign"):
            return {"unit": data.draw(st.sampled_from([w.lina_unit, w.cg, w.yuehai_office]), label="unit")}
        if action == "categorize":
            return {
                "category": data.draw(st.sampled_from(["sanitation", "noise", "parking"]), label="category")
            }
        if action == "merge":
            return {"into": Appeal.objects.get(pk=next(pk for pk in self.pks if pk != appeal.pk))}
        if action == "evaluate":
            return {
                "rating": data.draw(st.integers(1, 5), label="rating"),
                "resolved": data.draw(st.sampled_from([None, True, False]), label="resolved"),
            }
        if action == "decide_rating_dispute":
            return {"uphold": data.draw(st.booleans(), label="uphold")}
        if action == "decide_extension":
            return {"approve": data.draw(st.booleans(), label="approve")}
        return TEXTS.get(action, {"note": "处理记录"})

    def _step(self, data, index: int, only: frozenset[str] | None) -> None:
        appeal = Appeal.objects.select_related("area").get(pk=self.pks[index])
        options = [
            (username, action)
            for username in PEOPLE
            for action in ACTIONS
            if action not in self.LEFT_OUT
            and (only is None or action in only)
            and allowed(action, appeal.status, services.actor_relations(self.world[username], appeal))
        ]
        if not options:
            return
        username, action = data.draw(st.sampled_from(options), label="step")
        try:
            services.ACTION_SERVICES[action](
                actor=self.world[username], appeal=appeal, **self._params(data, action, appeal)
            )
        except (PermissionDenied, ShequError):
            pass  # refused by the action's own rules (a return after its window...): nothing counted

    @rule(data=st.data(), index=st.integers(0, 1))
    def someone_who_may_act_acts(self, data, index):
        self._step(data, index, None)

    @rule(data=st.data(), index=st.integers(0, 1))
    def the_work_moves_on(self, data, index):
        self._step(data, index, COUNTED_MOVES)

    @rule(hours=st.sampled_from([0.25, 3, 20, 30]))
    def time_passes(self, hours):
        self.clock.advance(hours=hours)

    @rule()
    def the_minute_scan_runs(self):
        services.appeal_scan_deadlines(now=self.clock.now)

    def teardown(self):
        if not getattr(self, "pks", None):
            return
        taken = self.spy.live_by_appeal()
        assert made_by_the_rules(self.spy.written, self.spy.decided)
        for pk in self.pks:
            appeal = Appeal.objects.select_related("area", "category").get(pk=pk)
            assert comparable(taken[pk]) == comparable(replayed(appeal)), pk
        live_rows = rows_now()
        kpis_rebuild()
        assert rows_now() == live_rows


def run_histories(machine: type[Histories], world, clock, monkeypatch, examples: int) -> None:
    machine.world, machine.clock, machine.spy = world, clock, Spy(monkeypatch)
    run_state_machine_as_test(
        machine,
        settings=settings(max_examples=examples, stateful_step_count=15, deadline=None, database=None),
    )


def test_for_random_histories_the_live_rollups_are_the_rebuild(world, clock, monkeypatch):
    # 20 histories in the suite; the nightly profile (conftest.py) walks 200.
    run_histories(Histories, world, clock, monkeypatch, examples=max(20, settings.default.max_examples // 5))
