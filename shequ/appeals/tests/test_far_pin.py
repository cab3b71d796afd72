"""A map pin far from the chosen community is asked about (位置与所选社区相距较远，确认吗？) and, once confirmed,
shown to staff as a flag on the appeal with the distance (issue 21)."""

import pytest

from shequ.access.testing import sign_in
from shequ.appeals.models import Appeal
from shequ.geo.coords import distance_m
from shequ.geo.models import Area

pytestmark = pytest.mark.django_db


def _community():
    c = Area.objects.filter(parent__name="华富街道").order_by("code").first()
    if c.centroid_lat is None:
        Area.objects.filter(pk=c.pk).update(centroid_lat=22.5445, centroid_lng=114.0700)
        c.refresh_from_db()
    return c


def _location(client, community, lat, lng, **more):
    return client.post(
        "/appeals/new/location/",
        {
            "district": "440304",
            "street": community.parent.code,
            "community": community.code,
            "lat": f"{lat:.6f}",
            "lng": f"{lng:.6f}",
            "go": "next",
            **more,
        },
    )


def test_a_pin_near_the_community_goes_on_without_a_question(client, cast):
    c = _community()
    sign_in(client, cast["zhangwei"])
    client.post("/appeals/new/", {"text": "楼下垃圾桶满了溢出来，苍蝇很多"})
    r = _location(client, c, c.centroid_lat + 0.003, c.centroid_lng)
    assert r.status_code == 302 and r["Location"] == "/appeals/new/confirm/"


def test_a_far_pin_is_asked_about_then_flagged_for_staff_once_confirmed(client, cast):
    c = _community()
    sign_in(client, cast["zhangwei"])
    client.post("/appeals/new/", {"text": "楼下垃圾桶满了溢出来，苍蝇很多"})
    far_lat, far_lng = c.centroid_lat + 0.05, c.centroid_lng  # about 5.6 km north
    r = _location(client, c, far_lat, far_lng)
    page = r.content.decode()
    assert (
        r.status_code == 200 and "位置与所选社区相距较远，确认吗？" in page and 'name="confirm_far"' in page
    )
    r = _location(client, c, far_lat, far_lng, confirm_far="1", go="")
    assert r.status_code == 302 and r["Location"] == "/appeals/new/confirm/"
    assert client.post("/appeals/new/confirm/", {}).status_code == 302
    appeal = Appeal.objects.get()
    expected = distance_m(far_lng, far_lat, c.centroid_lng, c.centroid_lat)
    assert abs(appeal.attributes["pin_far_m"] - expected) < 1 and 5000 < expected < 6000
    sign_in(client, cast["sunli"])
    console = client.get(f"/console/appeals/{appeal.pk}/").content.decode()
    assert 'id="pin-far"' in console and "居民已确认" in console


def test_distance_is_right_for_a_known_pair():
    # 福田 CBD to 南山 深圳湾: about 12.3 km
    assert 12_000 < distance_m(114.0579, 22.5431, 113.9440, 22.5190) < 12_600
