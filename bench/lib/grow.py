"""Grow the appeal history fast: synthetic appeals and their timeline events, COPYed straight into PostgreSQL
(`shequ.core.db.bulk.load_rows`). For a demo or a city with whole lives (assignments, ratings, rollups) that equal
what the services write, see `manage.py seed_demo --scale city --appeals N` (shequ/demo/history.py).

Not through HTTP and not through the services: this is history, not the traffic under test. Each appeal gets a
created_at spread over the last `days` days (busier on weekdays and in office hours), a real area of the pack
(communities mostly, some streets and districts), a category, a channel, an urgency, a lead unit of its district
where the demo seed has one, a status that depends on its age (old appeals are mostly closed), the timestamps and
deadlines that status implies, a rating when it was rated, an encrypted synthetic phone with its blind index, and
`synthetic=True`. Events, with the data the KPI replay reads (kpis._Timeline): submit, dispatch (unit code),
sign_for, contact (first, on_time), escalate (reply_due, when late), reply (on_time, handling_seconds),
evaluate (rating, resolved), close, reject, as the status implies.

Not written: audit entries (a hash chain; forging 200,000 links would test nothing) and KPI rollups (the KPI
script rebuilds them with the project's own command). Columns the bench does not know get the model's default,
so a new column with a default does not break the grower.

Needs Django set up on the bench database (benchenv.setup_django_here).
"""

from __future__ import annotations

import bisect
import json
import random
import time
from datetime import datetime, timedelta

from django.db import connection, transaction
from django.utils import timezone

from . import payloads

STATUS_BY_AGE = [
    # (max age in days, [(status, weight), ...])
    (
        7,
        [
            ("submitted", 8),
            ("dispatched", 30),
            ("signed_for", 20),
            ("in_progress", 22),
            ("replied", 12),
            ("closed", 8),
        ],
    ),
    (
        30,
        [
            ("submitted", 1),
            ("dispatched", 6),
            ("signed_for", 6),
            ("in_progress", 15),
            ("replied", 17),
            ("closed", 50),
            ("rejected", 3),
            ("merged", 2),
        ],
    ),
    (
        10**6,
        [
            ("dispatched", 1),
            ("in_progress", 3),
            ("replied", 3),
            ("evaluated", 2),
            ("closed", 84),
            ("rejected", 4),
            ("merged", 3),
        ],
    ),
]
CHANNELS = [("portal", 40), ("hotline", 38), ("grid", 10), ("proactive", 5), ("api", 4), ("open311", 3)]
URGENCIES = [("normal", 85), ("utilities", 7), ("complex", 6), ("emergency", 2)]
RATINGS = [(5, 55), (4, 25), (3, 10), (2, 6), (1, 4)]
REPLY_DAYS = {"emergency": 0.1, "utilities": 1, "normal": 7, "complex": 15}
HANDLED = ("signed_for", "in_progress", "replied", "evaluated", "closed")


class _Choice:
    def __init__(self, pairs):
        self.values = [v for v, _ in pairs]
        acc, self.cum = 0.0, []
        for _, w in pairs:
            acc += w
            self.cum.append(acc)

    def __call__(self, rng: random.Random):
        return self.values[bisect.bisect(self.cum, rng.random() * self.cum[-1])]


def _prepared_defaults(model, skip: set[str]) -> tuple[list[str], dict[str, object]]:
    """All concrete columns of the model, and the prepared default of each column the grower does not set."""
    columns, defaults = [], {}
    for f in model._meta.concrete_fields:
        columns.append(f.column)
        if f.column not in skip:
            defaults[f.column] = f.get_db_prep_save(f.get_default(), connection)
    return columns, defaults


def _created_at(rng: random.Random, now: datetime, days: int) -> datetime:
    """A moment in the last `days` days: weekdays twice as busy as weekends, office hours busiest."""
    while True:
        ts = now - timedelta(seconds=rng.random() * days * 86400)
        local = timezone.localtime(ts)
        w = (1.0 if local.weekday() < 5 else 0.5) * (1.0 if 8 <= local.hour < 20 else 0.25)
        if rng.random() < w:
            return ts


