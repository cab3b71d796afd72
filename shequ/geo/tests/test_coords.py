"""WGS84 ↔ GCJ-02 in Python and in the browser's coords.js, against the published reference point."""

import math

import pytest

from shequ.geo.coords import gcj02_to_wgs84, out_of_china, wgs84_to_gcj02

# wandergis/coordtransform's README: wgs84togcj02(116.404, 39.915)
REFERENCE = ((116.404, 39.915), (116.41024449916938, 39.91640428150164))


def metres(a, b) -> float:
    dy = (a[1] - b[1]) * 111_320
    dx = (a[0] - b[0]) * 111_320 * math.cos(math.radians(a[1]))
    return math.hypot(dx, dy)


def test_the_forward_transform_matches_the_reference_point():
    got = wgs84_to_gcj02(*REFERENCE[0])
    assert got == pytest.approx(REFERENCE[1], abs=1e-12)


@pytest.mark.parametrize(
    "point",
    [(114.0579, 22.5431), (113.9305, 22.5333), (114.2446, 22.7208), (116.404, 39.915), (121.4998, 31.2397)],
)
def test_the_inverse_undoes_the_forward_transform_to_the_millimetre(point):
    shifted = wgs84_to_gcj02(*point)
    assert 200 < metres(point, shifted) < 800  # the offset in Shenzhen and Beijing is a few hundred metres
    back = gcj02_to_wgs84(*shifted)
    assert metres(point, back) < 0.001


def test_outside_china_both_are_the_identity():
    assert out_of_china(139.7, 35.7) and wgs84_to_gcj02(139.7, 35.7) == (139.7, 35.7)
    assert gcj02_to_wgs84(-0.1276, 51.5072) == (-0.1276, 51.5072)
