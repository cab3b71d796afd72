"""Writes of notices: publish and withdraw, each in one transaction with its audit entry.

Who may publish where: the action `notices.publish` (accounts/roles.py) under the areas of one's grants, and no
wider than one's role reaches: a community worker publishes to communities (and below), a street officer to his
street and its communities, a city administrator anywhere. Outside that, the area looks like one that does not
exist (the same error), as everywhere else.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from shequ.access.scoping import user_roles
from shequ.accounts.models import Grant
from shequ.accounts.roles import Action, Role, role_allows
from shequ.audit.services import audit_record
from shequ.core.errors import ShequError
from shequ.geo.choices import LEVEL_DEPTH, AreaLevel
from shequ.geo.models import Area

from .models import Notice

# The widest level each role publishes to, inside its grant's area; a role not listed publishes at its grant's
# own level and below.
WIDEST_LEVEL: dict[str, str] = {
    Role.COMMUNITY_WORKER: AreaLevel.COMMUNITY,
    Role.STREET_OFFICER: AreaLevel.STREET,
    Role.CITY_ADMIN: AreaLevel.CITY,
}
MAX_DAYS = 366


@dataclass
class NoticeData:
    title: str
    body: str
    area: str
    published_at: datetime | None = None
    expires_at: datetime | None = None
    pinned: bool = False
    synthetic: bool = False


def publish_areas_query(actor) -> list[tuple[str, int]]:
    """(path prefix, minimum depth) pairs where the actor may publish: one per grant that allows it."""
    if actor is None or not getattr(actor, "is_authenticated", False) or not actor.is_active:
        return []
    out = []
    grants = Grant.objects.active().filter(user=actor).select_related("area")
    for g in grants:
        if not role_allows(g.role, Action.NOTICES_PUBLISH):
            continue
        widest = WIDEST_LEVEL.get(g.role, g.area.level)
        out.append((g.area.path, max(LEVEL_DEPTH[widest], LEVEL_DEPTH[g.area.level])))
    return out


def may_publish_at(actor, area: Area) -> bool:
    return any(area.path.startswith(p) and area.depth >= d for p, d in publish_areas_query(actor))


def _check(actor, data: NoticeData, now: datetime) -> tuple[Area, datetime]:
    fields: dict[str, str] = {}
    title, body = data.title.strip(), data.body.strip()
    if not title or len(title) > 120:
        fields["title"] = _("Give a title of 1 to 120 characters.")
    if not body or len(body) > 5000:
        fields["body"] = _("Give a text of 1 to 5,000 characters.")
    area = Area.objects.filter(code=data.area).first()
    if area is None or not may_publish_at(actor, area):
        # Out of scope reads exactly like an unknown area.
        fields["area"] = _("Choose an area from the list.")
    published = data.published_at or now
    for name, value in (("published_at", data.published_at), ("expires_at", data.expires_at)):
        if value is not None and timezone.is_naive(value):
            fields[name] = _("Give a time with its time zone.")
    if "published_at" not in fields and published > now + timedelta(days=MAX_DAYS):
        fields["published_at"] = _("Publish within a year.")
    if data.expires_at is not None and "expires_at" not in fields and "published_at" not in fields:
        if data.expires_at <= published:
            fields["expires_at"] = _("The notice must expire after it is published.")
    if fields:
        raise ShequError(_("The notice is not valid."), code="invalid", fields=fields)
    assert area is not None
    return area, published


@transaction.atomic
def notice_publish(*, actor, data: NoticeData) -> Notice:
    if actor is None or not getattr(actor, "is_authenticated", False):
        raise PermissionDenied
    now = timezone.now()
    area, published = _check(actor, data, now)
    notice = Notice.objects.create(
        title=data.title.strip(),
        body=data.body.strip(),
        area=area,
        published_at=published,
        expires_at=data.expires_at,
        pinned=data.pinned,
        author=actor,
        synthetic=data.synthetic,
    )
    audit_record(
        action="notice.publish",
        actor=actor,
        actor_role=",".join(sorted(user_roles(actor))),
        obj=notice,
        changes={
            "area": {"after": area.code},
            "published_at": {"after": published.isoformat()},
            "expires_at": {"after": data.expires_at.isoformat() if data.expires_at else None},
            "pinned": {"after": data.pinned},
        },
    )
    return notice


@transaction.atomic
def notice_withdraw(*, actor, notice: Notice) -> Notice:
    """Take a notice down (it stays in the staff list, marked withdrawn)."""
    if not may_publish_at(actor, notice.area):
        raise PermissionDenied
    locked = Notice.objects.select_for_update().get(pk=notice.pk)
    if locked.withdrawn_at is not None:
        return locked
    locked.withdrawn_at = timezone.now()
    locked.save(update_fields=["withdrawn_at"])
    audit_record(
        action="notice.withdraw",
        actor=actor,
        actor_role=",".join(sorted(user_roles(actor))),
        obj=locked,
        changes={"withdrawn_at": {"before": None, "after": locked.withdrawn_at.isoformat()}},
    )
    return locked
