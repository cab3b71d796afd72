"""The 15-minute circle by population, computed and stored (issue 29): a command and a nightly job call
circle_compute; pages and indicators read the stored rows only.

The walking network's import format (walknet_load, `manage.py walknet_import FILE`) is GeoJSON: a
FeatureCollection of LineString or MultiLineString features in WGS84 ([lng, lat] pairs, as GeoJSON writes them),
one feature per footway, pavement, crossing or path (what an OpenStreetMap extract of highway=footway, path,
pedestrian, residential, living_street, steps gives once converted with ogr2ogr or osmium export). Consecutive
coordinates are joined by an edge both ways, as long as the great-circle distance between them; lines that share a
coordinate (to 0.1 m) share a node. Properties are ignored. Loading replaces the whole network.
"""

from __future__ import annotations

import time
from collections import defaultdict
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from shequ.audit.services import audit_record
from shequ.core.errors import ShequError
from shequ.geo.choices import AreaLevel
from shequ.geo.models import Area

from .circle import Network, Place, crow_distances, greedy_sites, network_distances
from .geodesy import haversine_m
from .models import (
    BuildingReach,
    CandidateSite,
    CircleCoverage,
    CircleRun,
    Facility,
    FacilityType,
    SiteSuggestion,
    WalkEdge,
    WalkNode,
)

SUGGESTIONS_PER_TYPE = 5
COMMUNITY_DEPTH = 4  # path segments: city, district, street, community
STREET_DEPTH = 3
MAX_NETWORK_EDGES = 2_000_000


@dataclass
class _Building:
    place: Place
    community: str  # community code
    street: str
    synthetic: bool


def _segments(path: str) -> list[str]:
    return [p for p in path.split("/") if p]


def _load_buildings() -> tuple[list[_Building], int]:
    rows = Area.objects.filter(level=AreaLevel.BUILDING).values_list(
        "pk", "path", "centroid_lat", "centroid_lng", "population", "population_synthetic"
    )
    located: list[_Building] = []
    unlocated = 0
    for pk, path, lat, lng, population, synthetic in rows.iterator(chunk_size=5000):
        seg = _segments(path)
        if lat is None or lng is None or population is None or len(seg) <= COMMUNITY_DEPTH:
            unlocated += 1
            continue
        located.append(
            _Building(
                Place(pk, lat, lng, population), seg[COMMUNITY_DEPTH - 1], seg[STREET_DEPTH - 1], synthetic
            )
        )
    return located, unlocated


def _load_network() -> Network | None:
    if not WalkEdge.objects.exists():
        return None
    return Network.build(
        WalkNode.objects.values_list("pk", "lat", "lng").iterator(chunk_size=10000),
        WalkEdge.objects.values_list("a_id", "b_id", "metres").iterator(chunk_size=10000),
    )


