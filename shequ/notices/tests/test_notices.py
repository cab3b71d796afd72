from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from shequ.access.testing import PermissionMatrixMixin, sign_in
from shequ.audit.models import AuditEntry
from shequ.core.errors import ShequError
from shequ.geo.models import Area
from shequ.notices import selectors
from shequ.notices.models import Notice
from shequ.notices.services import NoticeData, notice_publish, notice_withdraw

pytestmark = pytest.mark.django_db


def street(district: str, name: str) -> Area:
    return Area.objects.get(parent__code=district, name=name)


def first_community(s: Area) -> Area:
    return Area.objects.filter(parent=s).order_by("code").first()


@pytest.fixture
def places(db):
    huafu, yuehai = street("440304", "华富街道"), street("440305", "粤海街道")
    return {
        "huafu": huafu,
        "huafu_c": first_community(huafu),
        "yuehai": yuehai,
        "yuehai_c": first_community(yuehai),
        "city": Area.objects.get(level="city"),
    }


def publish(actor, area: Area, title: str = "停水通知", **kw) -> Notice:
    return notice_publish(
        actor=actor, data=NoticeData(title=title, body="明天上午九点到十二点停水。", area=area.code, **kw)
    )


# --- who may publish where ------------------------------------------------------------------------------------
def test_a_community_worker_publishes_to_a_community_of_her_street_with_an_audit_entry(cast, places):
    n = publish(cast["lina"], places["huafu_c"])
    assert n.author == cast["lina"] and n.area == places["huafu_c"]
    entry = AuditEntry.objects.get(action="notice.publish", object_id=str(n.pk))
    assert entry.actor == cast["lina"]


def test_a_community_worker_cannot_publish_to_the_whole_street_or_another_street(cast, places):
    for area in (places["huafu"], places["yuehai_c"]):
        with pytest.raises(ShequError) as exc:
            publish(cast["lina"], area)
        assert set(exc.value.fields) == {"area"}
    assert not Notice.objects.exists()


def test_out_of_scope_reads_exactly_like_an_unknown_area(cast, places):
    with pytest.raises(ShequError) as outside:
        publish(cast["lina"], places["yuehai_c"])
    with pytest.raises(ShequError) as unknown:
        notice_publish(actor=cast["lina"], data=NoticeData(title="t", body="b", area="999999999"))
    assert outside.value.as_dict() == unknown.value.as_dict()


def test_a_street_officer_publishes_to_his_street_and_a_city_admin_anywhere(cast, places):
    assert publish(cast["wangqiang"], places["yuehai"]).area == places["yuehai"]
    with pytest.raises(ShequError):
        publish(cast["wangqiang"], places["huafu_c"])
    assert publish(cast["chenjing"], places["city"]).area == places["city"]
    assert publish(cast["chenjing"], places["huafu_c"]).area == places["huafu_c"]


def test_residents_and_handlers_cannot_publish(cast, places):
    for who in ("zhangwei", "liuyang", "sunli"):
        with pytest.raises(ShequError):
            publish(cast[who], places["huafu_c"])


def test_bad_input_is_refused_with_every_problem_and_nothing_is_written(cast, places):
    now = timezone.now()
    with pytest.raises(ShequError) as exc:
        notice_publish(
            actor=cast["chenjing"],
            data=NoticeData(title="", body="x" * 5001, area=places["huafu_c"].code, published_at=now,
                            expires_at=now - timedelta(hours=1)),
        )  # fmt: skip
    assert set(exc.value.fields) == {"title", "body", "expires_at"}
    assert not Notice.objects.exists() and not AuditEntry.objects.filter(action="notice.publish").exists()


# --- what residents read ---------------------------------------------------------------------------------------
def test_a_community_reads_its_own_and_its_ancestors_notices_pinned_first_newest_first(cast, places):
    now = timezone.now()
    city = publish(cast["chenjing"], places["city"], "全市通知", published_at=now - timedelta(days=3))
    old = publish(cast["lina"], places["huafu_c"], "旧通知", published_at=now - timedelta(days=2))
    new = publish(cast["lina"], places["huafu_c"], "新通知", published_at=now - timedelta(days=1))
    pinned = publish(
        cast["lina"], places["huafu_c"], "置顶通知", published_at=now - timedelta(days=5), pinned=True
    )
    publish(cast["wangqiang"], places["yuehai"], "粤海通知")
    publish(cast["lina"], places["huafu_c"], "已过期", published_at=now - timedelta(days=9),
            expires_at=now - timedelta(days=1))  # fmt: skip
    publish(cast["lina"], places["huafu_c"], "还没发布", published_at=now + timedelta(days=1))
    withdrawn = publish(cast["lina"], places["huafu_c"], "撤回的")
    notice_withdraw(actor=cast["lina"], notice=withdrawn)
    seen = selectors.notices_for_area(area=places["huafu_c"], now=timezone.now())
    assert seen == [pinned, new, old, city]


