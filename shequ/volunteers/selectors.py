"""Reads of volunteer service, always scoped (STYLE.md §2): out of scope looks exactly like missing.

Public: published activities (future ones in lists), teams, stations, a certificate by its code. The volunteer's
own: his record, sign-ups and hours. Organisers: the activities of the teams they manage, or of the areas of their
volunteers.manage grants. Also what the time bank (above) asks: `volunteers_matching` for help requests.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Count, Prefetch, Q, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from shequ.access.scoping import scope_for, visible_to
from shequ.accounts.roles import Action
from shequ.core.errors import NotFound
from shequ.geo.choices import AreaLevel
from shequ.geo.models import Area

from .choices import (
    ACTIVE_DAYS,
    TARGET_STATIONS,
    TARGET_VOLUNTEERS_PER_10K,
    ActivityStatus,
    HoursStatus,
    SignupStatus,
    VolunteerStatus,
    slot_bit,
    slot_of,
)
from .models import (
    Activity,
    Certificate,
    HoursRecord,
    RecordEntry,
    Shift,
    Signup,
    StarLevel,
    Station,
    Team,
    TeamManager,
    TeamMember,
    Volunteer,
)

# --- the volunteer's own -------------------------------------------------------------------------------------------


def volunteer_for(user) -> Volunteer | None:
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    return (
        Volunteer.objects.filter(user=user)
        .select_related("area")
        .prefetch_related("skills", "service_areas")
        .first()
    )


def my_signups(volunteer: Volunteer) -> QuerySet[Signup]:
    return (
        Signup.objects.filter(volunteer=volunteer)
        .select_related("shift__activity__team")
        .order_by("-shift__starts_at", "-id")
    )


def my_signup_get(*, user, pk: int) -> Signup:
    signup = (
        Signup.objects.filter(pk=pk, volunteer__user=user)
        .select_related("shift__activity", "volunteer")
        .first()
    )
    if signup is None:
        raise NotFound(_("No sign-up with this id."))
    return signup


def my_hours(volunteer: Volunteer) -> QuerySet[HoursRecord]:
    return HoursRecord.objects.filter(volunteer=volunteer).select_related("activity", "shift", "team")


def my_recorded_minutes(volunteer: Volunteer) -> dict[int, int]:
    """Per shift, the minutes recorded for the volunteer that are not rejected (what a 补录 must stay within)."""
    rows = (
        HoursRecord.objects.filter(volunteer=volunteer)
        .exclude(status=HoursStatus.REJECTED)
        .values("shift_id")
        .annotate(total=Sum("minutes"))
    )
    return {r["shift_id"]: r["total"] for r in rows}


def my_record_get(*, user, pk: int) -> HoursRecord:
    record = HoursRecord.objects.filter(pk=pk, user=user).select_related("activity", "shift").first()
    if record is None:
        raise NotFound(_("No service record with this id."))
    return record


def stars_for(volunteer: Volunteer, *, now: datetime | None = None) -> int:
    """The star level (星级) from confirmed hours over each level's window (志愿深圳: two years)."""
    now = now or timezone.now()
    levels = list(StarLevel.objects.order_by("stars"))
    if not levels:
        return 0
    # One sum per distinct window, all in one query (the levels usually share one window).
    totals = HoursRecord.objects.filter(volunteer=volunteer, status=HoursStatus.CONFIRMED).aggregate(
        **{
            f"days_{days}": Sum("minutes", filter=Q(started_at__gte=now - timedelta(days=days)))
            for days in {level.window_days for level in levels}
        }
    )
    stars = 0
    for level in levels:
        if (totals[f"days_{level.window_days}"] or 0) >= level.min_hours * 60:
            stars = level.stars
    return stars


def teams_with_my_hours(volunteer: Volunteer) -> list[dict]:
    """Per team, the confirmed hours: what a certificate of that team would say."""
    rows = (
        HoursRecord.objects.filter(volunteer=volunteer, status=HoursStatus.CONFIRMED, team__isnull=False)
        .values("team_id", "team__name")
        .annotate(minutes=Sum("minutes"), records=Count("id"))
        .order_by("team__name")
    )
    return [
        {
            "team_id": r["team_id"],
            "team": r["team__name"],
            "hours": round(r["minutes"] / 60, 1),
            "records": r["records"],
        }
        for r in rows
    ]


# --- public --------------------------------------------------------------------------------------------------------


