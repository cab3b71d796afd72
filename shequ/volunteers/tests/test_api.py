"""/api/v1 of volunteer service: what each endpoint answers, its permission matrix, Idempotency-Key, and bad input
answered with a clear error and nothing written."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.utils import timezone

from shequ.access.testing import PermissionMatrixMixin, sign_in
from shequ.volunteers import qr
from shequ.volunteers.choices import SignupStatus
from shequ.volunteers.models import Activity, HoursRecord, Signup, Volunteer

from .helpers import huafu_community, make_account, make_volunteer, registration

pytestmark = pytest.mark.django_db
MISSING = 999999991


def _registration_body() -> dict:
    r = registration(skills=["elder_care"])
    return {
        "name": "陈小明",
        "id_number": r.id_number,
        "phone": r.phone,
        "area": r.area,
        "emergency_name": "陈大明",
        "emergency_phone": r.emergency_phone,
        "skills": ["elder_care"],
        "availability": ["sat_am", "sun_pm"],
    }


def _activity_body(team_id: int, *, start=None, capacity=10) -> dict:
    start = start or (timezone.now() + timedelta(days=3)).replace(microsecond=0)
    return {
        "team": team_id,
        "title": "长者智能手机课堂",
        "shifts": [
            {
                "place": "华富社区党群服务中心",
                "starts_at": start.isoformat(),
                "ends_at": (start + timedelta(hours=2)).isoformat(),
                "capacity": capacity,
                "skills": [],
            }
        ],
    }


def post(client, url, body, **headers):
    return client.post(url, json.dumps(body), content_type="application/json", **headers)


class TestVolunteerEndpoints(PermissionMatrixMixin):
    def test_register_permission_matrix(self, client, cast):
        self.assert_permission_matrix(
            client,
            url="/api/v1/volunteers",
            method="post",
            data=_registration_body,
            in_scope=make_account(),
            ok=(201,),
        )

    def test_register_answers_the_record_masked_and_a_retry_does_nothing_twice(self, client, cast):
        user = make_account()
        sign_in(client, user)
        body = _registration_body()
        first = post(client, "/api/v1/volunteers", body, HTTP_IDEMPOTENCY_KEY="reg-1")
        assert first.status_code == 201, first.content
        data = first.json()
        assert data["name"] == "陈小明" and "****" in data["phone"] and data["status"] == "preparatory"
        assert data["availability"] == ["sat_am", "sun_pm"]
        again = post(client, "/api/v1/volunteers", body, HTTP_IDEMPOTENCY_KEY="reg-1")
        assert again.status_code == 201 and again["Idempotent-Replayed"] == "true"
        assert Volunteer.objects.filter(user=user).count() == 1

    def test_bad_registration_lists_the_fields_and_writes_nothing(self, client, cast):
        sign_in(client, make_account())
        body = {**_registration_body(), "id_number": "440304199001011235", "area": "nope"}
        r = post(client, "/api/v1/volunteers", body)
        assert r.status_code == 400 and {"id_number", "area"} <= set(r.json()["fields"])
        assert not Volunteer.objects.exists()

    def test_me_permission_matrix(self, client, volunteer):
        self.assert_permission_matrix(
            client, url="/api/v1/volunteers/me", in_scope=volunteer.user, no_role=make_account()
        )


class TestActivityEndpoints(PermissionMatrixMixin):
    def test_create_permission_matrix(self, client, cast, huafu_team, songyu):
        self.assert_permission_matrix(
            client,
            url="/api/v1/volunteer-activities",
            method="post",
            data=lambda: _activity_body(huafu_team.pk),
            in_scope=songyu,
            out_of_scope=cast["wangqiang"],
            no_role=make_account(),
            ok=(201,),
        )

    def test_community_worker_publishes_in_her_street_with_the_shifts(self, client, cast, huafu_team):
        sign_in(client, cast["lina"])
        r = post(client, "/api/v1/volunteer-activities", _activity_body(huafu_team.pk, capacity=12))
        assert r.status_code == 201, r.content
        assert r.json()["shifts"][0]["capacity"] == 12 and r.json()["shifts"][0]["free"] == 12

    def test_an_activity_in_the_past_is_refused_and_nothing_is_written(self, client, huafu_team, songyu):
        sign_in(client, songyu)
        r = post(
            client,
            "/api/v1/volunteer-activities",
            _activity_body(huafu_team.pk, start=timezone.now() - timedelta(days=1)),
        )
        assert r.status_code == 400 and "shifts.0.starts_at" in r.json()["fields"]
        assert not Activity.objects.filter(title="长者智能手机课堂").exists()

    def test_the_public_list_shows_future_activities(self, client, activity):
        r = client.get("/api/v1/volunteer-activities/upcoming")
        assert r.status_code == 200 and [a["title"] for a in r.json()] == [activity.title]

    def test_the_public_list_reads_every_activitys_shifts_in_a_constant_number_of_queries(
        self, client, huafu_team
    ):
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        from .helpers import make_activity, shift_data

        make_activity(huafu_team, title="第一场", shifts=[shift_data(skills=["first_aid"])])
        with CaptureQueriesContext(connection) as few:
            assert len(client.get("/api/v1/volunteer-activities/upcoming").json()) == 1
        for i in range(6):
            make_activity(
                huafu_team, title=f"活动{i}", shifts=[shift_data(), shift_data(skills=["elder_care"])]
            )
        with CaptureQueriesContext(connection) as many:
            rows = client.get("/api/v1/volunteer-activities/upcoming").json()
        skills = {a["title"]: [s["skills"] for s in a["shifts"]] for a in rows}
        assert skills["第一场"] == [["first_aid"]]
        assert all(skills[f"活动{i}"] == [[], ["elder_care"]] for i in range(6)), skills
        assert len(many.captured_queries) == len(few.captured_queries)


class TestSignupEndpoint(PermissionMatrixMixin):
    def test_signup_permission_matrix(self, client, activity, shift, volunteer):
        self.assert_permission_matrix(
            client,
            url=f"/api/v1/volunteer-activities/{activity.pk}/shifts/{shift.pk}/signups",
            method="post",
            data={},
            in_scope=volunteer.user,
            no_role=make_account(),
            ok=(201,),
        )

    def test_201_until_full_then_409_and_nothing_written(self, client, activity, shift):
        url = f"/api/v1/volunteer-activities/{activity.pk}/shifts/{shift.pk}/signups"
        for _ in range(shift.capacity):
            sign_in(client, make_volunteer().user)
            assert post(client, url, {}).status_code == 201
        late = make_volunteer()
        sign_in(client, late.user)
        r = post(client, url, {})
        assert r.status_code == 409 and r.json()["code"] == "shift_full"
        assert not Signup.objects.filter(volunteer=late).exists()
        r = post(client, url, {"waitlist": True})
        assert r.status_code == 201 and r.json()["status"] == SignupStatus.WAITLISTED

    def test_a_retried_signup_with_the_same_key_is_done_once(self, client, activity, shift, volunteer):
        sign_in(client, volunteer.user)
        url = f"/api/v1/volunteer-activities/{activity.pk}/shifts/{shift.pk}/signups"
        first = post(client, url, {}, HTTP_IDEMPOTENCY_KEY="k-1")
        again = post(client, url, {}, HTTP_IDEMPOTENCY_KEY="k-1")
        assert (first.status_code, again.status_code) == (201, 201) and again.json() == first.json()
        assert Signup.objects.filter(volunteer=volunteer).count() == 1

    def test_a_shift_of_another_activity_is_404(self, client, activity, shift, volunteer):
        sign_in(client, volunteer.user)
        r = post(client, f"/api/v1/volunteer-activities/{MISSING}/shifts/{shift.pk}/signups", {})
        assert r.status_code == 404


class TestCheckinAndConfirm(PermissionMatrixMixin):
    def test_checkin_permission_matrix(self, client, running, volunteer):
        s, _signup = running
        self.assert_permission_matrix(
            client,
            url="/api/v1/volunteers/checkins",
            method="post",
            data=lambda: {"token": qr.shift_token(s)},
            in_scope=volunteer.user,
            no_role=make_account(),
            ok=(201,),
        )

    def test_an_expired_token_is_400_and_nothing_written(self, client, running, volunteer):
        s, _signup = running
        sign_in(client, volunteer.user)
        r = post(
            client,
            "/api/v1/volunteers/checkins",
            {"token": qr.shift_token(s, at=timezone.now() - timedelta(minutes=3))},
        )
        assert r.status_code == 400 and r.json()["code"] == "qr_expired"
        assert not s.signups.get().attendances.exists()

    def test_confirm_permission_matrix(self, client, cast, pending_record, songyu):
        self.assert_permission_matrix(
            client,
            url=f"/api/v1/volunteer-hours/{pending_record.pk}/confirm",
            method="post",
            data={},
            in_scope=songyu,
            out_of_scope=cast["wangqiang"],
            no_role=make_account(),
            missing_url=f"/api/v1/volunteer-hours/{MISSING}/confirm",
        )
        pending_record.refresh_from_db()
        assert pending_record.status == "confirmed"

    def test_confirming_more_than_the_shift_is_refused(self, client, pending_record, songyu):
        sign_in(client, songyu)
        r = post(client, f"/api/v1/volunteer-hours/{pending_record.pk}/confirm", {"minutes": 600})
        assert r.status_code == 400 and r.json()["code"] == "beyond_shift"
        assert HoursRecord.objects.get(pk=pending_record.pk).status == "pending"


def test_figures_per_area_with_the_targets(client, volunteer):
    r = client.get("/api/v1/volunteers/figures", {"area": huafu_community().parent.code})
    assert r.status_code == 200
    body = r.json()
    assert body["targets"]["volunteers_per_10k"] == 2500
    assert body["area"]["volunteers"] == 1
    assert sum(c["volunteers"] for c in body["children"]) == 1


def test_figures_of_a_district_add_up_per_street_in_a_constant_number_of_queries(
    client, volunteer, pending_record, songyu
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from shequ.geo.models import Area
    from shequ.volunteers import services
    from shequ.volunteers.models import Station

    from .helpers import make_team

    huafu = huafu_community().parent
    futian = huafu.parent
    services.hours_confirm(actor=songyu, record=pending_record)  # 20 minutes at 华富, by `volunteer`
    services.station_create(actor=None, name="华富志愿服务站", area=huafu_community(), lat=22.55, lng=114.06)
    others = list(
        Area.objects.filter(level="community", parent__parent=futian).exclude(parent=huafu).order_by("code")
    )
    second = others[0]
    make_volunteer(area=second)
    with CaptureQueriesContext(connection) as few:
        body = client.get("/api/v1/volunteers/figures", {"area": futian.code}).json()
    streets = {c["code"]: c for c in body["children"]}
    assert body["area"]["volunteers"] == 2 and body["area"]["stations"] == Station.objects.count() == 1
    assert body["area"]["hours"] == 0.3 and body["area"]["active_volunteers"] == 1
    assert (streets[huafu.code]["volunteers"], streets[huafu.code]["stations"]) == (1, 1)
    assert (streets[huafu.code]["hours"], streets[huafu.code]["active_volunteers"]) == (0.3, 1)
    assert streets[second.parent.code]["volunteers"] == 1 and streets[second.parent.code]["hours"] == 0
    assert sum(c["volunteers"] for c in body["children"]) == 2
    # More people, teams and stations in other streets: the same number of queries.
    for community in [c for c in others if c.parent_id != second.parent_id][:3]:
        make_volunteer(area=community)
        make_team(area=community)
        services.station_create(actor=None, name=f"{community.name}站", area=community, lat=22.55, lng=114.06)
    with CaptureQueriesContext(connection) as many:
        again = client.get("/api/v1/volunteers/figures", {"area": futian.code}).json()
    assert again["area"]["volunteers"] == 5 and again["area"]["stations"] == 4
    assert len(many.captured_queries) == len(few.captured_queries)
    # Nor on the number of streets: the area, its children and four grouped counts (not four per street).
    assert len(body["children"]) >= 5 and len(few.captured_queries) <= 6, [
        q["sql"][:80] for q in few.captured_queries
    ]
