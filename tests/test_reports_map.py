"""The map: GET /api/v1/map (points in scope, WGS-84 as stored, tile source and its coordinate
system) and static/js/map.js: its WGS-84 → GCJ-02/BD-09 conversions against app/core/geo.py
(run in node), and its drawing in Chromium with and without tiles."""
from __future__ import annotations

import json
import math
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from app.core import geo
from app.reports.mapdata import TILE_PROVIDERS, tile_config
from tests.test_reports_data import build_world, load, visible

ROOT = Path(__file__).resolve().parents[1]
MAP_JS = ROOT / "static" / "js" / "map.js"
CHROMIUM = "/usr/bin/chromium"
needs_node = pytest.mark.skipif(shutil.which("node") is None, reason="node missing")
needs_chromium = pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="chromium missing")


@pytest.fixture
def world(app, factory):
    return build_world(app, factory)


# --------------------------------------------------------------------------- the API
@pytest.mark.parametrize("who", ["admin", "supervisor", "inspector", "officer", "far"])
def test_points_are_the_scopes_enterprises_and_open_hazards(app, world, client_for, who):
    from datetime import datetime, timezone
    client = client_for(world.users[who])
    user = client.get("/api/v1/auth/me").get_json()["user"]
    response = client.get("/api/v1/map")
    assert response.status_code == 200
    body = response.get_json()
    assert [(c["key"], c["color"]) for c in body["levels"]] == [("general", "#f57c00"),
                                                                  ("major", "#d32f2f")]
    now = datetime.now(timezone.utc)
    rows = load(app)
    enterprises = {e.id: e for e in rows["enterprises"].values()
                   if visible(user, e) and e.lat is not None}
    assert {e["id"] for e in body["enterprises"]} == set(enterprises)
    open_hazards = [h for h in rows["hazards"] if visible(user, h)
                    and h.state not in ("closed", "archived")
                    and rows["enterprises"][h.enterprise_id].lat is not None]
    for e in body["enterprises"]:
        stored = enterprises[e["id"]]
        assert (e["lat"], e["lng"], e["risk_level"]) == (stored.lat, stored.lng,
                                                          stored.risk_level)
        mine = [h for h in open_hazards if h.enterprise_id == e["id"]]
        assert e["open_hazards"] == len(mine)
        assert e["major"] == sum(1 for h in mine if h.level == "major")
        assert e["overdue"] == sum(1 for h in mine if h.state in ("reported", "rectifying",
                                                                 "submitted") and h.deadline < now)
    assert {h["id"] for h in body["hazards"]} == {h.id for h in open_hazards}
    assert body["hazards_total"] == len(open_hazards) and body["hazards_truncated"] is False
    for h in body["hazards"]:   # no position of its own: drawn at its enterprise
        owner = rows["enterprises"][h["enterprise_id"]]
        assert (h["lat"], h["lng"]) == (owner.lat, owner.lng)
    assert body["tiles"] is None
    assert [x["key"] for x in body["legend"]] == ["red", "orange", "yellow", "blue"]
    if who == "officer":
        assert [e["id"] for e in body["enterprises"]] == [world.enterprises["A"].id]


def test_a_community_filter_and_its_scope(world, client_for):
    north, south = world.communities["north"], world.communities["south"]
    body = client_for(world.users["admin"]).get(f"/api/v1/map?community_id={south.id}").get_json()
    assert {e["id"] for e in body["enterprises"]} == {world.enterprises["C"].id}
    assert client_for(world.users["supervisor"]).get(
        f"/api/v1/map?community_id={south.id}").status_code == 404
    assert client_for(world.users["supervisor"]).get(
        f"/api/v1/map?community_id={north.id}").status_code == 200


@pytest.mark.parametrize("provider, crs", [("amap", "gcj02"), ("tencent", "gcj02"),
                                           ("baidu", "bd09"), ("tianditu", "wgs84"),
                                           ("osm", "wgs84")])
def test_each_tile_provider_names_its_coordinate_system(provider, crs):
    tiles = tile_config({"MAP_TILE_PROVIDER": provider, "MAP_TILE_URL": "",
                         "MAP_TILE_KEY": "k123"})
    assert tiles["provider"] == provider and tiles["crs"] == crs
    assert tiles["url"].startswith("https://") and "{z}" in tiles["url"]
    assert "{key}" not in tiles["url"]
    if provider == "tianditu":
        assert "tk=k123" in tiles["url"] and "tk=k123" in tiles["overlay_url"]
    assert tiles["scheme"] == ("baidu" if provider == "baidu" else "xyz")


