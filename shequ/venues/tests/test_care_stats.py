"""托位 use (issue 25): place-days taken over offered on open days, the share booked but not come, people cared for,
by kind and by area; shown on the leaders' dashboard beside the venues."""

from __future__ import annotations

from datetime import date, datetime, time

import pytest
from django.utils import timezone

from shequ.access.testing import sign_in
from shequ.geo.models import Area
from shequ.venues.models import CareBooking, CareMember
from shequ.venues.stats import care_utilisation

from .helpers import make_care_place

pytestmark = pytest.mark.django_db

MON, FRI, SUN = date(2026, 3, 2), date(2026, 3, 6), date(2026, 3, 8)  # a week of March 2026


def _held(place, member, day, status):
    start = timezone.make_aware(datetime.combine(day, time(8)))
    return CareBooking.objects.create(
        place=place,
        member=member,
        family=member.family,
        day=day,
        session="full_day",
        start=start,
        end=start.replace(hour=17),
        status=status,
    )


@pytest.fixture
def week(cast):
    place = make_care_place(capacity=10)  # open Monday to Friday
    grandma = CareMember.objects.create(
        family=cast["zhangwei"], name="王秀英", kind="elder", birth_date=date(1941, 4, 9), care_level=2
    )
    grandpa = CareMember.objects.create(
        family=cast["zhangwei"], name="张建国", kind="elder", birth_date=date(1939, 1, 2), care_level=1
    )
    _held(place, grandma, MON, "checked_in")
    _held(place, grandma, date(2026, 3, 3), "booked")  # past and never checked in: missed
    _held(place, grandpa, date(2026, 3, 4), "checked_in")
    _held(place, grandpa, date(2026, 3, 5), "cancelled")  # not held: not counted
    return place


def test_place_days_offered_taken_missed_and_people(week):
    district = Area.objects.get(code="440304")
    use = care_utilisation(area=district, date_from=MON, date_to=SUN, today=date(2026, 3, 9))
    # 5 open days × 10 places = 50 offered; 3 held (the cancelled day is not); 1 of 3 never came; 2 people.
    assert use["total"] == {
        "key": "440304",
        "label": district.name,
        "places": 1,
        "offered": 50,
        "taken": 3,
        "rate": 0.06,
        "missed_rate": 0.333,
        "people": 2,
    }
    elder = next(r for r in use["by_kind"] if r["key"] == "elder")
    assert (elder["places"], elder["taken"]) == (1, 3)
    assert [r["label"] for r in use["by_area"]] == ["华富街道"]


def test_a_day_not_yet_over_is_not_missed(week):
    district = Area.objects.get(code="440304")
    use = care_utilisation(area=district, date_from=MON, date_to=SUN, today=date(2026, 3, 3))
    assert use["total"]["missed_rate"] == 0.0


def test_the_dashboard_shows_the_use_of_care_places(client, cast, week):
    sign_in(client, cast["chenjing"])
    page = client.get("/dashboard/", {"area": "440304", "from": "2026-03-01", "to": "2026-03-31"})
    text = page.content.decode()
    assert page.status_code == 200
    assert 'id="care-use"' in text and "托位使用率" in text
