"""The one scoping function: what a user may see and do, and where (STYLE.md §2).

`scope_for(user, action)` turns the user's active grants into a Scope: the area paths under which the action is
allowed. `visible_to(queryset, user, action)` applies it to any queryset whose model names its area path with
`scope_path_field` (and, for things people own, `scope_owner_field`). An object outside the scope is simply not
in the queryset, so a `*_get_for` selector answers 404 exactly as for a missing one.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.core.exceptions import ObjectDoesNotExist
from django.db.models import Model, Q, QuerySet

from shequ.accounts.models import Grant
from shequ.accounts.roles import Role, role_allows
from shequ.geo.models import Area


@dataclass(frozen=True)
class Scope:
    paths: frozenset[str] = field(default_factory=frozenset)
    roles: frozenset[str] = field(default_factory=frozenset)
    unit_ids: frozenset[int] = field(default_factory=frozenset)

    @property
    def empty(self) -> bool:
        return not self.paths

    def covers_path(self, path: str) -> bool:
        return any(path.startswith(p) for p in self.paths)


def _active_grants(user) -> list[Grant]:
    # Cached on the user object for the request: scoping is asked many times per page.
    cached = getattr(user, "_shequ_grants", None)
    if cached is None:
        cached = list(Grant.objects.active().filter(user=user).select_related("area"))
        user._shequ_grants = cached
    return cached


def scope_for(user, action: str) -> Scope:
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return Scope()
    grants = [g for g in _active_grants(user) if role_allows(g.role, action)]
    paths = _minimal_paths({g.area.path for g in grants})
    return Scope(
        paths=frozenset(paths),
        roles=frozenset(g.role for g in grants),
        unit_ids=frozenset(g.unit_id for g in grants if g.unit_id),
    )


def _minimal_paths(paths: set[str]) -> list[str]:
    """Drop paths already covered by a shorter one: fewer OR terms in every scoped query."""
    kept: list[str] = []
    for p in sorted(paths, key=len):
        if not any(p.startswith(k) for k in kept):
            kept.append(p)
    return kept


def can(user, action: str) -> bool:
    """Whether the user may take the action anywhere at all (menus, buttons)."""
    return not scope_for(user, action).empty


def can_at(user, action: str, area_path: str) -> bool:
    return scope_for(user, action).covers_path(area_path)


def user_roles(user) -> set[str]:
    if user is None or not getattr(user, "is_authenticated", False):
        return set()
    return {g.role for g in _active_grants(user)}


def forget_grants(user) -> None:
    if hasattr(user, "_shequ_grants"):
        del user._shequ_grants


def visible_to(queryset: QuerySet, user, action: str) -> QuerySet:
    """Filter any scoped queryset to what the user may see for this action."""
    model: type[Model] = queryset.model
    path_field = getattr(model, "scope_path_field", None)
    owner_field = getattr(model, "scope_owner_field", None)
    if path_field is None and owner_field is None:
        raise TypeError(f"{model.__name__} declares neither scope_path_field nor scope_owner_field")
    condition = Q(pk__in=[])
    if path_field:
        for p in scope_for(user, action).paths:
            condition |= Q(**{f"{path_field}__prefix": p})
    if owner_field and user is not None and getattr(user, "is_authenticated", False):
        condition |= Q(**{owner_field: user})
    return queryset.filter(condition)


def areas_in_scope(user, action: str, *, levels=None) -> QuerySet[Area]:
    """The areas under the user's grants for the action, in tree order: what a form offers as its choice of area.
    `levels` narrows it (streets and communities, estates …). Boundaries are left out (a form needs names)."""
    condition = Q(pk__in=[])
    for p in scope_for(user, action).paths:
        condition |= Q(path__prefix=p)
    areas = Area.objects.filter(condition).defer("boundary")
    if levels is not None:
        areas = areas.filter(level__in=list(levels))
    return areas.order_by("path")


def home_area_for(user) -> Area | None:
    """Where a signed-in resident lives: his resident record's area, else the area of his resident grant."""
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    try:
        resident = user.resident
    except ObjectDoesNotExist:
        resident = None
    if resident is not None:
        return Area.objects.filter(pk=resident.area_id).first()
    grant = (
        Grant.objects.active()
        .filter(user=user, role=Role.RESIDENT)
        .select_related("area")
        .order_by("pk")
        .first()
    )
    return grant.area if grant else None