def test_tile_configuration_edges():
    assert tile_config({"MAP_TILE_PROVIDER": "none"}) is None
    assert tile_config({"MAP_TILE_PROVIDER": ""}) is None
    assert tile_config({"MAP_TILE_PROVIDER": "googlish"}) is None
    assert tile_config({"MAP_TILE_PROVIDER": "custom", "MAP_TILE_URL": ""}) is None
    custom = tile_config({"MAP_TILE_PROVIDER": "custom",
                          "MAP_TILE_URL": "https://tiles.example/{z}/{x}/{y}.png?k={key}",
                          "MAP_TILE_KEY": "abc"})
    assert custom["url"] == "https://tiles.example/{z}/{x}/{y}.png?k=abc"
    assert custom["crs"] == "wgs84"
    own_amap = tile_config({"MAP_TILE_PROVIDER": "AMap",
                            "MAP_TILE_URL": "https://my.amap.mirror/{z}/{x}/{y}"})
    assert own_amap["crs"] == "gcj02" and own_amap["url"].startswith("https://my.amap")
    assert set(TILE_PROVIDERS) >= {"amap", "tencent", "baidu", "tianditu", "osm"}


def test_the_map_answer_carries_the_configured_tiles(app):
    """The view reads the running configuration (here switched for one request)."""
    from app.auth.operations import create_user
    from app.extensions import db
    from tests.conftest import PASSWORD
    with app.app_context():
        create_user(username="map-admin", password=PASSWORD, role="admin")
        db.session.commit()
    client = app.test_client()
    client.post("/api/v1/auth/login", json={"username": "map-admin", "password": PASSWORD})
    saved = {k: app.config[k] for k in ("MAP_TILE_PROVIDER", "MAP_TILE_KEY")}
    try:
        app.config.update(MAP_TILE_PROVIDER="tianditu", MAP_TILE_KEY="tk-secret")
        tiles = client.get("/api/v1/map").get_json()["tiles"]
    finally:
        app.config.update(saved)
    assert tiles["crs"] == "wgs84" and "tk=tk-secret" in tiles["url"]


# --------------------------------------------------------------------------- map.js in node
GRID = [(lat, lng) for lat in (18.25, 22.5, 29.533, 31.2304, 39.915, 45.75, 53.0)
        for lng in (75.0, 87.6, 100.1, 106.5, 113.26, 121.47, 126.6, 135.0)] + [
    (48.8566, 2.3522), (1.29, 103.85), (-33.86, 151.2), (22.3193, 114.1694), (25.03, 121.56)]


def run_node(script: str) -> object:
    done = subprocess.run(["node", "--input-type=module", "-e", script], capture_output=True,
                          text=True, check=True, timeout=60)
    return json.loads(done.stdout)


@needs_node
def test_js_conversions_equal_the_python_ones():
    script = f"""
import * as m from {json.dumps(MAP_JS.as_uri())};
const grid = {json.dumps(GRID)};
console.log(JSON.stringify(grid.map(([lat, lng]) => ({{
  gcj: m.wgs84ToGcj02(lat, lng), bd: m.wgs84ToBd09(lat, lng),
  gcjbd: m.gcj02ToBd09(lat, lng), out: m.outOfChina(lat, lng),
  wgs: m.toCrs(lat, lng, 'wgs84'), viaCrs: m.toCrs(lat, lng, 'bd09') }}))));
"""
    results = run_node(script)
    for (lat, lng), r in zip(GRID, results, strict=True):
        for got, want in ((r["gcj"], geo.wgs84_to_gcj02(lat, lng)),
                          (r["bd"], geo.wgs84_to_bd09(lat, lng)),
                          (r["gcjbd"], geo.gcj02_to_bd09(lat, lng)),
                          (r["viaCrs"], geo.wgs84_to_bd09(lat, lng)),
                          (r["wgs"], (lat, lng))):
            assert abs(got[0] - want[0]) < 1e-12 and abs(got[1] - want[1]) < 1e-12, (lat, lng)
        assert r["out"] == geo.out_of_china(lat, lng)
    # and the offset is real where it applies: hundreds of metres in Chongqing
    g = geo.wgs84_to_gcj02(29.533, 106.5)
    assert 200 < geo.distance_m((29.533, 106.5), g) < 800


