"""Changing who may do what: grants. The security admin decides; the system admin can only ask (三员分立)."""

from __future__ import annotations

import secrets
from datetime import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from shequ.accounts.models import Grant, GrantStatus, Unit, User
from shequ.accounts.roles import ADMIN_ROLES, STAFF_ROLES, Action, Role
from shequ.audit.services import audit_record
from shequ.core.errors import ShequError
from shequ.geo.models import Area

from .scoping import can, can_at, forget_grants, user_roles


def _audit(*, actor: User | None = None, **kwargs) -> None:
    """audit_record with the actor's roles, so that the trail says in which capacity an admin acted."""
    if actor is not None and "actor_role" not in kwargs:
        kwargs["actor_role"] = ",".join(sorted(user_roles(actor)))
    audit_record(actor=actor, **kwargs)


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
        raise ShequError(
            _("Choose a role from the list."), fields={"role": _("Choose a role from the list.")}
        )
    if actor.pk == user.pk:
        _audit(action="grant.refused", actor=actor, object_repr=f"self-grant {role}")
        raise PermissionDenied(_("Nobody may grant himself a role."))
    if can_at(actor, Action.GRANTS_MANAGE, area.path):
        status, decided_by = GrantStatus.ACTIVE, actor
    elif can_at(actor, Action.GRANTS_REQUEST, area.path):
        status, decided_by = GrantStatus.PENDING, None
    else:
        _audit(action="grant.refused", actor=actor, object_repr=f"{user.username} {role} @ {area.code}")
        raise PermissionDenied(_("You may not grant roles here."))
    if (
        status == GrantStatus.ACTIVE
        and Grant.objects.active().filter(user=user, role=role, area=area).exists()
    ):
        raise ShequError(_("This user already holds this role here."), code="duplicate")
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
    _audit(
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
        _audit(action="grant.refused", actor=actor, obj=grant, object_repr=str(grant))
        raise PermissionDenied(_("You may not decide this grant."))
    with transaction.atomic():
        return _grant_decide(actor=actor, grant=grant, approve=approve, note=note)


def _grant_decide(*, actor: User, grant: Grant, approve: bool, note: str) -> Grant:
    grant = Grant.objects.select_for_update().select_related("area", "user").get(pk=grant.pk)
    if grant.status != GrantStatus.PENDING:
        raise ShequError(_("Only a pending grant can be decided."), code="not_pending")
    if not can_at(actor, Action.GRANTS_MANAGE, grant.area.path) or actor.pk in (
        grant.requested_by_id,
        grant.user_id,
    ):
        _audit(action="grant.refused", actor=actor, obj=grant, object_repr=str(grant))
        raise PermissionDenied(_("You may not decide this grant."))
    before = grant.status
    grant.status = GrantStatus.ACTIVE if approve else GrantStatus.REJECTED
    grant.decided_by, grant.decided_at = actor, timezone.now()
    if note:
        grant.note = note
    grant.save(update_fields=["status", "decided_by", "decided_at", "note"])
    _audit(
        action="grant.approve" if approve else "grant.reject",
        actor=actor,
        obj=grant,
        object_repr=str(grant),
        changes={"status": {"before": before, "after": grant.status}},
    )
    forget_grants(grant.user)
    return grant


def grant_revoke(*, actor: User, grant: Grant, reason: str) -> Grant:
    # Never one's own: a security admin revoking his own grant could leave nobody to decide (三员分立).
    if not can_at(actor, Action.GRANTS_MANAGE, grant.area.path) or actor.pk == grant.user_id:
        _audit(action="grant.refused", actor=actor, obj=grant, object_repr=str(grant))
        raise PermissionDenied(_("You may not revoke this grant."))
    if not reason.strip():
        raise ShequError(_("Say why the grant is revoked."), fields={"reason": _("This field is required.")})
    with transaction.atomic():
        return _grant_revoke(actor=actor, grant=grant, reason=reason)


def _grant_revoke(*, actor: User, grant: Grant, reason: str) -> Grant:
    grant = Grant.objects.select_for_update().select_related("area", "user").get(pk=grant.pk)
    if grant.status != GrantStatus.ACTIVE:
        # A pending request is refused, not revoked; a revoked or refused grant stays as it was.
        raise ShequError(_("Only an active grant can be revoked."), code="not_active")
    before = grant.status
    grant.status = GrantStatus.REVOKED
    grant.decided_by, grant.decided_at, grant.note = actor, timezone.now(), reason[:200]
    grant.save(update_fields=["status", "decided_by", "decided_at", "note"])
    _audit(
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
            _audit(
                action="grant.bootstrap",
                obj=grant,
                object_repr=f"{user.username} {role} @ {area.code}",
                purpose=reason,
                channel="command",
            )
    forget_grants(user)
    return grant


# --- staff accounts: the system admin's job (三员分立), audited ------------------------------------------------
# A staff account is placed by its grants: creating one asks for its first grant in the same transaction, and the
# security admin decides it. The three admins' own accounts are not managed here: a system admin who could reset
# the security admin's password or authenticator could act as him.

USERNAME_MAX = 30


def temporary_password(user: User) -> str:
    """A password to hand over once, accepted by the policy's validators (10+ characters, 3 classes)."""
    from django.contrib.auth.password_validation import validate_password

    alphabet_upper, alphabet_lower, digits = (
        "ABCDEFGHJKLMNPQRSTUVWXYZ",
        "abcdefghijkmnpqrstuvwxyz",
        "23456789",
    )
    while True:
        chars = [secrets.choice(alphabet_upper) for _i in range(4)]
        chars += [secrets.choice(alphabet_lower) for _i in range(4)]
        chars += [secrets.choice(digits) for _i in range(4)]
        secrets.SystemRandom().shuffle(chars)
        password = "".join(chars[:6]) + "-" + "".join(chars[6:])
        try:
            validate_password(password, user)
        except ValidationError:
            continue
        return password


def _refuse(actor: User, target: str, action: str) -> None:
    _audit(action="user.refused", actor=actor, object_repr=f"{action} {target}")
    raise PermissionDenied(_("You may not manage this account."))


def _check_manage(*, actor: User, user: User, action: str) -> None:
    """Besides the scoped fetch (out of scope is 404): never oneself, never one of the three admins."""
    holds_admin = Grant.objects.active().filter(user=user, role__in=ADMIN_ROLES).exists()
    if actor.pk == user.pk or holds_admin or not can(actor, Action.USERS_MANAGE):
        _refuse(actor, user.username, action)


def staff_create(
    *,
    actor: User,
    username: str,
    display_name: str,
    role: str,
    area: Area,
    unit: Unit | None = None,
    phone: str = "",
) -> tuple[User, str]:
    """A new staff account with a temporary password (returned once) and its first grant, requested.

    The authenticator (TOTP) is enrolled at the first sign-in. Refused with a message and nothing written when a
    value is bad; refused as 403 (and audited) outside the actor's areas."""
    username = username.strip()
    display_name = display_name.strip()
    errors: dict[str, str] = {}
    if (
        not username
        or len(username) > USERNAME_MAX
        or not all(c.isascii() and (c.isalnum() or c in "._-") for c in username)
    ):
        errors["username"] = _("Use 1 to 30 letters, digits, dots, hyphens or underscores.")
    elif User.objects.filter(username__iexact=username).exists():
        errors["username"] = _("This account name is taken.")
    if not display_name:
        errors["display_name"] = _("This field is required.")
    if role not in STAFF_ROLES:
        errors["role"] = _("Choose a role from the list.")
    if errors:
        raise ShequError(_("Some values are not valid."), fields=errors)
    if not (
        can_at(actor, Action.USERS_MANAGE, area.path) and can_at(actor, Action.GRANTS_REQUEST, area.path)
    ):
        _refuse(actor, f"{username} @ {area.code}", "create")
    with transaction.atomic():
        user = User(username=username, display_name=display_name, phone=phone)
        password = temporary_password(user)
        user.set_password(password)
        user.password_changed_at = timezone.now()
        user.password_must_change = True  # the temporary password is changed at the first sign-in
        user.save()
        _audit(
            action="user.create",
            actor=actor,
            obj=user,
            object_repr=username,
            changes={"username": {"after": username}, "display_name": {"after": display_name}},
        )
        grant_create(actor=actor, user=user, role=role, area=area, unit=unit)
    return user, password


def staff_set_active(*, actor: User, user: User, active: bool, reason: str) -> User:
    if not reason.strip():
        raise ShequError(_("Say why."), fields={"reason": _("This field is required.")})
    _check_manage(actor=actor, user=user, action="enable" if active else "disable")
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=user.pk)
        before = user.is_active
        user.is_active = active
        user.save(update_fields=["is_active"])
        _audit(
            action="user.enable" if active else "user.disable",
            actor=actor,
            obj=user,
            object_repr=user.username,
            purpose=reason.strip()[:200],
            changes={"is_active": {"before": before, "after": active}},
        )
        if not active:
            # Bearer tokens stop with the account, not only the sessions (ModelBackend refuses inactive users).
            user.api_tokens.filter(revoked_at__isnull=True).update(revoked_at=timezone.now())
    return user


def staff_reset_password(*, actor: User, user: User) -> str:
    """A new temporary password, returned once; every session of the account ends (Django's session HMAC)."""
    _check_manage(actor=actor, user=user, action="password_reset")
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=user.pk)
        password = temporary_password(user)
        user.set_password(password)
        user.password_changed_at = timezone.now()
        user.password_must_change = True  # a temporary password: changed at the next sign-in
        user.save(update_fields=["password", "password_changed_at", "password_must_change"])
        _audit(
            action="user.password_reset",
            actor=actor,
            obj=user,
            object_repr=user.username,
            changes={"password_must_change": {"after": True}},
        )
    return password


