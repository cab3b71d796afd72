"""Where the 规划监测 pages spend their time: every SQL query of one request, timed by an execute wrapper (the
bench's CaptureQueriesContext reads 0 on this backend), for 陈静 at the bench's four areas.

    flock /tmp/shequ-bench.lock .venv/bin/python bench/indicators/queries.py [--db ix_bench_indicators] [--explain]

Run after bench/indicators/run.py (it uses the database that left, rollup done). Prints, per page and area: the
request's wall time (median of 5), its queries, their summed time and the slowest ones; --explain adds
EXPLAIN (ANALYZE, BUFFERS) of the slowest query of each page. Writes results/<time>-queries.json.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

os.environ.setdefault("BENCH_WORK", "/tmp/ix-indicators-bench")
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from bench.lib import benchenv
from bench.lib.benchenv import BENCH_DIR

RESULTS = BENCH_DIR / "indicators" / "results"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", default="ix_bench_indicators")
    parser.add_argument("--explain", action="store_true")
    args = parser.parse_args()
    benchenv.setup_django_here(args.db)

    from django.db import connection
    from django.test import Client
    from shequ.access.testing import sign_in
    from shequ.accounts.models import User
    from shequ.geo.models import Area

    chen = User.objects.get(username="chenjing")
    client = sign_in(Client(HTTP_HOST="127.0.0.1"), chen)
    city = Area.objects.get(level="city")
    futian = Area.objects.get(code="440304")
    huafu = Area.objects.get(name="华富街道", level="street")
    community = Area.objects.filter(parent=huafu, level="community").order_by("code").first()

    out = []
    for label, area in (("city", city), ("district", futian), ("street", huafu), ("community", community)):
        for page, url in (
            ("board", f"/dashboard/plan/?area={area.code}"),
            ("indicator", f"/dashboard/plan/i/health_every_community/?area={area.code}"),
        ):
            for _ in range(3):
                assert client.get(url).status_code == 200, url
            walls = []
            for _ in range(5):
                t0 = time.perf_counter()
                client.get(url)
                walls.append((time.perf_counter() - t0) * 1000)
            captured: list[dict] = []

            def wrapper(execute, sql, params, many, context, captured=captured):
                t0 = time.perf_counter()
                try:
                    return execute(sql, params, many, context)
                finally:
                    captured.append(
                        {"ms": round((time.perf_counter() - t0) * 1000, 2), "sql": sql, "params": params}
                    )

            t0 = time.perf_counter()
            with connection.execute_wrapper(wrapper):
                r = client.get(url)
            wall = (time.perf_counter() - t0) * 1000
            slow = sorted(captured, key=lambda q: -q["ms"])[:5]
            row = {
                "page": page,
                "level": label,
                "area": area.name,
                "wall_ms_p50_of_5": round(statistics.median(walls), 1),
                "wall_ms_captured": round(wall, 1),
                "bytes": len(r.content),
                "queries": len(captured),
                "sql_ms": round(sum(q["ms"] for q in captured), 1),
                "slowest": [
                    {"ms": q["ms"], "sql": q["sql"][:600], "params": repr(q["params"])[:300]} for q in slow
                ],
            }
            if args.explain and slow and slow[0]["sql"].lstrip().upper().startswith("SELECT"):
                with connection.cursor() as c:
                    c.execute("EXPLAIN (ANALYZE, BUFFERS) " + slow[0]["sql"], slow[0]["params"])
                    row["slowest_plan"] = "\n".join(x[0] for x in c.fetchall())
            out.append(row)
            print(
                f"{page:9} {label:9} wall p50 {row['wall_ms_p50_of_5']:7.1f} ms, {row['queries']:3} queries, "
                f"SQL {row['sql_ms']:7.1f} ms, {row['bytes']} bytes; slowest {slow[0]['ms'] if slow else 0} ms: "
                f"{slow[0]['sql'][:160] if slow else ''}",
                flush=True,
            )
    RESULTS.mkdir(parents=True, exist_ok=True)
    stamp = time.strftime("%Y%m%d-%H%M%SZ", time.gmtime())
    path = RESULTS / f"{stamp}-queries.json"
    path.write_text(
        json.dumps({"uptime": benchenv.uptime(), "rows": out}, ensure_ascii=False, indent=1, default=str)
    )
    print(path)


if __name__ == "__main__":
    main()
