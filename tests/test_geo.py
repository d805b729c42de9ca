"""WGS-84 / GCJ-02 / BD-09 conversions, distances and range checks."""
import math
import random

import pytest

from app.core import geo
from app.core.geo import (bd09_to_gcj02, bd09_to_wgs84, convert, distance_m, gcj02_to_bd09,
                          gcj02_to_wgs84, out_of_china, valid_lat_lng, wgs84_to_bd09,
                          wgs84_to_gcj02)

# Published test vectors of googollee/eviltransform (wgsLat, wgsLng, gcjLat, gcjLng).
EVILTRANSFORM = [
    (31.1774276, 121.5272106, 31.17530398364597, 121.531541859215),    # Shanghai
    (22.543847, 113.912316, 22.540796131694766, 113.9171764808363),    # Shenzhen
    (39.911954, 116.377817, 39.91334545536069, 116.38404722455657),    # Beijing
]


@pytest.mark.parametrize("wlat,wlng,glat,glng", EVILTRANSFORM)
def test_wgs_to_gcj_matches_published_vectors(wlat, wlng, glat, glng):
    lat, lng = wgs84_to_gcj02(wlat, wlng)
    assert distance_m((lat, lng), (glat, glng)) < 0.05


@pytest.mark.parametrize("wlat,wlng,glat,glng", EVILTRANSFORM)
def test_gcj_to_wgs_inverse_of_published_vectors(wlat, wlng, glat, glng):
    assert distance_m(gcj02_to_wgs84(glat, glng), (wlat, wlng)) < 0.05


def test_tiananmen_and_amap_api_reference():
    # Tiananmen: WGS (39.908722, 116.397499) -> GCJ about (39.910119, 116.403743)
    g = wgs84_to_gcj02(39.908722, 116.397499)
    assert distance_m(g, (39.910119, 116.403743)) < 3
    # the GCJ offset in Beijing is roughly 500-600 m
    assert 400 < distance_m(g, (39.908722, 116.397499)) < 700
    # Answers of online map convert APIs (WGS-84 -> GCJ-02) recorded in a public R package's
    # test suite ("# api" and "baidu geoconv"): the public formula agrees within a metre.
    assert distance_m(wgs84_to_gcj02(39.90734, 116.39089), (39.90874539, 116.39713623)) < 3
    assert distance_m(wgs84_to_gcj02(39.90105, 116.42079), (39.90245063, 116.42702745)) < 3


def test_bd09_matches_published_formula_output():
    # outputs printed by wandergis/coordtransform for (lng 116.404, lat 39.915)
    assert distance_m(gcj02_to_bd09(39.915, 116.404),
                      (39.92133699351021, 116.41036949371029)) < 0.05
    assert distance_m(bd09_to_gcj02(39.915, 116.404),
                      (39.90865673957631, 116.39762729119315)) < 0.1
    # Baidu's offset is about 0.0065/0.006 degrees: several hundred metres
    assert 500 < distance_m(gcj02_to_bd09(39.915, 116.404), (39.915, 116.404)) < 1500


def _random_points(n=300, seed=7):
    rnd = random.Random(seed)
    # mainland China, roughly: Xinjiang to Heilongjiang to Hainan
    return [(rnd.uniform(18.5, 53.0), rnd.uniform(74.0, 134.0)) for _ in range(n)]


def test_round_trips_under_a_centimetre():
    worst = 0.0
    for p in _random_points():
        worst = max(worst,
                    distance_m(gcj02_to_wgs84(*wgs84_to_gcj02(*p)), p),
                    distance_m(bd09_to_wgs84(*wgs84_to_bd09(*p)), p),
                    distance_m(bd09_to_gcj02(*gcj02_to_bd09(*p)), p))
    assert worst < 0.01   # the requirement is < 1 m


def test_offsets_are_plausible_everywhere():
    for p in _random_points(100, seed=11):
        assert 1 < distance_m(wgs84_to_gcj02(*p), p) < 1000


def test_outside_china_unchanged():
    for p in [(48.8584, 2.2945), (40.6892, -74.0445), (-33.8568, 151.2153), (0.0, 0.0),
              (60.0, 100.0)]:
        assert out_of_china(*p)
        assert wgs84_to_gcj02(*p) == p
        assert gcj02_to_wgs84(*p) == p
    assert not out_of_china(26.0745, 119.2965)  # Fuzhou


def test_convert_dispatch():
    p = (26.0745, 119.2965)
    assert convert(*p, "wgs84", "wgs84") == p
    assert convert(*p, "wgs84", "gcj02") == wgs84_to_gcj02(*p)
    assert convert(*p, "bd09", "wgs84") == bd09_to_wgs84(*p)
    assert distance_m(convert(*convert(*p, "gcj02", "bd09"), "bd09", "gcj02"), p) < 0.01
    with pytest.raises(ValueError):
        convert(*p, "wgs84", "cgcs2000")


def test_distance_m_accepts_pairs_dicts_objects():
    class P:
        lat, lng = 39.908722, 116.397499
    a = (39.908722, 116.397499)
    b = {"lat": 39.915, "lng": 116.404}
    d = distance_m(a, b)
    assert d == pytest.approx(distance_m(P(), b))
    assert 850 < d < 950
    assert distance_m(a, a) == 0
    # one degree of latitude at the equator is about 110.57 km on the WGS-84 ellipsoid
    assert distance_m((0, 0), (1, 0)) == pytest.approx(110574, abs=5)
    with pytest.raises(TypeError):
        distance_m(object(), a)


@pytest.mark.parametrize("lat,lng,ok", [
    (0, 0, True), (90, 180, True), (-90, -180, True), (39.9, 116.4, True),
    (90.0001, 0, False), (0, 180.5, False), (-91, 0, False),
    (math.nan, 0, False), (0, math.inf, False), (None, 1, False), ("39.9", 116.4, False),
    (True, 1, False),
])
def test_valid_lat_lng(lat, lng, ok):
    assert valid_lat_lng(lat, lng) is ok


def test_module_exports_system_names():
    assert geo.SYSTEMS == ("wgs84", "gcj02", "bd09")
