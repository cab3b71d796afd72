"""Changing who may do what: grants. The security admin decides; the system admin can only ask (三员分立)."""

from __future__ import annotations

from datetime import datetime

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from shequ.accounts.models import Grant, GrantStatus, Unit, User
from shequ.accounts.roles import Action, Role
from shequ.audit.services import audit_record
from shequ.core.errors import ShequError
from shequ.geo.models import Area

from .scoping import can_at, forget_grants, user_roles


def _grant_changes(grant: Grant, before: str | None) -> dict:
    return {
        "status": {"before": before, "after": grant.status},
        "role": {"before": None, "after": grant.role},
        "area": {"before": None, "after": grant.area.code},
    }


def grant_create(
    *,
    actor: User,
    user: User,
    role: str,
    area: Area,
    unit: Unit | None = None,
    note: str = "",
    valid_until: datetime | None = None,
) -> Grant:
    if role not in Role.values:
        raise ShequError(f"Unknown role {role!r}.", fields={"role": role})
    if actor.pk == user.pk:
        audit_record(action="grant.refused", actor=actor, object_repr=f"self-grant {role}")
        raise PermissionDenied("Nobody may grant himself a role.")
    if can_at(actor, Action.GRANTS_MANAGE, area.path):
        status, decided_by = GrantStatus.ACTIVE, actor
    elif can_at(actor, Action.GRANTS_REQUEST, area.path):
        status, decided_by = GrantStatus.PENDING, None
    else:
        audit_record(action="grant.refused", actor=actor, object_repr=f"{user.username} {role} @ {area.code}")
        raise PermissionDenied("You may not grant roles here.")
    if (
        status == GrantStatus.ACTIVE
        and Grant.objects.active().filter(user=user, role=role, area=area).exists()
    ):
        raise ShequError("This user already holds this role here.", code="duplicate")
    grant = Grant.objects.create(
        user=user,
        role=role,
        area=area,
        unit=unit,
        status=status,
        requested_by=actor,
        decided_by=decided_by,
        decided_at=timezone.now() if decided_by else None,
        valid_until=valid_until,
        note=note,
    )
    audit_record(
        action="grant.create" if status == GrantStatus.ACTIVE else "grant.request",
        actor=actor,
        actor_role=",".join(sorted(user_roles(actor))),
        obj=grant,
        object_repr=f"{user.username} {role} @ {area.code}",
        changes=_grant_changes(grant, None),
    )
    forget_grants(user)
    return grant


def grant_decide(*, actor: User, grant: Grant, approve: bool, note: str = "") -> Grant:
    # Refusals are recorded before the transaction: they must outlive the refused action.
    if not can_at(actor, Action.GRANTS_MANAGE, grant.area.path) or actor.pk in (
        grant.requested_by_id,
        grant.user_id,
    ):
        audit_record(action="grant.refused", actor=actor, obj=grant, object_repr=str(grant))
        raise PermissionDenied("You may not decide this grant.")
    with transaction.atomic():
        return _grant_decide(actor=actor, grant=grant, approve=approve, note=note)


def _grant_decide(*, actor: User, grant: Grant, approve: bool, note: str) -> Grant:
    grant = Grant.objects.select_for_update().select_related("area", "user").get(pk=grant.pk)
    if grant.status != GrantStatus.PENDING:
        raise ShequError("Only a pending grant can be decided.", code="not_pending")
    if not can_at(actor, Action.GRANTS_MANAGE, grant.area.path) or actor.pk in (
        grant.requested_by_id,
        grant.user_id,
    ):
        audit_record(action="grant.refused", actor=actor, obj=grant, object_repr=str(grant))
        raise PermissionDenied("You may not decide this grant.")
    before = grant.status
    grant.status = GrantStatus.ACTIVE if approve else GrantStatus.REJECTED
    grant.decided_by, grant.decided_at = actor, timezone.now()
    if note:
        grant.note = note
    grant.save(update_fields=["status", "decided_by", "decided_at", "note"])
    audit_record(
        action="grant.approve" if approve else "grant.reject",
        actor=actor,
        obj=grant,
        object_repr=str(grant),
        changes={"status": {"before": before, "after": grant.status}},
    )
    forget_grants(grant.user)
    return grant


def grant_revoke(*, actor: User, grant: Grant, reason: str) -> Grant:
    if not can_at(actor, Action.GRANTS_MANAGE, grant.area.path):
        audit_record(action="grant.refused", actor=actor, obj=grant, object_repr=str(grant))
        raise PermissionDenied("You may not revoke this grant.")
    if not reason.strip():
        raise ShequError("Say why the grant is revoked.", fields={"reason": "required"})
    with transaction.atomic():
        return _grant_revoke(actor=actor, grant=grant, reason=reason)


def _grant_revoke(*, actor: User, grant: Grant, reason: str) -> Grant:
    grant = Grant.objects.select_for_update().select_related("area", "user").get(pk=grant.pk)
    before = grant.status
    grant.status = GrantStatus.REVOKED
    grant.decided_by, grant.decided_at, grant.note = actor, timezone.now(), reason[:200]
    grant.save(update_fields=["status", "decided_by", "decided_at", "note"])
    audit_record(
        action="grant.revoke",
        actor=actor,
        obj=grant,
        object_repr=str(grant),
        purpose=reason,
        changes={"status": {"before": before, "after": grant.status}},
    )
    forget_grants(grant.user)
    return grant


def grant_bootstrap(*, user: User, role: str, area: Area, unit: Unit | None = None, reason: str) -> Grant:
    """Grant without an acting person: for the first security admin and for demo data, from a command.

    Audited with channel "command" so that the trail shows how the first grants came to be.
    """
    with transaction.atomic():
        grant, created = Grant.objects.get_or_create(
            user=user,
            role=role,
            area=area,
            status=GrantStatus.ACTIVE,
            defaults={"unit": unit, "note": reason},
        )
        if created:
            audit_record(
                action="grant.bootstrap",
                obj=grant,
                object_repr=f"{user.username} {role} @ {area.code}",
                purpose=reason,
                channel="command",
            )
    forget_grants(user)
    return grant
