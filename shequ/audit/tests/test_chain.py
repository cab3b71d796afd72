"""The hash chain: recording, masking, verification against tampering, purge by retention, concurrency."""

from __future__ import annotations

import itertools
import json
import threading
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ImproperlyConfigured
from django.db import IntegrityError, connection, connections, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from shequ.audit.context import audit_context
from shequ.audit.models import AuditAnchor, AuditEntry
from shequ.audit.services import (
    AuditChainBroken,
    audit_purge,
    audit_purge_expired,
    audit_record,
    diff_changes,
    verify_chain,
)
from shequ.core.chain import GENESIS_HASH
from shequ.core.masking import mask

from .tampering import forge, sql, triggers_off

PHONE = "13812345678"
ID_NUMBER = "440304199001011234"


def record(n: int, *, actor=None, action: str = "grant.create") -> list[AuditEntry]:
    return [
        audit_record(action=action, actor=actor, object_type="accounts.grant", object_id=str(i))
        for i in range(n)
    ]


def later_than(moment):
    """A time strictly after `moment`, waiting out a clock that has not moved on yet."""
    now = timezone.now()
    while now <= moment:
        now = timezone.now()
    return now


# --- recording ---------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_entries_chain_from_the_genesis_hash_one_after_another(zhaomin):
    entries = record(3, actor=zhaomin)
    assert [e.seq for e in entries] == [1, 2, 3]
    assert entries[0].prev_hash == GENESIS_HASH
    assert entries[1].prev_hash == entries[0].hash and entries[2].prev_hash == entries[1].hash
    stored = AuditEntry.objects.order_by("seq")
    assert all(e.hash == e.computed_hash() for e in stored)


@pytest.mark.django_db
def test_a_clean_chain_verifies():
    record(4)
    report = verify_chain()
    assert report.ok and report.checked == 4 and report.problems == [] and report.first_bad_seq is None
    assert report.last_seq == 4 and report.last_hash == AuditEntry.objects.get(seq=4).hash


@pytest.mark.django_db
def test_an_empty_trail_verifies():
    report = verify_chain()
    assert report.ok and report.checked == 0


@pytest.mark.django_db
def test_the_entry_copies_the_actors_username_and_takes_ip_channel_role_and_request_id_from_the_context(lina):
    with audit_context(
        ip="10.1.2.3", channel="api", actor_role="community_worker", request_id="req-12345678"
    ):
        entry = audit_record(action="grant.create", actor=lina)
    entry.refresh_from_db()
    assert (entry.actor_id, entry.actor_username, entry.actor_role) == (lina.pk, "lina", "community_worker")
    assert (entry.ip, entry.channel, entry.request_id) == ("10.1.2.3", "api", "req-12345678")


@pytest.mark.django_db
def test_explicit_arguments_win_over_the_context(lina):
    with audit_context(ip="10.1.2.3", channel="api", actor_role="community_worker"):
        entry = audit_record(action="grant.create", actor=lina, ip="10.9.9.9", channel="task", actor_role="x")
    assert (entry.ip, entry.channel, entry.actor_role) == ("10.9.9.9", "task", "x")


@pytest.mark.django_db
def test_without_a_context_the_channel_is_system_and_an_anonymous_user_is_no_actor():
    entry = audit_record(action="auth.login_failed", actor=AnonymousUser(), object_repr="z***i")
    assert entry.channel == "system" and entry.actor_id is None and entry.actor_username == ""


@pytest.mark.django_db
def test_an_object_gives_its_type_and_id_but_never_its_str_as_the_repr(lina):
    entry = audit_record(action="user.update", obj=lina)
    assert (entry.object_type, entry.object_id, entry.object_repr) == ("accounts.user", str(lina.pk), "")


@pytest.mark.django_db
def test_a_reveal_without_a_purpose_is_refused(zhaomin):
    with pytest.raises(ValueError, match="purpose"):
        audit_record(action="resident.reveal", actor=zhaomin, purpose="  ")
    assert audit_record(action="resident.reveal", actor=zhaomin, purpose="上门核实低保资格").purpose


