// Accounts (用户管理, administrators): the list with filters, a new account bound to an
// enterprise (officer) or to communities (supervisor, inspector), and one account's page: its
// details, a password reset and disabling (every session of that user ends at once).
import { api, request, cachedGet, itemsOf } from '../api.js';
import { t, fmtDateTime } from '../i18n.js';
import { h, icon, chev, chip, field, input, select, showProblem, clearProblem, busy, toast, errorBlock, loading, empty, append, setChildren } from '../ui.js';
import { navigate, setTitle, queryParams } from '../router.js';
import { session } from '../session.js';
import { newId } from '../commands.js';
import { values, label } from '../choices.js';

const COMMUNITY_ROLES = ['supervisor', 'inspector'];

function notAllowed(main) {
  setChildren(main, h('div.empty', { role: 'alert' }, icon('group'), h('p', t('admin.not_allowed'))));
  return null;
}

function scopeText(u) {
  if (u.role === 'officer') return u.enterprise_name || '';
  if (COMMUNITY_ROLES.includes(u.role)) return (u.communities || []).map((c) => c.name).join('、');
  return t('users.all_scope');
}

// ------------------------------------------------------------------------------ the list
export async function render({ main, isCurrent }) {
  setTitle(t('users.title'));
  if (session.user.role !== 'admin') return notAllowed(main);
  const q = queryParams();
  const filters = { q: q.get('q') || '', role: q.get('role') || '', active: q.get('active') || '', page: Number(q.get('page') || 1) };
  const go = (patch) => {
    const next = { ...filters, ...patch };
    if (!('page' in patch)) next.page = 1;
    const qs = new URLSearchParams(Object.entries(next).filter(([k, v]) => v && !(k === 'page' && v === 1)));
    navigate(`/users${qs.toString() ? `?${qs}` : ''}`, { replace: true });
  };
  const search = input('q', { type: 'search', value: filters.q, placeholder: t('users.search_placeholder'), 'aria-label': t('users.search_placeholder'), enterkeyhint: 'search' });
  const searchForm = h('form.search', { role: 'search', onsubmit: (e) => { e.preventDefault(); go({ q: search.value.trim() }); } },
    search, h('button.btn.small', { type: 'submit' }, t('registry.search')));
  const bar = h('div.filters', { role: 'group', 'aria-label': t('hazards.filters') },
    select('role', [['', t('users.all_roles')], ...values('roles').map((r) => [r, label('roles', r)])], { 'aria-label': t('users.role'), value: filters.role, onchange: (e) => go({ role: e.target.value }) }),
    select('active', [['', t('users.all_status')], ['true', t('users.active')], ['false', t('users.disabled')]], { 'aria-label': t('users.status'), value: filters.active, onchange: (e) => go({ active: e.target.value }) }));
  const box = h('div', loading());
  append(main, h('div.toolbar', h('a.btn.small', { href: '#/users/new' }, icon('plus'), t('users.new'))), searchForm, bar, box);

  const params = new URLSearchParams(Object.entries({ q: filters.q, role: filters.role, active: filters.active }).filter(([, v]) => v));
  params.set('per_page', '30');
  if (filters.page > 1) params.set('page', filters.page);
  let page;
  try { page = (await request('GET', `/api/v1/users?${params}`)).data; } catch (err) {
    setChildren(box, errorBlock(err, () => go({})));
    return null;
  }
  if (!isCurrent()) return null;
  const items = itemsOf(page);
  const pages = page.pages || 1;
  setChildren(box,
    h('div.section-title', h('span.grow', t('users.count', { n: page.total ?? items.length }))),
    items.length ? h('div.list', items.map((u) => h('a.item', { href: `#/users/${u.id}`, 'data-testid': 'user-item', dataset: { username: u.username } },
      h('div.grow',
        h('div.item-title', u.display_name, u.display_name !== u.username ? h('span.muted.regular', ` · ${u.username}`) : null),
        h('div.item-sub', scopeText(u)),
        h('div.row.wrap.chips', chip(label('roles', u.role)), u.active ? null : chip(t('users.disabled'), 'overdue'))),
      chev())))
      : h('div.card', empty(t('users.none'), 'group')),
    pages > 1 ? h('div.actions.two',
      h('button.btn.secondary', { type: 'button', disabled: filters.page <= 1, onclick: () => go({ page: filters.page - 1 }) }, t('common.prev')),
      h('button.btn.secondary', { type: 'button', disabled: filters.page >= pages, onclick: () => go({ page: filters.page + 1 }) }, t('common.next'))) : null);
  return null;
}

// ------------------------------------------------------------------------------ bindings
/** Checkboxes of the communities a supervisor or an inspector is responsible for. */
function communityChecks(communities, selected) {
  const labelId = `communities-${Math.random().toString(36).slice(2, 7)}`;
  const el = h('div.field', { dataset: { field: 'community_ids' } },
    h('span.label', { id: labelId }, t('users.communities'), h('span.req', { 'aria-hidden': 'true' }, '*')),
    h('div.checks', { role: 'group', 'aria-labelledby': labelId },
      communities.map((c) => h('label', h('input', { type: 'checkbox', name: 'community_ids', value: c.id, checked: selected.has(c.id) }), h('span', c.name)))));
  return { el, value: () => [...el.querySelectorAll('input:checked')].map((x) => x.value) };
}

