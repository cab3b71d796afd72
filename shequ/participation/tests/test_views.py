"""The portal and console pages: what a person sees, refusals that keep what was typed and write nothing, and the
permission matrix of every page."""

from __future__ import annotations

import pytest

from shequ.access.testing import PermissionMatrixMixin, sign_in
from shequ.participation import services
from shequ.participation.models import Comment, Need, Resource

from .helpers import cat, meeting, need

pytestmark = pytest.mark.django_db
RESIDENT_LOGIN = "/accounts/resident/"


class TestPortal(PermissionMatrixMixin):
    def test_the_community_lists_are_public_without_names(self, client, cast, make_user, huafu_community):
        poster = make_user("poster", display_name="陈小明")
        n = need(poster, huafu_community)
        services.resource_add(
            actor=cast["lina"], area=huafu_community, category=cat(), kind="company", name="华富物业"
        )
        r = client.get("/participation/", {"area": huafu_community.code})
        page = r.content.decode()
        assert r.status_code == 200
        assert "楼道需要扶手" in page and "华富物业" in page and "需求清单" in page
        assert "陈小明" not in page
        assert client.get(f"/participation/needs/{n.pk}/").status_code == 200

    def test_a_resident_posts_a_need_and_follows_it(self, client, cast, resident, huafu_community):
        sign_in(client, resident)
        r = client.post(
            "/me/participation/needs/new/",
            {
                "area": huafu_community.code,
                "category": "elderly",
                "title": "楼道需要扶手",
                "description": "3栋楼道没有扶手。",
            },
        )
        n = Need.objects.get()
        assert r.status_code == 302 and r["Location"] == f"/me/participation/needs/{n.pk}/"
        project = services.project_create(
            actor=cast["lina"], area=huafu_community, category=cat(), title="扶手安装"
        )
        services.need_match(actor=cast["lina"], need=n, project=project, reply="已纳入项目")
        page = client.get(f"/me/participation/needs/{n.pk}/").content.decode()
        assert "扶手安装" in page and "已纳入项目" in page and "已对接" in page

    def test_a_refused_need_keeps_what_was_typed_and_writes_nothing(self, client, resident, huafu_community):
        sign_in(client, resident)
        r = client.post(
            "/me/participation/needs/new/",
            {"area": huafu_community.code, "category": "", "title": "扶手没有了的楼道", "description": "短"},
        )
        page = r.content.decode()
        assert r.status_code == 400 and "扶手没有了的楼道" in page and "请选择类别" in page
        assert not Need.objects.exists()

    def test_someone_elses_need_is_not_found_in_my_needs(self, client, make_user, resident, huafu_community):
        n = need(make_user("other"), huafu_community)
        self.assert_permission_matrix(
            client,
            url=f"/me/participation/needs/{n.pk}/",
            in_scope=n.posted_by,
            out_of_scope=resident,
            missing_url="/me/participation/needs/999999/",
            page=True,
            sign_in_url=RESIDENT_LOGIN,
        )

    def test_the_residents_own_pages_permission_matrix(self, client, resident):
        for url in ("/me/participation/", "/me/participation/needs/new/"):
            self.assert_permission_matrix(
                client, url=url, in_scope=resident, page=True, sign_in_url=RESIDENT_LOGIN
            )

    def test_posting_a_need_permission_matrix(self, client, resident, huafu_community):
        self.assert_permission_matrix(
            client,
            url="/me/participation/needs/new/",
            method="post",
            multipart=True,
            data={
                "area": huafu_community.code,
                "category": "elderly",
                "title": "楼道扶手",
                "description": "没有扶手的楼道。",
            },
            in_scope=resident,
            ok=(302,),
            page=True,
            sign_in_url=RESIDENT_LOGIN,
        )

    def test_commenting_and_reporting_hides_after_three(self, client, cast, make_user, huafu_community):
        topic = services.topic_create(
            actor=cast["lina"],
            area=huafu_community,
            title="小区停车怎么管",
            body="请大家对停车收费方案发表意见。",
        )
        author = make_user("author")
        sign_in(client, author)
        client.post(f"/participation/topics/{topic.pk}/act/", {"action": "comment", "body": "买二手车位广告"})
        c = Comment.objects.get()
        for i in range(3):
            sign_in(client, make_user(f"rep{i}"))
            client.post(
                f"/participation/topics/{topic.pk}/act/",
                {"action": "report", "comment": c.pk, "reason": "广告"},
            )
        page = client.get(f"/participation/topics/{topic.pk}/").content.decode()
        assert "买二手车位广告" not in page and "待管理员审核" in page
        assert "3 人举报" in page or "3人举报" in page or "举报" in page  # the rules are shown

    def test_topic_actions_permission_matrix(self, client, cast, resident, huafu_community):
        topic = services.topic_create(
            actor=cast["lina"],
            area=huafu_community,
            title="小区停车怎么管",
            body="请大家对停车收费方案发表意见。",
        )
        self.assert_permission_matrix(
            client,
            url=f"/participation/topics/{topic.pk}/act/",
            method="post",
            multipart=True,
            data={"action": "support"},
            in_scope=resident,
            ok=(302,),
            page=True,
            sign_in_url=RESIDENT_LOGIN,
        )

    def test_checking_in_and_answering_permission_matrix(self, client, cast, resident, huafu_community):
        m = meeting(cast["lina"], huafu_community)
        token = services.checkin_token(m)
        self.assert_permission_matrix(
            client,
            url=f"/participation/checkin/{token}/",
            in_scope=resident,
            page=True,
            sign_in_url=RESIDENT_LOGIN,
        )
        self.assert_permission_matrix(
            client,
            url=f"/participation/checkin/{token}/",
            method="post",
            multipart=True,
            in_scope=resident,
            ok=(302,),
            page=True,
            sign_in_url=RESIDENT_LOGIN,
        )
        poll = services.poll_open(
            actor=cast["lina"], meeting=m, question="是否同意安装？", options=["同意", "不同意"]
        )
        self.assert_permission_matrix(
            client,
            url=f"/participation/polls/{poll.pk}/answer/",
            method="post",
            multipart=True,
            data={"option": "0"},
            in_scope=resident,
            ok=(302,),
            page=True,
            sign_in_url=RESIDENT_LOGIN,
        )
        page = client.get(f"/participation/meetings/{m.pk}/").content.decode()
        assert "同意：1" in page.replace(" ", "")


