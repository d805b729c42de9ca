// Public screens (no login): the page behind an enterprise's gate QR code (its name, community
// and risk colour, 「我要举报」), the report form (举报: text, up to three photos, where, how to
// reach the reporter, all but the text optional) and the tracking page (查询). Made for a
// stranger's phone: one screen each, big buttons, plain words. A report made without signal
// waits on the phone and goes when the network is back (commands.sendTip).
import { cachedGet, request } from '../api.js';
import { t, fmtDateTime, fmtRelative } from '../i18n.js';
import { h, icon, chip, field, input, textarea, showProblem, clearProblem, busy, append, setChildren, loading } from '../ui.js';
import { label } from '../choices.js';
import { navigate, setTitle } from '../router.js';
import { session } from '../session.js';
import { newId, sendTip, myTips, forgetTip } from '../commands.js';
import { outboxEvents } from '../outbox.js';
import { photoPicker, locate } from '../photos.js';

const enterpriseUrl = (token) => `/api/v1/public/enterprises/${encodeURIComponent(token)}`;

/** The enterprise behind a gate code: {data} online or from this phone's copy, {missing} for a
 * code the server does not know, {offline} when it cannot be asked. */
async function gate(token) {
  try {
    return { data: (await cachedGet(enterpriseUrl(token), { timeout: 10000 })).data };
  } catch (err) {
    return err.status === 404 ? { missing: true } : { offline: true };
  }
}

/** The risk colour as a stranger reads it: the colour, its name, what it means. */
function riskBlock(level) {
  return h(`div.risk-block.${level}`, { 'data-testid': 'public-risk' },
    h('span.risk-dot', { 'aria-hidden': 'true' }),
    h('div.grow', h('div.risk-name', label('risk_levels', level)), h('div.small', t('public.risk_meaning'))));
}

export async function renderEnterprise({ params, main, isCurrent }) {
  const token = params[0];
  setTitle(t('public.title'));
  append(main, loading());
  const g = await gate(token);
  if (!isCurrent()) return null;
  const report = h('a.btn.block.big-action', { href: `#/report/${encodeURIComponent(token)}`, 'data-testid': 'report-button' },
    icon('flag'), t('public.report'));
  setChildren(main,
    g.data ? h('div.card.public-card', { 'data-testid': 'public-enterprise' },
      h('p.small.muted', t('public.this_is')),
      h('h2.public-name', g.data.name),
      h('p.muted', g.data.community),
      riskBlock(g.data.risk_level))
      : h('div.card.public-card', { role: g.missing ? 'alert' : null },
        h('h2', g.missing ? t('public.unknown_code') : t('public.offline_title')),
        h('p.muted', g.missing ? t('public.unknown_code_hint') : t('public.offline_hint'))),
    g.missing ? h('a.btn.block.big-action', { href: '#/report' }, icon('flag'), t('public.report')) : report,
    h('p.public-note', t('public.anonymous_note')),
    h('a.btn.block.secondary', { href: '#/t' }, t('public.track')),
    session.user ? h('a.btn.block.ghost', { href: `#/scan/${encodeURIComponent(token)}` }, t('public.staff_card')) : null);
  return null;
}

export async function renderReport({ params, main, isCurrent }) {
  const token = params[0] || null;
  setTitle(t('public.report_title'), { back: true });
  const g = token ? await gate(token) : {};
  if (!isCurrent()) return null;
  const name = g.data ? g.data.name : null;
  const id = newId(); // one report per form, however often the button is pressed
  const text = textarea('text', { rows: 5, maxlength: 2000, placeholder: t('public.text_placeholder') });
  const pics = photoPicker({ name: 'files', label: t('public.photos'), max: 3 });
  const contact = input('contact', { maxlength: 100, autocomplete: 'tel', placeholder: t('public.contact_placeholder') });
  let place = null;
  const placeLine = h('p.small.muted', { role: 'status' }, t('public.place_none'));
  const placeBtn = h('button.btn.small.secondary', { type: 'button' }, icon('pin'), t('public.place_add'));
  placeBtn.addEventListener('click', () => busy(placeBtn, async () => {
    const where = await locate({ timeout: 15000 });
    if (where && !where.error) {
      place = where;
      placeLine.textContent = t('public.place_ok', { m: where.accuracy ?? '?' });
    } else {
      place = null;
      placeLine.textContent = where && where.error === 'denied' ? t('public.place_denied') : t('public.place_failed');
    }
  }));
  const submit = h('button.btn.block.big-action', { type: 'submit', 'data-testid': 'send-report' }, t('public.send'));
  const form = h('form', { novalidate: true },
    h('div.card',
      name ? h('p.report-about', t('public.about', { name })) : (token && g.missing ? h('p.small.muted', t('public.unknown_code_hint')) : null),
      field(t('public.text'), text, { required: true, hint: t('public.text_hint') }),
      h('div.field', { dataset: { field: 'files' } }, h('span.label', t('public.photos')), pics.el, h('p.hint', t('public.photos_hint'))),
      h('div.field', { dataset: { field: 'location' } }, h('span.label', t('public.place')), h('div.row.wrap', placeBtn, placeLine)),
      field(t('public.contact'), contact, { hint: t('public.contact_hint') })),
    h('p.public-note', t('public.anonymous_note')),
    h('div.form-footer', submit)); // 提交举报 stays in reach
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    clearProblem(form);
    const words = text.value.trim();
    if (!words) return showProblem(form, { problem: { detail: t('public.text_missing'), errors: { text: [t('public.text_missing')] } } });
    busy(submit, async () => {
      const photos = await pics.ready();
      await sendTip({ id, token: g.missing ? null : token, enterpriseName: name, text: words,
        contact: contact.value.trim() || null, location: place, photos });
      navigate(`/t?sent=${id}`, { replace: true });
    });
  });
  append(main, form);
  return null;
}

