// The outbox screen (待同步): every waiting record, its state and error, retry and discard.
import { t, fmtDateTime } from '../i18n.js';
import { h, chip, empty, setChildren } from '../ui.js';
import { setTitle, runSync } from '../app.js';
import { liveOutboxCard } from './home.js';
import * as outbox from '../outbox.js';

const STATUS_CLS = { pending: 'pending', attention: 'overdue', conflict: 'overdue', auth: 'pending' };

export async function render({ main }) {
  setTitle(t('outbox.title'), { back: true });
  let shown = null;
  const draw = async () => {
    const items = (await outbox.all()).sort((a, b) => a.seq - b.seq);
    const signature = JSON.stringify(items.map(({ photo, ...i }) => i));
    if (signature === shown) return; // rebuilt only on change: a tap must not hit a stale node
    shown = signature;
    const rows = items.map((i) => {
      const err = i.error || {};
      const label = i.label ? t(i.label.key, i.label.params) : `${i.method} ${i.url}`;
      const detail = [err.detail, err.errors ? Object.entries(err.errors).map(([k, v]) => `${k}: ${[].concat(v).join('；')}`).join('；') : null,
        err.kind ? t(`outbox.error.${err.kind}`) : null, err.status ? `HTTP ${err.status}` : null].filter(Boolean).join(' · ');
      return h('div.item', { 'data-testid': 'outbox-item', dataset: { status: i.status } },
        h('div.grow',
          h('div.item-title', label),
          h('div.item-sub', `${fmtDateTime(i.created_at)}${i.photo ? ` · ${Math.round(i.photo.blob.size / 1024)} KB` : ''}${i.attempts ? ` · ${t('outbox.attempts', { n: i.attempts })}` : ''}`),
          h('div.row.wrap', { style: 'gap:6px;margin-top:6px' }, chip(t(`outbox.status.${i.status}`), STATUS_CLS[i.status]),
            i.status === 'pending' && i.next_at > Date.now() ? chip(t('outbox.next_try', { time: fmtDateTime(new Date(i.next_at).toISOString()) })) : null),
          detail ? h('p.small', { style: `margin-top:6px;color:${i.status === 'pending' ? 'var(--muted)' : 'var(--danger)'}` }, detail) : null,
          i.status === 'conflict' ? h('p.small', { style: 'margin-top:4px' }, t('outbox.conflict_hint')) : null,
          i.status !== 'pending' ? h('div.row', { style: 'margin-top:8px;gap:8px' },
            h('button.btn.small.secondary', { type: 'button', onclick: async () => { await outbox.retry(i.seq); runSync({ force: true }); } }, t('common.retry')),
            h('button.btn.small.ghost', { type: 'button', onclick: async () => { if (confirm(t('outbox.discard_confirm', { label }))) await outbox.remove(i.seq); } }, t('outbox.discard'))) : null));
    });
    setChildren(main, cardBox, rows.length ? h('div.list', rows) : h('div.card', empty(t('sync.all_sent'), 'check')),
      h('p.small.muted', { style: 'margin:8px 4px' }, t('outbox.explain')));
  };
  const cardBox = h('div');
  const stopCard = liveOutboxCard(cardBox);
  await draw();
  const onChange = () => draw();
  outbox.outboxEvents.addEventListener('change', onChange);
  return () => { stopCard(); outbox.outboxEvents.removeEventListener('change', onChange); };
}
