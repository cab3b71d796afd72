"""A warning to every resident of a district, fanned out through real Celery workers on Redis, with a broker
restart in the middle (issue 28, item 5).

    flock /tmp/shequ-bench.lock .venv/bin/python bench/emergency/run.py [--residents 500000] [--outside 5000] \\
        [--workers 2] [--kill-at 0.3] [--skip-seed]

 1. recreates the PostgreSQL database `em_bench_emergency`, migrates it and loads the Shenzhen pack (--skip-seed
    keeps a database seeded by an earlier run of the same size);
 2. bulk-creates --residents synthetic residents (flagged synthetic) in the communities of 南山区 (440305) and
    --outside more in 福田区 (440304), one household per three; 20 % with a phone (a text message each), 1 % with an
    account (an inbox message, and a text when they want one), 3 % in a vulnerable group (低保);
 3. starts its own redis-server on port 6399 (no persistence: a restart loses the queue, the worst case) and
    --workers Celery worker processes (`celery -A config worker -c 1`, prefetch 1, acks late), each in its own
    process group, stopped by that group's id;
 4. publishes a red typhoon warning to 南山区 through `services.warning_publish` (the task leaves after COMMIT);
 5. when --kill-at of the batches are done, kills redis-server (SIGKILL) and starts it again: every queued
    batch is lost; the workers reconnect; the resume sweep (the beat task `emergency.fanout_resume`, run here every
    10 s with a 15 s staleness instead of the production's 5 minutes) finds the batches not done and sends them again;
 6. when the warning's `fanned_out_at` is set: checks that every resident of 南山区 has exactly one delivery, that no
    one outside has any, that the text messages and inbox messages equal the phones and accounts inside;
 7. baseline in the same run: one `INSERT … SELECT` writing a delivery row for every resident of the district for a
    second warning (no messages, no batches, no broker): the floor of any fan-out over the same rows;
 8. writes results/<time>.json and .md beside this file and prints the .md.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import signal
import subprocess
import sys
import time
from datetime import date, timedelta
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path.insert(0, str(ROOT))
DB = "em_bench_emergency"
REDIS_PORT = 6399
BROKER = f"redis://127.0.0.1:{REDIS_PORT}/0"
os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.base"
os.environ["DATABASE_URL"] = f"postgres://postgres@127.0.0.1:5432/{DB}"
os.environ["CELERY_BROKER_URL"] = BROKER
os.environ["CELERY_TASK_ALWAYS_EAGER"] = "false"
os.environ.setdefault("DEBUG", "false")
PY = ROOT / ".venv" / "bin" / "python"
CELERY = ROOT / ".venv" / "bin" / "celery"


def log(msg: str) -> None:
    print(f"[{time.strftime('%H:%M:%S', time.gmtime())}Z] {msg}", flush=True)


def recreate_database() -> None:
    import psycopg

    with psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres", autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {DB} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {DB}")


def manage(*args: str) -> None:
    log("$ manage.py " + " ".join(args))
    subprocess.run([str(PY), "manage.py", *args], cwd=ROOT, check=True, env=os.environ.copy())


class Proc:
    """A process of ours in its own group, stopped by the group's id."""

    def __init__(self, name: str, cmd: list[str], logfile: Path) -> None:
        self.name = name
        self.out = open(logfile, "ab")
        self.p = subprocess.Popen(
            cmd, cwd=ROOT, env=os.environ.copy(), stdout=self.out, stderr=self.out, start_new_session=True
        )

    def stop(self, sig: int = signal.SIGTERM, wait: float = 20.0) -> None:
        if self.p.poll() is None:
            os.killpg(self.p.pid, sig)
            try:
                self.p.wait(wait)
            except subprocess.TimeoutExpired:
                os.killpg(self.p.pid, signal.SIGKILL)
                self.p.wait()
        self.out.close()


