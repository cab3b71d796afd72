"""Writes and checks of the audit trail: record an entry, diff a change, verify the chain, purge by retention.

Call `audit_record` inside the service that makes the change, after the change, in the same transaction
(STYLE.md §3). If the change rolls back, so does its entry; if the entry cannot be written, the change rolls
back too.
"""

from __future__ import annotations

import contextlib
import contextvars
import dataclasses
import json
import random
import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ImproperlyConfigured
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, models, transaction
from django.db.models import Max, Min
from django.utils import timezone

from shequ.core.chain import GENESIS_HASH, chain_hash_of_text
from shequ.core.db import read_after_writes
from shequ.core.masking import mask

from .apps import MAX_CHAINS, MINIMUM_RETENTION_DAYS, chain_setting, retention_days
from .choices import AuditChannel
from .context import current_audit_context, normalize_ip
from .models import HASHED_FIELDS, AuditAnchor, AuditEntry
from .triggers import (
    ENTRY_TABLE,
    PG_PURGE_SETTING,
    SQLITE_ENTRY_NO_DELETE,
    sqlite_create_trigger,
    sqlite_drop_trigger,
)

if TYPE_CHECKING:
    from django.contrib.auth.base_user import AbstractBaseUser as User  # the actor: AUTH_USER_MODEL, any app
    from django.db.models import Model

# Key of the PostgreSQL advisory lock that serialises appends to the chain: the ASCII bytes of "SHEQUAUD".
AUDIT_CHAIN_LOCK_ID = 0x5348455155415544

# "resident.reveal", "grant.create", "auth.login_failed": lower-case words joined by dots.
_ACTION = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$")
_MAX_PROBLEMS = 1000


def _max_length(name: str) -> int:
    field = AuditEntry._meta.get_field(name)
    assert isinstance(field, models.CharField)
    return field.max_length or 0


# Identifiers that do not fit are a caller's bug and are refused.
_FIELD_LIMITS = {
    name: _max_length(name) for name in ("actor_username", "action", "object_type", "object_id", "request_id")
}
# Descriptive fields are shortened rather than refused: losing the tail of a label must not roll back the change.
_SHORTENED = {name: _max_length(name) for name in ("actor_role", "object_repr")}


class AuditChainBroken(Exception):
    """The chain failed verification where an operation needs it intact (the retention purge)."""

    def __init__(self, report: VerifyReport) -> None:
        super().__init__(f"audit chain broken at #{report.first_bad_seq}: {'; '.join(report.problems[:3])}")
        self.report = report


@dataclasses.dataclass
class VerifyReport:
    ok: bool
    checked: int
    first_bad_seq: int | None
    problems: list[str]
    # The newest entry of the trail. Record `heads` outside the database (a ticket, a printout) to detect later
    # truncation of the newest entries of a chain, which no hash chain can reveal on its own.
    last_seq: int | None = None
    last_hash: str = ""
    # Every chain's head, {chain: (seq, hash)}: the heads to record, one line each.
    heads: dict[int, tuple[int, str]] = dataclasses.field(default_factory=dict)


# --- writing ---------------------------------------------------------------------------------------------


