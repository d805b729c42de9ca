// The tab bar: each role's tabs, the current one marked, and the unread count on 消息.
import { itemsOf } from './api.js';
import { getMeta, setMeta } from './db.js';
import { t } from './i18n.js';
import { h, icon, setChildren } from './ui.js';
import { session } from './session.js';

const TABS = {
  inspector: [['home', '#/', 'home'], ['scan', '#/scan', 'scan'], ['tasks', '#/tasks', 'task'], ['hazards', '#/hazards', 'list'], ['inbox', '#/inbox', 'bell'], ['me', '#/me', 'user']],
  officer: [['home', '#/', 'list'], ['interviews', '#/interviews', 'talk'], ['inbox', '#/inbox', 'bell'], ['me', '#/me', 'user']],
  // 检查计划 (plans and their draws) beside the dashboard: a supervisor's own work.
  supervisor: [['dashboard', '#/dashboard', 'chart'], ['plans', '#/plans', 'task'], ['hazards', '#/hazards', 'list'], ['interviews', '#/interviews', 'talk'], ['inbox', '#/inbox', 'bell'], ['me', '#/me', 'user']],
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
    icon(ic), h('span', t(`nav.${key}`)), key === 'inbox' ? h('span.count', { hidden: true, id: 'inbox-count' }) : null)));
  refreshInboxCount();
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
