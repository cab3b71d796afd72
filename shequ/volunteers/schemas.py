"""ninja Schemas of /api/v1/volunteers and /api/v1/volunteer-activities (input and output)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from ninja import Schema
from pydantic import Field

from shequ.core.masking import mask_phone

from .choices import VolunteerStatus, availability_keys
from .models import Activity, Shift, Signup, Volunteer

Text50 = Annotated[str, Field(max_length=50)]
Code = Annotated[str, Field(max_length=40)]
# The platform's records run in this century: a datetime outside it is a 400, not a database error.
When = Annotated[
    datetime, Field(ge=datetime(2000, 1, 1).astimezone(), le=datetime(2099, 12, 31).astimezone())
]


class VolunteerIn(Schema):
    name: Text50
    id_number: Annotated[str, Field(max_length=30)]
    phone: Annotated[str, Field(max_length=30)]
    area: Code
    emergency_name: Text50
    emergency_phone: Annotated[str, Field(max_length=30)]
    skills: Annotated[list[Code], Field(max_length=20)] = []
    service_areas: Annotated[list[Code], Field(max_length=20)] = []
    availability: Annotated[list[Annotated[str, Field(max_length=8)]], Field(max_length=21)] = []
    guardian_name: Text50 = ""
    guardian_phone: Annotated[str, Field(max_length=30)] = ""
    guardian_consent: bool = False


class AreaRef(Schema):
    code: str
    name: str


class VolunteerOut(Schema):
    id: int
    number: str
    name: str
    phone: str
    status: str
    status_label: str
    area: AreaRef
    skills: list[str]
    service_areas: list[str]
    availability: list[str]
    confirmed_hours: float
    stars: int
    registered_at: datetime


def volunteer_out(v: Volunteer, *, stars: int) -> dict:
    return {
        "id": v.pk,
        "number": v.number,
        "name": v.name,
        "phone": mask_phone(v.phone),
        "status": v.status,
        "status_label": str(VolunteerStatus(v.status).label),
        "area": {"code": v.area.code, "name": v.area.name},
        "skills": sorted(s.code for s in v.skills.all()),
        "service_areas": sorted(a.code for a in v.service_areas.all()),
        "availability": availability_keys(v.availability),
        "confirmed_hours": v.hours,
        "stars": stars,
        "registered_at": v.registered_at,
    }


class ShiftIn(Schema):
    place: Annotated[str, Field(min_length=1, max_length=200)]
    starts_at: When
    ends_at: When
    capacity: Annotated[int, Field(ge=1, le=10_000)]
    skills: Annotated[list[Code], Field(max_length=20)] = []


class ActivityIn(Schema):
    team: Annotated[int, Field(ge=1, le=2**31 - 1)]
    title: Annotated[str, Field(min_length=1, max_length=120)]
    description: Annotated[str, Field(max_length=4000)] = ""
    area: Code | None = None
    is_group: bool = False
    requires_approval: bool = False
    cancel_hours: Annotated[int, Field(ge=0, le=336)] = 24
    shifts: Annotated[list[ShiftIn], Field(min_length=1, max_length=50)]


class ShiftOut(Schema):
    id: int
    place: str
    starts_at: datetime
    ends_at: datetime
    capacity: int
    taken: int
    free: int
    skills: list[str]


class ActivityOut(Schema):
    id: int
    title: str
    description: str
    team: str
    area: AreaRef
    is_group: bool
    requires_approval: bool
    cancel_hours: int
    starts_at: datetime
    ends_at: datetime
    shifts: list[ShiftOut]


def shift_out(s: Shift) -> dict:
    return {
        "id": s.pk,
        "place": s.place,
        "starts_at": s.starts_at,
        "ends_at": s.ends_at,
        "capacity": s.capacity,
        "taken": s.taken,
        "free": s.free,
        "skills": sorted(k.code for k in s.required_skills.all()),
    }


def activity_out(a: Activity, shifts: list[Shift]) -> dict:
    return {
        "id": a.pk,
        "title": a.title,
        "description": a.description,
        "team": a.team.name,
        "area": {"code": a.area.code, "name": a.area.name},
        "is_group": a.is_group,
        "requires_approval": a.requires_approval,
        "cancel_hours": a.cancel_hours,
        "starts_at": a.starts_at,
        "ends_at": a.ends_at,
        "shifts": [shift_out(s) for s in shifts],
    }


class SignupIn(Schema):
    waitlist: bool = False


class SignupOut(Schema):
    id: int
    shift: int
    status: str
    status_label: str


def signup_out(s: Signup) -> dict:
    from .choices import SignupStatus

    return {
        "id": s.pk,
        "shift": s.shift_id,
        "status": s.status,
        "status_label": str(SignupStatus(s.status).label),
    }


class CheckinIn(Schema):
    token: Annotated[str, Field(min_length=1, max_length=100)]


class CheckinOut(Schema):
    action: str
    shift: int
    record: int | None = None
    minutes: int | None = None


class ConfirmIn(Schema):
    minutes: Annotated[int, Field(ge=1, le=1440)] | None = None
    note: Annotated[str, Field(max_length=300)] = ""


class HoursOut(Schema):
    id: int
    status: str
    minutes: int


class FiguresRow(Schema):
    code: str
    name: str
    population: int | None
    volunteers: int
    volunteers_per_10k: float | None
    target_per_10k: int
    stations: int
    hours: float
    active_volunteers: int


class FiguresOut(Schema):
    area: FiguresRow
    children: list[FiguresRow]
    targets: dict
