// The outbox screen (待同步): every waiting record, its state and error, retry and discard.
// A create the server refused with 409 (it holds the same id with another body) shows what
// differs and lets the user keep the phone's copy as a new record or take the server's.
import { t, fmtDateTime, fmtDate } from '../i18n.js';
import { h, chip, empty, setChildren, toast } from '../ui.js';
import { setTitle } from '../router.js';
import { runSync } from '../sync.js';
import { label } from '../choices.js';
import { liveOutboxCard } from '../components/outbox-card.js';
import * as outbox from '../outbox.js';

const STATUS_CLS = { pending: 'pending', attention: 'overdue', conflict: 'overdue', auth: 'pending' };

// Field names of create bodies, labelled with the forms' own words.
const FIELD_LABELS = {
  title: 'hazard.f_title', description: 'hazard.f_description', category: 'hazard.f_category',
  level: 'hazard.f_level', place: 'hazard.f_place', deadline: 'hazard.f_deadline',
  found_at: 'hazard.found_at', location: 'hazard.location', responsible: 'hazard.responsible',
  enterprise_id: 'hazard.enterprise', kind: 'inspection.kind', started_at: 'inspection.started',
};
const fieldLabel = (k) => (FIELD_LABELS[k] ? t(FIELD_LABELS[k]) : k);

function shown(field, v) {
  if (v == null || v === '') return '—';
  if (field === 'level') return label('hazard_levels', v);
  if (field === 'kind') return label('inspection_kinds', v);
  if (field === 'category') return label('hazard_categories', v);
  if (field === 'deadline') return fmtDate(v);
  if (typeof v === 'string' && /^\d{4}-\d\d-\d\dT/.test(v)) return fmtDateTime(v);
  if (typeof v === 'object' && v.lat != null && v.lng != null) {
    return `${Number(v.lat).toFixed(5)}, ${Number(v.lng).toFixed(5)}${v.accuracy != null ? ` ±${Math.round(v.accuracy)} m` : ''}`;
  }
  return typeof v === 'object' ? JSON.stringify(v) : String(v);
}

/** The phone's copy beside the server's record: the fields that differ. */
function diffTable(diff) {
  if (!diff) return h('p.small.muted.mt-4', t('outbox.diff_unknown'));
  if (!diff.length) return h('p.small.muted.mt-4', t('outbox.diff_none'));
  return h('div.table-wrap.mt-6', h('table.table', { 'data-testid': 'conflict-diff' },
    h('thead', h('tr', h('th', { scope: 'col' }, t('outbox.diff_field')), h('th', { scope: 'col' }, t('outbox.diff_phone')),
      h('th', { scope: 'col' }, t('outbox.diff_server')))),
    h('tbody', diff.map((d) => h('tr', h('th', { scope: 'row' }, fieldLabel(d.field)),
      h('td', shown(d.field, d.phone)), h('td', shown(d.field, d.server)))))));
}

/** The two ways out of a create conflict; nothing happens without the user's choice. */
function createConflictActions(i, label) {
  return h('div.row.wrap.mt-8',
    h('button.btn.small.secondary', { type: 'button', onclick: async () => {
      if (!confirm(t('outbox.keep_phone_confirm', { label }))) return;
      await outbox.resendAsNew(i.seq);
      toast(t('outbox.kept_as_new'));
      runSync({ force: true });
    } }, t('outbox.keep_phone')),
    h('button.btn.small.ghost', { type: 'button', onclick: async () => {
      const n = await outbox.dependents(i.seq);
      const text = t('outbox.keep_server_confirm', { label }) + (n ? `\n${t('outbox.keep_server_dependents', { n })}` : '');
      if (!confirm(text)) return;
      await outbox.remove(i.seq);
      runSync();
    } }, t('outbox.keep_server')));
}

export async function render({ main, isCurrent }) {
  setTitle(t('outbox.title'), { back: true });
  let shown = null;
  const draw = async () => {
    const items = (await outbox.all()).sort((a, b) => a.seq - b.seq);
    if (!isCurrent()) return; // the user has moved on: never draw over the next screen
    const signature = JSON.stringify(items.map(({ photo, ...i }) => i));
    if (signature === shown) return; // rebuilt only on change: a tap must not hit a stale node
    shown = signature;
    const rows = items.map((i) => {
      const err = i.error || {};
      const label = i.label ? t(i.label.key, i.label.params) : `${i.method} ${i.url}`;
      const fieldErrors = err.errors ? Object.entries(err.errors).map(([k, v]) => [k, [].concat(v).filter((m) => m !== err.detail)])
        .filter(([, v]) => v.length).map(([k, v]) => `${k}: ${v.join('；')}`).join('；') : null;
      const createConflict = i.status === 'conflict' && err.create;
      const detail = [err.detail, fieldErrors || null,
        err.kind ? t(`outbox.error.${err.kind}`) : null, err.status ? `HTTP ${err.status}` : null].filter(Boolean).join(' · ');
      return h('div.item', { 'data-testid': 'outbox-item', dataset: { status: i.status } },
        h('div.grow',
          h('div.item-title', label),
          h('div.item-sub', `${fmtDateTime(i.created_at)}${i.photo ? ` · ${Math.round(i.photo.blob.size / 1024)} KB` : ''}${i.attempts ? ` · ${t('outbox.attempts', { n: i.attempts })}` : ''}`),
          h('div.row.wrap.chips', chip(t(`outbox.status.${i.status}`), STATUS_CLS[i.status]),
            i.status === 'pending' && i.next_at > Date.now() ? chip(t('outbox.next_try', { time: fmtDateTime(new Date(i.next_at).toISOString()) })) : null),
          detail ? h(`p.small.mt-6${i.status === 'pending' ? '.muted' : '.error-text'}`, detail) : null,
          createConflict ? [h('p.small.mt-4', t('outbox.create_conflict_hint')), diffTable(err.diff)] : null,
          i.status === 'conflict' && !createConflict ? h('p.small.mt-4', t('outbox.conflict_hint')) : null,
          createConflict ? createConflictActions(i, label) : null,
          i.status !== 'pending' && !createConflict ? h('div.row.mt-8',
            h('button.btn.small.secondary', { type: 'button', onclick: async () => { await outbox.retry(i.seq); runSync({ force: true }); } }, t('common.retry')),
            h('button.btn.small.ghost', { type: 'button', onclick: async () => { if (confirm(t('outbox.discard_confirm', { label }))) await outbox.remove(i.seq); } }, t('outbox.discard'))) : null));
    });
    setChildren(main, cardBox, rows.length ? h('div.list', rows) : h('div.card', empty(t('sync.all_sent'), 'check')),
      h('p.small.muted.outbox-explain', t('outbox.explain')));
  };
  const cardBox = h('div');
  const stopCard = liveOutboxCard(cardBox);
  await draw();
  const onChange = () => draw();
  outbox.outboxEvents.addEventListener('change', onChange);
  return () => { stopCard(); outbox.outboxEvents.removeEventListener('change', onChange); };
}
