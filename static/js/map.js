// Map of enterprises and open hazards (隐患地图), framework-free.
//
//   import { renderMap } from '/static/js/map.js';
//   const data = await (await fetch('/api/v1/map?community_id=…')).json();
//   const map = renderMap(document.querySelector('#map'), data, { lang: 'zh' });
//   container.addEventListener('map-select', (e) => e.detail /* {type, id} */);
//
// Points arrive as stored: WGS-84. Without a tile source (data.tiles === null) they are drawn as
// an SVG scatter fitted to their bounds, coloured by the enterprise's risk level (风险分级).
// With tiles, each point is first converted to the coordinate system the provider needs
// (AMap/Tencent GCJ-02, Baidu BD-09 on Baidu's own Mercator grid, Tianditu/OSM WGS-84) and
// placed on the tile images. The conversions are those of app/core/geo.py (tests compare them).

const PI = Math.PI;
const A = 6378245.0;                      // Krasovsky 1940, used by GCJ-02
const EE = 0.00669342162296594323;
const X_PI = (PI * 3000.0) / 180.0;       // Baidu's constant
const TILE = 256;

// Colours come with the data (its `legend`: the risk levels, `levels`: the hazard levels, both
// from the server's choice sets); what the data does not colour is grey.
const GREY = '#757575';
function palette(data) {
  const of = (list) => Object.fromEntries((list || []).filter((c) => c && c.color).map((c) => [c.key, c.color]));
  const risk = of(data.legend);
  const level = of(data.levels);
  return { risk: (k) => risk[k] || GREY, level: (k) => level[k] || GREY };
}
// The ring of an enterprise nobody visited in the period (覆盖).
const UNINSPECTED = '#37474f';
const TEXT = {
  zh: { empty: '暂无可显示位置的企业或隐患', open: '未销号隐患', major: '重大隐患', overdue: '逾期',
    hazard: '隐患', legendMajor: '有重大隐患', legendHazard: '隐患位置', risk: '风险等级',
    openCard: '打开企业卡片', close: '关闭', listed: '挂牌督办', legendListed: '挂牌督办',
    uninspected: '本期未检查', lastVisit: '最近检查' },
  en: { empty: 'No enterprise or hazard with a location', open: 'open hazards', major: 'major',
    overdue: 'overdue', hazard: 'Hazard', legendMajor: 'has a major hazard',
    legendHazard: 'hazard', risk: 'Risk level', openCard: 'Open the enterprise', close: 'Close',
    listed: 'listed', legendListed: 'listed for supervision',
    uninspected: 'not inspected in the period', lastVisit: 'last inspected' },
};
// An enterprise's dot: at least this radius (px), and a tap target of at least HIT around it.
const DOT = 8;
const HIT = 17;

// ------------------------------------------------------------------ coordinates (lat, lng)
export function outOfChina(lat, lng) {
  return !(lng >= 72.004 && lng <= 137.8347 && lat >= 0.8293 && lat <= 55.8271);
}

function transformLat(x, y) {
  let ret = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * Math.sqrt(Math.abs(x));
  ret += ((20.0 * Math.sin(6.0 * x * PI) + 20.0 * Math.sin(2.0 * x * PI)) * 2.0) / 3.0;
  ret += ((20.0 * Math.sin(y * PI) + 40.0 * Math.sin((y / 3.0) * PI)) * 2.0) / 3.0;
  ret += ((160.0 * Math.sin((y / 12.0) * PI) + 320.0 * Math.sin((y * PI) / 30.0)) * 2.0) / 3.0;
  return ret;
}

function transformLng(x, y) {
  let ret = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * Math.sqrt(Math.abs(x));
  ret += ((20.0 * Math.sin(6.0 * x * PI) + 20.0 * Math.sin(2.0 * x * PI)) * 2.0) / 3.0;
  ret += ((20.0 * Math.sin(x * PI) + 40.0 * Math.sin((x / 3.0) * PI)) * 2.0) / 3.0;
  ret += ((150.0 * Math.sin((x / 12.0) * PI) + 300.0 * Math.sin((x / 30.0) * PI)) * 2.0) / 3.0;
  return ret;
}

