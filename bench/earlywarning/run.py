"""Early-warning bench: detection rate, false warnings per week and detection delay on a synthetic appeal stream
with injected outbreaks, for the production detector at several thresholds and a naive baseline, in one command.

    .venv/bin/python bench/earlywarning/run.py [--seeds 1,2,3] [--days 365]

The stream (synthetic, labelled so in the output): categories × communities grouped into streets, each cell with
its own base rate, a weekday shape per category (busy Mondays, quiet weekends), an annual season per category and
extra-Poisson day-to-day noise (a gamma-distributed daily multiplier, as real appeal counts are overdispersed).
Outbreaks of known place, start, length and size are added on top: most in one community, some spread over a whole
street. Each day the detector sees only the past (84 days of history) and the day itself, exactly as the daily task
does: the same functions of shequ.earlywarning.detect (rise_test, drop_streets_told_by_a_community, Episodes for
the refractory period) that services.warnings_detect calls on the database's counts.

Scoring. An outbreak is detected when a warning for its category fires, between its first and last day, in a cell
that covers it (its community or its street; for a street-wide one, the street or any of its communities). The delay
is the first such day minus the start (0 = the first day). Every other warning is a false warning.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from shequ.earlywarning.detect import (  # noqa: E402
    Episodes,
    RiseParams,
    drop_streets_told_by_a_community,
    rise_test,
)

START = date(2025, 1, 6)  # a Monday; the stream is synthetic, the dates only give weekdays and seasons
CATEGORIES = ["sanitation", "noise", "parking", "property_service", "water_supply", "road_damage"]
WEEKDAY_SHAPES = {
    "sanitation": [1.3, 1.1, 1.0, 1.0, 1.0, 0.8, 0.8],
    "noise": [1.0, 0.9, 0.9, 0.9, 1.1, 1.5, 1.6],  # weekends are louder
    "parking": [1.4, 1.2, 1.1, 1.0, 1.0, 0.6, 0.5],
    "property_service": [1.5, 1.2, 1.1, 1.0, 1.0, 0.5, 0.4],
    "water_supply": [1.0] * 7,
    "road_damage": [1.4, 1.2, 1.1, 1.0, 1.0, 0.4, 0.3],
}
SEASON = {  # amplitude and peak day of year of the annual cycle
    "sanitation": (0.3, 200),  # summer heat
    "noise": (0.2, 180),
    "parking": (0.1, 30),
    "property_service": (0.15, 240),
    "water_supply": (0.35, 220),  # typhoon months
    "road_damage": (0.3, 210),
}


@dataclass
class Outbreak:
    category: int
    community: int | None  # None: street-wide
    street: int
    start: int  # day index
    length: int
    extra_per_day: float  # mean extra appeals per day (over the whole place)


@dataclass
class Stream:
    counts: np.ndarray  # (categories, communities, days)
    street_of: np.ndarray  # (communities,)
    outbreaks: list[Outbreak]
    weekdays: np.ndarray


def make_stream(
    seed: int, *, days: int, warmup: int, streets: int, per_street: int, outbreaks: int
) -> Stream:
    rng = np.random.default_rng(seed)
    n_comm = streets * per_street
    k = len(CATEGORIES)
    total = warmup + days
    dates = [START + timedelta(days=i) for i in range(total)]
    weekdays = np.array([d.weekday() for d in dates])
    doy = np.array([d.timetuple().tm_yday for d in dates])
    base = rng.gamma(1.5, 0.5, size=(k, n_comm))  # mean 0.75 appeals a day per cell, some cells much busier
    mean = np.empty((k, n_comm, total))
    for c, name in enumerate(CATEGORIES):
        amp, peak = SEASON[name]
        season = 1 + amp * np.cos(2 * np.pi * (doy - peak) / 365.25)
        mean[c] = base[c][:, None] * (np.array(WEEKDAY_SHAPES[name])[weekdays] * season)[None, :]
    noise = rng.gamma(20.0, 1 / 20.0, size=mean.shape)  # overdispersion: var = mu + mu^2/20
    street_of = np.repeat(np.arange(streets), per_street)
    events: list[Outbreak] = []
    extra = np.zeros_like(mean)
    for _ in range(outbreaks):
        c = int(rng.integers(k))
        street_wide = rng.random() < 0.3
        s = int(rng.integers(streets))
        comm = None if street_wide else int(rng.choice(np.nonzero(street_of == s)[0]))
        start = int(warmup + rng.integers(0, days - 10))
        length = int(rng.integers(3, 8))
        size = float(rng.choice([2.0, 3.0, 4.0, 6.0]))
        events.append(Outbreak(c, comm, s, start, length, size))
        members = np.nonzero(street_of == s)[0] if comm is None else np.array([comm])
        extra[c, members, start : start + length] += size / len(members)
    counts = rng.poisson(mean * noise + extra)
    return Stream(counts=counts, street_of=street_of, outbreaks=events, weekdays=weekdays)


# --- detectors over one stream ------------------------------------------------------------------------------------
def cells_of(stream: Stream):
    """Production's cells: category × community and category × street, with their groups (category × level)."""
    k, n_comm, _ = stream.counts.shape
    streets = int(stream.street_of.max()) + 1
    rows, keys, groups = [], [], []
    for c in range(k):
        for m in range(n_comm):
            rows.append(stream.counts[c, m])
            keys.append((str(c), "community", f"m{m}"))
            groups.append(2 * c)
        for s in range(streets):
            rows.append(stream.counts[c, stream.street_of == s].sum(axis=0))
            keys.append((str(c), "street", f"s{s}"))
            groups.append(2 * c + 1)
    street_of = {f"m{m}": f"s{stream.street_of[m]}" for m in range(n_comm)}
    return np.array(rows, dtype=float), keys, np.array(groups), street_of