@pytest.mark.django_db
@pytest.mark.parametrize(
    "action", ["Resident.Reveal", "reveal", "resident reveal", "resident.", "resident..x"]
)
def test_an_action_that_is_not_dotted_lower_case_words_is_refused(action):
    with pytest.raises(ValueError, match="dotted"):
        audit_record(action=action)


@pytest.mark.django_db
def test_an_unknown_channel_is_refused():
    with pytest.raises(ValueError, match="channel"):
        audit_record(action="grant.create", channel="fax")


@pytest.mark.django_db
def test_something_that_is_not_an_ip_falls_back_to_the_requests_address():
    with audit_context(ip="192.0.2.7"):
        assert audit_record(action="auth.login_failed", ip="unknown").ip == "192.0.2.7"
    assert audit_record(action="auth.login_failed", ip="").ip is None


@pytest.mark.django_db
def test_ipv6_addresses_are_stored_in_canonical_form_and_still_verify():
    audit_record(action="grant.create", ip="2001:DB8:0:0:0:0:0:1")
    audit_record(action="grant.create", ip="::ffff:192.0.2.1")
    assert list(AuditEntry.objects.order_by("seq").values_list("ip", flat=True)) == [
        "2001:db8::1",
        "::ffff:192.0.2.1",
    ]
    assert verify_chain().ok


@pytest.mark.django_db
def test_changes_with_dates_decimals_floats_and_chinese_text_verify_after_reading_back():
    changes = {
        "due": {"before": date(2025, 1, 2), "after": None},
        "amount": {"before": Decimal("12.50"), "after": 1e16},
        "ratio": {"before": 0.1, "after": float("nan")},
        "名称": {"before": "华富街道", "after": ["a", 1, True]},
    }
    audit_record(action="project.update", changes=changes)
    entry = AuditEntry.objects.get()
    assert entry.changes["due"]["before"] == "2025-01-02"
    assert entry.changes["amount"] == {"before": "12.50", "after": "1e+16"}
    assert entry.changes["名称"]["before"] == "华富街道"
    assert verify_chain().ok


@pytest.mark.django_db
def test_a_long_object_repr_is_shortened_not_refused():
    entry = audit_record(action="grant.create", object_repr="x" * 500)
    assert len(entry.object_repr) == 200 and entry.object_repr.endswith("…")
    assert verify_chain().ok


@pytest.mark.django_db
def test_an_entry_rolls_back_with_the_change_it_records():
    with pytest.raises(RuntimeError), transaction.atomic():
        audit_record(action="grant.create")
        raise RuntimeError("the change failed")
    assert not AuditEntry.objects.exists()
    # The chain holds no trace of it: the next entry links to the start. (On PostgreSQL its seq number, taken
    # from a sequence, is not reused: seq orders the trail, the links make it whole.)
    entry = audit_record(action="grant.create")
    assert entry.prev_hash == GENESIS_HASH and verify_chain().ok


# --- masking -----------------------------------------------------------------------------------------------


def test_diff_changes_lists_only_the_fields_that_changed():
    changes = diff_changes(
        {"status": "new", "note": "a", "gone": 1}, {"status": "dispatched", "note": "a", "added": 2}
    )
    assert changes == {
        "added": {"before": None, "after": 2},
        "gone": {"before": 1, "after": None},
        "status": {"before": "new", "after": "dispatched"},
    }


@pytest.mark.django_db
def test_diff_changes_masks_phone_and_id_number_and_the_raw_values_never_reach_the_table(lina):
    changes = diff_changes(
        {"phone": "", "id_number": ID_NUMBER, "tag": "elderly"},
        {"phone": PHONE, "id_number": "440304199202024321", "tag": "elderly_alone"},
        personal={"phone": "phone", "id_number": "id_number"},
    )
    assert changes["phone"] == {"before": "", "after": mask("phone", PHONE)}
    assert changes["id_number"]["before"] == mask("id_number", ID_NUMBER)
    assert changes["tag"] == {"before": "elderly", "after": "elderly_alone"}
    text = json.dumps(changes, ensure_ascii=False)
    assert PHONE not in text and ID_NUMBER not in text and "440304199202024321" not in text

    audit_record(action="resident.update", actor=lina, changes=changes)
    with connection.cursor() as cursor:
        cursor.execute("SELECT changes FROM audit_auditentry")
        (raw,) = cursor.fetchone()
    raw = raw if isinstance(raw, str) else json.dumps(raw, ensure_ascii=False)
    assert PHONE not in raw and ID_NUMBER not in raw


