"""The detector's arithmetic: pure functions over counts and points, no database.

The daily service (services.warnings_detect) and the benchmark (bench/earlywarning) call the same functions, so
what the bench measures is what production runs.

Rises. For each cell (category × street, category × community) the expected count of a day is

    expected = level × weekday factor

- the **weekday factor** of the day's weekday is pooled over all cells of the same category and level (one cell
  has too few appeals to learn a weekday shape), from the last `history_days` days, shrunk towards 1 by
  `weekday_pseudo` pseudo-counts where the data are thin; a normal Monday peak is thus expected, not a warning;
- the **level** is an exponentially weighted mean (half-life `half_life_days`) of the cell's weekday-adjusted
  counts: it follows the season (summer noise, the typhoon months, the school year) within a few weeks without a
  model of the calendar, and never falls below `level_floor`;
- the day's count is tested against a **negative binomial** upper tail, P(Y ≥ observed), whose overdispersion
  (var = μ + φμ²) is estimated per category and level by the method of moments on the same history (φ = 0 is the
  Poisson case);
- only cells with at least `min_count` appeals are tested, and the cells that pass are those kept by
  **Benjamini–Hochberg** at false-discovery rate `fdr` over the day's tested cells (or, with `p_threshold` set, a
  fixed p-value threshold).

A cell that has just warned does not warn again for `refractory_days` days (`is_new_episode`): an outbreak is one
warning, not one a day.

Clusters. DBSCAN (haversine) on the located appeals of one category in the last `window_days` days; a cluster is
*new* when its size is improbable (Poisson upper tail below `p_threshold`) given how many appeals of the category
fell within its radius in the `background_days` before: a permanent hot spot (a market, a busy crossing) is not
news, a sudden one is.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date

import numpy as np
from scipy import stats

EARTH_RADIUS_M = 6_371_000.0


# --- rises ----------------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class RiseParams:
    history_days: int = 84  # 12 weeks of baseline
    min_history_days: int = 14  # fewer days than this: no baseline yet, no rise warnings
    half_life_days: float = 14.0
    min_count: int = 3
    fdr: float = 0.01
    p_threshold: float | None = None  # set: a fixed threshold instead of Benjamini–Hochberg
    weekday_pseudo: float = 10.0
    level_floor: float = 0.05
    max_dispersion: float = 2.0
    refractory_days: int = 7


@dataclass
class RiseResult:
    expected: np.ndarray  # per cell, today's expected count
    p_value: np.ndarray  # per cell, P(Y ≥ observed)
    flagged: np.ndarray  # per cell, bool
    level: np.ndarray  # per cell, the weekday-adjusted level
    weekday_factor: np.ndarray  # per cell, the factor of today's weekday
    dispersion: np.ndarray  # per cell, φ of its group
    tested: int  # how many cells were tested (the Benjamini–Hochberg family)


def weekday_factors(
    history: np.ndarray, groups: np.ndarray, weekdays: np.ndarray, n_groups: int, pseudo: float
) -> np.ndarray:
    """(n_groups, 7) multiplicative weekday factors, averaging 1 over the history's days."""
    n_days = history.shape[1]
    per_weekday = np.zeros((history.shape[0], 7))
    days_of = np.zeros(7)
    for k in range(7):
        cols = weekdays == k
        days_of[k] = cols.sum()
        if days_of[k]:
            per_weekday[:, k] = history[:, cols].sum(axis=1)
    totals = np.zeros((n_groups, 7))
    np.add.at(totals, groups, per_weekday)
    daily_mean = totals.sum(axis=1, keepdims=True) / max(n_days, 1)  # (G, 1)
    expected_if_flat = daily_mean * days_of[None, :]
    factors = (totals + pseudo) / (expected_if_flat + pseudo)
    factors[:, days_of == 0] = 1.0
    # Renormalise so that the factors average 1 over the days actually in the history.
    mean_factor = (factors * days_of[None, :]).sum(axis=1, keepdims=True) / max(days_of.sum(), 1)
    return np.asarray(factors / np.where(mean_factor > 0, mean_factor, 1.0))


