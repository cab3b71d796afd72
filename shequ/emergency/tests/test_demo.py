"""The demo's emergency data: plans, shelters on the facility map, supplies with alerts, a drill, a past warning;
all synthetic, and a second run adds nothing."""

from __future__ import annotations

import pytest

from shequ.emergency import selectors
from shequ.emergency.demo import seed_emergency
from shequ.emergency.models import Delivery, Drill, Plan, Shelter, Supply, Warning

pytestmark = pytest.mark.django_db


def test_the_demo_has_plans_shelters_supplies_drills_and_a_past_warning(cast, tags, make_resident):
    from shequ.emergency.tests.helpers import community, person

    huafu = community("440304", "华富街道")
    person(huafu, account=True, phone="13900000301", name="演示居民")
    person(huafu, tags=["elderly_alone"], name="演示老人")
    made = seed_emergency()
    assert made["plans"] >= 10 and made["warnings"] == 1
    assert Plan.objects.count() == Shelter.objects.count() == Drill.objects.count() == made["plans"]
    assert not Shelter.objects.filter(synthetic=False).exists()
    alerts = selectors.supply_alerts(Supply.objects.all())
    assert {"低于最低库存", "30天内过期"} <= {a for found in alerts.values() for a in found}
    warning = Warning.objects.get(synthetic=True)
    assert warning.status == "ended" and Delivery.objects.filter(warning=warning).count() >= 2
    assert seed_emergency() == {"plans": 0, "warnings": 0}
