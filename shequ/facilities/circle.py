"""The 15-minute service circle by population (plan 5.1 15分钟服务圈): pure computation, no database.

Who reaches what: every building (a point with its residents) against the facilities of each required type,
within CIRCLE_METRES on foot. Two measures:

- as the crow flies: a uniform grid of cells one radius wide over a local plane; a building only looks at the
  facilities of its own and the eight neighbouring cells, then measures each candidate exactly (haversine), so the
  result is the brute force's, at a fraction of the pairs (bench/circle measures both in one run);
- along a walking network: the facilities of a type are the sources of one Dijkstra over the network, cut off at
  the radius; a building reaches the type when the walk to its nearest node plus that node's distance is within
  the radius. The walks to and from the network (snapping) count as walking. A building or facility farther than
  SNAP_MAX_M from any node is off the network: the building gets no network figure (None), the facility is no
  source.

Greedy site choice: the candidate that adds the most uncovered residents first, then the next against what is
still uncovered, and so on (the classic greedy for maximum coverage: within 1 - 1/e of the best choice of k).
"""

from __future__ import annotations

import heapq
import math
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from .choices import CIRCLE_METRES
from .geodesy import METRES_PER_DEGREE_LAT, haversine_m

SNAP_MAX_M = 300.0


@dataclass(frozen=True)
class Place:
    """A point that is counted or that serves: a building (weight = residents), a facility, a candidate site."""

    key: int
    lat: float
    lng: float
    weight: int = 0


class Grid:
    """Points bucketed in square cells of `cell_m` metres on a local plane (equirectangular at `lat0`).

    The plane's east-west scale is taken at the latitude farthest from the equator among the points, where a
    degree of longitude is shortest, and cells are 1 % wider than asked: a cell is then never narrower on the
    ground than `cell_m`, so a search of the 3x3 block around a point misses nothing within `cell_m`.
    """

    def __init__(self, points: Iterable[Place], cell_m: float) -> None:
        self.points = list(points)
        lats = [abs(p.lat) for p in self.points] or [0.0]
        self.kx = METRES_PER_DEGREE_LAT * math.cos(math.radians(min(89.0, max(lats) + 0.5)))
        self.ky = METRES_PER_DEGREE_LAT
        self.cell = cell_m * 1.01
        self.cells: dict[tuple[int, int], list[Place]] = defaultdict(list)
        for p in self.points:
            self.cells[self._cell(p.lat, p.lng)].append(p)

    def _cell(self, lat: float, lng: float) -> tuple[int, int]:
        return math.floor(lng * self.kx / self.cell), math.floor(lat * self.ky / self.cell)

    def near(self, lat: float, lng: float) -> Iterable[Place]:
        cx, cy = self._cell(lat, lng)
        for dx in (-1, 0, 1):
            for dy in (-1, 0, 1):
                yield from self.cells.get((cx + dx, cy + dy), ())

    def nearest_within(self, lat: float, lng: float, radius_m: float) -> tuple[Place, float] | None:
        best: tuple[Place, float] | None = None
        for p in self.near(lat, lng):
            d = haversine_m(lat, lng, p.lat, p.lng)
            if d <= radius_m and (best is None or (d, p.key) < (best[1], best[0].key)):
                best = (p, d)
        return best


def crow_distances(
    buildings: Sequence[Place], facilities: Sequence[Place], radius_m: float = CIRCLE_METRES
) -> dict[int, float]:
    """building key → metres to the nearest facility, for the buildings with one within radius_m."""
    if not facilities:
        return {}
    grid = Grid(facilities, radius_m)
    found: dict[int, float] = {}
    for b in buildings:
        hit = grid.nearest_within(b.lat, b.lng, radius_m)
        if hit is not None:
            found[b.key] = hit[1]
    return found


def crow_distances_brute(
    buildings: Sequence[Place], facilities: Sequence[Place], radius_m: float = CIRCLE_METRES
) -> dict[int, float]:
    """The baseline: every building against every facility. Same answer as crow_distances, by definition."""
    found: dict[int, float] = {}
    for b in buildings:
        best = math.inf
        for f in facilities:
            d = haversine_m(b.lat, b.lng, f.lat, f.lng)
            if d < best:
                best = d
        if best <= radius_m:
            found[b.key] = best
    return found