def activity_list_public(*, area: str | None = None, now: datetime | None = None) -> QuerySet[Activity]:
    """Published activities that are not over, soonest first."""
    now = now or timezone.now()
    qs = Activity.objects.filter(status=ActivityStatus.PUBLISHED, ends_at__gt=now)
    if area:
        path = Area.objects.filter(code=area).values_list("path", flat=True).first()
        if path is None:
            raise NotFound(_("No area has this code."), fields={"area": area})
        qs = qs.filter(area__path__prefix=path)
    return qs.select_related("team", "area").order_by("starts_at", "id")


def activity_get_public(*, pk: int) -> Activity:
    activity = (
        Activity.objects.filter(pk=pk, status=ActivityStatus.PUBLISHED)
        .select_related("team", "area", "station")
        .first()
    )
    if activity is None:
        raise NotFound(_("No activity with this id."))
    return activity


def shifts_of(activity: Activity) -> list[Shift]:
    return list(activity.shifts.prefetch_related("required_skills").order_by("starts_at", "id"))


def with_shifts(activities: QuerySet[Activity]) -> QuerySet[Activity]:
    """The activities with their shifts and the shifts' skills in two more queries, whatever their number (a list
    that shows shifts reads `activity.shifts.all()`, never `shifts_of` per row)."""
    shifts = Shift.objects.prefetch_related("required_skills").order_by("starts_at", "id")
    return activities.prefetch_related(Prefetch("shifts", queryset=shifts))


def shift_get_public(*, activity_id: int, pk: int) -> Shift:
    shift = (
        Shift.objects.filter(pk=pk, activity_id=activity_id, activity__status=ActivityStatus.PUBLISHED)
        # The sign-up needs the activity's own columns; the area's sixty (bench/volunteers/RESULTS.md) it does not.
        .select_related("activity")
        .first()
    )
    if shift is None:
        raise NotFound(_("No shift with this id."))
    return shift


def team_get_public(*, pk: int) -> Team:
    team = Team.objects.filter(pk=pk, is_active=True).select_related("area").first()
    if team is None:
        raise NotFound(_("No team with this id."))
    return team


def team_member_count(team: Team) -> int:
    return TeamMember.objects.filter(team=team, left_at__isnull=True).count()


def my_membership(volunteer: Volunteer | None, team: Team) -> TeamMember | None:
    if volunteer is None:
        return None
    return TeamMember.objects.filter(team=team, volunteer=volunteer, left_at__isnull=True).first()


def team_people(team: Team, *, limit: int = 500) -> list[Volunteer]:
    """The team's people an organiser records training and awards for: its members, and volunteers who held a
    place on its activities."""
    ids = set(
        TeamMember.objects.filter(team=team, left_at__isnull=True).values_list("volunteer_id", flat=True)
    ) | set(
        Signup.objects.filter(shift__activity__team=team, status=SignupStatus.CONFIRMED).values_list(
            "volunteer_id", flat=True
        )
    )
    return list(Volunteer.objects.filter(pk__in=ids).order_by("name", "id")[:limit])


def team_entries(team: Team, *, people: list[Volunteer], limit: int = 50) -> list[RecordEntry]:
    """What the team recorded for its people (an entry carries the team's name as its issuer)."""
    return list(
        RecordEntry.objects.filter(issuer=team.name, volunteer__in=people).select_related("volunteer")[:limit]
    )


def station_get_public(*, pk: int) -> Station:
    station = Station.objects.filter(pk=pk).select_related("area", "team", "facility").first()
    if station is None:
        raise NotFound(_("No station with this id."))
    return station


def certificate_by_code(code: str) -> Certificate:
    certificate = (
        Certificate.objects.filter(code=(code or "").strip().upper())
        .select_related("volunteer", "team__area")
        .first()
    )
    if certificate is None:
        raise NotFound(_("No certificate has this verification code."))
    return certificate


# --- organisers ------------------------------------------------------------------------------------------------------


def _organiser_condition(user) -> Q:
    condition = Q(pk__in=[])
    if user is None or not getattr(user, "is_authenticated", False):
        return condition
    condition |= Q(team_id__in=TeamManager.objects.filter(user=user).values("team_id"))
    for path in scope_for(user, Action.VOLUNTEERS_MANAGE).paths:
        condition |= Q(area__path__prefix=path)
    return condition


def is_organiser(user) -> bool:
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    return (
        TeamManager.objects.filter(user=user).exists() or not scope_for(user, Action.VOLUNTEERS_MANAGE).empty
    )


def teams_organised_by(user) -> QuerySet[Team]:
    condition = Q(pk__in=TeamManager.objects.filter(user=user).values("team_id"))
    for path in scope_for(user, Action.VOLUNTEERS_MANAGE).paths:
        condition |= Q(area__path__prefix=path)
    return Team.objects.filter(condition, is_active=True).select_related("area").order_by("name")


