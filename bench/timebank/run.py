"""The time bank's ledger on PostgreSQL: transfers through the ledger against a plain baseline in the same run, and
`verify_timebank_ledger` over 1,000,000 movements.

    flock /tmp/shequ-bench.lock .venv/bin/python bench/timebank/run.py [--rounds 5] [--per-round 200] \\
        [--movements 1000000]

 1. recreates the PostgreSQL database `shequ_bench_timebank`, migrates it, loads the Shenzhen pack; makes two
    residents of one household (a son with credits, his mother);
 2. transfers, one at a time, in --rounds rounds of --per-round each, the order of the three paths rotated from round
    to round:
      - `service`: services.timebank_transfer_to_family (the ledger's lock, the family and cap checks, the transfer,
        two hash-chained movements, both balances, the head, an audit entry; one transaction);
      - `ledger`: ledger.post alone inside a transaction (lock, transfer, movements, balances, head; no checks, no
        audit);
      - `baseline`: a bare two-row update — `UPDATE … SET balance = balance - 1` and `+ 1` on two rows of a plain
        table, in one transaction (what a ledger without history, chain or checks would do);
    reported per path as the median round's transfers per second and the ratio to the baseline;
 3. seeds --movements movements (half as many transfers) over 1,000 accounts with bulk_create (bench only: hashes
    computed here exactly as ledger.post does), then times `manage.py verify_timebank_ledger` (wall and CPU);
 4. writes results/<time>.json and .md beside this file and prints the .md.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import resource
import statistics
import subprocess
import sys
import time
from datetime import date, timedelta
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path.insert(0, str(ROOT))
DB = "shequ_bench_timebank"
os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.base"
os.environ["DATABASE_URL"] = f"postgres://postgres@127.0.0.1:5432/{DB}"
os.environ.setdefault("DEBUG", "false")


def log(msg: str) -> None:
    print(f"[{time.strftime('%H:%M:%S', time.gmtime())}Z] {msg}", flush=True)


def recreate_database() -> None:
    import psycopg

    with psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres", autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {DB} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {DB}")


def cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--per-round", type=int, default=200)
    parser.add_argument("--movements", type=int, default=1_000_000)
    args = parser.parse_args()

    log(f"recreating {DB}")
    recreate_database()
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection, transaction

    log("migrating")
    call_command("migrate", verbosity=0)
    from shequ.geo.citypack import load_city_pack

    load_city_pack("shenzhen")
    from django.contrib.auth import get_user_model
    from shequ.core.idnumbers import make_id_number
    from shequ.geo.models import Area
    from shequ.residents.models import Resident
    from shequ.residents.services import household_create, resident_create
    from shequ.timebank import ledger, services
    from shequ.timebank.choices import TransferKind

    user_model = get_user_model()
    community = (
        Area.objects.filter(level="community", path__startswith="/440300/440304/").order_by("code").first()
    )
    household = household_create(actor=None, area=community, room="1栋101室")
    people = []
    for n, (name, phone, born) in enumerate(
        [("son", "13900000001", date(1980, 1, 1)), ("mother", "13900000002", date(1950, 1, 1))]
    ):
        user = user_model.objects.create(username=name, phone=phone)
        resident = resident_create(
            actor=None, household=household, name=name, id_number=make_id_number("440304", born, n, "female")
        )
        Resident.objects.filter(pk=resident.pk).update(user=user)
        people.append(user)
    son, mother = people
    total = args.rounds * args.per_round * 2 + 100  # the two ledger paths and their warm-up
    services.timebank_earn(
        hours=services.Hours(ref="bench", user=son, minutes=total, is_group=False, confirmed_at=date_now())
    )
    target = services.account_open(user=mother)
    source = services.account_open(user=son)
    with connection.cursor() as c:
        c.execute("CREATE TABLE bench_plain_account (id bigint PRIMARY KEY, balance bigint NOT NULL)")
        c.execute("INSERT INTO bench_plain_account VALUES (1, %s), (2, 0)", [total])

    def service_one() -> None:
        services.timebank_transfer_to_family(actor=son, to_account=target, minutes=1)

    def ledger_one() -> None:
        with transaction.atomic():
            ledger.post(kind=TransferKind.FAMILY, debit=source, credit=target, minutes=1)

    def baseline_one() -> None:
        with transaction.atomic(), connection.cursor() as c:
            c.execute("UPDATE bench_plain_account SET balance = balance - 1 WHERE id = 1")
            c.execute("UPDATE bench_plain_account SET balance = balance + 1 WHERE id = 2")

    paths = {"service": service_one, "ledger": ledger_one, "baseline": baseline_one}
    for fn in paths.values():  # warm-up, not measured
        for _ in range(20):
            fn()
    rates: dict[str, list[float]] = {name: [] for name in paths}
    cpus: dict[str, list[float]] = {name: [] for name in paths}
    names = list(paths)
    for r in range(args.rounds):
        order = names[r % 3 :] + names[: r % 3]
        for name in order:
            fn = paths[name]
            t0, c0 = time.perf_counter(), cpu()
            for _ in range(args.per_round):
                fn()
            wall, used = time.perf_counter() - t0, cpu() - c0
            rates[name].append(args.per_round / wall)
            cpus[name].append(used / args.per_round * 1000)
        log(f"round {r + 1}: " + ", ".join(f"{n} {rates[n][-1]:.0f}/s" for n in names))
    report = ledger.verify()
    assert report.ok, report.problems
    transfers = {
        name: {
            "per_second_median": statistics.median(rates[name]),
            "per_second_rounds": rates[name],
            "cpu_ms_per_transfer_median": statistics.median(cpus[name]),
        }
        for name in names
    }
    base = transfers["baseline"]["per_second_median"]
    for name in names:
        transfers[name]["ratio_to_baseline"] = transfers[name]["per_second_median"] / base

    log(f"seeding {args.movements} movements")
    t0 = time.perf_counter()
    seeded = seed_movements(args.movements)
    seed_wall = time.perf_counter() - t0
    log(f"seeded {seeded} movements in {seed_wall:.0f} s; verifying")
    started = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), "verify_timebank_ledger"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env=os.environ.copy(),
    )
    verify_wall = time.perf_counter() - started
    child = resource.getrusage(resource.RUSAGE_CHILDREN)
    verify = {
        "movements": seeded,
        "wall_s": verify_wall,
        "cpu_s": child.ru_utime + child.ru_stime,
        "max_rss_mb": child.ru_maxrss / 1024,
        "exit": proc.returncode,
        "output": proc.stdout.strip() + proc.stderr.strip()[-500:],
        "seed_wall_s": seed_wall,
    }
    write(args, transfers, verify)


def date_now():
    from django.utils import timezone

    return timezone.now()


def seed_movements(count: int) -> int:
    """Bench only: `count` movements over 1,000 accounts in bulk, hashed and linked exactly as ledger.post does,
    with the balances and the head set to match, so that the verification has a real, consistent ledger to walk."""
    from django.db import connection, transaction
    from django.utils import timezone
    from shequ.core.chain import chain_hash
    from shequ.timebank.choices import AccountKind, TransferKind
    from shequ.timebank.models import Account, LedgerHead, Movement, Transfer, movement_payload
    from shequ.timebank.services import system_account

    rng = random.Random(1)
    issuer = system_account(AccountKind.ISSUER)
    accounts = Account.objects.bulk_create(
        [Account(kind=AccountKind.TEAM, team_ref=10_000 + i, name=f"bench team {i}") for i in range(1000)]
    )
    balances = dict(Account.objects.values_list("pk", "balance"))
    head = LedgerHead.objects.get(pk=1)
    seq, prev = head.last_seq, head.last_hash
    now = timezone.now() - timedelta(days=30)
    made, batch_size = 0, 5000
    pairs_needed = count // 2
    first = True
    while made < pairs_needed:
        n = min(batch_size, pairs_needed - made)
        transfers = []
        for i in range(n):
            if first and i < len(accounts):
                debit, credit, minutes = issuer.pk, accounts[i].pk, 1_000_000
            else:
                debit, credit = rng.sample(accounts, 2)
                debit, credit = debit.pk, credit.pk
                minutes = rng.randint(1, 120)
                if balances[debit] - minutes < 0:
                    debit, credit = credit, debit
                    if balances[debit] - minutes < 0:
                        minutes = 1
                        debit, credit = issuer.pk, credit
            at = now + timedelta(seconds=made + i)
            transfers.append(
                Transfer(
                    kind=TransferKind.FAMILY,
                    debit_id=debit,
                    credit_id=credit,
                    minutes=minutes,
                    memo="bench",
                    at=at,
                    day=timezone.localdate(at),
                )
            )
            balances[debit] -= minutes
            balances[credit] = balances.get(credit, 0) + minutes
        first = False
        with transaction.atomic():
            Transfer.objects.bulk_create(transfers)
            movements = []
            # Balances after each movement, replayed in order from the balances before this batch.
            running = {}
            for t in transfers:
                for account_id, amount in ((t.debit_id, -t.minutes), (t.credit_id, t.minutes)):
                    running.setdefault(account_id, balances[account_id] - _net(transfers, account_id))
                    running[account_id] += amount
                    seq += 1
                    payload = movement_payload(
                        seq=seq,
                        account_id=account_id,
                        amount=amount,
                        balance_after=running[account_id],
                        at=t.at,
                        transfer=t,
                    )
                    digest = chain_hash(prev, payload)
                    movements.append(
                        Movement(
                            seq=seq,
                            transfer_id=t.pk,
                            account_id=account_id,
                            amount=amount,
                            balance_after=running[account_id],
                            at=t.at,
                            prev_hash=prev,
                            hash=digest,
                        )
                    )
                    prev = digest
            Movement.objects.bulk_create(movements, batch_size=5000)
        made += n
        if made % 100_000 < batch_size:
            log(f"  {made * 2} movements")
    with transaction.atomic(), connection.cursor() as c:
        c.execute("CREATE TEMP TABLE bench_balances (id bigint, balance bigint)")
        with c.copy("COPY bench_balances (id, balance) FROM STDIN") as copy:
            for pk, balance in balances.items():
                copy.write_row((pk, balance))
        c.execute("UPDATE timebank_account a SET balance = b.balance FROM bench_balances b WHERE a.id = b.id")
        c.execute("UPDATE timebank_ledgerhead SET last_seq = %s, last_hash = %s WHERE id = 1", [seq, prev])
    return Movement.objects.count()


_net_cache: dict[int, dict[int, int]] = {}


def _net(transfers, account_id: int) -> int:
    """What this batch moves in and out of an account (its balance before the batch is the total less this)."""
    key = id(transfers)
    if key not in _net_cache:
        _net_cache.clear()
        net: dict[int, int] = {}
        for t in transfers:
            net[t.debit_id] = net.get(t.debit_id, 0) - t.minutes
            net[t.credit_id] = net.get(t.credit_id, 0) + t.minutes
        _net_cache[key] = net
    return _net_cache[key].get(account_id, 0)


def write(args, transfers: dict, verify: dict) -> None:
    stamp = time.strftime("%Y%m%d-%H%M%SZ", time.gmtime())
    machine = {
        "cpus": os.cpu_count(),
        "platform": platform.platform(),
        "python": platform.python_version(),
        "loadavg": os.getloadavg(),
    }
    try:
        machine["cpu_model"] = next(
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        )
    except (OSError, StopIteration):
        pass
    data = {"args": vars(args), "machine": machine, "transfers": transfers, "verify": verify}
    out = HERE / "results"
    out.mkdir(exist_ok=True)
    (out / f"{stamp}.json").write_text(json.dumps(data, indent=1, ensure_ascii=False))
    lines = [
        f"# Time bank ledger bench, {stamp}",
        "",
        f"Machine: {machine.get('cpu_model', '?')}, {machine['cpus']} cores, {machine['platform']}, "
        f"Python {machine['python']}, load average at the end {tuple(round(x, 2) for x in machine['loadavg'])}",
        "",
        f"Transfers, one at a time, {args.rounds} rounds × {args.per_round} per path (median round):",
        "",
        "| path | transfers/s | CPU ms per transfer | ratio to baseline |",
        "|---|---:|---:|---:|",
    ]
    for name, row in transfers.items():
        lines.append(
            f"| {name} | {row['per_second_median']:.0f} | {row['cpu_ms_per_transfer_median']:.2f} | "
            f"{row['ratio_to_baseline']:.2f} |"
        )
    lines += [
        "",
        f"verify_timebank_ledger over {verify['movements']:,} movements: {verify['wall_s']:.1f} s wall, "
        f"{verify['cpu_s']:.1f} s CPU (the command's process), max RSS {verify['max_rss_mb']:.0f} MB, exit "
        f"{verify['exit']}: {verify['output'].splitlines()[0] if verify['output'] else ''}",
        f"(seeding them in bulk took {verify['seed_wall_s']:.0f} s)",
    ]
    text = "\n".join(lines) + "\n"
    (out / f"{stamp}.md").write_text(text)
    print(text)


if __name__ == "__main__":
    main()
