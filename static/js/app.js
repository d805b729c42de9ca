// 安巡 app shell: session, hash router, tab bar, banners, service worker and outbox wiring.
import { api, bus, setCsrf, cachedGet, itemsOf } from './api.js';
import { getMeta, setMeta, delMeta } from './db.js';
import { initI18n, t } from './i18n.js';
import { h, icon, toast, setChildren } from './ui.js';
import * as outbox from './outbox.js';
import { setServerChoices } from './choices.js';

export const session = { user: null, offline: !navigator.onLine };

const ROUTES = [
  // [pattern, module, export, tab]
  [/^\/login$/, 'login', 'render', null],
  [/^\/$/, 'home', 'render', 'home'],
  [/^\/scan(?:\/([^/]+))?$/, 'scan', 'render', 'scan'],
  [/^\/enterprise\/([^/]+)$/, 'enterprise', 'render', 'home'],
  [/^\/inspection\/([^/]+)$/, 'inspection', 'render', 'home'],
  [/^\/inspection\/([^/]+)\/hazard$/, 'inspection', 'renderHazardForm', 'home'],
  [/^\/inspection\/([^/]+)\/finish$/, 'inspection', 'renderFinish', 'home'],
  [/^\/hazards$/, 'hazards', 'render', 'hazards'],
  [/^\/hazards\/([^/]+)$/, 'hazard', 'render', 'hazards'],
  [/^\/hazards\/([^/]+)\/plan$/, 'hazard', 'renderPlan', 'hazards'],
  [/^\/hazards\/([^/]+)\/do\/([a-z_]+)$/, 'hazard', 'renderAction', 'hazards'],
  [/^\/interviews$/, 'interviews', 'render', 'interviews'],
  [/^\/interviews\/([^/]+)$/, 'interviews', 'renderDetail', 'interviews'],
  [/^\/interviews\/([^/]+)\/do\/([a-z_]+)$/, 'interviews', 'renderAction', 'interviews'],
  [/^\/inbox$/, 'inbox', 'render', 'inbox'],
  [/^\/dashboard$/, 'dashboard', 'render', 'dashboard'],
  [/^\/outbox$/, 'outbox', 'render', 'me'],
  [/^\/me$/, 'me', 'render', 'me'],
  [/^\/password$/, 'me', 'renderPassword', 'me'],
  // Administration (loaded only when opened: none of it is in the first load).
  [/^\/registry$/, 'registry', 'render', 'registry'],
  [/^\/registry\/new$/, 'registry', 'renderForm', 'registry'],
  [/^\/registry\/import$/, 'registry', 'renderImport', 'registry'],
  [/^\/registry\/([^/]+)$/, 'registry', 'renderForm', 'registry'],
  [/^\/registry\/([^/]+)\/qr$/, 'registry', 'renderQr', 'registry'],
  [/^\/labels$/, 'registry', 'renderLabels', 'me'],
  [/^\/users$/, 'users', 'render', 'users'],
  [/^\/users\/new$/, 'users', 'renderForm', 'users'],
  [/^\/users\/([^/]+)$/, 'users', 'renderForm', 'users'],
];

const TABS = {
  inspector: [['home', '#/', 'home'], ['scan', '#/scan', 'scan'], ['hazards', '#/hazards', 'list'], ['inbox', '#/inbox', 'bell'], ['me', '#/me', 'user']],
  officer: [['home', '#/', 'list'], ['interviews', '#/interviews', 'talk'], ['inbox', '#/inbox', 'bell'], ['me', '#/me', 'user']],
  supervisor: [['dashboard', '#/dashboard', 'chart'], ['hazards', '#/hazards', 'list'], ['interviews', '#/interviews', 'talk'], ['inbox', '#/inbox', 'bell'], ['me', '#/me', 'user']],
};
// Administrators keep the registry (企业名录) and the accounts (用户) at hand; interviews are
// one tap away from the dashboard.
TABS.admin = [['dashboard', '#/dashboard', 'chart'], ['registry', '#/registry', 'building'], ['users', '#/users', 'group'], ['hazards', '#/hazards', 'list'], ['inbox', '#/inbox', 'bell'], ['me', '#/me', 'user']];

const $ = (id) => document.getElementById(id);
let cleanup = null;
let renderToken = 0;

export function navigate(path, { replace = false } = {}) {
  const hash = `#${path}`;
  if (replace) { history.replaceState(null, '', hash); route(); } else if (location.hash === hash) route(); else location.hash = hash;
}

export function setTitle(text, { back = false } = {}) {
  $('title').textContent = text;
  document.title = text === t('app.name') ? t('app.name') : `${text} · ${t('app.name')}`;
  $('back').hidden = !back;
}

/** decodeURIComponent that answers null for a malformed escape (`/e/%E0%A4`) instead of throwing. */
export function safeDecode(text) {
  try { return decodeURIComponent(text); } catch { return null; }
}

