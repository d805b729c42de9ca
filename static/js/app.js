// 安巡 app shell: the route table, and the start of the app (session, dictionary, service
// worker, sync, first screen). Each concern lives in its own module: router.js, tabbar.js,
// banners.js (and the update prompt), sync.js (the outbox's orchestration), warm.js (cache
// warming), auth.js (signing in and out). Nothing imports this module.
import { initI18n } from './i18n.js';
import { initChoices } from './choices.js';
import { h, setChildren } from './ui.js';
import { session, loadSession, knownUser } from './session.js';
import { startRouter, route, navigate, refreshTabs, safeDecode } from './router.js';
import { registerServiceWorker } from './banners.js';
import { startSync, networkChanged, refreshSyncBadge, runSync } from './sync.js';
import { warmCaches } from './warm.js';
import { absorbDelivery } from './commands.js';
import { outboxEvents } from './outbox.js';

const ROUTES = [
  // [pattern, module, export, tab]
  [/^\/login$/, 'login', 'render', null],
  [/^\/$/, 'home', 'render', 'home'],
  [/^\/scan(?:\/([^/]+))?$/, 'scan', 'render', 'scan'],
  [/^\/enterprise\/([^/]+)$/, 'enterprise', 'render', 'home'],
  [/^\/inspection\/([^/]+)$/, 'inspection', 'render', 'home'],
  [/^\/inspection\/([^/]+)\/hazard$/, 'inspection', 'renderHazardForm', 'home'],
  [/^\/inspection\/([^/]+)\/finish$/, 'inspection', 'renderFinish', 'home'],
  [/^\/inspection\/([^/]+)\/checklist$/, 'checks', 'renderChecklist', 'home'],
  [/^\/inspection\/([^/]+)\/item\/([^/]+)\/fail$/, 'checks', 'renderFail', 'home'],
  [/^\/self-inspection$/, 'checks', 'renderSelfStart', 'home'],
  [/^\/hazards$/, 'hazards', 'render', 'hazards'],
  [/^\/hazards\/([^/]+)$/, 'hazard', 'render', 'hazards'],
  [/^\/hazards\/([^/]+)\/plan$/, 'hazard', 'renderPlan', 'hazards'],
  [/^\/hazards\/([^/]+)\/do\/([a-z_]+)$/, 'hazard', 'renderAction', 'hazards'],
  [/^\/hazards\/([^/]+)\/extension$/, 'oversight', 'renderExtensionForm', 'hazards'],
  [/^\/hazards\/([^/]+)\/extensions\/([^/]+)\/(approve|reject)$/, 'oversight', 'renderDecision', 'hazards'],
  [/^\/hazards\/([^/]+)\/listing$/, 'oversight', 'renderListingForm', 'hazards'],
  [/^\/hazards\/([^/]+)\/delist$/, 'oversight', 'renderDelist', 'hazards'],
  [/^\/listings$/, 'oversight', 'renderRegister', 'hazards'],
  [/^\/interviews$/, 'interviews', 'render', 'interviews'],
  [/^\/interviews\/([^/]+)$/, 'interviews', 'renderDetail', 'interviews'],
  [/^\/interviews\/([^/]+)\/do\/([a-z_]+)$/, 'interviews', 'renderAction', 'interviews'],
  [/^\/inbox$/, 'inbox', 'render', 'inbox'],
  [/^\/dashboard$/, 'dashboard', 'render', 'dashboard'],
  [/^\/tasks$/, 'tasks', 'render', 'tasks'],
  [/^\/tasks\/([^/]+)$/, 'tasks', 'renderDetail', 'tasks'],
  [/^\/plans$/, 'plans', 'render', 'plans'],
  [/^\/plans\/new$/, 'plans', 'renderNew', 'plans'],
  [/^\/plans\/([^/]+)$/, 'plans', 'renderDetail', 'plans'],
  // 安全生产月: campaigns and their submissions board, activities recorded offline first.
  [/^\/campaigns$/, 'campaigns', 'render', 'home'],
  [/^\/campaigns\/new$/, 'campaigns', 'renderNew', 'home'],
  [/^\/campaigns\/([^/]+)$/, 'campaigns', 'renderDetail', 'home'],
  [/^\/activities$/, 'activities', 'render', 'home'],
  [/^\/activities\/new$/, 'activities', 'renderForm', 'home'],
  [/^\/activities\/([^/]+)$/, 'activities', 'renderDetail', 'home'],
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
  [/^\/checklists$/, 'checklists', 'render', 'me'],
  [/^\/checklists\/new$/, 'checklists', 'renderForm', 'me'],
  [/^\/checklists\/import$/, 'checklists', 'renderImport', 'me'],
  [/^\/checklists\/([^/]+)$/, 'checklists', 'renderForm', 'me'],
  [/^\/users$/, 'users', 'render', 'users'],
  [/^\/users\/new$/, 'users', 'renderForm', 'users'],
  [/^\/users\/([^/]+)$/, 'users', 'renderForm', 'users'],
  // Public reports (举报) and warnings (预警): the gate QR code's page, the report form and the
  // tracking page open without a login; triage and bulletins are the supervisors'.
  [/^\/p\/([^/]+)$/, 'public', 'renderEnterprise', null, true],
  [/^\/report(?:\/([^/]+))?$/, 'public', 'renderReport', null, true],
  [/^\/t(?:\/([^/]+))?$/, 'public', 'renderTrack', null, true],
  [/^\/tips$/, 'tips', 'render', 'tips'],
  [/^\/tips\/([^/]+)$/, 'tips', 'renderDetail', 'tips'],
  [/^\/bulletins$/, 'bulletins', 'render', 'bulletins'],
  [/^\/bulletins\/new$/, 'bulletins', 'renderForm', 'bulletins'],
  [/^\/bulletins\/([^/]+)$/, 'bulletins', 'renderDetail', 'bulletins'],
];

