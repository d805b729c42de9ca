"""The map of open hazards and enterprises by risk colour, and the tile source it is drawn on.

Points are sent as stored, WGS-84 (browser GPS). Chinese web maps use other datums: AMap (高德)
and Tencent (腾讯) GCJ-02, Baidu (百度) BD-09 on its own Mercator grid, Tianditu (天地图)
CGCS2000 ≈ WGS-84, like OpenStreetMap. ``tiles.crs`` tells the front end
(``static/js/map.js``) which conversion to apply before placing a point, so the stored data
never changes with the map provider. Without a tile source the front end draws the points alone.
"""
from __future__ import annotations

from flask import current_app
from sqlalchemy import and_, case, func, or_, select

from app.core.permissions import scope_clause
from app.core.timeutil import utcnow
from app.extensions import db
from app.hazards.choices import HAZARD_LEVELS
from app.hazards.models import Hazard
from app.hazards.oversight import listed_clause
from app.registry.choices import RISK_LEVELS
from app.registry.models import Enterprise
from app.registry.scope import visible_community
from app.reports.coverage import last_visits
from app.reports.dashboard import period_bounds

MAX_HAZARD_POINTS = 2000

# Default tile sources; MAP_TILE_URL overrides the URL, ``{key}`` is replaced by MAP_TILE_KEY.
TILE_PROVIDERS = {
    "amap": {"crs": "gcj02", "scheme": "xyz", "subdomains": ["1", "2", "3", "4"],
             "url": "https://webrd0{s}.is.autonavi.com/appmaptile?lang=zh_cn&size=1&scale=1"
                    "&style=8&x={x}&y={y}&z={z}",
             "attribution": "© 高德地图 AutoNavi", "max_zoom": 18},
    "tencent": {"crs": "gcj02", "scheme": "xyz", "subdomains": ["0", "1", "2", "3"],
                # Tencent counts tile rows upward (TMS): {-y}
                "url": "https://rt{s}.map.gtimg.com/tile?z={z}&x={x}&y={-y}&type=vector"
                       "&styleid=0",
                "attribution": "© 腾讯地图 Tencent", "max_zoom": 18},
    "baidu": {"crs": "bd09", "scheme": "baidu", "subdomains": ["0", "1", "2", "3"],
              "url": "https://maponline{s}.bdimg.com/tile/?qt=vtile&x={x}&y={y}&z={z}"
                     "&styles=pl&scaler=1&udt=20230601",
              "attribution": "© 百度地图 Baidu", "max_zoom": 18},
    "tianditu": {"crs": "wgs84", "scheme": "xyz", "subdomains": [str(i) for i in range(8)],
                 "url": "https://t{s}.tianditu.gov.cn/DataServer?T=vec_w&x={x}&y={y}&l={z}"
                        "&tk={key}",
                 "overlay_url": "https://t{s}.tianditu.gov.cn/DataServer?T=cva_w&x={x}&y={y}"
                                "&l={z}&tk={key}",
                 "attribution": "© 天地图 Tianditu", "max_zoom": 18},
    "osm": {"crs": "wgs84", "scheme": "xyz", "subdomains": [],
            "url": "https://tile.openstreetmap.org/{z}/{x}/{y}.png",
            "attribution": "© OpenStreetMap contributors", "max_zoom": 19},
    "custom": {"crs": "wgs84", "scheme": "xyz", "subdomains": ["a", "b", "c"], "url": "",
               "attribution": "", "max_zoom": 19},
}


def tile_config(config=None) -> dict | None:
    """The tile source from MAP_TILE_PROVIDER / MAP_TILE_URL / MAP_TILE_KEY, or ``None`` when
    none is configured (or a custom provider has no URL)."""
    config = config or current_app.config
    provider = (config.get("MAP_TILE_PROVIDER") or "none").strip().lower()
    if provider in ("", "none") or provider not in TILE_PROVIDERS:
        return None
    spec = dict(TILE_PROVIDERS[provider])
    if config.get("MAP_TILE_URL"):
        spec["url"] = config["MAP_TILE_URL"]
    if not spec["url"]:
        return None
    key = config.get("MAP_TILE_KEY") or ""
    spec["url"] = spec["url"].replace("{key}", key)
    overlay = spec.get("overlay_url")
    spec["overlay_url"] = overlay.replace("{key}", key) if overlay else None
    spec["provider"] = provider
    spec.setdefault("min_zoom", 3)
    return spec


