// Hazard lists: the officer's home (my enterprise's open hazards by deadline) and the filtered
// list for inspectors and supervisors.
import { cachedGet, request, itemsOf } from '../api.js';
import { cachePut, cacheGet } from '../db.js';
import { t, fmtDate } from '../i18n.js';
import { h, chev, levelChip, stateChip, deadlineChip, chip, empty, errorBlock, loading, cachedNote, append, setChildren } from '../ui.js';
import { HAZARD_STATES, HAZARD_LEVELS } from '../choices.js';
import { setTitle, session, queryParams, navigate } from '../app.js';
import { liveOutboxCard } from './home.js';
import * as outbox from '../outbox.js';

const OPEN = ['reported', 'rectifying', 'submitted', 'verified'];

export function hazardItem(hz) {
  return h('a.item', { href: `#/hazards/${hz.id}`, 'data-testid': 'hazard-item' },
    h('div.grow',
      h('div.item-title', hz.title),
      h('div.item-sub', [hz.enterprise_name || (hz.enterprise && hz.enterprise.name), hz.found_at ? fmtDate(hz.found_at) : null].filter(Boolean).join(' · ')),
      h('div.row.wrap', { style: 'margin-top:6px;gap:6px' }, levelChip(hz.level), stateChip(hz.state), deadlineChip(hz),
        hz.escalated ? chip(t('hazard.escalated'), 'overdue') : null, hz._pending ? chip(t('sync.pending'), 'pending') : null)),
    chev());
}

/** Hazards created on this phone that the server has not acknowledged yet. */
async function pendingHazards(filter = () => true) {
  return (await outbox.all()).filter((i) => i.type === 'create' && i.url === '/api/v1/hazards')
    .map((i) => ({ ...i.body, state: 'reported', _pending: true })).filter(filter);
}

const byDeadline = (a, b) => (Date.parse(a.deadline || '9999-12-31') - Date.parse(b.deadline || '9999-12-31'));

async function fetchList(url) {
  // The list's first page(s), network first with the cached copy offline.
  try {
    const { data, pagination } = await request('GET', url, { timeout: 15000 });
    cachePut(url, { data, pagination }).catch(() => {});
    return { items: itemsOf(data), pagination: pagination || (data && !Array.isArray(data) ? data : null), cachedAt: null };
  } catch (err) {
    if (err.offline || err.status >= 500) {
      const hit = await cacheGet(url).catch(() => null);
      if (hit) return { items: itemsOf(hit.data.data), pagination: hit.data.pagination, cachedAt: hit.at };
    }
    throw err;
  }
}

export async function renderOfficerHome({ main, isCurrent }) {
  setTitle(t('officer.title'));
  const syncBox = h('div');
  append(main, loading());
  const url = '/api/v1/hazards?per_page=200';
  let list;
  try { list = await fetchList(url); } catch (err) {
    setChildren(main, errorBlock(err, () => renderOfficerHome({ main, isCurrent })));
    return null;
  }
  if (!isCurrent()) return null;
  const open = list.items.filter((x) => OPEN.includes(x.state)).sort(byDeadline);
  const done = list.items.filter((x) => !OPEN.includes(x.state));
  const overdue = open.filter((x) => x.overdue).length;
  const todo = open.filter((x) => ['reported', 'rectifying'].includes(x.state)).length;

  setChildren(main, cachedNote(list.cachedAt),
    h('p.muted.small', { style: 'margin:4px 4px 12px' }, t('home.hello', { name: session.user.display_name || session.user.username })),
    h('div.stats',
      h('div.stat', h('div.v', String(todo)), h('div.k', t('officer.todo'))),
      h('div.stat', { class: overdue ? 'alert' : '' }, h('div.v', String(overdue)), h('div.k', t('officer.overdue')))),
    h('h2.section-title', t('officer.open_by_deadline')),
    open.length ? h('div.list', open.map(hazardItem)) : h('div.card', empty(t('officer.none_open'), 'check')),
    done.length ? h('h2.section-title', t('officer.done')) : null,
    done.length ? h('div.list', done.slice(0, 20).map(hazardItem)) : null,
    syncBox);
  return liveOutboxCard(syncBox);
}