def grow_appeals(target_total: int, *, seed: int = 7, days: int = 365, chunk: int = 50_000) -> dict:
    """Insert synthetic appeals until the table holds target_total rows; returns what was done."""
    from shequ.accounts.models import Unit
    from shequ.appeals.models import Appeal, Category, Event
    from shequ.core.crypto import blind_index, encrypt
    from shequ.core.db import bulk
    from shequ.core.idnumbers import normalize_phone
    from shequ.geo.models import Area

    t0 = time.perf_counter()
    have = Appeal.objects.count()
    todo = target_total - have
    if todo <= 0:
        return {"inserted": 0, "seconds": 0.0, "total": have}
    rng = random.Random(seed * 1_000_003 + have)
    now = timezone.now()

    areas = list(
        Area.objects.filter(level__in=["community", "street", "district"]).values_list("id", "path", "level")
    )
    by_level: dict[str, list[tuple[int, str]]] = {}
    for pk, path, level in areas:
        by_level.setdefault(level, []).append((pk, path))
    comm = by_level.get("community", [])
    comm_w = [1.0 / (1 + i) ** 0.6 for i in range(len(comm))]
    random.Random(seed).shuffle(comm_w)
    comm_cum, acc = [], 0.0
    for w in comm_w:
        acc += w
        comm_cum.append(acc)
    level_pick = _Choice([("community", 85), ("street", 10), ("district", 5)])

    units = list(Unit.objects.filter(is_active=True).values_list("id", "code", "area__path"))
    units_by_district: dict[str, list[tuple[int, str]]] = {}
    for pk, code, path in units:
        parts = [p for p in (path or "").split("/") if p]
        if len(parts) >= 2:
            units_by_district.setdefault(parts[1], []).append((pk, code))
    all_units = [(pk, code) for pk, code, _ in units]

    cats = list(Category.objects.filter(parent__isnull=False, is_active=True).values_list("id", "code"))
    cat_w = [1.0 / (1 + i) ** 0.8 for i in range(len(cats))]
    random.Random(seed + 1).shuffle(cat_w)
    cat_cum, acc = [], 0.0
    for w in cat_w:
        acc += w
        cat_cum.append(acc)
    problems = [p for _, p, _ in payloads.PROBLEMS]
    channel, urgency, rating = _Choice(CHANNELS), _Choice(URGENCIES), _Choice(RATINGS)
    status_pick = [(age, _Choice(pairs)) for age, pairs in STATUS_BY_AGE]
    phone_field = Appeal._meta.get_field("contact_phone")
    ctx = phone_field.crypto_context  # type: ignore[attr-defined]

    set_cols = {
        "id", "number", "text", "status", "channel", "urgency", "contact_phone", "contact_phone_hash",
        "area_id", "category_id", "lead_unit_id", "created_at", "dispatched_at", "signed_at", "contacted_at",
        "replied_at", "rated_at", "closed_at", "contact_due", "reply_due", "warned_at", "overdue_at",
        "rating", "resolved", "location_precision", "synthetic", "reply_text",
    }  # fmt: skip
    a_cols, a_defaults = _prepared_defaults(Appeal, set_cols)
    e_set = {"id", "appeal_id", "action", "from_status", "to_status", "at", "data", "actor_unit_id", "public"}
    e_cols, e_defaults = _prepared_defaults(Event, e_set)

    with connection.cursor() as c:
        # Past every id the sequence has handed out: a running server's workers hold blocks of appeal ids drawn
        # ahead of use (appeals.services._APPEAL_IDS), which the grown rows must not take.
        c.execute(
            "SELECT greatest(coalesce(max(id), 0), (SELECT last_value FROM appeals_appeal_id_seq)) FROM appeals_appeal"
        )
        next_id = c.fetchone()[0] + 1
        c.execute("SELECT coalesce(max(id), 0) FROM appeals_event")
        next_ev = c.fetchone()[0] + 1

    inserted = events = 0
    while inserted < todo:
        n = min(chunk, todo - inserted)
        a_rows, e_rows = [], []
        for _ in range(n):
            pk = next_id
            next_id += 1
            created = _created_at(rng, now, days)
            age = (now - created).days
            status = next(pick for max_age, pick in status_pick if age < max_age)(rng)
            level = level_pick(rng)
            if level == "community" and comm:
                area_id, path = comm[bisect.bisect(comm_cum, rng.random() * comm_cum[-1])]
            else:
                area_id, path = rng.choice(by_level.get(level) or comm)
            parts = [p for p in path.split("/") if p]
            district = parts[1] if len(parts) > 1 else ""
            cat_id, _cat_code = (
                cats[bisect.bisect(cat_cum, rng.random() * cat_cum[-1])] if cats else (None, "")
            )
            urg = urgency(rng)
            ph = payloads.phone(rng)
            v: dict = {
                "id": pk,
                "number": f"SY{timezone.localtime(created):%Y%m%d}{pk:09d}",
                "text": payloads.text(rng, rng.choice(problems)),
                "status": status,
                "channel": channel(rng),
                "urgency": urg,
                "contact_phone": encrypt(normalize_phone(ph), context=ctx) if ph else "",
                "contact_phone_hash": blind_index(normalize_phone(ph), context=ctx) if ph else "",
                "area_id": area_id,
                "category_id": cat_id,
                "lead_unit_id": None,
                "created_at": created,
                "dispatched_at": None,
                "signed_at": None,
                "contacted_at": None,
                "replied_at": None,
                "rated_at": None,
                "closed_at": None,
                "contact_due": None,
                "reply_due": None,
                "warned_at": None,
                "overdue_at": None,
                "rating": None,
                "resolved": None,
                "location_precision": "area",
                "synthetic": True,
                "reply_text": "",
            }
            ev = [(created, "submit", "", "submitted", None, {"channel": v["channel"], "urgency": urg})]
            if status not in ("submitted", "rejected"):
                unit_id, unit_code = rng.choice(units_by_district.get(district) or all_units or [(None, "")])
                dispatched = min(now, created + timedelta(minutes=rng.uniform(3, 240)))
                v["lead_unit_id"], v["dispatched_at"] = unit_id, dispatched
                v["contact_due"] = dispatched + timedelta(hours=24)
                v["reply_due"] = dispatched + timedelta(days=REPLY_DAYS[urg])
                ev.append((dispatched, "dispatch", "submitted", "dispatched", unit_id, {"unit": unit_code}))
                last, last_status = dispatched, "dispatched"
                if status in HANDLED or status == "merged":
                    last = v["signed_at"] = min(now, last + timedelta(hours=rng.uniform(0.2, 20)))
                    ev.append((last, "sign_for", last_status, "signed_for", unit_id, {}))
                    last_status = "signed_for"
                    if rng.random() < 0.8:  # most units call the requester before they reply
                        contacted = min(now, last + timedelta(hours=rng.uniform(0.2, 30)))
                        v["contacted_at"] = contacted
                        on_time = contacted <= v["contact_due"]
                        ev.append((contacted, "contact", last_status, last_status, unit_id,
                                   {"first": True, "on_time": on_time}))  # fmt: skip
                if status in ("replied", "evaluated", "closed"):
                    late = rng.random() < 0.12
                    span = v["reply_due"] - dispatched
                    replied = min(
                        now, dispatched + span * (rng.uniform(1.0, 1.8) if late else rng.uniform(0.1, 0.95))
                    )
                    last = v["replied_at"] = max(replied, v["contacted_at"] or replied)
                    v["contacted_at"] = v["contacted_at"] or last
                    v["reply_text"] = "已安排人员现场处理，问题已解决。"
                    if late and v["reply_due"] < last:
                        v["overdue_at"] = v["reply_due"]
                        ev.append((v["reply_due"], "escalate", last_status, last_status, None,
                                   {"reply_due": v["reply_due"].isoformat()}))  # fmt: skip
                    ev.append((last, "reply", last_status, "replied", unit_id,
                               {"on_time": last <= v["reply_due"],
                                "handling_seconds": int((last - dispatched).total_seconds())}))  # fmt: skip
                    last_status = "replied"
                elif status in HANDLED and now > v["reply_due"]:
                    v["overdue_at"] = v["reply_due"]
                    ev.append((v["reply_due"], "escalate", last_status, last_status, None,
                               {"reply_due": v["reply_due"].isoformat()}))  # fmt: skip
                if status in ("evaluated", "closed") and rng.random() < 0.7:
                    r = rating(rng)
                    v["rating"], v["resolved"] = r, r >= 4
                    v["rated_at"] = min(now, last + timedelta(hours=rng.uniform(1, 48)))
                    ev.append((v["rated_at"], "evaluate", last_status, "evaluated", None,
                               {"rating": r, "resolved": r >= 4, "on_behalf": False}))  # fmt: skip
                    last_status = "evaluated"
                if status == "closed":
                    v["closed_at"] = min(now, (v["rated_at"] or last) + timedelta(hours=rng.uniform(0.1, 24)))
                    ev.append((v["closed_at"], "close", last_status, "closed", None, {}))
            elif status == "rejected":
                v["closed_at"] = min(now, created + timedelta(hours=rng.uniform(1, 48)))
                ev.append((v["closed_at"], "reject", "submitted", "rejected", None, {}))
            a_rows.append(tuple(v[c] if c in v else a_defaults[c] for c in a_cols))
            for at, action, frm, to, unit_id, data in ev:
                e = {
                    "id": next_ev,
                    "appeal_id": pk,
                    "action": action,
                    "from_status": frm,
                    "to_status": to,
                    "at": at,
                    "data": json.dumps(data, ensure_ascii=False),
                    "actor_unit_id": unit_id,
                    "public": action != "sign_for",
                }
                next_ev += 1
                e_rows.append(tuple(e[c] if c in e else e_defaults[c] for c in e_cols))
        with transaction.atomic():
            # The project's one bulk path (COPY on PostgreSQL), which shequ/demo/history.py uses too.
            bulk.load_rows(Appeal, a_cols, a_rows)
            bulk.load_rows(Event, e_cols, e_rows)
        inserted += n
        events += len(e_rows)
    with connection.cursor() as c:
        for table in ("appeals_appeal", "appeals_event"):
            # Never backwards: ids drawn but not yet used (a worker's block) stay behind the sequence.
            c.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), greatest((SELECT max(id) FROM {table}), "
                f"(SELECT last_value FROM {table}_id_seq)))"
            )
            c.execute(f"ANALYZE {table}")
    return {
        "inserted": inserted,
        "events": events,
        "seconds": round(time.perf_counter() - t0, 1),
        "total": have + inserted,
    }
