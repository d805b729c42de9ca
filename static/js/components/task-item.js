// A task (检查任务) in a list: the enterprise, the plan, the day it is due and who goes; tapping
// opens it. Its chips say what this phone knows beyond the server's state (检查中, 待同步).
import { t, fmtDate, daysUntil } from '../i18n.js';
import { h, chev, chip, riskChip } from '../ui.js';
import { label } from '../choices.js';

/** The chip of a task's state; `local`: 'current' (being inspected on this phone) or 'queued'
 * (its inspection waits in the outbox). */
export function taskStateChip(task, local = null) {
  if (local === 'current') return chip(t('tasks.in_progress'), 'pending');
  if (local === 'queued') return chip(t('sync.pending'), 'pending');
  const cls = { done: 'ok', overdue: 'overdue', withdrawn: 'state-archived' }[task.state] || 'state-reported';
  return chip(label('task_states', task.state), cls);
}

/** When it is due, in words: 今天到期, 还剩 n 天, 逾期 n 天, or the date once done. */
export function dueText(task) {
  if (task.state === 'done') return t('tasks.done_on', { date: fmtDate(task.done_at) });
  const d = daysUntil(`${task.due_on}T23:59:59+08:00`);
  if (d < 0) return t('tasks.overdue_days', { n: -d });
  if (d === 0) return t('tasks.due_today');
  return t('tasks.due_in', { n: d, date: task.due_on });
}

export function taskItem(task, local = null) {
  const ent = task.enterprise || {};
  const others = (task.inspectors || []).map((p) => p.display_name).join('、');
  return h('a.item', { href: `#/tasks/${task.id}`, 'data-testid': 'task-item', dataset: { state: task.state } },
    h('span.risk-bar', { class: ent.risk_level || '' }),
    h('div.grow',
      h('div.item-title', ent.name || ''),
      h('div.item-sub', `${task.plan_name} · ${label('inspection_kinds', task.kind)}`),
      h('div.item-sub', `${dueText(task)}${others ? ` · ${others}` : ''}`),
      h('div.row.wrap.chips', taskStateChip(task, local), riskChip(ent.risk_level))),
    chev());
}
