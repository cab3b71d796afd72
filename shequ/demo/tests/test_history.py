"""The living year (shequ/demo/history.py): what the bulk path writes is what the services write.

Lives of every story are generated, then the same steps are driven through the real services with the clock fixed
at each generated event's time (the minute scan run at the generated warn/escalate times); the appeal, its
timeline, assignments and extensions must come out the same. Then a bulk seeding at small N: proportions, timelines
and the rollups equal to a rebuild from the timeline.
"""

from __future__ import annotations

import random
from collections import Counter
from datetime import timedelta
from unittest import mock

import pytest
from django.utils import timezone

from shequ.accounts.models import User
from shequ.appeals import services
from shequ.appeals.kpis import ROLLUPS, kpi_query, kpis_rebuild
from shequ.appeals.models import Appeal, Assignment, Event, Extension
from shequ.audit.context import audit_context
from shequ.core.workdays import get_calendar
from shequ.demo.appeals import seed_rules
from shequ.demo.cast import ensure_cast
from shequ.demo.history import (
    HANDLING,
    SYNTHETIC_MARK,
    Life,
    Play,
    draw,
    ensure_handlers,
    load_world,
    phones,
    seed_history,
)
from shequ.demo.seed import cast_units, seed_demo
from shequ.geo.models import Area

pytestmark = pytest.mark.django_db

APPEAL_FIELDS = [
    f.attname
    for f in Appeal._meta.concrete_fields
    if f.attname not in ("id", "number", "contact_phone", "synthetic", "merged_into_id")
]
EVENT_FIELDS = [
    "action",
    "actor_id",
    "actor_unit_id",
    "from_status",
    "to_status",
    "note",
    "data",
    "public",
    "at",
]
ASSIGNMENT_FIELDS = ["unit_id", "role", "active", "created_at", "ended_at", "reply_text"]
# Extension.created_at is the model's default (timezone.now bound at import), which the fixed clock cannot reach.
EXTENSION_FIELDS = [
    "requested_by_id",
    "days",
    "reason",
    "status",
    "decided_by_id",
    "old_due",
    "new_due",
    "decided_at",
]
STORY_NAMES = ["normal", "late", "stuck", "return", "return_twice", "reassign", "extension", "supervised",
               "uncategorised"]  # fmt: skip


@pytest.fixture
def world():
    seed_demo(scale="small", seed=2, appeals=0)
    return ensure_cast()


def _drive(lives: list[Life], cast: dict[str, User], plain: dict[int, str]) -> dict[int, Appeal]:
    """The lives' steps through the real services, in time order, each at its event's time."""
    real: dict[int, Appeal] = {}
    users = {u.pk: u for u in User.objects.all()}
    sunli = cast["sunli"]
    steps = sorted(
        ((e["at"], n, k, life, e) for n, life in enumerate(lives) for k, e in enumerate(life.events)),
        key=lambda s: (s[0], s[1], s[2]),
    )
    ext_ids: dict[int, int] = {}
    for at, _n, _k, life, e in steps:
        action, data, note = e["action"], e["data"], e["note"]
        appeal = real.get(life.pk)
        with mock.patch("django.utils.timezone.now", return_value=at), audit_context(channel="command"):
            if action == "submit":
                a = life.a
                category = life.category.code if life.category else None
                real[life.pk] = services.appeal_submit(
                    actor=sunli,
                    data=services.IntakeData(
                        text=a["text"],
                        channel=a["channel"],
                        category=category,
                        area=Area.objects.get(pk=a["area_id"]).code,
                        contact_phone=plain.get(life.pk, ""),
                        contact_name=a["contact_name"],
                        attributes=a["attributes"] or None,
                    ),
                )
            elif (action == "dispatch" and ("rule" in data or "default_unit" in data)) or action == "reopen":
                continue  # written by the intake, the return, the bad rating
            elif action == "close" and note == "评价后办结":
                continue  # written by the rating
            elif action in ("warn", "escalate"):
                services.appeal_scan_deadlines(now=at)
            elif action == "dispatch":
                services.appeal_dispatch(actor=sunli, appeal=appeal, unit=data["unit"], note=note)
            elif action == "reassign":
                services.appeal_reassign(actor=sunli, appeal=appeal, unit=data["unit"], note=note)
            elif action in ("sign_for", "start"):
                getattr(services, f"appeal_{action}")(actor=users[e["actor_id"]], appeal=appeal)
            elif action == "contact":
                services.appeal_contact(actor=users[e["actor_id"]], appeal=appeal, note=note)
            elif action == "reply":
                services.appeal_reply(actor=users[e["actor_id"]], appeal=appeal, text=note)
            elif action == "return":
                services.appeal_return(actor=users[e["actor_id"]], appeal=appeal, reason=note)
            elif action == "request_extension":
                ext = services.appeal_request_extension(
                    actor=users[e["actor_id"]], appeal=appeal, days=data["days"], reason=note
                )
                ext_ids[data["extension"]] = ext.pk
            elif action == "decide_extension":
                services.appeal_decide_extension(actor=sunli, appeal=appeal, approve=True, note=note)
            elif action == "supervise":
                services.appeal_supervise(actor=sunli, appeal=appeal, comment=note, level=data["level"])
            elif action == "evaluate":
                services.appeal_evaluate(
                    actor=sunli, appeal=appeal, rating=data["rating"], comment=note, resolved=data["resolved"]
                )
            elif action == "close":
                services.appeal_close(actor=None, appeal=appeal, note=note)
            elif action == "merge":
                into = real[life.a["merged_into_id"]]
                services.appeal_merge(actor=sunli, appeal=appeal, into=into, note=note)
            elif action == "reject":
                services.appeal_reject(actor=sunli, appeal=appeal, reason=note)
            else:  # pragma: no cover - a new action in the generator needs its service here
                raise AssertionError(action)
    _drive.ext_ids = ext_ids  # type: ignore[attr-defined]
    return real


