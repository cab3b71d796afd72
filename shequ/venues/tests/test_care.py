"""托 places (issue 25 item 4): eligibility by the child's age band and the elder's care level, the sessions' rules,
a day's capacity taken once, cancel and check-in; the portal and console pages in Chinese, the API, the matrix."""

from __future__ import annotations

import json
import re
from datetime import date, time

import pytest
from django.test import Client

from shequ.access.testing import PermissionMatrixMixin, sign_in
from shequ.audit.models import AuditEntry
from shequ.core.errors import NotFound, ShequError
from shequ.venues import care
from shequ.venues.models import CareBooking, CareDay, CareMember

from . import helpers
from .helpers import at, huafu_neighbour, make_care_place

clock = helpers.clock
pytestmark = pytest.mark.django_db
ZH = {"HTTP_ACCEPT_LANGUAGE": "zh-hans"}
MISSING = 999999991
TUESDAY = date(2026, 3, 3)  # the clock starts on Monday 2 March 2026, 10:00
SATURDAY = date(2026, 3, 7)


def grandmother(user, level=1, born=date(1948, 5, 1)) -> CareMember:
    return care.care_member_add(
        actor=user, name="王秀英", relation="母亲", kind="elder", birth_date=born, care_level=level
    )


def toddler(user, born=date(2024, 9, 10)) -> CareMember:
    return care.care_member_add(actor=user, name="张小宝", relation="儿子", kind="infant", birth_date=born)


def book(user, place, member, day=TUESDAY, session="full_day", **kw) -> CareBooking:
    return care.care_book(actor=user, place=place, member=member, day=day, session=session, **kw)


def test_a_full_day_for_the_grandmother_takes_one_place_of_the_day_and_is_audited(cast, clock):
    place = make_care_place(capacity=3)
    booking = book(cast["zhangwei"], place, grandmother(cast["zhangwei"]))
    assert (booking.status, booking.session) == ("booked", "full_day")
    assert (booking.start, booking.end) == (at(1, "07:30"), at(1, "18:00"))
    assert care.places_left(place, [TUESDAY, SATURDAY]) == {TUESDAY: 2, SATURDAY: 3}
    assert AuditEntry.objects.filter(action="care.book", object_id=str(booking.pk)).exists()


def test_half_days_split_at_noon_and_hours_stay_within_opening(cast, clock):
    place = make_care_place()
    user = cast["zhangwei"]
    am = book(user, place, grandmother(user), session="half_day", half="am")
    assert (am.start, am.end) == (at(1, "07:30"), at(1, "12:00"))
    pm = book(user, place, grandmother(user), session="half_day", half="pm")
    assert (pm.start, pm.end) == (at(1, "12:00"), at(1, "18:00"))
    hourly = book(user, place, grandmother(user), session="hourly", start_at=time(9, 30), hours=3)
    assert (hourly.start, hourly.end) == (at(1, "09:30"), at(1, "12:30"))
    with pytest.raises(ShequError, match="07:30 至 18:00") as e:
        book(user, place, grandmother(user), session="hourly", start_at=time(16, 0), hours=3)
    assert e.value.code == "outside_hours"
    with pytest.raises(ShequError, match="1 至 4 小时"):
        book(user, place, grandmother(user), session="hourly", start_at=time(9, 0), hours=5)
    with pytest.raises(ShequError, match="请选择上午或下午"):
        book(user, place, grandmother(user), session="half_day")


def test_short_notice_care_is_for_today_from_half_an_hour_on_and_the_rest_by_the_day_before(cast, clock):
    place = make_care_place()
    user = cast["zhangwei"]
    today = date(2026, 3, 2)  # 10:00 now
    with pytest.raises(ShequError, match="提前一天"):
        book(user, place, grandmother(user), day=today)
    with pytest.raises(ShequError, match="30 分钟后"):
        book(user, place, grandmother(user), day=today, session="temporary", start_at=time(10, 0), hours=2)
    with pytest.raises(ShequError, match="只能预约当天"):
        book(user, place, grandmother(user), session="temporary", start_at=time(10, 0), hours=2)
    b = book(user, place, grandmother(user), day=today, session="temporary", start_at=time(10, 30), hours=2)
    assert (b.start, b.end) == (at(0, "10:30"), at(0, "12:30"))
    with pytest.raises(ShequError, match="当天不开放"):
        book(user, place, grandmother(user), day=SATURDAY)
    with pytest.raises(ShequError, match="最多可提前 14 天"):
        book(user, place, grandmother(user), day=date(2026, 3, 20))
    assert CareBooking.objects.count() == 1