def team_get_for_organiser(*, user, pk: int) -> Team:
    team = teams_organised_by(user).filter(pk=pk).first()
    if team is None:
        raise NotFound(_("No team with this id."))
    return team


def activity_list_for_organiser(*, user) -> QuerySet[Activity]:
    return (
        Activity.objects.filter(_organiser_condition(user))
        .select_related("team", "area")
        .order_by("-starts_at")
    )


def activity_get_for_organiser(*, user, pk: int) -> Activity:
    activity = activity_list_for_organiser(user=user).filter(pk=pk).first()
    if activity is None:
        raise NotFound(_("No activity with this id."))
    return activity


def shift_get_for_organiser(*, user, pk: int) -> Shift:
    shift = (
        Shift.objects.filter(pk=pk, activity__in=activity_list_for_organiser(user=user))
        .select_related("activity__team", "activity__area")
        .first()
    )
    if shift is None:
        raise NotFound(_("No shift with this id."))
    return shift


def signup_get_for_organiser(*, user, pk: int) -> Signup:
    signup = (
        Signup.objects.filter(pk=pk, shift__activity__in=activity_list_for_organiser(user=user))
        .select_related("shift__activity__area", "shift__activity__team", "volunteer__user")
        .first()
    )
    if signup is None:
        raise NotFound(_("No sign-up with this id."))
    return signup


def record_get_for_organiser(*, user, pk: int) -> HoursRecord:
    record = (
        HoursRecord.objects.filter(pk=pk, activity__in=activity_list_for_organiser(user=user))
        .select_related("activity__area", "activity__team", "shift", "volunteer")
        .first()
    )
    if record is None:
        raise NotFound(_("No service record with this id."))
    return record


def records_waiting_for(*, user) -> QuerySet[HoursRecord]:
    """Hours waiting for this organiser: pending, disputed and 补录, not his own."""
    return (
        HoursRecord.objects.filter(
            activity__in=activity_list_for_organiser(user=user),
            status__in=(HoursStatus.PENDING, HoursStatus.DISPUTED),
        )
        .exclude(user=user)
        .select_related("activity", "shift", "volunteer")
        .order_by("started_at", "id")
    )


def roster_of(shift: Shift) -> list[Signup]:
    return list(
        shift.signups.exclude(status=SignupStatus.CANCELLED)
        .select_related("volunteer")
        .prefetch_related("attendances")
        .order_by("created_at", "id")
    )


# --- staff (console) -------------------------------------------------------------------------------------------------


def volunteer_list_for(*, user, area: str | None = None) -> QuerySet[Volunteer]:
    qs = visible_to(Volunteer.objects.all(), user, Action.VOLUNTEERS_MANAGE)
    # visible_to lets the owner see his own row: the staff list shows only the area's.
    qs = qs.filter(Q(pk__in=[]) | _paths_q(user, "area__path"))
    if area:
        path = Area.objects.filter(code=area).values_list("path", flat=True).first()
        if path is None:
            raise NotFound(_("No area has this code."), fields={"area": area})
        qs = qs.filter(area__path__prefix=path)
    return qs.select_related("area").prefetch_related("skills").order_by("id")


def _paths_q(user, field: str) -> Q:
    condition = Q(pk__in=[])
    for path in scope_for(user, Action.VOLUNTEERS_MANAGE).paths:
        condition |= Q(**{f"{field}__prefix": path})
    return condition


def team_list_for(*, user) -> QuerySet[Team]:
    return (
        Team.objects.filter(_paths_q(user, "area__path"))
        .select_related("area")
        .order_by("area__path", "name")
    )


def station_list_for(*, user) -> QuerySet[Station]:
    return (
        Station.objects.filter(_paths_q(user, "area__path"))
        .select_related("area", "team")
        .order_by("area__path", "name")
    )


# --- matching (the time bank's help requests) ----------------------------------------------------------------------


