// Supervisor dashboard (看板): figures and charts from GET /api/v1/dashboard.
import { cachedGet, itemsOf } from '../api.js';
import { t, fmtNumber, currentLang } from '../i18n.js';
import { h, icon, errorBlock, loading, cachedNote, empty, append, setChildren } from '../ui.js';
import { barChart, lineChart } from '../chart.js';
import { HAZARD_STATES, RISK_LEVELS, categoryLabel } from '../choices.js';
import { setTitle, navigate } from '../app.js';

/** {key: n} from an object or from a list of {key|state|level|…, count}. */
function toMap(x, keyNames = ['key', 'value', 'state', 'level', 'category', 'risk_level', 'community_id', 'name', 'label']) {
  if (!x) return {};
  if (Array.isArray(x)) {
    const out = {};
    for (const r of x) {
      const k = keyNames.map((n) => r[n]).find((v) => v != null && typeof v !== 'number');
      out[k ?? '?'] = r.count ?? r.n ?? r.total ?? r.value ?? 0;
    }
    return out;
  }
  return typeof x === 'object' ? x : {};
}
const pick = (d, ...names) => { for (const n of names) { const v = n.split('.').reduce((o, k) => (o == null ? o : o[k]), d); if (v != null) return v; } return null; };
const pct = (v) => (v == null ? '—' : `${fmtNumber(v <= 1 ? v * 100 : v, 1)}%`);
const COLORS = { red: '#d32f2f', orange: '#e06c00', yellow: '#f2b705', blue: '#1976d2' };
const STATE_COLORS = { reported: '#1565c0', rectifying: '#e06c00', submitted: '#6a1b9a', verified: '#2e7d32', closed: '#1b7f3b', archived: '#78909c' };