class TestConsole(PermissionMatrixMixin):
    def test_the_console_pages_are_for_the_communitys_staff(self, client, cast, make_user):
        for url in (
            "/console/participation/",
            "/console/participation/resources/new/",
            "/console/participation/meetings/new/",
            "/console/participation/topics/new/",
        ):
            self.assert_permission_matrix(
                client, url=url, in_scope=cast["lina"], no_role=cast["zhangwei"], page=True
            )

    def test_filling_the_lists_permission_matrix(self, client, cast, make_user, huafu_community):
        from shequ.venues.tests.helpers import make_venue

        make_venue(area=huafu_community)
        data = {"action": "link", "area": huafu_community.code}
        self.assert_permission_matrix(
            client,
            url="/console/participation/",
            method="post",
            multipart=True,
            data=data,
            in_scope=cast["lina"],
            no_role=cast["zhangwei"],
            ok=(302,),
            page=True,
        )
        assert Resource.objects.filter(area=huafu_community, kind="venue").count() == 1
        # Outside his street the community is not among his choices: refused, nothing written.
        sign_in(client, cast["wangqiang"])
        r = client.post("/console/participation/", data, follow=True)
        assert "请选择社区" in r.content.decode()
        assert Resource.objects.count() == 1

    def test_a_need_outside_the_street_is_not_found(self, client, cast, resident, huafu_community):
        n = need(resident, huafu_community)
        self.assert_permission_matrix(
            client,
            url=f"/console/participation/needs/{n.pk}/",
            in_scope=cast["lina"],
            out_of_scope=cast["wangqiang"],
            missing_url="/console/participation/needs/999999/",
            page=True,
        )

    def test_matching_outside_the_street_is_not_found(self, client, cast, resident, huafu_community):
        n = need(resident, huafu_community)
        r = services.resource_add(
            actor=cast["lina"], area=huafu_community, category=cat(), kind="fund", name="社区基金"
        )
        self.assert_permission_matrix(
            client,
            url=f"/console/participation/needs/{n.pk}/",
            method="post",
            multipart=True,
            data={"action": "match", "target": f"resource:{r.pk}", "reply": "基金支持"},
            in_scope=cast["lina"],
            out_of_scope=cast["wangqiang"],
            ok=(302,),
            page=True,
        )
        n.refresh_from_db()
        assert n.status == "matched"

    def test_a_meeting_outside_the_street_is_not_found(self, client, cast, huafu_community):
        m = meeting(cast["lina"], huafu_community)
        self.assert_permission_matrix(
            client,
            url=f"/console/participation/meetings/{m.pk}/",
            in_scope=cast["lina"],
            out_of_scope=cast["wangqiang"],
            missing_url="/console/participation/meetings/999999/",
            page=True,
        )
        self.assert_permission_matrix(
            client,
            url=f"/console/participation/meetings/{m.pk}/",
            method="post",
            multipart=True,
            data={"action": "decision", "text": "安装3栋扶手"},
            in_scope=cast["lina"],
            out_of_scope=cast["wangqiang"],
            ok=(302,),
            page=True,
        )

    def test_posting_the_console_forms_permission_matrix(self, client, cast, huafu_community):
        forms = {
            "/console/participation/resources/new/": {
                "area": huafu_community.code,
                "category": "elderly",
                "kind": "company",
                "name": "华富物业",
            },
            "/console/participation/meetings/new/": {
                "area": huafu_community.code,
                "kind": "council",
                "title": "居民议事会",
                "agenda": "议题：扶手",
                "place": "会议室",
                "starts_at": "2026-12-20T19:00",
                "ends_at": "2026-12-20T20:00",
            },
            "/console/participation/topics/new/": {
                "area": huafu_community.code,
                "title": "停车怎么管",
                "body": "请大家对停车收费方案发表意见。",
            },
        }
        for url, data in forms.items():
            self.assert_permission_matrix(
                client,
                url=url,
                method="post",
                multipart=True,
                data=data,
                in_scope=cast["lina"],
                ok=(302,),
                page=True,
            )
            # Outside his street: the community is not among his choices, a refusal that writes nothing.
            sign_in(client, cast["wangqiang"])
            r = client.post(url, data)
            assert r.status_code == 400 and "请选择社区" in r.content.decode()

    def test_reviewing_outside_the_street_is_not_found(self, client, cast, make_user, huafu_community):
        topic = services.topic_create(
            actor=cast["lina"],
            area=huafu_community,
            title="小区停车怎么管",
            body="请大家对停车收费方案发表意见。",
        )
        c = services.comment_post(actor=make_user("author"), topic=topic, body="广告内容")
        for i in range(3):
            services.comment_report(actor=make_user(f"rr{i}"), comment=c, reason="广告")
        self.assert_permission_matrix(
            client,
            url=f"/console/participation/comments/{c.pk}/review/",
            method="post",
            multipart=True,
            data={"keep": "0"},
            in_scope=cast["lina"],
            out_of_scope=cast["wangqiang"],
            ok=(302,),
            page=True,
        )
        assert Comment.objects.get(pk=c.pk).status == "removed"

    def test_a_decision_becomes_a_project_from_the_meeting_page(self, client, cast, huafu_community):
        m = meeting(cast["lina"], huafu_community)
        d = services.decision_add(actor=cast["lina"], meeting=m, text="安装3栋楼道扶手")
        sign_in(client, cast["lina"])
        r = client.post(
            f"/console/participation/meetings/{m.pk}/",
            {"action": "to_project", "decision": d.pk, "category": "elderly"},
        )
        assert r.status_code == 302
        page = client.get(f"/participation/meetings/{m.pk}/").content.decode()
        assert "已转为项目" in page and "安装3栋楼道扶手" in page
