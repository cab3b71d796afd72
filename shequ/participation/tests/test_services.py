"""The three lists and deliberation through their services: what each refuses, that a refusal writes nothing, the
response time, attendance by code, live polls, moderation and what a decision becomes."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from shequ.audit.models import AuditEntry
from shequ.core.errors import NotFound, ShequError
from shequ.messages.models import Message
from shequ.participation import services
from shequ.participation.choices import CommentStatus, NeedStatus
from shequ.participation.models import Attendance, Comment, Decision, Need, NeedMatch, Project

from .helpers import cat, meeting, need

pytestmark = pytest.mark.django_db


class TestNeeds:
    def test_a_resident_posts_a_need_and_it_is_audited(self, resident, huafu_community):
        n = need(resident, huafu_community)
        assert n.status == NeedStatus.OPEN and n.posted_by == resident and n.source == "resident"
        assert AuditEntry.objects.filter(action="participation.need_post", object_id=str(n.pk)).exists()

    def test_bad_input_is_refused_with_every_problem_and_nothing_written(self, resident, huafu_community):
        with pytest.raises(ShequError) as e:
            services.need_post(
                actor=resident, area=huafu_community, category=cat(), title="扶手", description="短"
            )
        assert set(e.value.fields) == {"title", "description"}
        assert "至少" in e.value.fields["title"] or "at least" in e.value.fields["title"]
        assert not Need.objects.exists()

    def test_a_need_must_be_in_a_community(self, resident, huafu_community):
        with pytest.raises(ShequError) as e:
            need(resident, huafu_community.parent)
        assert "area" in e.value.fields

    def test_a_resident_cannot_claim_a_staff_source(self, resident, huafu_community):
        with pytest.raises(NotFound):
            need(resident, huafu_community, source="grid_visit")
        assert not Need.objects.exists()

    def test_a_worker_records_a_need_from_a_grid_visit(self, cast, huafu_community):
        n = need(cast["lina"], huafu_community, source="grid_visit", source_ref="走访记录 12")
        assert n.source == "grid_visit" and n.posted_by is None

    def test_matching_marks_the_response_time_once_and_tells_the_resident(
        self, cast, resident, huafu_community, django_capture_on_commit_callbacks
    ):
        n = need(resident, huafu_community)
        project = services.project_create(
            actor=cast["lina"], area=huafu_community, category=cat(), title="楼道扶手安装项目"
        )
        resource = services.resource_add(
            actor=cast["lina"], area=huafu_community, category=cat(), kind="social_org", name="康宁社工"
        )
        with django_capture_on_commit_callbacks(execute=True):
            services.need_match(actor=cast["lina"], need=n, project=project, reply="已纳入项目")
        n.refresh_from_db()
        first = n.responded_at
        assert n.status == NeedStatus.MATCHED and first is not None and n.response_hours is not None
        services.need_match(actor=cast["lina"], need=n, resource=resource)
        n.refresh_from_db()
        assert n.responded_at == first
        msg = Message.objects.get(person=resident)
        assert "楼道需要扶手" in msg.title and "楼道扶手安装项目" in msg.body

    def test_a_second_match_to_the_same_project_is_a_conflict(self, cast, resident, huafu_community):
        n = need(resident, huafu_community)
        p = services.project_create(
            actor=cast["lina"], area=huafu_community, category=cat(), title="扶手项目一"
        )
        services.need_match(actor=cast["lina"], need=n, project=p)
        with pytest.raises(ShequError) as e:
            services.need_match(actor=cast["lina"], need=n, project=p)
        assert e.value.status == 409 and NeedMatch.objects.count() == 1

    def test_a_worker_outside_the_street_cannot_match(self, cast, resident, huafu_community):
        n = need(resident, huafu_community)
        r = services.resource_add(
            actor=cast["lina"], area=huafu_community, category=cat(), kind="fund", name="基金"
        )
        with pytest.raises(NotFound):
            services.need_match(actor=cast["wangqiang"], need=n, resource=r)
        n.refresh_from_db()
        assert n.status == NeedStatus.OPEN and n.responded_at is None

    def test_a_resource_of_another_community_is_refused(self, cast, resident, huafu_community):
        other = (
            huafu_community.parent.children.exclude(pk=huafu_community.pk).filter(level="community").first()
        )
        n = need(resident, huafu_community)
        r = services.resource_add(
            actor=cast["lina"], area=other, category=cat(), kind="fund", name="别处基金"
        )
        with pytest.raises(ShequError) as e:
            services.need_match(actor=cast["lina"], need=n, resource=r)
        assert "resource" in e.value.fields and not NeedMatch.objects.exists()


class TestMeetings:
    def test_end_before_start_is_refused_and_nothing_written(self, cast, huafu_community):
        start = timezone.now()
        with pytest.raises(ShequError) as e:
            services.meeting_create(
                actor=cast["lina"],
                area=huafu_community,
                kind="council",
                title="居民议事会",
                agenda="议题一",
                place="会议室",
                starts_at=start,
                ends_at=start - timedelta(hours=1),
            )
        assert "ends_at" in e.value.fields
        assert not AuditEntry.objects.filter(action="participation.meeting_create").exists()

    def test_invitations_go_through_the_message_centre_once_each(
        self, cast, resident, huafu_community, django_capture_on_commit_callbacks
    ):
        m = meeting(cast["lina"], huafu_community)
        with django_capture_on_commit_callbacks(execute=True):
            assert services.meeting_invite(actor=cast["lina"], meeting=m, people=[resident, resident]) == 1
            assert services.meeting_invite(actor=cast["lina"], meeting=m, people=[resident]) == 0
        assert Message.objects.filter(person=resident, kind="participation.meeting").count() == 1

    def test_the_code_checks_in_once_and_only_around_the_meeting(self, cast, resident, huafu_community):
        m = meeting(cast["lina"], huafu_community)
        token = services.checkin_token(m)
        services.attendance_check_in(actor=resident, token=token)
        services.attendance_check_in(actor=resident, token=token)
        assert Attendance.objects.filter(meeting=m).count() == 1
        later = meeting(cast["lina"], huafu_community, starts_in=timedelta(days=2))
        with pytest.raises(ShequError) as e:
            services.attendance_check_in(actor=resident, token=services.checkin_token(later))
        assert e.value.code == "outside_window"
        with pytest.raises(ShequError) as e:
            services.attendance_check_in(actor=resident, token=token + "x")
        assert e.value.status == 404

    def test_only_those_present_answer_a_live_poll_once(self, cast, resident, make_user, huafu_community):
        m = meeting(cast["lina"], huafu_community)
        poll = services.poll_open(
            actor=cast["lina"], meeting=m, question="是否同意安装扶手？", options=["同意", "不同意"]
        )
        absent = make_user("absent")
        with pytest.raises(ShequError) as e:
            services.poll_answer(actor=absent, poll=poll, option=0)
        assert e.value.code == "not_present"
        services.attendance_check_in(actor=resident, token=services.checkin_token(m))
        services.poll_answer(actor=resident, poll=poll, option=0)
        with pytest.raises(ShequError):
            services.poll_answer(actor=resident, poll=poll, option=1)
        from shequ.participation.selectors import poll_results

        assert poll_results(poll) == [("同意", 1), ("不同意", 0)]
        services.poll_close(actor=cast["lina"], poll=poll)
        with pytest.raises(ShequError):
            services.poll_answer(actor=resident, poll=poll, option=1)

    def test_a_poll_needs_two_different_options(self, cast, huafu_community):
        m = meeting(cast["lina"], huafu_community)
        with pytest.raises(ShequError) as e:
            services.poll_open(actor=cast["lina"], meeting=m, question="是否同意？", options=["同意", "同意"])
        assert "options" in e.value.fields

    def test_a_decision_becomes_a_project_once(self, cast, huafu_community):
        m = meeting(cast["lina"], huafu_community)
        d = services.decision_add(
            actor=cast["lina"], meeting=m, text="安装3栋楼道扶手", follow_up="社区工作站跟进"
        )
        project = services.decision_to_project(actor=cast["lina"], decision=d, category=cat())
        d.refresh_from_db()
        assert d.outcome == "project" and d.project == project and project.area == huafu_community
        with pytest.raises(ShequError):
            services.decision_to_need(actor=cast["lina"], decision=d, category=cat())
        assert Project.objects.count() == 1 and not Need.objects.exists()

    def test_a_decision_becomes_a_need_from_the_meeting(self, cast, huafu_community):
        m = meeting(cast["lina"], huafu_community)
        d = services.decision_add(actor=cast["lina"], meeting=m, text="增加长者饭堂座位")
        n = services.decision_to_need(actor=cast["lina"], decision=d, category=cat())
        assert n.source == "meeting" and n.source_ref == f"meeting:{m.pk}"

    def test_a_decision_becomes_an_appeal_through_the_appeals_service(self, cast, huafu_community):
        from shequ.appeals.models import Appeal

        m = meeting(cast["lina"], huafu_community)
        d = services.decision_add(actor=cast["lina"], meeting=m, text="请城管清理小区门口占道经营")
        number = services.decision_to_appeal(actor=cast["lina"], decision=d)
        appeal = Appeal.objects.get(number=number)
        assert appeal.channel == "proactive" and "占道经营" in appeal.text
        assert Decision.objects.get(pk=d.pk).appeal_number == number

    def test_minutes_are_refused_when_empty(self, cast, huafu_community):
        m = meeting(cast["lina"], huafu_community)
        with pytest.raises(ShequError):
            services.meeting_minutes_publish(actor=cast["lina"], meeting=m, minutes="  ")
        m.refresh_from_db()
        assert m.status == "scheduled" and m.minutes == ""


class TestDeliberation:
    def test_three_reports_hide_a_comment_until_review(self, cast, make_user, huafu_community):
        topic = services.topic_create(
            actor=cast["lina"],
            area=huafu_community,
            title="小区停车怎么管",
            body="请大家对停车收费方案发表意见。",
        )
        author = make_user("author")
        c = services.comment_post(actor=author, topic=topic, body="支持按时段收费")
        reply = services.comment_post(actor=make_user("replier"), topic=topic, body="同意", parent=c)
        assert reply.parent == c
        for i in range(2):
            services.comment_report(actor=make_user(f"r{i}"), comment=c, reason="广告")
        assert Comment.objects.get(pk=c.pk).status == CommentStatus.VISIBLE
        third = make_user("r2")
        services.comment_report(actor=third, comment=c, reason="广告")
        assert Comment.objects.get(pk=c.pk).status == CommentStatus.PENDING_REVIEW
        with pytest.raises(ShequError):
            services.comment_report(actor=third, comment=c, reason="再次")
        services.comment_review(actor=cast["lina"], comment=Comment.objects.get(pk=c.pk), keep=True)
        assert Comment.objects.get(pk=c.pk).status == CommentStatus.VISIBLE
        assert AuditEntry.objects.filter(action="participation.comment_restore").exists()

    def test_support_counts_once_per_person(self, cast, resident, huafu_community):
        topic = services.topic_create(
            actor=cast["lina"],
            area=huafu_community,
            title="小区停车怎么管",
            body="请大家对停车收费方案发表意见。",
        )
        assert services.support_add(actor=resident, topic=topic) is True
        assert services.support_add(actor=resident, topic=topic) is False
        topic.refresh_from_db()
        assert topic.supports == 1


class TestFillingTheLists:
    def test_the_months_top_problems_become_needs_once(self, cast, huafu_community, monkeypatch):
        from datetime import date

        from shequ.earlywarning import selectors as ew

        report = {
            "month": "2026-11",
            "rows": [
                {
                    "rank": 1,
                    "category": "CG",
                    "category_name": "市容环境",
                    "area": huafu_community.code,
                    "received": 37,
                },
                {
                    "rank": 2,
                    "category": "JT",
                    "category_name": "交通出行",
                    "area": huafu_community.code,
                    "received": 12,
                },
            ],
        }
        monkeypatch.setattr(ew, "monthly_top_problems", lambda **kw: report)
        made = services.needs_from_top_problems(
            actor=cast["lina"], month=date(2026, 11, 1), area=huafu_community
        )
        assert [n.title for n in made] == ["2026-11 每月一题：市容环境", "2026-11 每月一题：交通出行"]
        assert made[0].source == "appeals" and "37" in made[0].description and made[0].posted_by is None
        assert (
            services.needs_from_top_problems(
                actor=cast["lina"], month=date(2026, 11, 1), area=huafu_community
            )
            == []
        )
        with pytest.raises(NotFound):
            services.needs_from_top_problems(
                actor=cast["wangqiang"], month=date(2026, 11, 1), area=huafu_community
            )

    def test_the_streets_venues_and_teams_are_linked_once(self, cast, huafu_community):
        from shequ.venues.tests.helpers import make_venue
        from shequ.volunteers.tests.helpers import make_team

        venue = make_venue(area=huafu_community)
        team = make_team(area=huafu_community, name="华富助老服务队")
        made = services.resources_link_existing(actor=cast["lina"], area=huafu_community)
        linked = {(r.link_kind, r.link_id, r.kind) for r in made}
        assert ("venues.venue", venue.pk, "venue") in linked and (
            "volunteers.team",
            team.pk,
            "volunteer_team",
        ) in linked
        assert services.resources_link_existing(actor=cast["lina"], area=huafu_community) == []

    def test_a_link_to_a_venue_of_another_street_is_refused(self, cast, huafu_community, yuehai_community):
        from shequ.venues.tests.helpers import make_venue

        venue = make_venue("粤海活动室", area=yuehai_community)
        with pytest.raises(ShequError) as e:
            services.resource_add(
                actor=cast["lina"],
                area=huafu_community,
                category=cat(),
                kind="venue",
                link_kind="venues.venue",
                link_id=venue.pk,
            )
        assert "link_id" in e.value.fields
