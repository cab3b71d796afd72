"""Synthetic venues for the demo: in every street a 文体活动中心 (a facility of the first community) with an activity
room (free, by the hour) and a badminton court (10 yuan an hour), a month of bookings around today (the past half
checked in or no-shows, the coming half booked), a dance team led by 张伟 with a weekly booking, and a popular
Saturday evening slot of 华富街道's court opening by draw. Everything is flagged synthetic; natural key: (facility
name, venue name), so a second run creates nothing.

The month of bookings is written with bulk_create (synthetic history, like the appeals' living year): one statement
for thousands of rows keeps `make demo` a few seconds longer, not a minute. The slots never overlap per venue.
"""

from __future__ import annotations

import random
from collections.abc import Iterable
from datetime import date, datetime, time, timedelta

from django.utils import timezone

from shequ.access.scoping import home_area_for
from shequ.accounts.models import User
from shequ.core.errors import ShequError
from shequ.facilities.models import Facility
from shequ.facilities.services import FacilityData, facility_create, facility_types_ensure
from shequ.geo.choices import AreaLevel
from shequ.geo.models import Area

from .care import care_book, care_member_add, care_place_create, open_span
from .choices import BookingStatus, CareStatus, PriceUnit, VenueKind, WhoMayBook
from .draws import draw_create
from .models import Booking, CareBooking, CareDay, CareMember, CarePlace, Team, Venue
from .rules import TZ
from .services import ancestor_at, series_create, team_create, venue_create

SOURCE = "seed_demo"
WEEK = {d: [["09:00", "21:00"]] for d in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}
DAYS_BACK, DAYS_AHEAD = 15, 14


def _anchor(street: Area) -> tuple[float, float]:
    for area in (street, street.parent):
        if area is not None and area.centroid_lat is not None and area.centroid_lng is not None:
            return round(area.centroid_lat, 6), round(area.centroid_lng, 6)
    return 22.543, 114.058  # the city's centre


def seed_venues(*, seed: int = 1, streets: Iterable[Area], users: dict[str, User]) -> int:
    """Venues in every given street and their month of bookings; returns how many venues were created."""
    facility_types_ensure()
    rng = random.Random(seed * 104729 + 25)  # noqa: S311 - reproducible demo data, not security
    streets = sorted(streets, key=lambda s: s.code)
    first_community: dict[int, Area] = {}
    for c in Area.objects.filter(level="community", parent__in=streets).order_by("code"):
        first_community.setdefault(c.parent_id, c)  # type: ignore[arg-type]
    existing = set(Venue.objects.filter(synthetic=True).values_list("facility__name", "name"))
    created: list[Venue] = []
    for street in streets:
        # A street the pack lists without communities keeps its centre at the street itself.
        community = first_community.get(street.pk, street)
        name = f"{street.name}文体活动中心"
        facility = Facility.objects.filter(name=name, area=community).first()
        if facility is None:
            lat, lng = _anchor(street)
            facility = facility_create(
                actor=None,
                data=FacilityData(
                    name=name,
                    type="culture_sports",
                    area=community.code,
                    lat=lat,
                    lng=lng,
                    address=f"{street.name}{community.name}文体路{rng.randint(1, 99)}号（合成地址）",
                    phone=f"0755-{rng.randint(2, 8)}{rng.randint(0, 9_999_999):07d}",
                    hours=WEEK,
                    services=["活动室预约", "羽毛球", "舞蹈排练"],
                    source=SOURCE,
                    synthetic=True,
                ),
            )
        for vname, kind, price, capacity in (
            ("多功能活动室", VenueKind.ROOM, 0, 40),
            ("羽毛球场", VenueKind.COURT, 1000, 4),
        ):
            if (name, vname) in existing:
                continue
            created.append(
                venue_create(
                    actor=None,
                    facility=facility,
                    name=vname,
                    kind=kind,
                    capacity=capacity,
                    price_cents=price,
                    price_unit=PriceUnit.PER_HOUR,
                    who_may_book=WhoMayBook.STREET,
                    slot_minutes=60,
                    max_length_minutes=120,
                    synthetic=True,
                )
            )
    if created:
        _month_of_bookings(rng, created, users)
        _huafu_extras(users)
        _activities(rng, created, users)
    seed_care_places(rng=rng, streets=streets, users=users)
    return len(created)


