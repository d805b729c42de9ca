// Sync orchestration: when the outbox is sent (on start, back online, by hand, on a timer,
// when the service worker asks), the app bar's badge, the "sign in again" and "storage full"
// banners, the toast when the server refuses what a form saved, and putting a form's requests
// in the outbox (queue, saveItems: never waiting for the network). What an item is
// and how one is sent: outbox.js; which items a form makes: commands.js.
import { bus } from './api.js';
import { setMeta } from './db.js';
import { t } from './i18n.js';
import { h, toast, setChildren } from './ui.js';
import * as outbox from './outbox.js';
import { setBanner } from './banners.js';
import { session } from './session.js';
import { navigate, currentPath } from './router.js';

/** The "sign in again" banner: the outbox waits for a login. */
export function askLogin() {
  setBanner('auth', { text: t('sync.relogin'), label: t('auth.login'), action: () => relogin() });
}

async function relogin() {
  await setMeta('next', currentPath());
  session.user = null;
  navigate('/login');
}

export async function refreshSyncBadge() {
  const s = await outbox.summary();
  const el = document.getElementById('sync-badge');
  const bad = s.attention + s.conflict + s.auth;
  el.hidden = !session.user || !s.count;
  el.className = `appbar-sync${bad ? ' bad' : ''}`;
  setChildren(el, h('span.dot', { 'aria-hidden': 'true' }), h('span', t('sync.badge', { n: s.count })));
  el.setAttribute('aria-label', t('sync.badge_label', { n: s.count }));
  if (s.auth && session.user) askLogin();
  return s;
}

export async function runSync({ force = false, now = false } = {}) {
  // Without a login only public items (a stranger's 举报) go; the rest wait for one.
  try {
    const r = await outbox.sync({ force, now });
    if (r && r.stopped === 'auth' && session.user) askLogin();
    return r;
  } catch (err) {
    console.error('sync', err);
    return null;
  } finally {
    refreshSyncBadge();
  }
}

async function requestBackgroundSync() {
  try {
    const reg = await navigator.serviceWorker?.ready;
    if (reg && reg.sync) await reg.sync.register(outbox.SYNC_TAG);
  } catch { /* no Background Sync: the page syncs on open, online and by hand */ }
}

/** Put a request in the outbox; unless `send` is false, start sending in the background.
 * Never waits for the network. Shows the quota error (and throws it). */
export async function queue(item, { send = true } = {}) {
  try {
    const saved = await outbox.enqueue(item);
    if (send) sendSoon();
    return saved;
  } catch (err) {
    if (err instanceof outbox.QuotaError) {
      setBanner('quota', { text: t('sync.quota') });
      toast(t('sync.quota'), { error: true, ms: 8000 });
    }
    throw err;
  }
}

/** Start sending what waits, in the background: the page's round now when online, and the
 * service worker's Background Sync for when the page is closed. Returns at once. */
export function sendSoon() {
  requestBackgroundSync();
  if (navigator.onLine) runSync();
}

/**
 * Put the requests a form makes in the outbox (oldest first). Once they are on the phone the
 * screen moves on: nothing here waits for the network (on a weak link an upload takes minutes).
 * The outbox sends them in the background, with a timeout and backoff; what the server refuses
 * stays there, shown to the user (a toast now, the outbox screen and the red badge after).
 * `send: false` leaves the sending to the caller's sendSoon() (after it has updated its own
 * record, so that a fast delivery finds it). Returns {status: 'saved', online}.
 */
export async function saveItems(items, { send = true } = {}) {
  for (const item of items) await queue(item, { send: false });
  if (send) sendSoon();
  return { status: 'saved', online: navigator.onLine };
}

/** The toast after a form's records are saved: sending now, or when the network is back. */
export function savedMessage(result, sentText) {
  return result && result.online ? sentText || t('sync.saved_syncing') : t('sync.saved_offline');
}

/** Online or offline now: the offline banner, and a sync when the network is back. */
export function networkChanged() {
  session.offline = !navigator.onLine;
  document.body.classList.toggle('offline', session.offline); // links to server files say so
  setBanner('offline', session.offline ? { text: t('sync.offline_banner') } : null);
  // Back online: send now, not when the backoff of the failures while offline runs out.
  if (!session.offline) runSync({ now: true });
}

/** Wire the outbox to the page: the badge, the network, the service worker's wake-ups, the
 * server asking for a login, and back-off retries while the app is open. */
export function startSync() {
  document.getElementById('sync-badge').addEventListener('click', () => navigate('/outbox'));
  window.addEventListener('online', networkChanged);
  window.addEventListener('offline', networkChanged);
  outbox.outboxEvents.addEventListener('change', (ev) => {
    refreshSyncBadge();
    const refused = ev.detail && ev.detail.refused;
    if (refused) {
      const what = refused.label ? t(refused.label.key, refused.label.params) : '';
      toast(t(refused.status === 'conflict' ? 'sync.conflict_toast' : 'sync.refused_toast', { label: what }), { error: true, ms: 8000 });
    }
  });
  bus.addEventListener('auth-required', () => { if (session.user) askLogin(); });
  navigator.serviceWorker?.addEventListener('message', (ev) => {
    if (ev.data?.type === 'outbox-sync') runSync();
  });
  setInterval(async () => {
    const s = await outbox.summary();
    if (s.pending && navigator.onLine && s.nextAt <= Date.now()) runSync();
  }, 15000);
}
