// Checklist administration (检查表管理): the lists, the editor (name, industries, items with
// code, text, category, basis, 需拍照, 重大隐患), import from CSV/XLSX with a dry run first, export.
// Administrators and supervisors; desk work, online (the server has the last word: a save is a
// new version, inspections keep theirs).
import { api, request, itemsOf } from '../api.js';
import { t, fmtDateTime } from '../i18n.js';
import { h, icon, chev, chip, field, input, textarea, select, showProblem, clearProblem, busy, toast, errorBlock, loading, empty, append, setChildren } from '../ui.js';
import { values, label } from '../choices.js';
import { navigate, setTitle } from '../router.js';
import { session } from '../session.js';
import { newId } from '../commands.js';
import { serverFile } from '../components/server-file.js';
import { importScreen } from '../components/import-screen.js';

const mayEdit = () => ['admin', 'supervisor'].includes(session.user.role);

function notAllowed(main) {
  setChildren(main, h('div.empty', { role: 'alert' }, icon('list'), h('p', t('admin.not_allowed'))));
  return null;
}

const industriesText = (list) => ((list || []).length ? list.map((x) => label('industries', x)).join('、') : t('checks.all_industries'));

// ------------------------------------------------------------------------------ the list
export async function render({ main, isCurrent }) {
  setTitle(t('checklists.title'), { back: true });
  if (!mayEdit()) return notAllowed(main);
  const tools = h('div.toolbar',
    h('a.btn.small', { href: '#/checklists/new' }, icon('plus'), t('checklists.new')),
    h('a.btn.small.secondary', { href: '#/checklists/import' }, icon('upload'), t('checklists.import')));
  const box = h('div', loading());
  append(main, tools, box);
  let list;
  try { list = itemsOf(await api.get('/api/v1/checklists?include_inactive=true&per_page=200')); } catch (err) {
    setChildren(box, errorBlock(err, () => render({ main, isCurrent })));
    return null;
  }
  if (!isCurrent()) return null;
  setChildren(box,
    h('p.small.muted.lead', t('checklists.intro')),
    list.length ? h('div.list', list.map((c) => h('a.item', { href: `#/checklists/${c.id}`, 'data-testid': 'checklist-item' },
      h('div.grow', h('div.item-title', c.name),
        h('div.item-sub', `${t('checks.option_line', { n: c.item_count, v: c.version })} · ${industriesText(c.industries)}`)),
      c.standard ? chip(t('checklists.standard')) : null,
      c.active ? null : chip(t('checklists.retired'), 'general'), chev())))
      : h('div.card', empty(t('checklists.none'), 'list')));
  return null;
}

// ------------------------------------------------------------------------------ the editor
function itemRow(item, n, { remove, move }) {
  const code = input(`items.${n}.code`, { value: item.code || '', maxlength: 32, autocomplete: 'off', 'aria-label': t('checklists.f_code') });
  const text = textarea(`items.${n}.text`, { rows: 2, maxlength: 500 });
  text.value = item.text || '';
  const category = select(`items.${n}.category`, [['', t('common.choose')], ...values('hazard_categories').map((c) => [c, label('hazard_categories', c)])], { value: item.category || '' });
  const basis = input(`items.${n}.basis`, { value: item.basis || '', maxlength: 300 });
  const photo = h('input', { type: 'checkbox', name: `items.${n}.requires_photo`, checked: !!item.requires_photo });
  const major = h('input', { type: 'checkbox', name: `items.${n}.major_if_failed`, checked: !!item.major_if_failed });
  const row = h('div.card.item-editor', { dataset: { row: String(n) } },
    h('div.row', h('strong', `${n + 1}.`), h('span.grow'),
      h('button.btn.small.ghost', { type: 'button', 'aria-label': t('checklists.up'), onclick: () => move(n, -1) }, '↑'),
      h('button.btn.small.ghost', { type: 'button', 'aria-label': t('checklists.down'), onclick: () => move(n, 1) }, '↓'),
      h('button.btn.small.ghost', { type: 'button', onclick: () => remove(n) }, t('checklists.remove'))),
    field(t('checklists.f_code'), code, { required: true, name: `items.${n}.code` }),
    field(t('checklists.f_text'), text, { required: true, name: `items.${n}.text` }),
    field(t('hazard.f_category'), category, { required: true, name: `items.${n}.category` }),
    field(t('checks.basis'), basis, { name: `items.${n}.basis` }),
    h('div.row.checks-row',
      h('label.check', photo, h('span', t('checks.photo_item'))),
      h('label.check', major, h('span', t('checks.major_item')))));
  const read = () => ({ code: code.value.trim(), text: text.value.trim(), category: category.value, basis: basis.value.trim(),
    requires_photo: photo.checked, major_if_failed: major.checked });
  return { row, read };
}