def audit_record(
    *,
    action: str,
    actor: User | AnonymousUser | None = None,
    actor_role: str = "",
    actor_username: str = "",
    obj: Model | None = None,
    object_type: str = "",
    object_id: str = "",
    object_repr: str = "",
    changes: dict | None = None,
    purpose: str = "",
    ip: str | None = None,
    channel: str | None = None,
    request_id: str = "",
) -> AuditEntry:
    """Append one entry to the audit trail, in the caller's transaction.

    `obj` fills object_type ("app_label.model") and object_id; object_repr is never taken from str(obj), which
    may carry personal data: pass a masked repr, or give the model an `audit_repr()` method that returns one.
    `actor_username` names a non-user actor ("system", "os:deploy") when `actor` is None.
    ip, channel, actor_role and request_id default to the current audit context (context.py); the middleware
    has already put the client's address there, so views need not pass `ip`.

    Lock order: call this after the writes it records. It takes the chain lock, held to the end of the
    transaction; taking row locks after it invites deadlocks with transactions that lock rows first.
    """
    if not _ACTION.match(action):
        raise ValueError(f"audit action {action!r} must be dotted lower-case words, e.g. 'resident.reveal'")
    if action.endswith(".reveal") and not purpose.strip():
        raise ValueError("a reveal of personal data must be audited with its purpose")

    context = current_audit_context()
    if isinstance(actor, AnonymousUser):
        actor = None
    if actor is not None:
        actor_username = actor.get_username()
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or str(obj.pk)
        if not object_repr and callable(getattr(obj, "audit_repr", None)):
            object_repr = obj.audit_repr()  # type: ignore[attr-defined]
    channel = channel or context.channel or AuditChannel.SYSTEM
    if channel not in AuditChannel.values:
        raise ValueError(f"unknown audit channel {channel!r}")
    # Something that is not an address ("", "unknown") falls back to the request's: a label on the entry must
    # not be a reason to roll back the change it records.
    ip = normalize_ip(ip) or normalize_ip(context.ip)
    actor_role = actor_role or context.actor_role
    request_id = request_id or context.request_id

    values = {
        "actor_username": actor_username,
        "action": action,
        "object_type": object_type,
        "object_id": object_id,
        "request_id": request_id,
    }
    for name, value in values.items():
        limit = _FIELD_LIMITS[name]
        if len(value) > limit:
            raise ValueError(f"audit {name} is longer than {limit} characters: {value[:40]!r}…")
    actor_role = _shorten(actor_role, _SHORTENED["actor_role"])
    object_repr = _shorten(object_repr, _SHORTENED["object_repr"])

    entry = AuditEntry(
        actor_id=actor.pk if actor is not None else None,
        **values,
        actor_role=actor_role,
        object_repr=object_repr,
        # Stored exactly as it will read back, so the hash computed now matches the one verified later.
        changes=_jsonable(changes or {}),
        purpose=purpose,
        ip=ip,
        channel=channel,
    )
    batch = _open_batch(connection.alias)
    if batch is not None and connection.in_atomic_block:
        batch.append(entry)  # appended to the chain when the batch ends, just before its COMMIT
        return entry
    with transaction.atomic(savepoint=False):
        _append([entry])
    return entry


def chain_count() -> int:
    """How many chains new entries spread over: SHEQU_AUDIT_CHAINS on PostgreSQL; one on SQLite, whose single
    writer lock serialises every append anyway."""
    return chain_setting() if connection.vendor == "postgresql" else 1


def _append(entries: list[AuditEntry]) -> None:
    """Link the entries to the head of one chain and insert them, under that chain's lock (held to COMMIT).

    The chain is picked at random, so that concurrent transactions seldom wait on each other's lock; the entries
    of one transaction stay together, in order, in one chain. On PostgreSQL, inside a transaction, the lock, the
    head, the numbers and the inserts are one call of `audit_append` (migration 0005); in an open batch of writes
    (`db.batch.batched_writes`) it goes out with them, after them."""
    count = chain_count()
    chain = random.randrange(count) if count > 1 else 0  # noqa: S311 - spreading load, not a secret
    if connection.vendor == "postgresql" and connection.in_atomic_block:
        _append_in_database(entries, chain)
        return
    prev_hash, seqs = _locked_chain_head(chain, len(entries))
    # Taken under the lock, so `at` follows `seq` within a chain on one machine (clocks of several may differ).
    now = timezone.now()
    for entry, seq in zip(entries, seqs, strict=True):
        entry.chain, entry.seq, entry.at, entry.prev_hash = chain, seq, now, prev_hash
        entry.hash = prev_hash = entry.computed_hash()
    if len(entries) == 1:
        entries[0].save(force_insert=True)
    else:
        AuditEntry.objects.bulk_create(entries)


# The columns audit_append inserts from each entry's JSON, besides those it fills in itself: the hashed fields.
_SENT_COLUMNS = HASHED_FIELDS


class AuditChainError(RuntimeError):
    """PostgreSQL's append to the chain disagrees with this process's (a bug, or a changed function): the
    transaction fails rather than store entries that would not verify."""


