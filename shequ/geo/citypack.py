"""City packs: the facts of a city's area tree (codes, names, boundaries, population) as versioned files.

A pack is a folder under shequ/geo/citypacks/<name>/ with pack.json (manifest, sources, expected counts),
areas.json (parents before children) and boundaries.geojson. Loading validates the whole pack first and then
writes it in one transaction, so a malformed pack loads nothing; loading twice gives the same rows.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from django.db import transaction
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator
from shapely.geometry import shape

from .choices import LEVEL_DEPTH, AreaLevel
from .models import PATH_SEPARATOR, Area

PACKS_DIR = Path(__file__).resolve().parent / "citypacks"
PACK_LEVELS = ("city", "district", "street", "community")


class CityPackError(Exception):
    """The pack cannot be loaded; the message says which file and which entry."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class PopulationIn(_Strict):
    value: int = Field(ge=0)
    year: int | None = Field(default=None, ge=1900, le=2100)
    source: str = Field(min_length=1)
    synthetic: bool
    approximate: bool


class CodesIn(_Strict):
    mca: str | None = None
    stats2023: str | None = None
    gb12: str | None = None


class AreaIn(_Strict):
    code: str = Field(min_length=2, max_length=32, pattern=r"^[0-9A-Za-z]+$")
    level: Literal["city", "district", "street", "community"]
    name: str = Field(min_length=1, max_length=100)
    official_name: str = Field(max_length=150)
    parent: str | None
    kind: str = Field(max_length=50)
    code_official: bool
    codes: CodesIn
    centroid: tuple[float, float] | None
    centroid_source: str | None
    centroid_approximate: bool
    bbox: tuple[float, float, float, float] | None
    area_km2: float | None = Field(default=None, ge=0)
    population: PopulationIn | None
    boundary: str | None
    note: str | None

    @field_validator("centroid")
    @classmethod
    def _lng_lat(cls, v: tuple[float, float] | None) -> tuple[float, float] | None:
        if v is not None and not (-180 <= v[0] <= 180 and -90 <= v[1] <= 90):
            raise ValueError("centroid must be [lng, lat] in WGS84 degrees")
        return v


class ManifestIn(BaseModel):
    model_config = ConfigDict(extra="allow")
    pack: str
    format: Literal[1]
    name: str
    root: str
    counts: dict[str, int]
    sources: list[dict]
    caveats: list[str]
    files: dict[str, str]


@dataclass
class LoadReport:
    pack: str
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    counts: dict[str, int] = field(default_factory=dict)
    not_in_pack: int = 0

    def summary(self) -> str:
        counts = ", ".join(f"{k} {v}" for k, v in self.counts.items())
        return (
            f"city pack {self.pack}: {counts}; created {self.created}, updated {self.updated}, "
            f"unchanged {self.unchanged}; {self.not_in_pack} existing pack-level areas not in the pack"
        )


def pack_dir(name: str) -> Path:
    return PACKS_DIR / name


def _read_json(path: Path) -> object:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise CityPackError(f"{path}: file not found") from None
    except json.JSONDecodeError as exc:
        raise CityPackError(
            f"{path}: not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})"
        ) from None


def _fmt(exc: ValidationError) -> str:
    return "; ".join(f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors()[:5])


def read_pack(directory: Path) -> tuple[ManifestIn, list[AreaIn], dict[str, dict]]:
    """Parse and check a whole pack without touching the database."""
    raw_manifest = _read_json(directory / "pack.json")
    try:
        manifest = ManifestIn.model_validate(raw_manifest)
    except ValidationError as exc:
        raise CityPackError(f"{directory / 'pack.json'}: {_fmt(exc)}") from None

    areas_path = directory / manifest.files.get("areas", "areas.json")
    raw_areas = _read_json(areas_path)
    if not isinstance(raw_areas, list):
        raise CityPackError(f"{areas_path}: expected a JSON list of areas")
    areas: list[AreaIn] = []
    for i, item in enumerate(raw_areas):
        try:
            areas.append(AreaIn.model_validate(item))
        except ValidationError as exc:
            code = item.get("code") if isinstance(item, dict) else None
            raise CityPackError(f"{areas_path}: entry {i} (code {code!r}): {_fmt(exc)}") from None

    boundaries: dict[str, dict] = {}
    if "boundaries" in manifest.files:
        bpath = directory / manifest.files["boundaries"]
        collection = _read_json(bpath)
        if not isinstance(collection, dict) or collection.get("type") != "FeatureCollection":
            raise CityPackError(f"{bpath}: expected a GeoJSON FeatureCollection")
        for i, feature in enumerate(collection.get("features", [])):
            key = str((feature.get("properties") or {}).get("adcode", ""))
            try:
                geom = shape(feature["geometry"])
            except Exception as exc:
                raise CityPackError(f"{bpath}: feature {i} ({key}): bad geometry ({exc})") from None
            if not key or geom.is_empty or not geom.is_valid:
                raise CityPackError(f"{bpath}: feature {i} ({key!r}): missing adcode or invalid geometry")
            boundaries[key] = feature["geometry"]

    _check_tree(areas_path, manifest, areas, boundaries)
    return manifest, areas, boundaries