# --- tampering ---------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_verify_reports_an_entry_edited_behind_the_applications_back():
    record(5)
    with triggers_off():
        sql("UPDATE audit_auditentry SET object_repr = %s WHERE seq = 3", ["someone else"])
    report = verify_chain()
    assert not report.ok and report.first_bad_seq == 3
    assert report.problems == ["#3 does not match its hash: edited"]


@pytest.mark.django_db
def test_verify_reports_a_deleted_entry_at_the_link_it_breaks():
    record(5)
    with triggers_off():
        sql("DELETE FROM audit_auditentry WHERE seq = 3")
    report = verify_chain()
    assert not report.ok and report.first_bad_seq == 4 and report.checked == 4
    assert report.problems == [
        "#4 does not link to #2: an entry between them was deleted, or this one was inserted or replaced"
    ]


@pytest.mark.django_db
def test_verify_reports_a_forged_entry_put_in_place_of_a_deleted_one_as_a_broken_link():
    entries = record(5)
    with triggers_off():
        sql("DELETE FROM audit_auditentry WHERE seq = 3")
        # The forger links it correctly to #2 and hashes it correctly, but #4 still points at the real #3.
        forge(seq=3, prev_hash=entries[1].hash, like=entries[1])
    report = verify_chain()
    assert not report.ok and report.first_bad_seq == 4
    assert report.problems == [
        "#4 does not link to #3: an entry between them was deleted, or this one was inserted or replaced"
    ]


@pytest.mark.django_db
def test_verify_reports_a_forged_entry_appended_with_a_link_to_an_older_entry():
    entries = record(3)
    with triggers_off():
        forge(seq=4, prev_hash=entries[0].hash, like=entries[0])
    report = verify_chain()
    assert not report.ok and report.first_bad_seq == 4
    assert "#4 does not link to #3" in report.problems[0]


@pytest.mark.django_db
def test_verify_reads_in_batches_and_still_finds_a_problem_at_a_batch_boundary():
    record(7)
    assert verify_chain(batch_size=2).ok and verify_chain(batch_size=2).checked == 7
    with triggers_off():
        sql("DELETE FROM audit_auditentry WHERE seq = 5")
    report = verify_chain(batch_size=2)
    assert report.first_bad_seq == 6 and report.checked == 6


# --- retention purge ---------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_purge_deletes_old_entries_leaves_an_anchor_and_the_chain_still_verifies(zhaomin):
    old = record(3)
    cutoff = later_than(old[-1].at)
    later_than(cutoff)
    record(2)

    assert audit_purge(before=cutoff, actor_username="zhaomin", reason="test retention") == 3

    anchor = AuditAnchor.objects.get()
    assert (anchor.purged_through_seq, anchor.last_hash, anchor.purged_count) == (3, old[-1].hash, 3)
    assert list(AuditEntry.objects.order_by("seq").values_list("seq", flat=True)) == [4, 5, 6]
    report = verify_chain()
    assert report.ok and report.checked == 3


@pytest.mark.django_db
def test_the_purge_audits_itself_and_later_entries_continue_the_chain():
    record(2)
    audit_purge(before=later_than(timezone.now()), actor_username="zhaomin", reason="test retention")
    purge_entry = AuditEntry.objects.get(action="audit.purge")
    # Everything older went, so the purge's own entry links straight to the anchor.
    assert purge_entry.seq == 3 and purge_entry.prev_hash == AuditAnchor.objects.get().last_hash
    assert purge_entry.actor_username == "zhaomin" and purge_entry.purpose == "test retention"
    assert purge_entry.changes["purged_count"] == {"before": None, "after": 2}
    assert audit_record(action="grant.create").seq == 4
    assert verify_chain().ok


