// Me (我的): who I am, language, offline data, the outbox, the app version, logout.
import { t, LANGS, currentLang, setLang, fmtRelative } from '../i18n.js';
import { h, chev, icon, toast, busy, append, field, input, showProblem, clearProblem } from '../ui.js';
import { setTitle, navigate } from '../router.js';
import { session } from '../session.js';
import { signOut } from '../auth.js';
import { api } from '../api.js';
import { outboxCard } from '../components/outbox-card.js';
import { label } from '../choices.js';
import { cachedRegistry, refreshRegistry } from '../registry-cache.js';
import * as outbox from '../outbox.js';

export async function render({ main }) {
  setTitle(t('me.title'));
  const u = session.user;
  const langs = h('div.segmented', { role: 'radiogroup', 'aria-label': t('me.language') },
    LANGS.map((l) => h('label', h('input', { type: 'radio', name: 'lang', value: l.code, checked: l.code === currentLang(),
      onchange: async () => { await setLang(l.code); navigate('/me', { replace: true }); } }), h('span', { lang: l.code }, l.name))));
  const reg = await cachedRegistry();
  const regLine = h('div.item-sub', reg.at ? t('me.registry_cached', { n: reg.items.length, time: fmtRelative(reg.at) }) : t('me.registry_none'));
  const regBtn = h('button.btn.small.secondary', { type: 'button' }, icon('sync'), t('me.refresh'));
  const updateRegistry = async () => {
    try { const items = await refreshRegistry(); regLine.textContent = t('me.registry_cached', { n: items.length, time: fmtRelative(new Date().toISOString()) }); } catch (err) { toast(err.offline ? t('common.offline_action') : err.message, { error: true }); }
  };
  regBtn.addEventListener('click', () => busy(regBtn, updateRegistry));
  if (u.role !== 'officer' && !reg.at && navigator.onLine) busy(regBtn, updateRegistry);
  const version = h('span.muted.small', '');
  navigator.serviceWorker?.controller?.postMessage({ type: 'VERSION' });
  const onMsg = (ev) => { if (ev.data?.type === 'VERSION') version.textContent = ev.data.version; };
  navigator.serviceWorker?.addEventListener('message', onMsg);
  let estimate = null;
  try { estimate = await navigator.storage?.estimate(); } catch { /* ignore */ }
  const persisted = await navigator.storage?.persisted?.().catch(() => false);
  append(main,
    h('div.card', h('div.row', h('div.boot-logo.avatar', { 'aria-hidden': 'true' }, (u.display_name || u.username || '?').slice(0, 1)),
      h('div.grow', h('h2.me-name', u.display_name || u.username), h('p.small.muted', `${label('roles', u.role)} · ${u.username}`)))),
    await outboxCard(),
    h('div.card', h('h3.mb-10', t('me.language')), langs),
    u.role !== 'officer' ? h('div.card', h('div.row', h('div.grow', h('h3', t('me.registry')), regLine), regBtn)) : null,
    h('div.list',
      h('a.item', { href: '#/outbox' }, h('div.grow', h('div.item-title', t('outbox.title'))), chev()),
      h('a.item', { href: '#/campaigns', 'data-testid': 'campaigns-link' }, h('div.grow', h('div.item-title', t('campaign.list_title')), h('div.item-sub', t('campaign.me_hint'))), chev()),
      h('a.item', { href: '#/password' }, h('div.grow', h('div.item-title', t('password.title'))), chev()),
      u.role !== 'officer' ? h('a.item', { href: '#/bulletins', 'data-testid': 'me-bulletins' }, h('div.grow', h('div.item-title', t('bulletins.title')), h('div.item-sub', t('bulletins.me_hint'))), chev()) : null,
      ['admin', 'supervisor'].includes(u.role) ? h('a.item', { href: '#/labels' }, h('div.grow', h('div.item-title', t('labels.title')), h('div.item-sub', t('labels.me_hint'))), chev()) : null,
      ['admin', 'supervisor'].includes(u.role) ? h('a.item', { href: '#/checklists', 'data-testid': 'checklists-link' }, h('div.grow', h('div.item-title', t('checklists.title')), h('div.item-sub', t('checklists.me_hint'))), chev()) : null,
      h('div.item', h('div.grow', h('div.item-title', t('me.storage')), h('div.item-sub',
        [estimate ? t('me.storage_used', { used: Math.round((estimate.usage || 0) / 1048576), quota: Math.round((estimate.quota || 0) / 1048576) }) : null,
          persisted ? t('me.persisted') : t('me.not_persisted')].filter(Boolean).join(' · ')))),
      h('div.item', h('div.grow', h('div.item-title', t('me.version'))), version)),
    h('button.btn.block.secondary', { type: 'button', onclick: async () => {
      const s = await outbox.summary();
      if (s.count && !confirm(t('me.logout_pending', { n: s.count }))) return;
      signOut();
    } }, t('auth.logout')));
  return () => navigator.serviceWorker?.removeEventListener('message', onMsg);
}

/** 修改密码: the current password and a new one; the other devices' sessions end. */
export function renderPassword({ main }) {
  setTitle(t('password.title'), { back: true });
  const old = input('old_password', { type: 'password', autocomplete: 'current-password' });
  const next = input('new_password', { type: 'password', autocomplete: 'new-password', minlength: 8, maxlength: 256 });
  const again = input('new_password_again', { type: 'password', autocomplete: 'new-password' });
  const btn = h('button.btn.block', { type: 'submit' }, t('password.save'));
  const form = h('form.card', { novalidate: true },
    field(t('password.old'), old, { required: true }),
    field(t('password.new'), next, { required: true, hint: t('password.rule') }),
    field(t('password.again'), again, { required: true }),
    btn);
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    clearProblem(form);
    const errors = {};
    if (!old.value) errors.old_password = [t('common.required')];
    if (!next.value) errors.new_password = [t('common.required')];
    else if (again.value !== next.value) errors.new_password_again = [t('password.mismatch')];
    if (Object.keys(errors).length) return showProblem(form, { problem: { detail: t('common.fix_fields'), errors } });
    busy(btn, async () => {
      try {
        await api.post('/api/v1/auth/password', { old_password: old.value, new_password: next.value });
        toast(t('password.changed'));
        navigate('/me', { replace: true });
      } catch (err) {
        if (err.status === 429) err.problem = { ...err.problem, detail: t('auth.throttled') };
        showProblem(form, err);
      }
    });
  });
  append(main, h('p.small.muted.lead', t('password.intro')), form);
  return null;
}
