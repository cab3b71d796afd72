"""Writes of volunteer service: each one transaction with its audit entry inside, messages in the same transaction
(the inbox row commits with the change it reports) and text messages after COMMIT (STYLE.md §1, §3).

Taking a place on a shift is the database's decision (DESIGN.md §2): a conditional UPDATE `taken < capacity`
that answers whether it took one, backed by the CHECK `taken <= capacity`; never count-then-insert.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, F, Max, Min, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from shequ.access.scoping import can_at
from shequ.accounts.models import User
from shequ.accounts.roles import Action
from shequ.audit.services import audit_record, diff_changes
from shequ.core.crypto import hash_lookup
from shequ.core.errors import ShequError
from shequ.core.idnumbers import id_number_birth_date, id_number_gender, validate_id_number, validate_phone
from shequ.core.masking import mask_name
from shequ.facilities.services import FacilityData, facility_create, facility_types_ensure
from shequ.geo.choices import AreaLevel
from shequ.geo.models import Area
from shequ.messages.services import message_send

from . import qr
from .choices import (
    ADULT_AGE,
    ALL_SLOTS,
    LIVE_SIGNUPS,
    MAX_PAIRS_PER_DAY,
    ActivityStatus,
    CheckMethod,
    HoursKind,
    HoursStatus,
    RecordKind,
    SignupStatus,
    TeamKind,
    VolunteerStatus,
)
from .hooks import run_hours_confirmed_hooks
from .models import (
    Activity,
    Attendance,
    Certificate,
    HoursRecord,
    RecordEntry,
    Shift,
    Signup,
    Skill,
    Station,
    Team,
    TeamManager,
    TeamMember,
    Volunteer,
)

# A shift's code opens check-in this long before it starts; check-out is accepted until this long after it ends.
CHECK_IN_EARLY = timedelta(minutes=30)
CHECK_OUT_LATE = timedelta(hours=2)
# Where a volunteer registers: his community (or below); a street where the city pack lists no communities.
VOLUNTEER_AREA_LEVELS = (
    AreaLevel.STREET,
    AreaLevel.COMMUNITY,
    AreaLevel.GRID,
    AreaLevel.ESTATE,
    AreaLevel.BUILDING,
)


def _fail(message: str, *, code: str, status: int = 400, **fields) -> ShequError:
    return ShequError(message, code=code, status=status, fields=fields)


def age_on(birth: date, day: date) -> int:
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def is_minor(volunteer: Volunteer, *, on: date | None = None) -> bool:
    return age_on(volunteer.birth_date, on or timezone.localdate()) < ADULT_AGE


# --- who may organise ----------------------------------------------------------------------------------------------


def manages_team(user, team_id: int | None) -> bool:
    if team_id is None or user is None or not getattr(user, "is_authenticated", False):
        return False
    return TeamManager.objects.filter(team_id=team_id, user=user).exists()


def may_organise(user, activity_or_team: Activity | Team) -> bool:
    """A manager of the team, or staff whose volunteers.manage grants cover the area."""
    team_id = activity_or_team.pk if isinstance(activity_or_team, Team) else activity_or_team.team_id
    if manages_team(user, team_id):
        return True
    return user is not None and can_at(user, Action.VOLUNTEERS_MANAGE, activity_or_team.area.path)


def _require_organiser(actor, thing: Activity | Team) -> None:
    if actor is not None and not may_organise(actor, thing):
        audit_record(action="volunteers.refused", actor=actor, object_repr=f"organise @ {thing.area.code}")
        raise PermissionDenied(_("You do not organise this team's activities."))


def _require_manage(actor, area: Area) -> None:
    if actor is not None and not can_at(actor, Action.VOLUNTEERS_MANAGE, area.path):
        audit_record(action="volunteers.refused", actor=actor, object_repr=f"manage @ {area.code}")
        raise PermissionDenied(_("You may not manage volunteer service here."))


# --- volunteers ----------------------------------------------------------------------------------------------------


@dataclass
class RegistrationData:
    name: str
    id_number: str
    phone: str
    area: str  # the community's code
    emergency_name: str
    emergency_phone: str
    skills: list[str] = field(default_factory=list)
    service_areas: list[str] = field(default_factory=list)
    availability: int = 0
    guardian_name: str = ""
    guardian_phone: str = ""
    guardian_consent: bool = False


def _clean_registration(data: RegistrationData) -> dict:
    """Validate every field, and answer with all the bad ones at once."""
    errors: dict[str, str] = {}
    out: dict = {}
    name = (data.name or "").strip()
    if not name or len(name) > 50:
        errors["name"] = _("A real name of 1 to 50 characters is required.")
    out["name"] = name
    try:
        out["id_number"] = validate_id_number(data.id_number or "")
    except ValidationError as exc:
        errors["id_number"] = " ".join(exc.messages)
    for key in ("phone", "emergency_phone"):
        try:
            out[key] = validate_phone(getattr(data, key) or "")
        except ValidationError as exc:
            errors[key] = " ".join(exc.messages)
    emergency = (data.emergency_name or "").strip()
    if not emergency or len(emergency) > 50:
        errors["emergency_name"] = _("Name an emergency contact.")
    out["emergency_name"] = emergency
    area = Area.objects.filter(code=(data.area or "").strip()).first()
    if area is None or area.level not in VOLUNTEER_AREA_LEVELS:
        errors["area"] = _("Choose your community.")
    out["area"] = area
    skills = list(Skill.objects.filter(code__in=data.skills))
    unknown = sorted(set(data.skills) - {s.code for s in skills})
    if unknown:
        errors["skills"] = _("Unknown skills: %(skills)s.") % {"skills": "、".join(unknown)}
    out["skills"] = skills
    service_areas = list(Area.objects.filter(code__in=data.service_areas))
    if len(service_areas) != len(set(data.service_areas)):
        errors["service_areas"] = _("Some service areas do not exist.")
    out["service_areas"] = service_areas
    if not 0 <= int(data.availability) <= ALL_SLOTS:
        errors["availability"] = _("Choose when you are available.")
    out["availability"] = int(data.availability)
    if "id_number" in out:
        birth = id_number_birth_date(out["id_number"])
        out["birth_date"], out["gender"] = birth, id_number_gender(out["id_number"])
        if age_on(birth, timezone.localdate()) < ADULT_AGE:
            # Under 18: a guardian's name, phone and consent (《志愿服务条例》 Art. 16).
            guardian = (data.guardian_name or "").strip()
            if not guardian:
                errors["guardian_name"] = _("A volunteer under 18 needs a guardian's name.")
            try:
                out["guardian_phone"] = validate_phone(data.guardian_phone or "")
            except ValidationError:
                errors["guardian_phone"] = _("A volunteer under 18 needs a guardian's phone.")
            if not data.guardian_consent:
                errors["guardian_consent"] = _("A volunteer under 18 needs the guardian's consent.")
            out["guardian_name"] = guardian
            out["guardian_consent_at"] = timezone.now()
    if errors:
        raise ShequError(_("Some fields are not valid."), code="invalid", fields=errors)
    return out


def volunteer_register(*, actor: User, data: RegistrationData, synthetic: bool = False) -> Volunteer:
    """A resident registers himself as a volunteer (预备志愿者): real name, ID number (encrypted), skills, areas,
    availability, an emergency contact; under 18 with a guardian's consent."""
    if Volunteer.objects.filter(user=actor).exists():
        raise _fail(_("You are registered as a volunteer already."), code="already_registered", status=409)
    fields = _clean_registration(data)
    if Volunteer.objects.filter(**hash_lookup(Volunteer, "id_number", fields["id_number"])).exists():
        raise _fail(
            _("A volunteer with this ID number is registered already."),
            code="duplicate",
            status=409,
            id_number="duplicate",
        )
    skills, service_areas = fields.pop("skills"), fields.pop("service_areas")
    with transaction.atomic():
        try:
            with transaction.atomic():
                volunteer = Volunteer.objects.create(user=actor, synthetic=synthetic, **fields)
        except IntegrityError:  # a concurrent registration of the same account or ID number
            raise _fail(
                _("A volunteer with this ID number is registered already."), code="duplicate", status=409
            ) from None
        volunteer.skills.set(skills)
        volunteer.service_areas.set(service_areas or [fields["area"]])
        audit_record(
            action="volunteer.register",
            actor=actor,
            obj=volunteer,
            object_repr=mask_name(volunteer.name),
            changes=diff_changes(
                {},
                {
                    "name": volunteer.name,
                    "id_number": fields["id_number"],
                    "phone": fields["phone"],
                    "area": fields["area"].code,
                    "skills": sorted(s.code for s in skills),
                    "minor": "guardian_consent_at" in fields,
                },
                personal={"name": "name", "id_number": "id_number", "phone": "phone"},
            ),
        )
        message_send(
            person=actor,
            kind="volunteers.registered",
            title=_("You are registered as a volunteer"),
            body=_("Your volunteer number is %(number)s. Sign up for an activity to begin.")
            % {"number": volunteer.number},
            link="/volunteers/",
        )
    return volunteer


