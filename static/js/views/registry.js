// Registry administration (企业名录管理): the list with search and a community filter, the
// enterprise form, import with a dry run first, export, the QR code of an enterprise (with
// rotation) and printable label sheets. Administrators only, except the QR code and the label
// sheets, which supervisors also use for their communities (the server has the last word).
import { api, request, cachedGet, itemsOf } from '../api.js';
import { t, fmtDateTime } from '../i18n.js';
import { h, icon, chev, riskChip, field, input, select, segmented, showProblem, clearProblem, busy, toast, errorBlock, loading, empty, append, setChildren } from '../ui.js';
import { values, label } from '../choices.js';
import { navigate, setTitle, queryParams } from '../router.js';
import { session } from '../session.js';
import { newId } from '../commands.js';
import { locate } from '../photos.js';
import { atDesk, redrawAcrossLayouts } from '../components/layout.js';
import { dataTable, rankIn } from '../components/data-table.js';
import { importScreen } from '../components/import-screen.js';

const isAdmin = () => session.user.role === 'admin';
const mayPrint = () => ['admin', 'supervisor'].includes(session.user.role);

function notAllowed(main) {
  setChildren(main, h('div.empty', { role: 'alert' }, icon('building'), h('p', t('admin.not_allowed'))));
  return null;
}

async function communities() {
  return cachedGet('/api/v1/communities?per_page=500').then((r) => itemsOf(r.data));
}

const fieldLabel = (name) => {
  const key = `registry.f_${name.replace('location.', '')}`;
  return t(key) !== key ? t(key) : name;
};

// ------------------------------------------------------------------------------ the list
export async function render({ main, isCurrent }) {
  setTitle(t('registry.title'));
  if (!isAdmin()) return notAllowed(main);
  const q = queryParams();
  const filters = { q: q.get('q') || '', community_id: q.get('community_id') || '', page: Number(q.get('page') || 1) };
  const go = (patch) => {
    const next = { ...filters, ...patch };
    if (!('page' in patch)) next.page = 1;
    const qs = new URLSearchParams(Object.entries(next).filter(([k, v]) => v && !(k === 'page' && v === 1)));
    navigate(`/registry${qs.toString() ? `?${qs}` : ''}`, { replace: true });
  };
  const comms = await communities().catch(() => []);
  const search = input('q', { type: 'search', value: filters.q, placeholder: t('registry.search_placeholder'), 'aria-label': t('registry.search_placeholder'), enterkeyhint: 'search' });
  const searchForm = h('form.search', { role: 'search', onsubmit: (e) => { e.preventDefault(); go({ q: search.value.trim() }); } },
    search, h('button.btn.small', { type: 'submit' }, t('registry.search')));
  const bar = comms.length > 1 ? h('div.filters',
    select('community_id', [['', t('hazards.all_communities')], ...comms.map((c) => [c.id, c.name])],
      { 'aria-label': t('hazards.f_community'), value: filters.community_id, onchange: (e) => go({ community_id: e.target.value }) })) : null;
  const exportQs = new URLSearchParams(Object.entries({ q: filters.q, community_id: filters.community_id }).filter(([, v]) => v));
  const tools = h('div.toolbar',
    h('a.btn.small', { href: '#/registry/new' }, icon('plus'), t('registry.new')),
    h('a.btn.small.secondary', { href: '#/registry/import' }, icon('upload'), t('registry.import')),
    h('a.btn.small.secondary', { href: `/api/v1/enterprises/export.xlsx${exportQs.toString() ? `?${exportQs}` : ''}`, download: '' }, icon('download'), t('registry.export')),
    h('a.btn.small.secondary', { href: '#/labels' }, icon('qr'), t('labels.title')));
  const box = h('div', loading());
  append(main, tools, searchForm, bar, box);

  const desk = atDesk(); // a table of up to 100 rows, sortable by column, instead of cards
  const params = new URLSearchParams(Object.entries({ q: filters.q, community_id: filters.community_id }).filter(([, v]) => v));
  params.set('per_page', desk ? '100' : '30');
  if (filters.page > 1) params.set('page', filters.page);
  let page;
  try { page = (await request('GET', `/api/v1/enterprises?${params}`)).data; } catch (err) {
    setChildren(box, errorBlock(err, () => go({})));
    return null;
  }
  if (!isCurrent()) return null;
  const items = itemsOf(page);
  const pages = page.pages || 1;
  setChildren(box,
    h('div.section-title', h('span.grow', t('registry.count', { n: page.total ?? items.length }))),
    !items.length ? h('div.card', empty(t('registry.none'), 'building'))
      : desk ? registryTable(items) : h('div.list', items.map((e) => h('a.item', { href: `#/registry/${e.id}`, 'data-testid': 'enterprise-item' },
        h('span.risk-bar', { class: e.risk_level || '' }),
        h('div.grow', h('div.item-title', e.name), h('div.item-sub', [e.credit_code, e.community_name].filter(Boolean).join(' · '))),
        riskChip(e.risk_level), chev()))),
    pages > 1 ? h('div.actions.two',
      h('button.btn.secondary', { type: 'button', disabled: filters.page <= 1, onclick: () => go({ page: filters.page - 1 }) }, t('common.prev')),
      h('button.btn.secondary', { type: 'button', disabled: filters.page >= pages, onclick: () => go({ page: filters.page + 1 }) }, t('common.next'))) : null);
  return redrawAcrossLayouts();
}

