"""The pages: permission matrices (anonymous, no role, in scope, out of scope = missing), and what people see."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.utils import timezone
from openpyxl import Workbook

from shequ.access.testing import PermissionMatrixMixin, sign_in
from shequ.accounts.models import User
from shequ.owners import services
from shequ.owners.models import Ballot, Document, Owner, PaperEntry, Part, Vote

from .factories import make_estate, open_vote, png, register, second_clerk

pytestmark = pytest.mark.django_db

CHOICES = {"m1": "yes", "m2": "no"}


@pytest.fixture
def estate(cast):
    return make_estate()


@pytest.fixture
def vote(cast, estate):
    owners = register(estate, owners=4)
    Owner.objects.filter(pk=owners[0].pk).update(user=cast["zhangwei"])
    return open_vote(estate)


def nobody():
    return User.objects.create(username=f"nobody{User.objects.count()}")


class TestPortalPages(PermissionMatrixMixin):
    def test_my_votes_permission_matrix(self, client, cast, vote):
        self.assert_permission_matrix(
            client, url="/owners/", in_scope=cast["zhangwei"], page=True, sign_in_url="/accounts/resident/"
        )

    def test_my_vote_permission_matrix(self, client, cast, vote):
        self.assert_permission_matrix(
            client,
            url=f"/owners/votes/{vote.pk}/",
            in_scope=cast["zhangwei"],
            out_of_scope=cast["wangqiang"],
            no_role=nobody(),
            page=True,
            sign_in_url="/accounts/resident/",
            missing_url="/owners/votes/999999/",
        )

    def test_casting_on_the_page_permission_matrix(self, client, cast, vote):
        self.assert_permission_matrix(
            client,
            url=f"/owners/votes/{vote.pk}/",
            method="post",
            data=CHOICES,
            multipart=True,
            in_scope=cast["zhangwei"],
            out_of_scope=cast["wangqiang"],
            no_role=nobody(),
            ok=(302,),
            page=True,
            sign_in_url="/accounts/resident/",
        )
        assert Ballot.objects.get().choices == {"1": "yes", "2": "no"}

    def test_result_permission_matrix(self, client, cast, vote):
        for user in (cast["zhangwei"], cast["lina"]):
            self.assert_permission_matrix(
                client,
                url=f"/owners/votes/{vote.pk}/result/",
                in_scope=user,
                out_of_scope=cast["wangqiang"],
                no_role=nobody(),
                page=True,
                sign_in_url="/accounts/resident/",
                missing_url="/owners/votes/999999/result/",
            )

    def test_receipt_permission_matrix(self, client, cast, vote):
        self.assert_permission_matrix(
            client,
            url="/owners/receipt/",
            in_scope=cast["zhangwei"],
            page=True,
            sign_in_url="/accounts/resident/",
        )

    def test_an_owner_votes_sees_his_receipt_and_checks_it(self, client, cast, vote):
        sign_in(client, cast["zhangwei"])
        page = client.get(f"/owners/votes/{vote.pk}/").content.decode()
        assert "投票中" in page and "1-001" in page and "投下我的选票" in page
        client.post(f"/owners/votes/{vote.pk}/", CHOICES)
        ballot = Ballot.objects.get()
        page = client.get(f"/owners/votes/{vote.pk}/").content.decode()
        assert "您的选票已记录" in page and ballot.receipt in page and "修改我的选票" in page
        checked = client.get("/owners/receipt/", {"code": ballot.receipt}).content.decode()
        assert "哈希链校验通过" in checked and "同意" in checked and "反对" in checked
        # Someone else's receipt is not his to read.
        sign_in(client, cast["lina"])
        other = client.get("/owners/receipt/", {"code": ballot.receipt}).content.decode()
        assert "没有您的选票" in other


class TestConsolePages(PermissionMatrixMixin):
    def test_console_home_permission_matrix(self, client, cast, vote):
        self.assert_permission_matrix(
            client, url="/console/owners/", in_scope=cast["lina"], no_role=nobody(), page=True
        )

    def test_register_permission_matrix(self, client, cast, vote, estate):
        self.assert_permission_matrix(
            client,
            url=f"/console/owners/estates/{estate.pk}/",
            in_scope=cast["lina"],
            out_of_scope=cast["wangqiang"],
            no_role=nobody(),
            page=True,
            missing_url="/console/owners/estates/999999999/",
        )

    def test_register_import_permission_matrix(self, client, cast, estate):
        def upload():
            wb = Workbook()
            wb.active.append(["房号", "登记面积", "业主"])
            wb.active.append(["3-301", 88.8, "王芳"])
            out = io.BytesIO()
            wb.save(out)
            out.seek(0)
            out.name = "r.xlsx"
            return {"do": "import", "file": out}

        self.assert_permission_matrix(
            client,
            url=f"/console/owners/estates/{estate.pk}/",
            method="post",
            data=upload,
            multipart=True,
            in_scope=cast["lina"],
            out_of_scope=cast["wangqiang"],
            no_role=nobody(),
            ok=(302,),
            page=True,
        )
        assert Part.objects.get(estate=estate).number == "3-301"

    def test_the_register_shows_masked_owners_and_exports_them_masked(self, client, cast, estate):
        register(estate, owners=2, unsold=1)
        sign_in(client, cast["lina"])
        page = client.get(f"/console/owners/estates/{estate.pk}/").content.decode()
        assert "业**" in page and "业主00" not in page and "开发商未售" in page
        export = client.get(f"/console/owners/estates/{estate.pk}/", {"export": "csv"}).content.decode(
            "utf-8-sig"
        )
        assert "业**" in export and "业主00" not in export

    def test_new_vote_permission_matrix(self, client, cast, estate):
        register(estate, owners=2)
        now = timezone.localtime()
        data = {
            "estate": str(estate.pk),
            "title": "选聘物业",
            "convener": "residents_committee",
            "convener_name": "居委会",
            "opens_at": (now + timedelta(days=16)).strftime("%Y-%m-%dT%H:%M"),
            "closes_at": (now + timedelta(days=30)).strftime("%Y-%m-%dT%H:%M"),
            "matter1": "选聘新物业",
            "item1": "4",
            "publish": "1",
        }
        self.assert_permission_matrix(
            client, url="/console/owners/votes/new/", in_scope=cast["lina"], no_role=nobody(), page=True
        )
        self.assert_permission_matrix(
            client,
            url="/console/owners/votes/new/",
            method="post",
            data=data,
            multipart=True,
            in_scope=cast["lina"],
            no_role=nobody(),
            ok=(302,),
            page=True,
        )
        assert Vote.objects.get().status == "published"
        # An estate outside his street is refused like a missing one.
        sign_in(client, cast["wangqiang"])
        r = client.post("/console/owners/votes/new/", data)
        assert r.status_code == 400 and Vote.objects.count() == 1

    def test_vote_console_permission_matrix(self, client, cast, vote):
        self.assert_permission_matrix(
            client,
            url=f"/console/owners/votes/{vote.pk}/",
            in_scope=cast["lina"],
            out_of_scope=cast["wangqiang"],
            no_role=nobody(),
            page=True,
            missing_url="/console/owners/votes/999999/",
        )

    def test_vote_action_permission_matrix(self, client, cast, vote):
        def paper():
            return {"part": "1-002", "m1": "yes", "m2": "yes", "scan": png()}

        self.assert_permission_matrix(
            client,
            url=f"/console/owners/votes/{vote.pk}/paper/",
            method="post",
            data=paper,
            multipart=True,
            in_scope=cast["lina"],
            out_of_scope=cast["wangqiang"],
            no_role=nobody(),
            ok=(302,),
            page=True,
            missing_url="/console/owners/votes/999999/paper/",
        )
        assert PaperEntry.objects.get().part.number == "1-002"

    def test_document_permission_matrix(self, client, cast, vote):
        part = Part.objects.get(estate=vote.estate, number="1-002")
        services.paper_entry_submit(
            actor=cast["lina"], vote=vote, part=part, choices={"1": "yes", "2": "yes"}, scan=png()
        )
        doc = Document.objects.get()
        self.assert_permission_matrix(
            client,
            url=f"/console/owners/documents/{doc.pk}/",
            in_scope=cast["lina"],
            out_of_scope=cast["wangqiang"],
            no_role=nobody(),
            page=True,
            missing_url="/console/owners/documents/999999/",
        )
        sign_in(client, cast["lina"])
        r = client.get(f"/console/owners/documents/{doc.pk}/")
        assert r["Content-Type"] == "image/png" and r["X-Content-Type-Options"] == "nosniff"

    def test_two_clerks_enter_a_paper_ballot_and_a_mismatch_is_said_plainly(self, client, cast, vote):
        sign_in(client, cast["lina"])
        url = f"/console/owners/votes/{vote.pk}/paper/"
        client.post(url, {"part": "1-002", "m1": "yes", "m2": "no", "scan": png()})
        sign_in(client, second_clerk())
        r = client.post(url, {"part": "1-002", "m1": "yes", "m2": "yes"}, follow=True)
        page = r.content.decode()
        assert "两次录入不一致" in page and not Ballot.objects.exists()
        # The refused entry comes back as typed: the part and both choices.
        assert r.status_code == 400 and 'id="paper-part" name="part" required value="1-002"' in page
        assert (
            'id="paper-m1-yes" value="yes" checked' in page
            and 'id="paper-m2-yes" value="yes" checked' in page
        )
        assert 'id="paper-m2-no" value="no" checked' not in page
        page = client.post(url, {"part": "1-002", "m1": "yes", "m2": "no"}, follow=True).content.decode()
        assert "纸质选票已计入" in page and Ballot.objects.get().channel == "paper"

    def test_the_convener_publishes_the_result_and_the_page_says_why(self, client, cast, vote):
        Vote.objects.filter(pk=vote.pk).update(closes_at=timezone.now() - timedelta(minutes=1))
        sign_in(client, cast["lina"])
        page = client.get(f"/console/owners/votes/{vote.pk}/").content.decode()
        assert "发布初步结果" in page and "延长投票" in page
        client.post(f"/console/owners/votes/{vote.pk}/preliminary/", {"days": "7"})
        vote.refresh_from_db()
        assert vote.status == "preliminary"
        result = client.get(f"/owners/votes/{vote.pk}/result/").content.decode()
        assert "总面积" in result and "400.00 m²" in result and "未通过" in result
        assert (
            '<td class="total-heads">4 人</td>' in result and "0 人（0.00%）" in result
        )  # heads with their unit
        assert "参与表决的业主所持专有部分面积不足" in result


def test_the_vote_console_counts_the_roll_and_never_tallies_it(client, cast, vote):
    """The console's vote page shows counts and links to the result: it reads no ballot's choices and the roll
    once, by COUNT (the live tally of a 3,000-part roll belongs to the result page)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    sign_in(client, cast["lina"])
    with CaptureQueriesContext(connection) as ctx:
        page = client.get(f"/console/owners/votes/{vote.pk}/").content.decode()
    assert "表决结果" in page and "已投 0 个" in page
    roll = [q["sql"] for q in ctx.captured_queries if '"owners_rollentry"' in q["sql"]]
    ballots = [q["sql"] for q in ctx.captured_queries if '"owners_ballot"' in q["sql"]]
    assert len(roll) == 1 and "COUNT(" in roll[0], roll
    assert len(ballots) == 1 and "COUNT(" in ballots[0], ballots