def staff_reset_totp(*, actor: User, user: User) -> User:
    """Forget the authenticator: the next sign-in enrols a new one (accounts.views.staff_totp)."""
    _check_manage(actor=actor, user=user, action="totp_reset")
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=user.pk)
        had = bool(user.totp_confirmed_at)
        user.totp_secret, user.totp_confirmed_at, user.totp_last_step = "", None, None
        user.save(update_fields=["totp_secret", "totp_confirmed_at", "totp_last_step"])
        _audit(
            action="user.totp_reset",
            actor=actor,
            obj=user,
            object_repr=user.username,
            changes={"totp_enrolled": {"before": had, "after": False}},
        )
    return user


# --- units: the organisations that handle work, placed in an area (system admin) -------------------------------
UNIT_FIELDS = ("code", "name", "kind", "area", "parent", "is_active")


def _unit_check(
    *, actor: User, code: str, name: str, kind: str, area: Area, parent: Unit | None, pk=None
) -> None:
    from shequ.accounts.choices import UnitKind

    errors: dict[str, str] = {}
    if not code or len(code) > 64 or not all(c.isascii() and (c.isalnum() or c in "-_.") for c in code):
        errors["code"] = _("Use 1 to 64 letters, digits, dots, hyphens or underscores.")
    elif Unit.objects.filter(code=code).exclude(pk=pk).exists():
        errors["code"] = _("Another unit has this code.")
    if not name or len(name) > 100:
        errors["name"] = _("Give the unit a name of 1 to 100 characters.")
    if kind not in UnitKind.values:
        errors["kind"] = _("Choose a kind from the list.")
    if parent is not None and (parent.pk == pk or not can_at(actor, Action.UNITS_MANAGE, parent.area.path)):
        errors["parent"] = _("Choose a parent unit in your areas, not the unit itself.")
    if errors:
        raise ShequError(_("Some values are not valid."), fields=errors)
    if not can_at(actor, Action.UNITS_MANAGE, area.path):
        _audit(action="unit.refused", actor=actor, object_repr=f"{code} @ {area.code}")
        raise PermissionDenied(_("You may not place a unit in this area."))


