// Deadlines and listed supervision: the officer's extension request (申请延期), the supervisor's
// decision on it (批准/驳回), 挂牌督办 of a major hazard and its 摘牌, and the 挂牌督办台账.
// Every change goes through commands.js (the outbox): a form answers once it is on the phone.
import { cachedGet, cachedPage } from '../api.js';
import { t, fmtDate, shanghaiDay } from '../i18n.js';
import { h, icon, chip, kv, field, input, textarea, showProblem, clearProblem, busy, toast, errorBlock, loading, empty, cachedNote, append, setChildren } from '../ui.js';
import { label } from '../choices.js';
import { navigate, setTitle, queryParams } from '../router.js';
import { newId, requestExtension, decideExtension, listHazard, delistHazard } from '../commands.js';
import { savedMessage } from '../sync.js';
import { photoPicker } from '../photos.js';
import { flagsCard } from '../components/oversight.js';
import { serverFile } from '../components/server-file.js';
import { atDesk, redrawAcrossLayouts } from '../components/layout.js';
import { dataTable, rankIn, timeOf } from '../components/data-table.js';

async function loadHazard(id, main) {
  try { return (await cachedGet(`/api/v1/hazards/${id}`)).data; } catch (err) {
    append(main, errorBlock(err));
    return null;
  }
}

/** The next Asia/Shanghai day after an ISO time: the earliest deadline an extension may ask. */
function dayAfter(iso) {
  return shanghaiDay(Date.parse(iso) + 24 * 3600 * 1000);
}

function subject(hz) {
  return h('div.card', h('p.form-subject', hz.title),
    kv([[t('hazard.enterprise'), hz.enterprise_name], [t('hazard.f_deadline'), fmtDate(hz.deadline)]]));
}

/** 申请延期: the new deadline (a day after the current one at the earliest), the reason, and a
 * photo of the document behind it (optional). */
export async function renderExtensionForm({ params, main }) {
  const id = params[0];
  setTitle(t('oversight.request_extension'), { back: true });
  const hz = await loadHazard(id, main);
  if (!hz) return null;
  const requestId = newId();
  const min = dayAfter(hz.deadline);
  const date = input('new_deadline', { type: 'date', min, value: '' });
  const reason = textarea('reason', { rows: 4, placeholder: t('extension.reason_hint') });
  const picker = photoPicker({ name: 'photo_id', max: 1, label: t('extension.document') });
  const btn = h('button.btn.block', { type: 'submit' }, t('extension.send'));
  const form = h('form', { novalidate: true }, subject(hz),
    h('div.card',
      field(t('extension.new_deadline'), date, { required: true, hint: t('extension.deadline_hint', { date: fmtDate(hz.deadline) }) }),
      field(t('extension.reason'), reason, { required: true })),
    h('div.card', h('span.label.photos-label', t('extension.document')), h('p.small.muted.mb-8', t('extension.document_hint')), picker.el),
    btn);
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    clearProblem(form);
    busy(btn, async () => {
      const photos = await picker.ready();
      const errors = {};
      if (!date.value) errors.new_deadline = [t('extension.deadline_required')];
      else if (date.value < min) errors.new_deadline = [t('extension.deadline_later', { date: fmtDate(hz.deadline) })];
      if (!reason.value.trim()) errors.reason = [t('extension.reason_required')];
      if (Object.keys(errors).length) return showProblem(form, { problem: { detail: t('common.fix_fields'), errors } });
      const r = await requestExtension(hz, { id: requestId, newDeadline: date.value, reason: reason.value.trim(), photo: photos[0] || null }).catch(() => null);
      if (!r) return;
      toast(savedMessage(r, t('extension.sent')));
      navigate(`/hazards/${id}`, { replace: true });
    });
  });
  append(main, form);
  return null;
}