def upper_tail(observed: np.ndarray, mu: np.ndarray, phi: np.ndarray) -> np.ndarray:
    """P(Y ≥ observed) for Y negative binomial with mean mu and var mu + phi·mu² (Poisson where phi = 0)."""
    observed = np.asarray(observed, dtype=float)
    k = observed - 1
    poisson = stats.poisson.sf(k, mu)
    with np.errstate(divide="ignore", invalid="ignore"):
        size = np.where(phi > 1e-9, 1.0 / np.maximum(phi, 1e-9), 1.0)
        prob = size / (size + mu)
        nb = stats.nbinom.sf(k, size, prob)
    p = np.where(phi > 1e-9, nb, poisson)
    return np.asarray(np.where(observed <= 0, 1.0, p))


def benjamini_hochberg(p: np.ndarray, q: float) -> np.ndarray:
    """Which of the p-values are kept at false-discovery rate q (step-up procedure)."""
    m = len(p)
    if m == 0:
        return np.zeros(0, dtype=bool)
    order = np.argsort(p, kind="stable")
    ranked = p[order]
    below = ranked <= q * (np.arange(1, m + 1) / m)
    keep = np.zeros(m, dtype=bool)
    if below.any():
        last = int(np.nonzero(below)[0].max())
        keep[order[: last + 1]] = True
    return keep


def rise_test(
    history: np.ndarray,
    today: np.ndarray,
    *,
    groups: np.ndarray,
    weekdays: np.ndarray,
    weekday_today: int,
    params: RiseParams,
) -> RiseResult:
    """Test today's counts of every cell against its baseline.

    history: (cells, days) counts, oldest day first, ending yesterday; today: (cells,) counts;
    groups: (cells,) integer group of each cell (category × level) for the pooled weekday factors and dispersion;
    weekdays: (days,) weekday (Monday 0) of each history column.
    """
    history = np.asarray(history, dtype=float)
    today = np.asarray(today, dtype=float)
    groups = np.asarray(groups, dtype=int)
    n_cells, n_days = history.shape
    n_groups = int(groups.max()) + 1 if n_cells else 0
    factors = weekday_factors(history, groups, weekdays, n_groups, params.weekday_pseudo)
    cell_factors = factors[groups][:, weekdays] if n_cells else np.zeros((0, n_days))  # (cells, days)
    age = (n_days - 1) - np.arange(n_days)
    weights = 0.5 ** (age / params.half_life_days)
    adjusted = history / np.where(cell_factors > 0, cell_factors, 1.0)
    level = np.maximum(adjusted @ weights / weights.sum(), params.level_floor)

    # Overdispersion per group, by moments over the history: sum((y-mu)^2 - mu) / sum(mu^2).
    fitted = level[:, None] * cell_factors
    excess = ((history - fitted) ** 2 - fitted).sum(axis=1)
    squares = (fitted**2).sum(axis=1)
    num = np.zeros(max(n_groups, 1))
    den = np.zeros(max(n_groups, 1))
    np.add.at(num, groups, excess)
    np.add.at(den, groups, squares)
    with np.errstate(divide="ignore", invalid="ignore"):
        phi_group = np.clip(np.where(den > 0, num / den, 0.0), 0.0, params.max_dispersion)
    phi = phi_group[groups] if n_cells else np.zeros(0)

    today_factor = factors[groups, weekday_today] if n_cells else np.zeros(0)
    expected = level * today_factor
    p = upper_tail(today, expected, phi)
    candidates = today >= params.min_count
    flagged = np.zeros(n_cells, dtype=bool)
    idx = np.nonzero(candidates)[0]
    if len(idx):
        if params.p_threshold is not None:
            flagged[idx] = p[idx] < params.p_threshold
        else:
            flagged[idx] = benjamini_hochberg(p[idx], params.fdr)
    return RiseResult(
        expected=expected,
        p_value=p,
        flagged=flagged,
        level=level,
        weekday_factor=today_factor,
        dispersion=phi,
        tested=len(idx),
    )


