"""The community picker of the public pages (附近服务, 通知公告): district → street → community as plain selects.

Geography only: where a signed-in resident lives (the picker's default) is `shequ.access.scoping.home_area_for`.

Works without JavaScript (a GET form and a "show" button); with htmx the next select fills itself on change
(public fragment `facilities:area_options`). A constant number of queries whatever is picked.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.http import QueryDict

from .models import Area

LEVELS = ("district", "street", "community")


@dataclass
class Pick:
    area: Area | None
    picked: dict[str, str]
    districts: list[Area] = field(default_factory=list)
    streets: list[Area] = field(default_factory=list)
    communities: list[Area] = field(default_factory=list)


def _codes_of(area: Area) -> dict[str, str]:
    # The path is /city/district/street/community/…: positions 1, 2, 3 are the picker's three levels.
    parts = [p for p in area.path.split("/") if p]
    return {level: (parts[i + 1] if len(parts) > i + 1 else "") for i, level in enumerate(LEVELS)}


def pick_area(params: QueryDict, *, default: Area | None = None) -> Pick:
    picked = {level: (params.get(level) or "").strip()[:32] for level in LEVELS}
    chosen_code = picked["community"] or picked["street"] or picked["district"]
    area = None
    if chosen_code:
        area = Area.objects.filter(code=chosen_code, level__in=LEVELS).first()
        if area is not None:
            picked = _codes_of(area)  # a community picked under another street wins: show its own street
        else:
            picked = {level: "" for level in LEVELS}
    elif default is not None:
        area = default
        picked = _codes_of(default)
    districts = list(Area.objects.filter(level="district").order_by("code").only("code", "name"))
    streets = (
        list(
            Area.objects.filter(parent__code=picked["district"], level="street")
            .order_by("code")
            .only("code", "name")
        )
        if picked["district"]
        else []
    )
    communities = (
        list(
            Area.objects.filter(parent__code=picked["street"], level="community")
            .order_by("code")
            .only("code", "name")
        )
        if picked["street"]
        else []
    )
    return Pick(area=area, picked=picked, districts=districts, streets=streets, communities=communities)


def child_options(code: str) -> list[Area]:
    parent = Area.objects.filter(code=code, level__in=("district", "street")).only("pk").first()
    if parent is None:
        return []
    return list(Area.objects.filter(parent=parent).order_by("code").only("code", "name"))
