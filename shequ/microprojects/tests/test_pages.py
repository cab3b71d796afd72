"""Pages: each one's permission matrix (anonymous, no role, in scope, out of scope like missing), and what a
person sees on them in Chinese."""

from __future__ import annotations

from datetime import date

import pytest

from shequ.access.testing import PermissionMatrixMixin, sign_in
from shequ.accounts.models import User
from shequ.microprojects import services
from shequ.microprojects.models import Proposal, Round

from .factories import huafu, make_round, round_in_vote, verified

pytestmark = pytest.mark.django_db
RESIDENT_LOGIN = "/accounts/resident/"


@pytest.fixture
def zhang(cast, make_resident):
    return verified(make_resident(name="张伟"), cast["zhangwei"])


@pytest.fixture
def outsider(make_resident, make_user):
    return verified(make_resident("440305", "粤海街道", name="外区居民"), make_user("mp_outsider"))


@pytest.fixture
def implementing(cast, zhang):
    rnd, (a, *_rest) = round_in_vote(cast["lina"], cast["zhangwei"])
    services.ballot_cast_online(user=cast["zhangwei"], rnd=rnd, choices=[a.pk])
    services.round_advance(actor=cast["lina"], rnd=rnd)
    (project,) = services.round_approve(
        actor=cast["lina"], rnd=rnd, meeting_date=date(2026, 6, 1), minutes="审定通过"
    )
    rnd = services.round_advance(actor=cast["lina"], rnd=rnd)
    return rnd, project


class TestPortalPages(PermissionMatrixMixin):
    def test_my_rounds_permission_matrix(self, client, cast, zhang):
        make_round(cast["lina"])
        self.assert_permission_matrix(
            client, url="/microprojects/", in_scope=cast["zhangwei"], page=True, sign_in_url=RESIDENT_LOGIN
        )
        sign_in(client, cast["zhangwei"])
        page = client.get("/microprojects/").content.decode()
        assert "民生微实事：居民点菜" in page and "华富街道2026年民生微实事" in page and "征集项目" in page

    def test_my_round_permission_matrix(self, client, cast, zhang, outsider):
        rnd = make_round(cast["lina"])
        self.assert_permission_matrix(
            client,
            url=f"/microprojects/rounds/{rnd.pk}/",
            in_scope=cast["zhangwei"],
            out_of_scope=outsider.user,
            missing_url="/microprojects/rounds/999999/",
            page=True,
            sign_in_url=RESIDENT_LOGIN,
        )

    def test_proposing_permission_matrix(self, client, cast, zhang, outsider):
        rnd = make_round(cast["lina"])
        self.assert_permission_matrix(
            client,
            url=f"/microprojects/rounds/{rnd.pk}/",
            method="post",
            multipart=True,
            data={"do": "propose", "title": "增设长者座椅", "description": "公园缺少座椅"},
            in_scope=cast["zhangwei"],
            out_of_scope=outsider.user,
            ok=(302,),
            page=True,
            sign_in_url=RESIDENT_LOGIN,
        )
        assert Proposal.objects.get(round=rnd).title == "增设长者座椅"

    def test_receipt_permission_matrix(self, client, cast, zhang):
        self.assert_permission_matrix(
            client,
            url="/microprojects/receipt/",
            in_scope=cast["zhangwei"],
            page=True,
            sign_in_url=RESIDENT_LOGIN,
        )

    def test_a_vote_shows_the_receipt_once_and_the_receipt_page_confirms_it(self, client, cast, zhang):
        rnd, (a, b, _c) = round_in_vote(cast["lina"], cast["zhangwei"])
        sign_in(client, cast["zhangwei"])
        page = client.post(
            f"/microprojects/rounds/{rnd.pk}/", {"do": "vote", "choices": [a.pk]}
        ).content.decode()
        assert "您的选票已计入" in page and "只显示这一次" in page
        receipt = rnd.ballots.get().receipt
        assert receipt in page
        again = client.get(f"/microprojects/rounds/{rnd.pk}/").content.decode()
        assert "您已在本轮投票，谢谢参与。" in again and receipt not in again
        check = client.get("/microprojects/receipt/", {"code": receipt}).content.decode()
        assert "已计入" in check and "项目1" in check and "选票链校验通过" in check
        second = client.post(f"/microprojects/rounds/{rnd.pk}/", {"do": "vote", "choices": [b.pk]})
        assert second.status_code == 409 and "您已在本轮投过票。" in second.content.decode()

    def test_a_ballot_over_the_allowed_number_keeps_the_ticks(self, client, cast, zhang):
        rnd, proposals = round_in_vote(cast["lina"], cast["zhangwei"], max_approvals=2)
        sign_in(client, cast["zhangwei"])
        r = client.post(
            f"/microprojects/rounds/{rnd.pk}/", {"do": "vote", "choices": [p.pk for p in proposals]}
        )
        page = r.content.decode()
        assert r.status_code == 400 and "您最多可以选择 2 个项目。" in page
        assert page.count("checked") == 3 and not rnd.ballots.exists()