def test_an_infant_class_takes_only_children_of_its_age_band_on_the_day(cast, clock):
    place = make_care_place("华富普惠托育园托小班", kind="infant")  # 12 to 24 months
    user = cast["zhangwei"]
    assert (
        care.months_old(date(2025, 3, 3), TUESDAY) == 12 and care.months_old(date(2025, 3, 4), TUESDAY) == 11
    )
    with pytest.raises(ShequError, match="11 个月大") as e:
        book(user, place, toddler(user, born=date(2025, 3, 4)))
    assert e.value.code == "not_eligible"
    with pytest.raises(ShequError, match="24 个月大"):
        book(user, place, toddler(user, born=date(2024, 3, 3)))
    assert book(user, place, toddler(user, born=date(2025, 3, 3))).status == "booked"
    with pytest.raises(ShequError, match="请选择符合条件的被照护人"):
        book(user, place, grandmother(user))
    assert CareDay.objects.get(place=place).taken == 1  # the refusals took nothing


def test_an_elder_assessed_above_what_the_place_cares_for_is_refused(cast, clock):
    place = make_care_place(max_care_level=1)
    user = cast["zhangwei"]
    with pytest.raises(ShequError) as e:
        book(user, place, grandmother(user, level=3))
    assert e.value.code == "not_eligible" and e.value.fields == {"member": "care_level"}
    assert book(user, place, grandmother(user, level=1)).status == "booked"


def test_a_member_is_checked_when_added(cast, clock):
    user = cast["zhangwei"]
    for kw, field in (
        ({"kind": "elder", "birth_date": date(1980, 1, 1), "care_level": 0}, "birth_date"),
        ({"kind": "infant", "birth_date": date(2022, 1, 1)}, "birth_date"),
        ({"kind": "elder", "birth_date": date(1950, 1, 1)}, "care_level"),
        ({"kind": "infant", "birth_date": date(2026, 5, 1)}, "birth_date"),
    ):
        with pytest.raises(ShequError) as e:
            care.care_member_add(actor=user, name="某人", **kw)
        assert field in e.value.fields, (kw, e.value.fields)
    assert not CareMember.objects.exists()


def test_the_last_place_goes_once_then_the_day_is_full_and_nothing_is_written(cast, clock, make_user):
    place = make_care_place(capacity=1)
    book(cast["zhangwei"], place, grandmother(cast["zhangwei"]))
    other = huafu_neighbour(make_user)
    with pytest.raises(ShequError) as e:
        book(other, place, grandmother(other))
    assert (e.value.code, e.value.status) == ("care_full", 409)
    assert CareBooking.objects.count() == 1 and CareDay.objects.get().taken == 1


def test_one_person_is_booked_once_a_day(cast, clock):
    place, other = make_care_place(), make_care_place("华富第二日照中心")
    mum = grandmother(cast["zhangwei"])
    book(cast["zhangwei"], place, mum)
    with pytest.raises(ShequError, match="当天已有预约") as e:
        book(cast["zhangwei"], other, mum)
    assert e.value.code == "duplicate"
    assert CareDay.objects.filter(place=other).first() is None or CareDay.objects.get(place=other).taken == 0


def test_only_residents_of_the_street_and_only_for_ones_own_family(cast, clock, make_user):
    place = make_care_place()
    with pytest.raises(ShequError, match="华富街道"):
        book(cast["wangqiang"], place, grandmother(cast["wangqiang"]))
    with pytest.raises(NotFound):
        book(huafu_neighbour(make_user), place, grandmother(cast["zhangwei"]))


