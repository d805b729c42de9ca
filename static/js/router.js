// The hash router: matches #/path against the route table app.js hands it, loads the view
// module and renders it into <main>; the app bar's title and back button; navigate().
// It never imports a view itself (app.js gives it the loader), so views may import it.
import { setMeta } from './db.js';
import { t } from './i18n.js';
import { h, setChildren } from './ui.js';
import { session } from './session.js';
import { renderTabs } from './tabbar.js';

const $ = (id) => document.getElementById(id);
let routes = [];
let loadView = null;
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

export function currentPath() {
  const p = location.hash.replace(/^#/, '') || '/';
  return p.split('?')[0];
}
export function queryParams() {
  const q = location.hash.split('?')[1] || '';
  return new URLSearchParams(q);
}

const entryOf = (path) => routes.find((r) => r[0].test(path)) || null;

/** Redraw the tab bar for the screen shown (the signed-in user may have changed). */
export function refreshTabs() {
  renderTabs(entryOf(currentPath())?.[3] || null);
}

/**
 * Start routing. `table`: [pattern, view module, export, tab, public?] (a public screen opens
 * without a login); `load(module)`: the view
 * module's namespace (a dynamic import). A view's function gets {params, main, user, query,
 * isCurrent} and may answer a cleanup function, called when the next screen replaces it.
 */
export function startRouter({ table, load }) {
  routes = table;
  loadView = load;
  window.addEventListener('hashchange', route);
  $('back').addEventListener('click', () => (history.length > 1 ? history.back() : navigate('/')));
  $('back').setAttribute('aria-label', t('common.back'));
  // The skip link's #main would be read as a route (and lead home): it moves the focus instead.
  document.querySelector('a.skip')?.addEventListener('click', (ev) => {
    ev.preventDefault();
    $('main').focus();
  });
}

export async function route() {
  const path = currentPath();
  const token = ++renderToken;
  // Public screens (the gate QR code's page, 举报, its tracking page) need no login.
  if (!session.user && path !== '/login' && !entryOf(path)?.[4]) {
    // Keep the query too: a printed campaign summary opens #/dashboard?from=&to=.
    const query = location.hash.split('?')[1];
    await setMeta('next', query ? `${path}?${query}` : path);
    return navigate('/login', { replace: true });
  }
  const entry = entryOf(path);
  if (!entry) return navigate('/', { replace: true });
  const match = path.match(entry[0]);
  const [, mod, fn, tab] = entry;
  if (typeof cleanup === 'function') { try { cleanup(); } catch { /* ignore */ } }
  cleanup = null;
  renderTabs(tab);
  const main = $('main');
  let module;
  try {
    module = await loadView(mod);
  } catch (err) {
    setChildren(main, h('div.empty', { role: 'alert' }, h('p', t('common.load_failed'))));
    return;
  }
  if (token !== renderToken) return;
  setTitle(t('app.name'));
  setChildren(main);
  document.body.dataset.view = mod; // a desk gives lists and the dashboard the full width (app.css)
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
