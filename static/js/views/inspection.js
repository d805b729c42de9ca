// An inspection in progress: GPS check-in, hazards recorded with photos and GPS, finish.
// Everything is queued in the outbox first, so it all works in a basement with no signal.
import { cachedGet, itemsOf } from '../api.js';
import { t, fmtDateTime, fmtNumber, shanghaiDay } from '../i18n.js';
import { h, icon, chev, chip, levelChip, field, input, textarea, select, segmented, showProblem, clearProblem, busy, toast, errorBlock, loading, append, setChildren } from '../ui.js';
import { values, label, deadlineDays } from '../choices.js';
import { navigate, setTitle } from '../router.js';
import { outboxEvents } from '../outbox.js';
import { savedMessage } from '../sync.js';
import { newId, currentInspection, createHazard, finishInspection, joinInspection } from '../commands.js';
import { session } from '../session.js';
import { locate, photoPicker } from '../photos.js';
import { hazardItem } from '../components/hazard-item.js';
import { serverFile } from '../components/server-file.js';
import { progressOf, progressBar, scoreText } from '../components/checklist.js';

/** The checklist of an inspection: on this phone, its progress and the way to answer it; from
 * the server (finished, or opened from a notice), its score and the items that failed. */
function checklistCard(insp, local, id) {
  if (local && insp.checklist) {
    const p = progressOf(insp);
    const done = p.answered === p.total;
    return h('div.card', { 'data-testid': 'inspection-checklist' },
      h('h2', insp.checklist.name), h('div.mt-6', progressBar(p)),
      insp.ended_at ? null : h('a.btn.block.mt-12', { href: `#/inspection/${id}/checklist`, 'data-testid': 'answer-checklist' },
        done ? t('checks.review') : t('checks.continue', { n: p.answered, total: p.total })));
  }
  const c = insp.checklist;
  if (!c || typeof c !== 'object' || !Array.isArray(c.items)) return null;
  const failed = c.items.filter((i) => i.answer && i.answer.result === 'fail');
  return h('div.card', { 'data-testid': 'inspection-checklist' },
    h('h2', `${c.name} · ${t('checks.version', { v: c.version })}`),
    h('p.small', t('checks.score_line', { score: scoreText(insp.score), passed: c.passed, failed: c.failed, na: c.not_applicable })),
    failed.length ? h('div.list.mt-6', failed.map((i) => h('div.item', h('div.grow',
      h('div.item-title', `${i.code} ${i.text}`), i.basis ? h('div.item-sub', `${t('checks.basis')}：${i.basis}`) : null,
      i.answer.note ? h('div.item-sub', i.answer.note) : null)))) : null);
}

/** The inspection as this phone knows it: the local record, updated by the server's answers. */
async function loadInspection(id) {
  const local = await currentInspection();
  if (local && local.id === id) return { inspection: local, local: true };
  const { data } = await cachedGet(`/api/v1/inspections/${id}`);
  return { inspection: data, local: false };
}

function gpsBlock(insp) {
  const loc = insp.location || (insp.lat != null ? { lat: insp.lat, lng: insp.lng, accuracy: insp.accuracy_m } : null);
  if (!loc) return h('div.gps.far', icon('pin'), h('div', h('strong', t('gps.none')), h('div.small', t('gps.none_hint'))));
  const serverKnows = insp.distance_m != null;
  const dist = serverKnows ? insp.distance_m : insp.distance_local;
  const onSite = insp.on_site;
  const cls = onSite === false ? 'far' : (onSite ? 'ok' : '');
  return h(`div.gps${cls ? `.${cls}` : ''}`, { 'data-testid': 'checkin' }, icon('pin'),
    h('div.grow',
      h('strong', onSite === true ? t('gps.on_site') : onSite === false ? t('gps.off_site') : t('gps.checked_in')),
      h('div.small', t('gps.accuracy', { m: fmtNumber(loc.accuracy) }),
        dist != null ? ` · ${t(serverKnows ? 'gps.distance' : 'gps.distance_local', { m: fmtNumber(dist) })}` : ''),
      !serverKnows ? h('div.small', t('gps.awaiting_server')) : null));
}