def _make_formal(volunteer: Volunteer) -> bool:
    """预备 → 正式 after training or the first confirmed hours; once. The caller audits it (after its row locks)."""
    changed = Volunteer.objects.filter(pk=volunteer.pk, status=VolunteerStatus.PREPARATORY).update(
        status=VolunteerStatus.FORMAL, formal_at=timezone.now()
    )
    if changed:
        volunteer.status = VolunteerStatus.FORMAL
    return bool(changed)


def _audit_formal(volunteer: Volunteer, *, actor, why: str) -> None:
    audit_record(
        action="volunteer.formal",
        actor=actor,
        actor_username="" if actor else "system",
        obj=volunteer,
        object_repr=mask_name(volunteer.name),
        changes={"status": {"before": VolunteerStatus.PREPARATORY, "after": VolunteerStatus.FORMAL}},
        purpose=why,
    )


def record_entry_add(
    *,
    actor,
    volunteer: Volunteer,
    kind: str,
    title: str,
    on: date,
    team: Team,
    detail: str = "",
    minutes: int = 0,
    rating: int | None = None,
) -> RecordEntry:
    """Training, an award or an evaluation, recorded by an organiser of the team (MCA order 67 Art. 6)."""
    _require_organiser(actor, team)
    if kind not in RecordKind.values:
        raise _fail(_("Unknown kind of record."), code="invalid", kind=kind)
    if not (title or "").strip():
        raise _fail(_("Give a title."), code="invalid", title="required")
    if rating is not None and not 1 <= rating <= 5:
        raise _fail(_("A rating is 1 to 5."), code="invalid", rating=rating)
    with transaction.atomic():
        entry = RecordEntry.objects.create(
            volunteer=volunteer,
            kind=kind,
            title=title.strip()[:120],
            detail=detail.strip()[:300],
            on=on,
            minutes=max(0, minutes),
            rating=rating,
            issuer=team.name,
            recorded_by=actor,
        )
        formal = kind == RecordKind.TRAINING and _make_formal(volunteer)
        audit_record(
            action=f"volunteer.{kind}",
            actor=actor,
            obj=volunteer,
            object_repr=mask_name(volunteer.name),
            changes={"title": {"after": entry.title}, "team": {"after": team.name}},
        )
        if formal:
            _audit_formal(volunteer, actor=actor, why="training")
    return entry


# --- teams and stations --------------------------------------------------------------------------------------------


def team_create(
    *,
    actor,
    name: str,
    area: Area,
    kind: str = TeamKind.COMMUNITY,
    description: str = "",
    managers: Iterable[User] = (),
    synthetic: bool = False,
) -> Team:
    _require_manage(actor, area)
    name = (name or "").strip()
    if not name or len(name) > 100:
        raise _fail(_("Give the team a name of 1 to 100 characters."), code="invalid", name="required")
    if kind not in TeamKind.values:
        raise _fail(_("Unknown kind of team."), code="invalid", kind=kind)
    with transaction.atomic():
        try:
            with transaction.atomic():
                team = Team.objects.create(
                    name=name, area=area, kind=kind, description=description.strip(), synthetic=synthetic
                )
        except IntegrityError:
            raise _fail(_("A team of this name exists in this area."), code="duplicate", status=409) from None
        for user in managers:
            TeamManager.objects.create(team=team, user=user)
        audit_record(
            action="volunteer_team.create",
            actor=actor,
            actor_username="" if actor else "system",
            obj=team,
            object_repr=team.name,
            changes={
                "area": {"after": area.code},
                "managers": {"after": sorted(u.username for u in managers)},
            },
        )
    return team