EVENTS = ["广场舞联谊", "社区乒乓球赛", "亲子阅读会", "长者健康讲座", "邻里美食节", "社区书法展"]
COURSES = ["社区学校：智能手机课", "老年大学：书法班", "老年大学：太极拳", "社区学校：反诈知识课"]


def _activities(rng: random.Random, venues: list[Venue], users: dict[str, User]) -> None:
    """In each new room's street: a weekly event this month (周周有活动) and a four-week course (社区学校, 老年大学),
    with sign-ups by the synthetic residents (bulk, `taken` set to match) and 张伟 in 华富街道's course."""
    from .activities import activity_create, enrol
    from .models import Activity, Enrolment, EnrolStatus

    pool = _bookers(rng)
    today = timezone.localdate()
    enrolments = []
    for venue in venues:
        if venue.kind != VenueKind.ROOM:
            continue
        street = venue.area.parent if venue.area.level == "community" and venue.area.parent else venue.area
        for title, kind, weeks, hour, capacity in (
            (rng.choice(EVENTS), "event", 1, 15, 40),
            (rng.choice(COURSES), "course", 4, 9, 20),
        ):
            first = today + timedelta(days=rng.randint(2, 9))
            sessions = [
                (
                    datetime.combine(first + timedelta(weeks=w), time(hour), tzinfo=TZ),
                    datetime.combine(first + timedelta(weeks=w), time(hour + 2), tzinfo=TZ),
                )
                for w in range(weeks)
            ]
            a = activity_create(
                actor=None,
                title=title,
                kind=kind,
                area=street,
                sessions=sessions,
                capacity=capacity,
                venue=venue,
                organiser=f"{street.name}社区工作站",
                description="合成演示数据。",
                synthetic=True,
            )
            people = rng.sample(pool, rng.randint(capacity // 3, capacity - 2))
            enrolments += [Enrolment(activity=a, person=p, status=EnrolStatus.CONFIRMED) for p in people]
            a.taken = len(people)
            a.save(update_fields=["taken"])
    Enrolment.objects.bulk_create(enrolments, batch_size=2000)
    huafu = Activity.objects.filter(synthetic=True, kind="course", area__name="华富街道").first()
    if huafu is not None:
        enrol(actor=users["zhangwei"], activity=huafu)


SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华"


def _bookers(rng: random.Random, n: int = 60) -> list[User]:
    """Synthetic residents who made the month's bookings (no password: they cannot sign in); zhangwei's own
    bookings are his journeys'. One bulk insert, idempotent by username."""
    people = []
    for i in range(n):
        user = User(username=f"demo_booker{i + 1:03d}", display_name=rng.choice(SURNAMES) + rng.choice(GIVEN))
        user.set_unusable_password()
        people.append(user)
    User.objects.bulk_create(people, ignore_conflicts=True)
    return list(User.objects.filter(username__startswith="demo_booker").order_by("username"))


def _month_of_bookings(rng: random.Random, venues: list[Venue], users: dict[str, User]) -> None:
    pool = _bookers(rng)
    today = timezone.localdate()
    now = timezone.now()
    rows = []
    hours = list(range(9, 21))
    for venue in venues:
        for back in range(-DAYS_BACK, DAYS_AHEAD + 1):
            day = today + timedelta(days=back)
            # Evenings and weekends are busier; tomorrow onward leaves room for the journeys to book.
            busy = 5 if day.weekday() >= 5 else 3
            for hour in rng.sample(hours, rng.randint(1, busy)):
                start = datetime.combine(day, time(hour), tzinfo=TZ)
                if back >= 0 and start < now + timedelta(hours=2):
                    continue
                if back > 0 and hour in (9, 10):
                    continue  # the mornings ahead stay free for the demo's own bookings
                if start >= now:
                    status = BookingStatus.CONFIRMED
                else:
                    status = BookingStatus.NO_SHOW if rng.random() < 0.08 else BookingStatus.CHECKED_IN
                rows.append(
                    Booking(
                        venue=venue,
                        person=rng.choice(pool),
                        start=start,
                        end=start + timedelta(hours=1),
                        status=status,
                        people=rng.randint(1, venue.capacity),
                        price_cents=venue.price_cents,
                        checked_in_at=start if status == BookingStatus.CHECKED_IN else None,
                        synthetic=True,
                    )
                )
    Booking.objects.bulk_create(rows, batch_size=2000)


def _huafu_extras(users: dict[str, User]) -> None:
    """张伟's dance team with a weekly Thursday evening in 华富街道's room, and a Saturday court slot by draw."""
    zhangwei = users["zhangwei"]
    street = Area.objects.filter(parent__code="440304", name="华富街道").first()
    if street is None:
        return
    room = Venue.objects.filter(synthetic=True, area__parent=street, kind=VenueKind.ROOM).first()
    court = Venue.objects.filter(synthetic=True, area__parent=street, kind=VenueKind.COURT).first()
    if room is None or court is None:
        return
    team = Team.objects.filter(name="华富舞蹈队").first() or team_create(
        actor=None, name="华富舞蹈队", area=street, leader=zhangwei, synthetic=True
    )
    if team.series.exists():
        return
    today = timezone.localdate()
    thursday = today + timedelta(days=(3 - today.weekday()) % 7 or 7)
    start = datetime.combine(thursday, time(20), tzinfo=TZ)
    Booking.objects.filter(venue=room, start__gte=start, start__hour=20, synthetic=True).delete()
    series_create(
        actor=zhangwei, venue=room, team=team, first_start=start, minutes=60, weeks=4, purpose="广场舞排练"
    )
    saturday = today + timedelta(days=(5 - today.weekday()) % 7 or 7)
    slot = datetime.combine(saturday, time(19), tzinfo=TZ)
    Booking.objects.filter(venue=court, start=slot).delete()
    draw_create(
        actor=None, venue=court, start=slot, end=slot + timedelta(hours=1), draw_at=slot - timedelta(days=1)
    )


# --- 托 places ----------------------------------------------------------------------------------------------------
CARE_WEEK = {d: [["07:30", "18:00"]] for d in ("mon", "tue", "wed", "thu", "fri")}
CARE_PLACES = [
    # (facility type, facility name suffix, place name, kind, age band, capacity, fee)
    ("elderly", "长者日间照料中心", "长者日间照料", "elder", "", 20, "普惠价：全日托 40 元，半日托 25 元"),
    ("childcare", "普惠托育中心", "托小班（1–2岁）", "infant", "12_24", 15, "普惠价：全日托 80 元，计时托 15 元/小时"),
    ("childcare", "普惠托育中心", "托大班（2–3岁）", "infant", "24_36", 20, "普惠价：全日托 80 元，计时托 15 元/小时"),
]  # fmt: skip


def seed_care_places(*, rng: random.Random, streets: Iterable[Area], users: dict[str, User]) -> int:
    """In every street an elder day care place (长者服务站) and two infant classes (托育机构): the street's synthetic
    facility of that type if the facility demo made one, else one made here; the coming week about half booked by
    synthetic families (bulk), and 张伟's mother 王秀英 booked for tomorrow's full day. Natural key: (facility,
    place name), so a second run creates nothing."""
    existing = set(CarePlace.objects.filter(synthetic=True).values_list("facility_id", "name"))
    created: list[CarePlace] = []
    for street in sorted(streets, key=lambda s: s.code):
        facilities: dict[str, Facility] = {}
        for ftype, suffix, pname, kind, band, capacity, fee in CARE_PLACES:
            facility = facilities.get(ftype)
            if facility is None:
                facility = (
                    Facility.objects.filter(
                        type__code=ftype, synthetic=True, area__path__startswith=street.path
                    )
                    .order_by("area__path", "pk")
                    .first()
                )
            if facility is None:
                lat, lng = _anchor(street)
                facility = facility_create(
                    actor=None,
                    data=FacilityData(
                        name=f"{street.name}{suffix}",
                        type=ftype,
                        area=street.code,
                        lat=lat,
                        lng=lng,
                        address=f"{street.name}康乐路{rng.randint(1, 99)}号（合成地址）",
                        phone=f"0755-{rng.randint(2, 8)}{rng.randint(0, 9_999_999):07d}",
                        hours=CARE_WEEK,
                        services=["全日托", "半日托", "计时托", "临时托"],
                        source=SOURCE,
                        synthetic=True,
                    ),
                )
            facilities[ftype] = facility
            if (facility.pk, pname) in existing:
                continue
            created.append(
                care_place_create(
                    actor=None,
                    facility=facility,
                    name=pname,
                    kind=kind,
                    age_band=band,
                    capacity=capacity,
                    fee_note=fee,
                    who_may_book=WhoMayBook.STREET,
                    synthetic=True,
                )
            )
    if not created:
        return 0
    # A week of bookings by synthetic families: one bulk insert each for members, bookings and the days' counters.
    pool = _bookers(rng)
    today = timezone.localdate()
    members, bookings, days = [], [], []
    for place in created:
        for offset in range(1, 8):
            day = today + timedelta(days=offset)
            span = open_span(place, day)
            if span is None:
                continue
            n = rng.randint(place.capacity // 3, place.capacity * 2 // 3)
            for family in rng.sample(pool, n):
                born = (
                    date(rng.randint(1938, 1962), rng.randint(1, 12), 1)
                    if place.kind == "elder"
                    else today
                    - timedelta(days=30 * (13 if place.age_band == "12_24" else 25) + rng.randint(0, 300))
                )
                member = CareMember(
                    family=family,
                    name=rng.choice(SURNAMES) + rng.choice(GIVEN),
                    kind=place.kind,
                    birth_date=born,
                    care_level=rng.randint(0, 2) if place.kind == "elder" else None,
                    synthetic=True,
                )
                members.append(member)
                bookings.append(
                    CareBooking(
                        place=place,
                        member=member,
                        family=family,
                        day=day,
                        session="full_day",
                        start=span[0],
                        end=span[1],
                        status=CareStatus.BOOKED,
                        synthetic=True,
                    )
                )
            days.append(CareDay(place=place, day=day, capacity=place.capacity, taken=n))
    CareMember.objects.bulk_create(members, batch_size=1000)
    for b in bookings:
        b.member_id = b.member.pk
    CareBooking.objects.bulk_create(bookings, batch_size=1000)
    CareDay.objects.bulk_create(days, batch_size=1000)
    zhangwei = users.get("zhangwei")
    if zhangwei is not None:
        mother = care_member_add(
            actor=zhangwei,
            name="王秀英",
            relation="母亲",
            kind="elder",
            birth_date=date(1948, 5, 1),
            care_level=1,
            synthetic=True,
        )
        # The elder day care of his own street (who_may_book is the street).
        where = home_area_for(zhangwei)
        home_street = ancestor_at(where, (AreaLevel.STREET,)) if where is not None else None
        home = next(
            (
                p
                for p in created
                if p.kind == "elder"
                and home_street is not None
                and home_street.pk in (p.area_id, p.area.parent_id)
            ),
            None,
        )
        tomorrow = today + timedelta(days=1)
        while home is not None and open_span(home, tomorrow) is None:
            tomorrow += timedelta(days=1)
        if home is not None:
            try:
                care_book(
                    actor=zhangwei,
                    place=home,
                    member=mother,
                    day=tomorrow,
                    session="full_day",
                    synthetic=True,
                )
            except ShequError:
                pass  # the demo's own week may have filled it: the journey books another day
    return len(created)
