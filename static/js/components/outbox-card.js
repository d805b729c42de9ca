// The outbox card (待同步): how many records wait, when the last sync was, "sync now".
// Shown on the inspector's and the officer's home, on 我的 and on the outbox screen.
import { t, fmtRelative } from '../i18n.js';
import { h, icon, setChildren } from '../ui.js';
import * as outbox from '../outbox.js';
import { runSync } from '../sync.js';

/** Keep `box` showing the outbox card, rebuilt only when what it shows has changed. Returns
 * the function that stops it (a view's cleanup). */
export function liveOutboxCard(box) {
  let shown = null;
  const refresh = async () => {
    const s = await outbox.summary();
    const signature = JSON.stringify([s, fmtRelative(s.lastSync)]);
    if (signature === shown) return;
    shown = signature;
    setChildren(box, await outboxCard(s));
  };
  refresh();
  outbox.outboxEvents.addEventListener('change', refresh);
  return () => outbox.outboxEvents.removeEventListener('change', refresh);
}

/** The outbox status: how many records wait, when the last sync was, a "sync now" button. */
export async function outboxCard(summary = null) {
  const s = summary || await outbox.summary();
  const bad = s.attention + s.conflict + s.auth;
  const btn = h('button.btn.small.secondary', { type: 'button', onclick: async () => {
    btn.disabled = true; btn.textContent = t('sync.syncing');
    await runSync({ force: true });
  } }, icon('sync'), t('sync.now'));
  return h(`div.card.sync-card${bad ? '.bad' : ''}`, { 'data-testid': 'outbox-card' },
    h('div.big', { 'aria-hidden': 'true' }, String(s.count)),
    h('div.grow',
      h('a.sync-link', { href: '#/outbox' },
        s.count ? t('sync.waiting', { n: s.count }) : t('sync.all_sent')),
      h('div.state-line.muted', t('sync.last', { time: fmtRelative(s.lastSync) })),
      bad ? h('div.state-line.bad', t('sync.needs_attention', { n: bad })) : null),
    btn);
}
