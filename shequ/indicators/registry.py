"""The registry of figures (DESIGN.md §2: "indicators read stats that modules register, never their tables").

A *figure* is one number a module knows per area: registered volunteers, volunteer stations, communities with a
social-work station, residents inside a full 15-minute circle... The plan's indicators (shequ/indicators/catalogue.py)
are formulas over figures; the rollup (shequ/indicators/services.py `indicator_rollup`) asks every figure for every
area of the city at once and stores the values per area and date, so that no page ever computes one.

How a module registers a figure (in its own `figures.py`, declared from its AppConfig.ready())::

    # shequ/volunteers/figures.py
    from shequ.indicators.registry import Figure, SourceRow, sum_under

    def registered(areas):
        # one grouped query over the city; sum_under adds each place's count to all of its ancestors
        return sum_under(areas, Volunteer.objects.exclude(status="suspended"), path_field="area__path")

    def registered_rows(area, limit):
        return [SourceRow(label=v.display_name, code=str(v.pk), area=v.area.name) for v in ...[:limit]]

    FIGURES = [
        Figure(
            key="volunteers.registered",
            label=_("Registered volunteers"),
            unit=_("people"),
            source=_("Volunteer register (suspended volunteers excluded)"),
            compute=registered,
            rows=registered_rows,
        ),
    ]

    # shequ/volunteers/apps.py
    class VolunteersConfig(AppConfig):
        def ready(self):
            from shequ.indicators.registry import register_figures
            from .figures import FIGURES
            register_figures(FIGURES)

Rules a figure keeps:
- `compute(areas)` receives every area the rollup wants (city, districts, streets, communities; the tests hand it a
  small tree) and answers `{area.code: value}`. It must answer for all of them in a handful of queries (one grouped
  query and `sum_under` / `count_places_under`), never one query per area: the city has hundreds of communities.
  An area it leaves out, or maps to None, has *no data* (shown as such), which is different from 0.
- A value counts what lies *under* the area (its path prefix): a district's figure includes its streets'.
- `rows(area, limit)` lists the rows one area's value was computed from (the evidence a leader can open), at most
  `limit` of them; it runs for one area on request and must be a bounded query.
- Keys are `<app>.<name>`, stable: stored values and indicator formulas refer to them.

This module imports no domain app: it sits below them (tests/test_layers.py) so that each can register here.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from django.core.exceptions import ImproperlyConfigured
from django.db.models import Count, QuerySet
from django.utils.functional import Promise

from shequ.geo.choices import LEVEL_DEPTH

PATH_SEPARATOR = "/"
Label = str | Promise


class AreaLike(Protocol):
    """What a figure needs of an area (a geo.Area, or a test's stand-in)."""

    code: str
    path: str
    level: str


@dataclass(frozen=True)
class SourceRow:
    """One row a figure's value was computed from: a station, a volunteer count of a community, an estate..."""

    label: str
    code: str = ""
    area: str = ""
    detail: str = ""

    def as_dict(self) -> dict[str, str]:
        return {"label": self.label, "code": self.code, "area": self.area, "detail": self.detail}


Values = Mapping[str, float | int | None]
Compute = Callable[[Sequence[Any]], Values]
Rows = Callable[[Any, int], Sequence[SourceRow]]


@dataclass(frozen=True)
class Figure:
    """A number a module knows per area (see the module docstring for the rules it keeps)."""

    key: str
    label: Label
    unit: Label
    source: Label
    compute: Compute
    rows: Rows | None = None
    # The levels at which the value means something (a street-only register has nothing to say per community).
    levels: tuple[str, ...] = ("city", "district", "street", "community")
    tags: tuple[str, ...] = field(default=())

    def __post_init__(self) -> None:
        app, dot, name = self.key.partition(".")
        if not (app and dot and name) or not self.key.replace(".", "").replace("_", "").isalnum():
            raise ImproperlyConfigured(
                f"figure key {self.key!r} must read '<app>.<name>' (letters, digits, _)"
            )


_FIGURES: dict[str, Figure] = {}


def register_figure(figure: Figure) -> Figure:
    """Declare a figure (from an AppConfig.ready()). The same figure twice is harmless; two under one key are not."""
    known = _FIGURES.get(figure.key)
    if known is not None and known.compute is not figure.compute:
        raise ImproperlyConfigured(f"two figures registered under {figure.key!r}")
    _FIGURES[figure.key] = figure
    return figure


def register_figures(figures: Iterable[Figure]) -> None:
    for figure in figures:
        register_figure(figure)


def unregister_figure(key: str) -> None:
    """For tests that register a figure of their own."""
    _FIGURES.pop(key, None)


def figure_get(key: str) -> Figure | None:
    return _FIGURES.get(key)


def figures_all() -> list[Figure]:
    return sorted(_FIGURES.values(), key=lambda f: f.key)


# --- Helpers that let a figure answer for a whole city in one query --------------------------------------------


def _common_prefix(areas: Sequence[AreaLike]) -> str:
    """The deepest path all areas lie under (the city for a rollup), to narrow the grouped query."""
    paths = [a.path for a in areas]
    if not paths:
        return PATH_SEPARATOR
    first, last = min(paths), max(paths)
    i = 0
    while i < min(len(first), len(last)) and first[i] == last[i]:
        i += 1
    prefix = first[:i]
    return prefix[: prefix.rfind(PATH_SEPARATOR) + 1] or PATH_SEPARATOR


def _ancestor_codes(path: str) -> list[str]:
    return [c for c in path.split(PATH_SEPARATOR) if c]


def add_up(
    areas: Sequence[AreaLike], per_path: Iterable[tuple[str | None, float | int | None]]
) -> dict[str, float]:
    """Sum values kept per place (an area path) into every wanted area that the place lies under.

    O(places × depth): each place adds its value to its ancestors that are wanted, instead of testing each area
    against each place."""
    wanted = {a.code for a in areas}
    out: dict[str, float] = dict.fromkeys(wanted, 0)
    for path, value in per_path:
        if not path or not value:
            continue
        for code in _ancestor_codes(path):
            if code in wanted:
                out[code] += value
    return out


def sum_under(
    areas: Sequence[AreaLike],
    queryset: QuerySet,
    *,
    path_field: str = "area__path",
    value: Any = None,
) -> dict[str, float]:
    """Per area, the count (or `value`, an aggregate such as Sum("minutes")) of the queryset's rows under it.

    One grouped query under the areas' common root."""
    prefix = _common_prefix(areas)
    rows = (
        queryset.filter(**{f"{path_field}__prefix": prefix})
        .values(path_field)
        .annotate(n=value if value is not None else Count("pk"))
        .order_by()
    )
    return add_up(areas, ((r[path_field], r["n"]) for r in rows))


def count_places_under(
    areas: Sequence[AreaLike],
    queryset: QuerySet,
    *,
    level: str,
    path_field: str = "area__path",
) -> dict[str, float]:
    """Per area, how many places of one level under it (communities: depth 4 of city/district/street/community)
    have at least one row of the queryset at or below them: "communities with a 托 service", "streets with a
    social-work station" (`level="community"`, `level="street"`). The area itself counts when it is of that level
    and has one."""
    level_depth = LEVEL_DEPTH[level] + 1  # the number of codes in the path of an area of that level
    prefix = _common_prefix(areas)
    paths = queryset.filter(**{f"{path_field}__prefix": prefix}).values_list(path_field, flat=True).distinct()
    places = set()
    for path in paths:
        codes = _ancestor_codes(path or "")
        if len(codes) >= level_depth:
            places.add(PATH_SEPARATOR + PATH_SEPARATOR.join(codes[:level_depth]) + PATH_SEPARATOR)
    return add_up(areas, ((p, 1) for p in places))