async function persistStorage() {
  try {
    if (navigator.storage && navigator.storage.persist && !(await navigator.storage.persisted())) {
      await navigator.storage.persist();
    }
  } catch { /* not granted: the outbox still works */ }
}

async function boot() {
  // Offline first: a user known on this phone gets the app at once while the server confirms
  // the session in the background (on a weak link /auth/session can take seconds). Otherwise the
  // session and the dictionary load side by side.
  const known = await knownUser();
  const session$ = loadSession();
  await Promise.all([initI18n(), initChoices()]);
  // A printed QR code opens /e/<token>: show that enterprise's card.
  // A mangled link (`/e/%E0%A4`, a malformed escape) is kept as it is: no enterprise has that
  // code, so the scan screen says so.
  // Someone not logged in on this phone (a worker, a neighbour) gets the public page instead:
  // the enterprise's name and risk colour, and 「我要举报」.
  const m = location.pathname.match(/^\/e\/([^/?#]+)/);
  if (m) {
    const tok = encodeURIComponent(safeDecode(m[1]) ?? m[1]);
    const inside = known || (await session$);
    history.replaceState(null, '', inside ? `/#/scan/${tok}` : `/#/p/${tok}`);
  }
  // A tracking code's link (/t/<code>) opens the tracking page.
  const tc = location.pathname.match(/^\/t\/([^/?#]+)/);
  if (tc) history.replaceState(null, '', `/#/t/${encodeURIComponent(safeDecode(tc[1]) ?? tc[1])}`);
  registerServiceWorker();
  persistStorage();
  startRouter({ table: ROUTES, load: (mod) => import(`./views/${mod}.js`) });
  startSync();
  // The inspection in progress follows what the outbox delivers (its version, the distance).
  outboxEvents.addEventListener('change', (ev) => { absorbDelivery(ev.detail); });
  if (known) {
    session.user = known;
    session$.then((ok) => {
      if (!ok) { navigate('/login', { replace: true }); return; }
      refreshTabs();
      warmCaches(); runSync();
    });
  } else if (await session$) {
    warmCaches(); runSync();
  }
  networkChanged();
  await refreshSyncBadge();
  await route();
}

boot().catch((err) => {
  console.error(err);
  setChildren(document.getElementById('main'), h('div.empty', { role: 'alert' }, h('p', `安巡 failed to start: ${err.message}`)));
});
