"""The console's 爱心超市 goods and stock page and the rules page (issue 24's open ends): what a community worker
reads and changes in Chinese, audited; a refusal keeps what was typed; the permission matrix."""

from __future__ import annotations

from decimal import Decimal

import pytest

from shequ.access.testing import PermissionMatrixMixin, sign_in
from shequ.audit.models import AuditEntry
from shequ.timebank import services
from shequ.timebank.models import Goods, TimebankRule
from shequ.timebank.rules import rule_for

from .helpers import community

pytestmark = pytest.mark.django_db
ZH = {"HTTP_ACCEPT_LANGUAGE": "zh-hans"}


@pytest.fixture
def store(db):
    return services.store_open(actor=None, name="华富爱心超市", area=community())


@pytest.fixture
def rice(store):
    return services.goods_add(actor=None, store=store, name="大米 5kg", price=120, stock=5)


def test_the_keeper_puts_goods_on_the_shelf_changes_the_price_and_takes_it_off(client, cast, store, rice):
    sign_in(client, cast["lina"])
    r = client.post(
        "/console/timebank/goods/", {"store": store.pk, "name": "食用油", "price": "1.5", "stock": "8"}, **ZH
    )
    assert r.status_code == 302
    oil = Goods.objects.get(name="食用油")
    assert (oil.price, oil.stock) == (90, 8)
    page = client.get("/console/timebank/goods/", **ZH).content.decode()
    assert "华富爱心超市" in page and "食用油" in page and "剩余 8 件" in page and 'value="1.5"' in page
    r = client.post(
        f"/console/timebank/goods/{rice.pk}/", {"name": "大米 5kg", "price": "3"}, **ZH
    )  # unticked
    rice.refresh_from_db()
    assert (rice.price, rice.is_active) == (180, False)
    entry = AuditEntry.objects.get(action="timebank.goods_update")
    assert entry.changes["price"] == {"before": 120, "after": 180}
    assert entry.changes["is_active"] == {"before": True, "after": False}
    r = client.post(f"/console/timebank/goods/{rice.pk}/restock/", {"quantity": "4", "back": "goods"}, **ZH)
    assert r["Location"] == "/console/timebank/goods/" and Goods.objects.get(pk=rice.pk).stock == 9


def test_a_refused_new_good_says_why_keeps_what_was_typed_and_writes_nothing(client, cast, store):
    sign_in(client, cast["lina"])
    r = client.post(
        "/console/timebank/goods/", {"store": store.pk, "name": "洗衣液", "price": "abc", "stock": "3"}, **ZH
    )
    page = r.content.decode()
    assert r.status_code == 400 and "请输入时间币数额" in page
    assert 'value="洗衣液"' in page and 'value="abc"' in page
    assert not Goods.objects.filter(name="洗衣液").exists()


def test_a_community_worker_sets_her_streets_rules_and_they_apply_under_it(client, cast):
    street = community().parent
    sign_in(client, cast["lina"])
    page = client.get(f"/console/timebank/rules/?area={street.code}", **ZH).content.decode()
    assert "还没有自己的规则" in page and 'name="rate"' in page
    r = client.post(
        "/console/timebank/rules/",
        {
            "area": street.code,
            "name": "华富街道时间银行规则",
            "rate": "1.5",
            "daily_earn_cap": "2",
            "lifetime_earn_cap": "600",
            "daily_transfer_cap": "",
            "expiry_enabled": "on",
            "expiry_days": "365",
        },
        **ZH,
    )
    assert r.status_code == 302
    rule = rule_for(community())
    assert (rule.rate, rule.daily_earn_cap, rule.lifetime_earn_cap, rule.daily_transfer_cap) == (
        Decimal("1.5"), 120, 36000, None
    )  # fmt: skip
    assert rule.expiry_enabled and rule.expiry_days == 365 and not rule.inheritance_enabled
    entry = AuditEntry.objects.get(action="timebank.rule_create")
    assert entry.changes["expiry_enabled"]["after"] == "True"
    page = client.get(f"/console/timebank/rules/?area={street.code}", **ZH).content.decode()
    assert "华富街道时间银行规则" in page and "365 天后过期" in page
    r = client.post(
        "/console/timebank/rules/",
        {"area": street.code, "name": "华富街道时间银行规则", "rate": "0", "expiry_days": "365"},
        **ZH,
    )
    assert r.status_code == 400 and "0.01" in r.content.decode()
    assert TimebankRule.objects.get(area=street).rate == Decimal("1.5")


def test_the_city_default_is_only_for_staff_over_the_whole_city(client, cast):
    sign_in(client, cast["lina"])
    page = client.get("/console/timebank/rules/", **ZH).content.decode()
    assert "只有管辖全市的工作人员可以修改全市默认规则" in page
    r = client.post("/console/timebank/rules/", {"name": "x", "rate": "2", "expiry_days": "10"})
    assert r.status_code == 404 and not TimebankRule.objects.filter(rate=2).exists()


class TestPermissionMatrix(PermissionMatrixMixin):
    def test_goods_page_permission_matrix(self, client, cast, make_user, store):
        self.assert_permission_matrix(
            client,
            url="/console/timebank/goods/",
            in_scope=cast["lina"],
            no_role=make_user("nobody"),
            page=True,
        )

    def test_adding_goods_permission_matrix(self, client, cast, make_user, store):
        self.assert_permission_matrix(
            client,
            url="/console/timebank/goods/",
            method="post",
            multipart=True,
            data={"store": store.pk, "name": "牙膏", "price": "1", "stock": "3"},
            in_scope=cast["lina"],
            out_of_scope=cast["wangqiang"],
            no_role=make_user("nobody"),
            ok=(302,),
            page=True,
        )

    def test_editing_goods_permission_matrix(self, client, cast, make_user, rice):
        self.assert_permission_matrix(
            client,
            url=f"/console/timebank/goods/{rice.pk}/",
            method="post",
            multipart=True,
            data={"name": "大米 5kg", "price": "2", "is_active": "on"},
            in_scope=cast["lina"],
            out_of_scope=cast["wangqiang"],
            missing_url="/console/timebank/goods/999999/",
            no_role=make_user("nobody"),
            ok=(302,),
            page=True,
        )

    def test_rules_page_permission_matrix(self, client, cast, make_user):
        code = community().parent.code
        self.assert_permission_matrix(
            client,
            url=f"/console/timebank/rules/?area={code}",
            in_scope=cast["lina"],
            out_of_scope=cast["wangqiang"],
            missing_url="/console/timebank/rules/?area=999999999999",
            no_role=make_user("nobody"),
            page=True,
        )

    def test_saving_rules_permission_matrix(self, client, cast, make_user):
        code = community().parent.code
        self.assert_permission_matrix(
            client,
            url="/console/timebank/rules/",
            method="post",
            multipart=True,
            data={"area": code, "name": "华富街道规则", "rate": "1", "expiry_days": "730"},
            in_scope=cast["lina"],
            out_of_scope=cast["wangqiang"],
            no_role=make_user("nobody"),
            ok=(302,),
            page=True,
        )
