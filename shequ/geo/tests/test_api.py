import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

pytestmark = pytest.mark.django_db


def test_streets_of_futian_are_listed_with_count_and_items(client):
    r = client.get("/api/v1/areas", {"level": "street", "parent": "440304"})
    assert r.status_code == 200
    body = r.json()
    assert body["count"] == 10
    assert {i["name"] for i in body["items"]} >= {"华富街道", "福田街道", "莲花街道"}
    assert all(i["level"] == "street" and i["parent"] == "440304" for i in body["items"])


def test_area_list_is_paged(client):
    r = client.get("/api/v1/areas", {"level": "community", "limit": 20, "offset": 40})
    body = r.json()
    assert body["count"] == 783 and len(body["items"]) == 20


def test_area_list_runs_a_constant_number_of_queries(client):
    with CaptureQueriesContext(connection) as small:
        client.get("/api/v1/areas", {"level": "district"})
    with CaptureQueriesContext(connection) as big:
        client.get("/api/v1/areas", {"level": "community", "limit": 100})
    assert len(small) == len(big) <= 3


def test_under_filter_finds_every_descendant(client):
    r = client.get("/api/v1/areas", {"under": "440304", "level": "community", "limit": 1})
    assert r.json()["count"] > 50


def test_area_detail_has_ancestors_children_centroid_and_population(client):
    r = client.get("/api/v1/areas/440304")
    assert r.status_code == 200
    a = r.json()
    assert a["name"] == "福田区" and a["level"] == "district"
    assert [x["code"] for x in a["ancestors"]] == ["440300"]
    assert len(a["children"]) == 10
    assert a["centroid"]["approximate"] is False and 113.9 < a["centroid"]["lng"] < 114.2
    assert a["population"] == {
        "value": 1550000,
        "year": 2020,
        "source": a["population"]["source"],
        "synthetic": False,
        "approximate": True,
    }
    assert a["has_geometry"] is True


def test_community_detail_lists_all_ancestors_in_order(client):
    street = client.get("/api/v1/areas", {"level": "street", "parent": "440304", "q": "华富"}).json()[
        "items"
    ][0]
    community = client.get("/api/v1/areas", {"parent": street["code"], "limit": 1}).json()["items"][0]
    a = client.get(f"/api/v1/areas/{community['code']}").json()
    assert [x["level"] for x in a["ancestors"]] == ["city", "district", "street"]
    assert a["population"]["synthetic"] is True


def test_geometry_is_geojson_where_a_boundary_exists(client):
    r = client.get("/api/v1/areas/440304/geometry")
    assert r.status_code == 200
    assert r["Content-Type"].startswith("application/geo+json")
    feature = r.json()
    assert feature["type"] == "Feature" and feature["geometry"]["type"] in ("Polygon", "MultiPolygon")


def test_geometry_of_a_street_is_404_because_there_is_no_boundary(client):
    r = client.get("/api/v1/areas/440304001/geometry")
    assert r.status_code == 404
    assert r.json()["code"] == "no_geometry"


def test_unknown_code_is_404_in_the_error_shape(client):
    r = client.get("/api/v1/areas/999999")
    assert r.status_code == 404
    assert r.json() == {
        "code": "not_found",
        "message": "No area has the code '999999'.",
        "fields": {"code": "999999"},
    }


def test_unknown_parent_is_404(client):
    r = client.get("/api/v1/areas", {"parent": "123"})
    assert r.status_code == 404 and r.json()["fields"] == {"parent": "123"}


@pytest.mark.parametrize(
    "params,field",
    [
        ({"level": "planet"}, "level"),
        ({"limit": "-5"}, "limit"),
        ({"offset": "abc"}, "offset"),
    ],
)
def test_bad_parameters_are_400_with_the_field_named(client, params, field):
    r = client.get("/api/v1/areas", params)
    assert r.status_code == 400
    body = r.json()
    assert body["code"] == "invalid" and field in body["fields"], body


def test_openapi_document_describes_the_area_endpoints(client):
    r = client.get("/api/v1/openapi.json")
    assert r.status_code == 200
    paths = r.json()["paths"]
    assert {"/api/v1/areas", "/api/v1/areas/{code}", "/api/v1/areas/{code}/geometry"} <= set(paths)
