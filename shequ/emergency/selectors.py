"""Reads of emergency management, always scoped (STYLE.md §2): out of scope looks exactly like missing."""

from __future__ import annotations

from datetime import timedelta

from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from shequ.access.scoping import areas_in_scope, scope_for, visible_to
from shequ.core.errors import NotFound
from shequ.geo.models import Area
from shequ.residents.models import Resident
from shequ.residents.selectors import resident_list_for

from .choices import Channel, SafetyState, WarningStatus
from .models import Delivery, Drill, FanoutBatch, Plan, Shelter, Supply, Team, Warning
from .services import CALL, MANAGE, PUBLISH

# After a warning is lifted, residents are asked for three days whether they are safe.
SAFETY_DAYS = 3
EXPIRY_ALERT_DAYS = 30


# --- warnings, for staff ------------------------------------------------------------------------------------
def _ancestors(path: str) -> list[str]:
    parts = [p for p in path.split("/") if p]
    return ["/" + "/".join(parts[: i + 1]) + "/" for i in range(len(parts))]


def _warnings_for(user, action: str, *, overlap: bool) -> QuerySet[Warning]:
    """Warnings covering an area inside the user's scope; with `overlap`, also those covering an area his scope
    lies inside (a street-wide warning reaches the grid worker of one of its grids)."""
    condition = Q(pk__in=[])
    for path in scope_for(user, action).paths:
        condition |= Q(areas__path__prefix=path)
        if overlap:
            condition |= Q(areas__path__in=_ancestors(path))
    return Warning.objects.filter(id__in=Warning.objects.filter(condition).values("id"))


def warning_list_for(*, user) -> QuerySet[Warning]:
    qs = _warnings_for(user, PUBLISH, overlap=False) | _warnings_for(user, CALL, overlap=True)
    return qs.prefetch_related("areas").order_by("-published_at", "-id")


def warning_get_for(*, user, pk: int, action: str = CALL) -> Warning:
    """CALL: a warning over any of the user's areas (or his areas' parents); PUBLISH: one inside his scope."""
    if action == PUBLISH:
        qs = _warnings_for(user, PUBLISH, overlap=False)
    else:
        qs = _warnings_for(user, PUBLISH, overlap=False) | _warnings_for(user, CALL, overlap=True)
    warning = qs.filter(pk=pk).first()
    if warning is None:
        raise NotFound(_("No warning with this id."))
    return warning


def warning_progress(warning: Warning) -> dict:
    """How far the warning went: one aggregate over its deliveries, one over its batches."""
    d = Delivery.objects.filter(warning=warning).aggregate(
        total=Count("id"),
        inbox=Count("id", filter=Q(channel__in=[Channel.INBOX, Channel.INBOX_SMS])),
        sms=Count("id", filter=Q(channel__in=[Channel.SMS, Channel.INBOX_SMS])),
        unreached=Count("id", filter=Q(channel=Channel.NONE)),
        acknowledged=Count("id", filter=Q(acknowledged_at__isnull=False)),
        vulnerable_all=Count("id", filter=Q(vulnerable=True)),
        vulnerable_open=Count("id", filter=Q(vulnerable=True, acknowledged_at__isnull=True)),
        safe=Count("id", filter=Q(safety=SafetyState.SAFE)),
        need_help=Count("id", filter=Q(safety=SafetyState.NEED_HELP)),
    )
    b = FanoutBatch.objects.filter(warning=warning).aggregate(
        total=Count("id"), done=Count("id", filter=Q(done_at__isnull=False))
    )
    d["batches"], d["batches_done"] = b["total"], b["done"]
    return d


def _resident_ids_for(user) -> QuerySet:
    """The residents this user may see (residents' own scoping, minors' rule included)."""
    return resident_list_for(user=user).order_by().values("id")


def call_list_for(*, user, warning: Warning) -> QuerySet[Delivery]:
    """Vulnerable people (special-group tags) the warning has not reached or who have not acknowledged it, in
    the user's areas: the grid worker calls them or knocks on their door."""
    return (
        visible_to(Delivery.objects.all(), user, CALL)
        .filter(warning=warning, vulnerable=True, acknowledged_at__isnull=True)
        .filter(resident_id__in=_resident_ids_for(user))
        .select_related("resident", "area")
        .prefetch_related("resident__tags")
        .order_by("area__path", "id")
    )


def follow_up_list_for(*, user, warning: Warning) -> QuerySet[Delivery]:
    """After the event: who asked for help, and (once lifted) vulnerable people who never said they are safe."""
    condition = Q(safety=SafetyState.NEED_HELP)
    if warning.status == WarningStatus.ENDED:
        condition |= Q(vulnerable=True, safety="")
    return (
        visible_to(Delivery.objects.all(), user, CALL)
        .filter(warning=warning, followed_up_at__isnull=True)
        .filter(condition)
        .filter(resident_id__in=_resident_ids_for(user))
        .select_related("resident", "area")
        .prefetch_related("resident__tags")
        .order_by("area__path", "id")
    )


def delivery_get_for(*, user, pk: int) -> Delivery:
    delivery = (
        visible_to(Delivery.objects.all(), user, CALL)
        .filter(pk=pk, resident_id__in=_resident_ids_for(user))
        .select_related("warning")
        .first()
    )
    if delivery is None:
        raise NotFound(_("No such person on the list."))
    return delivery


