"""The public read API of the notice board: /api/v1/notices."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from shequ.geo.models import Area
from shequ.notices.services import NoticeData, notice_publish, notice_withdraw

pytestmark = pytest.mark.django_db


@pytest.fixture
def places(db):
    huafu = Area.objects.get(parent__code="440304", name="华富街道")
    yuehai = Area.objects.get(parent__code="440305", name="粤海街道")
    return {
        "city": Area.objects.get(level="city"),
        "huafu": huafu,
        "huafu_c": Area.objects.filter(parent=huafu).order_by("code").first(),
        "yuehai": yuehai,
    }


def publish(actor, area: Area, title: str, **kw):
    return notice_publish(
        actor=actor, data=NoticeData(title=title, body="明天上午停水。", area=area.code, **kw)
    )


@pytest.fixture
def board(cast, places):
    now = timezone.now()
    made = {
        "city": publish(cast["chenjing"], places["city"], "全市通知", published_at=now - timedelta(days=3)),
        "street": publish(
            cast["chenjing"], places["huafu"], "华富街道通知", published_at=now - timedelta(days=2)
        ),
        "pinned": publish(
            cast["lina"], places["huafu_c"], "置顶通知", published_at=now - timedelta(days=5), pinned=True
        ),
        "other": publish(cast["wangqiang"], places["yuehai"], "粤海通知"),
        "expired": publish(
            cast["lina"],
            places["huafu_c"],
            "已过期",
            published_at=now - timedelta(days=9),
            expires_at=now - timedelta(days=1),
        ),
        "future": publish(cast["lina"], places["huafu_c"], "还没发布", published_at=now + timedelta(days=1)),
        "withdrawn": publish(cast["lina"], places["huafu_c"], "撤回的"),
    }
    notice_withdraw(actor=cast["lina"], notice=made["withdrawn"])
    return made


def titles(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [item["title"] for item in response.json()["items"]]


def test_anyone_reads_what_the_residents_of_a_community_read_pinned_first(client, board, places):
    r = client.get("/api/v1/notices", {"area": places["huafu_c"].code})
    assert titles(r) == ["置顶通知", "华富街道通知", "全市通知"]
    item = r.json()["items"][0]
    assert item["area"] == {
        "code": places["huafu_c"].code,
        "name": places["huafu_c"].name,
        "level": "community",
    }
    assert item["pinned"] is True and "author" not in item


def test_without_an_area_only_the_city_wide_notices_are_listed(client, board):
    assert titles(client.get("/api/v1/notices")) == ["全市通知"]


def test_a_street_lists_its_communities_notices_too(client, board, places):
    assert titles(client.get("/api/v1/notices", {"area": places["huafu"].code})) == [
        "置顶通知",
        "华富街道通知",
        "全市通知",
    ]


def test_an_unknown_area_is_404_in_the_error_shape(client, board):
    r = client.get("/api/v1/notices", {"area": "999999"})
    assert r.status_code == 404
    assert r.json()["code"] == "not_found" and r.json()["fields"] == {"code": "999999"}


def test_one_notice_and_the_ones_nobody_may_read_yet_or_any_more(client, board):
    r = client.get(f"/api/v1/notices/{board['street'].pk}")
    assert r.status_code == 200 and r.json()["title"] == "华富街道通知"
    for hidden in ("withdrawn", "expired", "future"):
        assert client.get(f"/api/v1/notices/{board[hidden].pk}").status_code == 404
    assert client.get("/api/v1/notices/999999").status_code == 404


def test_the_list_runs_a_constant_number_of_queries(client, board, cast, places):
    area = {"area": places["huafu_c"].code}
    client.get("/api/v1/notices", area)
    with CaptureQueriesContext(connection) as few:
        client.get("/api/v1/notices", area)
    for i in range(5):
        publish(cast["lina"], places["huafu_c"], f"更多通知{i}")
    with CaptureQueriesContext(connection) as more:
        assert len(titles(client.get("/api/v1/notices", area))) == 8
    assert len(more) == len(few)