@pytest.mark.django_db
def test_a_second_purge_verifies_from_the_latest_anchor():
    record(2)
    audit_purge(before=later_than(timezone.now()), actor_username="system", reason="first")
    record(2)
    audit_purge(before=later_than(timezone.now()), actor_username="system", reason="second")
    assert list(AuditAnchor.objects.values_list("purged_through_seq", flat=True)) == [5, 2]
    report = verify_chain()
    assert report.ok and report.checked == 1


@pytest.mark.django_db
def test_nothing_to_purge_writes_nothing():
    first = record(1)[0]
    assert audit_purge(before=first.at, actor_username="system", reason="nothing yet") == 0
    assert not AuditAnchor.objects.exists() and AuditEntry.objects.count() == 1


@pytest.mark.django_db
def test_the_purge_refuses_to_delete_a_broken_part_of_the_chain():
    record(4)
    with triggers_off():
        sql("UPDATE audit_auditentry SET purpose = 'covered up' WHERE seq = 2")
    with pytest.raises(AuditChainBroken, match="#2"):
        audit_purge(before=later_than(timezone.now()), actor_username="system", reason="hide it")
    assert AuditEntry.objects.count() == 4 and not AuditAnchor.objects.exists()


@pytest.mark.django_db
def test_a_failed_purge_deletes_nothing_and_the_delete_trigger_is_back(monkeypatch):
    record(3)

    def fail(**kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(AuditAnchor.objects, "create", fail)
    with pytest.raises(RuntimeError, match="disk full"):
        audit_purge(before=later_than(timezone.now()), actor_username="system", reason="test")
    assert AuditEntry.objects.count() == 3
    with pytest.raises(IntegrityError), transaction.atomic():
        sql("DELETE FROM audit_auditentry WHERE seq = 1")


@pytest.mark.django_db
def test_verify_reports_an_entry_put_back_into_the_purged_range():
    entries = record(3)
    audit_purge(before=later_than(timezone.now()), actor_username="system", reason="test")
    with triggers_off():
        sql(
            "INSERT INTO audit_auditentry (seq, chain, at, actor_username, actor_role, action, object_type,"
            " object_id, object_repr, changes, purpose, channel, request_id, prev_hash, hash)"
            " VALUES (2, 0, %s, '', '', 'grant.create', '', '', '', '{}', '', 'system', '', %s, %s)",
            [entries[1].at, entries[0].hash, "f" * 64],
        )
    report = verify_chain()
    assert report.first_bad_seq == 2 and "purged through #3" in report.problems[0]


@pytest.mark.django_db
def test_purge_expired_keeps_what_is_younger_than_the_retention_period(settings):
    settings.SHEQU_AUDIT_RETENTION_DAYS = 365
    record(2)
    assert audit_purge_expired(now=timezone.now() + timedelta(days=364)) == 0
    assert audit_purge_expired(now=timezone.now() + timedelta(days=366)) == 2
    assert "365 days" in AuditAnchor.objects.get().reason


@pytest.mark.django_db
def test_a_retention_period_shorter_than_six_months_is_refused(settings):
    settings.SHEQU_AUDIT_RETENTION_DAYS = 30
    with pytest.raises(ImproperlyConfigured, match="180"):
        audit_purge_expired()


# --- concurrency -------------------------------------------------------------------------------------------


def write_at_once(users, *, entries_each: int) -> list[BaseException]:
    """Every user in a thread of its own, all starting together, appending `entries_each` entries; the errors."""
    start = threading.Barrier(len(users))
    errors: list[BaseException] = []

    def write(user) -> None:
        try:
            start.wait()
            for i in range(entries_each):
                audit_record(
                    action="appeal.dispatch", actor=user, object_type="appeals.appeal", object_id=str(i)
                )
        except BaseException as exc:
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=write, args=(user,)) for user in users]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return errors


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="the advisory lock is PostgreSQL's; SQLite serialises every writer with BEGIN IMMEDIATE",
)
def test_two_writers_at_once_leave_one_continuous_valid_chain(transactional_db):
    users = [get_user_model().objects.create_user(username=name) for name in ("lina", "sunli")]
    assert write_at_once(users, entries_each=50) == []
    assert list(AuditEntry.objects.order_by("seq").values_list("seq", flat=True)) == list(range(1, 101))
    assert AuditEntry.objects.filter(actor_username="lina").count() == 50
    report = verify_chain()
    assert report.ok and report.checked == 100


