"""/api/v1/volunteers and /api/v1/volunteer-activities: register, my record, publish an activity with its shifts,
sign up (201, or 409 when full), check in by the shift's code, confirm hours, the figures per area. Every POST that
creates something honours Idempotency-Key (shequ.core.idempotency, as the appeals' intake)."""

from __future__ import annotations

from typing import cast

from django.http import HttpRequest, JsonResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema

from shequ.access.api import PROTECTED
from shequ.accounts.models import User
from shequ.core.api.errors import CREATE, PROTECTED_READ, PROTECTED_WRITE, errors
from shequ.core.api.types import Id
from shequ.core.errors import NotFound, ShequError
from shequ.core.idempotency import once_response
from shequ.geo.models import Area

from . import selectors, services
from .choices import availability_from_keys
from .schemas import (
    ActivityIn,
    ActivityOut,
    CheckinIn,
    CheckinOut,
    ConfirmIn,
    FiguresOut,
    HoursOut,
    SignupIn,
    SignupOut,
    VolunteerIn,
    VolunteerOut,
    activity_out,
    signup_out,
    volunteer_out,
)

router = Router(tags=["volunteers"])


def _once(request: HttpRequest, work) -> JsonResponse:
    return once_response(request, work)


def _me(user: User) -> dict:
    volunteer = selectors.volunteer_for(user)
    if volunteer is None:
        raise NotFound(_("You are not registered as a volunteer."))
    return volunteer_out(volunteer, stars=selectors.stars_for(volunteer))


@router.post(
    "/volunteers",
    response={201: VolunteerOut, **errors(401, 403, *CREATE)},
    auth=PROTECTED,
    summary="Register as a volunteer (the signed-in resident)",
)
def register(request: HttpRequest, payload: VolunteerIn):
    user = cast(User, request.user)

    def work() -> tuple[int, dict]:
        try:
            availability = availability_from_keys(payload.availability)
        except ValueError as exc:
            raise ShequError(
                _("Choose when you are available."), code="invalid", fields={"availability": str(exc)}
            ) from None
        data = services.RegistrationData(**payload.dict(exclude={"availability"}), availability=availability)
        services.volunteer_register(actor=user, data=data)
        return 201, VolunteerOut.model_validate(_me(user)).model_dump(mode="json")

    return _once(request, work)


@router.get(
    "/volunteers/me",
    response={200: VolunteerOut, **errors(*PROTECTED_READ)},
    auth=PROTECTED,
    summary="My volunteer record",
)
def me(request: HttpRequest):
    return _me(cast(User, request.user))


class FiguresQuery(Schema):
    area: str | None = None


@router.get(
    "/volunteers/figures",
    response={200: FiguresOut, **errors(404)},
    summary="Volunteers per 10,000 residents, stations, hours and active volunteers per area, with the targets",
)
def figures(request: HttpRequest, query: Query[FiguresQuery]):
    if query.area:
        area = Area.objects.filter(code=query.area[:32]).first()
        if area is None:
            raise NotFound(_("No area has this code."), fields={"area": query.area[:32]})
    else:
        area = Area.objects.get(level="city")
    return selectors.figures_for(area)


@router.post(
    "/volunteer-activities",
    response={201: ActivityOut, **errors(*PROTECTED_WRITE, *CREATE)},
    auth=PROTECTED,
    summary="Publish an activity with its shifts (an organiser of the team)",
)
def create_activity(request: HttpRequest, payload: ActivityIn):
    user = cast(User, request.user)

    def work() -> tuple[int, dict]:
        team = selectors.team_get_for_organiser(user=user, pk=payload.team)
        area = None
        if payload.area:
            area = Area.objects.filter(code=payload.area).first()
            if area is None:
                raise ShequError(_("No area has this code."), code="invalid", fields={"area": payload.area})
        activity = services.activity_create(
            actor=user,
            team=team,
            title=payload.title,
            description=payload.description,
            area=area,
            is_group=payload.is_group,
            requires_approval=payload.requires_approval,
            cancel_hours=payload.cancel_hours,
            shifts=[
                services.ShiftData(
                    place=s.place,
                    starts_at=s.starts_at,
                    ends_at=s.ends_at,
                    capacity=s.capacity,
                    skills=s.skills,
                )
                for s in payload.shifts
            ],
        )
        body = ActivityOut.model_validate(activity_out(activity, selectors.shifts_of(activity)))
        return 201, body.model_dump(mode="json")

    return _once(request, work)


@router.get(
    "/volunteer-activities/upcoming",
    response={200: list[ActivityOut], **errors(404)},
    summary="Published activities that are not over (public)",
)
def list_activities(request: HttpRequest, query: Query[FiguresQuery]):
    rows = selectors.activity_list_public(area=query.area[:32] if query.area else None)[:100]
    return [activity_out(a, list(a.shifts.all())) for a in selectors.with_shifts(rows)]


@router.post(
    "/volunteer-activities/{activity_id}/shifts/{shift_id}/signups",
    response={201: SignupOut, **errors(*PROTECTED_WRITE, *CREATE)},
    auth=PROTECTED,
    summary="Sign up for a shift: 201 (confirmed, awaiting approval or waitlisted), 409 when full",
)
def sign_up(request: HttpRequest, activity_id: Id, shift_id: Id, payload: SignupIn):
    user = cast(User, request.user)

    def work() -> tuple[int, dict]:
        shift = selectors.shift_get_public(activity_id=activity_id, pk=shift_id)
        signup = services.signup_create(actor=user, shift=shift, waitlist=payload.waitlist)
        return 201, signup_out(signup)

    return _once(request, work)


@router.post(
    "/volunteers/checkins",
    response={201: CheckinOut, **errors(*PROTECTED_WRITE, *CREATE)},
    auth=PROTECTED,
    summary="Check in or out with the token of a shift's QR code",
)
def check_in(request: HttpRequest, payload: CheckinIn):
    user = cast(User, request.user)

    def work() -> tuple[int, dict]:
        result = services.attendance_scan(actor=user, token=payload.token, now=timezone.now())
        return 201, {
            "action": result.action,
            "shift": result.attendance.shift_id,
            "record": result.record.pk if result.record else None,
            "minutes": result.record.minutes if result.record else None,
        }

    return _once(request, work)


@router.post(
    "/volunteer-hours/{record_id}/confirm",
    response={200: HoursOut, **errors(*PROTECTED_WRITE)},
    auth=PROTECTED,
    summary="Confirm a volunteer's hours (an organiser of the activity; never one's own)",
)
def confirm_hours(request: HttpRequest, record_id: Id, payload: ConfirmIn):
    user = cast(User, request.user)
    record = selectors.record_get_for_organiser(user=user, pk=record_id)
    record = services.hours_confirm(actor=user, record=record, minutes=payload.minutes, note=payload.note)
    return {"id": record.pk, "status": record.status, "minutes": record.minutes}