/** 批准 or 驳回 one request: what was asked, the note (a rejection says why). */
export async function renderDecision({ params, main }) {
  const [id, extensionId, action] = params;
  setTitle(label('extension_actions', action), { back: true });
  const hz = await loadHazard(id, main);
  if (!hz) return null;
  const ext = (hz.extensions || []).find((e) => e.id === extensionId);
  if (!ext) { append(main, errorBlock({ status: 404 })); return null; }
  const noteRequired = action === 'reject';
  const note = textarea('note', { rows: 4, placeholder: t(`extension.${action}_hint`) });
  const btn = h(`button.btn.block${action === 'approve' ? '.ok' : '.danger'}`, { type: 'submit' }, label('extension_actions', action));
  const form = h('form', { novalidate: true }, subject(hz),
    h('div.card', { 'data-testid': 'extension-request' },
      h('div.row.wrap.chips', chip(label('extension_states', ext.state), `ext-${ext.state}`)),
      kv([[t('extension.new_deadline'), fmtDate(ext.new_deadline)], [t('extension.reason'), ext.reason],
        [t('extension.requester'), ext.requester && ext.requester.display_name]]),
      ext.photo && ext.photo.urls ? h('a.thumb.small-thumb', { href: ext.photo.urls.full, target: '_blank', rel: 'noopener' },
        h('img', { src: ext.photo.urls.thumb, alt: label('photo_kinds', 'document') })) : null,
      action === 'approve' ? h('p.small.muted.mt-8', t('extension.approve_effect', { date: fmtDate(ext.new_deadline) })) : null),
    h('div.card', field(t('action.note'), note, { required: noteRequired })),
    btn);
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    clearProblem(form);
    if (noteRequired && !note.value.trim()) {
      showProblem(form, { problem: { detail: t('common.fix_fields'), errors: { note: [t('extension.reject_note_required')] } } });
      return;
    }
    busy(btn, async () => {
      const r = await decideExtension(hz, ext, { action, note: note.value.trim() || null, actionLabel: label('extension_actions', action) }).catch(() => null);
      if (!r) return;
      toast(savedMessage(r, t('action.saved_syncing', { action: label('extension_actions', action) })));
      navigate(`/hazards/${id}`, { replace: true });
    });
  });
  append(main, form);
  return null;
}

/** 挂牌督办 of a major hazard: the supervising unit, the deadline, the person responsible. */
export async function renderListingForm({ params, main }) {
  const id = params[0];
  setTitle(t('oversight.list'), { back: true });
  const hz = await loadHazard(id, main);
  if (!hz) return null;
  const unit = input('unit', { placeholder: t('listing.unit_hint'), maxlength: 200 });
  const deadline = input('deadline', { type: 'date', min: dayAfter(new Date().toISOString()), value: hz.deadline ? shanghaiDay(Date.parse(hz.deadline)) : '' });
  const responsible = input('responsible', { value: hz.responsible || '', maxlength: 100 });
  const note = textarea('note', { rows: 3, placeholder: t('listing.note_hint') });
  const btn = h('button.btn.block.danger', { type: 'submit' }, t('oversight.list'));
  const form = h('form', { novalidate: true }, subject(hz),
    h('div.card',
      field(t('listing.unit'), unit, { required: true }),
      field(t('listing.deadline'), deadline, { required: true }),
      field(t('listing.responsible'), responsible, { required: true }),
      field(t('action.note'), note)),
    btn);
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    clearProblem(form);
    const errors = {};
    for (const [name, ctl] of [['unit', unit], ['deadline', deadline], ['responsible', responsible]]) {
      if (!ctl.value.trim()) errors[name] = [t('listing.required')];
    }
    if (Object.keys(errors).length) { showProblem(form, { problem: { detail: t('common.fix_fields'), errors } }); return; }
    busy(btn, async () => {
      const r = await listHazard(hz, { unit: unit.value.trim(), deadline: deadline.value, responsible: responsible.value.trim(), note: note.value.trim() || null }).catch(() => null);
      if (!r) return;
      toast(savedMessage(r, t('listing.saved')));
      navigate(`/hazards/${id}`, { replace: true });
    });
  });
  append(main, form);
  return null;
}