# --- batches: the chain lock taken once, at the end of the transaction --------------------------------------------


def test_a_batch_appends_its_entries_at_its_end_in_order(db):
    from shequ.audit.services import audit_batch

    record(1)
    with transaction.atomic(), audit_batch():
        first = audit_record(action="appeal.submit", object_type="appeals.appeal", object_id="7")
        second = audit_record(action="appeal.dispatch", object_type="appeals.appeal", object_id="7")
        assert first.seq is None and not AuditEntry.objects.filter(object_id="7").exists()
    assert (first.seq, second.seq) == (2, 3)
    assert second.prev_hash == first.hash and first.at == second.at
    assert list(
        AuditEntry.objects.filter(object_id="7").order_by("seq").values_list("action", flat=True)
    ) == [
        "appeal.submit",
        "appeal.dispatch",
    ]
    assert verify_chain().ok


def test_a_batch_that_fails_appends_nothing(db):
    from shequ.audit.services import audit_batch

    with pytest.raises(RuntimeError), transaction.atomic(), audit_batch():
        audit_record(action="appeal.submit", object_type="appeals.appeal", object_id="8")
        raise RuntimeError("the change failed")
    assert not AuditEntry.objects.exists()
    record(1)
    assert AuditEntry.objects.get().seq == 1 and verify_chain().ok


def test_a_batch_inside_a_batch_joins_it(db):
    from shequ.audit.services import audit_batch

    with transaction.atomic(), audit_batch():
        audit_record(action="appeal.submit", object_type="appeals.appeal", object_id="9")
        with transaction.atomic(), audit_batch():
            audit_record(action="appeal.dispatch", object_type="appeals.appeal", object_id="9")
        assert not AuditEntry.objects.exists()
    assert list(AuditEntry.objects.order_by("seq").values_list("seq", flat=True)) == [1, 2]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the chain lock is PostgreSQL's advisory lock")
def test_an_intake_takes_the_chain_lock_only_after_all_its_other_writes(db, cast):
    from shequ.appeals.services import IntakeData, appeal_submit

    statements: list[str] = []

    def spy(execute, sql_text, params, many, context):
        statements.append(sql_text)
        return execute(sql_text, params, many, context)

    with connection.execute_wrapper(spy):
        appeal_submit(
            actor=cast["zhangwei"],
            requester=cast["zhangwei"],
            data=IntakeData(text="小区门口的垃圾桶三天没人清理了", channel="portal", area="440304"),
        )
    lock = next(i for i, s in enumerate(statements) if "audit_append" in s)
    after = [s.split()[0] for s in statements[lock + 1 :]]
    # The chain's append (its lock, its head, the entries) ends the statement of the intake's other writes (the
    # events, the rollups …), as a call whose last argument counts what they wrote: PostgreSQL finishes them
    # before it takes the lock. After it the transaction commits (in a test, releases its savepoint): nothing
    # else of the transaction waits behind the lock.
    writes, call = statements[lock].split("audit_append")
    assert writes.startswith("WITH w0 AS (INSERT") and "appeals_event" in writes, statements[lock]
    assert call.startswith("(%s, %s, %s, (SELECT count(*) FROM w0)"), call
    assert after in (["COMMIT"], ["RELEASE"]), after
    assert sum("audit_append" in s for s in statements) == 1
    assert not any("FOR UPDATE" in s and "appealnumber" in s for s in statements)


# --- several chains (PostgreSQL): appends spread over chains with a lock each ---------------------------------

