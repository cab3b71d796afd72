"""The nightly care scan (care.scan): besides elders not visited, a missed booking and a repeated-appeals warning
of a person in a special group become discovery entries, once each."""

import datetime as dt

import pytest
from django.utils import timezone

from shequ.appeals import services as appeal_services
from shequ.care import services, tasks
from shequ.care.choices import DiscoveryKind
from shequ.care.models import Discovery
from shequ.earlywarning.models import EarlyWarning
from shequ.venues.choices import BookingStatus
from shequ.venues.models import Booking
from shequ.venues.tests.helpers import make_venue

from .conftest import membership

pytestmark = pytest.mark.django_db


def _no_show(venue, person, *, days_ago: int) -> Booking:
    start = timezone.now() - dt.timedelta(days=days_ago)
    return Booking.objects.create(
        venue=venue,
        person=person,
        start=start,
        end=start + dt.timedelta(hours=1),
        status=BookingStatus.NO_SHOW,
    )


def test_a_missed_booking_of_a_person_in_a_group_becomes_one_entry(world):
    elder = world["elder"]
    elder.user = world["zhangwei"]
    elder.save(update_fields=["user"])
    venue = make_venue("华富长者日间照料中心")
    _no_show(venue, world["zhangwei"], days_ago=2)
    _no_show(venue, world["zhangwei"], days_ago=30)  # too long ago for this week's scan
    assert services.discoveries_scan_missed_bookings(days=7) == 0  # not in a special group yet
    membership(world)
    assert services.discoveries_scan_missed_bookings(days=7) == 1
    assert services.discoveries_scan_missed_bookings(days=7) == 0  # the same booking once
    entry = Discovery.objects.get(kind=DiscoveryKind.MISSED_BOOKING)
    assert entry.resident == elder and "华富长者日间照料中心" in entry.summary


def test_a_repeated_appeals_warning_about_a_person_in_a_group_becomes_one_entry(world):
    elder = world["elder"]
    membership(world)
    appeals = [
        appeal_services.appeal_submit(
            actor=world["sunli"],
            data=appeal_services.IntakeData(
                text="家里没人照顾，水管又坏了，已经打了好几次电话",
                channel="hotline",
                category="sanitation",
                area=elder.area.code,
                contact_phone=elder.phone,
            ),
        )
        for _ in range(3)
    ]
    other = appeal_services.appeal_submit(
        actor=world["sunli"],
        data=appeal_services.IntakeData(
            text="楼道灯坏了好几天没人修",
            channel="hotline",
            area=elder.area.code,
            contact_phone="13700001111",
        ),
    )
    today = timezone.localdate()
    for key, ids in (("about-elder", [a.pk for a in appeals]), ("about-someone-else", [other.pk])):
        EarlyWarning.objects.create(
            kind="repeat_person",
            area=elder.area,
            day=today - dt.timedelta(days=1),
            window_start=today - dt.timedelta(days=7),
            observed=len(ids),
            score=len(ids),
            evidence={"appeal_ids": ids, "window_days": 7},
            dedupe_key=key,
        )
    assert services.discoveries_scan_early_warnings(days=7) == 1
    assert services.discoveries_scan_early_warnings(days=7) == 0
    entry = Discovery.objects.get(kind=DiscoveryKind.EARLY_WARNING)
    assert entry.resident == elder and "诉求3次" in entry.summary


def test_the_nightly_task_runs_every_scan(world):
    membership(world)
    made = tasks.scan.apply().get()
    assert made == {"no_visit": 1, "missed_booking": 0, "early_warning": 0}
    assert tasks.scan.apply().get() == {"no_visit": 0, "missed_booking": 0, "early_warning": 0}


def test_a_day_care_day_booked_and_never_checked_in_becomes_an_entry(world):
    from shequ.core.idnumbers import make_id_number
    from shequ.residents.services import resident_create
    from shequ.venues.models import CareBooking, CareMember
    from shequ.venues.tests.helpers import make_care_place

    elder = world["elder"]
    membership(world)
    # Her son books day care for her from his account; he lives in her household.
    son = resident_create(
        actor=None,
        household=elder.household,
        name="王建国",
        id_number=make_id_number("440304", dt.date(1968, 2, 3), 11, "male"),
        relation="子",
    )
    son.user = world["zhangwei"]
    son.save(update_fields=["user"])
    member = CareMember.objects.create(
        family=world["zhangwei"], name=elder.name, kind="elder", birth_date=elder.birth_date, care_level=2
    )
    place = make_care_place()
    today = timezone.localdate()

    def booked(day, status="booked"):
        start = timezone.make_aware(dt.datetime.combine(day, dt.time(8)))
        return CareBooking.objects.create(
            place=place,
            member=member,
            family=world["zhangwei"],
            day=day,
            session="full_day",
            start=start,
            end=start + dt.timedelta(hours=9),
            status=status,
        )

    booked(today - dt.timedelta(days=2))  # never checked in
    booked(today - dt.timedelta(days=3), status="checked_in")  # came
    booked(today)  # today is not over
    assert services.discoveries_scan_missed_bookings(days=7) == 1
    assert services.discoveries_scan_missed_bookings(days=7) == 0
    entry = Discovery.objects.get(kind=DiscoveryKind.MISSED_BOOKING)
    assert entry.resident == elder and place.name in entry.summary