def run_detector(stream: Stream, warmup: int, detector) -> list[tuple[int, tuple]]:
    matrix, keys, groups, street_of = cells_of(stream)
    params = RiseParams()
    episodes = Episodes(params.refractory_days)
    alarms = []
    for t in range(warmup, matrix.shape[1]):
        lo = t - params.history_days
        flags = detector(
            matrix[:, lo:t], matrix[:, t], groups, stream.weekdays[lo:t], int(stream.weekdays[t])
        )
        flagged = drop_streets_told_by_a_community([keys[i] for i in np.nonzero(flags)[0]], street_of)
        day = START + timedelta(days=t)
        for key in flagged:
            if episodes.admit(key, day):
                alarms.append((t, key))
    return alarms


def production(params: RiseParams):
    def detector(history, today, groups, weekdays, weekday_today):
        return rise_test(
            history, today, groups=groups, weekdays=weekdays, weekday_today=weekday_today, params=params
        ).flagged

    return detector


def naive(history, today, groups, weekdays, weekday_today):
    """The fixed rule a spreadsheet would use: more than twice the trailing 28-day mean, and at least 3."""
    trailing = history[:, -28:].mean(axis=1)
    return (today > 2 * trailing) & (today >= 3)


def naive_strict(history, today, groups, weekdays, weekday_today):
    """The same rule made stricter, to compare at fewer false warnings: more than 3 x the mean, and at least 5."""
    trailing = history[:, -28:].mean(axis=1)
    return (today > 3 * trailing) & (today >= 5)


