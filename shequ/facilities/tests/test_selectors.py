from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils.translation import gettext as _

from shequ.core.errors import ShequError
from shequ.core.workdays import WorkCalendar
from shequ.facilities import selectors
from shequ.facilities.choices import HolidayRule
from shequ.facilities.demo import seed_facilities
from shequ.facilities.geodesy import bounding_box, haversine_m
from shequ.facilities.hours import Schedule, at, validate_hours
from shequ.facilities.models import Facility
from shequ.geo.models import Area

from .helpers import ORIGIN, community, east_of, make_facility, north_of

pytestmark = pytest.mark.django_db

NO_HOLIDAYS = WorkCalendar([], [], strict=False)
# 2026-10-01 (Thursday) is National Day; 2026-10-10 (Saturday) a make-up working day, for these tests only.
NATIONAL_DAY = date(2026, 10, 1)
MAKEUP_SATURDAY = date(2026, 10, 10)
CALENDAR = WorkCalendar([NATIONAL_DAY], [MAKEUP_SATURDAY], strict=False)


def test_near_lists_facilities_nearest_first_with_their_distances():
    far = make_facility("远的社康", north_of(900))
    near = make_facility("近的社康", east_of(300))
    middle = make_facility("中间的社康", north_of(600))
    found = selectors.facilities_near(lat=ORIGIN[0], lng=ORIGIN[1], radius_m=1200)
    assert [n.facility.pk for n in found] == [near.pk, middle.pk, far.pk]
    assert found[0].distance_m == pytest.approx(300, abs=2)
    assert found[0].walk_minutes == 4  # 300 m at 80 m a minute


def test_the_radius_cuts_the_circle_not_the_box():
    make_facility("圈内", north_of(1150))
    make_facility("圈外", north_of(1250))
    # Inside the bounding box's corner (both offsets 1,000 m) but 1,414 m away: outside the circle.
    corner = (north_of(1000)[0], east_of(1000)[1])
    make_facility("盒角", corner)
    names = [n.facility.name for n in selectors.facilities_near(lat=ORIGIN[0], lng=ORIGIN[1], radius_m=1200)]
    assert names == ["圈内"]


def test_types_filter_the_near_list():
    make_facility("社康A", north_of(100), type="health")
    make_facility("警务室A", north_of(200), type="police")
    found = selectors.facilities_near(lat=ORIGIN[0], lng=ORIGIN[1], radius_m=1200, types=["police"])
    assert [n.facility.name for n in found] == ["警务室A"]


def test_facilities_in_a_street_include_its_communities_and_nothing_of_another_street():
    huafu = Area.objects.get(parent__code="440304", name="华富街道")
    inside = make_facility("华富社区的社康", north_of(100), area=community("华富街道"))
    make_facility("粤海的社康", north_of(100), area=community("粤海街道", "440305"))
    assert list(selectors.facilities_in(huafu)) == [inside]


def test_the_bounding_box_holds_the_whole_circle():
    min_lat, max_lat, min_lng, max_lng = bounding_box(*ORIGIN, 1200)
    for point in (north_of(1199), north_of(-1199), east_of(1199), east_of(-1199)):
        assert min_lat <= point[0] <= max_lat and min_lng <= point[1] <= max_lng
    assert haversine_m(*ORIGIN, *north_of(1000)) == pytest.approx(1000, rel=1e-3)


def test_the_near_list_runs_one_query_however_many_facilities_match():
    for i in range(2):
        make_facility(f"社康{i}", north_of(100 + i))
    with CaptureQueriesContext(connection) as few:
        assert len(selectors.facilities_near(lat=ORIGIN[0], lng=ORIGIN[1], radius_m=1200)) == 2
    for i in range(20):
        make_facility(f"警务室{i}", east_of(200 + i), type="police")
    with CaptureQueriesContext(connection) as many:
        assert len(selectors.facilities_near(lat=ORIGIN[0], lng=ORIGIN[1], radius_m=1200)) == 22
    assert len(few.captured_queries) == len(many.captured_queries) == 1


# --- open now ------------------------------------------------------------------------------------------------
def test_weekday_hours_open_on_a_weekday_and_close_on_sunday():
    s = Schedule(hours={"mon": [["09:00", "17:00"]]})
    monday = date(2026, 9, 14)
    assert s.is_open(at(monday, "09:00"), NO_HOLIDAYS)
    assert s.is_open(at(monday, "16:59"), NO_HOLIDAYS)
    assert not s.is_open(at(monday, "17:00"), NO_HOLIDAYS)
    assert not s.is_open(at(date(2026, 9, 13), "10:00"), NO_HOLIDAYS)  # Sunday


