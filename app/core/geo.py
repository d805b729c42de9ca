"""Coordinates: WGS-84 ⇄ GCJ-02 ⇄ BD-09, distances and range checks.

Anxun stores WGS-84 (what browser GPS gives). Chinese web maps use other datums: AMap and Tencent
use GCJ-02 (国测局 "Mars" coordinates), Baidu uses BD-09 (an extra offset on top of GCJ-02);
Tianditu uses CGCS2000, which is WGS-84 to within centimetres. Convert only to show a point on
such a map, or to read coordinates a user copied from one.

Every function here takes and returns ``(lat, lng)`` in that order (not lng, lat as many map
SDKs do). The GCJ-02 offset is applied only inside the usual rough mainland-China bounding box;
outside it the coordinates pass through unchanged, as the map providers do.

The forward WGS→GCJ formulas are the well-known public ones (Krasovsky ellipsoid constants).
The inverses (GCJ→WGS, BD→GCJ) are computed iteratively to well under a centimetre.
"""
from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

from geopy.distance import geodesic

WGS84 = "wgs84"
GCJ02 = "gcj02"
BD09 = "bd09"
SYSTEMS = (WGS84, GCJ02, BD09)

_A = 6378245.0                      # Krasovsky 1940 semi-major axis used by GCJ-02
_EE = 0.00669342162296594323        # its first eccentricity squared
_X_PI = math.pi * 3000.0 / 180.0    # Baidu's constant

LatLng = tuple[float, float]


def out_of_china(lat: float, lng: float) -> bool:
    """True outside the rough mainland-China box where GCJ-02 is not applied."""
    return not (72.004 <= lng <= 137.8347 and 0.8293 <= lat <= 55.8271)


def _transform_lat(x: float, y: float) -> float:
    ret = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * math.sqrt(abs(x))
    ret += (20.0 * math.sin(6.0 * x * math.pi) + 20.0 * math.sin(2.0 * x * math.pi)) * 2.0 / 3.0
    ret += (20.0 * math.sin(y * math.pi) + 40.0 * math.sin(y / 3.0 * math.pi)) * 2.0 / 3.0
    ret += (160.0 * math.sin(y / 12.0 * math.pi) + 320.0 * math.sin(y * math.pi / 30.0)) * 2.0 / 3.0
    return ret


def _transform_lng(x: float, y: float) -> float:
    ret = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * math.sqrt(abs(x))
    ret += (20.0 * math.sin(6.0 * x * math.pi) + 20.0 * math.sin(2.0 * x * math.pi)) * 2.0 / 3.0
    ret += (20.0 * math.sin(x * math.pi) + 40.0 * math.sin(x / 3.0 * math.pi)) * 2.0 / 3.0
    ret += (150.0 * math.sin(x / 12.0 * math.pi) + 300.0 * math.sin(x / 30.0 * math.pi)) * 2.0 / 3.0
    return ret


def _gcj_delta(lat: float, lng: float) -> LatLng:
    d_lat = _transform_lat(lng - 105.0, lat - 35.0)
    d_lng = _transform_lng(lng - 105.0, lat - 35.0)
    rad_lat = lat / 180.0 * math.pi
    magic = 1 - _EE * math.sin(rad_lat) ** 2
    sqrt_magic = math.sqrt(magic)
    d_lat = (d_lat * 180.0) / ((_A * (1 - _EE)) / (magic * sqrt_magic) * math.pi)
    d_lng = (d_lng * 180.0) / (_A / sqrt_magic * math.cos(rad_lat) * math.pi)
    return d_lat, d_lng


def wgs84_to_gcj02(lat: float, lng: float) -> LatLng:
    if out_of_china(lat, lng):
        return lat, lng
    d_lat, d_lng = _gcj_delta(lat, lng)
    return lat + d_lat, lng + d_lng


def gcj02_to_wgs84(lat: float, lng: float, *, tolerance_deg: float = 1e-10,
                   max_iter: int = 30) -> LatLng:
    """Inverse of :func:`wgs84_to_gcj02` by fixed-point iteration (error < 1 mm)."""
    if out_of_china(lat, lng):
        return lat, lng
    w_lat, w_lng = lat, lng
    for _ in range(max_iter):
        g_lat, g_lng = wgs84_to_gcj02(w_lat, w_lng)
        e_lat, e_lng = g_lat - lat, g_lng - lng
        w_lat, w_lng = w_lat - e_lat, w_lng - e_lng
        if abs(e_lat) < tolerance_deg and abs(e_lng) < tolerance_deg:
            break
    return w_lat, w_lng


