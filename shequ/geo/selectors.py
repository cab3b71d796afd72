"""Reads of the area tree. Areas are public facts: no scoping here (personal data is scoped elsewhere)."""

from __future__ import annotations

from django.db.models import BooleanField, ExpressionWrapper, Q, QuerySet

from shequ.core.db import RefCache
from shequ.core.errors import NotFound

from .choices import LEVEL_DEPTH, AreaLevel
from .models import Area


def _upper_tree() -> list[tuple[tuple, Area]]:
    # The city down to its communities (under a thousand rows in Shenzhen), without boundaries: what intake locates
    # appeals to. Grids, estates and buildings are many more and are read one by one.
    rows = Area.objects.filter(depth__lte=LEVEL_DEPTH[AreaLevel.COMMUNITY]).defer("boundary")
    return [((area.code,), area) for area in rows]


# Areas change when a city pack is (re)loaded: read by code on every intake, kept for 30 s (shequ.core.db.refcache).
_BY_CODE: RefCache[Area] = RefCache(Area, ttl=30, preload=_upper_tree)


def area_by_code(code: str) -> Area | None:
    """The area with this code (a copy of a process-cached row, at most 30 s old), or None. Its boundary is
    left out (a district's is up to 30 kB of GeoJSON) and read only if asked for."""
    return _BY_CODE.get((code,), lambda: Area.objects.filter(code=code).defer("boundary").first())


def area_get(*, code: str) -> Area:
    try:
        return Area.objects.select_related("parent").get(code=code)
    except Area.DoesNotExist:
        raise NotFound(f"No area has the code {code!r}.", fields={"code": code}) from None


def area_list(
    *, level: str | None = None, parent: str | None = None, under: str | None = None, q: str | None = None
) -> QuerySet[Area]:
    qs = Area.objects.all()
    if level:
        qs = qs.filter(level=level)
    if parent:
        qs = qs.filter(parent=_existing(parent, "parent"))
    if under:
        qs = qs.under(_existing(under, "under"), include_self=False)
    if q:
        qs = qs.filter(name__contains=q)
    # Whether a boundary exists, without loading it: maps ask for the geometry of those only (two district-level
    # units of the city pack, 大鹏新区 and 深汕特别合作区, have none; asking for theirs was two 404s per map).
    has_geometry = ExpressionWrapper(Q(boundary__isnull=False), output_field=BooleanField())
    return qs.defer("boundary").annotate(has_geometry=has_geometry).order_by("path")


def _existing(code: str, param: str) -> Area:
    area = Area.objects.filter(code=code).only("pk", "path").first()
    if area is None:
        raise NotFound(f"No area has the code {code!r}.", fields={param: code})
    return area


def area_children(*, area: Area) -> QuerySet[Area]:
    return Area.objects.filter(parent=area).order_by("code").only("code", "name", "level", "parent")
