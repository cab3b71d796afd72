"""The time bank's pages: the resident's (portal) and the community workers' (console), each walked through the
permission matrix, and what the person reads on them in Chinese."""

from __future__ import annotations

from datetime import date

import pytest

from shequ.access.testing import PermissionMatrixMixin, sign_in
from shequ.timebank import services
from shequ.timebank.models import Account, Goods, HelpRequest, Transfer

from .helpers import community, hours_record, resident_for

pytestmark = pytest.mark.django_db
RESIDENT = "/accounts/resident/"


@pytest.fixture
def world(person, make_user, cast):
    zhang = person("zhang", phone="13900000001", display_name="张三")
    mother = make_user("mother", phone="13900000002", display_name="王秀兰")
    resident_for(mother, household=zhang.resident.household, born=date(1948, 1, 1), tags=["elderly_alone"])
    helper = person("helper", display_name="李四")
    stranger = person("stranger", display_name="赵五")
    services.timebank_earn_for_hours(hours_record(zhang, 300))
    services.timebank_earn_for_hours(hours_record(mother, 120))
    store = services.store_open(actor=None, name="华富爱心超市", area=community())
    rice = services.goods_add(actor=None, store=store, name="大米", price=60, stock=5)
    elsewhere = services.store_open(actor=None, name="粤海爱心超市", area=community("440305", "粤海街道"))
    far_goods = services.goods_add(actor=None, store=elsewhere, name="食用油", price=60, stock=5)
    return {
        "zhang": zhang,
        "mother": mother,
        "helper": helper,
        "stranger": stranger,
        "rice": rice,
        "far_goods": far_goods,
        "nobody": make_user("nobody"),
        **cast,
    }


def help_request(world, *, accepted=False) -> HelpRequest:
    request = services.help_request_create(
        actor=world["mother"], kind="visit", description="陪我聊聊天", minutes=60
    )
    if accepted:
        services.help_request_act(actor=world["helper"], request=request, action="accept")
    return request


class TestPortalPages(PermissionMatrixMixin):
    @pytest.mark.parametrize(
        "url", ["/me/timebank/", "/me/timebank/transfer/", "/me/timebank/family/", "/me/timebank/help/"]
    )
    def test_the_residents_own_pages_permission_matrix(self, client, world, url):
        self.assert_permission_matrix(
            client, url=url, in_scope=world["zhang"], page=True, sign_in_url=RESIDENT
        )

    @pytest.mark.parametrize("url", ["/timebank/help/", "/timebank/market/"])
    def test_the_city_wide_pages_permission_matrix(self, client, world, url):
        self.assert_permission_matrix(
            client, url=url, in_scope=world["zhang"], page=True, sign_in_url=RESIDENT
        )

    def test_posting_a_transfer_permission_matrix(self, client, world):
        services.family_link_declare(actor=world["zhang"], phone="13900000002", relation="母亲")
        self.assert_permission_matrix(
            client,
            url="/me/timebank/transfer/",
            method="post",
            data={"to": f"family:{world['mother'].pk}", "amount": "0.5"},
            multipart=True,
            in_scope=world["zhang"],
            ok=(302,),
            page=True,
            sign_in_url=RESIDENT,
        )

    def test_posting_a_family_link_permission_matrix(self, client, world):
        self.assert_permission_matrix(
            client,
            url="/me/timebank/family/",
            method="post",
            data={"phone": "13900000002", "relation": "母亲"},
            multipart=True,
            in_scope=world["zhang"],
            ok=(302,),
            page=True,
            sign_in_url=RESIDENT,
        )

    def test_confirming_a_family_link_permission_matrix(self, client, world):
        link = services.family_link_declare(actor=world["stranger"], phone="13900000001", relation="表哥")
        self.assert_permission_matrix(
            client,
            url=f"/me/timebank/family/{link.pk}/confirm/",
            method="post",
            multipart=True,
            in_scope=world["zhang"],
            out_of_scope=world["helper"],
            missing_url="/me/timebank/family/999999/confirm/",
            ok=(302,),
            page=True,
            sign_in_url=RESIDENT,
        )

    def test_asking_for_help_permission_matrix(self, client, world):
        self.assert_permission_matrix(
            client,
            url="/me/timebank/help/",
            method="post",
            data={"kind": "visit", "description": "陪我聊聊天", "amount": "0.5"},
            multipart=True,
            in_scope=world["mother"],
            ok=(302,),
            page=True,
            sign_in_url=RESIDENT,
        )

    def test_a_help_request_permission_matrix(self, client, world):
        request = help_request(world, accepted=True)
        self.assert_permission_matrix(
            client,
            url=f"/me/timebank/help/{request.pk}/",
            in_scope=world["mother"],
            out_of_scope=world["stranger"],
            missing_url="/me/timebank/help/999999/",
            page=True,
            sign_in_url=RESIDENT,
        )

    def test_acting_on_a_help_request_permission_matrix(self, client, world):
        request = help_request(world, accepted=True)
        self.assert_permission_matrix(
            client,
            url=f"/me/timebank/help/{request.pk}/complete/",
            method="post",
            multipart=True,
            in_scope=world["mother"],
            out_of_scope=world["stranger"],
            missing_url="/me/timebank/help/999999/complete/",
            ok=(302,),
            page=True,
            sign_in_url=RESIDENT,
        )
        request.refresh_from_db()
        assert request.status == "completed"

    def test_redeeming_permission_matrix(self, client, world):
        self.assert_permission_matrix(
            client,
            url=f"/timebank/market/{world['rice'].pk}/redeem/",
            method="post",
            multipart=True,
            in_scope=world["zhang"],
            ok=(302,),
            page=True,
            sign_in_url=RESIDENT,
        )