export async function render({ params, main, isCurrent }) {
  const id = params[0];
  setTitle(t('inspection.title'), { back: true });
  append(main, loading());
  let state;
  try { state = await loadInspection(id); } catch (err) { setChildren(main, errorBlock(err)); return null; }
  if (!isCurrent()) return null;
  // 回头看 (follow-up): the enterprise's earlier hazards to re-check, from the network or cache.
  const recheckBox = h('div');
  if (state.inspection.kind === 'follow_up' && state.inspection.enterprise_id) {
    cachedGet(`/api/v1/hazards?enterprise_id=${state.inspection.enterprise_id}&per_page=50`).then(({ data }) => {
      const earlier = itemsOf(data).filter((x) => ['reported', 'rectifying', 'submitted', 'verified'].includes(x.state));
      if (!earlier.length) return;
      setChildren(recheckBox, h('h2.section-title', t('inspection.recheck', { n: earlier.length })),
        h('div.list', earlier.map(hazardItem)));
    }).catch(() => {});
  }
  let shown = null;
  const draw = async () => {
    const s = await loadInspection(id).catch(() => state);
    if (!isCurrent()) return; // a redraw that was due when the user moved on: not over the next screen
    // Redraw only what changed: a list rebuilt under the user's finger loses the tap.
    const signature = JSON.stringify(s.inspection);
    if (signature === shown) return;
    shown = signature;
    const insp = s.inspection;
    const finished = !!insp.ended_at;
    const team = insp.team || insp.inspector_names || []; // 联合检查: everyone taking part
    // Opened from elsewhere (the 整改通知书's QR code): the server's record lists its hazards.
    const hazards = s.local ? insp.hazards : (insp.hazards || []).map((x) => ({ ...x, photos: 0, synced: true }));
    // The notice is printed from the server's record: once the inspection has reached it.
    const notice = !s.local || insp.synced ? serverFile('a.btn.block.secondary', { href: `/api/v1/inspections/${id}/rectification-notice.pdf`, target: '_blank', rel: 'noopener', 'data-testid': 'notice-pdf' }, icon('download'), t('inspection.notice_pdf')) : null;
    setChildren(main,
      h('div.card',
        h('div.row', chip(label('inspection_kinds', insp.kind), insp.kind === 'unannounced' ? 'pending' : ''), h('span.grow'),
          finished ? chip(t('inspection.finished'), 'ok') : chip(t('inspection.in_progress'), 'pending')),
        h('h2.record-name', insp.enterprise?.name || insp.enterprise_name || ''),
        h('p.small.muted', `${t('inspection.started')} ${fmtDateTime(insp.started_at)}`),
        team.length > 1 ? h('p.small', { 'data-testid': 'inspection-team' }, t('inspection.team', { names: team.join('、') })) : null,
        insp.task ? h('p.small.muted', t('inspection.from_task', { plan: insp.task.plan_name })) : null,
        h('div.mt-12', gpsBlock(insp))),
      checklistCard(insp, s.local, id),
      h('h2.section-title', h('span.grow', t('inspection.hazards_found', { n: hazards.length }))),
      hazards.length ? h('div.list', hazards.map((x) => h('a.item', { href: `#/hazards/${x.id}` },
        h('div.grow', h('div.item-title', x.title), h('div.row.chips.close', levelChip(x.level),
          x.photos ? chip(t('photo.count', { n: x.photos })) : null, x.synced ? chip(t('sync.synced'), 'ok') : chip(t('sync.pending'), 'pending'))),
        chev()))) : h('div.card.muted.small', t('inspection.no_hazards')),
      recheckBox,
      joinable(s) ? h('div.actions', joinButton(insp)) : null,
      finished || !s.local ? (notice ? h('div.actions', notice) : null) : h('div.actions',
        h('a.btn.block', { href: `#/inspection/${id}/hazard` }, icon('plus'), t('hazard.add')),
        h('a.btn.block.secondary', { href: `#/inspection/${id}/finish` }, t('inspection.finish')),
        notice));
  };
  await draw();
  const onChange = () => setTimeout(draw, 50);
  outboxEvents.addEventListener('change', onChange);
  return () => outboxEvents.removeEventListener('change', onChange);
}