def team_manager_add(*, actor, team: Team, user: User) -> TeamManager:
    _require_manage(actor, team.area)
    with transaction.atomic():
        manager, created = TeamManager.objects.get_or_create(team=team, user=user)
        if created:
            audit_record(
                action="volunteer_team.manager_add",
                actor=actor,
                obj=team,
                object_repr=team.name,
                changes={"manager": {"after": user.username}},
            )
    return manager


def team_member_join(*, actor: User, team: Team, now: datetime | None = None) -> TeamMember:
    """A registered volunteer joins a team from its page (队员). Joining twice is refused with 409."""
    now = now or timezone.now()
    volunteer = volunteer_of(actor)
    if not team.is_active:
        raise _fail(_("This team takes no new members."), code="team_inactive", status=409)
    if volunteer.status == VolunteerStatus.SUSPENDED:
        raise _fail(_("Your volunteer registration is suspended."), code="suspended", status=403)
    with transaction.atomic():
        try:
            with transaction.atomic():
                member = TeamMember.objects.create(team=team, volunteer=volunteer, joined_at=now)
        except (
            IntegrityError
        ):  # the partial unique constraint: a live membership exists (or a concurrent join)
            raise _fail(
                _("You are a member of this team already."), code="already_member", status=409
            ) from None
        audit_record(
            action="volunteer_team.join",
            actor=actor,
            obj=team,
            object_repr=f"{mask_name(volunteer.name)} → {team.name}",
            changes={"member": {"after": volunteer.number}},
        )
        message_send(
            person=actor,
            kind="volunteers.team_joined",
            title=team.name,
            body=_("You joined %(team)s.") % {"team": team.name},
            link=f"/volunteers/teams/{team.pk}/",
        )
    return member


def team_member_leave(*, actor: User, team: Team, now: datetime | None = None) -> TeamMember:
    """The volunteer leaves a team; the row stays with the day he left (his record keeps the membership)."""
    now = now or timezone.now()
    volunteer = volunteer_of(actor)
    with transaction.atomic():
        member = (
            TeamMember.objects.select_for_update(of=("self",))
            .filter(team=team, volunteer=volunteer, left_at__isnull=True)
            .first()
        )
        if member is None:
            raise _fail(_("You are not a member of this team."), code="not_member", status=409)
        TeamMember.objects.filter(pk=member.pk).update(left_at=now)
        member.left_at = now
        audit_record(
            action="volunteer_team.leave",
            actor=actor,
            obj=team,
            object_repr=f"{mask_name(volunteer.name)} ← {team.name}",
            changes={"member": {"before": volunteer.number, "after": None}},
        )
    return member


def station_create(
    *,
    actor,
    name: str,
    area: Area,
    lat: float,
    lng: float,
    team: Team | None = None,
    address: str = "",
    phone: str = "",
    synthetic: bool = False,
) -> Station:
    """A volunteer station: a facility of the registry (type 志愿服务站, public on 附近服务) run by a team."""
    _require_manage(actor, area)
    facility_types_ensure()
    with transaction.atomic():
        facility = facility_create(
            actor=actor,
            data=FacilityData(
                name=name,
                type="volunteer",
                area=area.code,
                lat=lat,
                lng=lng,
                address=address,
                phone=phone,
                services=["志愿者注册", "志愿服务"],
                synthetic=synthetic,
                source="volunteers",
            ),
        )
        station = Station.objects.create(
            facility=facility, team=team, area=area, name=facility.name, synthetic=synthetic
        )
        audit_record(
            action="volunteer_station.create",
            actor=actor,
            actor_username="" if actor else "system",
            obj=station,
            object_repr=station.name,
            changes={"area": {"after": area.code}, "team": {"after": team.name if team else None}},
        )
    return station


# --- activities ----------------------------------------------------------------------------------------------------


@dataclass
class ShiftData:
    place: str
    starts_at: datetime
    ends_at: datetime
    capacity: int
    skills: list[str] = field(default_factory=list)


def activity_create(
    *,
    actor,
    team: Team,
    title: str,
    shifts: list[ShiftData],
    description: str = "",
    area: Area | None = None,
    station: Station | None = None,
    is_group: bool = False,
    requires_approval: bool = False,
    cancel_hours: int = 24,
    synthetic: bool = False,
    now: datetime | None = None,
) -> Activity:
    """Publish an activity with its shifts. Only for the future: every shift starts after now."""
    area = area or team.area
    _require_organiser(actor, team)
    if actor is not None and not manages_team(actor, team.pk):
        _require_manage(actor, area)
    now = now or timezone.now()
    errors: dict[str, str] = {}
    title = (title or "").strip()
    if not title or len(title) > 120:
        errors["title"] = _("Give a title of 1 to 120 characters.")
    if not 0 <= cancel_hours <= 24 * 14:
        errors["cancel_hours"] = _("The cancellation deadline is 0 to 336 hours before a shift.")
    if not shifts:
        errors["shifts"] = _("An activity needs at least one shift.")
    skills = {s.code: s for s in Skill.objects.all()}
    for i, s in enumerate(shifts):
        if timezone.is_naive(s.starts_at) or timezone.is_naive(s.ends_at):
            errors[f"shifts.{i}"] = _("Give times with their time zone.")
        elif s.starts_at <= now:
            errors[f"shifts.{i}.starts_at"] = _("A shift must start in the future.")
        elif s.ends_at <= s.starts_at:
            errors[f"shifts.{i}.ends_at"] = _("A shift must end after it starts.")
        elif s.ends_at - s.starts_at > timedelta(hours=24):
            errors[f"shifts.{i}.ends_at"] = _("A shift lasts at most 24 hours.")
        if not 1 <= s.capacity <= 10_000:
            errors[f"shifts.{i}.capacity"] = _("A shift has 1 to 10,000 places.")
        if not (s.place or "").strip():
            errors[f"shifts.{i}.place"] = _("Say where the shift takes place.")
        unknown = sorted(set(s.skills) - set(skills))
        if unknown:
            errors[f"shifts.{i}.skills"] = _("Unknown skills: %(skills)s.") % {"skills": "、".join(unknown)}
    if errors:
        raise ShequError(_("The activity is not valid."), code="invalid", fields=errors)
    with transaction.atomic():
        activity = Activity.objects.create(
            title=title,
            description=description.strip(),
            team=team,
            area=area,
            station=station,
            is_group=is_group,
            requires_approval=requires_approval,
            cancel_hours=cancel_hours,
            created_by=actor,
            starts_at=min(s.starts_at for s in shifts),
            ends_at=max(s.ends_at for s in shifts),
            synthetic=synthetic,
        )
        for s in shifts:
            shift = Shift.objects.create(
                activity=activity,
                place=s.place.strip()[:200],
                starts_at=s.starts_at,
                ends_at=s.ends_at,
                capacity=s.capacity,
                qr_key=secrets.token_hex(16),
            )
            shift.required_skills.set([skills[c] for c in s.skills])
        audit_record(
            action="volunteer_activity.publish",
            actor=actor,
            actor_username="" if actor else "system",
            obj=activity,
            object_repr=activity.title,
            changes={
                "team": {"after": team.name},
                "area": {"after": area.code},
                "shifts": {"after": len(shifts)},
                "places": {"after": sum(s.capacity for s in shifts)},
            },
        )
    return activity


