"""Portal and console pages of venues: what the person sees in Chinese, and who may open what."""

from __future__ import annotations

import pytest
from django.test import Client

from shequ.access.testing import PermissionMatrixMixin, sign_in
from shequ.venues import services
from shequ.venues.choices import BookingStatus
from shequ.venues.models import Booking, Team

from . import helpers
from .helpers import at, make_team, make_venue

clock = helpers.clock
pytestmark = pytest.mark.django_db
MISSING = 999999991
ZH = {"HTTP_ACCEPT_LANGUAGE": "zh-hans"}


@pytest.fixture
def venue(db):
    return make_venue()


@pytest.fixture
def yuehai_venue(db):
    return make_venue("粤海社区活动室", street="粤海街道", district="440305")


def slot(day=1, start="09:00", end="10:00") -> dict:
    return {"start": at(day, start).isoformat(), "end": at(day, end).isoformat()}


def test_a_resident_books_from_the_day_page_and_sees_it_in_chinese(
    client: Client, cast, venue, clock, make_user
):
    sign_in(client, cast["zhangwei"])
    page = client.get(f"/venues/{venue.pk}/?date=2026-03-03", **ZH).content.decode()
    assert venue.name in page and "预约" in page
    r = client.post(f"/venues/{venue.pk}/book/", slot(), follow=True, **ZH)
    text = r.content.decode()
    assert "已预约" in text and venue.name in text
    assert Booking.objects.get().status == BookingStatus.CONFIRMED
    sign_in(client, helpers.huafu_neighbour(make_user))
    again = client.post(f"/venues/{venue.pk}/book/", slot(), follow=True, **ZH).content.decode()
    assert "该时段已被预约" in again
    assert Booking.objects.count() == 1


def test_the_resident_cancels_from_my_bookings(client, cast, venue, clock):
    booking = services.booking_create(
        actor=cast["zhangwei"], venue=venue, start=at(1, "09:00"), end=at(1, "10:00")
    )
    sign_in(client, cast["zhangwei"])
    r = client.post(f"/me/bookings/{booking.pk}/cancel/", follow=True, **ZH)
    assert "预约已取消" in r.content.decode()
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CANCELLED


def test_the_cancel_button_is_gone_after_the_deadline(client, cast, venue, clock):
    services.booking_create(actor=cast["zhangwei"], venue=venue, start=at(1, "09:00"), end=at(1, "10:00"))
    sign_in(client, cast["zhangwei"])
    assert "取消预约" in client.get("/me/bookings/", **ZH).content.decode()
    clock.set(at(1, "07:30"))
    assert "取消预约" not in client.get("/me/bookings/", **ZH).content.decode()


def test_a_team_leader_books_a_recurring_slot(client, cast, venue, clock):
    make_team(cast["zhangwei"])
    sign_in(client, cast["zhangwei"])
    team = Team.objects.get()
    r = client.post(
        f"/me/bookings/series/?venue={venue.pk}",
        {"venue": venue.pk, "team": team.pk, "date": "2026-03-03", "time": "19:00", "weeks": "4"},
        follow=True,
        **ZH,
    )
    assert "华富舞蹈队" in r.content.decode()
    assert Booking.objects.filter(team=team).count() == 4


def test_check_in_page_from_the_qr_code(client, cast, venue, clock):
    services.booking_create(actor=cast["zhangwei"], venue=venue, start=at(1, "09:00"), end=at(1, "10:00"))
    clock.set(at(1, "08:50"))
    sign_in(client, cast["zhangwei"])
    token = services.checkin_token(venue)
    assert "立即签到" in client.get("/venues/checkin/", {"t": token}, **ZH).content.decode()
    r = client.post("/venues/checkin/", {"t": token}, **ZH)
    assert "已签到" in r.content.decode()
    assert Booking.objects.get().status == BookingStatus.CHECKED_IN
    assert client.get("/venues/checkin/", {"t": "forged"}).status_code == 404


