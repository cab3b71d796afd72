"""The volunteer pages: what each person sees, and every page's permission matrix (DESIGN.md §8)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from shequ.access.testing import PermissionMatrixMixin, sign_in
from shequ.volunteers import qr, services
from shequ.volunteers.choices import HoursStatus, SignupStatus
from shequ.volunteers.models import Attendance, Certificate, HoursRecord, Signup, Station, Team, Volunteer

from .helpers import huafu_community, make_account, make_volunteer, registration

pytestmark = pytest.mark.django_db
MISSING = 999999991
RESIDENT = "/accounts/resident/"


def shift_rows(*rows) -> dict[str, str]:
    """The publish form's shift rows (a formset prefixed "shift"): (place, day, from, until, places) each."""
    data = {"shift-TOTAL_FORMS": str(len(rows)), "shift-INITIAL_FORMS": "0"}
    for i, (place, day, start, end, capacity) in enumerate(rows):
        data.update(
            {
                f"shift-{i}-place": place,
                f"shift-{i}-day": f"{day:%Y-%m-%d}",
                f"shift-{i}-start": start,
                f"shift-{i}-end": end,
                f"shift-{i}-capacity": str(capacity),
            }
        )
    return data


class TestPublicPages:
    def test_anyone_sees_the_activities_the_team_and_the_station(self, client, activity, huafu_team, songyu):
        station = services.station_create(
            actor=None, name="华富志愿服务站", area=huafu_community(), lat=22.55, lng=114.06, team=huafu_team
        )
        home = client.get("/volunteers/").content.decode()
        assert activity.title in home and "注册志愿者" in home
        detail = client.get(f"/volunteers/activities/{activity.pk}/").content.decode()
        assert "3 个名额中剩余 3 个" in detail
        assert huafu_team.name in client.get(f"/volunteers/teams/{huafu_team.pk}/").content.decode()
        page = client.get(f"/volunteers/stations/{station.pk}/").content.decode()
        assert "华富志愿服务站" in page and huafu_team.name in page
        assert station.facility.type.code == "volunteer"

    def test_a_missing_activity_is_404(self, client):
        assert client.get(f"/volunteers/activities/{MISSING}/").status_code == 404


class TestRegistrationPage(PermissionMatrixMixin):
    def test_the_form_needs_a_sign_in(self, client, cast):
        self.assert_permission_matrix(
            client, url="/volunteers/register/", in_scope=make_account(), page=True, sign_in_url=RESIDENT
        )

    def test_registering_from_the_portal(self, client, cast):
        user = make_account()
        sign_in(client, user)
        r = registration()
        data = {
            "name": "周晓",
            "id_number": r.id_number,
            "phone": r.phone,
            "area": r.area,
            "skills": ["elder_care", "digital"],
            "availability": ["sat_am"],
            "emergency_name": "周父",
            "emergency_phone": r.emergency_phone,
        }
        response = client.post("/volunteers/register/", data, follow=True)
        page = response.content.decode()
        assert "你已注册为志愿者" in page and "预备志愿者" in page
        v = Volunteer.objects.get(user=user)
        assert sorted(v.skills.values_list("code", flat=True)) == ["digital", "elder_care"]

    def test_a_bad_id_number_is_said_and_not_shown_back(self, client, cast):
        sign_in(client, make_account())
        r = registration()
        bad = r.id_number[:-1] + ("0" if r.id_number[-1] != "0" else "1")
        page = client.post(
            "/volunteers/register/",
            {
                "name": "周晓",
                "id_number": bad,
                "phone": r.phone,
                "area": r.area,
                "emergency_name": "周父",
                "emergency_phone": r.emergency_phone,
            },
        ).content.decode()
        assert bad not in page and not Volunteer.objects.exists()


class TestSignupPages(PermissionMatrixMixin):
    def test_signup_permission_matrix(self, client, shift, volunteer):
        self.assert_permission_matrix(
            client,
            url=f"/volunteers/shifts/{shift.pk}/signup/",
            method="post",
            multipart=True,
            data={},
            in_scope=volunteer.user,
            ok=(302,),
            page=True,
            sign_in_url=RESIDENT,
        )
        assert Signup.objects.get(volunteer=volunteer).status == SignupStatus.CONFIRMED

    def test_cancel_permission_matrix(self, client, shift, volunteer):
        signup = services.signup_create(actor=volunteer.user, shift=shift)
        self.assert_permission_matrix(
            client,
            url=f"/volunteers/signups/{signup.pk}/cancel/",
            method="post",
            multipart=True,
            data={},
            in_scope=volunteer.user,
            out_of_scope=make_volunteer().user,
            missing_url=f"/volunteers/signups/{MISSING}/cancel/",
            ok=(302,),
            page=True,
            sign_in_url=RESIDENT,
        )
        signup.refresh_from_db()
        assert signup.status == SignupStatus.CANCELLED

    def test_a_full_shift_offers_the_waiting_list(self, client, shift, volunteer):
        for _ in range(shift.capacity):
            services.signup_create(actor=make_volunteer().user, shift=shift)
        sign_in(client, volunteer.user)
        page = client.get(f"/volunteers/activities/{shift.activity_id}/").content.decode()
        assert "加入候补" in page
        client.post(f"/volunteers/shifts/{shift.pk}/signup/", {"waitlist": "1"})
        assert Signup.objects.get(volunteer=volunteer).status == SignupStatus.WAITLISTED


