// The tasks I am sent on (检查任务, from inspection plans), kept on this phone for offline work:
// 我的任务 and the enterprise card read them from here when the network is gone.
import { cachedGet, itemsOf } from './api.js';

/** My tasks: the server's list (network first, else the stored answer). */
export const MY_TASKS_URL = '/api/v1/tasks?mine=true&per_page=500';

/** Fetch and store my tasks (inspectors and supervisors who inspect); {items, cachedAt}. */
export async function loadMyTasks() {
  const { data, cachedAt } = await cachedGet(MY_TASKS_URL);
  return { items: itemsOf(data), cachedAt };
}

/** My open (or overdue) task at this enterprise, from what this phone holds; null: none. */
export async function openTaskAt(enterpriseId) {
  try {
    const { items } = await loadMyTasks();
    return items.find((x) => x.enterprise_id === enterpriseId && ['open', 'overdue'].includes(x.state)) || null;
  } catch {
    return null;
  }
}