/** WGS-84 → GCJ-02 (国测局), unchanged outside mainland China. Returns [lat, lng]. */
export function wgs84ToGcj02(lat, lng) {
  if (outOfChina(lat, lng)) return [lat, lng];
  let dLat = transformLat(lng - 105.0, lat - 35.0);
  let dLng = transformLng(lng - 105.0, lat - 35.0);
  const radLat = (lat / 180.0) * PI;
  const magic = 1 - EE * Math.sin(radLat) ** 2;
  const sqrtMagic = Math.sqrt(magic);
  dLat = (dLat * 180.0) / (((A * (1 - EE)) / (magic * sqrtMagic)) * PI);
  dLng = (dLng * 180.0) / ((A / sqrtMagic) * Math.cos(radLat) * PI);
  return [lat + dLat, lng + dLng];
}

/** GCJ-02 → BD-09 (百度). Returns [lat, lng]. */
export function gcj02ToBd09(lat, lng) {
  const z = Math.sqrt(lng * lng + lat * lat) + 0.00002 * Math.sin(lat * X_PI);
  const theta = Math.atan2(lat, lng) + 0.000003 * Math.cos(lng * X_PI);
  return [z * Math.sin(theta) + 0.006, z * Math.cos(theta) + 0.0065];
}

export function wgs84ToBd09(lat, lng) {
  return gcj02ToBd09(...wgs84ToGcj02(lat, lng));
}

/** A stored WGS-84 point in the system a tile source expects (`wgs84`, `gcj02`, `bd09`). */
export function toCrs(lat, lng, crs) {
  if (crs === 'gcj02') return wgs84ToGcj02(lat, lng);
  if (crs === 'bd09') return wgs84ToBd09(lat, lng);
  return [lat, lng];
}

// ------------------------------------------------------------------ projections
/** Web Mercator world pixel (y down) at zoom z, as used by OSM, AMap, Tencent, Tianditu. */
export function webMercatorPixel(lat, lng, z) {
  const size = TILE * 2 ** z;
  const s = Math.sin((Math.max(Math.min(lat, 85.05112878), -85.05112878) * PI) / 180);
  return [((lng + 180) / 360) * size, (0.5 - Math.log((1 + s) / (1 - s)) / (4 * PI)) * size];
}

const BAIDU_A = 6378206.0;                // Baidu's Mercator: Clarke 1866 ellipsoid
const BAIDU_B = 6356584.314245179;
const BAIDU_E = Math.sqrt(1 - (BAIDU_B * BAIDU_B) / (BAIDU_A * BAIDU_A));

/** BD-09 (lat, lng) → Baidu Mercator metres [x, y] (y up, origin at 0°, 0°). */
export function baiduMercator(lat, lng) {
  const phi = (lat * PI) / 180;
  const es = BAIDU_E * Math.sin(phi);
  const x = (BAIDU_A * lng * PI) / 180;
  const y = BAIDU_A * Math.log(Math.tan(PI / 4 + phi / 2) * ((1 - es) / (1 + es)) ** (BAIDU_E / 2));
  return [x, y];
}

/** Baidu world pixel at zoom z: resolution 2^(18−z) m/px, y *up* from the equator. */
export function baiduPixel(lat, lng, z) {
  const [x, y] = baiduMercator(lat, lng);
  const res = 2 ** (18 - z);
  return [x / res, y / res];
}

/** Screen-like pixel (y down) of a WGS-84 point for a tile source at zoom z. */
export function projectPoint(lat, lng, tiles, z) {
  const [clat, clng] = toCrs(lat, lng, tiles ? tiles.crs : 'wgs84');
  if (tiles && tiles.scheme === 'baidu') {
    const [x, y] = baiduPixel(clat, clng, z);
    return [x, -y];
  }
  return webMercatorPixel(clat, clng, z);
}

/** The URL of tile (x, y) at zoom z. For web-mercator sources y counts rows down from the top
 * and `{-y}` in the template is the TMS row (counted up, as Tencent wants); for Baidu y is
 * Baidu's own row (up from the equator). */
export function tileUrl(template, x, y, z, subdomains = []) {
  const flipped = 2 ** z - 1 - y;
  const s = subdomains.length ? subdomains[Math.abs(x + y) % subdomains.length] : '';
  return template.replace('{s}', s).replace('{z}', String(z)).replace('{x}', String(x))
    .replace('{-y}', String(flipped)).replace('{y}', String(y));
}

// ------------------------------------------------------------------ rendering
const SVG_NS = 'http://www.w3.org/2000/svg';

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v == null) continue;
    node.setAttribute(k, v);
  }
  for (const c of children) node.append(c);
  return node;
}

function svg(tag, attrs = {}, ...children) {
  const node = document.createElementNS(SVG_NS, tag);
  for (const [k, v] of Object.entries(attrs)) if (v != null) node.setAttribute(k, String(v));
  for (const c of children) node.append(c);
  return node;
}

