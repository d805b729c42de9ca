// Answering a checklist (检查表) item by item, with one thumb and no signal: the item in large
// type, 符合 / 不符合 / 不适用 as big buttons, the next unanswered item after each answer, the
// progress and the score. A failure becomes a hazard (the item's category, level and basis
// prefilled, major when the item is a 重大事故隐患 case) with its photos. Everything is saved on
// the phone first and sent by the outbox (commands.js). Also the officer's 企业自查 start.
import { cachedGet } from '../api.js';
import { t, shanghaiDay } from '../i18n.js';
import { h, icon, chip, field, input, textarea, select, segmented, showProblem, clearProblem, busy, toast, errorBlock, loading, append, setChildren } from '../ui.js';
import { values, label, deadlineDays } from '../choices.js';
import { navigate, setTitle } from '../router.js';
import { session } from '../session.js';
import { savedMessage } from '../sync.js';
import { newId, currentInspection, startInspection, answerCheck, failCheck } from '../commands.js';
import { locate, photoPicker } from '../photos.js';
import { loadChecklists, checklistPicker, progressOf, progressBar, scoreText } from '../components/checklist.js';

const dateIn = (days) => shanghaiDay(Date.now() + days * 86400000);
const isoEndOfDay = (day) => (day ? `${day}T23:59:59+08:00` : null);

/** The inspection in progress on this phone if it is `id` and follows a checklist. */
async function localChecklist(id) {
  const insp = await currentInspection();
  return insp && insp.id === id && insp.checklist ? insp : null;
}

function resultChip(answer) {
  if (!answer) return chip(t('checks.todo'), 'pending');
  const cls = { pass: 'ok', fail: 'major', na: 'general' }[answer.result] || '';
  return chip(label('answer_results', answer.result), cls);
}

function itemFlags(item) {
  return [chip(item.code), chip(label('hazard_categories', item.category)),
    item.major_if_failed ? chip(t('checks.major_item'), 'major') : null,
    item.requires_photo ? chip(t('checks.photo_item')) : null];
}

/** The next item to answer after `code`: the first unanswered one after it, else before it. */
function nextAfter(items, answers, code) {
  const at = items.findIndex((i) => i.code === code);
  const order = [...items.slice(at + 1), ...items.slice(0, Math.max(0, at))];
  return order.find((i) => !answers[i.code]) || null;
}