def activity_cancel(*, actor, activity: Activity, reason: str, now: datetime | None = None) -> Activity:
    """The organiser cancels an activity before its first shift begins: every live sign-up is cancelled, the places
    are freed, and each volunteer who had signed up is told (message centre, and a text message to those holding a
    place). The shifts' rows are locked first, so that a sign-up racing the cancellation either lands before it
    (and is cancelled with the rest) or sees the activity cancelled and is refused."""
    now = now or timezone.now()
    _require_organiser(actor, activity)
    reason = (reason or "").strip()
    if len(reason) < 2:
        raise _fail(_("Say why the activity is cancelled."), code="invalid", reason="required")
    with transaction.atomic():
        list(
            Shift.objects.select_for_update().filter(activity_id=activity.pk).order_by("pk").values_list("pk")
        )
        activity = (
            Activity.objects.select_for_update(of=("self",))
            .select_related("team", "area")
            .get(pk=activity.pk)
        )
        if activity.status != ActivityStatus.PUBLISHED:
            raise _fail(_("This activity is cancelled already."), code="not_published", status=409)
        if Shift.objects.filter(activity=activity, starts_at__lte=now).exists():
            raise _fail(
                _("An activity can be cancelled only before its first shift begins."),
                code="already_begun",
                status=409,
            )
        live = list(
            Signup.objects.filter(shift__activity=activity, status__in=LIVE_SIGNUPS)
            .select_related("volunteer__user", "shift")
            .order_by("id")
        )
        Signup.objects.filter(pk__in=[s.pk for s in live]).update(
            status=SignupStatus.CANCELLED, decided_at=now
        )
        Shift.objects.filter(activity=activity).update(taken=0)
        Activity.objects.filter(pk=activity.pk).update(
            status=ActivityStatus.CANCELLED, cancelled_at=now, cancel_reason=reason[:300]
        )
        activity.status, activity.cancelled_at, activity.cancel_reason = (
            ActivityStatus.CANCELLED,
            now,
            reason[:300],
        )
        audit_record(
            action="volunteer_activity.cancel",
            actor=actor,
            actor_username="" if actor else "system",
            obj=activity,
            object_repr=activity.title,
            changes={
                "status": {"before": ActivityStatus.PUBLISHED, "after": ActivityStatus.CANCELLED},
                "signups_cancelled": {"after": len(live)},
            },
            purpose=reason[:300],
        )
        for signup in live:
            when = timezone.localtime(signup.shift.starts_at)
            body = _("%(title)s (%(when)s) is cancelled: %(reason)s. Your sign-up is cancelled with it.") % {
                "title": activity.title,
                "when": f"{when:%m-%d %H:%M}",
                "reason": reason[:300],
            }
            message_send(
                person=signup.volunteer.user,
                kind="volunteers.activity_cancelled",
                title=activity.title,
                body=body,
                link="/volunteers/",
                sms_body=body if signup.status == SignupStatus.CONFIRMED else "",
            )
    return activity


# --- sign-ups ------------------------------------------------------------------------------------------------------


def volunteer_of(user) -> Volunteer:
    volunteer = Volunteer.objects.filter(user=user).first() if user and user.is_authenticated else None
    if volunteer is None:
        raise _fail(_("Register as a volunteer first."), code="not_registered", status=403)
    return volunteer


def _take_place(shift_id: int, *, now: datetime) -> bool:
    """One place on the shift if one is free and the shift has not begun: the database answers, atomically."""
    return bool(
        Shift.objects.filter(pk=shift_id, taken__lt=F("capacity"), starts_at__gt=now).update(
            taken=F("taken") + 1
        )
    )


def _notify_signup(signup: Signup, shift: Shift, status: str) -> None:
    activity = shift.activity
    when = timezone.localtime(shift.starts_at)
    texts: dict[str, str] = {
        SignupStatus.CONFIRMED: _("Your place is confirmed: %(title)s, %(when)s, %(place)s."),
        SignupStatus.PENDING: _("Your sign-up for %(title)s (%(when)s) waits for the organiser's approval."),
        SignupStatus.WAITLISTED: _("You are on the waiting list of %(title)s (%(when)s)."),
        SignupStatus.REFUSED: _("Your sign-up for %(title)s (%(when)s) was not accepted."),
    }
    body = texts[status] % {"title": activity.title, "when": f"{when:%m-%d %H:%M}", "place": shift.place}
    message_send(
        person=signup.volunteer.user,
        kind=f"volunteers.signup_{status}",
        title=activity.title,
        body=body,
        link=f"/volunteers/activities/{activity.pk}/",
        sms_body=body if status == SignupStatus.CONFIRMED else "",
    )


