// Hazard detail (隐患详情) with its events timeline, the actions the user's role allows, the
// governance plan of a major hazard, and the transition forms (acknowledge, submit with photos,
// verify, reject, close, archive).
import { cachedGet, itemsOf } from '../api.js';
import { t, fmtDate, fmtDateTime, shanghaiDay } from '../i18n.js';
import { h, chip, levelChip, stateChip, deadlineChip, kv, field, input, textarea, showProblem, clearProblem, busy, toast, errorBlock, loading, cachedNote, append, setChildren } from '../ui.js';
import { values, label } from '../choices.js';
import { navigate, setTitle } from '../router.js';
import { session } from '../session.js';
import { newId, queuedHazard, hasQueuedChanges, queuedSteps, updateHazardPlan, transitionHazard, stepPhotoKind } from '../commands.js';
import { savedMessage } from '../sync.js';
import { outboxEvents } from '../outbox.js';
import { photoPicker } from '../photos.js';
import { listedChip, listingCard, extensionsCard, flagsCard, photoFlags } from '../components/oversight.js';

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
  const draw = async () => {
    let hz; let cachedAt;
    try { ({ data: hz, cachedAt } = await loadHazard(id)); } catch (err) {
      if (isCurrent()) setChildren(main, errorBlock(err, () => render({ params, main, isCurrent })));
      return;
    }
    const events = hz._pending ? [] : await cachedGet(`/api/v1/hazards/${id}/events`).then((r) => itemsOf(r.data)).catch(() => null);
    const pendingHere = await hasQueuedChanges(id);
    const steps = await queuedSteps(id);
    if (!isCurrent()) return;
    setChildren(main, ...hazardCard(hz, { cachedAt, events, pendingHere, steps }));
  };
  // What waits in the outbox for this hazard is sent in the background: the screen follows
  // (the server's state and steps once it has them). A change told while a draw is under way
  // (its answers may predate the change) draws once more after it.
  let drawing = null;
  let again = false;
  const redraw = async () => {
    if (drawing) { again = true; return drawing; }
    drawing = draw();
    try { await drawing; } finally { drawing = null; }
    if (again) { again = false; await redraw(); }
    return null;
  };
  const onChange = (ev) => {
    const d = ev.detail || {};
    // Its own changes, and records made on it (a photo, an extension request: their answers
    // name the hazard).
    const about = d.delivered === id || (d.data && d.data.hazard_id === id);
    if (about || d.removed != null || d.refused) redraw();
  };
  outboxEvents.addEventListener('change', onChange);
  await redraw();
  return () => outboxEvents.removeEventListener('change', onChange);
}

/** The hazard's card, photos, plan, the steps offered (or why one is not), and its trail. */
function hazardCard(hz, { cachedAt, events, pendingHere, steps }) {
  const id = hz.id;
  const role = session.user.role;
  // What this user may do now is the server's word (allowed_actions, from its transition table).
  // A hazard only in the outbox has no such word yet, nor one whose step waits in the outbox
  // (its state is about to change): nothing is offered until it is synced.
  const actions = !hz._pending && !steps.length && Array.isArray(hz.allowed_actions) ? hz.allowed_actions : [];
  const blocked = !hz._pending && !steps.length && hz.blocked_actions && typeof hz.blocked_actions === 'object'
    ? Object.entries(hz.blocked_actions) : [];
  const photos = hz.photos || [];
  const loc = hz.location || (hz.lat != null ? { lat: hz.lat, lng: hz.lng } : null);
  return [cachedNote(cachedAt),
    h('div.card',
      h('div.row.wrap.chips', levelChip(hz.level), stateChip(hz.state), deadlineChip(hz), listedChip(hz),
        hz.escalated ? chip(t('hazard.escalated'), 'overdue') : null,
        hz.self_check_missed ? chip(t('hazard.self_check_missed'), 'overdue') : null,
        hz.source && hz.source !== 'inspection' ? chip(label('hazard_sources', hz.source)) : null,
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
        // 检查项: the checklist item it was found at, with its legal basis.
        [t('hazard.checklist_item'), hz.checklist ? `${hz.checklist.code} ${hz.checklist.text || ''}` : hz.checklist_item || null],
        [t('checks.basis'), hz.checklist && hz.checklist.basis ? hz.checklist.basis : null],
      ])),
    (hz.warnings || []).length ? h('div.card.warn-card', { role: 'note', 'data-testid': 'warnings' },
      hz.warnings.map((w) => h('p', w.message))) : null,
    photos.length ? h('div.card', h('h3.mb-8', t('hazard.f_photos')), photoThumbs(hz, photos)) : null,
    hz._pending ? null : flagsCard(hz),
    hz.level === 'major' ? planCard(hz, role) : null,
    hz._pending ? null : listingCard(hz, { offer: !steps.length }),
    hz._pending ? null : extensionsCard(hz, { offer: !steps.length }),
    steps.length ? h('p.small.muted.pending-steps', { 'data-testid': 'steps-pending' },
      t('hazard.steps_pending', { steps: steps.map((a) => label('hazard_actions', a)).join('、') })) : null,
    actions.length || blocked.length ? h('div.actions',
      actions.map((a) => h(`a.btn.block${ACTION_STYLE[a] || ''}`, { href: `#/hazards/${id}/do/${a}`, 'data-action': a }, label('hazard_actions', a))),
      blocked.map(([a, why]) => blockedAction(a, why))) : null,
    hz._pending ? h('p.small.muted', { 'data-testid': 'actions-after-sync' }, t('hazard.actions_after_sync')) : null,
    h('h2.section-title', t('hazard.timeline')),
    h('div.card', events === null ? h('p.muted.small', t('common.offline_no_data'))
      : events.length ? h('ol.timeline', events.map(eventRow)) : h('p.muted.small', hz._pending ? t('hazard.not_synced') : t('hazard.no_events')))];
}

