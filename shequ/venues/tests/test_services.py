"""Booking a venue through the services: instant bookings, every refused case with nothing written, cancel
deadline, check-in window, no-shows with strikes and bans, recurring series all or nothing, approval."""

from __future__ import annotations

from datetime import timedelta

import pytest

from shequ.audit.models import AuditEntry
from shequ.core.errors import ShequError
from shequ.messages.models import Message
from shequ.venues import services
from shequ.venues.choices import BookingStatus, QuotaHolder, QuotaMeasure, QuotaPeriod, WhoMayBook
from shequ.venues.models import Ban, Booking, Series, Strike, VenueQuota

from . import helpers
from .helpers import at, make_team, make_venue

clock = helpers.clock
pytestmark = pytest.mark.django_db


@pytest.fixture
def venue(db):
    return make_venue()


def book(user, venue, day: int, start: str, end: str | None = None, **kw) -> Booking:
    a = at(day, start)
    b = at(day, end) if end else a + timedelta(minutes=venue.slot_minutes)
    return services.booking_create(actor=user, venue=venue, start=a, end=b, **kw)


def refused(code: str, fn, *args, **kw) -> ShequError:
    before = (Booking.objects.count(), Series.objects.count())
    with pytest.raises(ShequError) as info:
        fn(*args, **kw)
    assert info.value.code == code, (info.value.code, info.value.message)
    assert info.value.message
    assert (Booking.objects.count(), Series.objects.count()) == before, "nothing written"
    return info.value


def test_a_free_slot_is_booked_at_once_and_audited(cast, venue, clock):
    booking = book(cast["zhangwei"], venue, 1, "09:00")
    assert booking.status == BookingStatus.CONFIRMED
    assert (booking.start, booking.end) == (at(1, "09:00"), at(1, "10:00"))
    assert AuditEntry.objects.filter(action="booking.create", object_id=str(booking.pk)).exists()


def test_a_taken_slot_is_a_409_and_nothing_is_written(cast, venue, clock, make_user):
    book(cast["zhangwei"], venue, 1, "09:00")
    other = make_user("huafu2")
    from shequ.access.services import grant_bootstrap
    from shequ.accounts.roles import Role

    grant_bootstrap(user=other, role=Role.RESIDENT, area=helpers.huafu_street(), reason="test")
    err = refused("slot_taken", book, other, venue, 1, "09:00")
    assert err.status == 409


@pytest.mark.parametrize(
    ("code", "day", "start", "end"),
    [
        ("past", 0, "09:00", None),  # the clock says 10:00 today
        ("closed", 1, "07:00", None),  # opens at 08:00
        ("closed", 1, "21:30", "22:30"),
        ("off_grid", 1, "09:30", None),
        ("too_long", 1, "09:00", "12:00"),  # longest booking 120 minutes
        ("notice_too_short", 0, "10:00", None),
        ("notice_too_long", 20, "09:00", None),  # 14 days ahead at most
        ("invalid_time", 1, "10:00", "09:00"),
    ],
)
def test_bad_times_are_refused_with_a_clear_error(cast, venue, clock, code, day, start, end):
    if code == "notice_too_short":
        clock.set(at(0, "09:45"))
    refused(code, book, cast["zhangwei"], venue, day, start, end)


def test_overlapping_ones_own_booking_elsewhere_is_refused(cast, venue, clock):
    hall = make_venue("华富社区篮球场", kind="court")
    book(cast["zhangwei"], venue, 1, "09:00", "11:00")
    refused("own_overlap", book, cast["zhangwei"], hall, 1, "10:00")


def test_residents_of_another_street_may_not_book_a_street_venue(cast, venue, clock, make_user):
    from shequ.access.services import grant_bootstrap
    from shequ.accounts.roles import Role
    from shequ.geo.models import Area

    outsider = make_user("yuehai_resident")
    grant_bootstrap(
        user=outsider,
        role=Role.RESIDENT,
        area=Area.objects.get(parent__code="440305", name="粤海街道"),
        reason="t",
    )
    err = refused("not_eligible", book, outsider, venue, 1, "09:00")
    assert "华富街道" in err.message
    venue.who_may_book = WhoMayBook.CITY
    venue.save()
    assert book(outsider, venue, 1, "09:00").status == BookingStatus.CONFIRMED