def signup_create(
    *, actor: User, shift: Shift, waitlist: bool = False, now: datetime | None = None
) -> Signup:
    """Sign up for a shift: confirmed at once while a place is free (or awaiting approval if the activity says so);
    when it is full, on the waiting list if asked, else refused with 409 and nothing written."""
    now = now or timezone.now()
    volunteer = volunteer_of(actor)
    activity = shift.activity
    if activity.status != ActivityStatus.PUBLISHED:
        raise _fail(_("This activity is not open for sign-up."), code="not_open", status=409)
    if shift.starts_at <= now:
        raise _fail(_("This shift has already begun."), code="past_shift", status=409)
    if volunteer.status == VolunteerStatus.SUSPENDED:
        raise _fail(_("Your volunteer registration is suspended."), code="suspended", status=403)
    if is_minor(volunteer, on=timezone.localdate(shift.starts_at)) and not activity.is_group:
        raise _fail(_("Volunteers under 18 join group activities only."), code="minor_group_only", status=403)
    required = set(shift.required_skills.values_list("pk", flat=True))
    if required and required - set(volunteer.skills.values_list("pk", flat=True)):
        names = "、".join(
            Skill.objects.filter(pk__in=required).exclude(volunteers=volunteer).values_list("name", flat=True)
        )
        raise _fail(
            _("This shift needs skills you have not registered: %(skills)s.") % {"skills": names},
            code="skills_missing",
            status=403,
        )
    with transaction.atomic():
        if activity.requires_approval:
            status = SignupStatus.PENDING
        elif _take_place(shift.pk, now=now):
            status = SignupStatus.CONFIRMED
        elif waitlist:
            status = SignupStatus.WAITLISTED
        else:
            raise _fail(
                _("This shift is full. You may join its waiting list."), code="shift_full", status=409
            )
        if status != SignupStatus.CONFIRMED:
            # Taking a place locked the shift's row; the other paths lock it here. Either way a cancellation
            # (activity_cancel locks the shifts first) is serialised with this sign-up.
            Shift.objects.select_for_update().filter(pk=shift.pk).values_list("pk").first()
        if not Activity.objects.filter(pk=activity.pk, status=ActivityStatus.PUBLISHED).exists():
            raise _fail(_("This activity is not open for sign-up."), code="not_open", status=409)
        try:
            with transaction.atomic():
                signup = Signup.objects.create(
                    shift=shift, volunteer=volunteer, status=status, created_at=now
                )
        except IntegrityError:
            # The place taken above rolls back with this transaction.
            raise _fail(
                _("You have signed up for this shift already."), code="already_signed_up", status=409
            ) from None
        audit_record(
            action="volunteer_signup.create",
            actor=actor,
            obj=signup,
            object_repr=f"{mask_name(volunteer.name)} @ {activity.title}",
            changes={"status": {"after": status}, "shift": {"after": shift.pk}},
        )
        _notify_signup(signup, shift, status)
    return signup


def _promote_take(shift: Shift, *, now: datetime) -> Signup | None:
    """A place freed: the first on the waiting list takes it (if the shift has not begun)."""
    signup = (
        Signup.objects.select_for_update(of=("self",))
        .filter(shift=shift, status=SignupStatus.WAITLISTED)
        .select_related("volunteer__user")
        .order_by("created_at", "id")
        .first()
    )
    if signup is None or not _take_place(shift.pk, now=now):
        return None
    Signup.objects.filter(pk=signup.pk).update(status=SignupStatus.CONFIRMED, decided_at=now)
    signup.status = SignupStatus.CONFIRMED
    return signup


def _promote_tell(signup: Signup, shift: Shift, *, actor) -> None:
    audit_record(
        action="volunteer_signup.promote",
        actor=actor,
        obj=signup,
        object_repr=f"{mask_name(signup.volunteer.name)} @ {shift.activity.title}",
        changes={"status": {"before": SignupStatus.WAITLISTED, "after": SignupStatus.CONFIRMED}},
    )
    _notify_signup(signup, shift, SignupStatus.CONFIRMED)


def signup_cancel(*, actor: User, signup: Signup, now: datetime | None = None) -> Signup:
    """The volunteer cancels his sign-up before the activity's deadline; a confirmed place goes to the first on
    the waiting list, in the same transaction."""
    now = now or timezone.now()
    with transaction.atomic():
        signup = (
            Signup.objects.select_for_update(of=("self",))
            .select_related("shift__activity", "volunteer")
            .get(pk=signup.pk)
        )
        if signup.volunteer.user_id != actor.pk:
            raise PermissionDenied(_("This is not your sign-up."))
        if signup.status not in LIVE_SIGNUPS:
            raise _fail(_("This sign-up is not active."), code="not_active", status=409)
        shift = signup.shift
        deadline = shift.starts_at - timedelta(hours=shift.activity.cancel_hours)
        if now > deadline:
            raise _fail(
                _("Sign-ups can be cancelled only until %(deadline)s; tell the organiser instead.")
                % {"deadline": f"{timezone.localtime(deadline):%m-%d %H:%M}"},
                code="cancel_deadline",
                status=409,
            )
        before = signup.status
        Signup.objects.filter(pk=signup.pk).update(status=SignupStatus.CANCELLED, decided_at=now)
        signup.status = SignupStatus.CANCELLED
        promoted = None
        if before == SignupStatus.CONFIRMED:
            Shift.objects.filter(pk=shift.pk).update(taken=F("taken") - 1)
            # Row locks before the audit's chain lock (audit_record's lock order).
            promoted = _promote_take(shift, now=now)
        audit_record(
            action="volunteer_signup.cancel",
            actor=actor,
            obj=signup,
            object_repr=f"{mask_name(signup.volunteer.name)} @ {shift.activity.title}",
            changes={"status": {"before": before, "after": SignupStatus.CANCELLED}},
        )
        if promoted is not None:
            _promote_tell(promoted, shift, actor=actor)
    return signup


def signup_decide(*, actor: User, signup: Signup, approve: bool, now: datetime | None = None) -> Signup:
    """The organiser approves (a place if one is free, else the waiting list) or refuses a sign-up awaiting
    approval."""
    now = now or timezone.now()
    activity = signup.shift.activity
    _require_organiser(actor, activity)
    with transaction.atomic():
        signup = (
            Signup.objects.select_for_update(of=("self",))
            .select_related("shift__activity", "volunteer__user")
            .get(pk=signup.pk)
        )
        if signup.status != SignupStatus.PENDING:
            raise _fail(_("This sign-up is not awaiting approval."), code="not_pending", status=409)
        if not approve:
            status = SignupStatus.REFUSED
        elif _take_place(signup.shift_id, now=now):
            status = SignupStatus.CONFIRMED
        else:
            status = SignupStatus.WAITLISTED
        Signup.objects.filter(pk=signup.pk).update(status=status, decided_at=now, decided_by=actor)
        signup.status = status
        audit_record(
            action="volunteer_signup.decide",
            actor=actor,
            obj=signup,
            object_repr=f"{mask_name(signup.volunteer.name)} @ {activity.title}",
            changes={"status": {"before": SignupStatus.PENDING, "after": status}},
        )
        _notify_signup(signup, signup.shift, status)
    return signup


