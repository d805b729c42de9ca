// Home: the inspector's (scan, the inspection in progress, the outbox, recent enterprises) and
// the officer's (my enterprise's open hazards by deadline); supervisors and administrators go
// to the dashboard.
import { cachedGet, cachedPage } from '../api.js';
import { t, fmtDateTime, shanghaiDay } from '../i18n.js';
import { h, icon, chev, riskChip, empty, errorBlock, loading, cachedNote, append, setChildren } from '../ui.js';
import { navigate, setTitle } from '../router.js';
import { session } from '../session.js';
import { currentInspection } from '../commands.js';
import { recentEnterprises } from '../registry-cache.js';
import { loadMyTasks } from '../tasks-cache.js';
import { liveOutboxCard } from '../components/outbox-card.js';
import { hazardItem } from '../components/hazard-item.js';
import { label } from '../choices.js';
import { campaignBanner } from '../components/campaign-banner.js';
import { progressOf } from '../components/checklist.js';

/** The inspection in progress on this phone (an inspector's visit, an officer's 自查). */
function currentCard(current) {
  if (!current) return null;
  const p = current.checklist ? progressOf(current) : null;
  return h('a.card.current', { href: `#/inspection/${current.id}`, 'data-testid': 'current-inspection' },
    h('div.row', h('span.chip.pending', t('inspection.in_progress')), h('span.grow'), chev()),
    h('h2.current-name', current.enterprise?.name || ''),
    h('p.small.muted', `${label('inspection_kinds', current.kind)} · ${fmtDateTime(current.started_at)}`),
    p ? h('p.small', t('checks.progress', { n: p.answered, total: p.total })) : null);
}

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
  const todoBox = h('div');
  const tasksBox = h('div');
  const syncBox = h('div');
  const recentBox = h('div');
  append(main, hello, campaignBanner(), scan, todoBox, tasksBox, currentCard(current), syncBox, recentBox);
  // 今日任务: the plans' tasks due now (from the phone's copy offline).
  loadMyTasks().then(({ items }) => {
    if (!main.contains(tasksBox)) return;
    const today = shanghaiDay();
    const now = items.filter((x) => ['open', 'overdue'].includes(x.state) && x.starts_on <= today);
    if (!now.length) return;
    const late = now.filter((x) => x.state === 'overdue').length;
    setChildren(tasksBox, h('a.card.tasks-today', { href: '#/tasks', 'data-testid': 'home-tasks' },
      h('div.row', icon('task'), h('strong.grow', t('tasks.today_n', { n: now.length })),
        late ? h('span.chip.overdue', t('tasks.overdue_n', { n: late })) : null, chev()),
      h('p.small.muted', now.slice(0, 3).map((x) => x.enterprise && x.enterprise.name).join('、'))));
  }).catch(() => {});
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

  // 企业自查: the enterprise inspects itself against a checklist (offline too).
  const current = await currentInspection();
  const selfEntry = current ? currentCard(current)
    : h('a.card.self-entry', { href: '#/self-inspection', 'data-testid': 'self-inspection' },
      h('div.row', icon('check'), h('div.grow', h('h2', t('self.title')), h('p.small.muted', t('self.hint'))), chev()));
  if (!isCurrent()) return null;
  setChildren(main, cachedNote(list.cachedAt),
    h('p.muted.small.lead', t('home.hello', { name: session.user.display_name || session.user.username })),
    campaignBanner(),
    selfEntry,
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