class TestConsolePages(PermissionMatrixMixin):
    @pytest.mark.parametrize(
        "url",
        [
            "/console/timebank/",
            "/console/timebank/issue/",
            "/console/timebank/settlement/",
            "/console/timebank/settlement/export/",
            "/console/timebank/transfers/export/",
        ],
    )
    def test_the_console_pages_are_for_those_who_keep_the_time_bank(self, client, world, url):
        self.assert_permission_matrix(
            client, url=url, in_scope=world["lina"], no_role=world["nobody"], page=True
        )

    def test_issuing_permission_matrix(self, client, world):
        self.assert_permission_matrix(
            client,
            url="/console/timebank/issue/",
            method="post",
            multipart=True,
            data={"resident": str(world["mother"].resident.pk), "amount": "2", "reason": "重点老人月度发放"},
            in_scope=world["lina"],
            out_of_scope=world["wangqiang"],
            no_role=world["nobody"],
            ok=(302,),
            page=True,
        )
        assert Account.objects.get(owner=world["mother"]).balance == 120 + 120

    def test_restocking_permission_matrix(self, client, world):
        self.assert_permission_matrix(
            client,
            url=f"/console/timebank/goods/{world['rice'].pk}/restock/",
            method="post",
            multipart=True,
            data={"quantity": "3"},
            in_scope=world["lina"],
            out_of_scope=world["wangqiang"],
            missing_url="/console/timebank/goods/999999/restock/",
            no_role=world["nobody"],
            ok=(302,),
            page=True,
        )
        assert Goods.objects.get(pk=world["rice"].pk).stock == 8


def test_the_account_page_shows_the_balance_and_history_in_chinese(client, world):
    sign_in(client, world["zhang"])
    page = client.get("/me/timebank/").content.decode()
    assert "5 <span" in page and "时间币" in page
    assert "志愿服务获得" in page


def test_a_transfer_from_the_page_beyond_the_balance_says_so_and_writes_nothing(client, world):
    services.family_link_declare(actor=world["zhang"], phone="13900000002", relation="母亲")
    sign_in(client, world["zhang"])
    before = Transfer.objects.count()
    r = client.post(
        "/me/timebank/transfer/", {"to": f"family:{world['mother'].pk}", "amount": "6", "memo": "给妈妈买菜"}
    )
    assert r.status_code == 400
    page = r.content.decode()
    assert "余额不足" in page
    assert Transfer.objects.count() == before
    # What was typed is still there: the mother chosen, the amount, the note.
    assert f'value="family:{world["mother"].pk}" checked' in page
    assert 'id="to-pool" value="pool">' in page  # not checked
    assert 'value="6"' in page and 'value="给妈妈买菜"' in page