/** 联合检查: an open inspection on the server that names me, not the one in progress here. */
function joinable(s) {
  const insp = s.inspection;
  return !s.local && !insp.ended_at && (insp.inspector_ids || []).includes(session.user.id);
}

function joinButton(insp) {
  const btn = h('button.btn.block', { type: 'button', 'data-testid': 'join-inspection' }, t('inspection.join'));
  btn.addEventListener('click', () => busy(btn, async () => {
    const current = await currentInspection();
    if (current && current.id !== insp.id) { toast(t('tasks.finish_first'), { error: true }); return; }
    await joinInspection(insp);
    navigate(`/inspection/${insp.id}`, { replace: true });
  }));
  return btn;
}

function isoEndOfDay(dateStr) {
  return dateStr ? `${dateStr}T23:59:59+08:00` : null;
}
const dateIn = (days) => shanghaiDay(Date.now() + days * 86400000);

/**
 * The hazard form (登记隐患), used from an inspection; the record and its photos are queued.
 * The camera comes first (inspectors photograph, then describe) and 保存隐患 stays in reach at
 * the foot of the screen. The deadline proposed is the server's default for the level chosen
 * (deadline_days), until the inspector sets one.
 */
export async function renderHazardForm({ params, main }) {
  const inspectionId = params[0];
  setTitle(t('hazard.add'), { back: true });
  const insp = await currentInspection();
  if (!insp || insp.id !== inspectionId) { append(main, errorBlock({ status: 404 })); return null; }
  const hazardId = newId(); // chosen once: resubmitting the form never makes a second hazard
  const title = input('title', { maxlength: 200, autocomplete: 'off' });
  const description = textarea('description', { rows: 3 });
  const category = select('category', [['', t('common.choose')], ...values('hazard_categories').map((c) => [c, label('hazard_categories', c)])]);
  const level = segmented('level', values('hazard_levels').map((l) => [l, label('hazard_levels', l)]), 'general', 'major');
  const place = input('place', { maxlength: 200 });
  const deadline = input('deadline', { type: 'date', min: dateIn(0) });
  const deadlineHint = h('p.hint', { 'aria-live': 'polite' });
  let deadlineTouched = false;
  deadline.addEventListener('input', () => { deadlineTouched = true; });
  const proposeDeadline = () => {
    const lvl = level.querySelector('input:checked')?.value || 'general';
    const days = deadlineDays(lvl);
    if (!deadlineTouched) deadline.value = days ? dateIn(days) : '';
    deadlineHint.textContent = days ? t('hazard.deadline_default', { n: days, level: label('hazard_levels', lvl) }) : t('hazard.deadline_server');
  };
  level.addEventListener('change', proposeDeadline);
  proposeDeadline();
  const picker = photoPicker({ name: 'photos' });
  const gpsLine = h('p.small.muted', { 'aria-live': 'polite' }, t('gps.locating'));
  let position = null;
  locate().then((p) => {
    position = p && !p.error ? p : null;
    gpsLine.textContent = position ? t('gps.here', { lat: position.lat, lng: position.lng, m: position.accuracy }) : t('gps.unavailable');
  });
  const btn = h('button.btn.block', { type: 'submit' }, t('hazard.save'));
  const deadlineField = field(t('hazard.f_deadline'), deadline);
  append(deadlineField, deadlineHint);
  const form = h('form.has-footer', { novalidate: true },
    h('div.card', h('span.label.photos-label', t('hazard.f_photos')), picker.el, h('div.mt-10', gpsLine)),
    h('div.card',
      field(t('hazard.f_title'), title, { required: true }),
      field(t('hazard.f_category'), category, { required: true }),
      h('div.field', { dataset: { field: 'level' } }, h('span.label', t('hazard.f_level')), level),
      h('p.hint.after-level', t('hazard.major_hint')),
      deadlineField,
      field(t('hazard.f_description'), description),
      field(t('hazard.f_place'), place)),
    h('div.form-footer', btn));
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    clearProblem(form);
    const errors = {};
    if (!title.value.trim()) errors.title = [t('common.required')];
    if (!category.value) errors.category = [t('common.required')];
    if (Object.keys(errors).length) return showProblem(form, { problem: { detail: t('common.fix_fields'), errors } });
    busy(btn, async () => {
      const photos = await picker.ready();
      const lvl = form.querySelector('input[name=level]:checked').value;
      const body = {
        id: hazardId, enterprise_id: insp.enterprise_id, inspection_id: insp.id,
        title: title.value.trim(), description: description.value.trim(), category: category.value, level: lvl,
        found_at: new Date().toISOString(),
      };
      if (place.value.trim()) body.place = place.value.trim();
      if (deadline.value) body.deadline = isoEndOfDay(deadline.value);
      const loc = position || photos.find((p) => p.lat != null);
      if (loc) body.location = { lat: loc.lat, lng: loc.lng, ...(loc.accuracy != null ? { accuracy: loc.accuracy } : {}) };
      let result;
      try { result = await createHazard(insp, body, photos); } catch { return; } // quota: banner shown
      // On the phone now: the screen moves on while the outbox sends it (a refusal is told then).
      toast(savedMessage(result, t('hazard.saved_syncing')));
      navigate(`/inspection/${insp.id}`, { replace: true });
    });
  });
  append(main, form);
  return null;
}