def shift_send_reminders(*, now: datetime | None = None, ahead: timedelta = timedelta(hours=24)) -> int:
    """Remind every confirmed volunteer of a shift starting within `ahead`, once (the beat task's work)."""
    now = now or timezone.now()
    sent = 0
    due = (
        Signup.objects.filter(
            status=SignupStatus.CONFIRMED,
            reminded_at__isnull=True,
            shift__starts_at__gt=now,
            shift__starts_at__lte=now + ahead,
        )
        .select_related("shift__activity", "volunteer__user")
        .order_by("id")
    )
    for signup in due[:1000]:
        with transaction.atomic():
            if not Signup.objects.filter(pk=signup.pk, reminded_at__isnull=True).update(reminded_at=now):
                continue  # another run reminded him
            shift = signup.shift
            when = timezone.localtime(shift.starts_at)
            body = _("Reminder: %(title)s at %(when)s, %(place)s. Check in by scanning the code there.") % {
                "title": shift.activity.title,
                "when": f"{when:%m-%d %H:%M}",
                "place": shift.place,
            }
            message_send(
                person=signup.volunteer.user,
                kind="volunteers.reminder",
                title=shift.activity.title,
                body=body,
                link=f"/volunteers/activities/{shift.activity_id}/",
                sms_body=body,
            )
            sent += 1
    return sent


# --- check-in, check-out and hours -----------------------------------------------------------------------------------


def _recorded_minutes(volunteer_id: int, shift_id: int) -> int:
    return (
        HoursRecord.objects.filter(volunteer_id=volunteer_id, shift_id=shift_id)
        .exclude(status=HoursStatus.REJECTED)
        .aggregate(total=Sum("minutes"))["total"]
        or 0
    )


