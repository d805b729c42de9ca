// The banner under the app bar (a new version, sign in again, storage full, offline: the first
// of these that holds is shown) and the service worker whose waiting versions it announces.
import { t } from './i18n.js';
import { h, setChildren } from './ui.js';

const ORDER = ['update', 'auth', 'quota', 'offline'];
const banners = new Map();

/** Show (content: {text, label?, action?}) or take down (null) one kind of banner. */
export function setBanner(key, content) {
  if (content) banners.set(key, content); else banners.delete(key);
  const el = document.getElementById('banner');
  const top = ORDER.find((k) => banners.has(k));
  if (!top) { el.hidden = true; setChildren(el); return; }
  const b = banners.get(top);
  el.className = `banner${top === 'offline' ? '' : ' warn'}`;
  setChildren(el, h('span.grow', b.text), b.action ? h('button', { type: 'button', onclick: b.action }, b.label) : null);
  el.hidden = false;
}

/** Register the service worker; a new version waits until the user taps "reload" in the banner. */
export async function registerServiceWorker() {
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
  // The first worker claims the open page when it activates; a page that reloaded meanwhile
  // missed that claim and asks for it, so that it works offline at once.
  navigator.serviceWorker.ready.then((ready) => {
    if (!navigator.serviceWorker.controller) ready.active?.postMessage({ type: 'CLAIM' });
  });
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
