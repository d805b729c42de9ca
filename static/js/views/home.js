import { getMeta } from '../db.js';
import { t, fmtRelative, fmtDateTime } from '../i18n.js';
import { h, icon, chev, riskChip, chip, append, setChildren } from '../ui.js';
import { navigate, setTitle, session, runSync } from '../app.js';
import * as outbox from '../outbox.js';

export async function render(ctx) {
  const role = session.user.role;
  if (role === 'supervisor' || role === 'admin') return navigate('/dashboard', { replace: true });
  if (role === 'officer') return (await import('./hazards.js')).renderOfficerHome(ctx);
  return renderInspectorHome(ctx);
}

async function renderInspectorHome({ main }) {
  setTitle(t('app.name'));
  const hello = h('p.muted.small', { style: 'margin:4px 4px 12px' }, t('home.hello', { name: session.user.display_name || session.user.username }));
  const scan = h('a.scan-hero', { href: '#/scan' }, icon('scan'), h('span', t('home.scan')), h('small', t('home.scan_hint')));
  const current = await getMeta('current_inspection');
  const currentCard = current ? h('a.card', { href: `#/inspection/${current.id}`, style: 'display:block;text-decoration:none;color:inherit;margin-top:12px' },
    h('div.row', h('span.chip.pending', t('inspection.in_progress')), h('span.grow'), chev()),
    h('h2', { style: 'margin:8px 0 2px' }, current.enterprise?.name || ''),
    h('p.small.muted', `${t(`inspection_kind.${current.kind}`)} · ${fmtDateTime(current.started_at)}`)) : null;
  const syncBox = h('div');
  const recentBox = h('div');
  append(main, hello, scan, currentCard, syncBox, recentBox);
  const stopCard = liveOutboxCard(syncBox);

  const recent = (await getMeta('recent_enterprises', [])) || [];
  append(recentBox, h('h2.section-title', t('home.recent')));
  if (!recent.length) append(recentBox, h('div.card.muted.small', t('home.no_recent')));
  else append(recentBox, h('div.list', recent.slice(0, 8).map((e) => h('a.item', { href: `#/enterprise/${e.id}` },
    h('span.risk-bar', { class: e.risk_level || '' }),
    h('div.grow', h('div.item-title', e.name), h('div.item-sub', e.address || e.credit_code || '')),
    riskChip(e.risk_level), chev()))));
  return stopCard;
}

/** Keep `box` showing the outbox card, rebuilt only when what it shows has changed. */
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
      h('a', { href: '#/outbox', style: 'color:inherit;text-decoration:none;font-weight:600' },
        s.count ? t('sync.waiting', { n: s.count }) : t('sync.all_sent')),
      h('div.state-line.muted', t('sync.last', { time: fmtRelative(s.lastSync) })),
      bad ? h('div.state-line.bad', t('sync.needs_attention', { n: bad })) : null),
    btn);
}