def test_an_interval_past_midnight_stays_open_into_the_next_day():
    s = Schedule(hours={"fri": [["22:00", "02:00"]]})
    friday, saturday = date(2026, 9, 18), date(2026, 9, 19)
    assert not s.is_open(at(friday, "21:59"), NO_HOLIDAYS)
    assert s.is_open(at(friday, "23:30"), NO_HOLIDAYS)
    assert s.is_open(at(saturday, "01:59"), NO_HOLIDAYS)
    assert not s.is_open(at(saturday, "02:00"), NO_HOLIDAYS)
    assert not s.is_open(at(date(2026, 9, 17), "01:00"), NO_HOLIDAYS)  # Friday's night, not Thursday's


def test_open_24_hours_and_the_time_is_read_in_shanghai():
    from datetime import UTC, datetime

    s = Schedule(hours={"mon": [["00:00", "24:00"]], "tue": [["08:00", "09:00"]]})
    assert s.is_open(at(date(2026, 9, 14), "23:59"), NO_HOLIDAYS)
    # 00:30 UTC on a Tuesday is 08:30 in Shanghai.
    assert s.is_open(datetime(2026, 9, 15, 0, 30, tzinfo=UTC), NO_HOLIDAYS)
    assert s.today_text(at(date(2026, 9, 14), "12:00"), NO_HOLIDAYS) == _("Open all day")


def test_a_facility_closed_on_holidays_is_closed_on_national_day_and_its_note_is_kept():
    f = make_facility(
        "长者服务站",
        north_of(10),
        type="elderly",
        holiday_rule=HolidayRule.CLOSED,
        holiday_note="法定节假日休息",
    )
    s = selectors.schedule_of(f)
    assert not s.is_open(at(NATIONAL_DAY, "10:00"), CALENDAR)
    assert s.is_open(at(date(2026, 10, 8), "10:00"), CALENDAR)  # an ordinary Thursday
    assert s.today_text(at(NATIONAL_DAY, "10:00"), CALENDAR) == _("Closed all day")
    assert Facility.objects.get(pk=f.pk).holiday_note == "法定节假日休息"


def test_sunday_hours_on_holidays_and_monday_hours_on_a_make_up_working_day():
    s = Schedule(hours={"mon": [["08:00", "18:00"]], "thu": [["08:00", "18:00"]], "sun": [["09:00", "12:00"]]},
                 holiday_rule=HolidayRule.SUNDAY)  # fmt: skip
    assert s.is_open(at(NATIONAL_DAY, "10:00"), CALENDAR)
    assert not s.is_open(at(NATIONAL_DAY, "15:00"), CALENDAR)  # Thursday's hours do not apply on the holiday
    assert s.is_open(at(MAKEUP_SATURDAY, "15:00"), CALENDAR)
    assert not s.is_open(at(date(2026, 10, 17), "15:00"), CALENDAR)  # an ordinary Saturday


def test_as_usual_ignores_the_calendar():
    s = Schedule(hours={"thu": [["08:00", "18:00"]]}, holiday_rule=HolidayRule.AS_USUAL)
    assert s.is_open(at(NATIONAL_DAY, "10:00"), CALENDAR)


@pytest.mark.parametrize(
    "hours,field",
    [
        ({"monday": []}, "hours.monday"),
        ({"mon": [["9:00", "17:00"]]}, "hours.mon"),
        ({"mon": [["09:00", "09:00"]]}, "hours.mon"),
        ({"mon": [["24:00", "02:00"]]}, "hours.mon"),
        ({"mon": [["09:00"]]}, "hours.mon"),
        ({"mon": "09:00-17:00"}, "hours.mon"),
        (["mon"], "hours"),
    ],
)
def test_bad_opening_hours_are_refused_naming_the_day(hours, field):
    with pytest.raises(ShequError) as exc:
        validate_hours(hours)
    assert field in exc.value.fields


def test_a_mobile_number_is_refused_as_a_facility_phone_and_nothing_is_written():
    with pytest.raises(ShequError) as exc:
        make_facility("某站", north_of(10), phone="13912345678")
    assert "phone" in exc.value.fields
    assert not Facility.objects.exists()


def test_a_bad_point_or_radius_is_refused():
    with pytest.raises(ShequError) as exc:
        selectors.parse_near("22.5")
    assert exc.value.fields == {"near": "format"}
    with pytest.raises(ShequError):
        selectors.parse_near("91,114")
    with pytest.raises(ShequError):
        selectors.parse_near("22.5,nan")
    with pytest.raises(ShequError):
        selectors.check_radius("0")
    assert selectors.check_radius("1200") == 1200


# --- demo data -----------------------------------------------------------------------------------------------
def test_the_demo_facilities_are_synthetic_near_their_street_and_a_rerun_adds_nothing():
    streets = list(Area.objects.filter(parent__code="440304", name="华富街道").select_related("parent"))
    created = seed_facilities(seed=1, streets=streets)
    assert created > 5
    assert not Facility.objects.filter(synthetic=False).exists()
    assert seed_facilities(seed=1, streets=streets) == 0
    assert Facility.objects.count() == created
    street = streets[0]
    for f in Facility.objects.all():
        assert haversine_m(street.centroid_lat, street.centroid_lng, f.lat, f.lng) < 4000
        assert f.area.path.startswith(street.path)