def _compare(life: Life, appeal: Appeal, numbers: dict[str, str], ext_ids: dict[int, int], pks: dict) -> None:
    row = Appeal.objects.filter(pk=appeal.pk).values(*APPEAL_FIELDS).get()
    assert row == {k: life.a[k] for k in APPEAL_FIELDS}
    assert pks.get(life.a["merged_into_id"]) == Appeal.objects.get(pk=appeal.pk).merged_into_id
    assert (
        appeal.number[:10] == life.a["number"][:10]
    )  # SQ + the same day; the counter is drawn where it runs
    generated = []
    for e in life.events:
        data = dict(e["data"])
        if "extension" in data:
            data["extension"] = ext_ids[data["extension"]]
        if "into" in data:
            data["into"] = numbers[data["into"]]
        generated.append({**{k: e[k] for k in EVENT_FIELDS}, "data": data})
    assert list(Event.objects.filter(appeal=appeal).order_by("at", "id").values(*EVENT_FIELDS)) == generated
    assert list(
        Assignment.objects.filter(appeal=appeal).order_by("created_at", "id").values(*ASSIGNMENT_FIELDS)
    ) == [{k: r[k] for k in ASSIGNMENT_FIELDS} for r in life.assignments]
    assert list(Extension.objects.filter(appeal=appeal).order_by("id").values(*EXTENSION_FIELDS)) == [
        {k: r[k] for k in EXTENSION_FIELDS} for r in life.extensions
    ]


def test_every_story_replays_through_the_services_to_the_same_rows(world):
    cast = world
    now = timezone.now().replace(microsecond=0)
    w = load_world(now=now, dispatcher=cast["sunli"], avoid_units=cast_units())
    rng = random.Random(11)
    play = Play(w, rng)
    pool = phones(rng, 1)
    plain = "13900000001"
    ctx = Appeal._meta.get_field("contact_phone").crypto_context  # type: ignore[attr-defined]
    from shequ.core.crypto import blind_index, encrypt

    pool = [(encrypt(plain, context=ctx), blind_index(plain, context=ctx))]
    seen: Counter[str] = Counter()
    pk = 900_000
    # Which branches a story takes depends on the hour the test runs (office hours, steps not yet due), so the
    # stories replay round after round until every action was taken: at least 3 rounds, at most 12.
    every = ("submit", "dispatch", "reassign", "return", "sign_for", "contact", "reply", "evaluate", "reopen", "close",
             "request_extension", "decide_extension", "supervise", "warn", "escalate", "merge", "reject")  # fmt: skip
    for round_ in range(12):
        if round_ >= 3 and all(seen[action] for action in every):
            break
        for story in [*STORY_NAMES, "duplicate", "bad_rating"]:
            created = now - timedelta(days=rng.uniform(0.2, 40 if round_ else 6))
            if story == "bad_rating":
                created = now - timedelta(days=rng.uniform(25, 40))
            first = draw(w, rng, created)
            while first.category is None:
                first = draw(w, rng, created)
            first.story = "normal" if story in ("duplicate", "bad_rating") else story
            if story == "bad_rating":
                first.first_rating = 2
            if story == "uncategorised":
                first.category, (first.text, first.urgency, first.reason, first.kind) = None, w.text(rng, "")
            if first.urgency == "emergency" and story in ("return", "return_twice"):
                first.story = "normal"
            lives = [play.life(first, pk=pk, number=f"{pk:06d}", phone=pool[0], ext_id=pk)]
            if story == "duplicate":
                second = draw(w, rng, created + timedelta(minutes=5))
                second.story, second.area, second.category = "duplicate", first.area, first.category
                second.text, second.urgency, second.reason = first.text, first.urgency, first.reason
                second.kind = first.kind
                lives.append(play.life(second, pk=pk + 1, number=f"{pk + 1:06d}", phone=None, ext_id=pk + 1,
                                       into=lives[0]))  # fmt: skip
            pk += 2
            real = _drive(lives, cast, {life.pk: plain for life in lives if life.a["contact_phone"]})
            numbers = {life.a["number"]: real[life.pk].number for life in lives}
            pks = {life.pk: real[life.pk].pk for life in lives}
            pks[None] = None
            for life in lives:
                _compare(life, real[life.pk], numbers, _drive.ext_ids, pks)  # type: ignore[attr-defined]
                seen.update(e["action"] for e in life.events)
                seen[life.a["status"]] += 1
            # The next lives' scans must not touch these: gone, as if they had never been.
            Appeal.objects.filter(pk__in=[a.pk for a in real.values()]).update(merged_into=None)
            Appeal.objects.filter(pk__in=[a.pk for a in real.values()]).delete()
    for action in every:
        assert seen[action], f"no story took {action}"
    assert seen["closed"] and seen["merged"]


