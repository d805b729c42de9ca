// Who is signed in on this phone: the page's one session object, and the server's word on it.
// Every module may read it; signing in and out (which touches the outbox, the caches and the
// router) lives in auth.js.
import { api, setCsrf } from './api.js';
import { getMeta, setMeta, delMeta } from './db.js';

export const session = { user: null, offline: !navigator.onLine };

/** Ask the server who is signed in. Offline (or server trouble) the user this phone knew stays
 * signed in, so the outbox keeps waiting for them. Returns whether someone is signed in. */
export async function loadSession() {
  try {
    const me = await api.get('/api/v1/auth/me', { timeout: 8000 });
    session.user = me.user;
    await setCsrf(me.csrf_token);
    await setMeta('user', me.user);
    return true;
  } catch (err) {
    if (err.status === 401) { session.user = null; await delMeta('user'); return false; }
    session.user = await getMeta('user');
    return !!session.user;
  }
}

/** The user known on this phone from an earlier visit (the app opens at once offline). */
export async function knownUser() {
  return getMeta('user').catch(() => null);
}
