// Hazard detail (隐患详情) with its events timeline, the actions the user's role allows, the
// governance plan of a major hazard, and the transition forms (acknowledge, submit with photos,
// verify, reject, close, archive).
import { cachedGet, itemsOf } from '../api.js';
import { t, fmtDate, fmtDateTime, shanghaiDay } from '../i18n.js';
import { h, chip, levelChip, stateChip, deadlineChip, kv, field, input, textarea, showProblem, clearProblem, busy, toast, errorBlock, loading, cachedNote, append, setChildren } from '../ui.js';
import { values, label } from '../choices.js';
import { navigate, setTitle } from '../router.js';
import { session } from '../session.js';
import { newId, queuedHazard, hasQueuedChanges, updateHazardPlan, transitionHazard } from '../commands.js';
import { photoPicker } from '../photos.js';

async function loadHazard(id) {
  try {
    return await cachedGet(`/api/v1/hazards/${id}`);
  } catch (err) {
    // Made on this phone and not sent yet: show the queued copy.
    const queued = await queuedHazard(id);
    if (queued) return { data: queued, cachedAt: null };
    throw err;
  }
}

const ACTION_STYLE = { acknowledge: '', submit: '', verify: '.ok', reject: '.danger', close: '.ok', archive: '.secondary' };

export async function render({ params, main, isCurrent }) {
  const id = params[0];
  setTitle(t('hazard.title'), { back: true });
  append(main, loading());
  let hz; let cachedAt;
  try { ({ data: hz, cachedAt } = await loadHazard(id)); } catch (err) {
    setChildren(main, errorBlock(err, () => render({ params, main, isCurrent })));
    return null;
  }
  const events = hz._pending ? [] : await cachedGet(`/api/v1/hazards/${id}/events`).then((r) => itemsOf(r.data)).catch(() => null);
  if (!isCurrent()) return null;
  const pendingHere = await hasQueuedChanges(id);
  const role = session.user.role;
  // What this user may do now is the server's word (allowed_actions, from its transition table).
  // A hazard only in the outbox has no such word yet: nothing is offered until it is synced.
  const actions = !hz._pending && Array.isArray(hz.allowed_actions) ? hz.allowed_actions : [];
  const photos = hz.photos || [];
  const loc = hz.location || (hz.lat != null ? { lat: hz.lat, lng: hz.lng } : null);

  setChildren(main, cachedNote(cachedAt),
    h('div.card',
      h('div.row.wrap.chips', levelChip(hz.level), stateChip(hz.state), deadlineChip(hz),
        hz.escalated ? chip(t('hazard.escalated'), 'overdue') : null,
        hz._pending || pendingHere ? chip(t('sync.pending'), 'pending') : null),
      h('h2.hazard-title', hz.title),
      hz.description ? h('p.description', hz.description) : null,
      kv([
        [t('hazard.enterprise'), hz.enterprise_name || (hz.enterprise && hz.enterprise.name) || null],
        [t('hazard.f_category'), hz.category ? label('hazard_categories', hz.category) : null],
        [t('hazard.f_place'), hz.place],
        [t('hazard.found_at'), fmtDateTime(hz.found_at)],
        [t('hazard.f_deadline'), hz.deadline ? fmtDate(hz.deadline) : null],
        [t('hazard.responsible'), hz.responsible],
        [t('hazard.location'), loc ? `${loc.lat}, ${loc.lng}` : null],
        [t('hazard.rejections'), hz.rejection_count ? String(hz.rejection_count) : null],
      ])),
    photos.length ? h('div.card', h('h3.mb-8', t('hazard.f_photos')),
      h('div.thumbs', photos.map((p, i) => h('a.thumb', { href: (p.urls && p.urls.full) || '#', target: '_blank', rel: 'noopener' },
        h('img', { src: (p.urls && (p.urls.thumb || p.urls.full)) || '', alt: t('photo.nth', { n: i + 1 }), loading: 'lazy' }),
        h('span.tag', label('photo_kinds', p.kind || 'finding')))))) : null,
    hz.level === 'major' ? planCard(hz, role) : null,
    actions.length ? h('div.actions', actions.map((a) => h(`a.btn.block${ACTION_STYLE[a] || ''}`, { href: `#/hazards/${id}/do/${a}`, 'data-action': a }, label('hazard_actions', a)))) : null,
    hz._pending ? h('p.small.muted', { 'data-testid': 'actions-after-sync' }, t('hazard.actions_after_sync')) : null,
    h('h2.section-title', t('hazard.timeline')),
    h('div.card', events === null ? h('p.muted.small', t('common.offline_no_data'))
      : events.length ? h('ol.timeline', events.map(eventRow)) : h('p.muted.small', hz._pending ? t('hazard.not_synced') : t('hazard.no_events'))));
  return null;
}

