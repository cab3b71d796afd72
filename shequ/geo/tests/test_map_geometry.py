"""Maps ask only for boundaries that exist (issue 21): the area list says which areas have one, so a map page
no longer asks for 大鹏新区's and 深汕特别合作区's and logs two 404s."""

import re

import pytest

from shequ.access.testing import sign_in

pytestmark = pytest.mark.django_db


def test_the_district_list_says_which_districts_have_a_boundary(client):
    items = client.get("/api/v1/areas", {"level": "district", "limit": 50}).json()["items"]
    without = {d["code"] for d in items if not d["has_geometry"]}
    assert without == {"4403DP", "4403SS"}
    for d in items:
        r = client.get(f"/api/v1/areas/{d['code']}/geometry")
        assert r.status_code == (200 if d["has_geometry"] else 404), d["code"]


def test_the_list_does_not_load_the_boundaries(client, django_assert_max_num_queries):
    with django_assert_max_num_queries(3) as captured:
        client.get("/api/v1/areas", {"level": "district", "limit": 50})
    # Selected only as "boundary IS NOT NULL", never the column itself.
    assert not any(re.search(r'"boundary"(,| FROM)', q["sql"]) for q in captured.captured_queries)


def test_elder_mode_loads_no_map_on_the_location_step(client, cast):
    sign_in(client, cast["zhangwei"])
    client.post("/appeals/new/", {"text": "楼下垃圾桶满了溢出来，苍蝇很多"})
    normal = client.get("/appeals/new/location/").content.decode()
    assert "leaflet.js" in normal and "pick-map.js" in normal and "使用我的位置" in normal
    client.cookies["shequ_elder"] = "1"
    elder = client.get("/appeals/new/location/").content.decode()
    assert "leaflet.js" not in elder and "pick-map.js" not in elder