/** An officer's enterprise: a search box narrowing a select (a 街道 has hundreds of them). */
function enterprisePicker(current) {
  const search = input('enterprise_q', { type: 'search', placeholder: t('users.enterprise_search'), 'aria-label': t('users.enterprise_search'), autocomplete: 'off' });
  const sel = h('select', { name: 'enterprise_id' });
  const el = field(t('users.enterprise'), sel, { required: true });
  el.insertBefore(search, sel);
  let timer = null;
  const fill = async () => {
    const q = search.value.trim();
    let items = [];
    try { items = itemsOf(await api.get(`/api/v1/enterprises?per_page=50${q ? `&q=${encodeURIComponent(q)}` : ''}`)); } catch { /* keep the choice we have */ }
    const keep = sel.value || (current && current.id) || '';
    const known = current && !items.some((e) => e.id === current.id) ? [current] : [];
    setChildren(sel, h('option', { value: '' }, items.length || known.length ? t('common.choose') : t('users.enterprise_none')),
      [...known, ...items].map((e) => h('option', { value: e.id }, e.credit_code ? `${e.name}（${e.credit_code}）` : e.name)));
    sel.value = keep;
    if (!sel.value && items.length === 1) sel.value = items[0].id;
  };
  search.addEventListener('input', () => { clearTimeout(timer); timer = setTimeout(fill, 300); });
  fill();
  return { el, value: () => sel.value || null };
}

function randomPassword() {
  const alphabet = 'abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789';
  return [...crypto.getRandomValues(new Uint8Array(12))].map((b) => alphabet[b % alphabet.length]).join('');
}

function passwordInput(name) {
  const ctl = input(name, { autocomplete: 'new-password', spellcheck: false, autocapitalize: 'off', minlength: 8, maxlength: 256 });
  const gen = h('button.btn.small.ghost', { type: 'button', onclick: () => { ctl.value = randomPassword(); ctl.focus(); } }, t('users.generate'));
  return { ctl, gen };
}

// ------------------------------------------------------------------------------ new / edit
export async function renderForm({ params, main, isCurrent }) {
  const id = params[0] || null;
  setTitle(id ? t('users.edit') : t('users.new'), { back: true });
  if (session.user.role !== 'admin') return notAllowed(main);
  append(main, loading());
  let user = null; let communities;
  try {
    [user, communities] = await Promise.all([
      id ? api.get(`/api/v1/users/${encodeURIComponent(id)}`) : null,
      cachedGet('/api/v1/communities?per_page=500').then((r) => itemsOf(r.data))]);
  } catch (err) {
    setChildren(main, errorBlock(err, () => renderForm({ params, main, isCurrent })));
    return null;
  }
  if (!isCurrent()) return null;
  if (user) return renderAccount(main, user, communities);
  return renderNew(main, communities);
}

function renderNew(main, communities) {
  const createId = newId(); // a repeated tap, or a lost answer, never opens two accounts
  const username = input('username', { maxlength: 64, autocomplete: 'off', autocapitalize: 'off', spellcheck: false });
  const displayName = input('display_name', { maxlength: 100, autocomplete: 'off' });
  const pw = passwordInput('password');
  const role = select('role', values('roles').map((r) => [r, label('roles', r)]), { value: 'inspector' });
  const phone = input('phone', { type: 'tel', maxlength: 32, autocomplete: 'off' });
  const checks = communityChecks(communities, new Set(communities.length === 1 ? [communities[0].id] : []));
  const picker = enterprisePicker(null);
  const pwField = field(t('users.password'), pw.ctl, { required: true, hint: t('users.password_hint') });
  pwField.insertBefore(pw.gen, pw.ctl.nextSibling);
  const syncRole = () => {
    checks.el.hidden = !COMMUNITY_ROLES.includes(role.value);
    picker.el.hidden = role.value !== 'officer';
  };
  role.addEventListener('change', syncRole);
  syncRole();
  const btn = h('button.btn.block', { type: 'submit' }, t('users.create'));
  const form = h('form', { novalidate: true },
    h('div.card',
      field(t('users.username'), username, { required: true, hint: t('users.username_hint') }),
      field(t('users.display_name'), displayName),
      pwField,
      field(t('users.role'), role, { required: true }),
      checks.el, picker.el,
      field(t('users.phone'), phone)),
    btn);
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    clearProblem(form);
    const errors = {};
    if (!username.value.trim()) errors.username = [t('common.required')];
    if (!pw.ctl.value) errors.password = [t('common.required')];
    if (Object.keys(errors).length) return showProblem(form, { problem: { detail: t('common.fix_fields'), errors } });
    const body = { id: createId, username: username.value.trim(), password: pw.ctl.value, role: role.value };
    if (displayName.value.trim()) body.display_name = displayName.value.trim();
    if (phone.value.trim()) body.phone = phone.value.trim();
    if (COMMUNITY_ROLES.includes(role.value)) body.community_ids = checks.value();
    if (role.value === 'officer') body.enterprise_id = picker.value();
    busy(btn, async () => {
      try {
        const created = await api.post('/api/v1/users', body);
        toast(t('users.created', { name: created.display_name }));
        navigate(`/users/${created.id}`, { replace: true });
      } catch (err) { showProblem(form, err); }
    });
  });
  setChildren(main, form);
  return null;
}