export async function render({ main, isCurrent, query }) {
  setTitle(t('dashboard.title'));
  append(main, loading());
  const communities = await cachedGet('/api/v1/communities').then((r) => itemsOf(r.data)).catch(() => []);
  const cid = query.get('community_id') || '';
  let res;
  try { res = await cachedGet(`/api/v1/dashboard${cid ? `?community_id=${encodeURIComponent(cid)}` : ''}`); } catch (err) {
    setChildren(main, errorBlock(err, () => render({ main, isCurrent, query })));
    return null;
  }
  if (!isCurrent()) return null;
  const d = res.data || {};
  const byState = toMap(pick(d, 'by_state', 'counts.state', 'counts_by_state', 'states'));
  const byLevel = toMap(pick(d, 'by_level', 'counts.level', 'counts_by_level', 'levels'));
  const byRisk = toMap(pick(d, 'by_risk_colour', 'by_risk_color', 'by_risk', 'counts.risk_level', 'by_risk_level', 'risk'));
  const byCategory = toMap(pick(d, 'by_category', 'counts.category', 'counts_by_category', 'categories'));
  const byCommunity = pick(d, 'by_community', 'counts.community', 'counts_by_community', 'communities');
  const total = pick(d, 'total', 'counts.total') ?? Object.values(byState).reduce((a, b) => a + (Number(b) || 0), 0);
  const open = pick(d, 'open_now') ?? ['reported', 'rectifying', 'submitted'].reduce((a, s) => a + (Number(byState[s]) || 0), 0);
  const overdue = pick(d, 'overdue_now', 'overdue', 'overdue_count', 'counts.overdue');
  const majorOpen = pick(d, 'major_open_now') ?? byLevel.major;
  const escalated = pick(d, 'escalations.total', 'escalated', 'escalated_count');
  const scope = d.scope || {};
  const top = itemsOf(pick(d, 'top_enterprises') || []);
  const stat = (v, k, alert = false, href = null) => h(href ? 'a.stat' : 'div.stat', { class: alert ? 'alert' : '', href, style: href ? 'text-decoration:none;color:inherit' : null }, h('div.v', v), h('div.k', k));

  const filter = communities.length > 1 ? h('div.filters', h('select', { 'aria-label': t('hazards.f_community'), onchange: (e) => navigate(`/dashboard${e.target.value ? `?community_id=${e.target.value}` : ''}`, { replace: true }) },
    h('option', { value: '' }, t('hazards.all_communities')), communities.map((c) => h('option', { value: c.id, selected: c.id === cid }, c.name)))) : null;

  const trend = itemsOf(pick(d, 'weekly_trend', 'trend', 'weekly') || []).slice(-12); // a phone shows 12 weeks
  const trendLabels = trend.map((w) => String(w.week || w.week_start || w.label || w.start || '').replace(/^\d{4}-/, '').slice(0, 5));
  const series = [
    { name: t('dashboard.reported'), color: '#0f5cc0', values: trend.map((w) => Number(w.reported ?? w.created ?? w.found ?? w.count ?? 0)) },
    { name: t('dashboard.closed'), color: '#1b7f3b', values: trend.map((w) => Number(w.closed ?? w.rectified ?? 0)) },
  ];
  const communityRows = Array.isArray(byCommunity)
    ? byCommunity.map((r) => ({ label: r.name || r.community_name || r.community || r.key || '?', value: r.count ?? r.total ?? r.n ?? 0 }))
    : Object.entries(toMap(byCommunity)).map(([k, v]) => ({ label: (communities.find((c) => c.id === k) || {}).name || k, value: typeof v === 'object' ? (v.total ?? v.count ?? 0) : v }));

  setChildren(main, cachedNote(res.cachedAt), filter,
    h('div.stats',
      stat(fmtNumber(total), t('dashboard.total'), false, '#/hazards'),
      stat(fmtNumber(open), t('dashboard.open'), false, '#/hazards'),
      stat(fmtNumber(overdue ?? 0), t('dashboard.overdue'), !!overdue, '#/hazards?overdue=true'),
      stat(fmtNumber(majorOpen ?? 0), t('dashboard.major'), !!majorOpen, '#/hazards?level=major'),
      stat(pct(pick(d, 'rectification_rate', 'rates.rectification')), t('dashboard.rect_rate')),
      stat(pct(pick(d, 'on_time_rate', 'rates.on_time')), t('dashboard.on_time_rate')),
      stat(pick(d, 'median_days_to_close') != null ? fmtNumber(pick(d, 'median_days_to_close'), 1) : '—', t('dashboard.median_days')),
      stat(fmtNumber(escalated ?? 0), t('dashboard.escalated'), false, '#/interviews')),
    scope.from || scope.to ? h('p.small.muted', { style: 'margin:-4px 4px 12px' }, t('dashboard.period', { from: scope.from || '…', to: scope.to || '…' })) : null,
    trend.length ? h('div.card.chart', h('h2', t('dashboard.trend')), lineChart(trendLabels, series, { title: t('dashboard.trend') }),
      h('div.legend', series.map((s) => h('span', h('i', { style: `background:${s.color}` }), s.name)))) : null,
    h('div.card.chart', h('h2', t('dashboard.by_state')),
      total ? barChart(HAZARD_STATES.map((s) => ({ label: t(`hazard_state.${s}`), value: Number(byState[s]) || 0, color: STATE_COLORS[s] })), { title: t('dashboard.by_state') }) : empty(t('hazards.none'))),
    Object.keys(byRisk).length ? h('div.card.chart', h('h2', t('dashboard.by_risk')),
      barChart(RISK_LEVELS.map((r) => ({ label: t(`risk.${r}`), value: Number(typeof byRisk[r] === 'object' ? byRisk[r].total ?? byRisk[r].count : byRisk[r]) || 0, color: COLORS[r] })), { title: t('dashboard.by_risk') })) : null,
    Object.keys(byCategory).length ? h('div.card.chart', h('h2', t('dashboard.by_category')),
      barChart(Object.entries(byCategory).sort((a, b) => b[1] - a[1]).slice(0, 8).map(([k, v]) => ({ label: categoryLabel(k, t, currentLang()), value: Number(v) || 0 })), { title: t('dashboard.by_category') })) : null,
    top.length ? h('h2.section-title', t('dashboard.top_enterprises')) : null,
    top.length ? h('div.list', top.slice(0, 5).map((e) => h('a.item', { href: `#/enterprise/${e.id}` },
      h('span.risk-bar', { class: e.risk_level || '' }),
      h('div.grow', h('div.item-title', e.name),
        h('div.item-sub', t('dashboard.top_line', { open: e.open_hazards ?? 0, major: e.major ?? 0, overdue: e.overdue ?? 0 })))))) : null,
    communityRows.length ? h('div.card.chart', h('h2', t('dashboard.by_community')), barChart(communityRows.slice(0, 10), { title: t('dashboard.by_community'), labelW: 110 })) : null,
    h('a.btn.block.secondary', { href: `/api/v1/reports/hazard-ledger.xlsx${cid ? `?community_id=${cid}` : ''}`, download: '' }, icon('download'), t('hazards.ledger')));
  return null;
}
