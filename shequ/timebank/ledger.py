"""The ledger's two operations: post a transfer (two chained movements, balances kept) and verify it all.

`post` runs inside the caller's transaction, after `lock()`: the services check what they must (caps, the
workflow) under the same lock, so that no two postings can both pass a check that only one of them may.
Plain ORM: the head row locked with SELECT … FOR UPDATE on PostgreSQL; on SQLite the transaction already holds
the database's one write lock (BEGIN IMMEDIATE, settings). The CHECK constraints (balance above its floor, stock
not negative, minutes positive) are the last line behind the checks made here.
"""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from datetime import datetime

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext

from shequ.core.chain import GENESIS_HASH, chain_hash
from shequ.core.errors import ShequError
from shequ.geo.models import Area

from .models import Account, LedgerHead, Movement, Transfer, movement_payload

_MAX_PROBLEMS = 200


class InsufficientCredits(ShequError):
    code = "insufficient_balance"
    status = 409


def lock() -> LedgerHead:
    """Take the ledger's lock (held to the end of the transaction) and answer its head."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("the time bank ledger is written inside a transaction")
    head = LedgerHead.objects.select_for_update().filter(pk=1).first()
    if head is None:
        # The migration creates the row; a flushed test database has none. Two creators race only there.
        head = LedgerHead.objects.create(pk=1)
        head = LedgerHead.objects.select_for_update().get(pk=1)
    return head


def post(
    *,
    kind: str,
    debit: Account,
    credit: Account,
    minutes: int,
    actor=None,
    memo: str = "",
    ref_type: str = "",
    ref_id: str = "",
    area: Area | None = None,
    at: datetime | None = None,
) -> Transfer:
    """Move `minutes` from `debit` to `credit`: one transfer, two movements, both balances; refuses an amount
    that is not a positive whole number of minutes, an account to itself, an inactive account, and a debit below
    its floor (InsufficientCredits, nothing written)."""
    head = lock()
    if not isinstance(minutes, int) or isinstance(minutes, bool) or minutes < 1:
        raise ShequError(gettext("The amount must be at least one minute."), fields={"amount": "too small"})
    if debit.pk == credit.pk:
        raise ShequError(gettext("You cannot transfer credits to yourself."), fields={"to": "yourself"})
    # Fresh balances under the lock (the instances passed in may be stale).
    locked = {a.pk: a for a in Account.objects.select_for_update().filter(pk__in=[debit.pk, credit.pk])}
    src, dst = locked[debit.pk], locked[credit.pk]
    if not (src.is_active and dst.is_active):
        raise ShequError(gettext("This account is closed."), code="account_closed", status=409)
    if src.floor is not None and src.balance - minutes < src.floor:
        raise InsufficientCredits(
            gettext("Not enough credits: the balance is %(balance)s 时间币.")
            % {"balance": format_credits(src.balance)},
            fields={"amount": "beyond the balance"},
        )
    now = at or timezone.now()
    transfer = Transfer(
        kind=kind,
        debit=src,
        credit=dst,
        minutes=minutes,
        actor=actor if actor is not None and getattr(actor, "is_authenticated", False) else None,
        memo=memo[:200],
        ref_type=ref_type,
        ref_id=ref_id,
        area=area,
        at=now,
        day=timezone.localdate(now),
    )
    transfer.save()
    Account.objects.filter(pk=src.pk).update(balance=F("balance") - minutes)
    Account.objects.filter(pk=dst.pk).update(balance=F("balance") + minutes)
    src.balance -= minutes
    dst.balance += minutes
    prev_hash, seq = head.last_hash, head.last_seq
    rows = []
    for account, amount in ((src, -minutes), (dst, minutes)):
        seq += 1
        payload = movement_payload(
            seq=seq,
            account_id=account.pk,
            amount=amount,
            balance_after=account.balance,
            at=now,
            transfer=transfer,
        )
        digest = chain_hash(prev_hash, payload)
        rows.append(
            Movement(
                seq=seq,
                transfer=transfer,
                account=account,
                amount=amount,
                balance_after=account.balance,
                at=now,
                prev_hash=prev_hash,
                hash=digest,
            )
        )
        prev_hash = digest
    Movement.objects.bulk_create(rows)
    LedgerHead.objects.filter(pk=head.pk).update(last_seq=seq, last_hash=prev_hash)
    debit.balance, credit.balance = src.balance, dst.balance
    return transfer


def format_credits(minutes: int) -> str:
    """Minutes as 时间币 with up to two decimals: 90 → "1.5", 60 → "1", 1 → "0.02"."""
    sign = "-" if minutes < 0 else ""
    whole, rest = divmod(abs(minutes), 60)
    if not rest:
        return f"{sign}{whole}"
    cents = round(rest * 100 / 60)
    if cents == 100:
        return f"{sign}{whole + 1}"
    return f"{sign}{whole}.{cents:02d}".rstrip("0")


# --- verification --------------------------------------------------------------------------------------------


@dataclasses.dataclass
class LedgerReport:
    ok: bool
    checked: int
    problems: list[str]
    last_seq: int = 0
    last_hash: str = GENESIS_HASH
    total: int = 0


def verify(*, batch_size: int = 5000) -> LedgerReport:
    """Walk the movements in sequence order and check everything the ledger promises:

    - each movement's hash matches its fields and its transfer's (an edit of either is found);
    - each links to the previous one and the numbers run without a gap (a deleted or inserted movement);
    - the last one is the head (the newest ones deleted);
    - each transfer is exactly two consecutive movements, −m from its debit and +m to its credit;
    - each account's balance equals the sum of its movements and its last `balance_after`, none below its floor;
    - the sum over all accounts is zero.
    Reads in keyset pages, so memory stays flat but for one running sum per account.
    """
    problems: list[str] = []
    bad = 0

    def problem(text: str) -> None:
        nonlocal bad
        bad += 1
        if len(problems) < _MAX_PROBLEMS:
            problems.append(text)

    sums: dict[int, int] = defaultdict(int)
    last_after: dict[int, int] = {}
    prev_hash, prev_seq, checked = GENESIS_HASH, 0, 0
    pending: Movement | None = None  # the first movement of a transfer, waiting for its pair
    movements = Movement.objects.select_related("transfer").order_by("seq")
    after = 0
    while True:
        batch = list(movements.filter(seq__gt=after)[:batch_size])
        if not batch:
            break
        for m in batch:
            checked += 1
            if m.seq != prev_seq + 1:
                problem(f"#{m.seq} follows #{prev_seq}: movements between them were deleted")
            if m.prev_hash != prev_hash:
                problem(
                    f"#{m.seq} does not link to #{prev_seq}: a movement was deleted, inserted or replaced"
                )
            if m.computed_hash(m.transfer) != m.hash:
                problem(f"#{m.seq} does not match its hash: it or its transfer #{m.transfer_id} was edited")
            sums[m.account_id] += m.amount
            last_after[m.account_id] = m.balance_after
            if pending is None:
                pending = m
            else:
                t = m.transfer
                pair = {pending.account_id: pending.amount, m.account_id: m.amount}
                if (
                    pending.transfer_id != m.transfer_id
                    or pair.get(t.debit_id) != -t.minutes
                    or pair.get(t.credit_id) != t.minutes
                ):
                    problem(f"#{pending.seq} and #{m.seq} are not the two sides of transfer #{t.pk}")
                pending = None
            prev_seq, prev_hash = m.seq, m.hash
        after = batch[-1].seq
    if pending is not None:
        problem(f"#{pending.seq} is one side of transfer #{pending.transfer_id} without the other")
    head = LedgerHead.objects.filter(pk=1).first()
    head_seq, head_hash = (head.last_seq, head.last_hash) if head else (0, GENESIS_HASH)
    if (head_seq, head_hash) != (prev_seq, prev_hash):
        problem(
            f"the ledger's head is #{head_seq} but the last movement is #{prev_seq}: movements were deleted"
        )
    transfers = Transfer.objects.count()
    if transfers * 2 != checked:
        problem(f"{transfers} transfers but {checked} movements: a transfer without its two movements")
    total = 0
    for account in Account.objects.only("pk", "balance", "floor").iterator():
        total += account.balance
        if account.balance != sums.get(account.pk, 0):
            problem(
                f"account #{account.pk}: balance {account.balance} but its movements add up to "
                f"{sums.get(account.pk, 0)}"
            )
        elif account.pk in last_after and last_after[account.pk] != account.balance:
            problem(
                f"account #{account.pk}: balance {account.balance} but its last movement left {last_after[account.pk]}"
            )
        if account.floor is not None and account.balance < account.floor:
            problem(f"account #{account.pk} is below its floor")
    if total != 0:
        problem(f"the balances add up to {total}, not zero")
    if bad > len(problems):
        problems.append(f"… and {bad - len(problems)} more problems")
    return LedgerReport(
        ok=not bad, checked=checked, problems=problems, last_seq=prev_seq, last_hash=prev_hash, total=total
    )