def volunteers_matching(skills, area, when: datetime | None, *, limit: int = 20) -> list[Volunteer]:
    """Volunteers who could help: every skill in `skills` (codes), serving `area` (an Area or its code: a service
    area that is the area or one of its ancestors), free at `when` (their availability's part of that day), not
    suspended, adults; those with the most confirmed hours first."""
    if isinstance(area, str):
        area = Area.objects.filter(code=area).first()
        if area is None:
            return []
    qs = Volunteer.objects.exclude(status=VolunteerStatus.SUSPENDED)
    if area is not None:
        qs = qs.filter(service_areas__code__in=[*area.ancestor_codes, area.code])
    for code in set(skills or ()):
        qs = qs.filter(skills__code=code)
    if when is not None:
        local = timezone.localtime(when)
        part = slot_of(local.hour)
        if part is None:
            return []
        bit = slot_bit(local.weekday(), part)
        qs = qs.annotate(_free=_bitand("availability", bit)).filter(_free__gt=0)
    adult_born_before = timezone.localdate().replace(year=timezone.localdate().year - 18)
    qs = qs.filter(birth_date__lte=adult_born_before)
    ids = list(qs.values_list("pk", flat=True).distinct()[: limit * 5])
    return list(
        Volunteer.objects.filter(pk__in=ids)
        .select_related("user", "area")
        .order_by("-confirmed_minutes", "id")[:limit]
    )


def _bitand(field: str, bit: int):
    from django.db.models import F

    return F(field).bitand(bit)


# --- figures per area (the plan's targets beside them) -------------------------------------------------------------

CHILD_LEVEL: dict[str, str] = {
    AreaLevel.CITY: AreaLevel.DISTRICT,
    AreaLevel.DISTRICT: AreaLevel.STREET,
    AreaLevel.STREET: AreaLevel.COMMUNITY,
}


@dataclass
class AreaFigures:
    code: str
    name: str
    population: int | None
    volunteers: int
    per_10k: float | None
    stations: int
    hours: float
    active: int
    target_per_10k: int = TARGET_VOLUNTEERS_PER_10K

    def as_dict(self) -> dict:
        return {
            "code": self.code,
            "name": self.name,
            "population": self.population,
            "volunteers": self.volunteers,
            "volunteers_per_10k": self.per_10k,
            "target_per_10k": self.target_per_10k,
            "stations": self.stations,
            "hours": self.hours,
            "active_volunteers": self.active,
        }


def _per_path(rows, key: str) -> dict[str, int]:
    return {r[key]: r["n"] or 0 for r in rows}


def _figures(area: Area, counts: dict[str, dict[str, int]]) -> AreaFigures:
    """The figures of `area` from the per-path counts under the parent: the sum over the paths under its own."""

    def under(name: str) -> int:
        return sum(n for path, n in counts[name].items() if path.startswith(area.path))

    volunteers, minutes = under("volunteers"), under("minutes")
    population = area.population
    per_10k = round(volunteers * 10_000 / population, 1) if population else None
    return AreaFigures(
        area.code,
        area.name,
        population,
        volunteers,
        per_10k,
        under("stations"),
        round(minutes / 60, 1),
        under("active"),
    )


def figures_for(area: Area, *, now: datetime | None = None) -> dict:
    """The area's figures and its children's (districts of the city, streets of a district …), with targets."""
    now = now or timezone.now()
    since = now - timedelta(days=ACTIVE_DAYS)
    child = CHILD_LEVEL.get(area.level)
    children = list(Area.objects.filter(parent=area, level=child).order_by("code")) if child else []
    # Four grouped queries under the area, one row per place that has any (a community, a grid …); the area's
    # and each child's figures are sums over the paths under theirs. A volunteer lives in one place, so the
    # distinct active volunteers of the places add up.
    prefix = area.path
    counts = {
        "volunteers": _per_path(
            Volunteer.objects.filter(area__path__prefix=prefix)
            .exclude(status=VolunteerStatus.SUSPENDED)
            .values("area__path")
            .annotate(n=Count("id"))
            .order_by(),
            "area__path",
        ),
        "stations": _per_path(
            Station.objects.filter(area__path__prefix=prefix)
            .values("area__path")
            .annotate(n=Count("id"))
            .order_by(),
            "area__path",
        ),
        "minutes": _per_path(
            HoursRecord.objects.filter(status=HoursStatus.CONFIRMED, activity__area__path__prefix=prefix)
            .values("activity__area__path")
            .annotate(n=Sum("minutes"))
            .order_by(),
            "activity__area__path",
        ),
        "active": _per_path(
            HoursRecord.objects.filter(
                status=HoursStatus.CONFIRMED, started_at__gte=since, volunteer__area__path__prefix=prefix
            )
            .values("volunteer__area__path")
            .annotate(n=Count("volunteer_id", distinct=True))
            .order_by(),
            "volunteer__area__path",
        ),
    }
    return {
        "area": _figures(area, counts).as_dict(),
        "children": [_figures(c, counts).as_dict() for c in children],
        "targets": {"volunteers_per_10k": TARGET_VOLUNTEERS_PER_10K, "stations_city": TARGET_STATIONS},
        "area_is_city": area.level == AreaLevel.CITY,
    }