def test_cancel_gives_the_place_back_until_the_session_begins(cast, clock):
    place = make_care_place(capacity=1)
    user = cast["zhangwei"]
    b = book(user, place, grandmother(user))
    care.care_cancel(actor=user, booking=b)
    assert CareDay.objects.get().taken == 0
    b2 = book(user, place, grandmother(user))
    clock.set(at(1, "08:00"))
    with pytest.raises(ShequError, match="托管已开始"):
        care.care_cancel(actor=user, booking=b2)


def test_the_desk_checks_in_on_the_day_within_the_window_and_only_in_its_area(cast, clock):
    place = make_care_place()
    b = book(cast["zhangwei"], place, grandmother(cast["zhangwei"]))
    with pytest.raises(ShequError, match="开始前一小时"):
        care.care_check_in(actor=cast["lina"], booking=b)
    clock.set(at(1, "07:00"))
    with pytest.raises(NotFound):
        care.care_check_in(actor=cast["wangqiang"], booking=b)
    assert care.care_check_in(actor=cast["lina"], booking=b).status == "checked_in"
    with pytest.raises(ShequError, match="现在不能签到"):
        care.care_check_in(actor=cast["lina"], booking=b)


# --- pages --------------------------------------------------------------------------------------------------------
def test_the_family_books_from_the_place_page_in_chinese(client: Client, cast, clock):
    place = make_care_place(capacity=5)
    sign_in(client, cast["zhangwei"])
    page = client.get(f"/daycare/{place.pk}/", **ZH).content.decode()
    assert "请先添加要托管的长者" in page and "名额余量" in page
    mum = grandmother(cast["zhangwei"])
    page = client.get(f"/daycare/{place.pk}/", **ZH).content.decode()
    assert "王秀英（母亲）" in page and "全日托" in page and "临时托" in page
    r = client.post(
        f"/daycare/{place.pk}/book/",
        {"member": mum.pk, "day": "2026-03-03", "session": "half_day", "half": "am"},
        **ZH,
    )
    assert r.status_code == 302 and r["Location"] == "/me/daycare/"
    mine = client.get("/me/daycare/", **ZH).content.decode()
    assert "华富长者日间照料中心" in mine and "半日托（上午）" in mine and "2026-03-03 07:30–12:00" in mine
    assert "取消托位" in mine
    page = client.get(f"/daycare/{place.pk}/", **ZH).content.decode()
    assert "剩 4 个" in page


def test_a_refused_booking_says_why_and_keeps_what_was_typed(client: Client, cast, clock):
    place = make_care_place()
    mum = grandmother(cast["zhangwei"])
    sign_in(client, cast["zhangwei"])
    r = client.post(
        f"/daycare/{place.pk}/book/",
        {"member": mum.pk, "day": "2026-03-03", "session": "hourly", "start_at": "17:00", "hours": "3"},
        **ZH,
    )
    page = r.content.decode()
    assert r.status_code == 400 and "开放时间为 07:30 至 18:00" in page
    assert (
        'value="2026-03-03"' in page
        and 'value="17:00"' in page
        and re.search(r'value="hourly"[^>]*checked', page)
    )
    assert not CareBooking.objects.exists()


def test_a_family_adds_a_child_and_a_wrong_birth_date_is_kept_with_its_message(client: Client, cast, clock):
    sign_in(client, cast["zhangwei"])
    r = client.post("/me/daycare/", {"name": "张小宝", "kind": "infant", "birth_date": "2020-01-01"}, **ZH)
    assert r.status_code == 400 and "托育服务面向三岁以下的婴幼儿" in r.content.decode()
    assert 'value="张小宝"' in r.content.decode() and not CareMember.objects.exists()
    r = client.post("/me/daycare/", {"name": "张小宝", "kind": "infant", "birth_date": "2025-01-01"}, **ZH)
    assert r.status_code == 302
    assert "张小宝" in client.get("/me/daycare/", **ZH).content.decode()