function currentPath() {
  const p = location.hash.replace(/^#/, '') || '/';
  return p.split('?')[0];
}
export function queryParams() {
  const q = location.hash.split('?')[1] || '';
  return new URLSearchParams(q);
}

async function route() {
  const path = currentPath();
  const token = ++renderToken;
  if (!session.user && path !== '/login') {
    // Keep the query too: a printed campaign summary opens #/dashboard?from=&to=.
    const query = location.hash.split('?')[1];
    await setMeta('next', query ? `${path}?${query}` : path);
    return navigate('/login', { replace: true });
  }
  let match = null; let entry = null;
  for (const r of ROUTES) { const m = path.match(r[0]); if (m) { match = m; entry = r; break; } }
  if (!entry) return navigate('/', { replace: true });
  const [, mod, fn, tab] = entry;
  if (typeof cleanup === 'function') { try { cleanup(); } catch { /* ignore */ } }
  cleanup = null;
  renderTabs(tab);
  const main = $('main');
  let module;
  try {
    module = await import(`./views/${mod}.js`);
  } catch (err) {
    setChildren(main, h('div.empty', { role: 'alert' }, h('p', t('common.load_failed'))));
    return;
  }
  if (token !== renderToken) return;
  setTitle(t('app.name'));
  setChildren(main);
  const params = match.slice(1).map((x) => (x ? safeDecode(x) : x));
  if (params.includes(null)) return navigate('/', { replace: true }); // a mangled link: home
  const ctx = { params, main, user: session.user, query: queryParams(), isCurrent: () => token === renderToken };
  try {
    cleanup = await module[fn](ctx);
  } catch (err) {
    console.error(err);
    if (token === renderToken) setChildren(main, h('div.empty', { role: 'alert' }, h('p', `${t('common.load_failed')}: ${err.message}`)));
  }
  if (token === renderToken && document.activeElement === document.body) main.focus({ preventScroll: true });
}

function renderTabs(active) {
  const nav = $('tabbar');
  const tabs = session.user ? TABS[session.user.role] || [] : [];
  document.body.classList.toggle('no-tabs', !tabs.length || !active);
  nav.hidden = !tabs.length || !active;
  nav.setAttribute('aria-label', t('nav.label'));
  nav.classList.toggle('many', tabs.length > 5);
  setChildren(nav, ...tabs.map(([key, href, ic]) => h('a', { href, 'aria-current': key === active || (active === 'home' && key === 'dashboard') ? 'page' : null, dataset: { tab: key } },
    icon(ic), h('span', t(`nav.${key}`)), key === 'inbox' ? h('span.count', { hidden: true, id: 'inbox-count' }) : null)));
  refreshInboxCount();
}

export async function refreshInboxCount() {
  const el = $('inbox-count');
  if (!el) return;
  const n = await getMeta('unread', 0);
  el.hidden = !n; el.textContent = n > 99 ? '99+' : String(n);
  el.setAttribute('aria-label', t('inbox.unread', { n }));
}

// ---- banner: offline, re-login, update available ----
const banners = new Map();
function setBanner(key, content) {
  if (content) banners.set(key, content); else banners.delete(key);
  const el = $('banner');
  const order = ['update', 'auth', 'quota', 'offline'];
  const top = order.find((k) => banners.has(k));
  if (!top) { el.hidden = true; setChildren(el); return; }
  const b = banners.get(top);
  el.className = `banner${top === 'offline' ? '' : ' warn'}`;
  setChildren(el, h('span.grow', b.text), b.action ? h('button', { type: 'button', onclick: b.action }, b.label) : null);
  el.hidden = false;
}
export const banner = setBanner;

function onlineChanged() {
  session.offline = !navigator.onLine;
  setBanner('offline', session.offline ? { text: t('sync.offline_banner') } : null);
  if (!session.offline) runSync();
}

// ---- outbox badge and sync ----
export async function refreshSyncBadge() {
  const s = await outbox.summary();
  const el = $('sync-badge');
  const bad = s.attention + s.conflict + s.auth;
  el.hidden = !session.user || !s.count;
  el.className = `appbar-sync${bad ? ' bad' : ''}`;
  setChildren(el, h('span.dot', { 'aria-hidden': 'true' }), h('span', t('sync.badge', { n: s.count })));
  el.setAttribute('aria-label', t('sync.badge_label', { n: s.count }));
  if (s.auth && session.user) {
    setBanner('auth', { text: t('sync.relogin'), label: t('auth.login'), action: () => relogin() });
  }
  return s;
}

export async function runSync({ force = false } = {}) {
  if (!session.user) return null;
  try {
    const r = await outbox.sync({ force });
    if (r && r.stopped === 'auth') setBanner('auth', { text: t('sync.relogin'), label: t('auth.login'), action: () => relogin() });
    return r;
  } catch (err) {
    console.error('sync', err);
    return null;
  } finally {
    refreshSyncBadge();
  }
}

export async function requestBackgroundSync() {
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
 * On 'error' (the server refused
 * the first of them: validation, state conflict) the form's items are taken back out of the
 * outbox: the form still holds what the user typed and shows the error next to the fields.
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

async function relogin() {
  await setMeta('next', currentPath());
  session.user = null;
  navigate('/login');
}

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

/** Fill the offline caches the field needs: the registry (offline QR scans) and my hazards. */
export async function warmCaches() {
  const u = session.user;
  if (!u || !navigator.onLine) return;
  const { refreshRegistry } = await import('./views/scan.js');
  if (u.role !== 'officer') refreshRegistry().catch(() => {});
  cachedGet('/api/v1/notifications').then(({ data }) => {
    const unread = data && data.unread != null ? data.unread : itemsOf(data).filter((n) => !n.read_at).length;
    setMeta('unread', unread).then(refreshInboxCount);
  }).catch(() => {});
  loadChoices();
}

/** The server's choice lists (categories are configured per deployment); cached for offline. */
export async function loadChoices() {
  try { setServerChoices((await cachedGet('/api/v1/hazards/choices')).data); } catch { /* defaults */ }
}

// ---- service worker ----
async function registerSW() {
  if (!('serviceWorker' in navigator)) return;
  let reg;
  try {
    reg = await navigator.serviceWorker.register('/sw.js', { scope: '/', type: 'module', updateViaCache: 'none' });
  } catch (err) {
    console.warn('service worker', err);
    return;
  }
  const prompt = (worker) => setBanner('update', {
    text: t('app.update_ready'), label: t('app.reload'),
    action: () => worker.postMessage({ type: 'SKIP_WAITING' }),
  });
  if (reg.waiting && navigator.serviceWorker.controller) prompt(reg.waiting);
  reg.addEventListener('updatefound', () => {
    const w = reg.installing;
    w?.addEventListener('statechange', () => {
      if (w.state === 'installed' && navigator.serviceWorker.controller) prompt(w);
    });
  });
  let reloading = false;
  const hadController = !!navigator.serviceWorker.controller;
  navigator.serviceWorker.addEventListener('controllerchange', () => {
    if (!hadController || reloading) return;
    reloading = true;
    location.reload();
  });
  setInterval(() => reg.update().catch(() => {}), 30 * 60 * 1000);
  document.addEventListener('visibilitychange', () => { if (document.visibilityState === 'visible') reg.update().catch(() => {}); });
}

async function persistStorage() {
  try {
    if (navigator.storage && navigator.storage.persist && !(await navigator.storage.persisted())) {
      await navigator.storage.persist();
    }
  } catch { /* not granted: the outbox still works */ }
}

async function loadSession() {
  try {
    const me = await api.get('/api/v1/auth/me', { timeout: 8000 });
    session.user = me.user;
    await setCsrf(me.csrf_token);
    await setMeta('user', me.user);
    return true;
  } catch (err) {
    if (err.status === 401) { session.user = null; await delMeta('user'); return false; }
    // Offline or server trouble: carry on with the user we had; the outbox waits.
    session.user = await getMeta('user');
    return !!session.user;
  }
}

async function boot() {
  // Offline first: a user known on this phone gets the app at once while the server confirms
  // the session in the background (on a weak link /auth/me can take seconds). Otherwise the
  // session and the dictionary load side by side.
  const known = await getMeta('user').catch(() => null);
  const session$ = loadSession();
  await initI18n();
  // A printed QR code opens /e/<token>: show that enterprise's card.
  // A mangled link (`/e/%E0%A4`, a malformed escape) is kept as it is: no enterprise has that
  // code, so the scan screen says so.
  const m = location.pathname.match(/^\/e\/([^/?#]+)/);
  if (m) history.replaceState(null, '', `/#/scan/${encodeURIComponent(safeDecode(m[1]) ?? m[1])}`);
  registerSW();
  persistStorage();
  $('back').addEventListener('click', () => (history.length > 1 ? history.back() : navigate('/')));
  $('back').setAttribute('aria-label', t('common.back'));
  $('sync-badge').addEventListener('click', () => navigate('/outbox'));
  window.addEventListener('online', onlineChanged);
  window.addEventListener('offline', onlineChanged);
  window.addEventListener('hashchange', route);
  outbox.outboxEvents.addEventListener('change', () => refreshSyncBadge());
  bus.addEventListener('auth-required', () => {
    if (session.user) setBanner('auth', { text: t('sync.relogin'), label: t('auth.login'), action: () => relogin() });
  });
  navigator.serviceWorker?.addEventListener('message', (ev) => {
    if (ev.data?.type === 'outbox-sync') runSync();
  });
  let logged;
  if (known) {
    session.user = known;
    logged = true;
    session$.then((ok) => {
      if (!ok) { navigate('/login', { replace: true }); return; }
      renderTabs(ROUTES.find((r) => r[0].test(currentPath()))?.[3] || null);
      warmCaches(); runSync();
    });
  } else {
    logged = await session$;
    if (logged) { warmCaches(); runSync(); }
  }
  onlineChanged();
  // Back-off retries while the app is open.
  setInterval(async () => {
    const s = await outbox.summary();
    if (s.pending && navigator.onLine && s.nextAt <= Date.now()) runSync();
  }, 15000);
  await refreshSyncBadge();
  await route();
}

boot().catch((err) => {
  console.error(err);
  setChildren($('main'), h('div.empty', { role: 'alert' }, h('p', `安巡 failed to start: ${err.message}`)));
});
