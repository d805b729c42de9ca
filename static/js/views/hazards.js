// The filtered hazard list (隐患) of inspectors, supervisors and administrators, with the
// hazards made on this phone and not sent yet on its first page.
import { cachedGet, cachedPage, itemsOf } from '../api.js';
import { t, fmtDate } from '../i18n.js';
import { h, chip, levelChip, stateChip, deadlineChip, empty, errorBlock, loading, cachedNote, append, setChildren } from '../ui.js';
import { values, label } from '../choices.js';
import { setTitle, queryParams, navigate } from '../router.js';
import { session } from '../session.js';
import { queuedHazards } from '../commands.js';
import { hazardItem } from '../components/hazard-item.js';
import { atDesk, redrawAcrossLayouts } from '../components/layout.js';
import { dataTable, rankIn, timeOf } from '../components/data-table.js';
import { serverFile } from '../components/server-file.js';
import { listedChip } from '../components/oversight.js';

export async function render({ main, isCurrent }) {
  setTitle(t('hazards.title'));
  const q = queryParams();
  const filters = {
    state: q.get('state') || '', level: q.get('level') || '', overdue: q.get('overdue') || '', listed: q.get('listed') || '',
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
    sel('state', [['', t('hazards.all_states')], ...values('hazard_states').map((s) => [s, label('hazard_states', s)])], t('hazards.f_state')),
    sel('level', [['', t('hazards.all_levels')], ...values('hazard_levels').map((s) => [s, label('hazard_levels', s)])], t('hazards.f_level')),
    communities.length > 1 ? sel('community_id', [['', t('hazards.all_communities')], ...communities.map((c) => [c.id, c.name])], t('hazards.f_community')) : null,
    h('label.filter-toggle', h('input', { type: 'checkbox', checked: filters.overdue === 'true', onchange: (e) => apply({ overdue: e.target.checked ? 'true' : '' }) }), t('hazards.only_overdue')),
    h('label.filter-toggle', h('input', { type: 'checkbox', name: 'listed', checked: filters.listed === 'true', onchange: (e) => apply({ listed: e.target.checked ? 'true' : '' }) }), t('hazards.only_listed')));
  const ledger = new URLSearchParams(Object.entries(filters).filter(([k, v]) => v && k !== 'page'));
  const ledgerLink = ['supervisor', 'admin', 'inspector'].includes(session.user.role)
    ? [serverFile('a.btn.small.ghost', { href: `/api/v1/reports/hazard-ledger.xlsx${ledger.toString() ? `?${ledger}` : ''}`, download: '' }, t('hazards.ledger')),
      serverFile('a.btn.small.ghost', { href: `/api/v1/reports/hazard-ledger.csv${ledger.toString() ? `?${ledger}` : ''}`, download: '', 'aria-label': t('hazards.ledger_csv') }, 'CSV'),
      filters.listed === 'true' ? h('a.btn.small.ghost', { href: '#/listings' }, t('listing.register')) : null] : null;
  const box = h('div', loading());
  append(main, bar, box);
  const desk = atDesk(); // a table of up to 100 rows, sortable by column, instead of cards
  const params = new URLSearchParams(Object.entries({ ...filters, per_page: desk ? 100 : 30 }).filter(([, v]) => v && !(v === 1)));
  if (filters.page > 1) params.set('page', filters.page);
  let list;
  try { list = await cachedPage(`/api/v1/hazards?${params}`); } catch (err) {
    setChildren(box, errorBlock(err, () => apply({})));
    return null;
  }
  if (!isCurrent()) return null;
  const pend = filters.page === 1 ? (await queuedHazards()).filter((x) => (!filters.enterprise_id || x.enterprise_id === filters.enterprise_id) && (!filters.level || x.level === filters.level) && (!filters.state || filters.state === 'reported') && !filters.listed) : [];
  const items = [...pend, ...list.items];
  const p = list.pagination || {};
  const total = p.total ?? p.total_count ?? null;
  const pages = p.total_pages ?? p.pages ?? (total != null && p.per_page ? Math.ceil(total / p.per_page) : null);
  setChildren(box, cachedNote(list.cachedAt),
    h('div.section-title', h('span.grow', total != null ? t('hazards.count', { n: total }) : ''), ledgerLink),
    !items.length ? h('div.card', empty(t('hazards.none'))) : desk ? hazardTable(items) : h('div.list', items.map(hazardItem)),
    pages && pages > 1 ? h('div.actions.two',
      h('button.btn.secondary', { type: 'button', disabled: filters.page <= 1, onclick: () => apply({ page: filters.page - 1 }) }, t('common.prev')),
      h('button.btn.secondary', { type: 'button', disabled: filters.page >= pages, onclick: () => apply({ page: filters.page + 1 }) }, t('common.next'))) : null);
  return redrawAcrossLayouts();
}

/** The desk's table of hazards: title, enterprise, level, state, found, deadline; by deadline. */
function hazardTable(items) {
  return dataTable({
    rows: items,
    label: t('hazards.title'), testid: 'hazard-item', href: (x) => `#/hazards/${x.id}`,
    sort: { key: 'deadline', dir: 'asc' },
    columns: [
      { key: 'title', label: t('hazard.f_title'), value: (x) => x.title,
        cell: (x) => [x.title, x._pending ? chip(t('sync.pending'), 'pending') : null, listedChip(x), x.escalated ? chip(t('hazard.escalated'), 'overdue') : null] },
      { key: 'enterprise', label: t('hazard.enterprise'), value: (x) => x.enterprise_name, cell: (x) => x.enterprise_name || '' },
      { key: 'level', label: t('hazard.f_level'), value: (x) => rankIn('hazard_levels', x.level), cell: (x) => levelChip(x.level) },
      { key: 'state', label: t('hazards.f_state'), value: (x) => rankIn('hazard_states', x.state), cell: (x) => stateChip(x.state) },
      { key: 'found_at', label: t('hazard.found_at'), value: (x) => timeOf(x.found_at), cell: (x) => fmtDate(x.found_at), cls: 'nowrap' },
      { key: 'deadline', label: t('hazard.f_deadline'), value: (x) => timeOf(x.deadline),
        cell: (x) => deadlineChip(x) || (x.deadline ? fmtDate(x.deadline) : '—'), cls: 'nowrap' },
    ],
  });
}
