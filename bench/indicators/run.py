"""规划监测 at city scale (issue 29): the page reads the rollup's stored values; the baseline computes the same
indicators from the modules' tables on the request, as a page would without the rollup.

    flock /tmp/shequ-bench.lock .venv/bin/python bench/indicators/run.py [--requests 20]

1. the database --db: a copy of the pages bench's city-scale database (`shequ_bench`: seed_demo --scale city with
   200,000 appeals, bench/pages) when it exists and --db does not, else what --db holds; then `migrate`;
2. the catalogue stored and the nightly rollup run for the whole city, timed (the job's cost);
3. for 陈静 (city admin) at the city, a district, a street and a community: the board page and one indicator's
   page through Django's test client in this process, 3 warm-ups then --requests timed, p50/p95, queries counted;
4. the baseline in the same run, at the same areas: every figure the indicators read computed from the modules'
   tables for the area and its children and the formulas evaluated (what the page would do without the rollup);
5. bench/indicators/results/<time>.json and .md.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import sys
import time
from pathlib import Path

os.environ.setdefault("BENCH_WORK", "/tmp/ix-indicators-bench")
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from bench.lib import benchenv
from bench.lib.benchenv import BENCH_DIR, log

RESULTS = BENCH_DIR / "indicators" / "results"


def timed(fn, n: int) -> list[float]:
    out = []
    for _ in range(n):
        t0 = time.perf_counter()
        fn()
        out.append((time.perf_counter() - t0) * 1000)
    return out


def summary(ms: list[float]) -> dict:
    ms = sorted(ms)
    return {
        "p50": round(statistics.median(ms), 1),
        "p95": round(ms[max(0, int(len(ms) * 0.95) - 1)], 1),
        "max": round(ms[-1], 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", default="ix_bench_indicators")
    parser.add_argument("--source", default="shequ_bench")
    parser.add_argument("--requests", type=int, default=20)
    args = parser.parse_args()
    report = benchenv.new_report("bench/indicators/run.py", args)
    pages_keys = Path("/tmp/shequ-bench/keys.json")  # bench/lib/benchenv.py's default work folder
    work = Path(os.environ["BENCH_WORK"])
    work.mkdir(parents=True, exist_ok=True)
    if pages_keys.exists() and not (work / "keys.json").exists():
        shutil.copy(
            pages_keys, work / "keys.json"
        )  # the copied database's personal data was encrypted with these
    if not benchenv.database_exists(args.db):
        if not benchenv.database_exists(args.source):
            raise SystemExit(
                f"no {args.source}: run bench/pages/run.py first (it seeds the city-scale database)"
            )
        log(f"copying {args.source} to {args.db}")
        benchenv.pg_admin(f'CREATE DATABASE "{args.db}" TEMPLATE "{args.source}"')
        report["notes"].append(f"database copied from {args.source}")
    env = benchenv.django_env(args.db, conn_max_age=0)
    benchenv.manage(env, "migrate", "--no-input")
    benchenv.setup_django_here(args.db)

    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from shequ.access.testing import sign_in
    from shequ.accounts.models import User
    from shequ.geo.models import Area
    from shequ.indicators import formula as formulas
    from shequ.indicators.models import Indicator
    from shequ.indicators.registry import figure_get
    from shequ.indicators.selectors import CHILD_LEVEL
    from shequ.indicators.services import indicator_catalogue_sync, indicator_rollup

    report["areas"] = {
        lvl: Area.objects.filter(level=lvl).count() for lvl in ("district", "street", "community")
    }
    indicator_catalogue_sync()
    t0 = time.perf_counter()
    run = indicator_rollup()
    report["rollup"] = {
        "seconds": round(time.perf_counter() - t0, 2),
        "values": run.values,
        "areas": run.areas,
    }
    log(f"rollup: {report['rollup']}")

    chen = User.objects.get(username="chenjing")
    client = sign_in(Client(HTTP_HOST="127.0.0.1"), chen)
    city = Area.objects.get(level="city")
    futian = Area.objects.get(code="440304")
    huafu = Area.objects.get(name="华富街道", level="street")
    community = Area.objects.filter(parent=huafu, level="community").order_by("code").first()
    indicators = list(Indicator.objects.filter(is_current=True))

    def live(area: Area) -> None:
        """The baseline: the figures of the area and its children computed from the tables, formulas evaluated."""
        child = CHILD_LEVEL.get(area.level)
        areas = [area] + (list(Area.objects.filter(parent=area, level=child)) if child else [])
        keys = sorted({k for i in indicators for k in formulas.figure_keys(i.formula)})
        values = {}
        for key in keys:
            figure = figure_get(key)
            if figure is not None:
                values[key] = figure.compute(areas)
        for i in indicators:
            for a in areas:
                formulas.evaluate(
                    i.formula, {k: values.get(k, {}).get(a.code) for k in formulas.figure_keys(i.formula)}
                )

    rows = []
    for label, area in (("city", city), ("district", futian), ("street", huafu), ("community", community)):
        for page, url in (
            ("board", f"/dashboard/plan/?area={area.code}"),
            ("indicator", f"/dashboard/plan/i/health_every_community/?area={area.code}"),
        ):
            for _ in range(3):
                assert client.get(url).status_code == 200, url
            with CaptureQueriesContext(connection) as q:
                client.get(url)
            ms = timed(lambda url=url: client.get(url), args.requests)
            rows.append({"page": page, "level": label, "area": area.name, "queries": len(q), **summary(ms)})
            log(rows[-1])
        base = timed(lambda area=area: live(area), 2)
        rows.append(
            {"page": "baseline: computed on request", "level": label, "area": area.name, **summary(base)}
        )
        log(rows[-1])
    report["rows"] = rows
    report["uptime_after"] = benchenv.uptime()
    RESULTS.mkdir(parents=True, exist_ok=True)
    stamp = time.strftime("%Y%m%d-%H%M%SZ", time.gmtime())
    (RESULTS / f"{stamp}.json").write_text(json.dumps(report, ensure_ascii=False, indent=1, default=str))
    lines = [
        f"# 规划监测 at city scale ({stamp})",
        "",
        f"Command: `{report['command']}`",
        f"Machine: {report['machine']}; load before: {report['uptime_before']}; after: {report['uptime_after']}",
        f"Areas: {report['areas']}; rollup of the whole city: {report['rollup']}",
        "",
        "| page | level | area | p50 ms | p95 ms | max ms | queries |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        lines.append(
            f"| {r['page']} | {r['level']} | {r['area']} | {r['p50']} | {r['p95']} | {r['max']} | {r.get('queries', '')} |"
        )
    (RESULTS / f"{stamp}.md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
