"""The 15-minute circle by population (issue 29): coverage on a small hand-built tree against a hand count, as the
crow flies and along a small synthetic walking network; greedy site choice on a hand example; the page."""

import random

import pytest

from shequ.access.testing import PermissionMatrixMixin, sign_in
from shequ.facilities.circle import Place, crow_distances, crow_distances_brute, greedy_sites
from shequ.facilities.coverage import circle_compute, walknet_load
from shequ.facilities.models import CandidateSite, CircleCoverage, FacilityType, SiteSuggestion, WalkNode
from shequ.geo.choices import AreaLevel
from shequ.geo.models import Area

from .helpers import ORIGIN, community, east_of, make_facility, north_of

pytestmark = pytest.mark.django_db


def _point(north: float = 0, east: float = 0, origin=ORIGIN) -> tuple[float, float]:
    return north_of(north, east_of(east, origin))


def _buildings(home: Area, spec: list[tuple[str, tuple[float, float] | None, int | None]]) -> list[Area]:
    grid = Area.objects.create(code=f"{home.code}91", level=AreaLevel.GRID, name="测试网格", parent=home)
    estate = Area.objects.create(code=f"{grid.code}01", level=AreaLevel.ESTATE, name="测试小区", parent=grid)
    made = []
    for i, (name, point, population) in enumerate(spec, start=1):
        made.append(
            Area.objects.create(
                code=f"{estate.code}{i:03d}",
                level=AreaLevel.BUILDING,
                name=name,
                parent=estate,
                centroid_lat=point[0] if point else None,
                centroid_lng=point[1] if point else None,
                population=population,
                population_synthetic=True,
            )
        )
    return made


@pytest.fixture
def huafu_tree(db):
    """A health centre at the origin; A 500 m north (100 people), B 1,100 m north (200), C 1,500 m east (300),
    D without a point (not counted). By hand: 300 of 600 within 1,200 m as the crow flies."""
    home = community()
    make_facility("华富社康", ORIGIN, type="health", area=home)
    a, b, c, d = _buildings(
        home,
        [
            ("A栋", _point(north=500), 100),
            ("B栋", _point(north=1100), 200),
            ("C栋", _point(east=1500), 300),
            ("D栋", None, None),
        ],
    )
    return home, (a, b, c, d)


def test_coverage_as_the_crow_flies_matches_the_hand_count(huafu_tree):
    home, _ = huafu_tree
    run = circle_compute()
    row = CircleCoverage.objects.get(community=home, type__code="health")
    assert (row.population, row.covered_crow, row.buildings) == (600, 300, 3)
    assert row.share_crow == 0.5 and row.synthetic and row.covered_network is None
    # Nobody reaches a type with no facility at all; types outside the circle are not counted.
    assert CircleCoverage.objects.get(community=home, type__code="elderly").covered_crow == 0
    assert not CircleCoverage.objects.filter(type__code="police").exists()
    assert run.buildings >= 3 and run.buildings_unlocated >= 1


def _line(*points: tuple[float, float]) -> dict:
    return {
        "type": "Feature",
        "geometry": {"type": "LineString", "coordinates": [[p[1], p[0]] for p in points]},
    }


def test_along_a_walking_network_the_detour_counts(huafu_tree):
    """The network: origin → A (500 m north, straight); origin → P (600 m east) → B (1,253 m diagonal), so B is
    1,853 m away on foot; P → C (900 m east), 1,500 m. By hand only A's 100 of 600 walk there in 15 minutes."""
    home, _ = huafu_tree
    o, p = _point(), _point(east=600)
    walknet_load(
        collection={
            "type": "FeatureCollection",
            "features": [
                _line(o, _point(north=500)),
                _line(o, p, _point(north=1100)),
                _line(p, _point(east=1500)),
            ],
        }
    )
    assert WalkNode.objects.count() == 5
    circle_compute()
    row = CircleCoverage.objects.get(community=home, type__code="health")
    assert (row.covered_crow, row.covered_network, row.network_population) == (300, 100, 600)
    assert round(100 * row.share_network) == 17


def test_a_bad_walking_network_is_refused_and_the_loaded_one_kept(huafu_tree):
    from shequ.core.errors import ShequError

    walknet_load(collection={"type": "FeatureCollection", "features": [_line(_point(), _point(north=500))]})
    with pytest.raises(ShequError) as refused:
        walknet_load(
            collection={
                "type": "FeatureCollection",
                "features": [
                    _line(_point(), _point(east=10)),
                    {"type": "Feature", "geometry": {"type": "Point"}},
                ],
            }
        )
    assert "2" in refused.value.message and WalkNode.objects.count() == 2


def test_greedy_site_choice_on_a_hand_example():
    """Uncovered: U1 (100) at 0 m, U2 (100) at 2,000 m, U3 (150) at 4,000 m east. S1 at 1,000 m reaches U1 and U2
    (200), S2 at 4,000 m reaches U3 (150), S3 at 3,000 m reaches U2 and U3 (250). Greedy: S3 (+250), then S1
    (+100: U2 is taken), then nothing adds anyone."""
    u = [Place(1, *_point(east=0), 100), Place(2, *_point(east=2000), 100), Place(3, *_point(east=4000), 150)]
    s = [Place(11, *_point(east=1000)), Place(12, *_point(east=4000)), Place(13, *_point(east=3000))]
    picks = greedy_sites(u, s, already_covered=50, limit=5)
    assert [(p.candidate, p.adds, p.covered_after) for p in picks] == [(13, 250, 300), (11, 100, 400)]


