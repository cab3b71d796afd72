"""Every indicator computed on the hand-built tree (tests/tree.py, filled in conftest.py) against a hand count."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from shequ.indicators.models import Indicator, IndicatorValue
from shequ.indicators.registry import Figure, register_figure, unregister_figure
from shequ.indicators.services import indicator_catalogue_sync, indicator_rollup

pytestmark = pytest.mark.django_db


def values(key: str) -> dict[str, IndicatorValue]:
    return {v.area.code: v for v in IndicatorValue.objects.filter(key=key).select_related("area")}


@pytest.fixture
def rolled(filled):
    indicator_rollup(root=filled["T0"])
    return filled


def test_volunteers_per_10k_by_hand(rolled):
    v = values("volunteers_per_10k")
    # 4 volunteers in 100,000 residents; 3 in 东社区's 25,000; none in 西社区's 15,000.
    assert v["T0"].value == pytest.approx(0.4)
    assert v["T0A1a"].value == pytest.approx(1.2)
    assert v["T0A1b"].value == 0
    assert v["T0"].target == 2500 and v["T0"].gap == pytest.approx(2499.6) and v["T0"].met is False
    assert v["T0"].inputs == {"volunteers.registered": 4, "geo.population": 100_000}


def test_health_institutions_count_only_at_city_level(rolled):
    v = values("health_institutions")
    assert set(v) == {"T0"}  # a city-wide count of the plan: no value per district
    assert v["T0"].value == 3 and v["T0"].gap == 997


def test_health_in_every_community_counts_communities_not_institutions(rolled):
    v = values("health_every_community")
    # 东社区 has two, 南社区 one; 西社区 and 北社区 none.
    assert v["T0"].value == pytest.approx(50)
    assert v["T0A"].value == pytest.approx(200 / 3, abs=1e-3)
    assert v["T0A1"].value == pytest.approx(50)
    assert v["T0B"].value == 0
    assert v["T0A1a"].value == 100 and v["T0A1a"].met is True and v["T0A1a"].gap == 0
    assert v["T0A1b"].value == 0 and v["T0A1b"].met is False


def test_social_work_station_in_every_street(rolled):
    v = values("social_work_every_street")
    # Only 一街道 has one, registered on the street itself: 1 of 3 streets, 1 of 甲区's 2.
    assert v["T0"].value == pytest.approx(100 / 3, abs=1e-3)
    assert v["T0A"].value == 50
    assert v["T0A1"].value == 100 and v["T0A2"].value == 0
    assert "T0A1a" not in v  # the indicator is about streets: no community value


def test_childcare_in_every_street_and_care_in_every_community(rolled):
    streets = values("childcare_every_street")
    assert streets["T0"].value == pytest.approx(100 / 3, abs=1e-3) and streets["T0A1"].value == 100
    care = values("care_every_community")
    # 西社区 (托育) and 北社区 (长者服务站): 2 of 4; 乙区 has one community, and it has one.
    assert care["T0"].value == 50 and care["T0B"].value == 100 and care["T0A2"].value == 0


def test_volunteer_stations_count_at_city_level(rolled):
    v = values("volunteer_stations")
    assert set(v) == {"T0"} and v["T0"].value == 0 and v["T0"].gap == 1000


def test_appeal_response_rate_from_the_monthly_rollup(rolled):
    v = values("appeals_response_rate")
    assert v["T0"].value == pytest.approx(95) and v["T0"].met is True  # 19 of 20
    assert (
        v["T0A1a"].value == pytest.approx(90)
        and v["T0A1a"].met is False
        and v["T0A1a"].gap == pytest.approx(5)
    )
    assert v["T0A1b"].value is None  # nothing dispatched: no rate, not 0 %
    assert v["T0A1b"].missing == []  # … and a source exists: "no data", not "no data source"


def test_an_indicator_whose_figure_nobody_registers_says_so(rolled):
    v = values("gps_per_10k")
    assert v["T0"].value is None and v["T0"].met is None
    assert v["T0"].missing == ["health.general_practitioners"]


def test_a_figure_registered_later_lights_the_indicator_up(filled):
    def doctors(areas):
        return {a.code: 10 for a in areas if a.code == "T0"}

    register_figure(
        Figure(key="health.general_practitioners", label="GP", unit="人", source="t", compute=doctors)
    )
    try:
        indicator_rollup(root=filled["T0"])
    finally:
        unregister_figure("health.general_practitioners")
    v = values("gps_per_10k")
    assert v["T0"].value == pytest.approx(1.0) and v["T0"].missing == []
    assert v["T0A"].value is None  # the figure left the district out: no data there


def test_a_changed_target_is_a_new_version_and_old_values_keep_theirs(filled):
    indicator_rollup(root=filled["T0"], day=date(2026, 1, 1))
    old = Indicator.objects.get(key="volunteers_per_10k", is_current=True)
    from shequ.indicators.catalogue import CATALOGUE

    changed = [dict(e, target=3000) if e["key"] == "volunteers_per_10k" else e for e in CATALOGUE]
    assert indicator_catalogue_sync(entries=changed)["versioned"] == 1
    indicator_rollup(root=filled["T0"], day=date(2026, 1, 2))
    new = Indicator.objects.get(key="volunteers_per_10k", is_current=True)
    assert new.version == old.version + 1 and new.target == 3000
    first = IndicatorValue.objects.get(key="volunteers_per_10k", area__code="T0", day=date(2026, 1, 1))
    second = IndicatorValue.objects.get(key="volunteers_per_10k", area__code="T0", day=date(2026, 1, 2))
    assert (first.indicator_id, first.target) == (old.pk, 2500)
    assert (second.indicator_id, second.target) == (new.pk, 3000)
    assert indicator_catalogue_sync(entries=changed)["versioned"] == 0  # unchanged: no new version


def test_running_the_rollup_twice_a_day_replaces_the_day(rolled):
    before = IndicatorValue.objects.count()
    indicator_rollup(root=rolled["T0"])
    assert IndicatorValue.objects.count() == before


def test_the_rollup_costs_the_same_queries_for_more_areas(filled, django_assert_max_num_queries):
    # Every figure answers for all areas in one or two grouped queries: the count does not grow with the tree.
    with django_assert_max_num_queries(60):
        indicator_rollup(root=filled["T0"], day=date.today() - timedelta(days=1))