export async function renderForm({ params, main, isCurrent }) {
  const id = params[0] || null;
  setTitle(id ? t('checklists.edit') : t('checklists.new'), { back: true });
  if (!mayEdit()) return notAllowed(main);
  let c = { name: '', industries: [], description: '', items: [{ code: '', text: '', category: '' }], active: true };
  let versions = [];
  if (id) {
    append(main, loading());
    try {
      c = await api.get(`/api/v1/checklists/${encodeURIComponent(id)}`);
      versions = itemsOf(await api.get(`/api/v1/checklists/${encodeURIComponent(id)}/versions`));
    } catch (err) {
      setChildren(main, errorBlock(err, () => renderForm({ params, main, isCurrent })));
      return null;
    }
    if (!isCurrent()) return null;
  }
  const createId = newId(); // a repeated save of a new checklist makes one
  const name = input('name', { value: c.name, maxlength: 200 });
  const description = textarea('description', { rows: 2, maxlength: 2000 });
  description.value = c.description || '';
  const industries = h('div.check-grid', { dataset: { field: 'industries' } }, values('industries').map((v) => h('label.check',
    h('input', { type: 'checkbox', name: 'industries', value: v, checked: (c.industries || []).includes(v) }), h('span', label('industries', v)))));
  const active = h('input', { type: 'checkbox', name: 'active', checked: c.active !== false });
  let items = (c.items || []).map((i) => ({ ...i }));
  let rows = [];
  const itemsBox = h('div', { dataset: { field: 'items' } });
  const readAll = () => rows.map((r) => r.read());
  const drawItems = () => {
    rows = items.map((item, n) => itemRow(item, n, {
      remove: (k) => { items = readAll(); items.splice(k, 1); drawItems(); },
      move: (k, d) => {
        items = readAll();
        const j = k + d;
        if (j < 0 || j >= items.length) return;
        [items[k], items[j]] = [items[j], items[k]];
        drawItems();
      },
    }));
    setChildren(itemsBox, rows.map((r) => r.row));
  };
  drawItems();
  const add = h('button.btn.block.secondary', { type: 'button', onclick: () => {
    items = [...readAll(), { code: '', text: '', category: '' }];
    drawItems();
    rows[rows.length - 1].row.querySelector('input')?.focus();
  } }, icon('plus'), t('checklists.add_item'));
  const save = h('button.btn.block', { type: 'submit' }, id ? t('checklists.save_version', { v: (c.current_version || c.version) + 1 }) : t('checklists.create'));
  const form = h('form.has-footer', { novalidate: true },
    h('div.card',
      field(t('checklists.f_name'), name, { required: true }),
      h('div.field', { dataset: { field: 'industries' } }, h('span.label', t('checklists.f_industries')), industries,
        h('p.hint', t('checklists.industries_hint'))),
      field(t('checklists.f_description'), description),
      id ? h('label.check', active, h('span', t('checklists.active'))) : null),
    h('h2.section-title', t('checklists.items', { n: items.length })),
    itemsBox, add,
    h('div.form-footer', save));
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    clearProblem(form);
    const body = {
      name: name.value.trim(), description: description.value.trim(),
      industries: [...industries.querySelectorAll('input:checked')].map((x) => x.value),
      items: readAll(),
    };
    busy(save, async () => {
      try {
        const saved = id
          ? await api.patch(`/api/v1/checklists/${encodeURIComponent(id)}`, { ...body, active: active.checked, version: c.current_version || c.version })
          : await api.post('/api/v1/checklists', { ...body, id: createId });
        toast(t('checklists.saved', { v: saved.version }));
        navigate(`/checklists/${saved.id}`, { replace: true });
      } catch (err) { showProblem(form, err); }
    });
  });
  append(main, setChildren(h('div'),
    id ? h('div.card.row', h('div.grow', h('p.small.muted', t('checklists.version_line', { v: c.current_version || c.version, time: fmtDateTime(c.updated_at) })),
      c.standard ? h('p.small.muted', t('checklists.standard_hint')) : null),
    serverFile('a.btn.small.secondary', { href: `/api/v1/checklists/${c.id}/export.xlsx`, download: '' }, icon('download'), t('checklists.export'))) : null,
    form,
    versions.length > 1 ? h('div.card.mt-12', h('h3', t('checklists.versions')), h('ol.versions', versions.map((v) => h('li',
      t('checklists.version_row', { v: v.version, time: fmtDateTime(v.created_at), n: v.item_count }))))) : null));
  // Replace the loading block, keep the built screen.
  main.querySelectorAll('[aria-busy=true]').forEach((x) => x.remove());
  return null;
}

// ------------------------------------------------------------------------------ import
/** Import checklists from CSV/XLSX: a dry run first (each checklist's outcome, each bad row),
 * then the real import of the same file (a checklist with a bad row is left out). */
export async function renderImport({ main }) {
  setTitle(t('checklists.import'), { back: true });
  if (!mayEdit()) return notAllowed(main);
  const name = input('name', { maxlength: 200, placeholder: t('checklists.import_name_hint') });
  importScreen(main, {
    intro: t('checklists.import_intro'),
    extra: [
      field(t('checklists.import_name'), name),
      serverFile('a.small', { href: '/api/v1/checklists/import-template.xlsx', download: '' }, t('checklists.template'))],
    post: (fd, dryRun) => {
      const q = new URLSearchParams();
      if (dryRun) q.set('dry_run', 'true');
      if (name.value.trim()) q.set('name', name.value.trim());
      return request('POST', `/api/v1/checklists/import?${q}`, { form: fd, timeout: 120000 });
    },
    outcomes: (report) => h('div.list', (report.checklists || []).map((c) => h('div.item', { dataset: { result: c.result } },
      h('div.grow', h('div.item-title', c.name), h('div.item-sub', t('checklists.import_row', { n: c.items, v: c.version ?? '—' }))),
      chip(t(`checklists.result_${c.result}`), c.result === 'invalid' ? 'major' : c.result === 'unchanged' ? 'general' : 'ok')))),
    errorsTitle: () => 'checklists.import_errors',
    fieldLabel: (f) => t(`checklists.col_${f}`),
    confirmKey: 'checklists.import_confirm',
    back: { href: '#/checklists', label: t('checklists.to_list') },
  });
  return null;
}