/** A step the table allows but the hazard is not ready for (blocked_actions): not offered; its
 * name and why, with what to fill in named by their labels (the plan's card above has the way
 * to fill it in). */
function blockedAction(action, why) {
  const fields = Array.isArray(why && why.fields) ? why.fields : [];
  const planFields = fields.map((f) => String(f).replace(/^governance_plan\./, '')).filter((f) => values('governance_plan_fields').includes(f));
  // The server's message is in the reader's language with the fields by their labels; an older
  // answer without one is worded here, from the same labels.
  const reason = (why && why.message) || (why && why.reason === 'governance_plan_incomplete'
    ? t('hazard.blocked_plan', { fields: planFields.map((f) => label('governance_plan_fields', f)).join('、') || t('plan.title') })
    : t('hazard.blocked'));
  return h('div.blocked-action', { 'data-blocked': action },
    h('div.blocked-name', label('hazard_actions', action)),
    h('p.small', reason));
}

/** The hazard's photos, each with its kind, and a mark on those an evidence flag stands on. */
function photoThumbs(hz, photos) {
  return h('div.thumbs', photos.map((p, i) => {
    const flags = photoFlags(hz, p.id);
    return h('a.thumb', { href: (p.urls && p.urls.full) || '#', target: '_blank', rel: 'noopener', 'data-photo': p.id, class: flags.length ? 'flagged' : null },
      h('img', { src: (p.urls && (p.urls.thumb || p.urls.full)) || '', alt: t('photo.nth', { n: i + 1 }), loading: 'lazy' }),
      h('span.tag', label('photo_kinds', p.kind || 'finding')),
      flags.length ? h('span.flag-mark', { title: flags.map((f) => label('evidence_flags', f.code)).join('、') }, '!') : null);
  }));
}