export async function renderFinish({ params, main }) {
  const id = params[0];
  setTitle(t('inspection.finish'), { back: true });
  const insp = await currentInspection();
  if (!insp || insp.id !== id) { append(main, errorBlock({ status: 404 })); return null; }
  const summary = textarea('summary', { rows: 5, placeholder: t('inspection.summary_placeholder') });
  const btn = h('button.btn.block', { type: 'submit' }, t('inspection.finish_confirm'));
  const majors = insp.hazards.filter((x) => x.level === 'major').length;
  // 检查表: finishing needs every item answered (the server answers 409 otherwise).
  const p = insp.checklist ? progressOf(insp) : null;
  const missing = p ? p.unanswered : [];
  if (missing.length) btn.disabled = true;
  const form = h('form', { novalidate: true },
    missing.length ? h('div.card.form-error', { role: 'alert', 'data-testid': 'unanswered' },
      h('p', t('checks.unanswered', { n: missing.length, codes: missing.slice(0, 12).join('、') })),
      h('a.btn.block.secondary.mt-6', { href: `#/inspection/${id}/checklist` }, t('checks.answer_rest'))) : null,
    h('div.card',
      h('h2', insp.enterprise?.name || ''),
      h('div.stats.summary',
        h('div.stat', h('div.v', String(insp.hazards.length)), h('div.k', t('inspection.hazards_total'))),
        h('div.stat', { class: majors ? 'alert' : '' }, h('div.v', String(majors)), h('div.k', label('hazard_levels', 'major'))),
        p ? h('div.stat', { 'data-testid': 'finish-score' }, h('div.v', scoreText(p.score)), h('div.k', t('checks.score_label'))) : null),
      field(t('inspection.summary'), summary)),
    btn);
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    busy(btn, async () => {
      let result;
      try { result = await finishInspection(insp, { summary: summary.value.trim() }); } catch { return; }
      toast(savedMessage(result, t('inspection.finished_syncing')));
      navigate('/', { replace: true });
    });
  });
  append(main, form);
  return null;
}