/** One of this phone's reports: sent (its code, a link to its state), on its way, or refused. */
function myTipRow(tip, redraw) {
  const status = tip.status === 'sent'
    ? h('div.row.wrap', chip(t('public.sent'), 'ok'), h('a.code-link', { href: `#/t/${tip.tracking_code}`, 'data-testid': 'tracking-code' }, tip.tracking_code))
    : tip.status === 'refused'
      ? h('div', chip(t('public.refused'), 'overdue'), h('p.small.field-error', (tip.error && tip.error.detail) || t('public.refused_hint')),
        h('button.btn.small.secondary', { type: 'button', onclick: async () => { await forgetTip(tip.id); redraw(); } }, t('public.forget')))
      : h('div', chip(t('public.waiting'), 'pending'), h('p.small.muted', navigator.onLine ? t('public.sending') : t('public.waiting_hint')));
  return h('div.item.my-tip', { 'data-testid': 'my-tip' },
    h('div.grow', h('div.item-title', tip.enterprise_name || t('public.no_enterprise')),
      h('div.item-sub.tip-text', tip.text),
      h('div.item-sub', fmtRelative(tip.created_at)), status));
}

export async function renderTrack({ params, main, query, isCurrent }) {
  const code = params[0] || null;
  const sent = query.get('sent');
  setTitle(t('public.track_title'), { back: !!code });
  const box = h('div');
  const mine = h('div');
  const codeInput = input('code', { autocomplete: 'off', autocapitalize: 'characters', placeholder: 'XXXX-XXXX-XXXX', value: code || '' });
  const look = h('button.btn.block', { type: 'submit' }, t('public.lookup'));
  const form = h('form.card', { novalidate: true }, field(t('public.code'), codeInput, { hint: t('public.code_hint') }), look);
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const typed = codeInput.value.trim();
    if (!typed) return showProblem(form, { problem: { detail: t('public.code_missing'), errors: { code: [t('public.code_missing')] } } });
    navigate(`/t/${encodeURIComponent(typed.toUpperCase())}`);
  });

  const drawMine = async () => {
    const tips = await myTips();
    if (!isCurrent()) return;
    const just = sent ? tips.find((x) => x.id === sent) : null;
    setChildren(mine,
      just ? h('div.card.sent-card', { 'data-testid': 'sent-card' },
        h('h2', just.status === 'sent' ? t('public.thanks') : t('public.saved')),
        just.status === 'sent'
          ? [h('p', t('public.your_code')), h('p.big-code', { 'data-testid': 'big-code' }, just.tracking_code), h('p.small.muted', t('public.keep_code'))]
          : h('p.muted', just.status === 'refused' ? ((just.error && just.error.detail) || t('public.refused_hint')) : (navigator.onLine ? t('public.sending') : t('public.waiting_hint')))) : null,
      tips.length ? [h('h2.section-title', t('public.mine')), h('div.list', tips.map((x) => myTipRow(x, drawMine)))] : null);
  };

  if (code) {
    append(box, loading());
    request('GET', `/api/v1/public/tips/${encodeURIComponent(code)}`, { timeout: 12000 }).then(({ data }) => {
      if (!isCurrent()) return;
      setChildren(box, h('div.card', { 'data-testid': 'tip-status' },
        h('p.small.muted', t('public.code_is', { code: data.tracking_code })),
        h('div.row', chip(label('tip_states', data.state), `tip-${data.state}`)),
        h('p.small.muted', t('public.received_at', { time: fmtDateTime(data.received_at) })),
        data.triaged_at ? h('p.small.muted', t('public.triaged_at', { time: fmtDateTime(data.triaged_at) })) : null,
        h('p.tip-answer', data.answer)));
    }).catch((err) => {
      if (!isCurrent()) return;
      setChildren(box, h('div.card', { role: 'alert' }, h('p', err.status === 404 ? t('public.code_unknown') : err.offline ? t('public.offline_hint') : err.message)));
    });
  }
  // Just sent: what became of it comes first; otherwise the lookup does.
  setChildren(main, box, sent ? mine : null, form, sent ? null : mine, h('p.public-note', t('public.hotline')));
  drawMine();
  const onChange = () => drawMine();
  outboxEvents.addEventListener('change', onChange);
  return () => outboxEvents.removeEventListener('change', onChange);
}
