"""The process-local reference cache (shequ.core.db.refcache) and what reads through it: categories and areas by
code at intake, and the responsibility list of a category."""

from __future__ import annotations

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from shequ.accounts.models import Unit
from shequ.appeals.models import Appeal, Category, ResponsibilityRule
from shequ.appeals.selectors import active_category
from shequ.appeals.services import match_rule
from shequ.core.db import refcache
from shequ.geo.models import Area
from shequ.geo.selectors import area_by_code

pytestmark = pytest.mark.django_db


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock(monkeypatch) -> Clock:
    c = Clock()
    monkeypatch.setattr(refcache.time, "monotonic", c)
    return c


def test_a_second_read_asks_no_query_and_returns_a_copy(cast):
    first = active_category("sanitation")
    assert first is not None
    with CaptureQueriesContext(connection) as queries:
        second = active_category("sanitation")
    assert len(queries) == 0
    assert second == first and second is not first
    second.name = "changed in one request"
    assert active_category("sanitation").name != "changed in one request"


def test_a_copy_has_its_own_state_and_related_cache_but_the_same_values(cast):
    area = Area.objects.select_related("parent").filter(parent__isnull=False).first()
    assert area is not None
    cache: refcache.RefCache[Area] = refcache.RefCache(ttl=30)
    cache.get(("k",), lambda: area)
    copy = cache.get(("k",), lambda: None)
    assert copy is not None and copy is not area and copy.pk == area.pk
    assert {k: v for k, v in vars(copy).items() if not k.startswith("_")} == {
        k: v for k, v in vars(area).items() if not k.startswith("_")
    }
    assert copy._state is not area._state and copy._state.db == area._state.db and not copy._state.adding
    assert copy.parent is area.parent  # related rows already read come along, not read again
    copy.parent = None  # and setting one on the copy leaves the cached row alone
    assert area.parent is not None and cache.get(("k",), lambda: None).parent is not None


def test_a_miss_is_never_cached(cast):
    assert active_category("no_such_category") is None
    Category.objects.create(code="no_such_category", name="新类别")
    assert active_category("no_such_category") is not None


def test_a_save_in_this_process_is_seen_at_once(cast):
    assert active_category("sanitation").name != "环境卫生（改）"
    category = Category.objects.get(code="sanitation")
    category.name = "环境卫生（改）"
    category.save()
    assert active_category("sanitation").name == "环境卫生（改）"
    category.is_active = False
    category.save()
    assert active_category("sanitation") is None


def test_a_change_that_sends_no_signal_is_seen_after_the_time_to_live(cast, clock):
    # Another process's change (or a queryset update) is not signalled here: the entry expires after 30 s.
    code = Area.objects.filter(level="community").values_list("code", flat=True).first()
    assert area_by_code(code).name != "改名社区"
    Area.objects.filter(code=code).update(name="改名社区")
    clock.now += 29
    assert area_by_code(code).name != "改名社区"
    clock.now += 2
    assert area_by_code(code).name == "改名社区"


def test_clear_all_forgets_everything(cast):
    active_category("sanitation")
    refcache.clear_all()
    with CaptureQueriesContext(connection) as queries:
        active_category("sanitation")
    assert len(queries) == 1


def test_the_first_miss_reads_every_community_and_category_at_once(cast, clock):
    communities = list(Area.objects.filter(level="community").values_list("code", flat=True)[:50])
    with CaptureQueriesContext(connection) as queries:
        assert area_by_code(communities[0]) is not None
    assert len(queries) == 1  # the upper tree in one query
    with CaptureQueriesContext(connection) as queries:
        assert all(area_by_code(code).code == code for code in communities)
        assert area_by_code("440300") is not None and active_category("sanitation") is not None
        assert active_category("noise") is not None
    assert len(queries) == 1  # the categories' one query
    clock.now += 31
    with CaptureQueriesContext(connection) as queries:
        assert area_by_code(communities[1]).code == communities[1]
        assert area_by_code(communities[2]).code == communities[2]
    assert len(queries) == 1  # expired: read again, all at once


def test_a_key_the_preload_does_not_hold_is_read_on_its_own(cast):
    community = Area.objects.filter(level="community").first()
    building = Area.objects.create(code="B-0001", level="building", name="1栋", parent=community).code
    area_by_code("440300")
    with CaptureQueriesContext(connection) as queries:
        assert area_by_code(building).code == building
        assert area_by_code(building).code == building  # now cached
        assert area_by_code("no-such-area") is None
        assert area_by_code("no-such-area") is None  # a miss is asked again, the preload is not
    assert len(queries) == 3


# --- the responsibility list ---------------------------------------------------------------------------------------
@pytest.fixture
def huafu_community(cast) -> Area:
    return Area.objects.get(name="华富街道").children.order_by("code").first()


def _appeal(category: str, area: Area) -> Appeal:
    return Appeal(category=Category.objects.get(code=category), area=area)


def test_a_rule_added_or_ended_in_this_process_is_matched_at_once(cast, huafu_community):
    appeal = _appeal("sanitation", huafu_community)
    before = match_rule(appeal)
    office = Unit.objects.create(
        code="TEST-JDB", name="测试街道办", kind="street_office", area=huafu_community
    )
    rule = ResponsibilityRule.objects.create(
        category=appeal.category, area=huafu_community, lead_unit=office, effective_from=date(2020, 1, 1)
    )
    assert match_rule(appeal).lead_unit == office  # the deepest area wins, and the cache did not hide it
    rule.effective_to = date(2021, 1, 1)
    rule.save()
    matched = match_rule(appeal)
    assert (matched.pk if matched else None) == (before.pk if before else None)


def test_co_units_come_with_the_rule_and_a_change_of_them_is_seen_at_once(cast, huafu_community):
    appeal = _appeal("sanitation", huafu_community)
    lead = Unit.objects.create(code="TEST-LEAD", name="主办单位", kind="street_office", area=huafu_community)
    co = Unit.objects.create(code="TEST-CO", name="协办单位", kind="street_office", area=huafu_community)
    rule = ResponsibilityRule.objects.create(
        category=appeal.category, area=huafu_community, lead_unit=lead, effective_from=date(2020, 1, 1)
    )
    assert list(match_rule(appeal).co_units.all()) == []
    rule.co_units.add(co)
    matched = match_rule(appeal)
    with CaptureQueriesContext(connection) as queries:
        assert list(matched.co_units.all()) == [co]
    assert len(queries) == 0  # prefetched with the rule


def test_a_rule_not_yet_in_effect_or_ended_is_not_matched(cast, huafu_community):
    appeal = _appeal("sanitation", huafu_community)
    lead = Unit.objects.create(code="TEST-LEAD", name="主办单位", kind="street_office", area=huafu_community)
    ResponsibilityRule.objects.create(
        category=appeal.category, area=huafu_community, lead_unit=lead, effective_from=date(2030, 1, 1)
    )
    matched = match_rule(appeal, on=date(2026, 6, 1))
    assert matched is None or matched.lead_unit != lead
    assert match_rule(appeal, on=date(2030, 1, 1)).lead_unit == lead
