"""The detector's arithmetic on seeded synthetic streams (no database): margins, never timings."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np

from shequ.earlywarning.detect import (
    ClusterParams,
    Episodes,
    RiseParams,
    benjamini_hochberg,
    find_new_clusters,
    rise_test,
    upper_tail,
)

START = date(2026, 1, 5)  # a Monday
HISTORY = 84


def stream(*, cells: int, days: int, weekday_shape, seed: int):
    rng = np.random.default_rng(seed)
    rates = rng.gamma(2.0, 1.0, size=cells)
    weekdays = np.array([(START + timedelta(days=j)).weekday() for j in range(days)])
    counts = rng.poisson(rates[:, None] * np.asarray(weekday_shape)[weekdays][None, :])
    groups = np.arange(cells) % 8
    return counts, weekdays, groups


def run_days(counts, weekdays, groups, params, days):
    flags = np.zeros_like(counts, dtype=bool)
    for t in days:
        res = rise_test(
            counts[:, t - HISTORY : t],
            counts[:, t],
            groups=groups,
            weekdays=weekdays[t - HISTORY : t],
            weekday_today=int(weekdays[t]),
            params=params,
        )
        flags[:, t] = res.flagged
    return flags


def test_a_flat_poisson_stream_raises_almost_no_warnings():
    counts, weekdays, groups = stream(cells=300, days=HISTORY + 56, weekday_shape=[1] * 7, seed=7)
    flags = run_days(counts, weekdays, groups, RiseParams(), range(HISTORY, HISTORY + 56))
    # 300 cells × 56 days = 16,800 cell-days with nothing going on: a handful of warnings at most.
    assert flags.sum() <= 5


def test_an_injected_rise_is_found_and_it_is_the_strongest_signal_of_the_day():
    counts, weekdays, groups = stream(cells=300, days=HISTORY + 1, weekday_shape=[1] * 7, seed=11)
    counts[42, HISTORY] += 10
    res = rise_test(
        counts[:, :HISTORY],
        counts[:, HISTORY],
        groups=groups,
        weekdays=weekdays[:HISTORY],
        weekday_today=int(weekdays[HISTORY]),
        params=RiseParams(),
    )
    assert res.flagged[42]
    assert int(np.argmin(res.p_value)) == 42
    assert res.flagged.sum() <= 2


def test_a_normal_monday_peak_is_not_a_warning_but_the_same_detector_blind_to_weekdays_would_warn():
    shape = [3.0, 1.2, 1.0, 1.0, 1.0, 0.4, 0.3]  # Mondays three times a Wednesday, weekends quiet
    counts, weekdays, groups = stream(cells=300, days=HISTORY + 56, weekday_shape=shape, seed=3)
    mondays = [t for t in range(HISTORY, HISTORY + 56) if weekdays[t] == 0]
    aware = run_days(counts, weekdays, groups, RiseParams(), mondays)
    # Plain Poisson (no overdispersion to absorb the weekly swing), with and without the weekday factors:
    # shrinking the factors to 1 (a huge prior) is the same detector blind to weekdays.
    aware_poisson = run_days(counts, weekdays, groups, RiseParams(max_dispersion=0.0), mondays)
    blind_poisson = run_days(
        counts, weekdays, groups, RiseParams(max_dispersion=0.0, weekday_pseudo=1e9), mondays
    )
    assert aware.sum() <= 3
    assert aware_poisson.sum() <= 3
    assert blind_poisson.sum() >= 50


def test_a_minimum_count_keeps_single_appeals_in_quiet_cells_from_warning():
    history = np.zeros((1, HISTORY))
    res = rise_test(
        history,
        np.array([2]),
        groups=np.array([0]),
        weekdays=np.arange(HISTORY) % 7,
        weekday_today=0,
        params=RiseParams(min_count=3),
    )
    assert res.p_value[0] < 0.01  # improbable on its own…
    assert not res.flagged[0]  # …but two appeals are not a warning


def test_overdispersion_makes_the_same_count_less_surprising():
    mu = np.array([2.0, 2.0])
    p = upper_tail(np.array([8, 8]), mu, np.array([0.0, 0.5]))
    assert p[0] < p[1]


def test_benjamini_hochberg_keeps_the_step_up_set():
    p = np.array([0.001, 0.008, 0.039, 0.041, 0.042, 0.06, 0.074, 0.205, 0.212, 0.216])
    assert benjamini_hochberg(p, 0.05).tolist() == [True, True] + [False] * 8
    assert benjamini_hochberg(np.array([0.01, 0.02]), 0.05).tolist() == [True, True]
    assert benjamini_hochberg(np.array([]), 0.05).tolist() == []


def test_a_cell_that_warned_stays_quiet_for_its_refractory_period():
    ep = Episodes(refractory_days=7)
    day = date(2026, 4, 1)
    assert ep.admit("noise:440304001001", day)
    assert not ep.admit("noise:440304001001", day + timedelta(days=6))
    assert ep.admit("noise:440304002001", day + timedelta(days=1))
    assert ep.admit("noise:440304001001", day + timedelta(days=7))


def _around(lat, lng, n, metres, rng):
    d = metres / 111_000
    return np.column_stack([lat + rng.uniform(-d, d, n), lng + rng.uniform(-d, d, n)])


def test_a_sudden_cluster_is_new_and_a_standing_hot_spot_is_not():
    rng = np.random.default_rng(5)
    city = np.column_stack([rng.uniform(22.50, 22.60, 40), rng.uniform(113.95, 114.10, 40)])
    burst = _around(22.545, 114.055, 6, 60, rng)
    current = np.vstack([city[:10], burst])
    quiet_past = city[10:]
    found = find_new_clusters(current, quiet_past, ClusterParams())
    assert len(found) == 1
    assert sorted(found[0].members) == list(range(10, 16))
    assert abs(found[0].lat - 22.545) < 0.001

    busy_past = np.vstack([quiet_past, _around(22.545, 114.055, 60, 60, rng)])  # ~2 a day there for 4 weeks
    assert find_new_clusters(current, busy_past, ClusterParams()) == []


def test_scattered_points_make_no_cluster():
    rng = np.random.default_rng(9)
    city = np.column_stack([rng.uniform(22.50, 22.60, 30), rng.uniform(113.95, 114.10, 30)])
    assert find_new_clusters(city, np.zeros((0, 2)), ClusterParams()) == []