/** 逐项检查: one item at a time, then the list of every item with its answer. */
export async function renderChecklist({ params, main, query }) {
  const id = params[0];
  setTitle(t('checks.title'), { back: true });
  let insp = await localChecklist(id);
  if (!insp) { append(main, errorBlock({ status: 404 })); return null; }
  const items = insp.checklist.items;
  let current = items.find((i) => i.code === query.get('code')) ||
    items.find((i) => !(insp.answers || {})[i.code]) || null;

  const draw = () => {
    const answers = insp.answers || {};
    const p = progressOf(insp);
    const head = h('div.card.check-head',
      h('p.small.muted', `${insp.checklist.name} · ${t('checks.version', { v: insp.checklist.version })}`),
      progressBar(p));
    let focus;
    if (current) {
      const item = current;
      const answer = answers[item.code];
      const note = textarea('note', { rows: 2, placeholder: t('checks.na_placeholder') });
      const naConfirm = h('button.btn.block.secondary', { type: 'submit' }, t('checks.na_confirm'));
      const naForm = h('form.na-form', { novalidate: true, hidden: true },
        field(t('checks.note'), note, { required: true }), naConfirm);
      naForm.addEventListener('submit', (ev) => {
        ev.preventDefault();
        clearProblem(naForm);
        if (!note.value.trim()) return showProblem(naForm, { problem: { detail: t('common.fix_fields'), errors: { note: [t('checks.note_required')] } } });
        busy(naConfirm, () => answer$(item, { result: 'na', note: note.value.trim() }));
      });
      const pass = h('button.btn.answer.pass', { type: 'button', 'data-answer': 'pass' }, icon('check'), label('answer_results', 'pass'));
      const fail = h('button.btn.answer.fail', { type: 'button', 'data-answer': 'fail' }, label('answer_results', 'fail'));
      const na = h('button.btn.answer.na', { type: 'button', 'data-answer': 'na' }, label('answer_results', 'na'));
      pass.addEventListener('click', () => busy(pass, () => answer$(item, { result: 'pass' })));
      fail.addEventListener('click', () => navigate(`/inspection/${id}/item/${encodeURIComponent(item.code)}/fail`));
      na.addEventListener('click', () => { naForm.hidden = false; note.focus(); });
      focus = h('div.card.check-item', { 'data-testid': 'check-item', dataset: { code: item.code } },
        h('div.row.chips', itemFlags(item)),
        h('h2.check-text', item.text),
        item.basis ? h('p.small.muted.check-basis', `${t('checks.basis')}：${item.basis}`) : null,
        answer ? h('p.small.mt-6', t('checks.answered_as'), resultChip(answer), answer.note ? ` ${answer.note}` : '') : null,
        h('div.answer-buttons', pass, fail, na),
        naForm);
    } else {
      focus = h('div.card.check-done', { 'data-testid': 'check-done' },
        h('h2', icon('check'), t('checks.all_done')),
        h('p', t('checks.score_line', { score: scoreText(p.score), passed: p.passed, failed: p.failed, na: p.na })),
        h('a.btn.block', { href: `#/inspection/${id}/finish` }, t('inspection.finish')));
    }
    const list = h('div.list.check-list', items.map((i) => h('a.item', {
      href: `#/inspection/${id}/checklist?code=${encodeURIComponent(i.code)}`, dataset: { code: i.code },
      'aria-current': current && current.code === i.code ? 'true' : null,
      onclick: (ev) => { ev.preventDefault(); current = i; draw(); window.scrollTo(0, 0); },
    }, h('div.grow', h('div.item-title', `${i.code} ${i.text}`)), resultChip(answers[i.code]))));
    setChildren(main, head, focus,
      h('a.btn.block.secondary.mt-12', { href: `#/inspection/${id}` }, t('checks.back_to_inspection')),
      h('h2.section-title', t('checks.all_items', { n: items.length })), list);
  };

  const answer$ = async (item, body) => {
    try { await answerCheck(insp, item.code, body); } catch { return; } // quota: banner shown
    insp = await localChecklist(id) || insp;
    current = nextAfter(items, insp.answers || {}, item.code);
    draw();
    window.scrollTo(0, 0);
  };
  draw();
  return null;
}