def loudspeaker_list(warning: Warning) -> QuerySet[Area]:
    """The communities where the message is read out over the loudspeaker (大喇叭), one line each."""
    condition = Q(pk__in=[])
    for path in warning.areas.values_list("path", flat=True):
        condition |= Q(path__prefix=path)
    return Area.objects.filter(condition, level="community").order_by("path")


def publishable_areas_for(*, user) -> QuerySet[Area]:
    """Streets and communities a user may warn (the form's choices)."""
    return areas_in_scope(user, PUBLISH, levels=["district", "street", "community"])


def manageable_areas_for(*, user) -> QuerySet[Area]:
    """Streets and communities where a user keeps plans, shelters and supplies (the console forms' choices)."""
    return areas_in_scope(user, MANAGE, levels=["street", "community"])


# --- warnings, for the resident -------------------------------------------------------------------------------
def my_deliveries(*, user) -> QuerySet[Delivery]:
    if not getattr(user, "is_authenticated", False):
        return Delivery.objects.none()
    return Delivery.objects.filter(user=user).select_related("warning").order_by("-warning__published_at")


def banner_for(*, user) -> list[Delivery]:
    """What the portal's banner shows: warnings in force that reached the person, and warnings lifted in the last
    days that ask him whether he is safe. One indexed query."""
    since = timezone.now() - timedelta(days=SAFETY_DAYS)
    return list(
        my_deliveries(user=user).filter(
            Q(warning__status=WarningStatus.ACTIVE) | Q(warning__ended_at__gte=since, safety="")
        )[:3]
    )


def my_delivery(*, user, warning_id: int) -> Delivery:
    delivery = my_deliveries(user=user).filter(warning_id=warning_id).first()
    if delivery is None:
        raise NotFound(_("This warning did not reach you."))
    return delivery


# --- plans, shelters, supplies, drills, teams -----------------------------------------------------------------
def plan_list_for(*, user) -> QuerySet[Plan]:
    return visible_to(Plan.objects.all(), user, MANAGE).select_related("area").prefetch_related("roles")


def shelter_list_for(*, user, area: str | None = None) -> QuerySet[Shelter]:
    """Shelters are public places (they are on the residents' map too): every signed-in person may read them;
    staff read their areas' in the console."""
    qs = Shelter.objects.select_related("area")
    if area:
        path = Area.objects.filter(code=area).values_list("path", flat=True).first()
        if path is None:
            raise NotFound(_("No area has this code."), fields={"area": area})
        qs = qs.filter(area__path__prefix=path)
    return qs.order_by("area__path", "name")


def shelter_console_list_for(*, user) -> QuerySet[Shelter]:
    return visible_to(Shelter.objects.all(), user, MANAGE).select_related("area")


def supply_list_for(*, user) -> QuerySet[Supply]:
    return visible_to(Supply.objects.all(), user, MANAGE).select_related("area")


def supply_alert_codes(supply: Supply, today) -> list[str]:
    """What needs doing about a supply: "below" its minimum stock, "expired", or "expiring" within 30 days."""
    codes = []
    if supply.quantity < supply.minimum:
        codes.append("below")
    if supply.expires_on and supply.expires_on < today:
        codes.append("expired")
    elif supply.expires_on and supply.expires_on <= today + timedelta(days=EXPIRY_ALERT_DAYS):
        codes.append("expiring")
    return codes


def supply_alert_labels() -> dict[str, str]:
    return {
        "below": _("Below the minimum stock"),
        "expired": _("Expired"),
        "expiring": _("Expires within 30 days"),
    }


def supply_alerts(supplies) -> dict[int, list[str]]:
    """Per supply: below its minimum, expired, or expiring within 30 days."""
    today = timezone.localdate()
    labels = supply_alert_labels()
    alerts: dict[int, list[str]] = {}
    for s in supplies:
        codes = supply_alert_codes(s, today)
        if codes:
            alerts[s.pk] = [labels[c] for c in codes]
    return alerts


def drill_list_for(*, user) -> QuerySet[Drill]:
    return visible_to(Drill.objects.all(), user, MANAGE).select_related("plan", "area")


def team_list_for(*, user) -> QuerySet[Team]:
    return visible_to(Team.objects.all(), user, MANAGE).select_related("area")


def plan_get_for(*, user, pk: int) -> Plan:
    plan = plan_list_for(user=user).filter(pk=pk).first()
    if plan is None:
        raise NotFound(_("No plan with this id."))
    return plan


def shelter_get_for(*, user, pk: int) -> Shelter:
    shelter = shelter_console_list_for(user=user).filter(pk=pk).first()
    if shelter is None:
        raise NotFound(_("No shelter with this id."))
    return shelter


def supply_get_for(*, user, pk: int) -> Supply:
    supply = supply_list_for(user=user).filter(pk=pk).first()
    if supply is None:
        raise NotFound(_("No supply with this id."))
    return supply


def vulnerable_tag_names(resident: Resident) -> str:
    return "、".join(t.name for t in resident.tags.all() if t.vulnerable)


def warning_may(*, user, warning: Warning, action: str) -> bool:
    return _warnings_for(user, action, overlap=False).filter(pk=warning.pk).exists()
