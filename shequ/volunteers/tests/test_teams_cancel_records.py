"""Joining a team from its page, cancelling an activity (the volunteers are told), training and awards recorded from
the organiser's team page, an activity published with several shifts, and the volunteer figures on the leaders'
dashboard (issue 24)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from shequ.access.testing import PermissionMatrixMixin, sign_in
from shequ.audit.models import AuditEntry
from shequ.core.errors import ShequError
from shequ.messages.models import Message
from shequ.volunteers import services
from shequ.volunteers.choices import ActivityStatus, SignupStatus, VolunteerStatus
from shequ.volunteers.models import Activity, RecordEntry, Shift, Signup, TeamMember

from .helpers import make_account, make_activity, make_volunteer, shift_data
from .test_pages import MISSING, RESIDENT, shift_rows

pytestmark = pytest.mark.django_db


# --- team members --------------------------------------------------------------------------------------------------


class TestTeamMembers(PermissionMatrixMixin):
    def test_a_volunteer_joins_a_team_once_and_leaves_it(self, huafu_team, volunteer):
        member = services.team_member_join(actor=volunteer.user, team=huafu_team)
        with pytest.raises(ShequError) as again:
            services.team_member_join(actor=volunteer.user, team=huafu_team)
        assert again.value.code == "already_member" and again.value.status == 409
        assert TeamMember.objects.filter(team=huafu_team, left_at__isnull=True).count() == 1
        services.team_member_leave(actor=volunteer.user, team=huafu_team)
        member.refresh_from_db()
        assert member.left_at is not None
        services.team_member_join(actor=volunteer.user, team=huafu_team)  # may join again later
        assert TeamMember.objects.filter(team=huafu_team, volunteer=volunteer).count() == 2
        actions = list(
            AuditEntry.objects.filter(action__startswith="volunteer_team.").values_list("action", flat=True)
        )
        assert actions.count("volunteer_team.join") == 2 and "volunteer_team.leave" in actions

    def test_someone_not_registered_is_sent_to_register_and_nothing_is_written(self, client, huafu_team):
        user = make_account()
        with pytest.raises(ShequError) as refused:
            services.team_member_join(actor=user, team=huafu_team)
        assert refused.value.code == "not_registered"
        sign_in(client, user)
        r = client.post(f"/volunteers/teams/{huafu_team.pk}/join/")
        assert r.status_code == 302 and r["Location"] == "/volunteers/register/"
        assert not TeamMember.objects.exists()

    def test_join_permission_matrix_and_the_team_page_says_so(self, client, huafu_team, volunteer):
        self.assert_permission_matrix(
            client,
            url=f"/volunteers/teams/{huafu_team.pk}/join/",
            method="post",
            multipart=True,
            data={},
            in_scope=volunteer.user,
            ok=(302,),
            page=True,
            sign_in_url=RESIDENT,
        )
        sign_in(client, volunteer.user)
        assert client.post(f"/volunteers/teams/{MISSING}/join/").status_code == 404
        assert client.post(f"/volunteers/teams/{huafu_team.pk}/adopt/").status_code == 404
        page = client.get(f"/volunteers/teams/{huafu_team.pk}/").content.decode()
        assert "1 名队员" in page and "你是本队队员" in page and "退出队伍" in page
        client.post(f"/volunteers/teams/{huafu_team.pk}/leave/")
        page = client.get(f"/volunteers/teams/{huafu_team.pk}/").content.decode()
        assert "0 名队员" in page and "加入队伍" in page

    def test_an_anonymous_visitor_is_offered_to_sign_in(self, client, huafu_team):
        page = client.get(f"/volunteers/teams/{huafu_team.pk}/").content.decode()
        assert "登录后加入" in page


# --- cancelling an activity ----------------------------------------------------------------------------------------


class TestCancelActivity(PermissionMatrixMixin):
    def test_cancelling_frees_every_place_cancels_every_sign_up_and_tells_each_volunteer(
        self, huafu_team, songyu
    ):
        activity = make_activity(huafu_team, shifts=[shift_data(capacity=1), shift_data(capacity=2)])
        first, second = activity.shifts.order_by("id")
        holder, waiting, other = make_volunteer(), make_volunteer(), make_volunteer()
        services.signup_create(actor=holder.user, shift=first)
        services.signup_create(actor=waiting.user, shift=first, waitlist=True)
        services.signup_create(actor=other.user, shift=second)
        before = Message.objects.count()

        services.activity_cancel(actor=songyu, activity=activity, reason="台风橙色预警")

        activity.refresh_from_db()
        assert activity.status == ActivityStatus.CANCELLED and activity.cancel_reason == "台风橙色预警"
        assert set(Signup.objects.values_list("status", flat=True)) == {SignupStatus.CANCELLED}
        assert list(Shift.objects.filter(activity=activity).values_list("taken", flat=True)) == [0, 0]
        told = Message.objects.filter(kind="volunteers.activity_cancelled")
        assert Message.objects.count() - before == 3 == told.count()
        assert {m.person_id for m in told} == {holder.user_id, waiting.user_id, other.user_id}
        assert all("台风橙色预警" in m.body and "已取消" in m.body for m in told)
        # Those who held a place get a text message too; the waiting list only the message.
        assert {m.person_id for m in told if m.sms} <= {holder.user_id, other.user_id}
        assert AuditEntry.objects.filter(action="volunteer_activity.cancel").count() == 1

    def test_a_cancelled_activity_takes_no_sign_up_and_is_gone_from_the_public_pages(
        self, client, activity, songyu, volunteer
    ):
        services.activity_cancel(actor=songyu, activity=activity, reason="场地维修")
        with pytest.raises(ShequError) as refused:
            services.signup_create(actor=volunteer.user, shift=Shift.objects.get(activity=activity))
        assert refused.value.code == "not_open"
        assert not Signup.objects.exists()
        assert client.get(f"/volunteers/activities/{activity.pk}/").status_code == 404
        assert activity.title not in client.get("/volunteers/activities/").content.decode()

    def test_bad_cancellations_are_refused_with_nothing_written(self, cast, huafu_team, songyu, running):
        activity = make_activity(huafu_team)
        with pytest.raises(ShequError) as no_reason:
            services.activity_cancel(actor=songyu, activity=activity, reason=" ")
        assert no_reason.value.code == "invalid"
        from django.core.exceptions import PermissionDenied

        with pytest.raises(PermissionDenied):
            services.activity_cancel(actor=cast["wangqiang"], activity=activity, reason="不办了")
        shift, _signup = running  # began 30 minutes ago
        with pytest.raises(ShequError) as begun:
            services.activity_cancel(actor=songyu, activity=shift.activity, reason="下雨")
        assert begun.value.code == "already_begun"
        services.activity_cancel(actor=songyu, activity=activity, reason="下雨")
        with pytest.raises(ShequError) as twice:
            services.activity_cancel(actor=songyu, activity=activity, reason="下雨")
        assert twice.value.code == "not_published"
        assert Activity.objects.filter(status=ActivityStatus.CANCELLED).count() == 1
        assert AuditEntry.objects.filter(action="volunteer_activity.cancel").count() == 1

    def test_cancel_permission_matrix(self, client, cast, activity, songyu):
        self.assert_permission_matrix(
            client,
            url=f"/volunteers/organise/activities/{activity.pk}/cancel/",
            method="post",
            multipart=True,
            data={"reason": "台风停课"},
            in_scope=songyu,
            out_of_scope=cast["wangqiang"],
            no_role=make_account(),
            missing_url=f"/volunteers/organise/activities/{MISSING}/cancel/",
            ok=(302,),
            page=True,
            sign_in_url=RESIDENT,
        )
        activity.refresh_from_db()
        assert activity.status == ActivityStatus.CANCELLED
        sign_in(client, songyu)
        page = client.get(f"/volunteers/organise/activities/{activity.pk}/").content.decode()
        assert "台风停课" in page and "取消活动" not in page.split("</h1>", 1)[1]


# --- training, awards and evaluations ------------------------------------------------------------------------------


class TestTeamRecords(PermissionMatrixMixin):
    def test_records_page_permission_matrix(self, client, cast, huafu_team, songyu):
        self.assert_permission_matrix(
            client,
            url=f"/volunteers/organise/teams/{huafu_team.pk}/records/",
            in_scope=songyu,
            out_of_scope=cast["wangqiang"],
            no_role=make_account(),
            missing_url=f"/volunteers/organise/teams/{MISSING}/records/",
            page=True,
            sign_in_url=RESIDENT,
        )

    def test_an_organiser_records_training_for_a_member_who_becomes_a_registered_volunteer(
        self, client, cast, huafu_team, songyu, volunteer
    ):
        services.team_member_join(actor=volunteer.user, team=huafu_team)
        outsider = make_volunteer()  # neither a member nor on the team's activities: not offered
        day = timezone.localdate()
        data = {
            "volunteer": str(volunteer.pk),
            "kind": "training",
            "title": "应急救护培训",
            "on": f"{day:%Y-%m-%d}",
            "minutes": "120",
        }
        self.assert_permission_matrix(
            client,
            url=f"/volunteers/organise/teams/{huafu_team.pk}/records/",
            method="post",
            multipart=True,
            data=data,
            in_scope=songyu,
            out_of_scope=cast["wangqiang"],
            no_role=make_account(),
            missing_url=f"/volunteers/organise/teams/{MISSING}/records/",
            ok=(302,),
            page=True,
            sign_in_url=RESIDENT,
        )
        entry = RecordEntry.objects.get()
        assert (entry.volunteer, entry.title, entry.minutes, entry.issuer) == (
            volunteer,
            "应急救护培训",
            120,
            huafu_team.name,
        )
        volunteer.refresh_from_db()
        assert volunteer.status == VolunteerStatus.FORMAL
        sign_in(client, songyu)
        page = client.get(f"/volunteers/organise/teams/{huafu_team.pk}/records/").content.decode()
        assert "应急救护培训" in page and outsider.number not in page
        r = client.post(
            f"/volunteers/organise/teams/{huafu_team.pk}/records/", {**data, "volunteer": outsider.pk}
        )
        assert r.status_code == 200 and RecordEntry.objects.count() == 1
        sign_in(client, volunteer.user)
        assert "应急救护培训" in client.get("/volunteers/me/hours/").content.decode()


# --- publishing several shifts -------------------------------------------------------------------------------------


class TestPublishSeveralShifts:
    def test_an_organiser_adds_rows_and_publishes_three_shifts(self, client, cast, huafu_team, songyu):
        sign_in(client, songyu)
        day = timezone.localdate() + timedelta(days=6)
        base = {"team": str(huafu_team.pk), "title": "社区义诊", "cancel_hours": "24"}
        one = shift_rows(("华富社康", day, "09:00", "11:00", 6))
        page = client.post("/volunteers/organise/activities/new/", {**base, **one, "add_shift": "1"})
        text = page.content.decode()
        assert page.status_code == 200 and "班次 2" in text and 'name="shift-1-place"' in text
        assert not Activity.objects.exists()
        three = shift_rows(
            ("华富社康", day, "09:00", "11:00", 6),
            ("华富社康", day, "14:00", "16:30", 4),
            ("华富社区广场", day + timedelta(days=1), "09:00", "12:00", 10),
        )
        r = client.post("/volunteers/organise/activities/new/", {**base, **three})
        assert r.status_code == 302
        activity = Activity.objects.get(title="社区义诊")
        assert [(s.place, s.capacity, s.minutes) for s in activity.shifts.order_by("starts_at")] == [
            ("华富社康", 6, 120),
            ("华富社康", 4, 150),
            ("华富社区广场", 10, 180),
        ]

    def test_an_empty_extra_row_is_ignored_and_a_past_row_refuses_the_whole_activity(
        self, client, cast, huafu_team, songyu
    ):
        sign_in(client, songyu)
        day = timezone.localdate() + timedelta(days=6)
        base = {"team": str(huafu_team.pk), "title": "社区义诊", "cancel_hours": "24"}
        rows = shift_rows(("华富社康", day, "09:00", "11:00", 6), ("", day, "", "", 0))
        rows.update({"shift-1-day": "", "shift-1-capacity": ""})
        assert client.post("/volunteers/organise/activities/new/", {**base, **rows}).status_code == 302
        assert Activity.objects.get().shifts.count() == 1
        past = timezone.localdate() - timedelta(days=1)
        bad = shift_rows(("华富社康", day, "09:00", "11:00", 6), ("华富社康", past, "09:00", "11:00", 6))
        page = client.post("/volunteers/organise/activities/new/", {**base, **bad, "title": "过去的活动"})
        assert page.status_code == 200 and "班次必须在将来开始" in page.content.decode()
        assert not Activity.objects.filter(title="过去的活动").exists()


# --- the leaders' dashboard ----------------------------------------------------------------------------------------


def test_the_dashboard_shows_volunteer_figures_beside_the_targets(client, cast, huafu_team, volunteer):
    from shequ.volunteers.models import Station

    services.station_create(
        actor=None, name="华富志愿服务站", area=huafu_team.area, lat=22.55, lng=114.06, team=huafu_team
    )
    sign_in(client, cast["chenjing"])
    page = client.get("/dashboard/").content.decode()
    section = page.split('id="volunteer-figures"', 1)[1].split("</section>", 1)[0]
    assert "每万名居民注册志愿者数" in section and "目标 2500 · 已注册 1 人" in section
    assert '<div class="value">1</div><div>志愿服务站点</div>' in section  # the station, counted
    assert "全市目标 1000 个" in section
    assert Station.objects.count() == 1
    assert "福田区" in section  # the districts' table
