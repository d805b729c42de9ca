import { api } from '../api.js';
import { getMeta, delMeta } from '../db.js';
import { t, LANGS, currentLang, setLang } from '../i18n.js';
import { h, field, input, showProblem, busy, setChildren } from '../ui.js';
import { navigate, setTitle } from '../router.js';
import { signedIn } from '../auth.js';

export function render({ main }) {
  setTitle(t('auth.login'));
  const user = input('username', { autocomplete: 'username', autocapitalize: 'off', spellcheck: false });
  const pass = input('password', { type: 'password', autocomplete: 'current-password' });
  const submit = h('button.btn.block', { type: 'submit' }, t('auth.login'));
  const form = h('form.card', { novalidate: true },
    field(t('auth.username'), user, { required: true }),
    field(t('auth.password'), pass, { required: true }),
    submit);
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    if (!user.value.trim() || !pass.value) {
      showProblem(form, { problem: { detail: t('auth.fill_both'), errors: {
        ...(user.value.trim() ? {} : { username: [t('common.required')] }),
        ...(pass.value ? {} : { password: [t('common.required')] }) } } });
      return;
    }
    await busy(submit, async () => {
      try {
        const res = await api.post('/api/v1/auth/login', { username: user.value.trim(), password: pass.value });
        await signedIn(res.user, res.csrf_token);
        const next = await getMeta('next');
        await delMeta('next');
        navigate(next && next !== '/login' ? next : '/', { replace: true });
      } catch (err) {
        if (err.status === 401) err.problem = { ...err.problem, detail: t('auth.wrong') };
        if (err.status === 429) err.problem = { ...err.problem, detail: t('auth.throttled') };
        showProblem(form, err);
      }
    });
  });
  const langs = h('div.lang-switch', { role: 'group', 'aria-label': t('me.language') },
    LANGS.map((l) => h('button.btn.small' + (l.code === currentLang() ? '' : '.secondary'), {
      type: 'button', lang: l.code, 'aria-pressed': String(l.code === currentLang()),
      onclick: async () => { await setLang(l.code); render({ main }); },
    }, l.name)));
  setChildren(main, h('div.login',
    h('div.brand', h('div.boot-logo', { 'aria-hidden': 'true' }, '安'), h('h2', t('app.name')), h('p', t('app.tagline'))),
    form, langs));
  user.focus();
}