export async function render({ main, isCurrent }) {
  setTitle(t('hazards.title'));
  const q = queryParams();
  const filters = {
    state: q.get('state') || '', level: q.get('level') || '', overdue: q.get('overdue') || '',
    enterprise_id: q.get('enterprise_id') || '', community_id: q.get('community_id') || '', page: Number(q.get('page') || 1),
  };
  const apply = (patch) => {
    const next = { ...filters, ...patch };
    if (!('page' in patch)) next.page = 1;
    const qs = new URLSearchParams(Object.entries(next).filter(([k, v]) => v && !(k === 'page' && v === 1)));
    navigate(`/hazards${qs.toString() ? `?${qs}` : ''}`, { replace: true });
  };
  const sel = (name, options, label) => {
    const s = h('select', { name, 'aria-label': label, onchange: (e) => apply({ [name]: e.target.value }) },
      options.map(([v, l]) => h('option', { value: v }, l)));
    s.value = filters[name];
    return s;
  };
  const communities = await cachedGet('/api/v1/communities').then((r) => itemsOf(r.data)).catch(() => []);
  const bar = h('div.filters', { role: 'group', 'aria-label': t('hazards.filters') },
    sel('state', [['', t('hazards.all_states')], ...HAZARD_STATES.map((s) => [s, t(`hazard_state.${s}`)])], t('hazards.f_state')),
    sel('level', [['', t('hazards.all_levels')], ...HAZARD_LEVELS.map((s) => [s, t(`level.${s}`)])], t('hazards.f_level')),
    communities.length > 1 ? sel('community_id', [['', t('hazards.all_communities')], ...communities.map((c) => [c.id, c.name])], t('hazards.f_community')) : null,
    h('label.filter-toggle', h('input', { type: 'checkbox', checked: filters.overdue === 'true', onchange: (e) => apply({ overdue: e.target.checked ? 'true' : '' }) }), t('hazards.only_overdue')));
  const ledger = new URLSearchParams(Object.entries(filters).filter(([k, v]) => v && k !== 'page'));
  const ledgerLink = ['supervisor', 'admin', 'inspector'].includes(session.user.role)
    ? [h('a.btn.small.ghost', { href: `/api/v1/reports/hazard-ledger.xlsx${ledger.toString() ? `?${ledger}` : ''}`, download: '' }, t('hazards.ledger')),
      h('a.btn.small.ghost', { href: `/api/v1/reports/hazard-ledger.csv${ledger.toString() ? `?${ledger}` : ''}`, download: '', 'aria-label': t('hazards.ledger_csv') }, 'CSV')] : null;
  const box = h('div', loading());
  append(main, bar, box);
  const params = new URLSearchParams(Object.entries({ ...filters, per_page: 30 }).filter(([, v]) => v && !(v === 1)));
  if (filters.page > 1) params.set('page', filters.page);
  let list;
  try { list = await fetchList(`/api/v1/hazards?${params}`); } catch (err) {
    setChildren(box, errorBlock(err, () => apply({})));
    return null;
  }
  if (!isCurrent()) return null;
  const pend = filters.page === 1 ? await pendingHazards((x) => (!filters.enterprise_id || x.enterprise_id === filters.enterprise_id) && (!filters.level || x.level === filters.level) && (!filters.state || filters.state === 'reported')) : [];
  const items = [...pend, ...list.items];
  const p = list.pagination || {};
  const total = p.total ?? p.total_count ?? null;
  const pages = p.total_pages ?? p.pages ?? (total != null && p.per_page ? Math.ceil(total / p.per_page) : null);
  setChildren(box, cachedNote(list.cachedAt),
    h('div.section-title', h('span.grow', total != null ? t('hazards.count', { n: total }) : ''), ledgerLink),
    items.length ? h('div.list', items.map(hazardItem)) : h('div.card', empty(t('hazards.none'))),
    pages && pages > 1 ? h('div.actions.two',
      h('button.btn.secondary', { type: 'button', disabled: filters.page <= 1, onclick: () => apply({ page: filters.page - 1 }) }, t('common.prev')),
      h('button.btn.secondary', { type: 'button', disabled: filters.page >= pages, onclick: () => apply({ page: filters.page + 1 }) }, t('common.next'))) : null);
  return null;
}
