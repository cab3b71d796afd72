"""bench/circle: the 15-minute circle for a whole city, every building against every required facility type,
with the grid index that circle_compute uses against the brute force (every building x every facility), in one run.

A synthetic Shenzhen-sized city in memory (no database: this measures the computation circle_compute runs; its
database reads and writes are one query per table and bulk inserts): buildings and facilities clustered around
community centres inside Shenzhen's box. The two methods must agree exactly (the run fails otherwise).

    flock /tmp/shequ-bench.lock .venv/bin/python bench/circle/run.py                       # 20,000 buildings
    flock /tmp/shequ-bench.lock .venv/bin/python bench/circle/run.py --buildings 60000 --brute-sample 5000
"""

from __future__ import annotations

import argparse
import math
import os
import platform
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")
import django

django.setup()

from shequ.facilities.choices import CIRCLE_REQUIRED  # noqa: E402
from shequ.facilities.circle import (  # noqa: E402
    Network,
    Place,
    crow_distances,
    crow_distances_brute,
    network_distances,
)

BOX = (22.45, 22.80, 113.80, 114.50)  # lat min/max, lng min/max
M_PER_DEG = 111_195.0


def offset(rng: random.Random, lat: float, lng: float, metres: float) -> tuple[float, float]:
    r, a = metres * math.sqrt(rng.random()), rng.random() * 2 * math.pi
    return lat + r * math.cos(a) / M_PER_DEG, lng + r * math.sin(a) / (
        M_PER_DEG * math.cos(math.radians(lat))
    )


def city(seed: int, buildings: int, communities: int) -> tuple[list[Place], dict[str, list[Place]]]:
    rng = random.Random(seed)
    centres = [(rng.uniform(BOX[0], BOX[1]), rng.uniform(BOX[2], BOX[3])) for _ in range(communities)]
    places = []
    for i in range(buildings):
        lat, lng = centres[i % communities]
        places.append(Place(i, *offset(rng, lat, lng, 1500), rng.randint(60, 480)))
    chances = dict(zip(CIRCLE_REQUIRED, (1.0, 0.7, 0.6, 0.3, 0.5, 0.4), strict=True))
    facilities: dict[str, list[Place]] = {}
    for code, chance in chances.items():
        facilities[code] = [
            Place(n, *offset(rng, lat, lng, 500))
            for n, (lat, lng) in enumerate(centres)
            if rng.random() < chance
        ]
    return places, facilities


def lattice(origin: tuple[float, float], size_m: float, step_m: float) -> Network:
    """A square walking lattice (a street every step_m metres) as a stand-in for a loaded network."""
    n = int(size_m // step_m) + 1
    lat0, lng0 = origin
    kx = M_PER_DEG * math.cos(math.radians(lat0))
    nodes = [
        (i * n + j, lat0 + i * step_m / M_PER_DEG, lng0 + j * step_m / kx) for i in range(n) for j in range(n)
    ]
    edges = []
    for i in range(n):
        for j in range(n):
            if j + 1 < n:
                edges.append((i * n + j, i * n + j + 1, step_m))
            if i + 1 < n:
                edges.append((i * n + j, (i + 1) * n + j, step_m))
    return Network.build(nodes, edges)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--buildings", type=int, default=20_000)
    parser.add_argument("--communities", type=int, default=800)
    parser.add_argument(
        "--brute-sample", type=int, default=0, help="brute force on the first N buildings only"
    )
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    places, facilities = city(args.seed, args.buildings, args.communities)
    brute_places = places[: args.brute_sample] if args.brute_sample else places
    total_fac = sum(len(v) for v in facilities.values())
    print(
        f"machine: {platform.node()} {platform.processor() or platform.machine()}, {os.cpu_count()} CPUs, "
        f"Python {platform.python_version()}"
    )
    print(
        f"city: {len(places)} buildings, {len(CIRCLE_REQUIRED)} required types, {total_fac} facilities, seed {args.seed}"
    )

    t = time.perf_counter()
    fast = {code: crow_distances(places, fac) for code, fac in facilities.items()}
    grid_s = time.perf_counter() - t

    t = time.perf_counter()
    slow = {code: crow_distances_brute(brute_places, fac) for code, fac in facilities.items()}
    brute_s = time.perf_counter() - t
    keys = {p.key for p in brute_places}
    for code in facilities:
        got = {k: v for k, v in fast[code].items() if k in keys}
        if got.keys() != slow[code].keys() or any(abs(got[k] - slow[code][k]) > 1e-6 for k in got):
            print(f"MISMATCH for {code}")
            return 1
    brute_full = brute_s * len(places) / len(brute_places)
    covered = sum(p.weight for p in places if all(p.key in fast[c] for c in facilities))
    population = sum(p.weight for p in places)
    print(f"grid index (circle_compute):  {grid_s:8.2f} s for every building and type")
    label = "brute force" if not args.brute_sample else f"brute force ({len(brute_places)} buildings)"
    print(
        f"{label:<29} {brute_s:8.2f} s"
        + (f"  -> {brute_full:.1f} s for the city" if args.brute_sample else "")
    )
    print(f"ratio brute/grid: {brute_full / grid_s:.1f}x; results identical")
    print(f"residents inside a full circle: {covered}/{population} ({100 * covered / population:.1f}%)")

    # Along a walking network: a 6 km x 6 km lattice (a street every 100 m, 3,721 nodes) around the city's centre.
    centre = ((BOX[0] + BOX[1]) / 2, (BOX[2] + BOX[3]) / 2)
    network = lattice(centre, 6000, 100)
    inside = [
        p for p in places if abs(p.lat - centre[0] - 0.027) < 0.027 and abs(p.lng - centre[1] - 0.029) < 0.029
    ]
    t = time.perf_counter()
    snapper = network.snapper()
    for fac in facilities.values():
        network_distances(network, inside, fac, snapper=snapper)
    net_s = time.perf_counter() - t
    print(
        f"walking network: {len(network.nodes)} nodes, {len(inside)} buildings on it, every type: {net_s:.2f} s"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