def drop_streets_told_by_a_community(flagged: list[tuple[str, str, str]], street_of: dict[str, str]) -> list:
    """(category, level, code) cells: a street whose rise one of its communities already tells adds nothing.

    The street warns only when the rise is spread over communities none of which stands out alone.
    """
    told = {(cat, street_of[code]) for (cat, level, code) in flagged if level == "community"}
    return [k for k in flagged if not (k[1] == "street" and (k[0], k[2]) in told)]


def is_new_episode(last_warned: date | None, day: date, refractory_days: int) -> bool:
    """A cell that warned less than `refractory_days` days ago is in the same episode: no new warning."""
    return last_warned is None or (day - last_warned).days >= refractory_days


@dataclass
class Episodes:
    """The refractory rule kept in memory (the bench); the service reads the same from its warnings."""

    refractory_days: int
    last: dict = field(default_factory=dict)

    def admit(self, key, day: date) -> bool:
        if is_new_episode(self.last.get(key), day, self.refractory_days):
            self.last[key] = day
            return True
        return False


def score_of(p_value: float) -> float:
    """-log10(p), capped: the sort key of rises and clusters."""
    return float(min(300.0, -math.log10(max(p_value, 1e-300))))


# --- clusters in space and time ----------------------------------------------------------------------------------
@dataclass(frozen=True)
class ClusterParams:
    window_days: int = 3
    background_days: int = 28
    eps_m: float = 200.0
    min_points: int = 4
    p_threshold: float = 0.001
    expected_floor: float = 0.1
    refractory_days: int = 7


@dataclass
class Cluster:
    members: list[int]  # indices into the current points
    lat: float
    lng: float
    radius_m: float
    observed: int
    background: int  # points of the category within the radius in the background period
    expected: float
    p_value: float


def haversine_m(lat1, lng1, lat2, lng2) -> np.ndarray:
    lat1, lng1, lat2, lng2 = (np.radians(np.asarray(v, dtype=float)) for v in (lat1, lng1, lat2, lng2))
    a = np.sin((lat2 - lat1) / 2) ** 2 + np.cos(lat1) * np.cos(lat2) * np.sin((lng2 - lng1) / 2) ** 2
    return np.asarray(2 * EARTH_RADIUS_M * np.arcsin(np.sqrt(np.clip(a, 0, 1))))


def find_new_clusters(current: np.ndarray, background: np.ndarray, params: ClusterParams) -> list[Cluster]:
    """New clusters among `current` (n, 2) lat/lng points given `background` (m, 2) points of the same category."""
    from sklearn.cluster import DBSCAN

    current = np.asarray(current, dtype=float).reshape(-1, 2)
    background = np.asarray(background, dtype=float).reshape(-1, 2)
    if len(current) < params.min_points:
        return []
    labels = DBSCAN(
        eps=params.eps_m / EARTH_RADIUS_M,
        min_samples=params.min_points,
        metric="haversine",
        algorithm="ball_tree",
    ).fit_predict(np.radians(current))
    found: list[Cluster] = []
    for label in sorted(set(labels) - {-1}):
        members = np.nonzero(labels == label)[0]
        lat, lng = current[members].mean(axis=0)
        radius = max(
            params.eps_m, float(haversine_m(lat, lng, current[members, 0], current[members, 1]).max())
        )
        if len(background):
            near = int((haversine_m(lat, lng, background[:, 0], background[:, 1]) <= radius).sum())
        else:
            near = 0
        expected = max(near * params.window_days / params.background_days, params.expected_floor)
        p = float(stats.poisson.sf(len(members) - 1, expected))
        if p < params.p_threshold:
            found.append(
                Cluster(
                    members=[int(i) for i in members],
                    lat=float(lat),
                    lng=float(lng),
                    radius_m=round(radius, 1),
                    observed=len(members),
                    background=near,
                    expected=expected,
                    p_value=p,
                )
            )
    return found
