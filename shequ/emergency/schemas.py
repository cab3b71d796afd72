"""API schemas of emergency management."""

from __future__ import annotations

from datetime import datetime

from ninja import Schema
from pydantic import Field


class WarningIn(Schema):
    hazard: str = Field(max_length=20, description="typhoon, rainstorm, flood, heat, geological, fire, …")
    level: str = Field(max_length=10, description="blue, yellow, orange or red (蓝/黄/橙/红)")
    areas: list[str] = Field(max_length=200, description="codes of the areas covered (inside your scope)")
    message: str = Field(max_length=2000)


class WarningOut(Schema):
    id: int
    hazard: str
    level: str
    title: str
    message: str
    areas: list[str]
    status: str
    published_at: datetime


class AckOut(Schema):
    warning: int
    acknowledged_at: datetime


class ShelterOut(Schema):
    id: int
    name: str
    area: str
    address: str
    lat: float
    lng: float
    capacity: int
    occupied: int
    free: int
    is_open: bool


class ShelterQuery(Schema):
    area: str | None = Field(None, max_length=32)


def warning_out(warning) -> dict:
    return {
        "id": warning.pk,
        "hazard": warning.hazard,
        "level": warning.level,
        "title": warning.title,
        "message": warning.message,
        "areas": [a.code for a in warning.areas.all()],
        "status": warning.status,
        "published_at": warning.published_at,
    }


def shelter_out(s) -> dict:
    return {
        "id": s.pk,
        "name": s.name,
        "area": s.area.code,
        "address": s.address,
        "lat": s.lat,
        "lng": s.lng,
        "capacity": s.capacity,
        "occupied": s.occupied,
        "free": s.capacity - s.occupied,
        "is_open": s.is_open,
    }
