"""Public read API of the area tree: /api/v1/areas."""

from django.http import HttpRequest, JsonResponse
from ninja import Query, Router, Schema
from ninja.pagination import paginate

from shequ.core.api.errors import errors
from shequ.core.errors import NotFound

from . import selectors
from .choices import AreaLevel
from .schemas import AreaDetail, AreaListItem, area_detail_out

router = Router(tags=["areas"])


class AreaFilters(Schema):
    level: AreaLevel | None = None
    parent: str | None = None
    under: str | None = None
    q: str | None = None


@router.get("/areas", response={200: list[AreaListItem], **errors(404)}, auth=None, summary="List areas")
@paginate
def list_areas(request: HttpRequest, filters: Query[AreaFilters]):
    """Areas filtered by level, direct parent (`parent`) or any ancestor (`under`), paged."""
    return selectors.area_list(level=filters.level, parent=filters.parent, under=filters.under, q=filters.q)


@router.get("/areas/{code}", response={200: AreaDetail, **errors(404)}, auth=None, summary="One area")
def get_area(request: HttpRequest, code: str):
    area = selectors.area_get(code=code)
    return area_detail_out(
        area, ancestors=list(area.ancestors()), children=list(selectors.area_children(area=area))
    )


@router.get(
    "/areas/{code}/geometry",
    auth=None,
    summary="An area's boundary as GeoJSON",
    response={200: dict, **errors(404)},
)
def get_area_geometry(request: HttpRequest, code: str):
    area = selectors.area_get(code=code)
    if area.boundary is None:
        raise NotFound(
            f"No boundary is recorded for {area.name} ({area.code}); only an approximate point may exist.",
            code="no_geometry",
            fields={"code": code},
        )
    feature = {
        "type": "Feature",
        "id": area.code,
        "properties": {"code": area.code, "name": area.name, "level": area.level, "source": area.source},
        "geometry": area.boundary,
    }
    return JsonResponse(
        feature, content_type="application/geo+json", json_dumps_params={"ensure_ascii": False}
    )