def baidu_mercator(lat: float, lng: float) -> tuple[float, float]:
    """Mercator on the Clarke 1866 ellipsoid (proj: +proj=merc +a=6378206
    +b=6356584.314245179), the grid of Baidu's tiles, written out independently."""
    a, b = 6378206.0, 6356584.314245179
    e = math.sqrt(1 - b * b / (a * a))
    phi = math.radians(lat)
    x = a * math.radians(lng)
    y = a * math.log(math.tan(math.pi / 4 + phi / 2)
                     * ((1 - e * math.sin(phi)) / (1 + e * math.sin(phi))) ** (e / 2))
    return x, y


def web_mercator(lat: float, lng: float, z: int) -> tuple[float, float]:
    n = 256 * 2 ** z
    s = math.sin(math.radians(lat))
    return (lng + 180) / 360 * n, (0.5 - math.log((1 + s) / (1 - s)) / (4 * math.pi)) * n


@needs_node
def test_js_projections_and_tile_urls():
    script = f"""
import * as m from {json.dumps(MAP_JS.as_uri())};
console.log(JSON.stringify({{
  merc: m.webMercatorPixel(29.533, 106.5, 15), baidu: m.baiduMercator(39.915, 116.404),
  tms: m.tileUrl('https://rt{{s}}.t/tile?z={{z}}&x={{x}}&y={{-y}}', 5, 2, 3, ['0', '1']),
  xyz: m.tileUrl('https://t/{{z}}/{{x}}/{{y}}.png', 5, 2, 3, []) }}));
"""
    r = run_node(script)
    want = web_mercator(29.533, 106.5, 15)
    assert abs(r["merc"][0] - want[0]) < 1e-6 and abs(r["merc"][1] - want[1]) < 1e-6
    bx, by = baidu_mercator(39.915, 116.404)
    assert abs(r["baidu"][0] - bx) < 1e-6 and abs(r["baidu"][1] - by) < 1e-6
    # Baidu's own published LL2MC for this point is about (12958175, 4825924): within metres
    assert abs(bx - 12958175) < 5 and abs(by - 4825924) < 5
    assert r["tms"] == "https://rt1.t/tile?z=3&x=5&y=5"    # 2^3 - 1 - 2
    assert r["xyz"] == "https://t/3/5/2.png"


# --------------------------------------------------------------------------- map.js in Chromium
PAGE = """<!doctype html><html><head><meta charset="utf-8"></head>
<body style="margin:0"><div id="map" style="width:600px;height:400px"></div></body></html>"""

DRIVER = r"""
import json, sys
from pathlib import Path
from playwright.sync_api import sync_playwright
args = json.loads(sys.stdin.read())
js = Path(args["map_js"]).read_text(encoding="utf-8")
png = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000"
                    "1f15c4890000000d49444154789c6360f8cf000000030101001828dd5d0000000049454e44ae426082")
with sync_playwright() as p:
    browser = p.chromium.launch(executable_path=args["chromium"], args=["--no-sandbox"])
    page = browser.new_page(viewport={"width": 800, "height": 600})
    requested = []
    def tile(route):
        requested.append(route.request.url)
        route.fulfill(status=200, content_type="image/png", body=png)
    page.route("https://**/*", tile)
    page.route("http://map.test/", lambda r: r.fulfill(status=200, content_type="text/html",
                                                       body=args["page"]))
    page.route("http://map.test/map.js", lambda r: r.fulfill(
        status=200, content_type="text/javascript", body=js))
    page.goto("http://map.test/")
    out = page.evaluate('''async ([data, lang]) => {
      const m = await import('/map.js');
      const box = document.getElementById('map');
      const selected = [];
      box.addEventListener('map-select', (e) => selected.push(e.detail));
      const r = m.renderMap(box, data, {lang});
      const g = [...box.querySelectorAll('g.map-enterprise')];
      // A click names the enterprise beside its dot; its button selects it.
      let named = null;
      if (g.length) {
        g[0].dispatchEvent(new MouseEvent('click', {bubbles: true}));
        named = box.querySelector('.map-popup-name')?.textContent || null;
        box.querySelector('.map-popup-open')?.click();
      }
      return {
        zoom: r.zoom, tiles: r.tiles,
        enterprises: g.map((x) => {
          const c = x.querySelectorAll('circle'); const dot = c[c.length - 1];
          return {id: x.dataset.id, risk: x.dataset.risk, fill: dot.getAttribute('fill'),
                  cx: +dot.getAttribute('cx'), cy: +dot.getAttribute('cy'),
                  ring: !!x.querySelector('.map-major-ring'),
                  target: +x.querySelector('.map-hit')?.getAttribute('width'),
                  title: x.querySelector('title').textContent}; }),
        hazards: [...box.querySelectorAll('.map-hazard')].map((x) => x.dataset.id),
        hazardFills: [...box.querySelectorAll('.map-hazard')].map((x) => x.getAttribute('fill')),
        images: [...box.querySelectorAll('img.map-tile')].map((i) => ({src: i.getAttribute('src'),
          x: +i.dataset.x, y: +i.dataset.y, z: +i.dataset.z, left: parseFloat(i.style.left),
          top: parseFloat(i.style.top)})),
        legend: [...box.querySelectorAll('.map-legend-item')].map((x) => x.textContent),
        empty: box.querySelector('.map-empty')?.textContent || null,
        svg: [+box.querySelector('svg')?.getAttribute('width'),
              +box.querySelector('svg')?.getAttribute('height')],
        attribution: box.querySelector('.map-attribution')?.textContent || null,
        selected, named };
    }''', [args["data"], args["lang"]])
    page.wait_for_timeout(200)
    out["requested"] = requested
    browser.close()
print(json.dumps(out))
"""