def circle_compute(*, actor=None, suggestions: int = SUGGESTIONS_PER_TYPE) -> CircleRun:
    """Every building against every required facility type; the rows of the pages replaced in one transaction."""
    started, clock = timezone.now(), time.perf_counter()
    types = list(FacilityType.objects.filter(in_circle=True, is_active=True).order_by("sort", "code"))
    buildings, unlocated = _load_buildings()
    places = [b.place for b in buildings]
    by_type: dict[str, list[Place]] = defaultdict(list)
    for pk, code, lat, lng in Facility.objects.filter(is_active=True, type__in=types).values_list(
        "pk", "type__code", "lat", "lng"
    ):
        by_type[code].append(Place(pk, lat, lng))
    network = _load_network()
    snapper = network.snapper() if network else None

    crow: dict[int, dict[str, int]] = defaultdict(dict)
    walk: dict[int, dict[str, int]] = defaultdict(dict)
    on_network: set[int] = set()
    for t in types:
        for key, d in crow_distances(places, by_type[t.code]).items():
            crow[key][t.code] = round(d)
        if network is not None:
            found, on_network = network_distances(network, places, by_type[t.code], snapper=snapper)
            for key, d in found.items():
                walk[key][t.code] = round(d)

    communities = dict(
        Area.objects.filter(level=AreaLevel.COMMUNITY, code__in={b.community for b in buildings}).values_list(
            "code", "pk"
        )
    )
    streets = dict(
        Area.objects.filter(level=AreaLevel.STREET, code__in={b.street for b in buildings}).values_list(
            "code", "pk"
        )
    )

    def reaches(b: _Building, code: str) -> bool:
        """The measure a gap is judged by: on foot where the building is on the network, else the crow's."""
        if b.place.key in on_network:
            return code in walk[b.place.key]
        return code in crow[b.place.key]

    with transaction.atomic():
        BuildingReach.objects.all().delete()
        BuildingReach.objects.bulk_create(
            (
                BuildingReach(
                    building_id=b.place.key,
                    community_id=communities[b.community],
                    lat=b.place.lat,
                    lng=b.place.lng,
                    population=b.place.weight,
                    population_synthetic=b.synthetic,
                    crow=crow.get(b.place.key, {}),
                    network=walk.get(b.place.key, {}) if b.place.key in on_network else None,
                )
                for b in buildings
                if b.community in communities
            ),
            batch_size=2000,
        )
        CircleCoverage.objects.all().delete()
        per_community: dict[str, list[_Building]] = defaultdict(list)
        for b in buildings:
            per_community[b.community].append(b)
        rows = []
        for code, members in per_community.items():
            if code not in communities:
                continue
            population = sum(b.place.weight for b in members)
            netted = [b for b in members if b.place.key in on_network]
            for t in types:
                rows.append(
                    CircleCoverage(
                        community_id=communities[code],
                        type=t,
                        buildings=len(members),
                        population=population,
                        covered_crow=sum(b.place.weight for b in members if t.code in crow[b.place.key]),
                        covered_network=(
                            sum(b.place.weight for b in netted if t.code in walk[b.place.key])
                            if netted
                            else None
                        ),
                        network_population=sum(b.place.weight for b in netted),
                        synthetic=any(b.synthetic for b in members),
                        computed_at=started,
                    )
                )
        CircleCoverage.objects.bulk_create(rows, batch_size=2000)

        SiteSuggestion.objects.all().delete()
        per_street: dict[str, list[_Building]] = defaultdict(list)
        for b in buildings:
            per_street[b.street].append(b)
        sites: dict[str, list[Place]] = defaultdict(list)
        for pk, path, lat, lng in CandidateSite.objects.filter(is_active=True).values_list(
            "pk", "area__path", "lat", "lng"
        ):
            seg = _segments(path)
            if len(seg) >= STREET_DEPTH:
                sites[seg[STREET_DEPTH - 1]].append(Place(pk, lat, lng))
        picks = []
        for street_code, members in per_street.items():
            if street_code not in streets or not sites.get(street_code):
                continue
            population = sum(b.place.weight for b in members)
            for t in types:
                uncovered = [b.place for b in members if not reaches(b, t.code)]
                if not uncovered:
                    continue
                already = population - sum(p.weight for p in uncovered)
                for rank, pick in enumerate(
                    greedy_sites(uncovered, sites[street_code], already_covered=already, limit=suggestions),
                    start=1,
                ):
                    picks.append(
                        SiteSuggestion(
                            street_id=streets[street_code],
                            type=t,
                            rank=rank,
                            site_id=pick.candidate,
                            adds=pick.adds,
                            covered_after=pick.covered_after,
                            population=population,
                            computed_at=started,
                        )
                    )
        SiteSuggestion.objects.bulk_create(picks, batch_size=2000)
        run = CircleRun.objects.create(
            started_at=started,
            seconds=round(time.perf_counter() - clock, 3),
            buildings=len(buildings),
            buildings_unlocated=unlocated,
            network_nodes=len(network.nodes) if network else 0,
        )
        audit_record(
            action="facilities.circle_compute",
            actor=actor,
            actor_username="" if actor else "system",
            obj=run,
            object_repr=f"{len(buildings)} buildings",
            changes={"coverage_rows": {"after": len(rows)}, "suggestions": {"after": len(picks)}},
        )
    return run