function renderAccount(main, user, communities) {
  const self = user.id === session.user.id;
  const reload = () => navigate(`/users/${user.id}`, { replace: true });
  const patch = (body) => api.patch(`/api/v1/users/${encodeURIComponent(user.id)}`, body);

  // Details and bindings.
  const displayName = input('display_name', { maxlength: 100, value: user.display_name || '' });
  const phone = input('phone', { type: 'tel', maxlength: 32, value: user.phone || '' });
  const checks = COMMUNITY_ROLES.includes(user.role) ? communityChecks(communities, new Set(user.community_ids || [])) : null;
  const picker = user.role === 'officer' ? enterprisePicker(user.enterprise_id ? { id: user.enterprise_id, name: user.enterprise_name } : null) : null;
  const save = h('button.btn.block', { type: 'submit' }, t('users.save'));
  const form = h('form.card', { novalidate: true },
    field(t('users.display_name'), displayName, { required: true }),
    field(t('users.phone'), phone),
    checks ? checks.el : null, picker ? picker.el : null,
    save);
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    clearProblem(form);
    const body = {};
    if (displayName.value.trim() !== user.display_name) body.display_name = displayName.value.trim();
    if ((phone.value.trim() || null) !== (user.phone || null)) body.phone = phone.value.trim() || null;
    if (checks) {
      const ids = checks.value();
      if (ids.slice().sort().join() !== (user.community_ids || []).slice().sort().join()) body.community_ids = ids;
    }
    if (picker && picker.value() !== user.enterprise_id) body.enterprise_id = picker.value();
    if (!Object.keys(body).length) { toast(t('admin.no_change')); return; }
    busy(save, async () => {
      try { await patch(body); toast(t('users.saved')); reload(); } catch (err) { showProblem(form, err); }
    });
  });

  // Password reset.
  const pw = passwordInput('password');
  const resetBtn = h('button.btn.block.secondary', { type: 'submit' }, t('users.reset'));
  const pwField = field(t('users.new_password'), pw.ctl, { required: true });
  pwField.insertBefore(pw.gen, pw.ctl.nextSibling);
  const resetForm = h('form.card', { novalidate: true, 'data-testid': 'reset-password' },
    h('h3', t('users.reset_title')), h('p.small.muted.mt-4.mb-12', t(self ? 'users.reset_hint_self' : 'users.reset_hint')),
    pwField, resetBtn);
  resetForm.addEventListener('submit', (ev) => {
    ev.preventDefault();
    clearProblem(resetForm);
    if (!pw.ctl.value) return showProblem(resetForm, { problem: { detail: t('common.fix_fields'), errors: { password: [t('common.required')] } } });
    busy(resetBtn, async () => {
      try { await patch({ password: pw.ctl.value }); pw.ctl.value = ''; toast(t('users.reset_done')); } catch (err) { showProblem(resetForm, err); }
    });
  });

  // Disable / enable.
  const toggle = user.active
    ? h('button.btn.block.danger', { type: 'button', 'data-action': 'disable' }, t('users.disable'))
    : h('button.btn.block.ok', { type: 'button', 'data-action': 'enable' }, t('users.enable'));
  toggle.addEventListener('click', () => {
    if (user.active && !confirm(t('users.disable_confirm', { name: user.display_name }))) return;
    busy(toggle, async () => {
      try {
        await patch({ active: !user.active });
        toast(user.active ? t('users.disabled_done') : t('users.enabled_done'));
        reload();
      } catch (err) { toast(err.offline ? t('common.offline_action') : err.message, { error: true }); }
    });
  });

  const toggleCard = self ? null : h('div.card', h('h3', user.active ? t('users.disable') : t('users.enable')),
    h('p.small.muted.mt-4.mb-12', user.active ? t('users.disable_hint') : t('users.enable_hint')), toggle);
  setChildren(main,
    h('div.card', { 'data-testid': 'account' },
      h('div.row.wrap.chips', chip(label('roles', user.role)), user.active ? chip(t('users.active'), 'ok') : chip(t('users.disabled'), 'overdue'),
        self ? chip(t('users.self')) : null),
      h('h2.record-name', user.display_name),
      h('p.small.muted', `${user.username} · ${t('users.created_at')} ${fmtDateTime(user.created_at)}`),
      scopeText(user) ? h('p.small.mt-6', scopeText(user)) : null),
    user.active ? null : toggleCard, // a disabled account: enabling it is what one came for
    form,
    resetForm,
    user.active ? toggleCard : null);
  return null;
}