def test_a_seeded_city_has_its_proportions_its_timelines_and_rollups_equal_to_a_rebuild():
    cast = ensure_cast()
    seed_rules(streets=list(Area.objects.filter(level="street")), lina_unit=None)
    seed_demo(scale="small", seed=4, appeals=0)
    ensure_handlers()
    now = timezone.now()
    report = seed_history(count=2000, seed=5, dispatcher=cast["sunli"], avoid_units=cast_units(), rollups="replay",
                          now=now)  # fmt: skip
    history = Appeal.objects.filter(text__endswith=SYNTHETIC_MARK)
    assert history.count() == 2000 and not history.filter(synthetic=False).exists()
    # Every district, in proportion to its population: the biggest sees more than the smallest.
    by_district = Counter(p.split("/")[2] for p in history.values_list("area__path", flat=True))
    assert len(by_district) == Area.objects.filter(level="district").count() == 11
    population = dict(Area.objects.filter(level="district").values_list("code", "population"))
    biggest, smallest = max(population, key=population.get), min(population, key=population.get)
    assert by_district[biggest] > 3 * by_district[smallest]
    statuses = report.statuses
    assert statuses["closed"] > 0.85 * 2000 and all(statuses[s] for s in ("merged", "rejected"))
    assert sum(statuses[s] for s in HANDLING) > 0
    # Timelines: in order, inside the year, handling steps on working days.
    calendar = get_calendar()
    year_ago = now - timedelta(days=366)
    replies = 0
    for appeal in history.filter(urgency="normal").prefetch_related("events")[:400]:
        times = [e.at for e in appeal.events.all()]
        assert times == sorted(times) and year_ago <= times[0] == appeal.created_at and times[-1] <= now
        for e in appeal.events.all():
            if e.action == "reply":
                replies += 1
                local = timezone.localtime(e.at)
                assert calendar.is_working_day(local.date()) and 8 <= local.hour < 18
    assert replies > 100
    # The rollups the replay wrote are exactly the rebuild's.
    before = {m: Counter(map(_row, m.objects.values())) for m in ROLLUPS}
    kpis_rebuild()
    assert {m: Counter(map(_row, m.objects.values())) for m in ROLLUPS} == before
    daily = next(iter(ROLLUPS))
    assert sum(dict(r)["received"] * n for r, n in before[daily].items()) == Appeal.objects.count()
    # What the leaders' dashboard shows over the year: a city that works, not a perfect one.
    year = kpi_query(user=cast["chenjing"], group_by="none", date_from=(now - timedelta(days=364)).date(),
                     date_to=timezone.localdate())  # fmt: skip
    rates = year.rows[0]["rates"]
    assert 0.85 <= rates["response_rate"] < 1 and 0.8 <= rates["satisfaction_rate"] < 0.98
    assert 0.75 <= rates["resolution_rate"] <= rates["satisfaction_rate"]


def _row(values: dict) -> tuple:
    return tuple(sorted((k, v) for k, v in values.items() if k != "id"))