def unit_create(
    *, actor: User, code: str, name: str, kind: str, area: Area, parent: Unit | None = None
) -> Unit:
    code, name = code.strip(), name.strip()
    _unit_check(actor=actor, code=code, name=name, kind=kind, area=area, parent=parent)
    with transaction.atomic():
        unit = Unit.objects.create(code=code, name=name, kind=kind, area=area, parent=parent)
        _audit(
            action="unit.create",
            actor=actor,
            obj=unit,
            object_repr=f"{code} {name} @ {area.code}",
            changes={"name": {"after": name}, "kind": {"after": kind}, "area": {"after": area.code}},
        )
    return unit


def unit_update(
    *, actor: User, unit: Unit, name: str, kind: str, area: Area, parent: Unit | None, is_active: bool
) -> Unit:
    """Change a unit fetched through unit_get_for (so within the actor's areas); moving it needs the new area too.
    Its code stays: rules, grants and the dispatch model name units by code."""
    name = name.strip()
    _unit_check(actor=actor, code=unit.code, name=name, kind=kind, area=area, parent=parent, pk=unit.pk)
    with transaction.atomic():
        unit = Unit.objects.select_for_update(of=("self",)).select_related("area", "parent").get(pk=unit.pk)
        before = {
            "name": unit.name,
            "kind": unit.kind,
            "area": unit.area.code,
            "parent": unit.parent.code if unit.parent else None,
            "is_active": unit.is_active,
        }
        unit.name, unit.kind, unit.area, unit.parent, unit.is_active = name, kind, area, parent, is_active
        unit.save(update_fields=["name", "kind", "area", "parent", "is_active"])
        after = {
            "name": name,
            "kind": kind,
            "area": area.code,
            "parent": parent.code if parent else None,
            "is_active": is_active,
        }
        changes = {k: {"before": before[k], "after": after[k]} for k in after if before[k] != after[k]}
        if changes:
            _audit(
                action="unit.update",
                actor=actor,
                obj=unit,
                object_repr=f"{unit.code} {name}",
                changes=changes,
            )
    return unit
