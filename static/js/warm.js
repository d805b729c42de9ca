// Cache warming: what the field needs when the network goes, fetched while it is here: the
// registry (offline QR scans), my tasks, the checklists (answered offline), the unread count of
// the inbox, the choice labels, the current campaign and the communities (the activity form).
import { cachedGet } from './api.js';
import { session } from './session.js';
import { refreshRegistry } from './registry-cache.js';
import { storeUnread } from './tabbar.js';
import { loadChoices } from './choices.js';
import { loadMyTasks } from './tasks-cache.js';
import { loadChecklists } from './components/checklist.js';

export async function warmCaches() {
  const u = session.user;
  if (!u || !navigator.onLine) return;
  if (u.role !== 'officer') refreshRegistry().catch(() => {});
  // The tasks I am sent on (检查任务), for 我的任务 and the enterprise card offline.
  if (u.role === 'inspector' || u.role === 'supervisor') loadMyTasks().catch(() => {});
  if (u.role !== 'admin') loadChecklists();
  cachedGet('/api/v1/notifications').then(({ data }) => storeUnread(data)).catch(() => {});
  loadChoices();
  // The activity form works offline: the current campaign and the communities on the phone.
  cachedGet('/api/v1/campaigns/current').catch(() => {});
  cachedGet('/api/v1/communities').catch(() => {});
}