class TestPublicPages:
    def test_the_disclosure_and_the_project_are_public_once_the_result_is_published(
        self, client, implementing
    ):
        rnd, project = implementing
        page = client.get(f"/microprojects/disclosure/{rnd.pk}/").content.decode()
        assert "公示" in page and "平等份额法" not in page and "按票数顺序依次入选" in page
        assert "同票规则：票数多者优先" in page and "审定通过" in page
        assert client.get(f"/microprojects/projects/{project.pk}/").status_code == 200

    def test_a_round_without_a_result_has_no_disclosure(self, client, cast):
        rnd = make_round(cast["lina"])
        assert client.get(f"/microprojects/disclosure/{rnd.pk}/").status_code == 404


class TestConsolePages(PermissionMatrixMixin):
    def test_console_home_permission_matrix(self, client, cast):
        make_round(cast["lina"])
        self.assert_permission_matrix(
            client,
            url="/console/microprojects/",
            in_scope=cast["lina"],
            no_role=User.objects.create(username="nobody"),
            page=True,
        )
        sign_in(client, cast["wangqiang"])
        assert "华富街道2026年民生微实事" not in client.get("/console/microprojects/").content.decode()

    def test_opening_a_round_permission_matrix(self, client, cast):
        self.assert_permission_matrix(
            client,
            url="/console/microprojects/",
            method="post",
            multipart=True,
            data=lambda: {
                "area": str(huafu().pk),
                "year": "2027",
                "title": "华富街道2027年民生微实事",
                "budget": "500000",
                "ballot_kind": "approval",
                "method": "greedy",
                "eligibility": "resident",
                "max_approvals": "3",
            },
            in_scope=cast["lina"],
            no_role=User.objects.create(username="nobody"),
            ok=(302,),
            page=True,
        )
        assert Round.objects.get().created_by == cast["lina"]

    def test_console_round_permission_matrix(self, client, cast):
        rnd = make_round(cast["lina"])
        self.assert_permission_matrix(
            client,
            url=f"/console/microprojects/rounds/{rnd.pk}/",
            in_scope=cast["lina"],
            out_of_scope=cast["wangqiang"],
            missing_url="/console/microprojects/rounds/999999/",
            page=True,
        )

    def test_console_round_post_permission_matrix(self, client, cast, zhang):
        rnd, (a, *_rest) = round_in_vote(cast["lina"], cast["zhangwei"])
        self.assert_permission_matrix(
            client,
            url=f"/console/microprojects/rounds/{rnd.pk}/",
            method="post",
            multipart=True,
            data={
                "do": "paper",
                "batch": "第1批",
                "sheet": "001",
                "id_number": zhang.id_number,
                "choices": [a.pk],
            },
            in_scope=cast["lina"],
            out_of_scope=cast["wangqiang"],
            ok=(302,),
            page=True,
        )
        assert rnd.paper_entries.get().entered_by == cast["lina"]

    def test_console_project_permission_matrix(self, client, cast, implementing):
        _rnd, project = implementing
        self.assert_permission_matrix(
            client,
            url=f"/console/microprojects/projects/{project.pk}/",
            in_scope=cast["lina"],
            out_of_scope=cast["wangqiang"],
            missing_url="/console/microprojects/projects/999999/",
            page=True,
        )

    def test_console_project_post_permission_matrix(self, client, cast, implementing):
        _rnd, project = implementing
        self.assert_permission_matrix(
            client,
            url=f"/console/microprojects/projects/{project.pk}/",
            method="post",
            multipart=True,
            data={"do": "spending", "amount": "1000", "purpose": "首期款", "on": "2026-08-01"},
            in_scope=cast["lina"],
            out_of_scope=cast["wangqiang"],
            ok=(302,),
            page=True,
        )
        project.refresh_from_db()
        assert project.spent == 1000
        sign_in(client, cast["lina"])
        over = client.post(
            f"/console/microprojects/projects/{project.pk}/",
            {"do": "spending", "amount": "99999999", "purpose": "尾款"},
        )
        assert over.status_code == 400 and "超过 30,000 元的预算" in over.content.decode()
