// The tab bar: each role's tabs, the current one marked, and the unread count on 消息.
import { api, itemsOf } from './api.js';
import { getMeta, setMeta } from './db.js';
import { t } from './i18n.js';
import { h, icon, setChildren } from './ui.js';
import { session } from './session.js';

const TABS = {
  inspector: [['home', '#/', 'home'], ['scan', '#/scan', 'scan'], ['tasks', '#/tasks', 'task'], ['hazards', '#/hazards', 'list'], ['inbox', '#/inbox', 'bell'], ['me', '#/me', 'user']],
  // Officers find warnings and safety notices (预警) to acknowledge in their own tab.
  officer: [['home', '#/', 'list'], ['bulletins', '#/bulletins', 'megaphone'], ['interviews', '#/interviews', 'talk'], ['inbox', '#/inbox', 'bell'], ['me', '#/me', 'user']],
  // Supervisors: 检查计划 (plans and their draws) beside the dashboard, and the public's reports
  // (举报) to triage, the count of untriaged ones on the tab.
  supervisor: [['dashboard', '#/dashboard', 'chart'], ['plans', '#/plans', 'task'], ['hazards', '#/hazards', 'list'], ['tips', '#/tips', 'flag'], ['interviews', '#/interviews', 'talk'], ['inbox', '#/inbox', 'bell'], ['me', '#/me', 'user']],
  // Administrators keep the registry (企业名录) and the accounts (用户) at hand; interviews are
  // one tap away from the dashboard.
  admin: [['dashboard', '#/dashboard', 'chart'], ['registry', '#/registry', 'building'], ['users', '#/users', 'group'], ['hazards', '#/hazards', 'list'], ['inbox', '#/inbox', 'bell'], ['me', '#/me', 'user']],
};

/** Draw the signed-in user's tabs with `active` marked; no active tab (login, …): no bar. */
export function renderTabs(active) {
  const nav = document.getElementById('tabbar');
  const tabs = session.user ? TABS[session.user.role] || [] : [];
  document.body.classList.toggle('no-tabs', !tabs.length || !active);
  nav.hidden = !tabs.length || !active;
  nav.setAttribute('aria-label', t('nav.label'));
  nav.classList.toggle('many', tabs.length > 5);
  setChildren(nav, ...tabs.map(([key, href, ic]) => h('a', { href, 'aria-current': key === active || (active === 'home' && key === 'dashboard') ? 'page' : null, dataset: { tab: key } },
    icon(ic), h('span', t(`nav.${key}`)), key === 'inbox' ? h('span.count', { hidden: true, id: 'inbox-count' }) : null,
    key === 'tips' ? h('span.count', { hidden: true, id: 'tips-count' }) : null)));
  refreshInboxCount();
  if (tabs.some(([key]) => key === 'tips')) refreshTipsCount();
}

/** Keep the number of tips awaiting triage, and show it on the 举报 tab. */
export async function storeTipsCount(n) {
  await setMeta('tips_untriaged', n);
  showTipsCount(n);
}

function showTipsCount(n) {
  const el = document.getElementById('tips-count');
  if (!el) return;
  el.hidden = !n; el.textContent = n > 99 ? '99+' : String(n);
  el.setAttribute('aria-label', t('tips.untriaged', { n }));
}

let tipsAskedAt = 0;
/** The stored count at once; the server's (GET /api/v1/tips/summary) at most once a minute. */
async function refreshTipsCount() {
  showTipsCount(await getMeta('tips_untriaged', 0));
  if (!navigator.onLine || Date.now() - tipsAskedAt < 60000) return;
  tipsAskedAt = Date.now();
  try { await storeTipsCount((await api.get('/api/v1/tips/summary', { timeout: 8000 })).untriaged || 0); } catch { /* offline: the stored count stays */ }
}

/** Keep the unread count of an answer of GET /api/v1/notifications, and show it. */
export async function storeUnread(data) {
  await setMeta('unread', data && data.unread != null ? data.unread : itemsOf(data).filter((n) => !n.read_at).length);
  await refreshInboxCount();
}

/** The unread count stored on this phone, on the 消息 tab. */
export async function refreshInboxCount() {
  const el = document.getElementById('inbox-count');
  if (!el) return;
  const n = await getMeta('unread', 0);
  el.hidden = !n; el.textContent = n > 99 ? '99+' : String(n);
  el.setAttribute('aria-label', t('inbox.unread', { n }));
}
