"""附近已有相同问题？ (issue 21): before a resident submits, the open appeals of the same category near the place she
chose, so that she can say "我也遇到了" (support and follow the existing one) instead of filing a duplicate.

What she is shown is public-safe, the same fields Open311 publishes to anyone (shequ.open311.serializers): the
category, the community (the street for an anonymous appeal, which also loses its distance), when it was reported,
its state in a resident's words, how many others met it, and a short excerpt of the text with every identifier
masked (core.masking.redact). Never a name, a phone, an address, a photo, a unit's note or the exact point.

"Near" is: reported in the last NEARBY_DAYS days, and within NEARBY_METRES of her map point when both have one, or
in the same community (the same street when she chose no community). The read is one query on the open-appeals
partial index (category, created_at), capped at POOL rows, then distances in Python on those few.
"""

from __future__ import annotations

import math
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from shequ.accounts.models import User
from shequ.audit.services import audit_record
from shequ.core.errors import ShequError
from shequ.core.masking import redact
from shequ.geo.choices import AreaLevel
from shequ.geo.coords import distance_m
from shequ.geo.models import Area

from .choices import OPEN_STATUSES
from .models import Appeal, Category, Event, Supporter
from .timeline import resident_status_label

NEARBY_DAYS = 30
NEARBY_METRES = 500
MAX_SHOWN = 5
POOL = 200
EXCERPT_CHARS = 60
METRES_PER_DEGREE = 111_195.0


def _near_area(area: Area | None) -> Area | None:
    """The chosen area when it is narrow enough to mean "near" (a community or a street); a district is not."""
    return area if area is not None and area.level in (AreaLevel.COMMUNITY, AreaLevel.STREET) else None


def _place_condition(area: Area | None, lat: float | None, lng: float | None) -> Q | None:
    """Which appeals count as near: in the chosen community (or street), or within the radius of the point."""
    condition = None
    area = _near_area(area)
    if area is not None:
        condition = Q(area__path__startswith=area.path)
    if lat is not None and lng is not None:
        dlat = NEARBY_METRES / METRES_PER_DEGREE
        dlng = dlat / max(math.cos(math.radians(lat)), 0.01)
        box = Q(lat__range=(lat - dlat, lat + dlat), lng__range=(lng - dlng, lng + dlng))
        condition = box if condition is None else condition | box
    return condition


def _excerpt(text: str) -> str:
    clean = redact(text).replace("\n", " ").strip()
    return clean if len(clean) <= EXCERPT_CHARS else clean[:EXCERPT_CHARS] + "…"


def _community_names(appeals: list[Appeal]) -> dict[str, str]:
    """code → name of the community (and street) above each appeal's area, in one query."""
    codes = {c for a in appeals for c in a.area.path.split("/") if c}
    return dict(
        Area.objects.filter(code__in=codes, level__in=[AreaLevel.STREET, AreaLevel.COMMUNITY]).values_list(
            "code", "name"
        )
    )


def _place_name(appeal: Appeal, names: dict[str, str]) -> str:
    """The community's name; the street's for an anonymous appeal (as Open311 keeps it no finer than asked)."""
    codes = [c for c in appeal.area.path.split("/") if c]
    streets = [c for c in codes if len(c) == 9 and c in names]
    communities = [c for c in codes if len(c) == 12 and c in names]
    if communities and not appeal.anonymous:
        return names[communities[-1]]
    return names[streets[-1]] if streets else ""


def public_view(appeal: Appeal, names: dict[str, str], *, user: User, now: datetime) -> dict:
    """An appeal as any resident may see it (no name, phone, address, photo, point or staff note)."""
    return {
        "id": appeal.pk,
        "category": appeal.category.name if appeal.category else "",
        "place": _place_name(appeal, names),
        "reported_at": appeal.created_at,
        "days_ago": max(0, (now - appeal.created_at).days),
        "status": resident_status_label(appeal),
        "excerpt": _excerpt(appeal.text),
        "supporters": getattr(appeal, "supporter_count", 0),
        "mine": appeal.requester_id == user.pk,
        "supported": bool(getattr(appeal, "supported_by_me", False)),
        "distance_m": None,
    }