def test_the_register_page_writes_nothing_and_its_setting_is_saved_audited_and_fixed_at_the_notice(
    client, cast, estate
):
    from shequ.audit.models import AuditEntry
    from shequ.owners.models import EstateSettings

    register(estate, owners=2)
    sign_in(client, cast["lina"])
    page = client.get(f"/console/owners/estates/{estate.pk}/").content.decode()
    assert "2 个专有部分" in page and not EstateSettings.objects.exists()
    r = client.post(f"/console/owners/estates/{estate.pk}/", {"do": "settings", "silent": "1"})
    assert r.status_code == 302 and EstateSettings.objects.get(estate=estate).silent_follow_majority
    entry = AuditEntry.objects.get(action="owners.settings_update")
    assert entry.changes["silent_follow_majority"] == {"before": False, "after": True}
    assert (
        'name="silent" value="1" id="silent" checked'
        in client.get(f"/console/owners/estates/{estate.pk}/").content.decode()
    )
    assert open_vote(estate).silent_follow_majority


def test_a_refused_new_vote_keeps_what_was_typed_and_names_estates_by_community(client, cast, estate):
    register(estate, owners=2)
    sign_in(client, cast["lina"])
    page = client.get("/console/owners/votes/new/").content.decode()
    community = estate.parent.parent.name
    assert f"{estate.name}（{community}）" in page and estate.code not in page
    r = client.post(
        "/console/owners/votes/new/",
        {
            "estate": str(estate.pk),
            "title": "再议停车管理",
            "convener": "owners_committee",
            "convener_name": "业委会",
            "opens_at": "",
            "closes_at": "",
            "matter1": "修订停车管理规定",
            "item1": "2",
            "committee_consent": "1",
        },
    )
    page = r.content.decode()
    assert r.status_code == 400 and "请填写投票开始和截止的日期时间" in page and not Vote.objects.exists()
    assert 'value="再议停车管理"' in page and 'value="修订停车管理规定"' in page
    assert (
        'id="v-consent" checked' in page and 'id="v-publish"' in page and 'id="v-publish" checked' not in page
    )
    home = client.get("/console/owners/").content.decode()
    assert community in home and estate.code not in home
