import pytest
from django.utils.translation import gettext, override

from shequ.facilities.choices import DEFAULT_TYPES

from .helpers import ORIGIN, community, east_of, make_facility, north_of

pytestmark = pytest.mark.django_db
NEAR = f"{ORIGIN[0]},{ORIGIN[1]}"


def zh(msgid: str) -> str:
    with override("zh-hans"):  # the API answers in Chinese first (ChineseFirstLocaleMiddleware)
        return gettext(msgid)


ALL_WEEK = {d: [["00:00", "24:00"]] for d in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}


def test_anyone_lists_facilities_near_a_point_nearest_first(client):
    make_facility("远", north_of(800))
    make_facility("近", east_of(200))
    make_facility("太远", north_of(5000))
    r = client.get("/api/v1/facilities", {"near": NEAR, "radius": "1200"})
    assert r.status_code == 200
    items = r.json()["items"]
    assert [i["name"] for i in items] == ["近", "远"]
    assert items[0]["distance_m"] == pytest.approx(200, abs=2)
    assert items[0]["walk_minutes"] == 3  # 200 m at 80 m a minute, rounded up
    assert items[0]["type"]["code"] == "health"
    assert items[0]["phone"] == "0755-83451234"  # a public service landline, not personal data


def test_filters_by_type_area_and_open_now(client):
    make_facility("警务室", north_of(100), type="police", hours=ALL_WEEK)
    make_facility("从不开门的站", north_of(200), type="volunteer", hours={})
    other = community("粤海街道", "440305")
    make_facility("粤海社康", (22.53, 113.94), area=other)
    assert [i["name"] for i in client.get("/api/v1/facilities", {"type": "police"}).json()["items"]] == [
        "警务室"
    ]
    by_area = client.get("/api/v1/facilities", {"area": other.parent.code}).json()["items"]
    assert [i["name"] for i in by_area] == ["粤海社康"]
    open_now = client.get("/api/v1/facilities", {"near": NEAR, "open_now": "true"}).json()["items"]
    assert [i["name"] for i in open_now] == ["警务室"]
    assert open_now[0]["open_now"] is True and open_now[0]["hours_today"] == zh("Open all day")


@pytest.mark.parametrize(
    "params,field",
    [
        ({"near": "abc"}, "near"),
        ({"near": "22.5"}, "near"),
        ({"near": "91,114"}, "near"),
        ({"near": "22.5,181"}, "near"),
        ({"near": NEAR, "radius": "0"}, "radius"),
        ({"near": NEAR, "radius": "50000"}, "radius"),
        ({"near": NEAR, "radius": "far"}, "radius"),
    ],
)
def test_a_bad_location_or_radius_is_a_400_in_the_error_shape(client, params, field):
    r = client.get("/api/v1/facilities", params)
    assert r.status_code == 400
    body = r.json()
    assert set(body) == {"code", "message", "fields"}
    assert body["code"] == "invalid" and field in body["fields"]


def test_an_unknown_area_is_a_404_in_the_error_shape(client):
    r = client.get("/api/v1/facilities", {"area": "999999"})
    assert r.status_code == 404 and r.json()["code"] == "not_found"


def test_the_types_and_one_facility_are_public(client):
    types = client.get("/api/v1/facilities/types").json()
    assert [t["code"] for t in types] == [row[0] for row in DEFAULT_TYPES]
    f = make_facility("社康", north_of(10))
    r = client.get(f"/api/v1/facilities/{f.pk}")
    assert r.status_code == 200 and r.json()["name"] == "社康" and r.json()["distance_m"] is None
    missing = client.get(f"/api/v1/facilities/{f.pk + 1000}")
    assert missing.status_code == 404 and set(missing.json()) == {"code", "message", "fields"}


def test_the_list_runs_a_constant_number_of_queries(client, django_assert_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    make_facility("社康0", north_of(10))
    with CaptureQueriesContext(connection) as few:
        client.get("/api/v1/facilities", {"near": NEAR})
    for i in range(15):
        make_facility(f"社康{i + 1}", north_of(20 + i), type="police")
    with CaptureQueriesContext(connection) as many:
        assert len(client.get("/api/v1/facilities", {"near": NEAR}).json()["items"]) == 16
    assert len(many.captured_queries) == len(few.captured_queries)