def test_the_manager_sees_the_days_bookings_and_checks_someone_in(client, cast, venue, clock):
    booking = services.booking_create(
        actor=cast["zhangwei"], venue=venue, start=at(1, "09:00"), end=at(1, "10:00")
    )
    clock.set(at(1, "09:02"))
    sign_in(client, cast["lina"])
    page = client.get(f"/console/venues/{venue.pk}/?date=2026-03-03", **ZH).content.decode()
    assert "09:00–10:00" in page and "张*" in page and "<svg" in page
    client.post(f"/console/venues/bookings/{booking.pk}/check_in/", **ZH)
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CHECKED_IN


class TestPermissionMatrix(PermissionMatrixMixin):
    def test_book_page_needs_a_sign_in(self, client, cast, venue, clock):
        self.assert_permission_matrix(
            client,
            url=f"/venues/{venue.pk}/book/",
            method="post",
            multipart=True,
            data=slot(),
            ok=(302,),
            in_scope=cast["zhangwei"],
            page=True,
            sign_in_url="/accounts/resident/",
        )

    def test_wait_needs_a_sign_in(self, client, cast, venue, clock, make_user):
        services.booking_create(
            actor=helpers.huafu_neighbour(make_user), venue=venue, start=at(1, "09:00"), end=at(1, "10:00")
        )
        self.assert_permission_matrix(
            client,
            url=f"/venues/{venue.pk}/wait/",
            method="post",
            multipart=True,
            data=slot(),
            ok=(302,),
            in_scope=cast["zhangwei"],
            page=True,
            sign_in_url="/accounts/resident/",
        )

    def test_my_bookings_need_a_sign_in(self, client, cast, clock):
        self.assert_permission_matrix(
            client,
            url="/me/bookings/",
            in_scope=cast["zhangwei"],
            page=True,
            sign_in_url="/accounts/resident/",
        )

    def test_check_in_needs_a_sign_in(self, client, cast, venue, clock):
        self.assert_permission_matrix(
            client,
            url=f"/venues/checkin/?t={services.checkin_token(venue)}",
            in_scope=cast["zhangwei"],
            page=True,
            sign_in_url="/accounts/resident/",
        )

    def test_the_series_page_is_for_team_leaders(self, client, cast, venue, clock, make_user):
        make_team(cast["zhangwei"])
        self.assert_permission_matrix(
            client,
            url=f"/me/bookings/series/?venue={venue.pk}",
            in_scope=cast["zhangwei"],
            no_role=make_user("no_team"),
            page=True,
            sign_in_url="/accounts/resident/",
        )

    def test_an_action_on_someone_elses_booking_is_not_found(self, client, cast, venue, clock, make_user):
        booking = services.booking_create(
            actor=cast["zhangwei"], venue=venue, start=at(1, "09:00"), end=at(1, "10:00")
        )
        self.assert_permission_matrix(
            client,
            url=f"/me/bookings/{booking.pk}/cancel/",
            method="post",
            multipart=True,
            ok=(302,),
            in_scope=cast["zhangwei"],
            out_of_scope=cast["lina"],
            missing_url=f"/me/bookings/{MISSING}/cancel/",
            page=True,
            sign_in_url="/accounts/resident/",
        )

    def test_the_console_list_is_for_venue_managers(self, client, cast, clock):
        self.assert_permission_matrix(
            client, url="/console/venues/", in_scope=cast["lina"], no_role=cast["zhouyu"], page=True
        )

    def test_a_venue_of_another_street_is_not_found(self, client, cast, venue, yuehai_venue, clock):
        self.assert_permission_matrix(
            client,
            url=f"/console/venues/{venue.pk}/",
            in_scope=cast["lina"],
            no_role=cast["zhouyu"],
            out_of_scope=cast["wangqiang"],
            missing_url=f"/console/venues/{MISSING}/",
            page=True,
        )

    def test_a_console_action_outside_ones_street_is_not_found(self, client, cast, clock):
        venue = make_venue("华富社区会议室", needs_approval=True)
        booking = services.booking_create(
            actor=cast["zhangwei"], venue=venue, start=at(1, "09:00"), end=at(1, "10:00")
        )
        self.assert_permission_matrix(
            client,
            url=f"/console/venues/bookings/{booking.pk}/approve/",
            method="post",
            multipart=True,
            ok=(302,),
            in_scope=cast["lina"],
            no_role=cast["zhouyu"],
            out_of_scope=cast["wangqiang"],
            missing_url=f"/console/venues/bookings/{MISSING}/approve/",
            page=True,
        )
