"""The lists' text search `q` (issue 22): on PostgreSQL it reads the appeal text's bigram index (migration 0017,
shequ.core.db.ContainsByBigrams) and finds exactly what `text LIKE '%q%'` finds, for one, two and more characters,
and an appeal by its number."""

from __future__ import annotations

import pytest
from django.db import connection, transaction

from shequ.appeals import selectors
from shequ.appeals.models import Appeal

from . import fixtures
from .fixtures import submit

clock = fixtures.clock
world = fixtures.world

pytestmark = pytest.mark.django_db

TEXTS = [
    "路灯不亮已经一周了，晚上很黑",
    "楼下路边的灯坏了",  # 路 and 灯 both there, but not 路灯
    "小区门口的垃圾桶满了",
    "垃圾没人收，桶也坏了",  # 垃圾 but not 垃圾桶
    "晚上噪音太大影响休息",
    "Wi-Fi 信号差, wifi 断线",
]


@pytest.fixture
def texts(world) -> dict[str, Appeal]:
    return {text: submit(world, text=text) for text in TEXTS}


@pytest.mark.parametrize(
    "q", ["路", "路灯", "灯", "垃圾", "垃圾桶", "桶满", "噪音太大", "Wi-Fi", "wifi", "%", "不存在"]
)
def test_the_search_finds_exactly_the_texts_that_contain_the_query(world, texts, q):
    found = {a.text for a in selectors.appeal_list_for(user=world["sunli"], q=q)}
    assert found == {t for t in TEXTS if q in t}
    listing = selectors.appeal_listing_for(user=world["sunli"], q=q)
    assert listing.count() == len(found)


def test_the_search_finds_an_appeal_by_its_number(world, texts):
    appeal = texts[TEXTS[0]]
    assert [a.pk for a in selectors.appeal_list_for(user=world["sunli"], q=appeal.number)] == [appeal.pk]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's bigram index")
@pytest.mark.parametrize("q", ["路灯", "垃圾桶"])
def test_a_chinese_search_reads_the_bigram_index(world, texts, q):
    listing = selectors.appeal_listing_for(user=world["sunli"], q=q)
    sql, params = listing._counted.order_by().values("pk").query.sql_with_params()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("EXPLAIN " + sql, params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "appeals_text_bigrams" in plan, plan