class TestScanPage(PermissionMatrixMixin):
    def test_scan_permission_matrix(self, client, running, volunteer):
        s, _signup = running
        self.assert_permission_matrix(
            client,
            url=qr.scan_path(qr.shift_token(s)),
            in_scope=volunteer.user,
            page=True,
            sign_in_url=RESIDENT,
        )

    def test_opening_the_code_and_tapping_checks_in(self, client, running, volunteer):
        s, _signup = running
        sign_in(client, volunteer.user)
        page = client.post(qr.scan_path(qr.shift_token(s))).content.decode()
        assert "签到成功" in page
        assert Attendance.objects.filter(volunteer=volunteer, checked_out_at__isnull=True).count() == 1

    def test_a_foreign_code_is_refused_in_words(self, client, running, shift):
        s, _signup = running
        stranger = make_volunteer()
        sign_in(client, stranger.user)
        page = client.post(qr.scan_path(qr.shift_token(s)), follow=True).content.decode()
        assert "你在这个班次没有已确认的名额" in page
        assert not Attendance.objects.filter(volunteer=stranger).exists()


class TestMyHours(PermissionMatrixMixin):
    def test_home_lists_upcoming_sign_ups_and_my_hours_offers_a_makeup_only_for_past_places(
        self, client, running, huafu_team, volunteer
    ):
        from .helpers import make_activity, shift_data

        ran, signup = running  # began 30 minutes ago: past its start, not over
        later = make_activity(huafu_team, title="四点半课堂", shifts=[shift_data()]).shifts.get()
        services.signup_create(actor=volunteer.user, shift=later)
        dropped = make_activity(huafu_team, title="垃圾分类督导", shifts=[shift_data()]).shifts.get()
        services.signup_cancel(
            actor=volunteer.user, signup=services.signup_create(actor=volunteer.user, shift=dropped)
        )
        sign_in(client, volunteer.user)
        mine = (
            client.get("/volunteers/")
            .content.decode()
            .split('id="mine-heading"', 1)[1]
            .split("</section>")[0]
        )
        assert "四点半课堂" in mine and ran.activity.title in mine and "垃圾分类督导" not in mine
        hours = client.get("/volunteers/me/hours/").content.decode()
        assert f"/volunteers/me/signups/{signup.pk}/makeup/" in hours
        assert hours.count("/makeup/") == 1  # not the future one, nor the cancelled one

    def test_my_hours_permission_matrix(self, client, volunteer):
        self.assert_permission_matrix(
            client, url="/volunteers/me/hours/", in_scope=volunteer.user, page=True, sign_in_url=RESIDENT
        )

    def test_dispute_permission_matrix(self, client, pending_record, volunteer):
        self.assert_permission_matrix(
            client,
            url=f"/volunteers/me/hours/{pending_record.pk}/dispute/",
            method="post",
            multipart=True,
            data={"minutes": "90", "reason": "我服务了一个半小时"},
            in_scope=volunteer.user,
            out_of_scope=make_volunteer().user,
            missing_url=f"/volunteers/me/hours/{MISSING}/dispute/",
            ok=(302,),
            page=True,
            sign_in_url=RESIDENT,
        )
        pending_record.refresh_from_db()
        assert pending_record.status == HoursStatus.DISPUTED and pending_record.claimed_minutes == 90

    def test_makeup_permission_matrix(self, client, running, volunteer):
        s, signup = running
        start = timezone.localtime(s.starts_at)
        self.assert_permission_matrix(
            client,
            url=f"/volunteers/me/signups/{signup.pk}/makeup/",
            method="post",
            multipart=True,
            data={
                "day": f"{start:%Y-%m-%d}",
                "start": f"{start:%H:%M}",
                "end": f"{start + timedelta(minutes=10):%H:%M}",
                "reason": "忘记扫码签到",
            },
            in_scope=volunteer.user,
            out_of_scope=make_volunteer().user,
            missing_url=f"/volunteers/me/signups/{MISSING}/makeup/",
            ok=(302,),
            page=True,
            sign_in_url=RESIDENT,
        )
        assert HoursRecord.objects.filter(volunteer=volunteer, kind="makeup", status="pending").count() == 1

    def test_certificate_permission_matrix_and_pdf(
        self, client, pending_record, songyu, volunteer, huafu_team
    ):
        services.hours_confirm(actor=songyu, record=pending_record)
        self.assert_permission_matrix(
            client,
            url="/volunteers/me/certificates/",
            method="post",
            multipart=True,
            data={"team": str(huafu_team.pk)},
            in_scope=volunteer.user,
            ok=(302,),
            page=True,
            sign_in_url=RESIDENT,
        )
        certificate = Certificate.objects.get(volunteer=volunteer)
        self.assert_permission_matrix(
            client,
            url=f"/volunteers/me/certificates/{certificate.pk}/pdf/",
            in_scope=volunteer.user,
            out_of_scope=make_volunteer().user,
            missing_url=f"/volunteers/me/certificates/{MISSING}/pdf/",
            page=True,
            sign_in_url=RESIDENT,
        )
        sign_in(client, volunteer.user)
        pdf = client.get(f"/volunteers/me/certificates/{certificate.pk}/pdf/")
        assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
        client.logout()
        page = client.get(f"/volunteers/verify/{certificate.code}/").content.decode()
        assert "证明真实有效" in page and "周*" in page and huafu_team.name in page and "0.3" in page
        assert "没有这个验证码的证明" in client.get("/volunteers/verify/", {"code": "NOPE"}).content.decode()


