"""Writes sent together (shequ.core.db.batch): on PostgreSQL a batch goes as one statement when its block ends or
before any other statement of the block; an exception drops it; elsewhere, and outside a batch, writes go at once."""

from __future__ import annotations

import threading
import time
from datetime import date

import psycopg
import pytest
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext

from shequ.core.db.batch import SequenceBlock, batched_writes, insert_rows, read_after_writes, write_together
from shequ.core.models import CalendarDay, IdempotencyKey

pytestmark = pytest.mark.django_db
on_postgresql = pytest.mark.skipif(connection.vendor != "postgresql", reason="batches are PostgreSQL's")


def keys(n: int, start: int = 0) -> list[IdempotencyKey]:
    return [
        IdempotencyKey(
            scope=f"user:{i}", key=f"k-{i}", fingerprint="f" * 64, response={"id": i, "note": "诉求"}
        )
        for i in range(start, start + n)
    ]


def holiday(day: date, name: str = "国庆节") -> CalendarDay:
    return CalendarDay(date=day, kind="holiday", name=name)


def writes(captured: CaptureQueriesContext) -> list[str]:
    return [q["sql"] for q in captured.captured_queries if "INSERT" in q["sql"]]


def test_outside_a_batch_rows_are_inserted_at_once_without_their_ids():
    rows = keys(3)
    with CaptureQueriesContext(connection) as captured:
        insert_rows(rows)
    assert len(writes(captured)) == 1 and "RETURNING" not in writes(captured)[0]
    stored = list(IdempotencyKey.objects.order_by("scope").values_list("scope", "response", "created_at"))
    assert [s[:2] for s in stored] == [(f"user:{i}", {"id": i, "note": "诉求"}) for i in range(3)]
    # auto_now_add filled in, as a save would; the objects count as saved, without the ids nobody asked for.
    assert all(s[2] is not None for s in stored) and rows[0].created_at == stored[0][2]
    assert all(r.pk is None and not r._state.adding for r in rows)


@on_postgresql
def test_a_batch_is_one_statement_sent_when_the_block_ends():
    with transaction.atomic(), CaptureQueriesContext(connection) as captured:
        with batched_writes():
            insert_rows(keys(2))
            insert_rows([holiday(date(2099, 10, 1))])
            write_together(
                [
                    (
                        "INSERT INTO core_calendarday (date, kind, name, source) VALUES (%s, %s, %s, %s)",
                        [date(2099, 10, 2), "holiday", "国庆节", "batch"],
                    ),
                ]
            )
            assert writes(captured) == []  # nothing sent yet
        sent = writes(captured)
    assert len(sent) == 1 and sent[0].startswith("WITH w0 AS (INSERT INTO")
    assert IdempotencyKey.objects.count() == 2
    assert sorted(CalendarDay.objects.filter(date__year=2099).values_list("date", "source")) == [
        (date(2099, 10, 1), ""),
        (date(2099, 10, 2), "batch"),
    ]


@on_postgresql
def test_any_other_statement_of_the_block_sends_the_pending_writes_first():
    with transaction.atomic(), batched_writes():
        insert_rows(keys(2))
        with CaptureQueriesContext(connection) as captured:
            assert IdempotencyKey.objects.count() == 2  # the read sees the rows written before it
        insert_rows(keys(1, start=2))
        assert IdempotencyKey.objects.filter(scope="user:2").exists()
    sqls = [q["sql"] for q in captured.captured_queries]
    assert len(sqls) == 2 and "INSERT" in sqls[0] and sqls[1].startswith("SELECT COUNT(*)")
    assert IdempotencyKey.objects.count() == 3


@on_postgresql
def test_an_exception_in_the_block_sends_nothing_and_the_transaction_rolls_back():
    with CaptureQueriesContext(connection) as captured, pytest.raises(ValueError):
        with transaction.atomic(), batched_writes():
            insert_rows(keys(2))
            raise ValueError("the action failed")
    assert writes(captured) == [] and not IdempotencyKey.objects.exists()


@on_postgresql
def test_a_failing_write_of_the_batch_fails_the_whole_statement():
    IdempotencyKey.objects.create(scope="user:1", key="k-1", fingerprint="f" * 64)
    with pytest.raises(IntegrityError), transaction.atomic(), batched_writes():
        insert_rows([holiday(date(2099, 10, 1))])
        insert_rows(keys(2))  # user:1/k-1 is taken: unique (scope, key)
    assert not CalendarDay.objects.filter(date__year=2099).exists() and IdempotencyKey.objects.count() == 1