def test_the_grid_finds_what_the_brute_force_finds():
    rng = random.Random(7)
    buildings = [Place(i, *_point(rng.uniform(-5000, 5000), rng.uniform(-5000, 5000)), 1) for i in range(400)]
    facilities = [Place(i, *_point(rng.uniform(-5000, 5000), rng.uniform(-5000, 5000))) for i in range(30)]
    fast, slow = crow_distances(buildings, facilities), crow_distances_brute(buildings, facilities)
    assert fast.keys() == slow.keys() and 0 < len(fast) < 400
    assert all(abs(fast[k] - slow[k]) < 1e-6 for k in fast)


def test_stored_suggestions_add_the_uncovered_residents(huafu_tree):
    home, _ = huafu_tree
    CandidateSite.objects.create(
        name="华富闲置房产1号", area=home, lat=_point(east=1400)[0], lng=_point(east=1400)[1]
    )
    CandidateSite.objects.create(name="华富闲置房产2号", area=home, lat=_point(north=-2000)[0], lng=ORIGIN[1])
    circle_compute()
    found = list(SiteSuggestion.objects.filter(street=home.parent, type__code="health"))
    assert [(s.rank, s.site.name, s.adds, s.covered_after, s.population) for s in found] == [
        (1, "华富闲置房产1号", 300, 600, 600)
    ]


@pytest.fixture
def yuehai_tree(db):
    home = community("粤海街道", "440305")
    origin = (22.53, 113.94)
    make_facility("粤海社康", origin, type="health", area=home)
    _buildings(home, [("甲栋", origin, 120), ("乙栋", _point(east=2000, origin=origin), 80)])
    CandidateSite.objects.create(
        name="粤海闲置房产", area=home, lat=origin[0], lng=_point(east=2100, origin=origin)[1], floor_m2=300
    )
    circle_compute()
    return home


class TestPermissionMatrix(PermissionMatrixMixin):
    def test_the_circle_page_is_for_those_who_keep_facilities(self, client, cast, yuehai_tree):
        huafu = Area.objects.get(level="street", name="华富街道")
        self.assert_permission_matrix(
            client,
            url=f"/console/facilities/circle/?street={yuehai_tree.parent.code}",
            in_scope=cast["wangqiang"],
            no_role=cast["lina"],
            page=True,
        )
        # Another street looks exactly like one that does not exist.
        sign_in(client, cast["wangqiang"])
        other = client.get(f"/console/facilities/circle/?street={huafu.code}")
        missing = client.get("/console/facilities/circle/?street=999999999")
        assert other.status_code == missing.status_code == 404 and other.content == missing.content

    def test_the_export(self, client, cast, yuehai_tree):
        self.assert_permission_matrix(
            client,
            url=f"/console/facilities/circle/export.xlsx?street={yuehai_tree.parent.code}",
            in_scope=cast["wangqiang"],
            no_role=cast["lina"],
            page=True,
        )


def test_the_page_shows_coverage_gaps_and_the_suggested_site(client, cast, yuehai_tree):
    sign_in(client, cast["wangqiang"])
    page = client.get(
        f"/console/facilities/circle/?street={yuehai_tree.parent.code}&type=health",
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    ).content.decode()
    assert "15分钟服务圈" in page and yuehai_tree.name in page
    assert "60%" in page  # 120 of 200 residents reach the health centre
    assert "80 名居民" in page  # 乙栋's 80 residents are the gap
    assert "粤海闲置房产" in page and "+80" in page and "100%" in page
    export = client.get(f"/console/facilities/circle/export.csv?street={yuehai_tree.parent.code}")
    assert yuehai_tree.name in export.content.decode("utf-8-sig")


def test_the_required_types_are_data():
    assert set(FacilityType.objects.filter(in_circle=True).values_list("code", flat=True)) >= {
        "health",
        "elderly",
    }
    assert FacilityType.objects.filter(code="social_work", name="社工站").exists()


def test_the_demo_places_buildings_flags_them_synthetic_and_computes_the_circle(db):
    from shequ.facilities.demo import seed_circle, seed_facilities

    home = community()
    seed_facilities(streets=[home.parent])
    _buildings(home, [("一栋", None, None), ("二栋", None, None)])
    made = seed_circle(streets=[home.parent])
    assert made["buildings"] == 2 and made["candidate_sites"] >= 3
    placed = Area.objects.filter(level="building", parent__parent__parent=home)
    assert all(b.population_synthetic and b.centroid_lat for b in placed)
    row = CircleCoverage.objects.get(community=home, type__code="party_service")
    assert row.synthetic and row.population == sum(b.population for b in placed)
    assert seed_circle(streets=[home.parent]) == {"buildings": 0, "candidate_sites": 0}