function eventRow(e) {
  const who = (e.actor && (e.actor.display_name || e.actor.username)) || e.actor_name || (e.actor_id ? '' : t('hazard.system'));
  return h('li',
    h('div.t-head', label('hazard_actions', e.action),
      e.to_state || e.to ? h('span.muted.regular', ` → ${label('hazard_states', e.to_state || e.to)}`) : null),
    h('div.t-meta', [fmtDateTime(e.at), who].filter(Boolean).join(' · ')),
    e.note ? h('div.t-note', e.note) : null);
}

function planCard(hz, role) {
  const plan = hz.governance_plan;
  const missing = Array.isArray(hz.governance_plan_missing) ? hz.governance_plan_missing : values('governance_plan_fields').filter((f) => !plan || !plan[f]);
  const complete = !!plan && !missing.length;
  const canEdit = ['officer', 'inspector', 'supervisor', 'admin'].includes(role) && !['closed', 'archived'].includes(hz.state);
  return h('div.card', { 'data-testid': 'plan' },
    h('div.row', h('h3.grow', t('plan.title')), complete ? chip(t('plan.filled'), 'ok') : chip(t('plan.missing'), 'overdue')),
    missing.length && plan ? h('p.small.mt-6.error-text', t('plan.missing_fields', { fields: missing.map((f) => label('governance_plan_fields', f)).join('、') })) : null,
    plan ? h('div.mt-8', kv(values('governance_plan_fields').map((f) => [label('governance_plan_fields', f), plan[f]]))) : h('p.small.muted.mt-6', t('plan.required_hint')),
    canEdit ? h('a.btn.block.secondary.mt-12', { href: `#/hazards/${hz.id}/plan` }, plan ? t('plan.edit') : t('plan.fill')) : null);
}

/** 治理方案 form: PATCH /api/v1/hazards/{id} {governance_plan, version}. */
export async function renderPlan({ params, main }) {
  const id = params[0];
  setTitle(t('plan.title'), { back: true });
  let hz;
  try { ({ data: hz } = await loadHazard(id)); } catch (err) { append(main, errorBlock(err)); return null; }
  const plan = hz.governance_plan || {};
  const controls = {};
  const form = h('form', { novalidate: true });
  const card = h('div.card', h('p.small.muted.mb-12', t('plan.intro')));
  for (const f of values('governance_plan_fields')) {
    const ctl = f === 'deadline'
      ? input(`governance_plan.${f}`, { type: 'date', value: plan[f] ? String(plan[f]).slice(0, 10) : '' })
      : ['responsible_body', 'responsible_people'].includes(f) ? input(`governance_plan.${f}`, { value: plan[f] || '' })
        : textarea(`governance_plan.${f}`, { rows: 3, value: plan[f] || '' });
    if (ctl.tagName === 'TEXTAREA') ctl.value = plan[f] || '';
    controls[f] = ctl;
    const fieldEl = field(label('governance_plan_fields', f), ctl, { hint: t(`plan.${f}_hint`) !== `plan.${f}_hint` ? t(`plan.${f}_hint`) : null });
    fieldEl.dataset.field = f; // the server names errors by the plan's own field names
    append(card, fieldEl);
  }
  const btn = h('button.btn.block', { type: 'submit' }, t('plan.save'));
  append(form, card, btn);
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    clearProblem(form);
    const value = {};
    for (const f of values('governance_plan_fields')) value[f] = controls[f].value.trim() || null;
    if (!Object.values(value).some(Boolean)) return showProblem(form, { problem: { detail: t('plan.empty') } });
    busy(btn, async () => {
      const r = await updateHazardPlan(hz, value).catch(() => null);
      if (!r) return;
      if (r.status === 'error') return showProblem(form, flattenPlanErrors(r.error));
      toast(r.status === 'sent' ? t('plan.saved') : t('sync.saved_offline'));
      navigate(`/hazards/${id}`, { replace: true });
    });
  });
  append(main, form);
  return null;
}