def test_the_desk_sees_the_days_list_masked_and_checks_in(client: Client, cast, clock):
    place = make_care_place()
    b = book(cast["zhangwei"], place, grandmother(cast["zhangwei"], level=2))
    clock.set(at(1, "07:40"))
    sign_in(client, cast["lina"])
    listing = client.get("/console/daycare/", **ZH).content.decode()
    assert "华富长者日间照料中心" in listing and "1/10" in listing
    day = client.get(f"/console/daycare/{place.pk}/", **ZH).content.decode()
    assert (
        "王**" in day
        and "王秀英" not in day
        and "77 岁" in day
        and "中度失能" in day
        and "已预约 1/10 个名额" in day
    )
    r = client.post(f"/console/daycare/bookings/{b.pk}/checkin/", **ZH)
    assert r.status_code == 302
    day = client.get(f"/console/daycare/{place.pk}/", **ZH).content.decode()
    assert "已签到" in day and "07:40" in day


# --- API ----------------------------------------------------------------------------------------------------------
def post(client, url, data, **headers):
    return client.post(url, json.dumps(data), content_type="application/json", headers=headers)


def test_the_api_books_201_once_per_idempotency_key_then_409_when_full(client, cast, clock, make_user):
    place = make_care_place("华富普惠托育园托小班", kind="infant", capacity=1)
    assert client.get("/api/v1/care-places", {"kind": "infant"}).json()["items"][0]["age_band"] == "12_24"
    sign_in(client, cast["zhangwei"])
    child = post(
        client, "/api/v1/care-members", {"name": "张小宝", "kind": "infant", "birth_date": "2025-01-10"}
    )
    assert child.status_code == 201, child.content
    body = {"place": place.pk, "member": child.json()["id"], "date": "2026-03-03", "session": "full_day"}
    first = post(client, "/api/v1/care-bookings", body, **{"Idempotency-Key": "care-1"})
    again = post(client, "/api/v1/care-bookings", body, **{"Idempotency-Key": "care-1"})
    assert first.status_code == again.status_code == 201 and again.json() == first.json()
    assert again["Idempotent-Replayed"] == "true" and CareBooking.objects.count() == 1
    day = client.get(f"/api/v1/care-places/{place.pk}/availability", {"date": "2026-03-03", "days": 5}).json()
    assert [(d["open"], d["places_left"]) for d in day["days"]] == [
        (True, 0), (True, 1), (True, 1), (True, 1), (False, 1)
    ]  # fmt: skip
    other = huafu_neighbour(make_user)
    sign_in(client, other)
    kid = care.care_member_add(actor=other, name="李小宝", kind="infant", birth_date=date(2025, 1, 1))
    full = post(client, "/api/v1/care-bookings", {**body, "member": kid.pk})
    assert full.status_code == 409 and full.json()["code"] == "care_full"
    bad = post(client, "/api/v1/care-bookings", {**body, "member": kid.pk, "session": "nap"})
    assert bad.status_code == 400
    sign_in(client, cast["zhangwei"])
    r = post(client, f"/api/v1/care-bookings/{first.json()['id']}/cancel", {})
    assert r.status_code == 200 and r.json()["status"] == "cancelled"