def draw(data: dict, lang: str = "zh") -> dict:
    done = subprocess.run([sys.executable, "-c", DRIVER], input=json.dumps({
        "map_js": str(MAP_JS), "chromium": CHROMIUM, "page": PAGE, "data": data, "lang": lang}),
        capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout)


def sample(tiles=None):
    return {
        "tiles": tiles,
        "legend": [{"key": "red", "zh": "重大风险", "en": "Major risk", "color": "#d32f2f"},
                   {"key": "orange", "zh": "较大风险", "en": "Significant risk",
                    "color": "#f57c00"},
                   {"key": "yellow", "zh": "一般风险", "en": "General risk", "color": "#fbc02d"},
                   {"key": "blue", "zh": "低风险", "en": "Low risk", "color": "#1976d2"}],
        "levels": [{"key": "general", "zh": "一般隐患", "en": "General hazard", "color": "#f57c00"},
                   {"key": "major", "zh": "重大隐患", "en": "Major hazard", "color": "#a00000"}],
        "enterprises": [
            {"id": "w", "name": "西厂", "lat": 29.530, "lng": 106.490, "risk_level": "red",
             "open_hazards": 4, "major": 1, "overdue": 2, "community_id": "c"},
            {"id": "e", "name": "东厂", "lat": 29.536, "lng": 106.512, "risk_level": "blue",
             "open_hazards": 0, "major": 0, "overdue": 0, "community_id": "c"},
            {"id": "n", "name": "北店", "lat": 29.545, "lng": 106.500, "risk_level": "yellow",
             "open_hazards": 1, "major": 0, "overdue": 0, "community_id": "c"}],
        "hazards": [{"id": "h1", "enterprise_id": "w", "title": "消防通道堵塞", "lat": 29.5302,
                     "lng": 106.4903, "level": "major", "state": "reported", "overdue": True}],
        "hazards_total": 1, "hazards_truncated": False,
    }


@needs_chromium
def test_without_tiles_the_points_are_drawn_alone_fitted_and_coloured():
    out = draw(sample())
    assert out["zoom"] is None and out["images"] == [] and out["requested"] == []
    by_id = {e["id"]: e for e in out["enterprises"]}
    assert {k: v["fill"] for k, v in by_id.items()} == {"w": "#d32f2f", "e": "#1976d2",
                                                        "n": "#fbc02d"}
    assert by_id["w"]["ring"] and not by_id["e"]["ring"]          # a major hazard
    assert out["hazardFills"] == ["#a00000"]                         # the data's colours
    assert "西厂" in by_id["w"]["title"] and "重大隐患 1" in by_id["w"]["title"]
    width, height = out["svg"]
    for e in by_id.values():
        assert 20 <= e["cx"] <= width - 20 and 20 <= e["cy"] <= height - 20
    assert by_id["w"]["cx"] < by_id["n"]["cx"] < by_id["e"]["cx"]    # west → east
    assert by_id["n"]["cy"] < by_id["e"]["cy"] < by_id["w"]["cy"]    # north is up
    # the extreme points touch the padded frame on the limiting axis (fits bounds)
    xs = sorted(e["cx"] for e in by_id.values())
    ys = sorted(e["cy"] for e in by_id.values())
    assert min(xs[0] - 28, width - 28 - xs[-1]) < 1 or min(ys[0] - 28, height - 28 - ys[-1]) < 1
    assert out["hazards"] == ["h1"]
    assert out["legend"][:4] == ["重大风险", "较大风险", "一般风险", "低风险"]
    # A dot is a target of at least 34 px; a click names it, its button selects it.
    assert all(e["target"] >= 34 for e in out["enterprises"])
    first = next(e for e in sample()["enterprises"] if e["id"] == out["enterprises"][0]["id"])
    assert out["named"] == first["name"]
    assert out["selected"] and out["selected"][0] == {"type": "enterprise", "id": first["id"]}
    assert draw(sample(), lang="en")["legend"][0] == "Major risk"
    empty = draw({"tiles": None, "enterprises": [], "hazards": [], "legend": []})
    assert empty["empty"] and empty["enterprises"] == []