def score(stream: Stream, alarms, warmup: int, days: int) -> dict:
    used = set()
    delays = []
    for ob in stream.outbreaks:
        hits = []
        for i, (t, key) in enumerate(alarms):
            if ob.start <= t < ob.start + ob.length and _covers(stream, key, ob):
                used.add(i)
                hits.append(t)
        if hits:
            delays.append(min(hits) - ob.start)
    false = len(alarms) - len(used)
    return {
        "outbreaks": len(stream.outbreaks),
        "detected": len(delays),
        "delays": delays,
        "false": false,
        "weeks": days / 7,
        "alarms": len(alarms),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--seeds", default="1,2,3")
    ap.add_argument(
        "--days", type=int, default=365, help="evaluated days per stream (after 84 days of warm-up)"
    )
    ap.add_argument("--streets", type=int, default=10)
    ap.add_argument("--per-street", type=int, default=6)
    ap.add_argument("--outbreaks", type=int, default=40, help="injected outbreaks per stream")
    args = ap.parse_args()
    warmup = RiseParams().history_days
    detectors = {
        "production, BH fdr 0.05": production(RiseParams(fdr=0.05)),
        "production, BH fdr 0.01 (default)": production(RiseParams(fdr=0.01)),
        "production, BH fdr 0.001": production(RiseParams(fdr=0.001)),
        "production, fixed p < 1e-4": production(RiseParams(p_threshold=1e-4)),
        "naive strict: > 3 x trailing 28-day mean, >= 5": naive_strict,
        "naive: > 2 x trailing 28-day mean, >= 3": naive,
    }
    totals = {
        name: {"outbreaks": 0, "detected": 0, "delays": [], "false": 0, "weeks": 0.0, "seconds": 0.0}
        for name in detectors
    }
    by_size: dict[str, dict[float, list[int]]] = {name: {} for name in detectors}
    cells = 0
    for seed in [int(s) for s in args.seeds.split(",")]:
        stream = make_stream(
            seed,
            days=args.days,
            warmup=warmup,
            streets=args.streets,
            per_street=args.per_street,
            outbreaks=args.outbreaks,
        )
        cells = cells_of(stream)[0].shape[0]
        for name, det in detectors.items():
            started = time.perf_counter()
            alarms = run_detector(stream, warmup, det)
            elapsed = time.perf_counter() - started
            s = score(stream, alarms, warmup, args.days)
            t = totals[name]
            for key in ("outbreaks", "detected", "false"):
                t[key] += s[key]
            t["delays"] += s["delays"]
            t["weeks"] += s["weeks"]
            t["seconds"] += elapsed
            for ob in stream.outbreaks:
                hit = any(
                    ob.start <= tt < ob.start + ob.length and _covers(stream, key, ob) for tt, key in alarms
                )
                by_size[name].setdefault(ob.extra_per_day, [0, 0])
                by_size[name][ob.extra_per_day][0] += int(hit)
                by_size[name][ob.extra_per_day][1] += 1
    rows = []
    for name, t in totals.items():
        d = np.array(t["delays"]) if t["delays"] else np.array([np.nan])
        rows.append(
            {
                "detector": name,
                "detected": f"{t['detected']}/{t['outbreaks']}",
                "detection_rate": t["detected"] / t["outbreaks"],
                "false_per_week": t["false"] / t["weeks"],
                "delay_median": float(np.nanmedian(d)),
                "delay_p90": float(np.nanpercentile(d, 90)),
                "seconds_per_day": t["seconds"] / (t["weeks"] * 7),
                "by_size": {str(k): f"{v[0]}/{v[1]}" for k, v in sorted(by_size[name].items())},
            }
        )
    naive_row = rows[-1]
    print(
        f"synthetic stream: seeds {args.seeds}, {args.days} days each after {warmup} of warm-up, "
        f"{len(CATEGORIES)} categories x {args.streets * args.per_street} communities in {args.streets} streets "
        f"({cells} cells a day), {args.outbreaks} outbreaks per stream"
    )
    print(
        f"machine: {os.cpu_count()} cores, {platform.processor() or platform.machine()}, Python {platform.python_version()}"
    )
    print()
    print(
        "| detector | detected | rate | false warnings / week | ratio of false to naive | delay median / p90 (days) | by extra appeals a day (2 / 3 / 4 / 6) | ms per day |"
    )
    print("|---|---|---|---|---|---|---|---|")
    for r in rows:
        ratio = (
            r["false_per_week"] / naive_row["false_per_week"] if naive_row["false_per_week"] else float("nan")
        )
        sizes = " / ".join(r["by_size"].values())
        print(
            f"| {r['detector']} | {r['detected']} | {r['detection_rate']:.2f} | {r['false_per_week']:.2f} | {ratio:.2f} | "
            f"{r['delay_median']:.0f} / {r['delay_p90']:.0f} | {sizes} | {1000 * r['seconds_per_day']:.1f} |"
        )
    out = Path(__file__).parent / "results"
    out.mkdir(exist_ok=True)
    stamp = time.strftime("%Y%m%d-%H%M%SZ", time.gmtime())
    (out / f"{stamp}.json").write_text(
        json.dumps(
            {"args": vars(args), "cells": cells, "synthetic": True, "rows": rows},
            indent=1,
            ensure_ascii=False,
        )
    )
    print(f"\nraw: {out / (stamp + '.json')}")


def _covers(stream: Stream, key, ob: Outbreak) -> bool:
    cat, level, code = key
    if int(cat) != ob.category:
        return False
    if level == "street":
        return code == f"s{ob.street}"
    m = int(code[1:])
    return (ob.community is None and stream.street_of[m] == ob.street) or ob.community == m


if __name__ == "__main__":
    main()