def test_a_street_page_shows_its_communities_notices_too(cast, places):
    n = publish(cast["lina"], places["huafu_c"])
    assert selectors.notices_for_area(area=places["huafu"], now=timezone.now()) == [n]


def test_the_public_pages_show_the_residents_street_and_the_chosen_area(client, cast, places):
    mine = publish(cast["lina"], places["huafu_c"], "华富社区通知")
    publish(cast["wangqiang"], places["yuehai"], "粤海街道通知")
    assert "华富社区通知" not in client.get("/notices/").content.decode()  # anonymous: city-wide only
    sign_in(client, cast["zhangwei"])
    page = client.get("/notices/").content.decode()
    assert "华富社区通知" in page and "粤海街道通知" not in page
    chosen = client.get("/notices/", {"street": places["yuehai"].code}).content.decode()
    assert "粤海街道通知" in chosen and "华富社区通知" not in chosen
    detail = client.get(f"/notices/{mine.pk}/")
    assert detail.status_code == 200 and "明天上午九点" in detail.content.decode()


def test_a_withdrawn_or_future_notice_is_404_on_its_page(client, cast, places):
    n = publish(cast["lina"], places["huafu_c"], published_at=timezone.now() + timedelta(hours=1))
    assert client.get(f"/notices/{n.pk}/").status_code == 404
    m = publish(cast["lina"], places["huafu_c"])
    notice_withdraw(actor=cast["lina"], notice=m)
    assert client.get(f"/notices/{m.pk}/").status_code == 404


def test_the_public_list_runs_a_constant_number_of_queries(client, cast, places):
    publish(cast["lina"], places["huafu_c"])
    params = {"community": places["huafu_c"].code}
    with CaptureQueriesContext(connection) as few:
        client.get("/notices/", params)
    for i in range(15):
        publish(cast["lina"], places["huafu_c"], f"通知{i}")
    with CaptureQueriesContext(connection) as many:
        assert "通知14" in client.get("/notices/", params).content.decode()
    assert len(many.captured_queries) == len(few.captured_queries)


# --- the staff page ------------------------------------------------------------------------------------------
class TestConsoleNotices(PermissionMatrixMixin):
    def test_the_staff_page_is_for_those_who_may_publish(self, client, cast, make_user):
        self.assert_permission_matrix(
            client, url="/console/notices/", in_scope=cast["lina"], no_role=make_user("nobody"), page=True
        )
        sign_in(client, cast["zhangwei"])
        assert client.get("/console/notices/").status_code == 403
        sign_in(client, cast["liuyang"])
        assert client.get("/console/notices/").status_code == 403

    def test_publishing_from_the_form_in_scope_and_out_of_scope(self, client, cast, places):
        sign_in(client, cast["lina"])
        page = client.get("/console/notices/").content.decode()
        assert places["huafu_c"].code in page and places["yuehai_c"].code not in page
        r = client.post(
            "/console/notices/",
            {"title": "电梯检修", "body": "周三电梯检修。", "area": places["huafu_c"].code},
        )
        assert r.status_code == 302 and Notice.objects.filter(title="电梯检修").count() == 1
        outside = client.post(
            "/console/notices/", {"title": "越界", "body": "x", "area": places["yuehai_c"].code}
        )
        unknown = client.post("/console/notices/", {"title": "越界", "body": "x", "area": "999999999999"})
        assert outside.status_code == unknown.status_code == 400
        assert not Notice.objects.filter(title="越界").exists()

    def test_withdraw_is_scoped_out_of_scope_is_404(self, client, cast, places):
        n = publish(cast["lina"], places["huafu_c"])
        self.assert_permission_matrix(
            client,
            url=f"/console/notices/{n.pk}/withdraw/",
            method="post",
            in_scope=cast["lina"],
            out_of_scope=cast["wangqiang"],
            ok=(302,),
            missing_url=f"/console/notices/{n.pk + 999}/withdraw/",
            page=True,
        )
        n.refresh_from_db()
        assert n.withdrawn_at is not None

    def test_the_staff_list_runs_a_constant_number_of_queries(self, client, cast, places):
        publish(cast["lina"], places["huafu_c"])
        sign_in(client, cast["lina"])
        with CaptureQueriesContext(connection) as few:
            client.get("/console/notices/")
        for i in range(12):
            publish(cast["lina"], places["huafu_c"], f"通知{i}")
        with CaptureQueriesContext(connection) as many:
            client.get("/console/notices/")
        assert len(many.captured_queries) == len(few.captured_queries)
