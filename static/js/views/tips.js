// Public reports (举报) for the supervisors: the inbox (untriaged first, late ones marked) and one
// tip with its photos, where it was made and, for supervisors, how to reach the reporter; its
// triage: accept (it becomes a hazard of the enterprise, with the tip's photos) or decline with
// a reason. Tip text is shown as text, never as HTML.
import { cachedGet, cachedPage } from '../api.js';
import { t, fmtDateTime, fmtRelative } from '../i18n.js';
import { h, icon, chev, chip, kv, field, input, textarea, select, segmented, showProblem, clearProblem, busy, toast, errorBlock, loading, empty, cachedNote, append, setChildren } from '../ui.js';
import { label, values } from '../choices.js';
import { navigate, setTitle } from '../router.js';
import { triageTip } from '../commands.js';
import { storeTipsCount } from '../tabbar.js';
import { cachedRegistry } from '../registry-cache.js';

const excerpt = (text, n = 70) => { const s = String(text || '').replace(/\s+/g, ' ').trim(); return s.length > n ? `${s.slice(0, n - 1)}…` : s; };
const where = (tip) => (tip.enterprise && tip.enterprise.name) || t('tips.no_enterprise');

function tipRow(tip) {
  return h('a.item', { href: `#/tips/${tip.id}`, 'data-testid': 'tip-item' },
    tip.photos && tip.photos.length ? h('img.tip-thumb', { src: tip.photos[0].urls.thumb, alt: '', loading: 'lazy' }) : h('span.tip-thumb.none', { 'aria-hidden': 'true' }, icon('flag')),
    h('div.grow',
      h('div.item-title', where(tip)),
      h('div.item-sub.tip-text', excerpt(tip.text)),
      h('div.row.wrap.chips', chip(label('tip_states', tip.state), `tip-${tip.state}`),
        tip.overdue ? chip(t('tips.late'), 'overdue') : null,
        h('span.item-sub', fmtRelative(tip.received_at)))),
    chev());
}

export async function render({ main, isCurrent }) {
  setTitle(t('tips.title'));
  append(main, loading());
  let page;
  try { page = await cachedPage('/api/v1/tips?per_page=100'); } catch (err) {
    setChildren(main, errorBlock(err, () => render({ main, isCurrent })));
    return null;
  }
  if (!isCurrent()) return null;
  const items = page.items;
  const open = items.filter((x) => x.state === 'received');
  const done = items.filter((x) => x.state !== 'received');
  storeTipsCount(open.length);
  setChildren(main, cachedNote(page.cachedAt),
    h('h2.section-title', h('span.grow', t('tips.open', { n: open.length }))),
    open.length ? h('div.list', { 'data-testid': 'tips-open' }, open.map(tipRow)) : h('div.card', empty(t('tips.none_open'), 'flag')),
    done.length ? h('h2.section-title', t('tips.done')) : null,
    done.length ? h('div.list', done.map(tipRow)) : null);
  return null;
}

export async function renderDetail({ params, main, isCurrent }) {
  const id = params[0];
  setTitle(t('tips.detail'), { back: true });
  append(main, loading());
  let tip; let cachedAt;
  try { ({ data: tip, cachedAt } = await cachedGet(`/api/v1/tips/${id}`)); } catch (err) {
    setChildren(main, errorBlock(err));
    return null;
  }
  if (!isCurrent()) return null;
  const loc = tip.location;
  const actions = Array.isArray(tip.allowed_actions) ? tip.allowed_actions : [];
  setChildren(main, cachedNote(cachedAt),
    h('div.card', { 'data-testid': 'tip-detail' },
      h('div.row.wrap', chip(label('tip_states', tip.state), `tip-${tip.state}`), tip.overdue ? chip(t('tips.late'), 'overdue') : null),
      h('h2', tip.enterprise ? h('a', { href: `#/enterprise/${tip.enterprise.id}` }, tip.enterprise.name) : t('tips.no_enterprise')),
      // The reporter's words, as text (textContent): nothing in them is ever markup.
      h('p.tip-text.full', { 'data-testid': 'tip-text' }, tip.text),
      tip.photos && tip.photos.length ? h('div.thumbs.tip-photos', tip.photos.map((p, i) => h('a.thumb', { href: p.urls.full, target: '_blank', rel: 'noopener' },
        h('img', { src: p.urls.thumb, alt: t('photo.nth', { n: i + 1 }) })))) : null,
      kv([
        [t('tips.received_at'), fmtDateTime(tip.received_at)],
        [t('tips.code'), tip.tracking_code],
        [t('tips.place'), loc ? `${loc.lat.toFixed(5)}, ${loc.lng.toFixed(5)}${loc.accuracy != null ? ` (±${Math.round(loc.accuracy)} m)` : ''}` : null],
        [t('tips.contact'), tip.contact || (('contact' in tip) ? t('tips.anonymous') : null)],
        [t('tips.triaged_at'), tip.triaged_at ? `${fmtDateTime(tip.triaged_at)}${tip.triaged_by ? ` · ${tip.triaged_by.display_name}` : ''}` : null],
        [t('tips.reason'), tip.decline_reason ? label('tip_decline_reasons', tip.decline_reason) : null],
        [t('tips.answer'), tip.answer],
      ]),
      tip.hazard_id ? h('a.btn.block.secondary', { href: `#/hazards/${tip.hazard_id}` }, t('tips.open_hazard')) : null),
    actions.length ? await triageForms(tip, actions) : null,
    h('h2.section-title', t('tips.history')),
    h('div.list', (tip.events || []).map((e) => h('div.item', h('div.grow',
      h('div.item-title', label('tip_actions', e.action)),
      h('div.item-sub', [fmtDateTime(e.at), e.actor ? e.actor.display_name : null, e.reason ? label('tip_decline_reasons', e.reason) : null].filter(Boolean).join(' · ')),
      e.note ? h('div.item-sub', e.note) : null)))));
  return null;
}