function located(items) {
  return (items || []).filter((p) => Number.isFinite(p.lat) && Number.isFinite(p.lng));
}

/** A legend's key, drawn like the marks on the map: `size` px, one SVG shape. */
function key(size, shape) {
  return svg('svg', { width: size, height: size, viewBox: `0 0 ${size} ${size}`, 'aria-hidden': 'true' }, shape);
}

function legend(data, lang, t, colors) {
  const items = (data.legend || [])
    .map((r) => el('span', { class: 'map-legend-item', role: 'listitem', 'data-risk': r.key },
      key(10, svg('circle', { cx: 5, cy: 5, r: 5, fill: colors.risk(r.key) })),
      lang === 'en' ? r.en : r.zh));
  items.push(el('span', { class: 'map-legend-item', role: 'listitem' },
    key(8, svg('circle', { cx: 4, cy: 4, r: 3, fill: 'none', stroke: colors.level('major'), 'stroke-width': 2 })), t.legendMajor));
  items.push(el('span', { class: 'map-legend-item', role: 'listitem' },
    key(6, svg('rect', { width: 6, height: 6, fill: colors.level('general'), transform: 'rotate(45 3 3)' })), t.legendHazard));
  items.push(el('span', { class: 'map-legend-item', role: 'listitem' },
    key(10, listedFlag(1, 1, colors.level('major'))), t.legendListed));
  if ((data.enterprises || []).some((e) => e.inspected === false)) {
    items.push(el('span', { class: 'map-legend-item', role: 'listitem', 'data-legend': 'uninspected' },
      key(12, svg('circle', { cx: 6, cy: 6, r: 4.5, fill: 'none', stroke: UNINSPECTED, 'stroke-width': 1.5, 'stroke-dasharray': '2.5 1.5' })), t.uninspected));
  }
  return el('div', { class: 'map-legend', role: 'list', 'aria-label': t.risk }, ...items);
}

function figuresLine(e, t) {
  const parts = [`${t.open} ${e.open_hazards || 0}`];
  if (e.major) parts.push(`${t.major} ${e.major}`);
  if (e.overdue) parts.push(`${t.overdue} ${e.overdue}`);
  if (e.listed) parts.push(`${t.listed} ${e.listed}`);
  if (e.inspected === false) parts.push(t.uninspected);
  else if (e.last_inspected_at) parts.push(`${t.lastVisit} ${new Date(Date.parse(e.last_inspected_at) + 8 * 3600000).toISOString().slice(0, 10)}`);
  return parts.join(' · ');
}

/** 挂牌督办: a small pennant (in the major hazards' colour) whose pole stands at (x, y). */
function listedFlag(x, y, color) {
  return svg('path', { d: `M${x.toFixed(1)} ${(y + 9).toFixed(1)}V${y.toFixed(1)}l8 2.5-8 2.5`, fill: color,
    stroke: color, 'stroke-width': 1.4, 'stroke-linejoin': 'round', class: 'map-listed' });
}

function enterpriseTitle(e, t) {
  return `${e.name} · ${figuresLine(e, t)}`;
}

/** The name of a tapped enterprise beside its dot, its figures, and the way to its card. */
function popup(frame, e, [x, y], t, container, width) {
  frame.querySelector('.map-popup')?.remove();
  const open = el('button', { type: 'button', class: 'map-popup-open' }, t.openCard);
  const close = el('button', { type: 'button', class: 'map-popup-close', 'aria-label': t.close }, '×');
  const box = el('div', { class: 'map-popup', role: 'dialog', 'aria-label': e.name, 'data-id': e.id },
    el('div', { class: 'map-popup-name' }, e.name), el('div', { class: 'map-popup-figures' }, figuresLine(e, t)), open, close);
  // Beside the dot, kept inside the frame (its look: app.css; its place: computed here).
  const left = Math.max(4, Math.min(width - 224, x - 110));
  Object.assign(box.style, { left: `${Math.round(left)}px`, top: `${Math.round(y + HIT)}px` });
  open.addEventListener('click', () => container.dispatchEvent(new CustomEvent('map-select', { detail: { type: 'enterprise', id: e.id }, bubbles: true })));
  close.addEventListener('click', () => box.remove());
  box.addEventListener('keydown', (ev) => { if (ev.key === 'Escape') box.remove(); });
  frame.append(box);
  return box;
}