/** 摘牌 of a closed hazard: the assessment of its fix. */
export async function renderDelist({ params, main }) {
  const id = params[0];
  setTitle(t('oversight.delist'), { back: true });
  const hz = await loadHazard(id, main);
  if (!hz) return null;
  const assessment = textarea('assessment', { rows: 5, placeholder: t('listing.assessment_hint') });
  const btn = h('button.btn.block', { type: 'submit' }, t('oversight.delist'));
  const form = h('form', { novalidate: true }, subject(hz), flagsCard(hz),
    h('div.card', field(t('listing.assessment'), assessment, { required: true })), btn);
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    clearProblem(form);
    if (!assessment.value.trim()) {
      showProblem(form, { problem: { detail: t('common.fix_fields'), errors: { assessment: [t('listing.assessment_required')] } } });
      return;
    }
    busy(btn, async () => {
      const r = await delistHazard(hz, { assessment: assessment.value.trim() }).catch(() => null);
      if (!r) return;
      toast(savedMessage(r, t('listing.delisted')));
      navigate(`/hazards/${id}`, { replace: true });
    });
  });
  append(main, form);
  return null;
}

/** 挂牌督办台账: the listings in my scope (still listed first), with its XLSX. */
export async function renderRegister({ main, isCurrent }) {
  setTitle(t('listing.register'));
  const state = queryParams().get('state') || '';
  append(main, loading());
  let page;
  try { page = await cachedPage(`/api/v1/listings?per_page=200${state ? `&state=${state}` : ''}`); } catch (err) {
    setChildren(main, errorBlock(err, () => renderRegister({ main, isCurrent })));
    return null;
  }
  if (!isCurrent()) return null;
  const items = page.items || [];
  const filter = h('select', { name: 'state', 'aria-label': t('listing.state'), onchange: (e) => navigate(`/listings${e.target.value ? `?state=${e.target.value}` : ''}`, { replace: true }) },
    h('option', { value: '' }, t('listing.all')),
    ['listed', 'delisted'].map((s) => h('option', { value: s, selected: s === state }, label('listing_states', s))));
  const xlsx = serverFile('a.btn.small.ghost', { href: `/api/v1/listings.xlsx${state ? `?state=${state}` : ''}`, download: '' }, icon('download'), 'XLSX');
  const row = (x) => h('a.item', { href: `#/hazards/${x.hazard_id}`, 'data-testid': 'listing-item' },
    h('div.grow', h('div.item-title', x.title),
      h('div.item-sub', [x.enterprise_name, x.unit].filter(Boolean).join(' · ')),
      h('div.row.wrap.chips', chip(label('listing_states', x.state), x.state === 'listed' ? 'listed' : 'general'),
        chip(`${t('listing.deadline')} ${fmtDate(x.deadline)}`), x.overdue ? chip(t('listing.overdue'), 'overdue') : null)));
  const desk = atDesk();
  setChildren(main, cachedNote(page.cachedAt), h('div.filters', filter),
    h('div.section-title', h('span.grow', t('hazards.count', { n: (page.pagination || {}).total ?? items.length })), xlsx),
    !items.length ? h('div.card', empty(t('listing.none'))) : desk ? registerTable(items) : h('div.list', items.map(row)));
  return redrawAcrossLayouts();
}

function registerTable(items) {
  return dataTable({
    rows: items, label: t('listing.register'), testid: 'listing-item', href: (x) => `#/hazards/${x.hazard_id}`,
    sort: { key: 'deadline', dir: 'asc' },
    columns: [
      { key: 'title', label: t('hazard.f_title'), value: (x) => x.title, cell: (x) => x.title },
      { key: 'enterprise', label: t('hazard.enterprise'), value: (x) => x.enterprise_name, cell: (x) => x.enterprise_name },
      { key: 'unit', label: t('listing.unit'), value: (x) => x.unit, cell: (x) => x.unit },
      { key: 'responsible', label: t('listing.responsible'), value: (x) => x.responsible, cell: (x) => x.responsible },
      { key: 'deadline', label: t('listing.deadline'), value: (x) => timeOf(x.deadline), cell: (x) => fmtDate(x.deadline), cls: 'nowrap' },
      { key: 'state', label: t('listing.state'), value: (x) => rankIn('listing_states', x.state),
        cell: (x) => [chip(label('listing_states', x.state), x.state === 'listed' ? 'listed' : 'general'), x.overdue ? chip(t('listing.overdue'), 'overdue') : null] },
    ],
  });
}
