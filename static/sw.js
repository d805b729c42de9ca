// 安巡 service worker (a module worker, served at /sw.js with scope /).
// The version and the file list are filled in by app/web when it serves this file: the
// version is a hash of the shell files, so any change installs a new worker.
import { sync, SYNC_TAG } from '/static/js/outbox.js';
import { getMeta } from '/static/js/db.js';

const VERSION = '__SHELL_VERSION__';
const SHELL_CACHE = `anxun-shell-v${VERSION}`;
const SHELL = [
  '/',
  '/manifest.webmanifest',
  /*__SHELL_FILES__*/
];
// API answers the app needs from its very first offline open: the choice sets (labels of every
// state, level, category, …; no login needed). Network first, this cache when offline.
const ANSWERS = ['/api/v1/choices'];

self.addEventListener('install', (event) => {
  event.waitUntil((async () => {
    const cache = await caches.open(SHELL_CACHE);
    // cache: 'reload' skips the HTTP cache so a new version never precaches stale files.
    await cache.addAll(SHELL.map((url) => new Request(url, { cache: 'reload' })));
    // Not a reason to fail the install: the page fetches (and keeps) them too.
    await Promise.all(ANSWERS.map((url) => cache.add(new Request(url, { cache: 'reload' })).catch(() => {})));
    // The first install takes over at once; later ones wait for the user's "reload".
    if (!self.registration.active) await self.skipWaiting();
  })());
});

self.addEventListener('activate', (event) => {
  event.waitUntil((async () => {
    for (const name of await caches.keys()) {
      if (name.startsWith('anxun-') && name !== SHELL_CACHE) await caches.delete(name);
    }
    await self.clients.claim();
  })());
});

self.addEventListener('message', (event) => {
  if (event.data && event.data.type === 'SKIP_WAITING') self.skipWaiting();
  // A page that (re)loaded while the first worker was installing missed its claim on activation.
  if (event.data && event.data.type === 'CLAIM') event.waitUntil(self.clients.claim());
  if (event.data && event.data.type === 'VERSION') event.source?.postMessage({ type: 'VERSION', version: VERSION });
});

self.addEventListener('fetch', (event) => {
  const req = event.request;
  if (req.method !== 'GET') return; // unsafe requests are never cached: the outbox owns them
  const url = new URL(req.url);
  if (url.origin !== self.location.origin) return;
  if (ANSWERS.includes(url.pathname)) {
    event.respondWith(networkFirst(req, url.pathname));
    return;
  }
  if (req.mode === 'navigate' && url.pathname.startsWith('/api/') && url.pathname.endsWith('.pdf')) {
    // A document opened in a tab (整改通知书, 约谈记录): with no network, a page in the reader's
    // language that says so, not the browser's own (English) error page.
    event.respondWith(fetch(req).catch(() => needsNetworkPage()));
    return;
  }
  if (url.pathname.startsWith('/api/') || url.pathname === '/healthz' || url.pathname === '/sw.js') return;
  if (req.mode === 'navigate' && (url.pathname === '/' || url.pathname.startsWith('/e/') || url.pathname.startsWith('/t/'))) {
    // One shell for every navigation (/, /e/<token>, /t/<code>, #/…): the precached shell of this version,
    // so the page and its modules always match; the network only if the cache is gone.
    event.respondWith((async () => {
      const hit = await caches.match('/', { cacheName: SHELL_CACHE });
      if (hit) return hit;
      try { return await fetchWithTimeout(req, 10000); } catch { return Response.error(); }
    })());
    return;
  }
  if (url.pathname.startsWith('/static/') || url.pathname === '/manifest.webmanifest') {
    // Shell files: from the versioned cache; anything else under /static/ from the network.
    event.respondWith((async () => {
      const hit = await caches.match(url.pathname, { cacheName: SHELL_CACHE });
      return hit || fetch(req);
    })());
  }
});

const NEEDS_NETWORK = {
  'zh-CN': ['需要联网', '这个文件由服务器生成，需要联网才能打开。请联网后再试。', '返回安巡'],
  en: ['Needs a connection', 'This file is made by the server: it opens only with a connection. Try again when online.', 'Back to Anxun'],
};

/** The page shown for a server's document asked for offline, in the language the app uses. */
async function needsNetworkPage() {
  const lang = (await getMeta('lang', 'zh-CN').catch(() => 'zh-CN')) === 'en' ? 'en' : 'zh-CN';
  const [title, text, back] = NEEDS_NETWORK[lang];
  const html = `<!doctype html><html lang="${lang}"><head><meta charset="utf-8">`
    + '<meta name="viewport" content="width=device-width, initial-scale=1">'
    + `<link rel="stylesheet" href="/static/css/app.css"><title>${title}</title></head>`
    + `<body class="no-tabs bare"><main><div class="empty" role="alert"><h1 class="needs-network-title">${title}</h1>`
    + `<p>${text}</p><p><a class="btn secondary mt-12" href="/">${back}</a></p></div></main></body></html>`;
  return new Response(html, { status: 503, headers: { 'Content-Type': 'text/html; charset=utf-8' } });
}

/** The network's answer (kept for offline), else the kept one. */
async function networkFirst(req, key) {
  const cache = await caches.open(SHELL_CACHE);
  try {
    const res = await fetchWithTimeout(req, 6000);
    if (res.ok) await cache.put(key, res.clone());
    return res;
  } catch {
    return (await cache.match(key, { ignoreVary: true })) || Response.error();
  }
}

async function fetchWithTimeout(req, ms) {
  const ctrl = new AbortController();
  const timer = setTimeout(() => ctrl.abort(), ms);
  try { return await fetch(req, { signal: ctrl.signal }); } finally { clearTimeout(timer); }
}

// Background Sync: the browser wakes the worker when the network is back.
self.addEventListener('sync', (event) => {
  if (event.tag !== SYNC_TAG) return;
  event.waitUntil((async () => {
    const result = await sync();
    // Still items waiting after a failed round: let the browser retry later.
    if (result && result.stopped === 'retry') throw new Error('outbox: retry later');
  })());
});