function markers(layer, enterprises, hazards, place, t, container, frame, width, colors) {
  for (const h of hazards) {
    const [x, y] = place(h);
    const mark = svg('rect', {
      x: (x - 4.5).toFixed(1), y: (y - 4.5).toFixed(1), width: 9, height: 9,
      transform: `rotate(45 ${x.toFixed(1)} ${y.toFixed(1)})`,
      fill: colors.level(h.level), 'fill-opacity': 0.75,
      class: h.listed ? 'map-hazard map-hazard-listed' : 'map-hazard', 'data-id': h.id,
      ...(h.listed ? { stroke: '#212121', 'stroke-width': 1.5 } : {}), // 挂牌督办: outlined
    }, svg('title', {}, `${t.hazard}：${h.title}${h.overdue ? ` · ${t.overdue}` : ''}${h.listed ? ` · ${t.listed}` : ''}`));
    layer.append(mark);
  }
  const ordered = [...enterprises].sort((a, b) => (a.major || 0) - (b.major || 0) || (a.open_hazards || 0) - (b.open_hazards || 0));
  for (const e of ordered) {
    const [x, y] = place(e);
    const r = DOT + Math.min(9, Math.sqrt(e.open_hazards || 0) * 1.8);
    const hit = Math.max(HIT, r + 4);
    const group = svg('g', { class: 'map-enterprise', 'data-id': e.id, 'data-risk': e.risk_level, tabindex: 0, role: 'button' },
      svg('title', {}, enterpriseTitle(e, t)),
      // the tap target: larger than the dot, invisible
      svg('rect', { class: 'map-hit', x: (x - hit).toFixed(1), y: (y - hit).toFixed(1), width: (2 * hit).toFixed(1), height: (2 * hit).toFixed(1), rx: hit.toFixed(1), fill: 'transparent' }));
    if (e.major) {
      group.append(svg('circle', { cx: x.toFixed(1), cy: y.toFixed(1), r: (r + 3).toFixed(1), fill: 'none', stroke: colors.level('major'), 'stroke-width': 2, class: 'map-major-ring' }));
    }
    // 覆盖: nobody visited it in the period (a dashed ring, outside the major one)
    if (e.inspected === false) {
      group.dataset.uninspected = 'true';
      group.append(svg('circle', { cx: x.toFixed(1), cy: y.toFixed(1), r: (r + (e.major ? 6 : 3)).toFixed(1), fill: 'none', stroke: UNINSPECTED, 'stroke-width': 1.5, 'stroke-dasharray': '3 2', class: 'map-uninspected-ring' }));
    }
    group.append(svg('circle', { cx: x.toFixed(1), cy: y.toFixed(1), r: r.toFixed(1), fill: colors.risk(e.risk_level), stroke: '#fff', 'stroke-width': 1.5, 'fill-opacity': 0.9 }));
    if (e.listed) group.append(listedFlag(x + r * 0.7, y - r - 9, colors.level('major')));
    if (e.open_hazards) {
      group.append(svg('text', { x: x.toFixed(1), y: (y + 4).toFixed(1), 'text-anchor': 'middle', 'font-size': 11, fill: '#fff', 'font-weight': 'bold', 'pointer-events': 'none' }, String(e.open_hazards)));
    }
    // A tap names the enterprise; its card opens from there (a dot alone says nothing).
    group.addEventListener('click', (ev) => { ev.stopPropagation(); popup(frame, e, [x, y], t, container, width); });
    group.addEventListener('keydown', (ev) => {
      if (ev.key === 'Enter' || ev.key === ' ') { ev.preventDefault(); popup(frame, e, [x, y], t, container, width).querySelector('button')?.focus(); }
    });
    layer.append(group);
  }
}

/** Fit `points` (already in world pixels at zoom 0 scale `unit`) into w×h with padding. */
function fit(pixels, width, height, pad) {
  const xs = pixels.map((p) => p[0]);
  const ys = pixels.map((p) => p[1]);
  const minX = Math.min(...xs); const maxX = Math.max(...xs);
  const minY = Math.min(...ys); const maxY = Math.max(...ys);
  return { minX, maxX, minY, maxY, spanX: maxX - minX, spanY: maxY - minY, width, height, pad };
}

/**
 * Draw `data` (the answer of GET /api/v1/map) into `container`.
 * Options: `lang` ('zh' | 'en'), `height` (px, default the container's or 360).
 * Returns `{ zoom, tiles, points, destroy() }`; clicking a point dispatches `map-select`.
 */