def _overlap_minutes(shift: Shift, start: datetime, end: datetime) -> int:
    lo, hi = max(start, shift.starts_at), min(end, shift.ends_at)
    return max(0, int((hi - lo).total_seconds() // 60))


def _new_record(
    *,
    signup: Signup,
    attendance: Attendance | None,
    start: datetime,
    end: datetime,
    minutes: int,
    kind: str,
    actor,
    reason: str = "",
) -> HoursRecord:
    shift = signup.shift
    activity = shift.activity
    return HoursRecord.objects.create(
        volunteer=signup.volunteer,
        user=signup.volunteer.user,
        activity=activity,
        shift=shift,
        attendance=attendance,
        team=activity.team,
        is_group=activity.is_group,
        kind=kind,
        minutes=minutes,
        started_at=start,
        ended_at=end,
        status=HoursStatus.PENDING,
        reason=reason,
        requested_by=actor,
    )


def _pairs_today(volunteer_id: int, activity_id: int, day: date) -> int:
    return Attendance.objects.filter(volunteer_id=volunteer_id, activity_id=activity_id, day=day).count()


@dataclass
class ScanResult:
    action: str  # "in" or "out"
    attendance: Attendance
    record: HoursRecord | None


def attendance_scan(*, actor: User, token: str, now: datetime | None = None) -> ScanResult:
    """The volunteer's phone opened the shift's code: check in, or check out of the open pair (the minutes inside
    the shift become a pending service record). Refused, with nothing written, for a forged, expired or another
    shift's code, outside the shift's time, without a confirmed place, or past 3 pairs a day."""
    now = now or timezone.now()
    volunteer = volunteer_of(actor)
    try:
        shift_id = qr.token_shift_id(token)
        shift = Shift.objects.select_related("activity__team").filter(pk=shift_id).first()
        if shift is None:
            raise qr.TokenError("invalid")
        qr.token_verify(token, shift, at=now)
    except qr.TokenError as exc:
        if exc.reason == "expired":
            raise _fail(
                _("This code has expired. Scan the code on the organiser's screen again."), code="qr_expired"
            ) from None
        raise _fail(_("This is not a valid check-in code."), code="qr_invalid") from None
    with transaction.atomic():
        # Lock the sign-up: two scans of one person at once must not both check in (or exceed the daily pairs).
        signup = (
            Signup.objects.select_for_update(of=("self",))
            .select_related("shift__activity__team", "volunteer__user")
            .filter(shift=shift, volunteer=volunteer, status=SignupStatus.CONFIRMED)
            .first()
        )
        if signup is None:
            raise _fail(
                _("You have no confirmed place on this shift: this code is for another shift."),
                code="not_signed_up",
                status=403,
            )
        open_pair = Attendance.objects.filter(signup=signup, checked_out_at__isnull=True).first()
        if open_pair is None:
            if not shift.starts_at - CHECK_IN_EARLY <= now <= shift.ends_at:
                raise _fail(
                    _("Check-in opens 30 minutes before the shift and closes at its end."),
                    code="outside_shift",
                )
            day = timezone.localdate(now)
            if _pairs_today(volunteer.pk, shift.activity_id, day) >= MAX_PAIRS_PER_DAY:
                raise _fail(_("At most 3 check-ins a day per activity."), code="too_many_pairs", status=409)
            attendance = Attendance.objects.create(
                signup=signup,
                volunteer=volunteer,
                shift=shift,
                activity=shift.activity,
                day=day,
                checked_in_at=now,
                method_in=CheckMethod.QR,
                recorded_by=actor,
            )
            audit_record(
                action="volunteer_attendance.check_in",
                actor=actor,
                obj=attendance,
                object_repr=f"{mask_name(volunteer.name)} @ {shift.activity.title}",
                changes={"method": {"after": CheckMethod.QR}},
            )
            return ScanResult("in", attendance, None)
        if now > shift.ends_at + CHECK_OUT_LATE:
            raise _fail(
                _("Check-out closed two hours after the shift; ask the organiser to record your time."),
                code="outside_shift",
            )
        Attendance.objects.filter(pk=open_pair.pk).update(checked_out_at=now, method_out=CheckMethod.QR)
        open_pair.checked_out_at, open_pair.method_out = now, CheckMethod.QR
        minutes = _overlap_minutes(shift, open_pair.checked_in_at, now)
        record = None
        if minutes >= 1:
            record = _new_record(
                signup=signup,
                attendance=open_pair,
                start=max(open_pair.checked_in_at, shift.starts_at),
                end=min(now, shift.ends_at),
                minutes=minutes,
                kind=HoursKind.ATTENDANCE,
                actor=actor,
            )
        audit_record(
            action="volunteer_attendance.check_out",
            actor=actor,
            obj=open_pair,
            object_repr=f"{mask_name(volunteer.name)} @ {shift.activity.title}",
            changes={"minutes": {"after": minutes}},
        )
        return ScanResult("out", open_pair, record)


def _check_times(signup: Signup, start: datetime, end: datetime, *, now: datetime) -> int:
    """Minutes of a recorded pair or 补录: inside the shift, over, and not beyond what the shift had left."""
    shift = signup.shift
    if timezone.is_naive(start) or timezone.is_naive(end) or end <= start:
        raise _fail(_("The end must come after the start."), code="invalid", ended_at="before start")
    if start < shift.starts_at or end > shift.ends_at:
        raise _fail(
            _("The hours lie beyond the shift (%(shift)s).") % {"shift": str(shift)},
            code="beyond_shift",
            started_at="outside",
        )
    if end > now:
        raise _fail(_("Hours can be recorded only once they are over."), code="in_future", ended_at="future")
    minutes = int((end - start).total_seconds() // 60)
    if minutes < 1:
        raise _fail(_("Record at least one minute."), code="invalid", ended_at="too short")
    if _recorded_minutes(signup.volunteer_id, shift.pk) + minutes > shift.minutes:
        raise _fail(
            _("With the hours already recorded this is more than the shift lasted."), code="beyond_shift"
        )
    return minutes


def attendance_roster(
    *, actor: User, signup: Signup, started_at: datetime, ended_at: datetime, now: datetime | None = None
) -> HoursRecord:
    """The organiser records a volunteer's check-in and check-out from the roster (a phone without a camera, a
    group checked in together): a closed pair and a pending record, counted in the 3 pairs a day."""
    now = now or timezone.now()
    activity = signup.shift.activity
    _require_organiser(actor, activity)
    with transaction.atomic():
        signup = (
            Signup.objects.select_for_update(of=("self",))
            .select_related("shift__activity__team", "volunteer__user")
            .get(pk=signup.pk)
        )
        if signup.status != SignupStatus.CONFIRMED:
            raise _fail(_("Only a confirmed volunteer can be checked in."), code="not_confirmed", status=409)
        minutes = _check_times(signup, started_at, ended_at, now=now)
        day = timezone.localdate(started_at)
        if _pairs_today(signup.volunteer_id, activity.pk, day) >= MAX_PAIRS_PER_DAY:
            raise _fail(_("At most 3 check-ins a day per activity."), code="too_many_pairs", status=409)
        if Attendance.objects.filter(signup=signup, checked_out_at__isnull=True).exists():
            raise _fail(
                _("The volunteer is checked in now; check him out first."), code="open_pair", status=409
            )
        attendance = Attendance.objects.create(
            signup=signup,
            volunteer=signup.volunteer,
            shift=signup.shift,
            activity=activity,
            day=day,
            checked_in_at=started_at,
            checked_out_at=ended_at,
            method_in=CheckMethod.ROSTER,
            method_out=CheckMethod.ROSTER,
            recorded_by=actor,
        )
        record = _new_record(
            signup=signup,
            attendance=attendance,
            start=started_at,
            end=ended_at,
            minutes=minutes,
            kind=HoursKind.ATTENDANCE,
            actor=actor,
        )
        audit_record(
            action="volunteer_attendance.roster",
            actor=actor,
            obj=record,
            object_repr=f"{mask_name(signup.volunteer.name)} @ {activity.title}",
            changes={"minutes": {"after": minutes}},
        )
    return record


def makeup_request(
    *,
    actor: User,
    signup: Signup,
    started_at: datetime,
    ended_at: datetime,
    reason: str,
    now: datetime | None = None,
) -> HoursRecord:
    """补录: past hours the volunteer did not check in for, with a reason; pending until someone else approves."""
    now = now or timezone.now()
    if signup.volunteer.user_id != actor.pk:
        raise PermissionDenied(_("This is not your sign-up."))
    reason = (reason or "").strip()
    if len(reason) < 4:
        raise _fail(
            _("Give the reason for recording afterwards (at least 4 characters)."),
            code="invalid",
            reason="required",
        )
    with transaction.atomic():
        signup = (
            Signup.objects.select_for_update(of=("self",))
            .select_related("shift__activity__team", "volunteer__user")
            .get(pk=signup.pk)
        )
        if signup.status != SignupStatus.CONFIRMED:
            raise _fail(
                _("Only hours of a confirmed place can be recorded."), code="not_confirmed", status=409
            )
        minutes = _check_times(signup, started_at, ended_at, now=now)
        record = _new_record(
            signup=signup,
            attendance=None,
            start=started_at,
            end=ended_at,
            minutes=minutes,
            kind=HoursKind.MAKEUP,
            actor=actor,
            reason=reason[:300],
        )
        audit_record(
            action="volunteer_hours.makeup_request",
            actor=actor,
            obj=record,
            object_repr=f"{mask_name(signup.volunteer.name)} @ {signup.shift.activity.title}",
            changes={"minutes": {"after": minutes}, "reason": {"after": reason[:300]}},
        )
    return record


def _locked_record(record: HoursRecord) -> HoursRecord:
    return (
        HoursRecord.objects.select_for_update(of=("self",))
        .select_related("activity__area", "activity__team", "volunteer__user", "shift", "team")
        .get(pk=record.pk)
    )


def hours_confirm(
    *,
    actor: User | None,
    record: HoursRecord,
    minutes: int | None = None,
    note: str = "",
    now: datetime | None = None,
) -> HoursRecord:
    """The organiser confirms a pending, disputed (or 补录) record: from now on it counts. Nobody confirms his own.
    The volunteer's and team's totals move and the hours-confirmed hooks run (the time bank) in this transaction."""
    now = now or timezone.now()
    _require_organiser(actor, record.activity)
    if actor is not None and actor.pk == record.user_id:
        raise PermissionDenied(_("Nobody confirms his own hours."))
    with transaction.atomic():
        record = _locked_record(record)
        if record.status not in (HoursStatus.PENDING, HoursStatus.DISPUTED):
            raise _fail(_("These hours are not waiting for confirmation."), code="not_pending", status=409)
        before = record.minutes
        if minutes is None:
            minutes = (
                record.claimed_minutes
                if record.status == HoursStatus.DISPUTED and record.claimed_minutes
                else record.minutes
            )
        others = _recorded_minutes(record.volunteer_id, record.shift_id) - record.minutes
        if not 1 <= minutes <= record.shift.minutes or others + minutes > record.shift.minutes:
            raise _fail(
                _("The hours lie beyond the shift (%(shift)s).") % {"shift": str(record.shift)},
                code="beyond_shift",
                minutes=minutes,
            )
        previous = record.status
        record.status, record.minutes = HoursStatus.CONFIRMED, minutes
        record.confirmed_by, record.confirmed_at, record.decision_note = actor, now, note.strip()[:300]
        record.save(update_fields=["status", "minutes", "confirmed_by", "confirmed_at", "decision_note"])
        Volunteer.objects.filter(pk=record.volunteer_id).update(
            confirmed_minutes=F("confirmed_minutes") + minutes
        )
        if record.team_id:
            Team.objects.filter(pk=record.team_id).update(confirmed_minutes=F("confirmed_minutes") + minutes)
        formal = _make_formal(record.volunteer)
        # The time bank's earning (and any other hook) writes with the hours, before the audit's chain lock.
        run_hours_confirmed_hooks(record)
        audit_record(
            action="volunteer_hours.makeup_approve"
            if record.kind == HoursKind.MAKEUP
            else "volunteer_hours.confirm",
            actor=actor,
            actor_username="" if actor else "system",
            obj=record,
            object_repr=f"{mask_name(record.volunteer.name)} @ {record.activity.title}",
            changes={
                "status": {"before": previous, "after": HoursStatus.CONFIRMED},
                **({"minutes": {"before": before, "after": minutes}} if minutes != before else {}),
            },
        )
        if formal:
            _audit_formal(record.volunteer, actor=actor, why="first confirmed hours")
        message_send(
            person=record.user,
            kind="volunteers.hours_confirmed",
            title=_("Your hours are confirmed"),
            body=_("%(hours)s hours at %(title)s now count.")
            % {"hours": record.hours, "title": record.activity.title},
            link="/volunteers/me/hours/",
        )
    return record


def hours_reject(*, actor: User, record: HoursRecord, note: str) -> HoursRecord:
    _require_organiser(actor, record.activity)
    note = (note or "").strip()
    if len(note) < 2:
        raise _fail(_("Say why the hours are not confirmed."), code="invalid", note="required")
    with transaction.atomic():
        record = _locked_record(record)
        if record.status not in (HoursStatus.PENDING, HoursStatus.DISPUTED):
            raise _fail(_("These hours are not waiting for confirmation."), code="not_pending", status=409)
        previous = record.status
        HoursRecord.objects.filter(pk=record.pk).update(status=HoursStatus.REJECTED, decision_note=note[:300])
        record.status, record.decision_note = HoursStatus.REJECTED, note[:300]
        audit_record(
            action="volunteer_hours.reject",
            actor=actor,
            obj=record,
            object_repr=f"{mask_name(record.volunteer.name)} @ {record.activity.title}",
            changes={"status": {"before": previous, "after": HoursStatus.REJECTED}},
            purpose=note[:300],
        )
        message_send(
            person=record.user,
            kind="volunteers.hours_rejected",
            title=_("Your hours were not confirmed"),
            body=_("%(title)s: %(note)s. You may dispute this on your hours page.")
            % {"title": record.activity.title, "note": note[:300]},
            link="/volunteers/me/hours/",
        )
    return record


def hours_dispute(*, actor: User, record: HoursRecord, reason: str, minutes: int) -> HoursRecord:
    """The volunteer disputes a pending or rejected record, saying how many minutes he served; the organiser then
    confirms or rejects it again."""
    if record.user_id != actor.pk:
        raise PermissionDenied(_("These are not your hours."))
    reason = (reason or "").strip()
    if len(reason) < 4:
        raise _fail(_("Say what is wrong (at least 4 characters)."), code="invalid", reason="required")
    with transaction.atomic():
        record = _locked_record(record)
        if record.status not in (HoursStatus.PENDING, HoursStatus.REJECTED):
            raise _fail(
                _("Only pending or unconfirmed hours can be disputed."), code="not_disputable", status=409
            )
        if not 1 <= minutes <= record.shift.minutes:
            raise _fail(
                _("The hours lie beyond the shift (%(shift)s).") % {"shift": str(record.shift)},
                code="beyond_shift",
                minutes=minutes,
            )
        previous = record.status
        HoursRecord.objects.filter(pk=record.pk).update(
            status=HoursStatus.DISPUTED, dispute_reason=reason[:300], claimed_minutes=minutes
        )
        record.status, record.dispute_reason, record.claimed_minutes = (
            HoursStatus.DISPUTED,
            reason[:300],
            minutes,
        )
        audit_record(
            action="volunteer_hours.dispute",
            actor=actor,
            obj=record,
            object_repr=f"{mask_name(record.volunteer.name)} @ {record.activity.title}",
            changes={
                "status": {"before": previous, "after": HoursStatus.DISPUTED},
                "claimed": {"after": minutes},
            },
        )
    return record


# --- certificates --------------------------------------------------------------------------------------------------


def certificate_issue(*, actor: User, team: Team, now: datetime | None = None) -> Certificate:
    """志愿服务证明 of the volunteer's confirmed hours with one team, in that team's name (谁记录谁证明谁负责)."""
    now = now or timezone.now()
    volunteer = volunteer_of(actor)
    totals = HoursRecord.objects.filter(
        volunteer=volunteer, team=team, status=HoursStatus.CONFIRMED
    ).aggregate(minutes=Sum("minutes"), records=Count("id"), first=Min("started_at"), last=Max("started_at"))
    if not totals["minutes"]:
        raise _fail(_("You have no confirmed hours with this team yet."), code="no_hours", status=409)
    with transaction.atomic():
        for _attempt in range(5):
            code = "".join(secrets.choice("ABCDEFGHJKLMNPQRSTUVWXYZ23456789") for _i in range(12))
            try:
                with transaction.atomic():
                    certificate = Certificate.objects.create(
                        code=code,
                        volunteer=volunteer,
                        team=team,
                        minutes=totals["minutes"],
                        records=totals["records"],
                        first_day=timezone.localdate(totals["first"]),
                        last_day=timezone.localdate(totals["last"]),
                        issued_at=now,
                        issued_by=actor,
                    )
                break
            except IntegrityError:
                continue
        else:  # pragma: no cover - 32**12 codes
            raise _fail(_("Try again."), code="retry", status=503)
        audit_record(
            action="volunteer_certificate.issue",
            actor=actor,
            obj=certificate,
            object_repr=f"{mask_name(volunteer.name)} · {team.name}",
            changes={"minutes": {"after": certificate.minutes}, "code": {"after": code}},
        )
    return certificate
