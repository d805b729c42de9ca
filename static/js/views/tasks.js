// 我的任务: the tasks inspection plans send me on (今日任务 first, then those to come, then the
// ones done), kept on the phone for offline work; a task's page with its enterprise, a map link
// and the start of its inspection (with everyone the task sends: 联合检查).
import { t, fmtDate, shanghaiDay } from '../i18n.js';
import { h, icon, chev, riskChip, kv, empty, errorBlock, loading, cachedNote, busy, toast, append, setChildren } from '../ui.js';
import { label } from '../choices.js';
import { navigate, setTitle } from '../router.js';
import { outboxEvents } from '../outbox.js';
import { loadMyTasks } from '../tasks-cache.js';
import { currentInspection, queuedTaskIds, startInspection } from '../commands.js';
import { locate, distanceM } from '../photos.js';
import { taskItem, taskStateChip, dueText } from '../components/task-item.js';

const ACTIVE = ['open', 'overdue'];

/** What this phone knows of a task beyond the server's answer: 'current', 'queued' or null. */
function localState(task, current, queued) {
  if (current && current.task && current.task.id === task.id) return 'current';
  return queued.has(task.id) ? 'queued' : null;
}

export async function render({ main, isCurrent }) {
  setTitle(t('tasks.title'));
  append(main, loading());
  const draw = async () => {
    let list;
    try { list = await loadMyTasks(); } catch (err) {
      if (isCurrent()) setChildren(main, errorBlock(err, draw));
      return;
    }
    const [current, queued] = await Promise.all([currentInspection(), queuedTaskIds()]);
    if (!isCurrent()) return;
    const today = shanghaiDay();
    const byDue = (a, b) => (a.state === 'overdue') === (b.state === 'overdue') ? a.due_on.localeCompare(b.due_on) : (a.state === 'overdue' ? -1 : 1);
    const active = list.items.filter((x) => ACTIVE.includes(x.state));
    const now = active.filter((x) => x.starts_on <= today).sort(byDue);
    const later = active.filter((x) => x.starts_on > today).sort(byDue);
    const done = list.items.filter((x) => x.state === 'done');
    const row = (x) => taskItem(x, localState(x, current, queued));
    setChildren(main, cachedNote(list.cachedAt),
      h('div.stats',
        h('div.stat', { class: now.some((x) => x.state === 'overdue') ? 'alert' : null, 'data-testid': 'tasks-today' },
          h('div.v', String(now.length)), h('div.k', t('tasks.today'))),
        h('div.stat', h('div.v', String(done.length)), h('div.k', t('tasks.done')))),
      h('h2.section-title', t('tasks.today')),
      now.length ? h('div.list', now.map(row)) : h('div.card', empty(t('tasks.none_today'), 'check')),
      later.length ? h('h2.section-title', t('tasks.later')) : null,
      later.length ? h('div.list', later.map(row)) : null,
      done.length ? h('h2.section-title', t('tasks.done')) : null,
      done.length ? h('div.list', done.slice(0, 30).map(row)) : null);
  };
  await draw();
  const onChange = () => setTimeout(draw, 50);
  outboxEvents.addEventListener('change', onChange);
  return () => outboxEvents.removeEventListener('change', onChange);
}

/** A link that opens the phone's map app at the enterprise (geo: URI, WGS-84 as stored). */
function mapLink(ent) {
  if (!ent.location) return null;
  const { lat, lng } = ent.location;
  return h('a.btn.block.secondary', { href: `geo:${lat},${lng}?q=${lat},${lng}(${encodeURIComponent(ent.name)})`, 'data-testid': 'task-map' },
    icon('pin'), t('tasks.map'));
}

export async function renderDetail({ params, main, isCurrent }) {
  const id = params[0];
  setTitle(t('tasks.detail'), { back: true });
  append(main, loading());
  let list;
  try { list = await loadMyTasks(); } catch (err) { setChildren(main, errorBlock(err)); return null; }
  const task = list.items.find((x) => x.id === id);
  if (!isCurrent()) return null;
  if (!task) { setChildren(main, errorBlock({ status: 404 })); return null; }
  const [current, queued] = await Promise.all([currentInspection(), queuedTaskIds()]);
  const local = localState(task, current, queued);
  const ent = task.enterprise || {};
  setTitle(ent.name || t('tasks.detail'), { back: true });

  let action = null;
  if (local === 'current') {
    action = h('a.btn.block', { href: `#/inspection/${current.id}` }, t('tasks.continue'));
  } else if (ACTIVE.includes(task.state) && !local) {
    const btn = h('button.btn.block', { type: 'button', 'data-testid': 'task-start' }, icon('pin'), t('tasks.start'));
    btn.addEventListener('click', () => busy(btn, async () => {
      if (current) { toast(t('tasks.finish_first'), { error: true }); return; }
      btn.lastChild.textContent = t('inspection.locating');
      const pos = await locate();
      const location = pos && !pos.error ? pos : null;
      if (!location) toast(pos && pos.error === 'denied' ? t('gps.denied') : t('gps.unavailable'), { error: true });
      let started;
      try {
        started = await startInspection(ent, { kind: task.kind, location, task,
          local: { distance_local: location ? distanceM(location, ent.location) : null } });
      } catch { btn.lastChild.textContent = t('tasks.start'); return; } // quota: banner shown
      navigate(`/inspection/${started.id}`);
    }));
    action = btn;
  }
  setChildren(main, cachedNote(list.cachedAt),
    h('div.card',
      h('div.row.card-head', h('div.grow', h('h2.enterprise-name', ent.name), h('p.small.muted', ent.address || '')), riskChip(ent.risk_level)),
      h('div.row.wrap.chips.mt-10', taskStateChip(task, local)),
      h('div.mt-12', kv([
        [t('tasks.plan'), task.plan_name],
        [t('inspection.kind'), label('inspection_kinds', task.kind)],
        [t('tasks.period'), `${fmtDate(task.starts_on)} – ${fmtDate(task.due_on)}`],
        [t('tasks.due'), dueText(task)],
        [t('tasks.team'), (task.inspectors || []).map((p) => p.display_name).join('、')],
      ]))),
    h('div.actions', action,
      // 联合检查: a teammate's inspection of this task, to take part in from this phone.
      task.inspection_id && !local && ACTIVE.includes(task.state)
        ? h('a.btn.block.secondary', { href: `#/inspection/${task.inspection_id}` }, t('tasks.open_inspection')) : null,
      mapLink(ent),
      h('a.btn.block.secondary', { href: `#/enterprise/${ent.id}` }, t('tasks.card'), chev())),
    task.state === 'done' && task.inspection_id ? h('div.list.mt-12', h('a.item', { href: `#/inspection/${task.inspection_id}` },
      h('div.grow', h('div.item-title', t('tasks.inspection'))), chev())) : null);
  return null;
}