@on_postgresql
@pytest.mark.django_db(transaction=True)
def test_a_batch_belongs_inside_a_transaction():
    with pytest.raises(RuntimeError, match="inside transaction.atomic"), batched_writes():
        pass


@on_postgresql
def test_a_batch_inside_a_batch_joins_it():
    with transaction.atomic(), CaptureQueriesContext(connection) as captured:
        with batched_writes():
            insert_rows(keys(1))
            with batched_writes():
                insert_rows(keys(1, start=1))
            assert writes(captured) == []
    assert len(writes(captured)) == 1 and IdempotencyKey.objects.count() == 2


@on_postgresql
def test_a_read_after_writes_goes_out_with_the_pending_writes_and_counts_them():
    with transaction.atomic(), CaptureQueriesContext(connection) as captured:
        with batched_writes():
            insert_rows(keys(2))
            insert_rows([holiday(date(2099, 10, 1))])
            assert read_after_writes("SELECT {after} + %s", [100]) == [(103,)]
            assert IdempotencyKey.objects.count() == 2  # nothing pending is sent twice
        assert read_after_writes("SELECT {after} + %s", [100]) == [(100,)]  # nothing pending: {after} is 0
    sqls = [q["sql"] for q in captured.captured_queries]
    assert (
        len(sqls) == 3 and sqls[0].startswith("WITH w0 AS (INSERT INTO") and sqls[0].count("RETURNING 1") == 2
    )
    assert CalendarDay.objects.filter(date__year=2099).count() == 1


@on_postgresql
@pytest.mark.django_db(transaction=True)
def test_a_read_after_writes_runs_after_every_pending_write_has_taken_its_row_locks():
    """The order a lock is taken in is what keeps two transactions from deadlocking: the audit chain's lock is read
    after the batch's writes (services._append_in_database), so it must not be taken while a write of the batch
    still waits for a row. Another connection holds the row; the batch's read must wait without the lock."""
    day = date(2099, 10, 1)
    CalendarDay.objects.create(date=day, kind="holiday", name="国庆节")
    lock_key = 734_113  # an advisory lock of this test only
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        (batch_pid,) = cursor.fetchone()
    params = connection.get_connection_params()
    params.pop("cursor_factory", None)
    seen: dict[str, object] = {}
    holding = threading.Event()

    def other_transaction() -> None:
        with psycopg.connect(**params) as other:
            other.execute("SELECT 1 FROM core_calendarday WHERE date = %s FOR UPDATE", [day])
            holding.set()
            waited = "none"
            for _ in range(100):  # up to 10 s for the batch to block on the row
                row = other.execute(
                    "SELECT wait_event_type FROM pg_stat_activity WHERE pid = %s", [batch_pid]
                ).fetchone()
                waited = row[0] if row else "gone"
                if waited == "Lock":
                    break
                time.sleep(0.1)
            seen["waited"] = waited
            seen["advisory_held"] = other.execute(
                "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND pid = %s AND objid = %s",
                [batch_pid, lock_key],
            ).fetchone()[0]
            other.commit()  # lets the batch go on

    thread = threading.Thread(target=other_transaction)
    thread.start()
    assert holding.wait(10)
    with transaction.atomic(), batched_writes():
        write_together([("UPDATE core_calendarday SET name = %s WHERE date = %s", ["国庆", day])])
        # As audit_append does: the lock is taken by a call that {after} is an argument of.
        rows = read_after_writes("SELECT pg_advisory_xact_lock(%s + 0 * {after}), {after}", [lock_key])
    thread.join(10)
    assert seen == {"waited": "Lock", "advisory_held": 0}  # it waited on the row, without the advisory lock
    assert rows == [("", 1)] and CalendarDay.objects.get(date=day).name == "国庆"


@pytest.mark.skipif(connection.vendor == "postgresql", reason="the embedded default's behaviour")
def test_without_postgresql_a_batch_writes_at_once():
    with transaction.atomic(), batched_writes():
        insert_rows(keys(2))
        with CaptureQueriesContext(connection) as captured:
            write_together(
                [
                    (
                        "INSERT INTO core_calendarday (date, kind, name, source) VALUES (%s, %s, %s, %s)",
                        [date(2099, 10, 2), "holiday", "国庆节", ""],
                    ),
                    (
                        "INSERT INTO core_calendarday (date, kind, name, source) VALUES (%s, %s, %s, %s)",
                        [date(2099, 10, 3), "holiday", "国庆节", ""],
                    ),
                ]
            )
        assert len(writes(captured)) == 2 and IdempotencyKey.objects.count() == 2
    assert CalendarDay.objects.filter(date__year=2099).count() == 2