def _check_tree(path: Path, manifest: ManifestIn, areas: list[AreaIn], boundaries: dict[str, dict]) -> None:
    seen: dict[str, AreaIn] = {}
    for a in areas:
        if a.code in seen:
            raise CityPackError(f"{path}: code {a.code} appears twice")
        if a.parent is None:
            if a.level != "city" or a.code != manifest.root:
                raise CityPackError(
                    f"{path}: {a.code} has no parent but is not the root city {manifest.root}"
                )
        else:
            parent = seen.get(a.parent)
            if parent is None:
                raise CityPackError(
                    f"{path}: {a.code} names parent {a.parent}, which is missing or comes later"
                )
            if LEVEL_DEPTH[a.level] != LEVEL_DEPTH[parent.level] + 1:
                raise CityPackError(
                    f"{path}: {a.code} ({a.level}) cannot sit under {a.parent} ({parent.level})"
                )
        if a.boundary is not None and a.boundary not in boundaries:
            raise CityPackError(
                f"{path}: {a.code} refers to boundary {a.boundary}, absent from the boundaries"
            )
        seen[a.code] = a
    counts = {level: sum(1 for a in areas if a.level == level) for level in PACK_LEVELS}
    expected = {level: manifest.counts.get(level, 0) for level in PACK_LEVELS}
    if counts != expected:
        raise CityPackError(f"{path}: the pack holds {counts} but its manifest promises {expected}")


_FIELDS = [
    "level",
    "name",
    "official_name",
    "kind",
    "parent_id",
    "path",
    "depth",
    "code_official",
    "codes",
    "centroid_lng",
    "centroid_lat",
    "centroid_source",
    "centroid_approximate",
    "bbox",
    "area_km2",
    "boundary",
    "population",
    "population_year",
    "population_source",
    "population_synthetic",
    "population_approximate",
    "note",
    "source",
    "synthetic",
]


def _values(a: AreaIn, *, parent: Area | None, boundary: dict | None, source: str) -> dict:
    path = f"{parent.path if parent else PATH_SEPARATOR}{a.code}{PATH_SEPARATOR}"
    pop = a.population
    return {
        "level": a.level,
        "name": a.name,
        "official_name": a.official_name,
        "kind": a.kind,
        "parent_id": parent.pk if parent else None,
        "path": path,
        "depth": path.count(PATH_SEPARATOR) - 2,
        "code_official": a.code_official,
        "codes": a.codes.model_dump(),
        "centroid_lng": a.centroid[0] if a.centroid else None,
        "centroid_lat": a.centroid[1] if a.centroid else None,
        "centroid_source": a.centroid_source or "",
        "centroid_approximate": a.centroid_approximate,
        "bbox": list(a.bbox) if a.bbox else None,
        "area_km2": a.area_km2,
        "boundary": boundary,
        "population": pop.value if pop else None,
        "population_year": pop.year if pop else None,
        "population_source": pop.source if pop else "",
        "population_synthetic": pop.synthetic if pop else False,
        "population_approximate": pop.approximate if pop else False,
        "note": a.note or "",
        "source": source,
        "synthetic": False,
    }


def load_city_pack(name: str, *, directory: Path | None = None) -> LoadReport:
    """Validate the pack, then upsert every area by code in one transaction (bulk, level by level)."""
    directory = directory or pack_dir(name)
    if not directory.is_dir():
        raise CityPackError(f"no city pack named {name!r} (looked in {directory})")
    manifest, areas, boundaries = read_pack(directory)
    source = f"citypack:{manifest.pack}"
    report = LoadReport(pack=manifest.pack, counts={lvl: manifest.counts.get(lvl, 0) for lvl in PACK_LEVELS})

    with transaction.atomic():
        existing = {a.code: a for a in Area.objects.filter(code__in=[a.code for a in areas])}
        by_code: dict[str, Area] = {}
        for level in PACK_LEVELS:
            to_create: list[Area] = []
            to_update: list[Area] = []
            for a in (x for x in areas if x.level == level):
                parent = by_code[a.parent] if a.parent else None
                values = _values(a, parent=parent, boundary=boundaries.get(a.boundary or ""), source=source)
                obj = existing.get(a.code)
                if obj is None:
                    obj = Area(code=a.code, **values)
                    to_create.append(obj)
                elif any(getattr(obj, k) != v for k, v in values.items()):
                    for k, v in values.items():
                        setattr(obj, k, v)
                    to_update.append(obj)
                else:
                    report.unchanged += 1
                by_code[a.code] = obj
            if to_create:
                Area.objects.bulk_create(to_create, batch_size=500)
                report.created += len(to_create)
            if to_update:
                Area.objects.bulk_update(to_update, _FIELDS, batch_size=500)
                report.updated += len(to_update)
        report.not_in_pack = (
            Area.objects.filter(source=source, level__in=PACK_LEVELS).exclude(code__in=by_code.keys()).count()
        )
    return report


__all__ = ["AreaLevel", "CityPackError", "LoadReport", "load_city_pack", "read_pack"]