/** The desk's table of enterprises: name, credit code, community, industry, risk. */
function registryTable(items) {
  return dataTable({
    rows: items,
    label: t('registry.title'), testid: 'enterprise-item', href: (e) => `#/registry/${e.id}`,
    sort: { key: 'name', dir: 'asc' },
    columns: [
      { key: 'name', label: t('registry.f_name'), value: (e) => e.name, cell: (e) => e.name },
      { key: 'credit_code', label: t('registry.f_credit_code'), value: (e) => e.credit_code, cell: (e) => e.credit_code || '', cls: 'nowrap' },
      { key: 'community', label: t('registry.f_community_id'), value: (e) => e.community_name, cell: (e) => e.community_name || '' },
      { key: 'industry', label: t('registry.f_industry'), value: (e) => (e.industry ? label('industries', e.industry) : null),
        cell: (e) => (e.industry ? label('industries', e.industry) : '') },
      { key: 'risk', label: t('registry.f_risk_level'), value: (e) => rankIn('risk_levels', e.risk_level), cell: (e) => riskChip(e.risk_level) },
    ],
  });
}

// ------------------------------------------------------------------------------ the form
const TEXT_FIELDS = ['name', 'credit_code', 'address', 'legal_rep', 'safety_officer', 'phone'];

/** New enterprise (POST with a client id, so a repeated tap registers it once) or an edit
 * (PATCH with the version this form was loaded with: a stale one is refused, never merged). */
