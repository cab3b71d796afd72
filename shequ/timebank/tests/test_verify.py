"""`verify_timebank_ledger` finds an edited, inserted or deleted movement, an edited transfer and a wrong balance.

The attacker works with SQL behind the application (the ORM refuses to change ledger rows)."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from shequ.core.chain import chain_hash
from shequ.timebank import services
from shequ.timebank.models import Movement, Transfer

from .helpers import hours_record

pytestmark = pytest.mark.django_db


def sql(statement: str, params=None) -> None:
    with connection.cursor() as cursor:
        cursor.execute(statement, params or [])


@pytest.fixture
def ledger_of_three(person):
    zhang = person("zhang")
    for minutes in (60, 30, 45):
        services.timebank_earn_for_hours(hours_record(zhang, minutes))
    assert Movement.objects.count() == 6
    return zhang


def verify_output() -> tuple[bool, str]:
    from io import StringIO

    out, err = StringIO(), StringIO()
    try:
        call_command("verify_timebank_ledger", stdout=out, stderr=err)
    except CommandError as e:
        return False, err.getvalue() + str(e)
    return True, out.getvalue()


def test_a_clean_ledger_verifies_and_prints_its_head(ledger_of_three):
    ok, text = verify_output()
    assert ok, text
    last = Movement.objects.order_by("-seq").first()
    assert "6 movements verified" in text and f"head: #6 {last.hash}" in text


def test_an_empty_ledger_verifies():
    ok, text = verify_output()
    assert ok and "0 movements" in text


def test_an_edited_movement_is_found(ledger_of_three):
    sql("UPDATE timebank_movement SET amount = amount + 60 WHERE seq = 4")
    ok, text = verify_output()
    assert not ok
    assert "#4 does not match its hash" in text


def test_an_edited_transfer_is_found_through_its_movements(ledger_of_three):
    t = Transfer.objects.order_by("id")[1]
    sql("UPDATE timebank_transfer SET memo = 'forged' WHERE id = %s", [t.pk])
    ok, text = verify_output()
    assert not ok
    assert f"transfer #{t.pk} was edited" in text


def test_a_deleted_movement_is_found(ledger_of_three):
    sql("DELETE FROM timebank_movement WHERE seq = 3")
    ok, text = verify_output()
    assert not ok
    assert "#4 follows #2" in text and "#4 does not link to #2" in text


def test_the_newest_movements_deleted_are_found_by_the_head(ledger_of_three):
    sql("DELETE FROM timebank_movement WHERE seq >= 5")
    ok, text = verify_output()
    assert not ok
    assert "the ledger's head is #6 but the last movement is #4" in text


def test_an_inserted_movement_is_found_even_with_a_hash_that_matches_its_fields(ledger_of_three):
    """A forged credit put in the middle of the chain, its own hash computed right: the next link breaks, the
    pair and the balance no longer add up."""
    victim = Movement.objects.get(seq=4)
    # Make room for it by moving the later movements up by one (as an attacker with SQL could).
    sql("UPDATE timebank_movement SET seq = seq + 100 WHERE seq >= 5")
    sql("UPDATE timebank_movement SET seq = seq - 99 WHERE seq >= 105")
    transfer = victim.transfer
    forged = Movement(
        seq=5,
        transfer=transfer,
        account_id=victim.account_id,
        amount=600,
        balance_after=victim.balance_after + 600,
        at=victim.at,
        prev_hash=victim.hash,
    )
    forged.hash = chain_hash(victim.hash, forged.hash_payload(transfer))
    sql(
        "INSERT INTO timebank_movement (seq, transfer_id, account_id, amount, balance_after, at, prev_hash, hash)"
        " VALUES (%s, %s, %s, %s, %s, %s, %s, %s)",
        [5, transfer.pk, victim.account_id, 600, forged.balance_after, victim.at, victim.hash, forged.hash],
    )
    ok, text = verify_output()
    assert not ok
    assert "#6 does not link to #5" in text
    assert "transfers but 7 movements" in text


def test_a_balance_edited_behind_the_ledger_is_found(ledger_of_three):
    account = services.account_open(user=ledger_of_three)
    sql("UPDATE timebank_account SET balance = balance + 600 WHERE id = %s", [account.pk])
    ok, text = verify_output()
    assert not ok
    assert f"account #{account.pk}: balance" in text and "the balances add up to 600, not zero" in text