/** 不符合: the item becomes a hazard with its photos, prefilled from the item. */
export async function renderFail({ params, main }) {
  const [id, code] = params;
  setTitle(t('checks.fail_title'), { back: true });
  const insp = await localChecklist(id);
  const item = insp && insp.checklist.items.find((i) => i.code === code);
  if (!item) { append(main, errorBlock({ status: 404 })); return null; }
  const hazardId = newId(); // chosen once: saving twice never makes a second hazard
  const picker = photoPicker({ name: 'photo_ids' });
  const note = textarea('note', { rows: 3, placeholder: t('checks.fail_placeholder') });
  const title = input('title', { maxlength: 200, value: t('checks.fail_hazard_title', { text: item.text }).slice(0, 200) });
  const category = select('category', values('hazard_categories').map((c) => [c, label('hazard_categories', c)]), { value: item.category });
  const level = item.major_if_failed ? null
    : segmented('level', values('hazard_levels').map((l) => [l, label('hazard_levels', l)]), 'general', 'major');
  const levelNow = () => (item.major_if_failed ? 'major' : level.querySelector('input:checked').value);
  const deadline = input('deadline', { type: 'date', min: dateIn(0) });
  let deadlineTouched = false;
  deadline.addEventListener('input', () => { deadlineTouched = true; });
  const propose = () => { const days = deadlineDays(levelNow()); if (!deadlineTouched) deadline.value = days ? dateIn(days) : ''; };
  level?.addEventListener('change', propose);
  propose();
  const place = input('place', { maxlength: 200 });
  let position = null;
  locate().then((pos) => { position = pos && !pos.error ? pos : null; });
  const btn = h('button.btn.block.danger', { type: 'submit' }, t('checks.fail_save'));
  const form = h('form.has-footer', { novalidate: true },
    h('div.card.check-item.compact', h('div.row.chips', itemFlags(item)), h('p.check-text-small', item.text),
      item.basis ? h('p.small.muted', `${t('checks.basis')}：${item.basis}`) : null),
    h('div.card',
      h('span.label.photos-label', t('hazard.f_photos'), item.requires_photo ? h('span.req', { 'aria-hidden': 'true' }, '*') : null),
      picker.el),
    h('div.card',
      field(t('checks.note'), note, { required: true }),
      field(t('hazard.f_title'), title, { required: true }),
      field(t('hazard.f_category'), category, { required: true }),
      item.major_if_failed
        ? h('div.field', { dataset: { field: 'level' } }, h('span.label', t('hazard.f_level')), h('p', chip(label('hazard_levels', 'major'), 'major')),
          h('p.hint', t('checks.major_hint')))
        : h('div.field', { dataset: { field: 'level' } }, h('span.label', t('hazard.f_level')), level),
      field(t('hazard.f_deadline'), deadline),
      field(t('hazard.f_place'), place)),
    h('div.form-footer', btn));
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    clearProblem(form);
    busy(btn, async () => {
      const photos = await picker.ready();
      const errors = {};
      if (!note.value.trim()) errors.note = [t('checks.note_required')];
      if (!title.value.trim()) errors.title = [t('common.required')];
      if (item.requires_photo && !photos.length) errors.photo_ids = [t('checks.photo_required')];
      if (Object.keys(errors).length) return showProblem(form, { problem: { detail: t('common.fix_fields'), errors } });
      const lvl = levelNow();
      const body = {
        id: hazardId, enterprise_id: insp.enterprise_id, inspection_id: insp.id, checklist_item: item.code,
        title: title.value.trim(), category: category.value, level: lvl, found_at: new Date().toISOString(),
        description: [note.value.trim(), item.basis ? `${t('checks.basis')}：${item.basis}` : ''].filter(Boolean).join('\n'),
      };
      if (place.value.trim()) body.place = place.value.trim();
      if (deadline.value) body.deadline = isoEndOfDay(deadline.value);
      const loc = position || photos.find((ph) => ph.lat != null);
      if (loc) body.location = { lat: loc.lat, lng: loc.lng, ...(loc.accuracy != null ? { accuracy: loc.accuracy } : {}) };
      let result;
      try { result = await failCheck(insp, item.code, { hazard: body, photos, note: note.value.trim() }); } catch { return; }
      toast(savedMessage(result, t('checks.fail_saved')));
      navigate(`/inspection/${id}/checklist`, { replace: true });
    });
  });
  append(main, form);
  return null;
}

/** 企业自查: the officer chooses a checklist and inspects its own enterprise. */
export async function renderSelfStart({ main, isCurrent }) {
  setTitle(t('self.title'), { back: true });
  const user = session.user;
  if (user.role !== 'officer' || !user.enterprise_id) { append(main, errorBlock({ status: 404 })); return null; }
  const current = await currentInspection();
  if (current && current.kind === 'self' && current.checklist) return navigate(`/inspection/${current.id}/checklist`, { replace: true });
  append(main, loading());
  let ent;
  try { ent = (await cachedGet(`/api/v1/enterprises/${user.enterprise_id}`)).data; } catch (err) {
    setChildren(main, errorBlock(err, () => renderSelfStart({ main, isCurrent })));
    return null;
  }
  const list = await loadChecklists();
  if (!isCurrent()) return null;
  if (!list.length) { setChildren(main, errorBlock({ offline: !navigator.onLine })); return null; }
  const picker = checklistPicker(list, ent.industry, { optional: false });
  const btn = h('button.btn.block', { type: 'submit' }, icon('check'), t('self.start'));
  const form = h('form', { novalidate: true },
    h('div.card', h('h2.record-name', ent.name), h('p.small.muted.mt-4', t('self.intro'))),
    h('h2.section-title', t('checks.choose')), picker.el,
    h('div.actions', btn));
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const checklist = picker.chosen();
    if (!checklist) return showProblem(form, { problem: { detail: t('checks.choose'), errors: { checklist_id: [t('common.required')] } } });
    busy(btn, async () => {
      const pos = await locate({ timeout: 8000 });
      let started;
      try {
        started = await startInspection(ent, { kind: 'self', location: pos && !pos.error ? pos : null, checklist });
      } catch { return; }
      navigate(`/inspection/${started.id}/checklist`);
    });
  });
  setChildren(main, form);
  return null;
}