export function renderMap(container, data, { lang = 'zh', height } = {}) {
  const t = TEXT[lang === 'en' ? 'en' : 'zh'];
  const width = Math.max(200, container.clientWidth || 360);
  const h = height || container.clientHeight || 360;
  const enterprises = located(data.enterprises);
  const hazards = located(data.hazards);
  const all = [...enterprises, ...hazards];
  container.replaceChildren();
  const frame = el('div', { class: 'map-frame' }); // its look: app.css; its size: computed here
  Object.assign(frame.style, { width: `${width}px`, height: `${h}px` });
  const colors = palette(data);
  container.append(frame, legend(data, lang, t, colors));
  const result = { zoom: null, tiles: 0, points: enterprises.length + hazards.length, destroy: () => container.replaceChildren() };
  if (!all.length) {
    frame.append(el('div', { class: 'map-empty' }, t.empty));
    return result;
  }
  const pad = 28;
  const tiles = data.tiles && data.tiles.url ? data.tiles : null;
  const layer = svg('svg', { class: 'map-points', width, height: h, viewBox: `0 0 ${width} ${h}`, role: 'img', 'aria-label': `${enterprises.length} / ${hazards.length}` });

  // tiles: the largest zoom at which the bounds fit; without tiles the scale is free
  let zoom = 18;
  let box = fit(all.map((p) => projectPoint(p.lat, p.lng, tiles, zoom)), width, h, pad);
  if (tiles) {
    const minZoom = tiles.min_zoom || 3;
    for (zoom = Math.min(tiles.max_zoom || 18, 18); zoom > minZoom; zoom -= 1) {
      box = fit(all.map((p) => projectPoint(p.lat, p.lng, tiles, zoom)), width, h, pad);
      if (box.spanX <= width - 2 * pad && box.spanY <= h - 2 * pad) break;
    }
    box = fit(all.map((p) => projectPoint(p.lat, p.lng, tiles, zoom)), width, h, pad);
  }
  let scale = 1;
  if (!tiles) {   // free scale: fill the frame (a single point sits in the middle)
    const sx = box.spanX ? (width - 2 * pad) / box.spanX : Infinity;
    const sy = box.spanY ? (h - 2 * pad) / box.spanY : Infinity;
    scale = Math.min(sx, sy);
    if (!Number.isFinite(scale)) scale = 1;
  }
  // world pixel of the frame's top-left corner: bounds centred
  const originX = (box.minX + box.maxX) / 2 - width / (2 * scale);
  const originY = (box.minY + box.maxY) / 2 - h / (2 * scale);
  const place = (p) => {
    const [x, y] = projectPoint(p.lat, p.lng, tiles, zoom);
    return [(x - originX) * scale, (y - originY) * scale];
  };

  if (tiles) {
    const baidu = tiles.scheme === 'baidu';
    const x0 = Math.floor(originX / TILE); const x1 = Math.floor((originX + width) / TILE);
    const y0 = Math.floor(originY / TILE); const y1 = Math.floor((originY + h) / TILE);
    const layers = [tiles.url, tiles.overlay_url].filter(Boolean);
    for (const template of layers) {
      for (let tx = x0; tx <= x1; tx += 1) {
        for (let ty = y0; ty <= y1; ty += 1) {
          // Baidu counts rows upward from the equator; screen rows grow downward
          const row = baidu ? -ty - 1 : ty;
          const url = tileUrl(template, tx, row, zoom, tiles.subdomains || []);
          const img = el('img', { src: url, alt: '', class: 'map-tile', width: TILE, height: TILE, draggable: 'false', 'data-x': tx, 'data-y': row, 'data-z': zoom });
          Object.assign(img.style, { left: `${Math.round(tx * TILE - originX)}px`, top: `${Math.round(ty * TILE - originY)}px` });
          img.addEventListener('error', () => img.classList.add('failed'));
          frame.append(img);
          result.tiles += 1;
        }
      }
    }
    if (tiles.attribution) {
      frame.append(el('div', { class: 'map-attribution' }, tiles.attribution));
    }
  } else {
    // a faint graticule so that the scatter reads as a map
    const grid = svg('g', { class: 'map-grid', stroke: '#d5dde6', 'stroke-width': 1 });
    for (let gx = 0; gx <= width; gx += 40) grid.append(svg('line', { x1: gx, y1: 0, x2: gx, y2: h }));
    for (let gy = 0; gy <= h; gy += 40) grid.append(svg('line', { x1: 0, y1: gy, x2: width, y2: gy }));
    layer.append(grid);
  }
  markers(layer, enterprises, hazards, place, t, container, frame, width, colors);
  frame.append(layer);
  // A tap beside the dots closes the name shown.
  layer.addEventListener('click', () => frame.querySelector('.map-popup')?.remove());
  result.zoom = tiles ? zoom : null;
  result.place = place;
  return result;
}
