// Tiny hand-written SVG charts: horizontal bars and a weekly line. No library.
const NS = 'http://www.w3.org/2000/svg';
function el(name, attrs = {}, text) {
  const e = document.createElementNS(NS, name);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  if (text != null) e.textContent = text;
  return e;
}

/** rows: [{label, value, color}] → horizontal bar chart. */
export function barChart(rows, { title = '', width = 340, barH = 22, gap = 10, labelW = 92 } = {}) {
  const max = Math.max(1, ...rows.map((r) => r.value || 0));
  const height = rows.length * (barH + gap) + 4;
  const svg = el('svg', { viewBox: `0 0 ${width} ${height}`, role: 'img', 'aria-label': title });
  svg.append(el('title', {}, title));
  rows.forEach((r, i) => {
    const y = i * (barH + gap) + 2;
    const w = Math.max(r.value ? 3 : 0, ((width - labelW - 44) * (r.value || 0)) / max);
    svg.append(el('text', { x: 0, y: y + barH / 2 + 4 }, r.label));
    svg.append(el('rect', { x: labelW, y, width: width - labelW - 44, height: barH, rx: 6, fill: '#eef1f5' }));
    svg.append(el('rect', { x: labelW, y, width: w, height: barH, rx: 6, fill: r.color || '#0f5cc0' }));
    svg.append(el('text', { x: labelW + w + 6, y: y + barH / 2 + 4, 'font-weight': 600, fill: '#1b2430' }, String(r.value ?? 0)));
  });
  return svg;
}

/** A legend's colour key: a 10 px rounded square of a series' colour. */
export function swatch(color) {
  const svg = el('svg', { viewBox: '0 0 10 10', 'aria-hidden': 'true' });
  svg.append(el('rect', { width: 10, height: 10, rx: 3, fill: color }));
  return svg;
}

/** series: [{name, color, values:[n]}], labels: [x labels] → line chart. */
export function lineChart(labels, series, { title = '', width = 340, height = 170 } = {}) {
  const pad = { l: 28, r: 8, t: 10, b: 24 };
  const max = Math.max(1, ...series.flatMap((s) => s.values));
  const iw = width - pad.l - pad.r; const ih = height - pad.t - pad.b;
  const x = (i) => pad.l + (labels.length <= 1 ? iw / 2 : (iw * i) / (labels.length - 1));
  const y = (v) => pad.t + ih - (ih * v) / max;
  const svg = el('svg', { viewBox: `0 0 ${width} ${height}`, role: 'img', 'aria-label': title });
  svg.append(el('title', {}, title));
  for (const f of [0, 0.5, 1]) {
    const v = Math.round(max * f);
    svg.append(el('line', { x1: pad.l, x2: width - pad.r, y1: y(v), y2: y(v), stroke: '#e1e6ed' }));
    svg.append(el('text', { x: pad.l - 6, y: y(v) + 4, 'text-anchor': 'end' }, String(v)));
  }
  const step = Math.max(1, Math.ceil(labels.length / 6));
  labels.forEach((l, i) => {
    const last = i === labels.length - 1;
    if (last || (i % step === 0 && labels.length - 1 - i >= step)) svg.append(el('text', { x: x(i), y: height - 6, 'text-anchor': i === 0 ? 'start' : last ? 'end' : 'middle' }, l));
  });
  for (const s of series) {
    if (!s.values.length) continue;
    svg.append(el('polyline', { points: s.values.map((v, i) => `${x(i)},${y(v)}`).join(' '), fill: 'none', stroke: s.color, 'stroke-width': 2.5, 'stroke-linejoin': 'round', 'stroke-linecap': 'round' }));
    if (s.values.length <= 16) s.values.forEach((v, i) => svg.append(el('circle', { cx: x(i), cy: y(v), r: 3, fill: s.color })));
  }
  return svg;
}