def _check_on_tiles(out, tiles, to_pixel):
    """Every enterprise marker sits, within a pixel, where its converted position falls on the
    tile that the page placed for it."""
    z = out["zoom"]
    assert 3 <= z <= 18 and out["images"]
    images = {(i["x"], i["y"]): i for i in out["images"]}
    data = {e["id"]: e for e in sample()["enterprises"]}
    for e in out["enterprises"]:
        px, py, tx, ty, row = to_pixel(data[e["id"]], z)
        image = images[(tx, row)]
        assert abs(e["cx"] - (image["left"] + px - tx * 256)) <= 1.0, e["id"]
        assert abs(e["cy"] - (image["top"] + py - ty * 256)) <= 1.0, e["id"]
    for i in out["images"]:
        assert i["z"] == z
    assert set(out["requested"]) >= {i["src"] for i in out["images"]}
    assert out["attribution"] == tiles["attribution"]


@needs_chromium
def test_on_amap_tiles_points_are_converted_to_gcj02():
    tiles = tile_config({"MAP_TILE_PROVIDER": "amap"})
    out = draw(sample(tiles))

    def to_pixel(e, z):
        lat, lng = geo.wgs84_to_gcj02(e["lat"], e["lng"])
        px, py = web_mercator(lat, lng, z)
        tx, ty = int(px // 256), int(py // 256)
        return px, py, tx, ty, ty
    _check_on_tiles(out, tiles, to_pixel)
    src = {(i["x"], i["y"]): i["src"] for i in out["images"]}
    (x, y), url = next(iter(src.items()))
    assert url == tiles["url"].replace("{s}", tiles["subdomains"][(x + y) % 4]).replace(
        "{x}", str(x)).replace("{y}", str(y)).replace("{z}", str(out["zoom"]))
    # drawn on WGS-84 positions instead, the markers would be off by hundreds of metres
    e = sample()["enterprises"][0]
    raw = web_mercator(e["lat"], e["lng"], out["zoom"])
    conv = web_mercator(*geo.wgs84_to_gcj02(e["lat"], e["lng"]), out["zoom"])
    assert math.dist(raw, conv) > 5


@needs_chromium
def test_on_baidu_tiles_points_are_bd09_on_baidus_grid():
    tiles = tile_config({"MAP_TILE_PROVIDER": "baidu"})
    out = draw(sample(tiles))

    def to_pixel(e, z):
        mx, my = baidu_mercator(*geo.wgs84_to_bd09(e["lat"], e["lng"]))
        res = 2 ** (18 - z)
        px, py = mx / res, -my / res             # screen y grows downward
        tx, ty = int(px // 256), math.floor(py / 256)
        return px, py, tx, ty, -ty - 1            # Baidu counts rows up from the equator
    _check_on_tiles(out, tiles, to_pixel)
    assert all("qt=vtile" in i["src"] and i["y"] > 0 for i in out["images"])


@needs_chromium
def test_on_tianditu_tiles_with_the_labels_layer():
    tiles = tile_config({"MAP_TILE_PROVIDER": "tianditu", "MAP_TILE_KEY": "k"})
    out = draw(sample(tiles))

    def to_pixel(e, z):
        px, py = web_mercator(e["lat"], e["lng"], z)
        return px, py, int(px // 256), int(py // 256), int(py // 256)
    layers = {("vec_w" in i["src"], "cva_w" in i["src"]) for i in out["images"]}
    assert layers == {(True, False), (False, True)}
    vec = {**out, "images": [i for i in out["images"] if "vec_w" in i["src"]]}
    _check_on_tiles(vec, tiles, to_pixel)
