// Supervisor dashboard (看板): figures and charts from GET /api/v1/dashboard for a community and
// a period, both read from the route (#/dashboard?from=&to=&community_id=, which is also what the
// campaign summary's QR code opens); the map of open hazards and enterprises by risk colour
// (static/js/map.js, imported only when this screen draws it); the ledgers and the summary PDF
// of the period shown.
import { cachedGet, itemsOf } from '../api.js';
import { t, fmtNumber, currentLang, shanghaiDay } from '../i18n.js';
import { h, icon, chev, errorBlock, loading, cachedNote, empty, append, setChildren, field, kv } from '../ui.js';
import { barChart, lineChart, swatch } from '../chart.js';
import { values, label, color } from '../choices.js';
import { setTitle, navigate } from '../router.js';
import { atDesk, redrawAcrossLayouts } from '../components/layout.js';
import { serverFile } from '../components/server-file.js';
import { campaignBanner } from '../components/campaign-banner.js';

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
const DAY = 86400000;
const isDay = (s) => /^\d{4}-\d{2}-\d{2}$/.test(s || '') && !Number.isNaN(Date.parse(s));
const addDays = (day, n) => new Date(Date.parse(`${day}T00:00:00Z`) + n * DAY).toISOString().slice(0, 10);
const spanDays = (from, to) => Math.round((Date.parse(to) - Date.parse(from)) / DAY) + 1;
// A campaign summary covers at most a year (CampaignArgs).
const SUMMARY_MAX_DAYS = 367;

/** The quick periods: [key, from, to]; '' is the server's default (the last 365 days). */
function presets() {
  const d = shanghaiDay();
  const year = d.slice(0, 4);
  const june = d.slice(5) >= '06-01' ? year : String(Number(year) - 1);
  return [
    ['', null, null],
    ['30d', addDays(d, -29), d],
    ['month', `${d.slice(0, 7)}-01`, d],
    ['ytd', `${year}-01-01`, d],
    ['june', `${june}-06-01`, `${june}-06-30`],
  ];
}

/** The dashboard's query string: community and period (empty parts left out). */
function qs({ cid, from, to }) {
  const q = new URLSearchParams();
  if (cid) q.set('community_id', cid);
  if (from) q.set('from', from);
  if (to) q.set('to', to);
  return q.toString();
}
const withQs = (path, q) => (q ? `${path}?${q}` : path);