def _canonical_parts(payload: dict[str, Any]) -> tuple[str, str, str]:
    """The canonical JSON of `chain_hash` (shequ.core.chain) cut into three parts around the values of "at" and "seq":
    `p0 + json(at) + p1 + json(seq) + p2` is exactly `json.dumps(payload, sort_keys=True, …)` with those values in
    (the values of `payload`'s own "at" and "seq" are ignored). Built key by key, so that no text in a value can
    move a cut."""
    parts: list[str] = []
    current = "{"
    for i, key in enumerate(sorted({*payload, "at", "seq"})):
        current += ("," if i else "") + json.dumps(key, ensure_ascii=False) + ":"
        if key in ("at", "seq"):
            parts.append(current)
            current = ""
        else:
            current += json.dumps(payload[key], sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return parts[0], parts[1], current + "}"


def _append_in_database(entries: list[AuditEntry], chain: int) -> None:
    """`audit_append`: PostgreSQL links and inserts the entries; each returned hash is checked against this
    process's own computation over the returned values (`chain_hash` (shequ.core.chain)), and a difference fails the transaction."""
    from psycopg.types.json import Jsonb

    sent = []
    for entry in entries:
        p0, p1, p2 = _canonical_parts(entry.hash_payload_without_position())
        sent.append({**{name: getattr(entry, name) for name in _SENT_COLUMNS}, "p0": p0, "p1": p1, "p2": p2})
    returned = read_after_writes(
        "SELECT r_id, r_seq, r_at, r_prev_hash, r_hash FROM audit_append(%s, %s, %s, {after})",
        [int(AUDIT_CHAIN_LOCK_ID) + int(chain), int(chain), Jsonb(sent)],
    )
    if len(returned) != len(entries):
        raise AuditChainError(f"audit_append wrote {len(returned)} entries of {len(entries)}")
    for entry, parts, (pk, seq, at, prev_hash, hash_) in zip(entries, sent, returned, strict=True):
        canonical = (
            parts["p0"] + json.dumps(at.astimezone(UTC).isoformat()) + parts["p1"] + str(seq) + parts["p2"]
        )
        if chain_hash_of_text(prev_hash, canonical) != hash_:
            raise AuditChainError(f"audit entry #{seq}: the database's hash differs from this process's")
        entry.pk, entry.chain, entry.seq, entry.at = pk, chain, seq, at
        entry.prev_hash, entry.hash = prev_hash, hash_
        entry._state.adding = False
        entry._state.db = connection.alias


# Open batches by database alias. A ContextVar keeps concurrent requests in threads (gthread) or tasks apart.
_batch_var: contextvars.ContextVar[dict[str, list[AuditEntry]] | None] = contextvars.ContextVar(
    "shequ_audit_batches", default=None
)


def _open_batch(alias: str) -> list[AuditEntry] | None:
    return (_batch_var.get() or {}).get(alias)


@contextlib.contextmanager
def audit_batch() -> Iterator[None]:
    """Defer the chain append of the block's audit entries to its end, inside the caller's transaction.

    Use it as the innermost block of the transaction that commits:

        with transaction.atomic(), audit_batch():
            ... change rows, audit_record(...) ...

    In a transaction that batches its writes (`db.batch.batched_writes`), open it inside that block: the append
    (`audit_append`: the chain's lock, its head, the entries) then ends the batch's statement, after its writes.

    Every entry is still written in the same transaction as the change it records; only a chain's lock (which
    the other audited writes that picked that chain queue on) is taken at the end, right before COMMIT, instead
    of at the first audit_record: the lock is then held for one insert and the COMMIT rather than for the rest
    of the work (bench/intake). On an exception nothing is appended: the transaction rolls back anyway. Inside a batch,
    do not catch an exception of a nested atomic block that audited something: its entries would stay in the
    batch although its changes rolled back. A batch inside a batch joins the outer one.
    """
    alias = connection.alias
    current = _batch_var.get() or {}
    if alias in current:
        yield
        return
    if not connection.in_atomic_block:
        raise RuntimeError("audit_batch() runs inside transaction.atomic()")
    entries: list[AuditEntry] = []
    token = _batch_var.set({**current, alias: entries})
    try:
        yield
    finally:
        _batch_var.reset(token)
    if entries:
        _append(entries)


def _shorten(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def diff_changes(before: dict, after: dict, *, personal: dict[str, str] | None = None) -> dict:
    """{field: {"before": x, "after": y}} for the fields whose value changed, personal ones masked.

    `personal` maps a field to its mask kind ("phone", "id_number", "name", "address"); the raw value of such a
    field never reaches the audit trail. A missing key counts as None (a created or cleared field).
    """
    personal = personal or {}
    changes: dict[str, dict[str, Any]] = {}
    for field in sorted(set(before) | set(after), key=str):
        old, new = before.get(field), after.get(field)
        if old == new:
            continue
        kind = personal.get(field)
        if kind:
            old, new = _masked(kind, old), _masked(kind, new)
        changes[str(field)] = {"before": _jsonable(old), "after": _jsonable(new)}
    return changes


def _masked(kind: str, value: Any) -> Any:
    # Emptiness is not personal data, and "was empty" / "was cleared" is worth keeping readable.
    if value is None or value == "":
        return value
    return mask(kind, value)


def _jsonable(value: Any) -> Any:
    """The value as JSON will store and return it, so the hash does not depend on the backend.

    Floats become their repr text: PostgreSQL's jsonb rewrites some (1e16 comes back as an int) and NaN is not
    JSON. Dates, Decimals and UUIDs become text as DjangoJSONEncoder writes them.
    """
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    return json.loads(json.dumps(value, cls=DjangoJSONEncoder))


def _lock_chains(chains: range | list[int]) -> None:
    """Serialise appends to these chains (and purges) until the end of the transaction.

    PostgreSQL: a transaction-level advisory lock per chain, taken before reading the chain's head, so two
    writers cannot both read entry N of a chain and both link to it. It needs READ COMMITTED (Django's default):
    under REPEATABLE READ a snapshot taken before the lock could miss the previous writer's entry and fork the
    chain. An append takes one lock, a purge takes them all (in one statement): no two transactions can wait on
    each other.
    SQLite: nothing to do. The project opens every transaction with BEGIN IMMEDIATE (settings:
    transaction_mode=IMMEDIATE), so whoever runs this already holds the database's single write lock. An
    atomic nested in an outer one inherits the outer transaction, which was IMMEDIATE as well; a DEFERRED
    outer transaction (not used here) would at worst fail with "database is locked", never fork the chain.
    On both, unique seq and unique hash are the backstop.
    """
    if not connection.in_atomic_block:
        raise RuntimeError("the audit chain lock is taken inside a transaction")
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT " + ", ".join(_lock_call(chain) for chain in chains))


def _lock_call(chain: int) -> str:
    # The id is our integer constant, written into the text: a purge locks every chain in one statement.
    return f"pg_advisory_xact_lock({int(AUDIT_CHAIN_LOCK_ID) + int(chain)})"


# On PostgreSQL the entries' seq comes from this sequence (migration 0004), taken under the chain's lock, so that
# seq increases along every chain; SQLite numbers its one chain from the head.
SEQ_SEQUENCE = "audit_auditentry_seq_seq"


def _chains(anchors: dict[int, AuditAnchor]) -> list[int]:
    """The chains that hold entries or anchors: up to the highest chain number in use (one index probe)."""
    highest = AuditEntry.objects.aggregate(chain=Max("chain"))["chain"]
    in_use = range(highest + 1) if highest is not None else range(0)
    return sorted(set(in_use) | set(anchors))


def _latest_anchor(chain: int) -> AuditAnchor | None:
    """Where an empty chain starts: its latest purge anchor, if a purge emptied it."""
    return AuditAnchor.objects.filter(chain=chain).order_by("-purged_through_seq").first()


def _latest_anchors() -> dict[int, AuditAnchor]:
    """The latest purge anchor of every chain that has one (a few rows per purge: read them all)."""
    latest: dict[int, AuditAnchor] = {}
    for anchor in AuditAnchor.objects.order_by("purged_through_seq"):
        latest[anchor.chain] = anchor
    return latest


def _locked_chain_head(chain: int, count: int) -> tuple[str, list[int]]:
    """Take the chain's lock (`_lock_chains`), then read the chain's head hash and `count` new seq numbers: the
    append of SQLite (PostgreSQL's is `audit_append`). The head of a chain without entries is its latest anchor's
    hash, so an append costs the same statements whichever chain it picks."""
    _lock_chains([chain])  # SQLite's lock is the transaction's; outside a transaction this raises
    last = AuditEntry.objects.filter(chain=chain).order_by("-seq").values_list("seq", "hash").first()
    if last is None:
        anchor = _latest_anchor(chain)
        last = (anchor.purged_through_seq, anchor.last_hash) if anchor else (0, GENESIS_HASH)
    return last[1], list(range(last[0] + 1, last[0] + 1 + count))


def verify_chain(*, batch_size: int = 5000) -> VerifyReport:
    """Recompute every hash and check the links, chain by chain in seq order, from each chain's latest purge
    anchor or from its start.

    A hash that does not match its entry is an edited entry; an entry whose prev_hash is not the hash of the
    previous entry of its chain follows a deleted entry, or was inserted or replaced; an entry at or below its
    chain's anchor was put back into the purged range. Reads in keyset pages of `batch_size`, so memory stays
    flat on a long trail.
    """
    return _verify(batch_size=batch_size)


def _verify(*, batch_size: int, through: dict[int, int] | None = None) -> VerifyReport:
    """`through`: verify only these chains, each up to and including its seq (the part a purge deletes)."""
    anchors = _latest_anchors()
    problems: list[str] = []
    bad: list[int] = []
    checked = 0
    heads: dict[int, tuple[int, str]] = {}

    def problem(seq: int, text: str) -> None:
        bad.append(seq)
        if len(problems) < _MAX_PROBLEMS:
            problems.append(text)

    # Chain by chain, each read along the (chain, seq) index in keyset pages.
    for chain in sorted(through) if through is not None else _chains(anchors):
        anchor = anchors.get(chain)
        floor = prev_seq = anchor.purged_through_seq if anchor else 0
        prev_hash = anchor.last_hash if anchor else GENESIS_HASH
        entries = AuditEntry.objects.filter(chain=chain).order_by("seq")
        if through is not None:
            entries = entries.filter(seq__lte=through[chain])
        after: int | None = None
        while True:
            batch = list((entries if after is None else entries.filter(seq__gt=after))[:batch_size])
            if not batch:
                break
            for entry in batch:
                checked += 1
                if entry.seq <= floor:
                    # Only possible below an anchor (seq is unique): a row put back into the purged range.
                    problem(
                        entry.seq,
                        f"#{entry.seq} lies in chain {chain}'s range purged through #{floor}: inserted",
                    )
                    continue
                if entry.prev_hash != prev_hash:
                    previous = f"#{prev_seq}" if prev_seq else f"the start of chain {chain}"
                    problem(
                        entry.seq,
                        f"#{entry.seq} does not link to {previous}: an entry between them was deleted, or this "
                        "one was inserted or replaced",
                    )
                if entry.computed_hash() != entry.hash:
                    problem(entry.seq, f"#{entry.seq} does not match its hash: edited")
                # Continue from the stored hash, so one edited entry is reported once, not at every later one.
                prev_seq, prev_hash = entry.seq, entry.hash
                heads[chain] = (entry.seq, entry.hash)
            after = batch[-1].seq
    if len(bad) > len(problems):
        problems.append(f"… and {len(bad) - len(problems)} more problems")
    newest = max(heads.values(), default=None)
    return VerifyReport(
        ok=not bad,
        checked=checked,
        first_bad_seq=min(bad) if bad else None,
        problems=problems,
        last_seq=newest[0] if newest else None,
        last_hash=newest[1] if newest else "",
        heads=dict(sorted(heads.items())),
    )


# --- retention -------------------------------------------------------------------------------------------


def audit_retention_cutoff(*, now: datetime | None = None) -> datetime:
    """Entries older than this have outlived SHEQU_AUDIT_RETENTION_DAYS (default 1095, three years)."""
    days = retention_days()
    if days < MINIMUM_RETENTION_DAYS:
        raise ImproperlyConfigured(f"SHEQU_AUDIT_RETENTION_DAYS must be at least {MINIMUM_RETENTION_DAYS}")
    return (now or timezone.now()) - timedelta(days=days)


def audit_purgeable_count(*, before: datetime) -> int:
    """How many entries audit_purge(before=…) would delete now (for --dry-run)."""
    through = _purge_through(before)
    return sum(AuditEntry.objects.filter(chain=chain, seq__lte=seq).count() for chain, seq in through.items())


def audit_purge(*, before: datetime, actor_username: str, reason: str) -> int:
    """Delete the entries older than `before` in one transaction, leave an anchor per chain, and audit the purge.

    Only a prefix of each chain is deleted: everything before the chain's first entry at or after `before`. An
    older entry that follows a newer one (clocks of two machines disagreeing) is kept a little longer rather than
    leaving a hole that verification would report. The part to be deleted is verified first; a broken part is
    evidence and is not purged (AuditChainBroken). Every chain is locked for the purge: no append runs meanwhile.
    """
    if not reason.strip():
        raise ValueError("a purge of the audit trail needs a reason")
    with transaction.atomic():
        _lock_chains(range(MAX_CHAINS))  # every chain any configuration may append to
        through = _purge_through(before)
        if not through:
            return 0
        report = _verify(batch_size=5000, through=through)
        if not report.ok:
            raise AuditChainBroken(report)
        previous = _latest_anchors()
        # The verified part ends, chain by chain, at the entry the anchor names: its head is that entry.
        last_hashes = {seq: digest for seq, digest in report.heads.values()}
        counts = _delete_through(through)
        # Every anchor first, then the entries that record them: an entry appended to a chain the purge emptied
        # must find that chain's new anchor as its head, whichever chain it lands on.
        anchors = [
            AuditAnchor.objects.create(
                chain=chain,
                purged_through_seq=seq,
                last_hash=last_hashes[seq],
                purged_count=counts[chain],
                actor_username=actor_username,
                reason=reason,
            )
            for chain, seq in sorted(through.items())
        ]
        for anchor in anchors:
            chain, seq = anchor.chain, anchor.purged_through_seq
            before_anchor = previous.get(chain)
            audit_record(
                action="audit.purge",
                actor_username=actor_username,
                obj=anchor,
                object_repr=str(anchor),
                changes={
                    "chain": {"before": None, "after": chain},
                    "purged_through_seq": {
                        "before": before_anchor.purged_through_seq if before_anchor else None,
                        "after": seq,
                    },
                    "purged_count": {"before": None, "after": counts[chain]},
                    "cutoff": {"before": None, "after": before.isoformat()},
                },
                purpose=reason,
            )
    return sum(counts.values())


def audit_purge_expired(*, actor_username: str = "system", now: datetime | None = None) -> int:
    """Purge what has outlived the retention setting; the daily task and the command call this."""
    days = retention_days()
    return audit_purge(
        before=audit_retention_cutoff(now=now),
        actor_username=actor_username,
        reason=f"retention period of {days} days (SHEQU_AUDIT_RETENTION_DAYS) expired",
    )


def _purge_through(before: datetime) -> dict[int, int]:
    """{chain: the last seq of the chain's prefix older than `before`}, for the chains that have one."""
    first_kept = dict(
        AuditEntry.objects.filter(at__gte=before).order_by().values_list("chain").annotate(seq=Min("seq"))
    )
    through: dict[int, int] = {}
    for chain in _chains({}):
        older = AuditEntry.objects.filter(chain=chain)
        if chain in first_kept:
            older = older.filter(seq__lt=first_kept[chain])
        last = older.aggregate(seq=Max("seq"))["seq"]
        if last is not None:
            through[chain] = last
    return through


def _delete_through(through: dict[int, int]) -> dict[int, int]:
    """Delete each chain's prefix; {chain: entries deleted}."""
    # Raw SQL: the ORM delete is closed on purpose (models.AppendOnlyQuerySet).
    sql = f"DELETE FROM {ENTRY_TABLE} WHERE chain = %s AND seq <= %s"  # noqa: S608 - constant table name
    counts: dict[int, int] = {}
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # The trigger lets a DELETE through only while this transaction-local setting is on; switch it off
            # again at once, because inside an outer transaction SET LOCAL would last until its commit.
            cursor.execute("SELECT set_config(%s, 'on', true)", [PG_PURGE_SETTING])
            for chain, seq in through.items():
                cursor.execute(sql, [chain, seq])
                counts[chain] = cursor.rowcount
            cursor.execute("SELECT set_config(%s, 'off', true)", [PG_PURGE_SETTING])
        elif connection.vendor == "sqlite":
            # SQLite has no session setting a trigger could read, so the purge drops the delete trigger and
            # re-creates it before it commits. That is safe because SQLite's DDL is transactional and we hold
            # the database's only write lock (BEGIN IMMEDIATE): no other connection can write while the
            # trigger is gone, readers keep seeing the old schema, and any failure rolls the drop back too.
            sqlite_drop_trigger(connection, SQLITE_ENTRY_NO_DELETE)
            for chain, seq in through.items():
                cursor.execute(sql, [chain, seq])
                counts[chain] = cursor.rowcount
            sqlite_create_trigger(connection, SQLITE_ENTRY_NO_DELETE)
        else:
            raise NotImplementedError(f"audit purge is not written for {connection.vendor}")
    return counts
