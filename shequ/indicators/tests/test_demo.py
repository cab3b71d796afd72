"""The demo's task ledger and indicators: every district breaks the city's tasks down, the city's values are
computed, and running the seed again creates nothing."""

from __future__ import annotations

import pytest

from shequ.geo.models import Area
from shequ.indicators.demo import TASKS, seed_indicators
from shequ.indicators.models import IndicatorValue, PlanTask

pytestmark = pytest.mark.django_db


def test_the_demo_breaks_every_task_down_per_district_and_computes_the_city(cast):
    first = seed_indicators(actor=cast["chenjing"])
    districts = Area.objects.filter(level="district", parent__level="city").count()
    assert first["tasks"] == len(TASKS) * (1 + districts)
    assert PlanTask.objects.filter(synthetic=True).count() == first["tasks"]
    assert PlanTask.objects.filter(escalation__gt=0).exists()  # the overdue ones were escalated
    city = Area.objects.get(level="city")
    assert IndicatorValue.objects.filter(area=city, key="volunteers_per_10k").exists()
    again = seed_indicators(actor=cast["chenjing"])
    assert again["tasks"] == 0
