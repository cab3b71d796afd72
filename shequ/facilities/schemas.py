from __future__ import annotations

from datetime import datetime

from ninja import Schema

from shequ.core.workdays import WorkCalendar

from .hours import Schedule
from .models import Facility, FacilityType


class FacilityTypeOut(Schema):
    code: str
    name: str
    icon: str
    colour: str


class AreaRef(Schema):
    code: str
    name: str


class FacilityOut(Schema):
    id: int
    name: str
    type: FacilityTypeOut
    area: AreaRef
    address: str
    lat: float
    lng: float
    phone: str
    hours: dict
    holiday_rule: str
    holiday_note: str
    hours_today: str
    open_now: bool
    services: list[str]
    accessible: bool
    synthetic: bool
    distance_m: int | None = None
    walk_minutes: int | None = None


def type_out(t: FacilityType) -> dict:
    return {"code": t.code, "name": t.name, "icon": t.icon, "colour": t.colour}


def facility_out(
    f: Facility, *, now: datetime, calendar: WorkCalendar, distance_m: float | None = None
) -> dict:
    schedule = Schedule(hours=f.hours or {}, holiday_rule=f.holiday_rule)
    from .choices import walk_minutes

    return {
        "id": f.pk,
        "name": f.name,
        "type": type_out(f.type),
        "area": {"code": f.area.code, "name": f.area.name},
        "address": f.address,
        # Six decimals (about 0.1 m) is more than any facility's position is worth, and a long float's digits
        # must not read as an ID number to the leak scan.
        "lat": round(f.lat, 6),
        "lng": round(f.lng, 6),
        "phone": f.phone,
        "hours": f.hours or {},
        "holiday_rule": f.holiday_rule,
        "holiday_note": f.holiday_note,
        "hours_today": schedule.today_text(now, calendar),
        "open_now": schedule.is_open(now, calendar),
        "services": list(f.services or []),
        "accessible": f.accessible,
        "synthetic": f.synthetic,
        "distance_m": None if distance_m is None else round(distance_m),
        "walk_minutes": None if distance_m is None else walk_minutes(distance_m),
    }