class TestOrganiserPages(PermissionMatrixMixin):
    def test_organise_permission_matrix(self, client, cast, huafu_team, songyu):
        self.assert_permission_matrix(
            client,
            url="/volunteers/organise/",
            in_scope=songyu,
            no_role=make_account(),
            page=True,
            sign_in_url=RESIDENT,
        )

    def test_new_activity_form_permission_matrix(self, client, cast, huafu_team, songyu):
        self.assert_permission_matrix(
            client,
            url="/volunteers/organise/activities/new/",
            in_scope=songyu,
            no_role=make_account(),
            page=True,
            sign_in_url=RESIDENT,
        )

    def test_publishing_from_the_form_permission_matrix(self, client, cast, huafu_team, songyu):
        day = timezone.localdate() + timedelta(days=5)
        self.assert_permission_matrix(
            client,
            url="/volunteers/organise/activities/new/",
            method="post",
            multipart=True,
            data={
                "team": str(huafu_team.pk),
                "title": "社区义诊",
                "cancel_hours": "24",
                **shift_rows(("华富社康", day, "09:00", "11:30", 6)),
            },
            in_scope=songyu,
            no_role=make_account(),
            ok=(302,),
            page=True,
            sign_in_url=RESIDENT,
        )
        activity = huafu_team.activities.get(title="社区义诊")
        assert activity.shifts.get().capacity == 6

    def test_activity_page_permission_matrix(self, client, cast, activity, songyu):
        self.assert_permission_matrix(
            client,
            url=f"/volunteers/organise/activities/{activity.pk}/",
            in_scope=cast["lina"],
            out_of_scope=cast["wangqiang"],
            no_role=make_account(),
            missing_url=f"/volunteers/organise/activities/{MISSING}/",
            page=True,
            sign_in_url=RESIDENT,
        )

    def test_qr_page_permission_matrix(self, client, cast, shift, songyu):
        self.assert_permission_matrix(
            client,
            url=f"/volunteers/organise/shifts/{shift.pk}/qr/",
            in_scope=songyu,
            out_of_scope=cast["wangqiang"],
            no_role=make_account(),
            missing_url=f"/volunteers/organise/shifts/{MISSING}/qr/",
            page=True,
            sign_in_url=RESIDENT,
        )
        sign_in(client, songyu)
        page = client.get(f"/volunteers/organise/shifts/{shift.pk}/qr/").content.decode()
        assert "<svg" in page and f"/volunteers/scan/{shift.pk}." in page

    def test_approve_permission_matrix(self, client, cast, huafu_team, songyu):
        from .helpers import make_activity

        act = make_activity(huafu_team, requires_approval=True)
        signup = services.signup_create(actor=make_volunteer().user, shift=act.shifts.get())
        self.assert_permission_matrix(
            client,
            url=f"/volunteers/organise/signups/{signup.pk}/approve/",
            method="post",
            multipart=True,
            data={},
            in_scope=songyu,
            out_of_scope=cast["wangqiang"],
            no_role=make_account(),
            missing_url=f"/volunteers/organise/signups/{MISSING}/approve/",
            ok=(302,),
            page=True,
            sign_in_url=RESIDENT,
        )
        signup.refresh_from_db()
        assert signup.status == SignupStatus.CONFIRMED

    def test_roster_permission_matrix(self, client, cast, running, songyu):
        s, signup = running
        start = timezone.localtime(s.starts_at)
        self.assert_permission_matrix(
            client,
            url=f"/volunteers/organise/signups/{signup.pk}/roster/",
            method="post",
            multipart=True,
            data={
                "day": f"{start:%Y-%m-%d}",
                "start": f"{start:%H:%M}",
                "end": f"{start + timedelta(minutes=15):%H:%M}",
            },
            in_scope=songyu,
            out_of_scope=cast["wangqiang"],
            no_role=make_account(),
            missing_url=f"/volunteers/organise/signups/{MISSING}/roster/",
            ok=(302,),
            page=True,
            sign_in_url=RESIDENT,
        )
        assert HoursRecord.objects.filter(shift=s, minutes=15).count() == 1

    def test_confirm_permission_matrix_and_the_volunteer_sees_the_hours(
        self, client, cast, pending_record, songyu, volunteer
    ):
        self.assert_permission_matrix(
            client,
            url=f"/volunteers/organise/hours/{pending_record.pk}/confirm/",
            method="post",
            multipart=True,
            data={},
            in_scope=songyu,
            out_of_scope=cast["wangqiang"],
            no_role=make_account(),
            missing_url=f"/volunteers/organise/hours/{MISSING}/confirm/",
            ok=(302,),
            page=True,
            sign_in_url=RESIDENT,
        )
        sign_in(client, volunteer.user)
        page = client.get("/volunteers/me/hours/").content.decode()
        assert "已确认" in page and "已确认的服务时长：0.3 小时" in page


