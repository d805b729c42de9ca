// Home: the inspector's (scan, the inspection in progress, the outbox, recent enterprises) and
// the officer's (my enterprise's open hazards by deadline); supervisors and administrators go
// to the dashboard.
import { cachedGet, cachedPage } from '../api.js';
import { t, fmtDateTime } from '../i18n.js';
import { h, icon, chev, riskChip, empty, errorBlock, loading, cachedNote, append, setChildren } from '../ui.js';
import { navigate, setTitle } from '../router.js';
import { session } from '../session.js';
import { currentInspection } from '../commands.js';
import { recentEnterprises } from '../registry-cache.js';
import { liveOutboxCard } from '../components/outbox-card.js';
import { hazardItem } from '../components/hazard-item.js';
import { label } from '../choices.js';
import { campaignBanner } from '../components/campaign-banner.js';

const OPEN = ['reported', 'rectifying', 'submitted', 'verified'];
const byDeadline = (a, b) => (Date.parse(a.deadline || '9999-12-31') - Date.parse(b.deadline || '9999-12-31'));

export async function render(ctx) {
  const role = session.user.role;
  if (role === 'supervisor' || role === 'admin') return navigate('/dashboard', { replace: true });
  if (role === 'officer') return renderOfficerHome(ctx);
  return renderInspectorHome(ctx);
}

async function renderInspectorHome({ main }) {
  setTitle(t('app.name'));
  const hello = h('p.muted.small.lead', t('home.hello', { name: session.user.display_name || session.user.username }));
  const scan = h('a.scan-hero', { href: '#/scan' }, icon('scan'), h('span', t('home.scan')), h('small', t('home.scan_hint')));
  const current = await currentInspection();
  const currentCard = current ? h('a.card.current', { href: `#/inspection/${current.id}` },
    h('div.row', h('span.chip.pending', t('inspection.in_progress')), h('span.grow'), chev()),
    h('h2.current-name', current.enterprise?.name || ''),
    h('p.small.muted', `${label('inspection_kinds', current.kind)} · ${fmtDateTime(current.started_at)}`)) : null;
  const todoBox = h('div');
  const syncBox = h('div');
  const recentBox = h('div');
  append(main, hello, campaignBanner(), scan, todoBox, currentCard, syncBox, recentBox);
  const stopCard = liveOutboxCard(syncBox);
  // 待复查: rectifications awaiting my re-check (the server's count; offline the last one known).
  cachedGet('/api/v1/hazards/summary').then(({ data }) => {
    if (!data || !main.contains(todoBox)) return;
    const n = data.to_recheck ?? 0;
    const mine = data.to_recheck_mine ?? 0;
    setChildren(todoBox, h('div.stats.todo',
      h('a.stat', { href: '#/hazards?state=submitted', class: n ? 'alert' : null, 'data-testid': 'to-recheck' },
        h('div.v', String(n)), h('div.k', label('hazard_states', 'submitted')),
        mine ? h('div.k.small', t('home.to_recheck_mine', { n: mine })) : null),
      h('a.stat', { href: '#/hazards?overdue=true', class: data.overdue ? 'alert' : null, 'data-testid': 'overdue' },
        h('div.v', String(data.overdue ?? 0)), h('div.k', t('home.overdue')))));
  }).catch(() => {});

  const recent = await recentEnterprises();
  append(recentBox, h('h2.section-title', t('home.recent')));
  if (!recent.length) append(recentBox, h('div.card.muted.small', t('home.no_recent')));
  else append(recentBox, h('div.list', recent.slice(0, 8).map((e) => h('a.item', { href: `#/enterprise/${e.id}` },
    h('span.risk-bar', { class: e.risk_level || '' }),
    h('div.grow', h('div.item-title', e.name), h('div.item-sub', e.address || e.credit_code || '')),
    riskChip(e.risk_level), chev()))));
  return stopCard;
}

async function renderOfficerHome({ main, isCurrent }) {
  setTitle(t('officer.title'));
  const syncBox = h('div');
  append(main, loading());
  const url = '/api/v1/hazards?per_page=200';
  let list;
  try { list = await cachedPage(url); } catch (err) {
    setChildren(main, errorBlock(err, () => renderOfficerHome({ main, isCurrent })));
    return null;
  }
  if (!isCurrent()) return null;
  const open = list.items.filter((x) => OPEN.includes(x.state)).sort(byDeadline);
  const done = list.items.filter((x) => !OPEN.includes(x.state));
  const overdue = open.filter((x) => x.overdue).length;
  const todo = open.filter((x) => ['reported', 'rectifying'].includes(x.state)).length;

  setChildren(main, cachedNote(list.cachedAt),
    h('p.muted.small.lead', t('home.hello', { name: session.user.display_name || session.user.username })),
    campaignBanner(),
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