function eventRow(e) {
  const who = (e.actor && (e.actor.display_name || e.actor.username)) || e.actor_name || (e.actor_id ? '' : t('hazard.system'));
  // A line that moved the deadline (an approved extension, a supervisor's new date) says so.
  const moved = e.data && e.data.deadline && e.data.deadline.from && e.data.deadline.to ? e.data.deadline : null;
  const state = e.to_state || e.to;
  return h('li',
    h('div.t-head', label('hazard_actions', e.action),
      state && state !== e.from_state ? h('span.muted.regular', ` → ${label('hazard_states', state)}`) : null),
    h('div.t-meta', [fmtDateTime(e.at), who].filter(Boolean).join(' · ')),
    moved ? h('div.t-meta', t('hazard.deadline_moved', { from: fmtDate(moved.from), to: fmtDate(moved.to) })) : null,
    e.data && Array.isArray(e.data.evidence_flags) && e.data.evidence_flags.length
      ? h('div.t-meta', t('flags.raised', { flags: e.data.evidence_flags.map((c) => label('evidence_flags', c)).join('、') })) : null,
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
  // 治理的时限 after the hazard's 整改期限: saved all the same (the deadline can be extended),
  // but said at once; the hazard's screen then shows the server's warning.
  const hazardDay = hz.deadline ? shanghaiDay(Date.parse(hz.deadline)) : null;
  const endsLate = h('p.hint.warn-text', { 'aria-live': 'polite', 'data-testid': 'plan-deadline-warning' });
  const checkEnd = () => {
    const late = hazardDay && controls.deadline && controls.deadline.value && controls.deadline.value > hazardDay;
    endsLate.textContent = late ? t('plan.ends_after_deadline', { deadline: fmtDate(hz.deadline) }) : '';
  };
  if (controls.deadline) {
    controls.deadline.closest('.field').append(endsLate);
    controls.deadline.addEventListener('input', checkEnd);
    checkEnd();
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
      if (!r) return; // the phone's storage is full: the banner says so
      toast(savedMessage(r, t('plan.saved_syncing')));
      navigate(`/hazards/${id}`, { replace: true });
    });
  });
  append(main, form);
  return null;
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
  // Photos of this step already on the server (uploaded for a try it refused): handed in too.
  const kind = stepPhotoKind(action);
  const pending = (hz.pending_photos || []).filter((p) => kind && p.kind === kind);
  // 证据存疑: accepting a fix while a flag stands needs a note saying what was checked.
  const flagged = action === 'verify' && (hz.evidence_flags || []).some((f) => f.standing);
  const judged = (hz.photos || []).filter((p) => p.kind === 'rectification');
  const noteRequired = action === 'reject' || flagged;
  const note = textarea('note', { rows: 4, placeholder: t(flagged ? 'flags.note_hint' : `action_hint.${action}`) });
  const picker = allowPhotos ? photoPicker({ name: 'photo_ids' }) : null;
  // Only a supervisor may move the deadline (CONTRACT: transitions take `deadline?`).
  const oldDeadline = hz.deadline ? shanghaiDay(Date.parse(hz.deadline)) : '';
  const deadline = ['supervisor', 'admin'].includes(session.user.role) && ['acknowledge', 'reject'].includes(action)
    ? input('deadline', { type: 'date', value: oldDeadline }) : null;
  const btn = h(`button.btn.block${ACTION_STYLE[action] || ''}`, { type: 'submit' }, label('hazard_actions', action));
  const form = h('form', { novalidate: true },
    action === 'verify' ? flagsCard(hz, { forReview: true }) : null,
    // What the verification accepts: the rectification photos handed in, flagged ones marked.
    action === 'verify' && judged.length ? h('div.card', { 'data-testid': 'judged-photos' }, h('h3.mb-8', t('action.rect_photos')), photoThumbs(hz, judged)) : null,
    h('div.card',
      h('p.form-subject', hz.title),
      deadline ? field(t('hazard.f_deadline'), deadline, { hint: t('action_hint.deadline') }) : null,
      field(t('action.note'), note, { required: noteRequired })),
    picker ? h('div.card', h('span.label.photos-label',
      needsPhotos ? t('action.rect_photos') : t('hazard.f_photos'), needsPhotos ? h('span.req', { 'aria-hidden': 'true' }, ' *') : null),
    pending.length ? h('div.mb-10', { 'data-testid': 'pending-photos' }, h('p.small.muted.mb-8', t('action.pending_photos', { n: pending.length })),
      h('div.thumbs', pending.map((p, i) => h('div.thumb', h('img', { src: (p.urls && (p.urls.thumb || p.urls.full)) || '', alt: t('photo.nth', { n: i + 1 }) }))))) : null,
    picker.el) : null,
    btn);
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    clearProblem(form);
    busy(btn, async () => {
      const photos = picker ? await picker.ready() : [];
      const errors = {};
      if (noteRequired && !note.value.trim()) errors.note = [t(flagged ? 'flags.note_required' : 'action.note_required')];
      if (needsPhotos && !photos.length && !pending.length) errors.photo_ids = [t('action.photo_required')];
      if (Object.keys(errors).length) return showProblem(form, { problem: { detail: t('common.fix_fields'), errors } });
      const r = await transitionHazard(hz, {
        eventId, action, note: note.value.trim() || null, photos, pendingIds: pending.map((p) => p.id), actionLabel: label('hazard_actions', action),
        deadline: deadline && deadline.value && deadline.value !== oldDeadline ? deadline.value : null,
      }).catch(() => null);
      if (!r) return;
      toast(savedMessage(r, t('action.saved_syncing', { action: label('hazard_actions', action) })));
      navigate(`/hazards/${id}`, { replace: true });
    });
  });
  append(main, form);
  return null;
}

