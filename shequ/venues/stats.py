"""Use of the venues (issue 25 item 6; plan 4.1: raise the use of venues and facilities): per venue and per area,
booked hours over open hours, the no-show rate and how many different people were served.

Booked hours count what was held (booked, checked in, no-shows: the place was kept from others); open hours come
from each venue's schedule day by day (holidays included). One grouped query over the period's bookings and the
schedules in Python: a month of a city's venues is a few thousand rows. (A rollup kept as bookings happen, like the
appeals' KPIs, is the next step if the period grows to years.)
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.db.models import Count, DurationField, ExpressionWrapper, F, Q, Sum
from django.utils import timezone

from shequ.core.workdays import get_calendar
from shequ.geo.models import Area

from . import rules
from .choices import COUNTED, BookingStatus
from .models import Booking, Venue
from .services import venue_schedule

# The plan asks for higher use without a figure; the dashboard shows this as the mark to reach (a setting would
# carry a city's own target).
TARGET_RATE = 0.6


@dataclass
class Use:
    key: str
    label: str
    venues: int = 0
    open_hours: float = 0.0
    booked_hours: float = 0.0
    bookings: int = 0
    no_shows: int = 0
    people: set[int] = field(default_factory=set)

    @property
    def rate(self) -> float | None:
        return self.booked_hours / self.open_hours if self.open_hours else None

    @property
    def no_show_rate(self) -> float | None:
        return self.no_shows / self.bookings if self.bookings else None

    def row(self) -> dict:
        return {
            "key": self.key,
            "label": self.label,
            "venues": self.venues,
            "open_hours": round(self.open_hours, 1),
            "booked_hours": round(self.booked_hours, 1),
            "rate": None if self.rate is None else round(self.rate, 3),
            "bookings": self.bookings,
            "no_show_rate": None if self.no_show_rate is None else round(self.no_show_rate, 3),
            "people": len(self.people),
        }


def _open_hours(venue: Venue, frm: date, to: date, calendar) -> float:
    schedule = venue_schedule(venue)
    total = 0.0
    d = frm
    while d <= to:
        for a, b in rules.open_spans(schedule, d, calendar):
            total += (b - a).total_seconds() / 3600
        d += timedelta(days=1)
    return total


def _child_of(area_path: str, children: list[Area]) -> Area | None:
    for c in children:
        if area_path.startswith(c.path):
            return c
    return None


def utilisation(*, area: Area, date_from: date, date_to: date) -> dict:
    """{"total": row, "by_area": [rows per child area], "by_venue": [rows per venue]} for venues under `area`."""
    start = datetime.combine(date_from, time(0), tzinfo=rules.TZ)
    end = datetime.combine(date_to + timedelta(days=1), time(0), tzinfo=rules.TZ)
    venues = list(
        Venue.objects.filter(is_active=True, area__path__prefix=area.path).select_related("facility", "area")
    )
    children = list(Area.objects.filter(parent=area).order_by("code"))
    calendar = get_calendar()
    duration = ExpressionWrapper(F("end") - F("start"), output_field=DurationField())
    per_venue = {
        row["venue"]: row
        for row in Booking.objects.filter(
            venue__in=venues, start__gte=start, start__lt=end, status__in=COUNTED
        )
        .values("venue")
        .annotate(
            n=Count("id"),
            held=Sum(duration),
            no_shows=Count("id", filter=Q(status=BookingStatus.NO_SHOW)),
        )
    }
    people: dict[int, set[int]] = {}
    for venue_id, person_id in (
        Booking.objects.filter(venue__in=venues, start__gte=start, start__lt=end, status__in=COUNTED)
        .values_list("venue", "person")
        .distinct()
    ):
        people.setdefault(venue_id, set()).add(person_id)
    total = Use(area.code, area.name)
    by_area: dict[str, Use] = {}
    by_venue = []
    for v in venues:
        u = Use(str(v.pk), v.name, venues=1, open_hours=_open_hours(v, date_from, date_to, calendar))
        row = per_venue.get(v.pk)
        if row:
            u.bookings, u.no_shows = row["n"], row["no_shows"]
            u.booked_hours = row["held"].total_seconds() / 3600 if row["held"] else 0.0
        u.people = people.get(v.pk, set())
        by_venue.append(u)
        child = _child_of(v.area.path, children) or area
        group = by_area.setdefault(child.code, Use(child.code, child.name))
        for target in (group, total):
            target.venues += 1
            target.open_hours += u.open_hours
            target.booked_hours += u.booked_hours
            target.bookings += u.bookings
            target.no_shows += u.no_shows
            target.people |= u.people
    return {
        "total": total.row(),
        "by_area": [u.row() for u in sorted(by_area.values(), key=lambda u: u.key)],
        "by_venue": [u.row() for u in sorted(by_venue, key=lambda u: -(u.rate or 0))],
        "target": TARGET_RATE,
    }


@dataclass
class CareUse:
    """托位 use: place-days taken over place-days offered (each open day counts a place's capacity)."""

    key: str
    label: str
    places: int = 0
    offered: int = 0
    taken: int = 0
    missed: int = 0
    people: set[int] = field(default_factory=set)

    @property
    def rate(self) -> float | None:
        return self.taken / self.offered if self.offered else None

    @property
    def missed_rate(self) -> float | None:
        return self.missed / self.taken if self.taken else None

    def row(self) -> dict:
        return {
            "key": self.key,
            "label": self.label,
            "places": self.places,
            "offered": self.offered,
            "taken": self.taken,
            "rate": None if self.rate is None else round(self.rate, 3),
            "missed_rate": None if self.missed_rate is None else round(self.missed_rate, 3),
            "people": len(self.people),
        }

    def add(self, other: CareUse) -> None:
        self.places += other.places
        self.offered += other.offered
        self.taken += other.taken
        self.missed += other.missed
        self.people |= other.people


def care_utilisation(*, area: Area, date_from: date, date_to: date, today: date | None = None) -> dict:
    """托老 and 托育 places under `area`: {"total", "by_kind", "by_area"} rows of place-days offered (capacity on
    each open day) and taken (bookings held), the share of taken days nobody came on (past days booked and never
    checked in) and the people cared for. Two grouped queries and the places' schedules in Python."""
    from .care import open_span
    from .choices import CARE_HOLDING, CareKind, CareStatus
    from .models import CareBooking, CarePlace

    today = today or timezone.localdate()
    places = list(
        CarePlace.objects.filter(is_active=True, area__path__prefix=area.path).select_related(
            "facility", "area"
        )
    )
    children = list(Area.objects.filter(parent=area).order_by("code"))
    held = CareBooking.objects.filter(
        place__in=places, day__gte=date_from, day__lte=date_to, status__in=CARE_HOLDING
    )
    counts = {
        row["place"]: row
        for row in held.values("place").annotate(
            n=Count("id"), missed=Count("id", filter=Q(status=CareStatus.BOOKED, day__lt=today))
        )
    }
    people: dict[int, set[int]] = {}
    for place_id, member_id in held.values_list("place", "member").distinct():
        people.setdefault(place_id, set()).add(member_id)
    days = [date_from + timedelta(days=i) for i in range((date_to - date_from).days + 1)]
    total = CareUse(area.code, area.name)
    by_kind = {k: CareUse(k, str(label)) for k, label in CareKind.choices}
    by_area: dict[str, CareUse] = {}
    for p in places:
        u = CareUse(str(p.pk), p.name, places=1)
        u.offered = p.capacity * sum(1 for d in days if open_span(p, d) is not None)
        row = counts.get(p.pk)
        if row:
            u.taken, u.missed = row["n"], row["missed"]
        u.people = people.get(p.pk, set())
        child = _child_of(p.area.path, children) or area
        for target in (
            total,
            by_kind[p.kind],
            by_area.setdefault(child.code, CareUse(child.code, child.name)),
        ):
            target.add(u)
    return {
        "total": total.row(),
        "by_kind": [u.row() for u in by_kind.values()],
        "by_area": [u.row() for u in sorted(by_area.values(), key=lambda u: u.key)],
    }