several_chains = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="SQLite keeps one chain: its single writer lock serialises anyway",
)


def chains_of_trail() -> dict[int, list[AuditEntry]]:
    chains: dict[int, list[AuditEntry]] = {}
    for entry in AuditEntry.objects.order_by("seq"):
        chains.setdefault(entry.chain, []).append(entry)
    return chains


@several_chains
def test_appends_spread_over_the_chains_and_each_chain_links_from_the_start(db, settings):
    settings.SHEQU_AUDIT_CHAINS = 4
    entries = record(40)
    chains = chains_of_trail()
    # 40 appends at random over 4 chains all landing in one: odds of 4 in 4**40.
    assert len(chains) > 1 and set(chains) <= {0, 1, 2, 3}
    assert sorted(e.seq for e in entries) == [e.seq for e in entries] and len({e.seq for e in entries}) == 40
    for chain, rows in chains.items():
        assert rows[0].prev_hash == GENESIS_HASH
        assert all(later.prev_hash == earlier.hash for earlier, later in itertools.pairwise(rows))
    report = verify_chain()
    assert report.ok and report.checked == 40
    assert report.heads == {chain: (rows[-1].seq, rows[-1].hash) for chain, rows in chains.items()}
    assert (report.last_seq, report.last_hash) == (entries[-1].seq, entries[-1].hash)


@several_chains
def test_the_entries_of_one_batch_stay_together_in_one_chain(db, settings):
    from shequ.audit.services import audit_batch

    settings.SHEQU_AUDIT_CHAINS = 8
    for n in range(10):
        with transaction.atomic(), audit_batch():
            first = audit_record(action="appeal.submit", object_type="appeals.appeal", object_id=str(n))
            second = audit_record(action="appeal.dispatch", object_type="appeals.appeal", object_id=str(n))
        assert first.chain == second.chain and second.prev_hash == first.hash and second.seq > first.seq
    assert verify_chain().ok


@several_chains
def test_verify_finds_a_deleted_or_edited_entry_in_any_chain(db, settings):
    settings.SHEQU_AUDIT_CHAINS = 3
    record(30)
    rows = max(chains_of_trail().values(), key=len)
    assert len(rows) >= 3
    with triggers_off():
        sql("DELETE FROM audit_auditentry WHERE seq = %s", [rows[1].seq])
        sql("UPDATE audit_auditentry SET purpose = 'covered up' WHERE seq = %s", [rows[-1].seq])
    report = verify_chain(batch_size=4)
    assert not report.ok and report.checked == 29 and report.first_bad_seq == rows[2].seq
    assert report.problems == [
        f"#{rows[2].seq} does not link to #{rows[0].seq}: an entry between them was deleted, or this one was"
        " inserted or replaced",
        f"#{rows[-1].seq} does not match its hash: edited",
    ]


@several_chains
def test_a_purge_anchors_every_chain_and_what_follows_still_verifies(db, settings):
    settings.SHEQU_AUDIT_CHAINS = 4
    old = record(24)
    cutoff = later_than(max(e.at for e in old))
    later_than(cutoff)
    kept = record(12)
    old_chains = {e.chain for e in old}

    assert audit_purge(before=cutoff, actor_username="zhaomin", reason="test retention") == 24

    anchors = {a.chain: a for a in AuditAnchor.objects.all()}
    assert set(anchors) == old_chains
    for chain, anchor in anchors.items():
        last_old = max((e for e in old if e.chain == chain), key=lambda e: e.seq)
        assert (anchor.purged_through_seq, anchor.last_hash) == (last_old.seq, last_old.hash)
        assert anchor.purged_count == sum(e.chain == chain for e in old)
    assert AuditEntry.objects.filter(seq__in=[e.seq for e in old]).count() == 0
    assert AuditEntry.objects.filter(seq__in=[e.seq for e in kept]).count() == 12
    # One audit entry per anchor, each appended to some chain after the purge.
    assert AuditEntry.objects.filter(action="audit.purge").count() == len(anchors)
    # The first kept entry of a chain links to its anchor.
    for chain, rows in chains_of_trail().items():
        if chain in anchors:
            assert rows[0].prev_hash == anchors[chain].last_hash
    record(8)
    report = verify_chain()
    assert report.ok and report.checked == 12 + len(anchors) + 8