export async function render({ main, isCurrent, query }) {
  setTitle(t('dashboard.title'));
  append(main, loading());
  const communities = await cachedGet('/api/v1/communities').then((r) => itemsOf(r.data)).catch(() => []);
  const cid = query.get('community_id') || '';
  const from = isDay(query.get('from')) ? query.get('from') : '';
  const to = isDay(query.get('to')) ? query.get('to') : '';
  const go = (next) => navigate(withQs('/dashboard', qs({ cid, from, to, ...next })), { replace: true });
  let res;
  try { res = await cachedGet(withQs('/api/v1/dashboard', qs({ cid, from, to }))); } catch (err) {
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
  const stat = (v, k, alert = false, href = null) => h(href ? 'a.stat' : 'div.stat', { class: alert ? 'alert' : '', href }, h('div.v', v), h('div.k', k));

  // The period shown: what the route asked for, else the server's default (in its answer).
  const shownFrom = from || scope.from || '';
  const shownTo = to || scope.to || '';
  const preset = presets().find(([, f, tt]) => (f || '') === from && (tt || '') === to);
  const presetSelect = h('select', { name: 'period', 'aria-label': t('dashboard.period_label'), onchange: (e) => {
    const chosen = presets().find(([k]) => k === e.target.value);
    if (chosen) go({ from: chosen[1] || '', to: chosen[2] || '' });
  } },
  presets().map(([k]) => h('option', { value: k, selected: preset ? preset[0] === k : false }, t(`dashboard.preset_${k || 'year'}`))),
  preset ? null : h('option', { value: 'custom', selected: true }, t('dashboard.preset_custom')));
  const fromInput = h('input', { type: 'date', name: 'from', value: shownFrom, max: shownTo || null });
  const toInput = h('input', { type: 'date', name: 'to', value: shownTo, min: shownFrom || null });
  const dateChanged = (which) => {
    let f = fromInput.value; let tt = toInput.value;
    if (!isDay(f) || !isDay(tt)) return;
    if (f > tt) { if (which === 'from') tt = f; else f = tt; } // keep a valid period
    go({ from: f, to: tt });
  };
  fromInput.addEventListener('change', () => dateChanged('from'));
  toInput.addEventListener('change', () => dateChanged('to'));
  const filter = h('div.filters',
    presetSelect,
    communities.length > 1 ? h('select', { name: 'community_id', 'aria-label': t('hazards.f_community'), onchange: (e) => go({ cid: e.target.value }) },
      h('option', { value: '' }, t('hazards.all_communities')), communities.map((c) => h('option', { value: c.id, selected: c.id === cid }, c.name))) : null);
  const periodFields = h('div.period', { role: 'group', 'aria-label': t('dashboard.period_label') },
    field(t('dashboard.from'), fromInput), field(t('dashboard.to'), toInput));

  const trend = itemsOf(pick(d, 'weekly_trend', 'trend', 'weekly') || []).slice(-12); // a phone shows 12 weeks
  const trendLabels = trend.map((w) => String(w.week || w.week_start || w.label || w.start || '').replace(/^\d{4}-/, '').slice(0, 5));
  const series = [
    { name: t('dashboard.reported'), color: '#0f5cc0', values: trend.map((w) => Number(w.reported ?? w.created ?? w.found ?? w.count ?? 0)) },
    { name: t('dashboard.closed'), color: '#1b7f3b', values: trend.map((w) => Number(w.closed ?? w.rectified ?? 0)) },
  ];
  const communityRows = Array.isArray(byCommunity)
    ? byCommunity.map((r) => ({ label: r.name || r.community_name || r.community || r.key || '?', value: r.count ?? r.total ?? r.n ?? 0 }))
    : Object.entries(toMap(byCommunity)).map(([k, v]) => ({ label: (communities.find((c) => c.id === k) || {}).name || k, value: typeof v === 'object' ? (v.total ?? v.count ?? 0) : v }));

  // 零容忍 escalations by rule and 约谈 (interviews) of the period, when the answer has them.
  const esc = d.escalations || null;
  const ivs = d.interviews || null;
  const answerLabel = (x) => (currentLang() === 'en' ? x.en : x.zh) || x.key; // labelled in the answer
  const zeroTolerance = esc || ivs ? h('div.card', { 'data-testid': 'dashboard-escalations' }, h('h2', t('dashboard.zero_tolerance')),
    h('div.stats',
      stat(fmtNumber(ivs ? ivs.opened ?? 0 : 0), t('dashboard.interviews_opened'), false, '#/interviews'),
      stat(fmtNumber(ivs ? ivs.held ?? 0 : 0), t('dashboard.interviews_held'), false, '#/interviews')),
    esc && (esc.by_rule || []).some((r) => r.count) ? h('div', h('h3.sub', t('dashboard.by_rule')),
      kv(esc.by_rule.map((r) => [`${r.key} ${answerLabel(r)}`, fmtNumber(r.count || 0)]))) : null,
    ivs && (ivs.by_state || []).some((r) => r.count) ? h('div', h('h3.sub.next', t('dashboard.interviews_by_state')),
      kv(ivs.by_state.map((r) => [answerLabel(r), fmtNumber(r.count || 0)]))) : null) : null;

  // 延期申请, 挂牌督办 and 证据存疑 of the period (the answer's extensions, listings, evidence).
  const ext = d.extensions || null;
  const lst = d.listings || null;
  const evd = d.evidence || null;
  const oversight = ext || lst || evd ? h('div.card', { 'data-testid': 'dashboard-oversight' }, h('h2', t('dashboard.oversight')),
    lst ? h('div', h('h3.sub', t('dashboard.listings')), h('div.stats',
      stat(fmtNumber(lst.listed_now ?? 0), t('dashboard.listed_now'), !!lst.listed_now, '#/listings?state=listed'),
      stat(fmtNumber(lst.listed ?? 0), t('dashboard.listed')),
      stat(fmtNumber(lst.delisted ?? 0), t('dashboard.delisted'), false, '#/listings?state=delisted'))) : null,
    ext ? h('div', h('h3.sub.next', t('dashboard.extensions')), h('div.stats',
      stat(fmtNumber(ext.requested ?? 0), t('dashboard.ext_requested')),
      stat(fmtNumber(ext.approved ?? 0), t('dashboard.ext_approved')),
      stat(fmtNumber(ext.rejected ?? 0), t('dashboard.ext_rejected')),
      stat(fmtNumber(ext.pending_now ?? 0), t('dashboard.ext_pending'), !!ext.pending_now))) : null,
    evd ? h('div', h('h3.sub.next', t('dashboard.evidence')), h('div.stats',
      stat(fmtNumber(evd.flagged_verifications ?? 0), t('dashboard.flagged_verifications'), !!evd.flagged_verifications),
      stat(fmtNumber(evd.awaiting_review ?? 0), t('dashboard.flagged_awaiting'), !!evd.awaiting_review, '#/hazards?state=submitted'))) : null) : null;
  // Public reports (举报) of the period: received, accepted, waiting, how fast they are triaged.
  const tips = d.tips || null;
  const tipsCard = tips ? h('div.card', { 'data-testid': 'dashboard-tips' }, h('h2', t('dashboard.tips')),
    h('div.stats',
      stat(fmtNumber(tips.received ?? 0), t('dashboard.tips_received'), false, '#/tips'),
      stat(fmtNumber(tips.accepted ?? 0), t('dashboard.tips_accepted')),
      stat(fmtNumber(tips.untriaged_now ?? 0), t('dashboard.tips_untriaged'), !!tips.overdue_now, '#/tips'),
      stat(tips.median_days_to_triage != null ? fmtNumber(tips.median_days_to_triage, 1) : '—', t('dashboard.tips_median')))) : null;
  // 双重预防: checklists (the items failed most, each enterprise's last score) and the
  // enterprises' own self-inspections (per month, and the 自查不实 cases).
  const prev = d.prevention || null;
  const selfFig = prev ? prev.self_inspections || {} : {};
  const prevention = prev ? h('div.card', { 'data-testid': 'dashboard-prevention' }, h('h2', t('dashboard.prevention')),
    h('div.stats.three',
      stat(fmtNumber(selfFig.total || 0), t('dashboard.self_total')),
      stat(fmtNumber(selfFig.enterprises || 0), t('dashboard.self_enterprises')),
      stat(fmtNumber(prev.self_check_missed || 0), t('dashboard.self_missed'), !!prev.self_check_missed)),
    (prev.most_failed_items || []).length ? [h('h3.sub', t('dashboard.most_failed')),
      h('ol.ranked', prev.most_failed_items.slice(0, 5).map((i) => h('li', { 'data-testid': 'failed-item' },
        h('div', `${i.code} ${i.text || ''}`),
        h('div.small.muted', [i.checklist_name, t('dashboard.failed_line', { failed: i.failed, judged: i.judged })].filter(Boolean).join(' · ')))))] : null,
    (prev.last_scores || []).length ? [h('h3.sub.next', t('dashboard.last_scores')),
      kv(prev.last_scores.slice(0, 8).map((e) => [e.enterprise_name, `${e.score == null ? '—' : `${fmtNumber(Math.round(e.score * 100))}%`} · ${label('inspection_kinds', e.kind)}`]))] : null,
    (selfFig.by_month || []).length ? [h('h3.sub.next', t('dashboard.self_by_month')),
      kv(selfFig.by_month.map((m) => [m.month, t('dashboard.self_month_line', { count: m.count, n: m.enterprises })]))] : null,
    !(prev.most_failed_items || []).length && !(prev.last_scores || []).length && !selfFig.total
      ? h('p.small.muted', t('dashboard.prevention_none')) : null) : null;

  // The map of open hazards and enterprises: drawn once the module and the points are in.
  const enterprisesByRisk = toMap(d.enterprises_by_risk);
  const mapBox = h('div.map-box', { 'data-testid': 'dashboard-map' }, h('p.small.muted', t('common.loading')));
  const mapCard = h('div.card.map-card', h('h2', t('dashboard.map')),
    mapBox,
    Object.keys(enterprisesByRisk).length ? h('p.small.muted.mt-6',
      t('dashboard.enterprises_by_risk', { list: values('risk_levels').map((r) => `${label('risk_levels', r)} ${fmtNumber(Number(enterprisesByRisk[r]) || 0)}`).join(' · ') })) : null);

  // 检查覆盖率: who was visited in the period, by community and risk colour; the plans' tasks;
  // the list of the enterprises nobody visited (this quarter, or the period shown) as XLSX.
  const cov = d.coverage || null;
  const tasks = d.tasks || null;
  const coverageRow = (name, c, extra = null) => h('tr', h('th', { scope: 'row' }, extra, name),
    h('td.num', fmtNumber(c.registered)), h('td.num', fmtNumber(c.inspected)),
    h('td.num', { class: c.never_inspected ? 'alert' : null }, fmtNumber(c.never_inspected)), h('td.num', pct(c.rate)));
  const coverageTable = (rows, caption) => h('div.table-wrap', h('table.table.coverage', { 'aria-label': caption },
    h('thead', h('tr', [caption, t('coverage.registered'), t('coverage.inspected'), t('coverage.never'), t('coverage.rate')].map((x) => h('th', { scope: 'col' }, x)))),
    h('tbody', rows)));
  const coverageCard = cov ? h('div.card.coverage-card', { 'data-testid': 'dashboard-coverage' }, h('h2', t('coverage.title')),
    h('div.stats.three',
      stat(pct(cov.rate), t('coverage.rate')),
      stat(fmtNumber(cov.uninspected), t('coverage.uninspected'), !!cov.uninspected),
      stat(fmtNumber(cov.never_inspected), t('coverage.never'), !!cov.never_inspected)),
    h('p.small.muted', t('coverage.line', { registered: fmtNumber(cov.registered), inspected: fmtNumber(cov.inspected) })),
    coverageTable((cov.by_community || []).map((c) => coverageRow(c.name, c)), t('coverage.by_community')),
    coverageTable((cov.by_risk || []).filter((c) => c.registered).map((c) => coverageRow(answerLabel(c), c, swatch(c.color || COLORS[c.key]))), t('coverage.by_risk')),
    tasks ? h('div.list.mt-12', h('a.item', { href: '#/plans', 'data-testid': 'dashboard-tasks' }, icon('task'),
      h('div.grow', h('div.item-title', t('coverage.tasks')), h('div.item-sub', t('coverage.tasks_line', { open: tasks.open, overdue: tasks.overdue, done: tasks.done }))),
      tasks.overdue ? h('span.chip.overdue', t('tasks.overdue_n', { n: tasks.overdue })) : null, chev())) : null,
    h('div.actions',
      serverFile('a.btn.block.secondary', { href: withQs('/api/v1/reports/uninspected-enterprises.xlsx', qs({ cid })), download: '', 'data-testid': 'uninspected-xlsx' }, icon('download'), t('coverage.download_quarter')),
      serverFile('a.btn.block.secondary', { href: withQs('/api/v1/reports/uninspected-enterprises.xlsx', qs({ cid, from: shownFrom, to: shownTo })), download: '' }, icon('download'), t('coverage.download_period')))) : null;

  // Reports of what is shown: the ledgers of this period and community, the campaign summary.
  const periodQs = qs({ cid, from: shownFrom, to: shownTo });
  const summaryOk = isDay(shownFrom) && isDay(shownTo) && spanDays(shownFrom, shownTo) <= SUMMARY_MAX_DAYS;
  const reports = h('div.card', { 'data-testid': 'dashboard-reports' }, h('h2', t('dashboard.reports')),
    h('div.actions',
      serverFile('a.btn.block.secondary', { href: withQs('/api/v1/reports/hazard-ledger.xlsx', periodQs), download: '' }, icon('download'), t('hazards.ledger')),
      serverFile('a.btn.block.secondary', { href: withQs('/api/v1/reports/hazard-ledger.csv', periodQs), download: '' }, icon('download'), t('hazards.ledger_csv')),
      serverFile('a.btn.block.secondary', { href: withQs('/api/v1/reports/interviews.xlsx', qs({ cid })), download: '' }, icon('download'), t('interviews.ledger')),
      serverFile('a.btn.block.secondary', { href: withQs('/api/v1/listings.xlsx', qs({ cid })), download: '' }, icon('download'), t('listing.register_xlsx')),
      summaryOk ? serverFile('a.btn.block.secondary', { href: withQs('/api/v1/reports/campaign-summary.pdf', periodQs), target: '_blank', rel: 'noopener' }, icon('list'), t('dashboard.summary_pdf'))
        : h('p.small.muted', t('dashboard.summary_too_long'))));

  // The figures in a grid, then the cards: one column on a phone, two at a desk (app.css).
  setChildren(main, cachedNote(res.cachedAt), campaignBanner(), h('div.dash-head', filter, periodFields),
    h('div.stats.dash-stats', { 'data-testid': 'dashboard-stats' },
      stat(fmtNumber(total), t('dashboard.total'), false, '#/hazards'),
      stat(fmtNumber(open), t('dashboard.open'), false, '#/hazards'),
      stat(fmtNumber(overdue ?? 0), t('dashboard.overdue'), !!overdue, '#/hazards?overdue=true'),
      stat(fmtNumber(majorOpen ?? 0), t('dashboard.major'), !!majorOpen, '#/hazards?level=major'),
      stat(pct(pick(d, 'rectification_rate', 'rates.rectification')), t('dashboard.rect_rate')),
      stat(pct(pick(d, 'on_time_rate', 'rates.on_time')), t('dashboard.on_time_rate')),
      stat(pick(d, 'median_days_to_close') != null ? fmtNumber(pick(d, 'median_days_to_close'), 1) : '—', t('dashboard.median_days')),
      stat(fmtNumber(escalated ?? 0), t('dashboard.escalated'), false, '#/interviews')),
    scope.from || scope.to ? h('p.small.muted.period-note', { 'data-testid': 'dashboard-period' }, t('dashboard.period', { from: scope.from || '…', to: scope.to || '…' })) : null,
    h('div.dash-grid', trend.length ? h('div.card.chart', h('h2', t('dashboard.trend')), lineChart(trendLabels, series, { title: t('dashboard.trend') }),
      h('div.legend', series.map((s) => h('span', swatch(s.color), s.name)))) : null,
    h('div.card.chart', h('h2', t('dashboard.by_state')),
      total ? barChart(values('hazard_states').map((s) => ({ label: label('hazard_states', s), value: Number(byState[s]) || 0, color: color('hazard_states', s) })), { title: t('dashboard.by_state') }) : empty(t('hazards.none'))),
    mapCard,
    coverageCard,
    zeroTolerance,
    oversight,
    tipsCard,
    prevention,
    Object.keys(byRisk).length ? h('div.card.chart', h('h2', t('dashboard.by_risk')),
      barChart(values('risk_levels').map((r) => ({ label: label('risk_levels', r), value: Number(typeof byRisk[r] === 'object' ? byRisk[r].total ?? byRisk[r].count : byRisk[r]) || 0, color: color('risk_levels', r) })), { title: t('dashboard.by_risk') })) : null,
    Object.keys(byCategory).length ? h('div.card.chart', h('h2', t('dashboard.by_category')),
      barChart(Object.entries(byCategory).sort((a, b) => b[1] - a[1]).slice(0, 8).map(([k, v]) => ({ label: label('hazard_categories', k), value: Number(v) || 0 })), { title: t('dashboard.by_category') })) : null,
    top.length ? h('div.top-enterprises', h('h2.section-title', t('dashboard.top_enterprises')),
      h('div.list', top.slice(0, 5).map((e) => h('a.item', { href: `#/enterprise/${e.id}` },
        h('span.risk-bar', { class: e.risk_level || '' }),
        h('div.grow', h('div.item-title', e.name),
          h('div.item-sub', t('dashboard.top_line', { open: e.open_hazards ?? 0, major: e.major ?? 0, overdue: e.overdue ?? 0 }))))))) : null,
    communityRows.length ? h('div.card.chart', h('h2', t('dashboard.by_community')), barChart(communityRows.slice(0, 10), { title: t('dashboard.by_community'), labelW: 110 })) : null,
    reports));
  drawMap(mapBox, qs({ cid, from, to }), isCurrent, atDesk() ? 440 : 300);
  return redrawAcrossLayouts();
}

/** Fetch the points (GET /api/v1/map for the community and period, cached for offline) and the
 * map module side by side; the module is not part of the first load: only this screen imports
 * it. */
async function drawMap(box, query, isCurrent, height) {
  let data; let draw;
  try {
    const [mod, res] = await Promise.all([
      import('../map.js'),
      cachedGet(withQs('/api/v1/map', query)),
    ]);
    draw = mod.renderMap; data = res.data;
  } catch (err) {
    if (isCurrent() && box.isConnected) setChildren(box, h('p.small.muted', t('dashboard.map_failed')));
    return;
  }
  if (!isCurrent() || !box.isConnected) return;
  draw(box, data || {}, { lang: currentLang() === 'en' ? 'en' : 'zh', height });
  box.dataset.points = String((data?.enterprises || []).length + (data?.hazards || []).length);
  box.addEventListener('map-select', (ev) => { if (ev.detail?.type === 'enterprise') navigate(`/enterprise/${ev.detail.id}`); });
}