function flattenPlanErrors(err) {
  const errors = { ...((err.problem && err.problem.errors) || {}) };
  const nested = errors.governance_plan;
  if (nested && typeof nested === 'object' && !Array.isArray(nested)) {
    delete errors.governance_plan;
    Object.assign(errors, nested);
  }
  for (const k of Object.keys(errors)) {
    if (k.startsWith('governance_plan.')) { errors[k.slice(16)] = errors[k]; delete errors[k]; }
  }
  return { ...err, problem: { ...err.problem, errors } };
}

/** One transition: note, photos (a rectification needs ≥1), deadline when acknowledging. */
export async function renderAction({ params, main }) {
  const [id, action] = params;
  setTitle(label('hazard_actions', action), { back: true });
  let hz;
  try { ({ data: hz } = await loadHazard(id)); } catch (err) { append(main, errorBlock(err)); return null; }
  const eventId = newId(); // the transition's own id: a replay answers the stored result
  const needsPhotos = action === 'submit';
  const allowPhotos = action === 'submit' || action === 'verify' || action === 'reject';
  const noteRequired = action === 'reject';
  const note = textarea('note', { rows: 4, placeholder: t(`action_hint.${action}`) });
  const picker = allowPhotos ? photoPicker({ name: 'photo_ids' }) : null;
  // Only a supervisor may move the deadline (CONTRACT: transitions take `deadline?`).
  const oldDeadline = hz.deadline ? shanghaiDay(Date.parse(hz.deadline)) : '';
  const deadline = ['supervisor', 'admin'].includes(session.user.role) && ['acknowledge', 'reject'].includes(action)
    ? input('deadline', { type: 'date', value: oldDeadline }) : null;
  const btn = h(`button.btn.block${ACTION_STYLE[action] || ''}`, { type: 'submit' }, label('hazard_actions', action));
  const form = h('form', { novalidate: true },
    h('div.card',
      h('p.form-subject', hz.title),
      deadline ? field(t('hazard.f_deadline'), deadline, { hint: t('action_hint.deadline') }) : null,
      field(t('action.note'), note, { required: noteRequired })),
    picker ? h('div.card', h('span.label.photos-label',
      needsPhotos ? t('action.rect_photos') : t('hazard.f_photos'), needsPhotos ? h('span.req', { 'aria-hidden': 'true' }, ' *') : null), picker.el) : null,
    btn);
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    clearProblem(form);
    busy(btn, async () => {
      const photos = picker ? await picker.ready() : [];
      const errors = {};
      if (noteRequired && !note.value.trim()) errors.note = [t('action.note_required')];
      if (needsPhotos && !photos.length) errors.photo_ids = [t('action.photo_required')];
      if (Object.keys(errors).length) return showProblem(form, { problem: { detail: t('common.fix_fields'), errors } });
      const r = await transitionHazard(hz, {
        eventId, action, note: note.value.trim() || null, photos, actionLabel: label('hazard_actions', action),
        deadline: deadline && deadline.value && deadline.value !== oldDeadline ? deadline.value : null,
      }).catch(() => null);
      if (!r) return;
      if (r.status === 'error') return showProblem(form, r.error);
      toast(r.status === 'sent' ? t('action.done', { action: label('hazard_actions', action) }) : t('sync.saved_offline'));
      navigate(`/hazards/${id}`, { replace: true });
    });
  });
  append(main, form);
  return null;
}

