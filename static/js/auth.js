// Signing in and out on this phone: the session, the CSRF token, the items that waited for a
// login, the caches to fill.
import { api, setCsrf } from './api.js';
import { setMeta, delMeta } from './db.js';
import * as outbox from './outbox.js';
import { session } from './session.js';
import { setBanner } from './banners.js';
import { navigate } from './router.js';
import { runSync } from './sync.js';
import { warmCaches } from './warm.js';

export async function signedIn(user, csrfToken) {
  session.user = user;
  await setCsrf(csrfToken);
  await setMeta('user', user);
  setBanner('auth', null);
  // Items that waited for the login go back in line.
  for (const item of await outbox.all()) if (item.status === 'auth') await outbox.retry(item.seq);
  warmCaches();
  runSync();
}

export async function signOut() {
  try { await api.post('/api/v1/auth/logout', {}); } catch { /* offline: the cookie expires anyway */ }
  session.user = null;
  await delMeta('user');
  await setCsrf('');
  navigate('/login');
}
