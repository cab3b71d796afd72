from __future__ import annotations

from ninja import Schema

from .choices import AreaLevel
from .models import Area


class PopulationOut(Schema):
    value: int
    year: int | None
    source: str
    synthetic: bool
    approximate: bool


class CentroidOut(Schema):
    lng: float
    lat: float
    approximate: bool
    source: str


class AreaBrief(Schema):
    code: str
    name: str
    level: AreaLevel


class AreaListItem(AreaBrief):
    parent: str | None
    kind: str
    synthetic: bool
    has_geometry: bool  # GET /areas/{code}/geometry answers with a boundary (else 404 no_geometry)

    @staticmethod
    def resolve_has_geometry(obj: Area) -> bool:
        annotated = getattr(obj, "has_geometry", None)
        return bool(annotated) if annotated is not None else obj.boundary is not None

    @staticmethod
    def resolve_parent(obj: Area) -> str | None:
        return obj.path.split("/")[-3] if obj.parent_id else None


class AreaDetail(AreaBrief):
    official_name: str
    kind: str
    code_official: bool
    codes: dict
    parent: str | None
    ancestors: list[AreaBrief]
    children: list[AreaBrief]
    centroid: CentroidOut | None
    bbox: list[float] | None
    area_km2: float | None
    has_geometry: bool
    population: PopulationOut | None
    note: str
    synthetic: bool


def area_detail_out(area: Area, *, ancestors: list[Area], children: list[Area]) -> dict:
    centroid = None
    if area.centroid is not None:
        lng, lat = area.centroid
        centroid = {
            "lng": lng,
            "lat": lat,
            "approximate": area.centroid_approximate,
            "source": area.centroid_source,
        }
    population = None
    if area.population is not None:
        population = {
            "value": area.population,
            "year": area.population_year,
            "source": area.population_source,
            "synthetic": area.population_synthetic,
            "approximate": area.population_approximate,
        }
    return {
        "code": area.code,
        "name": area.name,
        "level": area.level,
        "official_name": area.official_name,
        "kind": area.kind,
        "code_official": area.code_official,
        "codes": area.codes,
        "parent": area.parent.code if area.parent else None,
        "ancestors": ancestors,
        "children": children,
        "centroid": centroid,
        "bbox": area.bbox,
        "area_km2": area.area_km2,
        "has_geometry": area.boundary is not None,
        "population": population,
        "note": area.note,
        "synthetic": area.synthetic,
    }