def map_data(user, *, community_id: str | None = None, date_from=None, date_to=None,
             now=None) -> dict:
    """Enterprises (with a location) and open hazards in the user's scope, as map points; each
    enterprise says whether it was visited in the period (the dashboard's, app.reports.coverage)
    and when it was last."""
    now = now or utcnow()
    community = visible_community(user, community_id)
    first, last, start, end = period_bounds(date_from, date_to, now=now)
    visits = last_visits(end)
    hazard_scope = scope_clause(user, Hazard)
    enterprise_scope = scope_clause(user, Enterprise)
    if community is not None:
        hazard_scope = and_(hazard_scope, Hazard.community_id == community.id)
        enterprise_scope = and_(enterprise_scope, Enterprise.community_id == community.id)
    open_hazard = and_(hazard_scope, Hazard.is_open)
    overdue = Hazard.overdue_at(now)
    listed = listed_clause()  # 挂牌督办

    counts = (select(Hazard.enterprise_id, func.count().label("open_hazards"),
                     func.sum(case((Hazard.level == "major", 1), else_=0)).label("major"),
                     func.sum(case((overdue, 1), else_=0)).label("overdue"),
                     func.sum(case((listed, 1), else_=0)).label("listed"))
              .where(open_hazard).group_by(Hazard.enterprise_id).subquery())
    enterprises = db.session.execute(
        select(Enterprise.id, Enterprise.name, Enterprise.community_id, Enterprise.lat,
               Enterprise.lng, Enterprise.risk_level, counts.c.open_hazards, counts.c.major,
               counts.c.overdue, counts.c.listed, visits.c.last)
        .outerjoin(counts, counts.c.enterprise_id == Enterprise.id)
        .outerjoin(visits, visits.c.enterprise_id == Enterprise.id)
        .where(enterprise_scope, Enterprise.lat.is_not(None), Enterprise.lng.is_not(None))
        .order_by(Enterprise.name, Enterprise.id)).all()

    located = or_(Hazard.lat.is_not(None), Enterprise.lat.is_not(None))
    total = db.session.scalar(
        select(func.count()).select_from(Hazard)
        .join(Enterprise, Enterprise.id == Hazard.enterprise_id).where(open_hazard, located))
    hazards = db.session.execute(
        select(Hazard.id, Hazard.enterprise_id, Hazard.title, Hazard.level, Hazard.state,
               func.coalesce(Hazard.lat, Enterprise.lat).label("lat"),
               func.coalesce(Hazard.lng, Enterprise.lng).label("lng"),
               case((overdue, 1), else_=0).label("overdue"),
               case((listed, 1), else_=0).label("listed"))
        .join(Enterprise, Enterprise.id == Hazard.enterprise_id)
        .where(open_hazard, located)
        .order_by((Hazard.level == "major").desc(), Hazard.deadline, Hazard.id)
        .limit(MAX_HAZARD_POINTS)).all()

    return {
        "tiles": tile_config(),
        "legend": [{"key": c.value, **c.labels()} for c in RISK_LEVELS.choices],
        "levels": [{"key": c.value, **c.labels()} for c in HAZARD_LEVELS.choices],
        "enterprises": [{
            "id": e.id, "name": e.name, "community_id": e.community_id, "lat": e.lat,
            "lng": e.lng, "risk_level": e.risk_level, "open_hazards": int(e.open_hazards or 0),
            "major": int(e.major or 0), "overdue": int(e.overdue or 0),
            "listed": int(e.listed or 0),
            "inspected": e.last is not None and e.last >= start,
            "last_inspected_at": e.last} for e in enterprises],
        "hazards": [{"id": h.id, "enterprise_id": h.enterprise_id, "title": h.title,
                     "lat": h.lat, "lng": h.lng, "level": h.level, "state": h.state,
                     "overdue": bool(h.overdue), "listed": bool(h.listed)} for h in hazards],
        "hazards_total": int(total or 0),
        "hazards_truncated": int(total or 0) > len(hazards),
        "period": {"date_from": first, "date_to": last},
    }