class TestConsole(PermissionMatrixMixin):
    def test_overview_permission_matrix(self, client, cast, volunteer):
        self.assert_permission_matrix(
            client, url="/console/volunteers/", in_scope=cast["lina"], no_role=cast["zhouyu"], page=True
        )
        sign_in(client, cast["lina"])
        page = client.get("/console/volunteers/").content.decode()
        assert "周*" in page and "每万名居民" in page

    def test_export_permission_matrix_and_masking(self, client, cast, volunteer):
        self.assert_permission_matrix(
            client,
            url="/console/volunteers/export/?format=csv",
            in_scope=cast["lina"],
            no_role=cast["zhouyu"],
            page=True,
        )
        sign_in(client, cast["lina"])
        body = client.get("/console/volunteers/export/?format=csv").content.decode("utf-8-sig")
        assert "周*" in body and volunteer.id_number not in body and volunteer.phone not in body

    def test_teams_permission_matrix(self, client, cast):
        self.assert_permission_matrix(
            client, url="/console/volunteers/teams/", in_scope=cast["lina"], no_role=cast["zhouyu"], page=True
        )

    def test_creating_a_team_permission_matrix(self, client, cast, songyu):
        self.assert_permission_matrix(
            client,
            url="/console/volunteers/teams/",
            method="post",
            multipart=True,
            data={
                "name": "华富青年志愿者协会",
                "kind": "social_org",
                "area": huafu_community().code,
                "manager": "songyu",
            },
            in_scope=cast["lina"],
            no_role=cast["zhouyu"],
            ok=(302,),
            page=True,
        )
        assert Team.objects.get(name="华富青年志愿者协会").managers.filter(user=songyu).exists()

    def test_a_team_outside_her_street_is_refused(self, client, cast):
        sign_in(client, cast["lina"])
        from .helpers import yuehai_community

        client.post(
            "/console/volunteers/teams/",
            {"name": "越界队", "kind": "community", "area": yuehai_community().code},
        )
        assert not Team.objects.filter(name="越界队").exists()

    def test_stations_permission_matrix(self, client, cast):
        self.assert_permission_matrix(
            client,
            url="/console/volunteers/stations/",
            in_scope=cast["lina"],
            no_role=cast["zhouyu"],
            page=True,
        )

    def test_creating_a_station_permission_matrix(self, client, cast):
        self.assert_permission_matrix(
            client,
            url="/console/volunteers/stations/",
            method="post",
            multipart=True,
            data={
                "name": "华富社区志愿服务站",
                "area": huafu_community().code,
                "lat": "22.55",
                "lng": "114.06",
            },
            in_scope=cast["lina"],
            no_role=cast["zhouyu"],
            ok=(302,),
            page=True,
        )
        assert Station.objects.filter(name="华富社区志愿服务站").count() == 1