def test_a_family_link_refused_keeps_what_was_typed(client, world):
    sign_in(client, world["zhang"])
    r = client.post("/me/timebank/family/", {"phone": "13911112222", "relation": "舅舅"})
    assert r.status_code == 400
    page = r.content.decode()
    assert "没有使用该手机号的平台居民。" in page
    assert 'value="舅舅"' in page
    assert "13911112222" not in page  # a phone is never sent back unmasked


def test_a_donation_to_an_elder_refused_keeps_the_choice_but_never_echoes_the_phone(client, world):
    sign_in(client, world["zhang"])
    r = client.post("/me/timebank/transfer/", {"to": "elder", "elder_phone": "13911112222", "amount": "1"})
    assert r.status_code == 400
    page = r.content.decode()
    assert 'id="to-elder" value="elder" checked' in page and 'value="1"' in page
    assert "13911112222" not in page


def test_the_settlement_report_shows_earning_elsewhere(client, world):
    # 张三 (华富) redeems at 粤海's store: spent elsewhere for 华富, others spent here for 粤海.
    from shequ.timebank.selectors import settlement_for

    services.goods_redeem(actor=world["zhang"], goods=world["far_goods"])

    def figures(street):
        return (
            street.area.name,
            street.earned_home,
            street.spent_home,
            street.spent_elsewhere,
            street.others_spent_here,
            street.net,
        )

    # 李娜 (华富街道): her street only; its residents earned 5 + 2 at home and spent 1 in 粤海.
    assert [figures(s) for s in settlement_for(world["lina"])] == [("华富街道", 420, 0, 60, 0, -60)]
    # The city: 粤海 sees the 1 时间币 a resident of elsewhere spent there.
    assert [figures(s) for s in settlement_for(world["chenjing"])] == [
        ("华富街道", 420, 0, 60, 0, -60),
        ("粤海街道", 0, 0, 0, 60, 60),
    ]
    sign_in(client, world["lina"])
    page = client.get("/console/timebank/settlement/").content.decode()
    assert "华富街道" in page and "粤海街道" not in page and ">-1<" in page
    sign_in(client, world["chenjing"])
    page = client.get("/console/timebank/settlement/").content.decode()
    assert "粤海街道" in page and "华富街道" in page and ">+1<" in page


def test_the_export_masks_residents_names(client, world):
    services.family_link_declare(actor=world["zhang"], phone="13900000002", relation="母亲")
    services.timebank_transfer_to_family(
        actor=world["zhang"], to_account=services.account_open(user=world["mother"]), minutes=30
    )
    sign_in(client, world["lina"])
    body = client.get("/console/timebank/transfers/export/").content.decode("utf-8-sig")
    assert "王**" in body and "王秀兰" not in body and "张三" not in body


def test_the_issue_page_reads_the_elders_in_a_fixed_number_of_queries(client, world, person):
    """The key-elderly check reads the prefetched tags: more elders on the list, no more queries."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    sign_in(client, world["lina"])

    def queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            r = client.get("/console/timebank/issue/")
        assert r.status_code == 200
        return len(ctx.captured_queries)

    one = queries()
    for n in range(3):
        person(f"elder{n}", born=date(1950 + n, 1, 1), tags=["elderly_alone"])  # under 80: tags decide
    page = client.get("/console/timebank/issue/").content.decode()
    assert page.count("岁 · ") == 4  # 王秀兰 and the three
    assert queries() == one


def test_the_family_page_reads_the_relatives_accounts_in_one_query(client, world, person):
    sign_in(client, world["zhang"])
    services.family_link_declare(actor=world["zhang"], phone="13900000002", relation="母亲")
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get("/me/timebank/family/").status_code == 200
        return len(ctx.captured_queries)

    one = queries()
    for n in range(3):
        relative = person(f"cousin{n}", phone=f"1390000010{n}")
        services.timebank_earn_for_hours(hours_record(relative, 60))
        services.family_link_declare(actor=world["zhang"], phone=f"1390000010{n}", relation="表亲")
    page = client.get("/me/timebank/family/").content.decode()
    assert page.count("表亲") == 3
    assert queries() == one