@several_chains
def test_a_purge_that_empties_every_chain_links_its_own_entries_to_the_new_anchors(db, settings, monkeypatch):
    # The purge's own entries land on the last chain, emptied by the purge: they must link to its new anchor,
    # whichever order the anchors are made in (CI once saw one link to the genesis hash instead).
    settings.SHEQU_AUDIT_CHAINS = 4
    turns = itertools.cycle(range(4))
    monkeypatch.setattr("shequ.audit.services.random.randrange", lambda count: next(turns))
    old = record(24)
    assert {e.chain for e in old} == {0, 1, 2, 3}
    cutoff = later_than(max(e.at for e in old))
    monkeypatch.setattr("shequ.audit.services.random.randrange", lambda count: count - 1)

    assert audit_purge(before=cutoff, actor_username="zhaomin", reason="test retention") == 24

    anchors = {a.chain: a for a in AuditAnchor.objects.all()}
    trail = chains_of_trail()
    assert set(trail) == {3} and len(trail[3]) == 4
    assert trail[3][0].prev_hash == anchors[3].last_hash
    report = verify_chain()
    assert report.ok and report.checked == 4


@several_chains
def test_four_writers_at_once_over_four_chains_leave_every_chain_valid(transactional_db, settings):
    settings.SHEQU_AUDIT_CHAINS = 4
    users = [get_user_model().objects.create_user(username=f"writer{i}") for i in range(4)]
    assert write_at_once(users, entries_each=40) == []
    assert AuditEntry.objects.count() == 160
    assert all(AuditEntry.objects.filter(actor_username=u.username).count() == 40 for u in users)
    report = verify_chain()
    assert report.ok and report.checked == 160 and len(report.heads) > 1


@several_chains
def test_an_append_locks_one_chain_and_reads_that_chains_head(db, settings):
    from shequ.audit.services import AUDIT_CHAIN_LOCK_ID

    settings.SHEQU_AUDIT_CHAINS = 5
    statements: list[tuple[str, Any]] = []

    def spy(execute, sql_text, params, many, context):
        statements.append((sql_text, params))
        return execute(sql_text, params, many, context)

    with connection.execute_wrapper(spy):
        entry = record(1)[0]
    appends = [(s, p) for s, p in statements if "audit_append" in s]
    assert len(appends) == 1 and len(statements) == 1  # the lock, the head and the insert: one call
    # audit_append(lock, chain, entries, after): the chain's lock, then that chain's head and entries.
    assert list(appends[0][1])[:2] == [AUDIT_CHAIN_LOCK_ID + entry.chain, entry.chain]


@several_chains
def test_an_append_to_a_chain_the_purge_emptied_links_to_its_anchor(db, settings, monkeypatch):
    from shequ.audit import services

    settings.SHEQU_AUDIT_CHAINS = 2
    monkeypatch.setattr(services.random, "randrange", lambda n: 1)  # these go to chain 1
    old = record(3)
    cutoff = later_than(max(e.at for e in old))
    later_than(cutoff)
    monkeypatch.setattr(services.random, "randrange", lambda n: 0)  # the purge's own entry to chain 0
    assert audit_purge(before=cutoff, actor_username="zhaomin", reason="test retention") == 3
    assert not AuditEntry.objects.filter(chain=1).exists()
    anchor = AuditAnchor.objects.get(chain=1)

    monkeypatch.setattr(services.random, "randrange", lambda n: 1)
    with CaptureQueriesContext(connection) as captured:
        first = record(1)[0]
    # The anchor's hash came with the head read: no statement of its own.
    assert not any("audit_auditanchor" in q["sql"] and "COALESCE" not in q["sql"] for q in captured)
    assert first.chain == 1 and first.prev_hash == anchor.last_hash
    record(2)
    report = verify_chain()
    assert report.ok and report.checked == 4  # the purge's entry and the three new ones