def test_a_quota_of_bookings_per_week_is_enforced(cast, venue, clock):
    VenueQuota.objects.create(
        venue=venue,
        holder=QuotaHolder.PERSON,
        period=QuotaPeriod.WEEK,
        measure=QuotaMeasure.BOOKINGS,
        limit=2,
    )
    book(cast["zhangwei"], venue, 1, "09:00")
    book(cast["zhangwei"], venue, 2, "09:00")
    err = refused("quota", book, cast["zhangwei"], venue, 3, "09:00")
    assert "2" in err.message
    # Next week (Monday 9 March) is a new period.
    assert book(cast["zhangwei"], venue, 7, "09:00").status == BookingStatus.CONFIRMED


def test_cancel_until_the_deadline_then_a_clear_refusal(cast, venue, clock):
    first = book(cast["zhangwei"], venue, 1, "09:00")
    second = book(cast["zhangwei"], venue, 1, "14:00")
    assert services.booking_cancel(actor=cast["zhangwei"], booking=first).status == BookingStatus.CANCELLED
    clock.set(at(1, "12:30"))  # 90 minutes before 14:00; the deadline is 120
    with pytest.raises(ShequError) as info:
        services.booking_cancel(actor=cast["zhangwei"], booking=second)
    assert info.value.code == "cancel_too_late"
    second.refresh_from_db()
    assert second.status == BookingStatus.CONFIRMED


def test_someone_else_cannot_cancel_a_booking_it_is_not_found(cast, venue, clock):
    booking = book(cast["zhangwei"], venue, 1, "09:00")
    with pytest.raises(ShequError) as info:
        services.booking_cancel(actor=cast["wangqiang"], booking=booking)
    assert info.value.status == 404


def test_check_in_by_the_venues_code_within_the_window(cast, venue, clock):
    booking = book(cast["zhangwei"], venue, 1, "09:00")
    token = services.checkin_token(venue)
    clock.set(at(1, "08:30"))  # opens 15 minutes before
    with pytest.raises(ShequError) as info:
        services.booking_check_in(actor=cast["zhangwei"], token=token)
    assert info.value.code == "checkin_too_early" and "08:45" in info.value.message
    clock.set(at(1, "08:50"))
    assert services.booking_check_in(actor=cast["zhangwei"], token=token).status == BookingStatus.CHECKED_IN
    booking.refresh_from_db()
    assert booking.checked_in_at is not None


def test_check_in_after_the_window_is_refused_and_nothing_changes(cast, venue, clock):
    booking = book(cast["zhangwei"], venue, 1, "09:00")
    clock.set(at(1, "09:16"))
    with pytest.raises(ShequError) as info:
        services.booking_check_in(actor=cast["zhangwei"], token=services.checkin_token(venue))
    assert info.value.code == "checkin_too_late"
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CONFIRMED


def test_a_forged_or_old_code_is_refused(cast, venue, clock):
    token = services.checkin_token(venue)
    venue.checkin_key = "new-printout"
    venue.save()
    with pytest.raises(ShequError):
        services.booking_check_in(actor=cast["zhangwei"], token=token)
    with pytest.raises(ShequError):
        services.booking_check_in(actor=cast["zhangwei"], token=f"{venue.pk}.x:forged")


def test_three_no_shows_in_30_days_ban_for_30_days(cast, venue, clock):
    zhangwei = cast["zhangwei"]
    for day in (1, 2, 3):
        book(zhangwei, venue, day, "09:00")
    clock.set(at(1, "09:14"))
    assert services.bookings_release_no_shows() == 0  # still within the 15 minutes
    for day in (1, 2):
        clock.set(at(day, "09:16"))
        assert services.bookings_release_no_shows() == 1
    assert Strike.objects.filter(person=zhangwei).count() == 2
    assert not Ban.objects.filter(person=zhangwei).exists()
    later = book(zhangwei, venue, 5, "09:00")  # two strikes: may still book
    clock.set(at(3, "09:16"))
    services.bookings_release_no_shows()
    ban = Ban.objects.get(person=zhangwei)
    assert ban.until - ban.start == timedelta(days=30)
    assert Message.objects.filter(person=zhangwei, kind="booking.no_show").count() == 3
    assert later.pk  # the booking made before the ban stays
    refused("banned", book, zhangwei, venue, 6, "09:00")
    assert Booking.objects.get(pk=later.pk).status == BookingStatus.CONFIRMED


