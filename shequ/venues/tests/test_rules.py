"""Properties of the booking rules (Hypothesis): quotas and notice limits as documented in shequ/venues/rules.py, and
the draw of shequ/venues/draws.py reproducible from its seed and favouring recent losers."""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shequ.core.errors import ShequError
from shequ.venues import draws, rules
from shequ.venues.choices import QuotaMeasure, QuotaPeriod, SlotMode

from .helpers import SHANGHAI

BASE = datetime(2026, 3, 2, 0, 0, tzinfo=SHANGHAI)  # a Monday
LAYOUT = rules.LayoutData(SlotMode.FREE, 30, 60, 14, 240)

spans = st.lists(
    st.tuples(st.integers(0, 60 * 24 * 40 // 30), st.integers(1, 8)).map(
        lambda t: (BASE + timedelta(minutes=30 * t[0]), BASE + timedelta(minutes=30 * (t[0] + t[1])))
    ),
    max_size=12,
)
quota = st.builds(
    rules.QuotaRule,
    period=st.sampled_from(list(QuotaPeriod.values)),
    measure=st.sampled_from(list(QuotaMeasure.values)),
    limit=st.integers(0, 10),
)


def _total(rule: rules.QuotaRule, items, key) -> float:
    return sum(
        ((b - a).total_seconds() / 3600 if rule.measure == QuotaMeasure.HOURS else 1)
        for a, b in items
        if rules.period_key(rule.period, a) == key
    )


@given(rule=quota, held=spans, new=spans)
def test_a_quota_is_breached_exactly_when_a_touched_period_goes_over_its_limit(rule, held, new):
    expected = any(_total(rule, held + new, rules.period_key(rule.period, a)) > rule.limit for a, _b in new)
    assert (rules.quota_breach([rule], held, new) is not None) == expected


@given(rule=quota, held=spans, new=spans, extra=spans)
def test_adding_bookings_never_turns_a_breach_into_no_breach(rule, held, new, extra):
    """Monotone: a series refused stays refused with more weeks in it (the whole series is judged together)."""
    if rules.quota_breach([rule], held, new) is not None:
        assert rules.quota_breach([rule], held, new + extra) is not None


@given(rule=quota, held=spans, new=spans)
def test_a_series_passes_only_if_each_of_its_periods_passes(rule, held, new):
    whole = rules.quota_breach([rule], held, new) is None
    by_period: dict = {}
    for span in new:
        by_period.setdefault(rules.period_key(rule.period, span[0]), []).append(span)
    assert whole == all(rules.quota_breach([rule], held, group) is None for group in by_period.values())


@given(minutes_ahead=st.integers(-60 * 24, 60 * 24 * 20))
def test_notice_is_accepted_exactly_between_the_minimum_and_the_maximum(minutes_ahead):
    now = BASE + timedelta(hours=10)
    start = now + timedelta(minutes=minutes_ahead)
    ok = timedelta(minutes=LAYOUT.min_notice_minutes) <= start - now <= timedelta(days=LAYOUT.max_notice_days)
    try:
        rules.check_notice(LAYOUT, start, now)
    except ShequError as e:
        assert not ok and e.code in ("notice_too_short", "notice_too_long")
    else:
        assert ok


# --- the draw ---------------------------------------------------------------------------------------------------
entries = st.lists(
    st.tuples(st.integers(1, 10_000), st.integers(1, 4)), min_size=1, max_size=30, unique_by=lambda e: e[0]
)


@given(seed=st.integers(0, 2**63 - 1), entries=entries)
def test_the_draw_is_reproducible_from_its_seed_and_a_permutation_of_the_entries(seed, entries):
    order = draws.draw_order(seed, entries)
    assert order == draws.draw_order(seed, list(reversed(entries)))  # the order given does not matter
    assert sorted(order) == sorted(e for e, _w in entries)


@given(losses=st.integers(0, 10))
def test_the_weight_is_one_plus_recent_losses_at_most_three(losses):
    assert draws.loss_weight(losses) == 1 + min(losses, 3)


@pytest.mark.parametrize("weight", [2, 4])
def test_a_recent_loser_wins_in_proportion_to_the_weight(weight):
    """Two applicants, one with weight w: over 4000 seeded draws he wins close to w / (w + 1) of them."""
    wins = Counter(draws.draw_order(seed, [(1, 1), (2, weight)])[0] for seed in range(4000))
    share = wins[2] / 4000
    assert abs(share - weight / (weight + 1)) < 0.03, share