def appeal_nearby_for(
    *,
    user: User,
    category: Category | None,
    area: Area | None = None,
    lat: float | None = None,
    lng: float | None = None,
    now: datetime | None = None,
) -> list[dict]:
    """The open appeals of this category near this place, nearest first (then newest), public-safe."""
    if category is None:
        return []
    place = _place_condition(area, lat, lng)
    near_area = _near_area(area)
    if place is None:
        return []  # a district alone is too wide for "nearby"
    now = now or timezone.now()
    candidates = list(
        Appeal.objects.filter(
            place,
            category=category,
            status__in=OPEN_STATUSES,
            created_at__gte=now - timedelta(days=NEARBY_DAYS),
        )
        .select_related("area", "category")
        .only(
            "id",
            "text",
            "status",
            "anonymous",
            "requester",
            "created_at",
            "lat",
            "lng",
            "reopen_count",
            "area__path",
            "category__name",
        )
        .order_by("-created_at", "-id")[:POOL]
    )
    kept: list[tuple[float, Appeal]] = []
    for a in candidates:
        near_point = None
        if lat is not None and lng is not None and a.lat is not None and a.lng is not None:
            near_point = distance_m(lng, lat, a.lng, a.lat)
        # The same test as the query's (_place_condition): a district with a point is only the radius, not every
        # appeal of the district that the point's bounding box happened to catch.
        in_area = near_area is not None and a.area.path.startswith(near_area.path)
        if in_area or (near_point is not None and near_point <= NEARBY_METRES):
            kept.append((near_point if near_point is not None else float(NEARBY_METRES), a))
    kept.sort(key=lambda pair: (pair[0], -pair[1].created_at.timestamp()))
    chosen = kept[:MAX_SHOWN]
    if not chosen:
        return []
    ids = [a.pk for _d, a in chosen]
    counts = dict(
        Supporter.objects.filter(appeal_id__in=ids)
        .values("appeal_id")
        .annotate(n=Count("id"))
        .values_list("appeal_id", "n")
    )
    mine = set(Supporter.objects.filter(appeal_id__in=ids, user=user).values_list("appeal_id", flat=True))
    names = _community_names([a for _d, a in chosen])
    out = []
    for metres, a in chosen:
        a.supporter_count = counts.get(a.pk, 0)  # type: ignore[attr-defined]
        a.supported_by_me = a.pk in mine  # type: ignore[attr-defined]
        view = public_view(a, names, user=user, now=now)
        if not a.anonymous and metres < NEARBY_METRES and a.lat is not None and lat is not None:
            view["distance_m"] = int(round(metres, -1))
        out.append(view)
    return out


def appeal_supported_by(*, user: User, limit: int = 20) -> list[dict]:
    """The appeals this resident said he also met, newest first, public-safe (his 我也遇到了 list)."""
    rows = list(
        Supporter.objects.filter(user=user)
        .select_related("appeal__area", "appeal__category")
        .order_by("-created_at", "-id")[:limit]
    )
    appeals = [s.appeal for s in rows]
    counts = dict(
        Supporter.objects.filter(appeal__in=appeals)
        .values("appeal_id")
        .annotate(n=Count("id"))
        .values_list("appeal_id", "n")
    )
    names = _community_names(appeals)
    now = timezone.now()
    out = []
    for s in rows:
        s.appeal.supporter_count = counts.get(s.appeal_id, 0)  # type: ignore[attr-defined]
        s.appeal.supported_by_me = True  # type: ignore[attr-defined]
        out.append({**public_view(s.appeal, names, user=user, now=now), "supported_at": s.created_at})
    return out


def appeal_support(*, actor: User, appeal: Appeal) -> tuple[Supporter, bool]:
    """我也遇到了: the actor met the same problem as this open appeal. Idempotent (a second press changes nothing);
    answers (the row, whether it is new). The appeal's staff see it on the timeline; audited in the transaction."""
    if appeal.requester_id == actor.pk:
        raise ShequError(_("This is your own report: you follow it on your page already."), code="own_appeal")
    with transaction.atomic():
        # Locked so that the state read below holds until the row is written (a close cannot slip in between).
        appeal = Appeal.objects.select_for_update().get(pk=appeal.pk)
        if appeal.status not in OPEN_STATUSES:
            raise ShequError(
                _("This problem is no longer being handled: if it is still there, please report it."),
                code="not_open",
            )
        supporter, created = Supporter.objects.get_or_create(appeal=appeal, user=actor)
        if created:
            count = Supporter.objects.filter(appeal=appeal).count()
            Event.objects.create(
                appeal=appeal,
                action="support",
                actor=actor,
                from_status=appeal.status,
                to_status=appeal.status,
                note=_("Another resident met the same problem (%(n)d in all).") % {"n": count},
                data={"supporters": count},
                public=False,
            )
            audit_record(
                action="appeal.support",
                actor=actor,
                obj=appeal,
                object_repr=appeal.number,
                changes={"supporters": {"before": count - 1, "after": count}},
            )
    return supporter, created