def test_a_checked_in_booking_is_not_a_no_show(cast, venue, clock):
    book(cast["zhangwei"], venue, 1, "09:00")
    clock.set(at(1, "08:55"))
    services.booking_check_in(actor=cast["zhangwei"], token=services.checkin_token(venue))
    clock.set(at(1, "11:00"))
    assert services.bookings_release_no_shows() == 0


def test_a_venue_that_needs_approval_holds_the_slot_until_the_manager_decides(cast, clock):
    venue = make_venue("华富社区会议室", needs_approval=True)
    booking = book(cast["zhangwei"], venue, 1, "09:00")
    assert booking.status == BookingStatus.PENDING
    with pytest.raises(ShequError) as info:
        services.booking_decide(actor=cast["wangqiang"], booking=booking, action="approve")
    assert info.value.status == 404  # another street's officer: not found
    services.booking_decide(actor=cast["lina"], booking=booking, action="approve")
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CONFIRMED
    assert Message.objects.filter(person=cast["zhangwei"], kind="booking.approved").exists()


def test_a_manager_checks_someone_in_at_the_desk(cast, venue, clock):
    booking = book(cast["zhangwei"], venue, 1, "09:00")
    clock.set(at(1, "09:05"))
    services.booking_decide(actor=cast["lina"], booking=booking, action="check_in")
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CHECKED_IN


# --- recurring bookings for teams -------------------------------------------------------------------------------
def test_a_team_leader_books_eight_weeks_at_once(cast, venue, clock):
    team = make_team(cast["zhangwei"])
    series = services.series_create(
        actor=cast["zhangwei"], venue=venue, team=team, first_start=at(1, "19:00"), minutes=60, weeks=8
    )
    starts = list(Booking.objects.filter(series=series).order_by("start").values_list("start", flat=True))
    assert starts == [at(1 + 7 * w, "19:00") for w in range(8)]


def test_one_taken_week_books_nothing(cast, venue, clock, make_user):
    team = make_team(cast["zhangwei"])
    other = make_user("someone")
    from shequ.access.services import grant_bootstrap
    from shequ.accounts.roles import Role

    grant_bootstrap(user=other, role=Role.RESIDENT, area=helpers.huafu_street(), reason="test")
    book(other, venue, 8, "19:00")  # the second week
    err = refused(
        "slot_taken",
        services.series_create,
        actor=cast["zhangwei"],
        venue=venue,
        team=team,
        first_start=at(1, "19:00"),
        minutes=60,
        weeks=4,
    )
    assert "2026-03-10" in err.message


def test_the_team_quota_is_checked_over_the_whole_series(cast, venue, clock):
    VenueQuota.objects.create(
        venue=venue, holder=QuotaHolder.TEAM, period=QuotaPeriod.MONTH, measure=QuotaMeasure.HOURS, limit=3
    )
    team = make_team(cast["zhangwei"])
    # Tuesdays 3, 10, 17, 24, 31 March: five hours in March, over the three allowed: nothing is booked.
    refused(
        "quota",
        services.series_create,
        actor=cast["zhangwei"],
        venue=venue,
        team=team,
        first_start=at(1, "19:00"),
        minutes=60,
        weeks=5,
    )
    # Three weeks fit.
    services.series_create(
        actor=cast["zhangwei"], venue=venue, team=team, first_start=at(1, "19:00"), minutes=60, weeks=3
    )
    assert Booking.objects.filter(team=team).count() == 3


def test_only_the_leader_books_for_the_team(cast, venue, clock):
    team = make_team(cast["lina"])
    err = refused(
        "not_leader",
        services.series_create,
        actor=cast["zhangwei"],
        venue=venue,
        team=team,
        first_start=at(1, "19:00"),
        minutes=60,
        weeks=2,
    )
    assert err.status == 403
