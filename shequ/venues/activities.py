"""Community events and courses (专栏3: 周周有活动、月月有赛事; 4.1: a community school in every community): publish,
sign up with a waiting list, cancel (the next on the list moves up), attendance by the activity's QR code, reminders
through the message centre a day before each session.

A place is taken by a conditional UPDATE (`taken = taken + 1 WHERE taken < capacity`): the database decides who
gets the last place, whatever the number of simultaneous sign-ups; the row's check constraint keeps `taken` within
`capacity` even against a write that forgot the condition.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.core import signing
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from shequ.access.scoping import can_at, home_area_for
from shequ.accounts.models import User
from shequ.accounts.roles import Action
from shequ.audit.services import audit_record
from shequ.core.errors import NotFound, ShequError
from shequ.geo.models import Area
from shequ.messages.services import message_send

from .models import Activity, ActivityKind, Attendance, Enrolment, EnrolStatus, Session, Venue

ATTEND_OPENS = timedelta(minutes=30)
REMIND_AHEAD = timedelta(hours=24)


def activity_create(
    *,
    actor: User | None,
    title: str,
    area: Area,
    sessions: list[tuple[datetime, datetime]],
    capacity: int,
    kind: str = ActivityKind.EVENT,
    venue: Venue | None = None,
    place: str = "",
    description: str = "",
    organiser: str = "",
    open_to_city: bool = False,
    synthetic: bool = False,
) -> Activity:
    """Publish an event (one session) or a course (its sessions). Staff need venues.manage over the area."""
    if actor is not None and not can_at(actor, Action.VENUES_MANAGE, area.path):
        raise NotFound(_("No area has this code."))
    if not sessions:
        raise ShequError(_("Give at least one session."), code="invalid", fields={"sessions": "empty"})
    if any(b <= a for a, b in sessions):
        raise ShequError(_("The end must be after the start."), code="invalid", fields={"sessions": "order"})
    if capacity < 1:
        raise ShequError(_("Give the number of places."), code="invalid", fields={"capacity": str(capacity)})
    sessions = sorted(sessions)
    with transaction.atomic():
        activity = Activity.objects.create(
            kind=kind,
            title=title[:120],
            description=description,
            area=area,
            venue=venue,
            place=place or (venue.name if venue else ""),
            organiser=organiser,
            capacity=capacity,
            open_to_city=open_to_city,
            first_start=sessions[0][0],
            synthetic=synthetic,
        )
        Session.objects.bulk_create([Session(activity=activity, start=a, end=b) for a, b in sessions])
        audit_record(
            action="activity.create",
            actor=actor,
            actor_username="" if actor else "system",
            obj=activity,
            object_repr=title[:80],
        )
    return activity


def _may_join(activity: Activity, person: User) -> None:
    if activity.open_to_city:
        return
    home = home_area_for(person)
    if home is None or not (
        home.path.startswith(activity.area.path) or activity.area.path.startswith(home.path)
    ):
        raise ShequError(
            _("This activity is for residents of %(area)s.") % {"area": activity.area.name},
            code="not_eligible",
        )


def enrol_open(activity: Activity, now: datetime) -> bool:
    """Sign-up closes once the first session has begun (the service refuses, the page stops offering it)."""
    return activity.first_start > now


def cancel_open(activity: Activity, now: datetime) -> bool:
    """A sign-up to an event may be cancelled until it begins; one to a course at any time."""
    return activity.kind != ActivityKind.EVENT or activity.first_start > now


def enrol(*, actor: User, activity: Activity) -> Enrolment:
    """A place if one is left (confirmed), else the waiting list. Closed once the first session has begun."""
    now = timezone.now()
    if not activity.is_published:
        raise NotFound(_("No activity with this id."))
    if not enrol_open(activity, now):
        raise ShequError(_("Sign-up has closed: the activity has begun."), code="closed", status=409)
    _may_join(activity, actor)
    with transaction.atomic():
        if (
            Enrolment.objects.filter(activity=activity, person=actor)
            .exclude(status=EnrolStatus.CANCELLED)
            .exists()
        ):
            raise ShequError(_("You have already signed up."), code="duplicate", status=409)
        got = Activity.objects.filter(pk=activity.pk, taken__lt=F("capacity")).update(taken=F("taken") + 1)
        status = EnrolStatus.CONFIRMED if got else EnrolStatus.WAITLISTED
        enrolment = Enrolment.objects.create(activity=activity, person=actor, status=status)
        audit_record(
            action="activity.enrol",
            actor=actor,
            obj=enrolment,
            object_repr=f"enrolment {enrolment.pk} of activity {activity.pk}",
            changes={"status": {"after": status}},
        )
    return enrolment


def enrol_cancel(*, actor: User, enrolment: Enrolment) -> Enrolment:
    """The person leaves; a confirmed place goes to the first on the waiting list, who is told."""
    with transaction.atomic():
        enrolment = Enrolment.objects.select_for_update().select_related("activity").get(pk=enrolment.pk)
        if enrolment.person_id != actor.pk:
            raise NotFound(_("No sign-up with this id."))
        if enrolment.status == EnrolStatus.CANCELLED:
            raise ShequError(_("This sign-up is already cancelled."), code="wrong_state", status=409)
        activity = enrolment.activity
        if not cancel_open(activity, timezone.now()):
            raise ShequError(_("The event has begun."), code="closed", status=409)
        was = enrolment.status
        enrolment.status = EnrolStatus.CANCELLED
        enrolment.save(update_fields=["status"])
        audit_record(
            action="activity.cancel",
            actor=actor,
            obj=enrolment,
            object_repr=f"enrolment {enrolment.pk} of activity {activity.pk}",
            changes={"status": {"before": was, "after": enrolment.status}},
        )
        if was == EnrolStatus.CONFIRMED:
            nxt = (
                Enrolment.objects.select_for_update()
                .filter(activity=activity, status=EnrolStatus.WAITLISTED)
                .select_related("person")
                .order_by("created_at", "pk")
                .first()
            )
            if nxt is None:
                Activity.objects.filter(pk=activity.pk).update(taken=F("taken") - 1)
            else:
                nxt.status = EnrolStatus.CONFIRMED  # the place passes on: `taken` stays
                nxt.save(update_fields=["status"])
                message_send(
                    person=nxt.person,
                    kind="activity.moved_up",
                    title=_("A place in %(title)s is yours") % {"title": activity.title},
                    link="/me/activities/",
                )
    return enrolment


_SALT = "shequ.venues.attend"


def attend_token(session: Session) -> str:
    return signing.Signer(salt=_SALT).sign(str(session.pk))


def session_from_token(token: str) -> Session:
    """The session a scanned attendance code names; a forged or stale code is the same 404 as a missing one."""
    try:
        pk = int(signing.Signer(salt=_SALT).unsign(token))
    except (signing.BadSignature, ValueError):
        pk = None
    session = Session.objects.select_related("activity").filter(pk=pk).first() if pk else None
    if session is None:
        raise ShequError(_("This code is not valid."), code="bad_token", status=404)
    return session


def attend(*, actor: User, token: str) -> Attendance:
    """Scan the session's code: signed-up people are counted present from 30 minutes before to the end."""
    session = session_from_token(token)
    now = timezone.now()
    if not session.start - ATTEND_OPENS <= now <= session.end:
        raise ShequError(
            _("Attendance is taken from %(a)s to %(b)s.")
            % {
                "a": timezone.localtime(session.start - ATTEND_OPENS).strftime("%H:%M"),
                "b": timezone.localtime(session.end).strftime("%H:%M"),
            },
            code="attend_window",
            status=409,
        )
    if not Enrolment.objects.filter(
        activity=session.activity, person=actor, status=EnrolStatus.CONFIRMED
    ).exists():
        raise ShequError(_("You are not signed up for this activity."), code="not_enrolled", status=403)
    with transaction.atomic():
        attendance, created = Attendance.objects.get_or_create(
            session=session, person=actor, defaults={"at": now}
        )
        if created:
            audit_record(
                action="activity.attend",
                actor=actor,
                obj=attendance,
                object_repr=f"attendance at session {session.pk}",
            )
    return attendance


def sessions_remind(*, now: datetime | None = None) -> int:
    """A day before each session, everyone signed up is reminded (inbox, and a text message if they want them)."""
    now = now or timezone.now()
    due = list(
        Session.objects.filter(reminded=False, start__gt=now, start__lte=now + REMIND_AHEAD)
        .select_related("activity")
        .order_by("start")[:500]
    )
    sent = 0
    for session in due:
        with transaction.atomic():
            if not Session.objects.filter(pk=session.pk, reminded=False).update(reminded=True):
                continue  # another scan took it
            when = timezone.localtime(session.start).strftime("%m-%d %H:%M")
            activity = session.activity
            for e in Enrolment.objects.filter(activity=activity, status=EnrolStatus.CONFIRMED).select_related(
                "person"
            ):
                message_send(
                    person=e.person,
                    kind="activity.reminder",
                    title=_("Reminder: %(title)s at %(when)s, %(place)s")
                    % {"title": activity.title, "when": when, "place": activity.place},
                    link="/me/activities/",
                    sms_body=_("[Shequ] Reminder: %(title)s at %(when)s, %(place)s.")
                    % {"title": activity.title, "when": when, "place": activity.place},
                )
                sent += 1
    return sent