export async function renderForm({ params, main, isCurrent }) {
  const id = params[0] || null;
  setTitle(id ? t('registry.edit') : t('registry.new'), { back: true });
  if (!isAdmin()) return notAllowed(main);
  append(main, loading());
  let ent = null; let comms;
  try {
    [ent, comms] = await Promise.all([
      id ? api.get(`/api/v1/enterprises/${encodeURIComponent(id)}`) : null,
      communities()]);
  } catch (err) {
    setChildren(main, errorBlock(err, () => renderForm({ params, main, isCurrent })));
    return null;
  }
  if (!isCurrent()) return null;
  const v = ent || {};
  const c = {
    name: input('name', { maxlength: 200, value: v.name || '', autocomplete: 'organization' }),
    credit_code: input('credit_code', { maxlength: 30, value: v.credit_code || '', autocapitalize: 'characters', spellcheck: false, autocomplete: 'off' }),
    community_id: select('community_id', [['', t('common.choose')], ...comms.map((x) => [x.id, x.name])], { value: v.community_id || (comms.length === 1 ? comms[0].id : '') }),
    address: input('address', { maxlength: 300, value: v.address || '' }),
    lat: input('location.lat', { type: 'number', step: 'any', inputmode: 'decimal', value: v.location ? String(v.location.lat) : '' }),
    lng: input('location.lng', { type: 'number', step: 'any', inputmode: 'decimal', value: v.location ? String(v.location.lng) : '' }),
    industry: select('industry', [['', t('common.choose')], ...values('industries').map((x) => [x, label('industries', x)])], { value: v.industry || '' }),
    legal_rep: input('legal_rep', { maxlength: 100, value: v.legal_rep || '' }),
    safety_officer: input('safety_officer', { maxlength: 100, value: v.safety_officer || '' }),
    phone: input('phone', { type: 'tel', maxlength: 32, value: v.phone || '' }),
    employees: input('employees', { type: 'number', min: 0, step: 1, inputmode: 'numeric', value: v.employees != null ? String(v.employees) : '' }),
  };
  const risk = segmented('risk_level', values('risk_levels').map((r) => [r, label('risk_levels', r)]), v.risk_level || 'blue', 'risk');
  risk.setAttribute('aria-labelledby', 'risk-label');
  const here = h('button.btn.small.secondary', { type: 'button' }, icon('pin'), t('registry.use_location'));
  here.addEventListener('click', () => busy(here, async () => {
    const pos = await locate();
    if (!pos || pos.error) { toast(pos && pos.error === 'denied' ? t('gps.denied') : t('gps.unavailable'), { error: true }); return; }
    c.lat.value = String(pos.lat); c.lng.value = String(pos.lng);
  }));
  const btn = h('button.btn.block', { type: 'submit' }, id ? t('registry.save') : t('registry.new'));
  const createId = newId(); // chosen once: a repeated tap or a lost answer never registers twice
  const form = h('form', { novalidate: true },
    h('div.card',
      field(t('registry.f_name'), c.name, { required: true }),
      field(t('registry.f_credit_code'), c.credit_code, { required: true, hint: t('registry.credit_code_hint') }),
      field(t('registry.f_community'), c.community_id, { required: true }),
      field(t('registry.f_address'), c.address),
      h('div.field', { dataset: { field: 'risk_level' } }, h('span.label', { id: 'risk-label' }, t('registry.f_risk_level')), risk),
      field(t('registry.f_industry'), c.industry)),
    h('div.card',
      h('h3.mb-10', t('registry.f_location')),
      field(t('registry.f_lat'), c.lat),
      field(t('registry.f_lng'), c.lng, { hint: t('registry.location_hint') }),
      here),
    h('div.card',
      field(t('registry.f_legal_rep'), c.legal_rep),
      field(t('registry.f_safety_officer'), c.safety_officer),
      field(t('registry.f_phone'), c.phone),
      field(t('registry.f_employees'), c.employees)),
    btn);
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    clearProblem(form);
    const body = {};
    for (const name of TEXT_FIELDS) body[name] = c[name].value.trim();
    body.community_id = c.community_id.value;
    body.risk_level = form.querySelector('input[name=risk_level]:checked').value;
    if (c.industry.value) body.industry = c.industry.value;
    body.employees = c.employees.value.trim() === '' ? null : Number(c.employees.value);
    const lat = c.lat.value.trim(); const lng = c.lng.value.trim();
    const errors = {};
    for (const name of ['name', 'credit_code', 'community_id']) if (!body[name]) errors[name] = [t('common.required')];
    if (Boolean(lat) !== Boolean(lng)) errors[lat ? 'location.lng' : 'location.lat'] = [t('registry.location_pair')];
    else body.location = lat ? { lat: Number(lat), lng: Number(lng) } : null;
    if (Object.keys(errors).length) return showProblem(form, { problem: { detail: t('common.fix_fields'), errors } });
    busy(btn, async () => {
      try {
        const saved = id
          ? await api.patch(`/api/v1/enterprises/${encodeURIComponent(id)}`, { ...body, version: ent.version })
          : await api.post('/api/v1/enterprises', { id: createId, ...body });
        toast(id ? t('registry.saved') : t('registry.created', { name: saved.name }));
        navigate(`/registry/${saved.id}`, { replace: true });
      } catch (err) {
        if (err.status === 409 && err.errors && err.errors.version) err.problem = { ...err.problem, detail: t('registry.conflict') };
        showProblem(form, err);
      }
    });
  });
  setChildren(main,
    ent ? h('div.card.row', { 'data-testid': 'qr-summary' },
      h('img', { src: `/api/v1/enterprises/${ent.id}/qr.png?box_size=2&v=${encodeURIComponent((ent.qr_token || '').slice(0, 8))}`, alt: t('qr.alt', { name: ent.name }), width: 74, height: 74, class: 'qr-thumb' }),
      h('div.grow.qr-links',
        h('a.main-link', { href: `#/registry/${ent.id}/qr` }, t('registry.qr_manage')),
        h('a', { href: `#/enterprise/${ent.id}` }, t('registry.open_card')),
        h('p.small.muted', t('registry.version_note', { v: ent.version, time: fmtDateTime(ent.updated_at) })))) : null,
    form);
  return null;
}

// ------------------------------------------------------------------------------ import
/** Import a CSV/XLSX table: first a dry run showing every bad row (line, field, message), then
 * the real import of the same file, which keeps the good rows and skips the bad ones. */
