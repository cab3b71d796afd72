import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from shequ.access.testing import sign_in

from .helpers import ORIGIN, community, east_of, make_facility, north_of

pytestmark = pytest.mark.django_db


def test_the_page_asks_for_a_place_when_none_is_given(client):
    r = client.get("/services/")
    assert r.status_code == 200
    assert b'id="locate"' in r.content and b'name="district"' in r.content
    assert b"tel:" not in r.content


def test_with_a_location_the_page_lists_nearest_first_with_distance_walk_and_a_tel_link(client):
    make_facility("远处社康", north_of(1000))
    make_facility("近处警务室", east_of(350), type="police", phone="0755-83450110")
    r = client.get("/services/", {"lat": f"{ORIGIN[0]}", "lng": f"{ORIGIN[1]}", "radius": "1200"})
    text = r.content.decode()
    assert r.status_code == 200
    assert text.index("近处警务室") < text.index("远处社康")
    assert 'href="tel:075583450110"' in text
    assert "350" in text and "1.0" in text  # 350 m and 1.0 km
    assert 'name="district"' not in text  # the location replaces the community picker


def test_a_community_picked_without_javascript_lists_its_facilities(client):
    here = community()
    make_facility("本社区社康", north_of(10), area=here)
    make_facility("别的街道的社康", north_of(10), area=community("粤海街道", "440305"))
    r = client.get("/services/", {"district": "", "street": "", "community": here.code})
    text = r.content.decode()
    assert "本社区社康" in text and "别的街道的社康" not in text
    assert f'value="{here.code}" selected' in text


def test_a_bad_location_shows_a_message_and_no_list(client):
    make_facility("测试站点甲", north_of(10))
    r = client.get("/services/", {"lat": "abc", "lng": "114"})
    assert r.status_code == 200
    assert b'role="alert"' in r.content and "测试站点甲".encode() not in r.content


def test_a_signed_in_resident_sees_his_street_by_default(client, cast):
    make_facility("华富的社康", north_of(10), area=community("华富街道"))
    sign_in(client, cast["zhangwei"])
    assert "华富的社康" in client.get("/services/").content.decode()


def test_the_area_options_fragment_lists_the_streets_of_a_district(client):
    r = client.get("/services/areas/", {"district": "440304"})
    assert r.status_code == 200 and "华富街道" in r.content.decode()


def test_the_page_runs_a_constant_number_of_queries(client):
    params = {"lat": f"{ORIGIN[0]}", "lng": f"{ORIGIN[1]}"}
    make_facility("社康0", north_of(10))
    client.get("/services/", params)  # warm the calendar cache
    with CaptureQueriesContext(connection) as few:
        client.get("/services/", params)
    for i in range(20):
        make_facility(f"社康{i + 1}", north_of(20 + i), type="elderly")
    with CaptureQueriesContext(connection) as many:
        assert "社康20" in client.get("/services/", {**params, "shown": "30"}).content.decode()
    assert len(many.captured_queries) == len(few.captured_queries)


def test_a_few_at_a_time_nearest_first_and_fewer_in_elder_mode(client):
    for i in range(12):
        make_facility(f"第{i:02d}号设施", north_of(100 + 50 * i))
    query = {"lat": f"{ORIGIN[0]}", "lng": f"{ORIGIN[1]}", "radius": "1200"}
    more = 'shown={}#results-heading"'  # the "show more" link
    text = client.get("/services/", query).content.decode()
    assert "第09号设施" in text and "第10号设施" not in text and more.format(20) in text
    text = client.get("/services/", {**query, "shown": "20"}).content.decode()
    assert "第11号设施" in text and "#results-heading" not in text  # all twelve shown: no more to ask for
    client.cookies["shequ_elder"] = "1"
    text = client.get("/services/", query).content.decode()
    assert "第04号设施" in text and "第05号设施" not in text and more.format(10) in text