class TestPermissionMatrix(PermissionMatrixMixin):
    def test_my_care_needs_a_sign_in(self, client, cast, clock):
        self.assert_permission_matrix(
            client,
            url="/me/daycare/",
            in_scope=cast["zhangwei"],
            page=True,
            sign_in_url="/accounts/resident/",
        )

    def test_adding_someone_needs_a_sign_in(self, client, cast, clock):
        self.assert_permission_matrix(
            client,
            url="/me/daycare/",
            method="post",
            multipart=True,
            data={"name": "张小宝", "kind": "infant", "birth_date": "2025-01-01"},
            ok=(302,),
            in_scope=cast["zhangwei"],
            page=True,
            sign_in_url="/accounts/resident/",
        )

    def test_booking_needs_a_sign_in(self, client, cast, clock):
        place = make_care_place()
        self.assert_permission_matrix(
            client,
            url=f"/daycare/{place.pk}/book/",
            method="post",
            multipart=True,
            ok=(400,),  # signed in without anyone to book for: the form says so
            in_scope=cast["zhangwei"],
            page=True,
            sign_in_url="/accounts/resident/",
        )

    def test_cancelling_another_familys_booking_is_not_found(self, client, cast, clock):
        b = book(cast["zhangwei"], make_care_place(), grandmother(cast["zhangwei"]))
        self.assert_permission_matrix(
            client,
            url=f"/me/daycare/{b.pk}/cancel/",
            method="post",
            multipart=True,
            ok=(302,),
            in_scope=cast["zhangwei"],
            out_of_scope=cast["lina"],
            missing_url=f"/me/daycare/{MISSING}/cancel/",
            page=True,
            sign_in_url="/accounts/resident/",
        )

    def test_the_console_list_is_for_venue_managers(self, client, cast, clock):
        self.assert_permission_matrix(
            client, url="/console/daycare/", in_scope=cast["lina"], no_role=cast["zhouyu"], page=True
        )

    def test_a_care_place_of_another_street_is_not_found(self, client, cast, clock):
        place = make_care_place()
        self.assert_permission_matrix(
            client,
            url=f"/console/daycare/{place.pk}/",
            in_scope=cast["lina"],
            out_of_scope=cast["wangqiang"],
            no_role=cast["zhouyu"],
            missing_url=f"/console/daycare/{MISSING}/",
            page=True,
        )

    def test_checking_in_at_another_streets_place_is_not_found(self, client, cast, clock):
        b = book(cast["zhangwei"], make_care_place(), grandmother(cast["zhangwei"]))
        self.assert_permission_matrix(
            client,
            url=f"/console/daycare/bookings/{b.pk}/checkin/",
            method="post",
            multipart=True,
            ok=(302,),
            in_scope=cast["lina"],
            out_of_scope=cast["wangqiang"],
            no_role=cast["zhouyu"],
            missing_url=f"/console/daycare/bookings/{MISSING}/checkin/",
            page=True,
        )

    def test_api_members_need_a_sign_in(self, client, cast, clock):
        self.assert_permission_matrix(client, url="/api/v1/care-members", in_scope=cast["zhangwei"])
        self.assert_permission_matrix(
            client,
            url="/api/v1/care-members",
            method="post",
            data=lambda: {"name": "张小宝", "kind": "infant", "birth_date": "2025-01-01"},
            ok=(201,),
            in_scope=cast["zhangwei"],
        )

    def test_api_bookings_are_the_familys_own(self, client, cast, clock):
        place = make_care_place()
        self.assert_permission_matrix(client, url="/api/v1/care-bookings", in_scope=cast["zhangwei"])
        mum = grandmother(cast["zhangwei"])
        self.assert_permission_matrix(
            client,
            url="/api/v1/care-bookings",
            method="post",
            data={"place": place.pk, "member": mum.pk, "date": "2026-03-03", "session": "full_day"},
            ok=(201, 409),
            in_scope=cast["zhangwei"],
        )

    def test_api_cancel_of_another_familys_booking_is_not_found(self, client, cast, clock):
        b = book(cast["zhangwei"], make_care_place(), grandmother(cast["zhangwei"]))
        self.assert_permission_matrix(
            client,
            url=f"/api/v1/care-bookings/{b.pk}/cancel",
            method="post",
            ok=(200,),
            in_scope=cast["zhangwei"],
            out_of_scope=cast["lina"],
            missing_url=f"/api/v1/care-bookings/{MISSING}/cancel",
        )

    def test_api_check_in_is_for_the_places_managers(self, client, cast, clock):
        b = book(cast["zhangwei"], make_care_place(), grandmother(cast["zhangwei"]))
        clock.set(at(1, "07:00"))
        self.assert_permission_matrix(
            client,
            url=f"/api/v1/care-bookings/{b.pk}/check-in",
            method="post",
            ok=(200,),
            in_scope=cast["lina"],
            out_of_scope=cast["wangqiang"],
            missing_url=f"/api/v1/care-bookings/{MISSING}/check-in",
        )