# --- ids drawn ahead of the INSERT (SequenceBlock) ---------------------------------------------------------------
NUMBERS = "appeals_appeal_number_seq"  # a named sequence (PostgreSQL), a SequenceCounter row (SQLite)


@on_postgresql
def test_a_sequence_block_draws_size_values_in_one_query_and_hands_each_out_once():
    block = SequenceBlock(ids_of=IdempotencyKey, sequences=[NUMBERS], size=4)
    with CaptureQueriesContext(connection) as captured:
        taken = [block.take() for _ in range(9)]
    assert len(captured.captured_queries) == 3  # 4 + 4 + 1 of the third block
    assert len({row[0] for row in taken}) == 9 and len({row[1] for row in taken}) == 9  # each handed out once
    assert taken == sorted(taken)  # within a process, handed out in the order drawn


@on_postgresql
def test_a_forked_process_does_not_use_its_parents_block(monkeypatch):
    import os

    block = SequenceBlock(ids_of=IdempotencyKey, size=10)
    parent = block.take()
    pid = os.getpid()
    monkeypatch.setattr(os, "getpid", lambda: pid + 1)  # what a gunicorn worker forked from the master sees
    with CaptureQueriesContext(connection) as captured:
        child = block.take()
    # A block of its own, past the parent's.
    assert len(captured.captured_queries) == 1 and child[0] > parent[0] + 9
    monkeypatch.setattr(os, "getpid", lambda: pid)
    assert block.take() == (parent[0] + 1,)


def test_rows_with_ids_drawn_ahead_go_in_the_batch_with_those_ids():
    """On both databases: the ids drawn are the table's own, and a row inserted later the usual way follows them."""
    block = SequenceBlock(ids_of=IdempotencyKey, size=3)
    rows = keys(3)
    with transaction.atomic(), CaptureQueriesContext(connection) as captured:
        for row in rows:
            (row.pk,) = block.take()
        with batched_writes():
            insert_rows(rows)
            insert_rows([holiday(date(2099, 10, 2))])
    if connection.vendor == "postgresql":
        assert len(writes(captured)) == 1
    assert sorted(IdempotencyKey.objects.values_list("pk", "scope")) == [(r.pk, r.scope) for r in rows]
    # A row inserted afterwards the usual way takes an id after the block's.
    later = IdempotencyKey.objects.create(scope="user:9", key="k-9", fingerprint="f" * 64, response={})
    assert later.pk > rows[-1].pk


def test_insert_rows_takes_ids_for_all_rows_or_for_none():
    rows = keys(2)
    rows[0].pk = 10**9
    with pytest.raises(ValueError, match="every row"):
        insert_rows(rows)


def test_on_sqlite_values_are_drawn_in_the_transaction_and_given_back_by_a_rollback():
    if connection.vendor != "sqlite":
        pytest.skip("PostgreSQL's nextval is not rolled back: gaps, as with any sequence")
    block = SequenceBlock(ids_of=IdempotencyKey, sequences=[NUMBERS])
    with transaction.atomic():
        first = block.take()
        assert block.take() == (first[0] + 1, first[1] + 1)
    try:
        with transaction.atomic():
            assert block.take() == (first[0] + 2, first[1] + 2)
            raise RuntimeError("roll back")
    except RuntimeError:
        pass
    assert block.take() == (first[0] + 2, first[1] + 2)


def test_on_sqlite_the_first_id_drawn_follows_the_rows_already_there():
    if connection.vendor != "sqlite":
        pytest.skip("the id sequence of PostgreSQL")
    existing = IdempotencyKey.objects.create(scope="user:1", key="k", fingerprint="f" * 64, response={})
    with connection.cursor() as cursor:  # as if the table had never had its counter row
        cursor.execute("DELETE FROM sqlite_sequence WHERE name = 'core_idempotencykey'")
    (drawn,) = SequenceBlock(ids_of=IdempotencyKey).take()
    assert drawn == existing.pk + 1