def gcj02_to_bd09(lat: float, lng: float) -> LatLng:
    z = math.sqrt(lng * lng + lat * lat) + 0.00002 * math.sin(lat * _X_PI)
    theta = math.atan2(lat, lng) + 0.000003 * math.cos(lng * _X_PI)
    return z * math.sin(theta) + 0.006, z * math.cos(theta) + 0.0065


def _bd09_to_gcj02_approx(lat: float, lng: float) -> LatLng:
    x, y = lng - 0.0065, lat - 0.006
    z = math.sqrt(x * x + y * y) - 0.00002 * math.sin(y * _X_PI)
    theta = math.atan2(y, x) - 0.000003 * math.cos(x * _X_PI)
    return z * math.sin(theta), z * math.cos(theta)


def bd09_to_gcj02(lat: float, lng: float, *, tolerance_deg: float = 1e-10,
                  max_iter: int = 10) -> LatLng:
    """Inverse of :func:`gcj02_to_bd09`: Baidu's published approximation, then refined."""
    g_lat, g_lng = _bd09_to_gcj02_approx(lat, lng)
    for _ in range(max_iter):
        b_lat, b_lng = gcj02_to_bd09(g_lat, g_lng)
        e_lat, e_lng = b_lat - lat, b_lng - lng
        g_lat, g_lng = g_lat - e_lat, g_lng - e_lng
        if abs(e_lat) < tolerance_deg and abs(e_lng) < tolerance_deg:
            break
    return g_lat, g_lng


def wgs84_to_bd09(lat: float, lng: float) -> LatLng:
    return gcj02_to_bd09(*wgs84_to_gcj02(lat, lng))


def bd09_to_wgs84(lat: float, lng: float) -> LatLng:
    return gcj02_to_wgs84(*bd09_to_gcj02(lat, lng))


_CONVERTERS = {
    (WGS84, GCJ02): wgs84_to_gcj02, (GCJ02, WGS84): gcj02_to_wgs84,
    (GCJ02, BD09): gcj02_to_bd09, (BD09, GCJ02): bd09_to_gcj02,
    (WGS84, BD09): wgs84_to_bd09, (BD09, WGS84): bd09_to_wgs84,
}


def convert(lat: float, lng: float, src: str, dst: str) -> LatLng:
    """Convert between ``"wgs84"``, ``"gcj02"`` and ``"bd09"``."""
    if src not in SYSTEMS or dst not in SYSTEMS:
        raise ValueError(f"unknown coordinate system: {src!r} -> {dst!r} "
                         f"(use {', '.join(SYSTEMS)})")
    if src == dst:
        return float(lat), float(lng)
    return _CONVERTERS[(src, dst)](float(lat), float(lng))


def _as_pair(p) -> LatLng:
    if isinstance(p, Mapping):
        return float(p["lat"]), float(p["lng"])
    if isinstance(p, Sequence) and len(p) == 2:
        return float(p[0]), float(p[1])
    lat, lng = getattr(p, "lat", None), getattr(p, "lng", None)
    if lat is None or lng is None:
        raise TypeError(f"expected (lat, lng), {{'lat','lng'}} or an object with .lat/.lng: {p!r}")
    return float(lat), float(lng)


def distance_m(a, b) -> float:
    """Geodesic (WGS-84 ellipsoid) distance in metres between two WGS-84 points.

    Each point is ``(lat, lng)``, a mapping with ``lat``/``lng`` or an object with those
    attributes."""
    return geodesic(_as_pair(a), _as_pair(b)).meters


def valid_lat_lng(lat, lng) -> bool:
    """True when both are finite real numbers (not bool) with |lat| ≤ 90 and |lng| ≤ 180."""
    for v in (lat, lng):
        if isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v):
            return False
    return -90.0 <= lat <= 90.0 and -180.0 <= lng <= 180.0
