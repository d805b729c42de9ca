// Sync orchestration: when the outbox is sent (on start, back online, by hand, on a timer,
// when the service worker asks), the app bar's badge, the "sign in again" and "storage full"
// banners, and putting a form's requests in the outbox (queue, submitItems). What an item is
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

export async function runSync({ force = false } = {}) {
  if (!session.user) return null;
  try {
    const r = await outbox.sync({ force });
    if (r && r.stopped === 'auth') askLogin();
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

/** Queue a request and try to send at once when online. Shows the quota error. */
export async function queue(item) {
  try {
    const saved = await outbox.enqueue(item);
    requestBackgroundSync();
    if (navigator.onLine) runSync();
    return saved;
  } catch (err) {
    if (err instanceof outbox.QuotaError) {
      setBanner('quota', { text: t('sync.quota') });
      toast(t('sync.quota'), { error: true, ms: 8000 });
    }
    throw err;
  }
}

/**
 * Queue the requests a form makes (oldest first), then, when online, wait a little for them to
 * go out. Returns {status: 'sent'|'queued'|'conflict'|'error', error, data}. On 'conflict' a create
 * met another record of the same id on the server: it stays in the outbox for the user to resolve.
 * On 'error' (the server refused the first of them: validation, state conflict) the form's items
 * are taken back out of the outbox: the form still holds what the user typed and shows the error
 * next to the fields.
 */
export async function submitItems(items, { wait = 8000 } = {}) {
  const saved = [];
  for (const item of items) saved.push(await queue(item));
  if (!navigator.onLine) return { status: 'queued' };
  const seqs = new Set(saved.map((s) => s.seq));
  const deadline = Date.now() + wait;
  let delivered = null;
  const onChange = (ev) => { if (ev.detail && ev.detail.delivered === saved[saved.length - 1].record_id) delivered = ev.detail.data; };
  outbox.outboxEvents.addEventListener('change', onChange);
  try {
    while (Date.now() < deadline) {
      await runSync();
      const mine = (await outbox.all()).filter((i) => seqs.has(i.seq));
      if (!mine.length) return { status: 'sent', data: delivered };
      // A create refused with 409: the server holds this id with another body. The phone's
      // copy stays in the outbox, where the user sees the difference and decides.
      if (mine.some((i) => i.status === 'conflict' && i.error && i.error.create)) return { status: 'conflict' };
      const failed = mine.find((i) => i.status === 'attention' || i.status === 'conflict');
      if (failed) {
        for (const i of mine) await outbox.remove(i.seq);
        const e = failed.error || {};
        return { status: 'error', error: { status: e.status, problem: { detail: e.detail, errors: e.errors || {} } } };
      }
      if (mine.some((i) => i.status === 'auth' || i.attempts > 0)) return { status: 'queued' };
      await new Promise((r) => setTimeout(r, 300));
    }
    return { status: 'queued' };
  } finally {
    outbox.outboxEvents.removeEventListener('change', onChange);
  }
}

/** Online or offline now: the offline banner, and a sync when the network is back. */
export function networkChanged() {
  session.offline = !navigator.onLine;
  setBanner('offline', session.offline ? { text: t('sync.offline_banner') } : null);
  if (!session.offline) runSync();
}

/** Wire the outbox to the page: the badge, the network, the service worker's wake-ups, the
 * server asking for a login, and back-off retries while the app is open. */
export function startSync() {
  document.getElementById('sync-badge').addEventListener('click', () => navigate('/outbox'));
  window.addEventListener('online', networkChanged);
  window.addEventListener('offline', networkChanged);
  outbox.outboxEvents.addEventListener('change', () => refreshSyncBadge());
  bus.addEventListener('auth-required', () => { if (session.user) askLogin(); });
  navigator.serviceWorker?.addEventListener('message', (ev) => {
    if (ev.data?.type === 'outbox-sync') runSync();
  });
  setInterval(async () => {
    const s = await outbox.summary();
    if (s.pending && navigator.onLine && s.nextAt <= Date.now()) runSync();
  }, 15000);
}