def start_redis(work: Path) -> Proc:
    proc = Proc(
        "redis",
        [
            "redis-server",
            "--port",
            str(REDIS_PORT),
            "--save",
            "",
            "--appendonly",
            "no",
            "--bind",
            "127.0.0.1",
        ],
        work / "redis.log",
    )
    for _ in range(100):
        if (
            subprocess.run(["redis-cli", "-p", str(REDIS_PORT), "ping"], capture_output=True).stdout.strip()
            == b"PONG"
        ):
            return proc
        time.sleep(0.1)
    raise SystemExit("redis-server did not start")


def seed(n_inside: int, n_outside: int, rng: random.Random) -> dict:
    from django.db import transaction
    from shequ.accounts.models import User
    from shequ.core.idnumbers import make_id_number
    from shequ.geo.models import Area
    from shequ.residents.models import Household, Resident, Tag

    counts = {"inside": 0, "outside": 0, "phones_inside": 0, "accounts_inside": 0, "vulnerable_inside": 0}
    dibao = Tag.objects.get(code="dibao")
    through = Resident.tags.through
    id_field = Resident._meta.get_field("id_number")
    phone_field = Resident._meta.get_field("phone")
    serial = 0
    for district, n, key in (("440305", n_inside, "inside"), ("440304", n_outside, "outside")):
        communities = list(
            Area.objects.filter(path__prefix=Area.objects.get(code=district).path, level="community")
        )
        made = 0
        while made < n:
            chunk = min(5000, n - made)
            with transaction.atomic():
                households = Household.objects.bulk_create(
                    [Household(area=rng.choice(communities), synthetic=True) for _ in range((chunk + 2) // 3)]
                )
                users, residents = [], []
                for i in range(chunk):
                    serial += 1
                    hh = households[i // 3]
                    born = date(1940, 1, 1) + timedelta(days=serial // 500 % 25000)
                    r = Resident(
                        name=f"合成居民{serial}",
                        id_number=make_id_number(district, born, serial % 500, "female"),
                        birth_date=born,
                        gender="female",
                        household=hh,
                        area_id=hh.area_id,
                        synthetic=True,
                    )
                    if rng.random() < 0.2:
                        r.phone = f"17{serial:09d}"
                        counts["phones_inside"] += key == "inside"
                    id_field.fill_blind_index(r)
                    phone_field.fill_blind_index(r)
                    if rng.random() < 0.01:
                        u = User(
                            username=f"emb{serial}",
                            display_name=r.name,
                            phone=r.phone,
                            synthetic=True,
                        )
                        u.set_unusable_password()
                        users.append((u, r))
                        counts["accounts_inside"] += key == "inside"
                    residents.append(r)
                created_users = User.objects.bulk_create([u for u, _ in users])
                for u, (_, r) in zip(created_users, users, strict=True):
                    r.user = u
                Resident.objects.bulk_create(residents, batch_size=2000)
                tagged = [
                    through(resident_id=r.pk, tag_id=dibao.pk) for r in residents if rng.random() < 0.03
                ]
                through.objects.bulk_create(tagged)
                counts["vulnerable_inside"] += len(tagged) if key == "inside" else 0
            made += chunk
            counts[key] += chunk
            log(f"  {key}: {made}/{n}")
    return counts


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--residents", type=int, default=500_000)
    ap.add_argument("--outside", type=int, default=5_000)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--kill-at", type=float, default=0.3)
    ap.add_argument("--skip-seed", action="store_true")
    args = ap.parse_args()
    work = Path("/tmp/em-bench")
    work.mkdir(exist_ok=True)
    report: dict = {
        "command": " ".join([".venv/bin/python", "bench/emergency/run.py", *sys.argv[1:]]),
        "args": vars(args),
        "machine": {"cpus": os.cpu_count(), "load_before": os.getloadavg()},
        "notes": [],
    }
    if not args.skip_seed:
        recreate_database()
        manage("migrate", "-v", "0")
        manage("load_city_pack", "shenzhen")
    import django

    django.setup()
    from django.db import connection
    from django.utils import timezone
    from shequ.accounts.roles import Role
    from shequ.emergency import services, tasks
    from shequ.emergency.models import Delivery, FanoutBatch, Warning
    from shequ.geo.models import Area
    from shequ.messages.models import Message
    from shequ.residents.models import Resident

    rng = random.Random(28)
    if not args.skip_seed:
        t = time.monotonic()
        report["seeded"] = seed(args.residents, args.outside, rng)
        report["seed_seconds"] = round(time.monotonic() - t, 1)
        with connection.cursor() as c:
            c.execute("ANALYZE")
    nanshan = Area.objects.get(code="440305")
    inside = Resident.objects.filter(area__path__prefix=nanshan.path)
    n_inside = inside.count()
    phones_inside = inside.exclude(phone="").filter(user__isnull=True).count()
    accounts_inside = inside.filter(user__isnull=False).count()

    from shequ.access.services import grant_bootstrap
    from shequ.accounts.models import User

    officer, _ = User.objects.get_or_create(username="em_bench_officer", defaults={"synthetic": True})
    grant_bootstrap(user=officer, role=Role.STREET_OFFICER, area=nanshan, reason="bench")

    redis = start_redis(work)
    workers = [
        Proc(
            f"worker{i}",
            [
                str(CELERY),
                "-A",
                "config",
                "worker",
                "-c",
                "1",
                "--prefetch-multiplier",
                "1",
                "-n",
                f"em{i}@%h",
                "--without-gossip",
                "--without-mingle",
                "-l",
                "WARNING",
            ],
            work / f"worker{i}.log",
        )
        for i in range(args.workers)
    ]
    time.sleep(8)
    try:
        from config.celery import app

        app.conf.update(task_always_eager=False, broker_url=BROKER)
        t0 = time.monotonic()
        warning = services.warning_publish(
            actor=officer,
            hazard="typhoon",
            level="red",
            area_codes=[nanshan.code],
            message="台风红色预警（基准测试，合成数据）：请留在室内。",
        )
        log(f"published warning {warning.pk}")
        killed = False
        last_sweep = time.monotonic()
        while True:
            time.sleep(1)
            total = FanoutBatch.objects.filter(warning=warning).count()
            done = FanoutBatch.objects.filter(warning=warning, done_at__isnull=False).count()
            w = Warning.objects.get(pk=warning.pk)
            if w.fanned_out_at is not None:
                break
            if total and not killed and done >= args.kill_at * total:
                log(f"{done}/{total} batches done: SIGKILL redis-server, start it again")
                before = done
                redis.stop(signal.SIGKILL)
                time.sleep(2)
                redis = start_redis(work)
                killed = True
                report["broker_restart"] = {
                    "batches_done_before": before,
                    "batches": total,
                    "at_seconds": round(time.monotonic() - t0, 1),
                }
            if killed and time.monotonic() - last_sweep > 10:
                last_sweep = time.monotonic()
                resent = 0
                for wid in services.fanout_pending():
                    for bid in services.batches_to_send(warning_id=wid, stale_after=timedelta(seconds=15)):
                        tasks.fanout_batch.delay(bid)
                        resent += 1
                if resent:
                    log(f"resume sweep: {resent} batches sent again")
                    report.setdefault("resent", 0)
                    report["resent"] += resent
            if time.monotonic() - t0 > 6 * 3600:
                raise SystemExit("gave up after 6 hours")
        elapsed = time.monotonic() - t0
        log(f"fanned out in {elapsed:.1f}s")
    finally:
        for p in workers:
            p.stop()
        redis.stop()

    d = Delivery.objects.filter(warning=warning)
    report["fanout"] = {
        "seconds": round(elapsed, 1),
        "residents_in_scope": n_inside,
        "deliveries": d.count(),
        "distinct_residents": d.values("resident_id").distinct().count(),
        "outside_reached": d.exclude(area__path__prefix=nanshan.path).count(),
        "missing": inside.exclude(id__in=d.values("resident_id")).count(),
        "sms_expected": phones_inside,
        "sms_outbox": 0,
        "inbox_expected": accounts_inside,
        "inbox": Message.objects.filter(kind="emergency.warning").count(),
        "per_second": round(n_inside / elapsed),
        "batches": FanoutBatch.objects.filter(warning=warning).count(),
        "batch_attempts": sum(FanoutBatch.objects.filter(warning=warning).values_list("attempts", flat=True)),
    }
    from shequ.accounts.models import OutboxMessage

    report["fanout"]["sms_outbox"] = OutboxMessage.objects.filter(purpose="emergency.warning").count()
    texted_accounts = d.filter(channel="inbox_sms").count()
    report["fanout"]["sms_expected"] += texted_accounts

    # Baseline: the floor, one INSERT … SELECT of the same rows for a second warning.
    base = Warning.objects.create(
        hazard="typhoon",
        level="blue",
        title="baseline",
        message="baseline",
        published_by=officer,
        fanned_out_at=timezone.now(),
    )
    t = time.monotonic()
    with connection.cursor() as c:
        c.execute(
            "INSERT INTO emergency_delivery (warning_id, resident_id, area_id, vulnerable, channel, delivered_at,"
            " ack_way, safety, safety_note, follow_up_note)"
            " SELECT %s, r.id, r.area_id, false, 'none', now(), '', '', '', '' FROM residents_resident r"
            " JOIN geo_area a ON a.id = r.area_id WHERE a.path LIKE %s",
            [base.pk, nanshan.path + "%"],
        )
    baseline = time.monotonic() - t
    report["baseline"] = {
        "seconds": round(baseline, 2),
        "rows": Delivery.objects.filter(warning=base).count(),
    }
    report["ratio_fanout_to_baseline"] = round(elapsed / baseline, 1)
    f = report["fanout"]
    ok = (
        f["deliveries"] == f["distinct_residents"] == n_inside
        and f["outside_reached"] == 0
        and f["missing"] == 0
        and f["sms_outbox"] == f["sms_expected"]
        and f["inbox"] == f["inbox_expected"]
    )
    report["exactly_once_and_no_one_outside"] = ok
    report["machine"]["load_after"] = os.getloadavg()
    stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
    (HERE / "results").mkdir(exist_ok=True)
    (HERE / "results" / f"{stamp}.json").write_text(
        json.dumps(report, ensure_ascii=False, indent=1, default=str)
    )
    md = [
        f"# Emergency fan-out {stamp}",
        "",
        f"`{report['command']}`",
        "",
        f"- residents in scope: {n_inside}, outside: {args.outside}; batches of {services.FANOUT_BATCH}; "
        f"{args.workers} workers; CPUs {os.cpu_count()}, load before {report['machine']['load_before']}",
        f"- fan-out: {f['seconds']} s ({f['per_second']} residents/s), {f['batches']} batches, "
        f"{f['batch_attempts']} batch runs that wrote",
        f"- broker restart: {report.get('broker_restart')}; batches sent again by the sweep: {report.get('resent', 0)}",
        f"- deliveries {f['deliveries']} = distinct {f['distinct_residents']}; missing {f['missing']}; "
        f"outside reached {f['outside_reached']}; texts {f['sms_outbox']} (expected {f['sms_expected']}); "
        f"inbox {f['inbox']} (expected {f['inbox_expected']})",
        f"- baseline (one INSERT … SELECT of the same rows): {report['baseline']['seconds']} s; "
        f"ratio fan-out / baseline: {report['ratio_fanout_to_baseline']}",
        f"- exactly once and no one outside: **{ok}**",
        "",
    ]
    (HERE / "results" / f"{stamp}.md").write_text("\n".join(md))
    print("\n".join(md))
    if not ok:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
