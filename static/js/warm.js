// Cache warming: what the field needs when the network goes, fetched while it is here: the
// registry (offline QR scans), the unread count of the inbox, the choice labels, the current
// campaign and the communities (the activity form).
import { cachedGet } from './api.js';
import { session } from './session.js';
import { refreshRegistry } from './registry-cache.js';
import { storeUnread } from './tabbar.js';
import { loadChoices } from './choices.js';

export async function warmCaches() {
  const u = session.user;
  if (!u || !navigator.onLine) return;
  if (u.role !== 'officer') refreshRegistry().catch(() => {});
  cachedGet('/api/v1/notifications').then(({ data }) => storeUnread(data)).catch(() => {});
  loadChoices();
  // The activity form works offline: the current campaign and the communities on the phone.
  cachedGet('/api/v1/campaigns/current').catch(() => {});
  cachedGet('/api/v1/communities').catch(() => {});
}