@dataclass
class Network:
    """A walking network: nodes (key, lat, lng) and undirected edges with their length in metres."""

    nodes: dict[int, tuple[float, float]]
    adjacency: dict[int, list[tuple[int, float]]]

    @classmethod
    def build(
        cls, nodes: Iterable[tuple[int, float, float]], edges: Iterable[tuple[int, int, float]]
    ) -> Network:
        node_map = {k: (lat, lng) for k, lat, lng in nodes}
        adjacency: dict[int, list[tuple[int, float]]] = defaultdict(list)
        for a, b, metres in edges:
            adjacency[a].append((b, metres))
            adjacency[b].append((a, metres))
        return cls(node_map, adjacency)

    def snapper(self) -> Grid:
        return Grid((Place(k, lat, lng) for k, (lat, lng) in self.nodes.items()), SNAP_MAX_M)

    def distances(self, sources: dict[int, float], cutoff: float) -> dict[int, float]:
        """Multi-source Dijkstra: node → shortest distance from any source (starting at its own offset)."""
        best: dict[int, float] = {}
        heap = [(d, n) for n, d in sources.items() if d <= cutoff]
        heapq.heapify(heap)
        while heap:
            d, n = heapq.heappop(heap)
            if n in best:
                continue
            best[n] = d
            for m, w in self.adjacency.get(n, ()):
                nd = d + w
                if nd <= cutoff and m not in best:
                    heapq.heappush(heap, (nd, m))
        return best


def network_distances(
    network: Network,
    buildings: Sequence[Place],
    facilities: Sequence[Place],
    radius_m: float = CIRCLE_METRES,
    snapper: Grid | None = None,
) -> tuple[dict[int, float], set[int]]:
    """(building key → walking metres to the nearest facility within radius_m, keys of buildings on the network).

    A building off the network (no node within SNAP_MAX_M) is in neither: it has no network figure."""
    snapper = snapper or network.snapper()
    sources: dict[int, float] = {}
    for f in facilities:
        hit = snapper.nearest_within(f.lat, f.lng, SNAP_MAX_M)
        if hit is not None:
            node, d = hit
            sources[node.key] = min(d, sources.get(node.key, math.inf))
    reached = network.distances(sources, radius_m) if sources else {}
    found: dict[int, float] = {}
    on_network: set[int] = set()
    for b in buildings:
        hit = snapper.nearest_within(b.lat, b.lng, SNAP_MAX_M)
        if hit is None:
            continue
        on_network.add(b.key)
        node, d = hit
        total = reached.get(node.key, math.inf) + d
        if total <= radius_m:
            found[b.key] = total
    return found, on_network


@dataclass(frozen=True)
class Pick:
    candidate: int
    adds: int  # residents newly inside the circle with this site
    covered_after: int  # residents inside the circle once this and the earlier picks are built


def greedy_sites(
    uncovered: Sequence[Place],
    candidates: Sequence[Place],
    *,
    already_covered: int = 0,
    limit: int = 5,
    radius_m: float = CIRCLE_METRES,
) -> list[Pick]:
    """Pick up to `limit` candidates, each time the one adding the most still-uncovered residents (ties: the lower
    key). Stops early when no candidate adds anyone."""
    grid = Grid(uncovered, radius_m)
    reach: dict[int, set[int]] = {}
    for c in candidates:
        reach[c.key] = {
            b.key for b in grid.near(c.lat, c.lng) if haversine_m(c.lat, c.lng, b.lat, b.lng) <= radius_m
        }
    weight = {b.key: b.weight for b in uncovered}
    left = set(weight)
    picks: list[Pick] = []
    covered = already_covered
    for _ in range(limit):
        best_key, best_gain = None, 0
        for key in sorted(reach):
            gain = sum(weight[b] for b in reach[key] & left)
            if gain > best_gain:
                best_key, best_gain = key, gain
        if best_key is None:
            break
        left -= reach.pop(best_key)
        covered += best_gain
        picks.append(Pick(best_key, best_gain, covered))
    return picks