export async function renderImport({ main }) {
  setTitle(t('import.title'), { back: true });
  if (!isAdmin()) return notAllowed(main);
  const stat = (n, k) => h('div.stat', h('div.v', String(n || 0)), h('div.k', k));
  importScreen(main, {
    intro: t('import.intro'),
    post: (fd, dryRun) => request('POST', `/api/v1/enterprises/import${dryRun ? '?dry_run=true' : ''}`, { form: fd, timeout: 180000 }),
    outcomes: (report) => h('div.stats.three.report',
      stat(report.created, t('import.created')), stat(report.updated, t('import.updated')), stat(report.unchanged, t('import.unchanged'))),
    errorsTitle: (dryRun) => (dryRun ? 'import.errors' : 'import.errors_done'),
    fieldLabel,
    confirmKey: 'import.confirm',
    ignoredColumns: true,
    back: { href: '#/registry', label: t('import.to_list') },
  });
  return null;
}

// ------------------------------------------------------------------------------ QR code
/** The enterprise's QR code (二维码): download it, or replace it when a label was lost or
 * copied (the old code stops working at once). */
export async function renderQr({ params, main, isCurrent }) {
  const id = params[0];
  setTitle(t('qr.title'), { back: true });
  if (!mayPrint()) return notAllowed(main);
  append(main, loading());
  let ent;
  try { ent = await api.get(`/api/v1/enterprises/${encodeURIComponent(id)}`); } catch (err) {
    setChildren(main, errorBlock(err, () => renderQr({ params, main, isCurrent })));
    return null;
  }
  if (!isCurrent()) return null;
  const draw = (e) => {
    const rotate = h('button.btn.block.danger', { type: 'button', 'data-action': 'rotate' }, t('qr.rotate'));
    rotate.addEventListener('click', () => {
      if (!confirm(t('qr.rotate_confirm', { name: e.name }))) return;
      busy(rotate, async () => {
        try { draw(await api.post(`/api/v1/enterprises/${encodeURIComponent(id)}/qr/rotate`, {})); toast(t('qr.rotated')); } catch (err) {
          toast(err.offline ? t('common.offline_action') : err.message, { error: true });
        }
      });
    });
    setChildren(main,
      h('div.card.qr-card',
        h('h2', e.name),
        // The token in the address makes a new code load after a rotation.
        h('img', { src: `/api/v1/enterprises/${e.id}/qr.png?box_size=8&v=${encodeURIComponent((e.qr_token || '').slice(0, 8))}`, alt: t('qr.alt', { name: e.name }), width: 240, height: 240, 'data-testid': 'qr-image' }),
        h('p.small.muted.qr-url', { 'data-testid': 'qr-url' }, e.qr_url || ''),
        e.qr_rotated_at ? h('p.small.muted', t('qr.rotated_at', { time: fmtDateTime(e.qr_rotated_at) })) : null,
        h('div.actions',
          h('a.btn.block.secondary', { href: `/api/v1/enterprises/${e.id}/qr.png?box_size=12`, download: `${e.name}-${t('qr.file')}.png` }, icon('download'), t('qr.download')),
          h('a.btn.block.secondary', { href: `/api/v1/qr-labels.pdf?community_id=${encodeURIComponent(e.community_id)}`, download: `${e.community_name || ''}${t('labels.file')}.pdf` }, icon('qr'), t('qr.print')))),
      h('div.card', h('h3', t('qr.rotate')), h('p.small.muted.mt-4.mb-12', t('qr.rotate_hint')), rotate));
  };
  draw(ent);
  return null;
}

// ------------------------------------------------------------------------------ label sheets
/** A4 sheets of QR labels (二维码标签), one PDF per community in the user's scope. */
export async function renderLabels({ main, isCurrent }) {
  setTitle(t('labels.title'), { back: true });
  if (!mayPrint()) return notAllowed(main);
  append(main, loading());
  let comms;
  try { comms = await communities(); } catch (err) {
    setChildren(main, errorBlock(err, () => renderLabels({ main, isCurrent })));
    return null;
  }
  if (!isCurrent()) return null;
  setChildren(main,
    h('p.small.muted.lead', t('labels.intro')),
    comms.length ? h('div.list', comms.map((c) => h('a.item', {
      href: `/api/v1/qr-labels.pdf?community_id=${encodeURIComponent(c.id)}`, download: `${c.name}${t('labels.file')}.pdf`, 'data-testid': 'label-link',
    }, icon('qr', 'chev'), h('div.grow', h('div.item-title', c.name), h('div.item-sub', t('labels.count', { n: c.enterprise_count ?? 0 }))), icon('download', 'chev'))))
      : h('div.card', empty(t('labels.none'), 'qr')),
    isAdmin() && comms.length > 1 ? h('a.btn.block.secondary', { href: '/api/v1/qr-labels.pdf', download: `${t('labels.file')}.pdf`, class: 'mt-12' }, icon('download'), t('labels.all')) : null);
  return null;
}
