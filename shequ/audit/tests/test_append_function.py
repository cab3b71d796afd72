"""PostgreSQL's append to the chain (`audit_append`, migration 0005) hashes exactly what Python's `chain_hash` (shequ.core.chain) does:
the canonical JSON cut around the time and the seq, the time written as Python writes it, and a check that fails
the transaction when the two disagree."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from django.db import connection, transaction
from hypothesis import given
from hypothesis import strategies as st

from shequ.audit import services
from shequ.audit.models import AuditEntry
from shequ.audit.services import AuditChainError, _canonical_parts, audit_record, verify_chain

on_postgresql = pytest.mark.skipif(connection.vendor != "postgresql", reason="audit_append is PostgreSQL's")

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=8,
)


@given(
    payload=st.dictionaries(
        st.sampled_from(
            ["action", "actor_id", "changes", "object_repr", "purpose", "ip", "request_id", "z", "a"]
        ),
        json_values,
    ),
    at=st.datetimes(timezones=st.just(UTC)),
    seq=st.integers(min_value=1, max_value=2**62),
)
def test_the_three_parts_with_the_time_and_seq_put_in_are_the_canonical_json(payload, at, seq):
    p0, p1, p2 = _canonical_parts(payload)
    full = {**payload, "at": at.isoformat(), "seq": seq}
    canonical = json.dumps(full, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    assert p0 + json.dumps(at.isoformat()) + p1 + str(seq) + p2 == canonical


def test_a_value_that_looks_like_the_cut_does_not_move_it():
    payload = {"purpose": '","at":"x', "object_repr": '"seq":1}', "changes": {"at": 1, "seq": 2}}
    p0, p1, p2 = _canonical_parts(payload)
    assert p0 == '{"at":' and p1.endswith(',"seq":') and p2 == "}"


@on_postgresql
@pytest.mark.django_db
@pytest.mark.parametrize(
    "moment",
    [
        datetime(
            2026, 11, 29, 8, 30, tzinfo=ZoneInfo("Asia/Shanghai")
        ),  # no microseconds: isoformat leaves them out
        datetime(2026, 11, 29, 0, 15, 1, 7, tzinfo=ZoneInfo("Asia/Shanghai")),  # the day before in UTC
        datetime(2026, 12, 31, 23, 59, 59, 999999, tzinfo=UTC),
        datetime(2000, 1, 1, 0, 0, 0, 500000, tzinfo=UTC),
    ],
)
def test_postgresql_writes_the_time_as_python_does(moment):
    with connection.cursor() as cursor:
        cursor.execute("SELECT audit_time_json(%s)", [moment])
        (written,) = cursor.fetchone()
    assert written == json.dumps(moment.astimezone(UTC).isoformat())


@on_postgresql
@pytest.mark.django_db
def test_entries_appended_in_the_database_carry_their_ids_and_verify():
    with transaction.atomic(), services.audit_batch():
        first = audit_record(
            action="appeal.submit", object_type="appeals.appeal", object_id="7", purpose='引号"'
        )
        second = audit_record(action="appeal.dispatch", changes={"单位": {"before": None, "after": "福田"}})
    stored = AuditEntry.objects.order_by("seq")
    assert [(e.pk, e.seq, e.hash) for e in stored] == [
        (first.pk, first.seq, first.hash),
        (second.pk, second.seq, second.hash),
    ]
    assert first.pk is not None and second.prev_hash == first.hash and second.seq > first.seq
    assert verify_chain().ok


@on_postgresql
@pytest.mark.django_db
def test_a_hash_this_process_does_not_reproduce_fails_the_append_and_stores_nothing(monkeypatch):
    monkeypatch.setattr(services, "chain_hash_of_text", lambda prev, canonical: "0" * 64)
    with pytest.raises(AuditChainError, match="differs"), transaction.atomic():
        audit_record(action="appeal.submit")
    assert not AuditEntry.objects.exists()


@on_postgresql
@pytest.mark.django_db
def test_the_installed_append_function_is_the_generated_one():
    """The fields are defined once (models.HASHED_FIELDS); a change there without a migration that re-installs
    the function would leave the database inserting the old columns."""
    from shequ.audit.appendsql import append_function_sql

    generated = append_function_sql(connection)
    body = generated.split("$$")[1]
    with connection.cursor() as cursor:
        cursor.execute("SELECT prosrc FROM pg_proc WHERE proname = 'audit_append'")
        (installed,) = cursor.fetchone()
    assert installed == body


def test_every_hashed_field_is_in_the_hash_payload_and_the_function():
    from shequ.audit.appendsql import append_function_sql
    from shequ.audit.models import HASHED_FIELDS

    payload = AuditEntry(action="a.b", channel="web").hash_payload_without_position()
    assert tuple(payload) == HASHED_FIELDS
    sql = append_function_sql(connection)
    for name in HASHED_FIELDS:
        assert f"'{name}'" in sql