def _coordinates(geometry: object) -> list[list[list[float]]]:
    if not isinstance(geometry, dict):
        return []
    kind, coords = geometry.get("type"), geometry.get("coordinates")
    if kind == "LineString" and isinstance(coords, list):
        return [coords]
    if kind == "MultiLineString" and isinstance(coords, list):
        return [c for c in coords if isinstance(c, list)]
    return []


@transaction.atomic
def walknet_load(*, actor=None, collection: object) -> tuple[int, int]:
    """Replace the walking network with a GeoJSON FeatureCollection of lines (format in the module docstring).
    Refuses the whole file, naming the feature, on the first bad coordinate; writes nothing then."""
    if not isinstance(collection, dict) or collection.get("type") != "FeatureCollection":
        raise ShequError(_("The walking network must be a GeoJSON FeatureCollection."), code="invalid")
    features = collection.get("features")
    if not isinstance(features, list):
        raise ShequError(_("The walking network must be a GeoJSON FeatureCollection."), code="invalid")
    keys: dict[tuple[float, float], int] = {}
    points: list[tuple[float, float]] = []
    edges: list[tuple[int, int, float]] = []
    for number, feature in enumerate(features, start=1):
        lines = _coordinates(feature.get("geometry") if isinstance(feature, dict) else None)
        if not lines:
            raise ShequError(
                _("Feature %(n)d is not a LineString or MultiLineString.") % {"n": number},
                code="invalid",
                fields={"feature": str(number)},
            )
        for line in lines:
            previous = None
            for pair in line:
                try:
                    lng, lat = float(pair[0]), float(pair[1])
                except (TypeError, ValueError, IndexError):
                    lng = lat = float("nan")
                if not (-90 <= lat <= 90 and -180 <= lng <= 180):
                    raise ShequError(
                        _("Feature %(n)d has a coordinate that is not [longitude, latitude] in WGS84.")
                        % {"n": number},
                        code="invalid",
                        fields={"feature": str(number)},
                    )
                key = (round(lat, 6), round(lng, 6))
                if key not in keys:
                    keys[key] = len(points)
                    points.append(key)
                here = keys[key]
                if previous is not None and previous != here:
                    a, b = points[previous], points[here]
                    edges.append((previous, here, haversine_m(a[0], a[1], b[0], b[1])))
                previous = here
    if len(edges) > MAX_NETWORK_EDGES:
        raise ShequError(_("The walking network is too large to load at once."), code="invalid")
    WalkEdge.objects.all().delete()
    WalkNode.objects.all().delete()
    nodes = WalkNode.objects.bulk_create([WalkNode(lat=lat, lng=lng) for lat, lng in points], batch_size=5000)
    ids = [n.pk for n in nodes]
    WalkEdge.objects.bulk_create(
        [WalkEdge(a_id=ids[a], b_id=ids[b], metres=round(m, 2)) for a, b, m in edges], batch_size=5000
    )
    audit_record(
        action="facilities.walknet_load",
        actor=actor,
        actor_username="" if actor else "system",
        object_repr=f"{len(points)} nodes, {len(edges)} edges",
        changes={"nodes": {"after": len(points)}, "edges": {"after": len(edges)}},
    )
    return len(points), len(edges)


# --- reads for the pages ----------------------------------------------------------------------------------------


def circle_streets_for(*, user):
    """The streets whose coverage the user may read: those under his facilities.manage areas, or above them."""
    from django.db.models import Q

    from shequ.access.scoping import scope_for
    from shequ.accounts.roles import Action

    condition = Q(pk__in=[])
    for path in scope_for(user, Action.FACILITIES_MANAGE).paths:
        condition |= Q(path__prefix=path)
    return Area.objects.filter(condition, level=AreaLevel.STREET).select_related("parent").order_by("code")