/** Accept (the hazard's enterprise, title, category and level) or decline (a reason), and a
 * short answer the reporter reads on the tracking page. */
async function triageForms(tip, actions) {
  const box = h('div.card', { 'data-testid': 'triage' }, h('h2', t('tips.triage')));
  const choice = segmented('triage', actions.map((a) => [a, t(`tips.do_${a}`)]), actions[0], 'triage-choice');
  append(box, choice);
  const firstLine = String(tip.text || '').trim().split('\n')[0].slice(0, 60);
  const reg = tip.enterprise ? null : await cachedRegistry();
  const enterprise = reg ? select('enterprise_id', [['', t('tips.choose_enterprise')], ...reg.items.map((e) => [e.id, e.name])]) : null;
  const title = input('title', { maxlength: 200, value: firstLine });
  // The hazard's description is the enterprise's to read: the supervisor takes out whatever in
  // the reporter's words could tell who reported (DOMAIN.md: kept from the enterprise).
  const description = textarea('description', { rows: 4, maxlength: 5000 });
  description.value = tip.text || '';
  const category = select('category', [['', t('tips.choose')], ...values('hazard_categories').map((c) => [c, label('hazard_categories', c)])]);
  const level = segmented('level', values('hazard_levels').map((v) => [v, label('hazard_levels', v)]), 'general');
  const reason = segmented('reason', values('tip_decline_reasons').map((v) => [v, label('tip_decline_reasons', v)]), null, 'column');
  const answer = textarea('answer', { rows: 2, maxlength: 500, placeholder: t('tips.answer_placeholder') });
  const acceptPart = h('div', { 'data-part': 'accept' },
    enterprise ? field(t('tips.enterprise'), enterprise, { required: true, name: 'hazard.enterprise_id' }) : null,
    field(t('tips.f_title'), title, { required: true, name: 'hazard.title' }),
    field(t('tips.f_description'), description, { name: 'hazard.description', hint: t('tips.description_hint') }),
    field(t('tips.f_category'), category, { required: true, name: 'hazard.category' }),
    h('div.field', { dataset: { field: 'hazard.level' } }, h('span.label', t('tips.f_level')), level));
  const declinePart = h('div', { 'data-part': 'decline' },
    h('div.field', { dataset: { field: 'reason' } }, h('span.label', t('tips.reason')), reason));
  const btn = h('button.btn.block', { type: 'submit' });
  const form = h('form', { novalidate: true }, acceptPart, declinePart, field(t('tips.answer'), answer, { hint: t('tips.answer_hint') }), btn);
  const show = () => {
    const now = choice.querySelector('input:checked')?.value || actions[0];
    acceptPart.hidden = now !== 'accept';
    declinePart.hidden = now !== 'decline';
    btn.textContent = t(`tips.submit_${now}`);
    btn.className = `btn block${now === 'decline' ? ' secondary' : ''}`;
  };
  choice.addEventListener('change', show);
  show();
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    clearProblem(form);
    const action = choice.querySelector('input:checked')?.value || actions[0];
    const fields = {};
    const errors = {};
    if (answer.value.trim()) fields.answer = answer.value.trim();
    if (action === 'accept') {
      const hazard = { title: title.value.trim(), description: description.value.trim(), category: category.value, level: level.querySelector('input:checked')?.value || 'general' };
      if (enterprise) hazard.enterprise_id = enterprise.value;
      if (enterprise && !hazard.enterprise_id) errors['hazard.enterprise_id'] = [t('common.required')];
      if (!hazard.title) errors['hazard.title'] = [t('common.required')];
      if (!hazard.category) errors['hazard.category'] = [t('common.required')];
      fields.hazard = hazard;
    } else {
      fields.reason = reason.querySelector('input:checked')?.value || null;
      if (!fields.reason) errors.reason = [t('tips.reason_missing')];
    }
    if (Object.keys(errors).length) return showProblem(form, { problem: { detail: t('common.fix_fields'), errors } });
    busy(btn, async () => {
      try {
        const done = await triageTip(tip, action, fields);
        toast(t(`tips.done_${action}`));
        navigate(done.hazard_id && action === 'accept' ? `/tips/${tip.id}` : '/tips', { replace: true });
      } catch (err) {
        showProblem(form, err);
      }
    });
  });
  append(box, form);
  return box;
}
