// Interviews (约谈): list, detail with the reasons that triggered it, and the supervisor's
// transitions: schedule (time, place, interviewers) → hold (interviewee, minutes, commitments,
// follow-up deadline) → close.
import { cachedGet, itemsOf } from '../api.js';
import { t, fmtDate, fmtDateTime } from '../i18n.js';
import { h, icon, chev, chip, stateChip, kv, field, input, textarea, showProblem, clearProblem, busy, toast, errorBlock, loading, empty, cachedNote, append, setChildren } from '../ui.js';
import { navigate, setTitle } from '../router.js';
import { transitionInterview } from '../commands.js';
import { label } from '../choices.js';
import { atDesk, redrawAcrossLayouts } from '../components/layout.js';
import { dataTable, rankIn, timeOf } from '../components/data-table.js';
import { serverFile } from '../components/server-file.js';

export async function render({ main, isCurrent }) {
  setTitle(t('interviews.title'));
  append(main, loading());
  let list;
  try { list = await cachedGet('/api/v1/interviews?per_page=100'); } catch (err) {
    setChildren(main, errorBlock(err, () => render({ main, isCurrent })));
    return null;
  }
  if (!isCurrent()) return null;
  const items = itemsOf(list.data);
  const open = items.filter((x) => x.state !== 'closed');
  const closed = items.filter((x) => x.state === 'closed');
  const row = (iv) => h('a.item', { href: `#/interviews/${iv.id}`, 'data-testid': 'interview-item' },
    h('div.grow',
      h('div.item-title', iv.enterprise_name || (iv.enterprise && iv.enterprise.name) || t('interviews.item')),
      h('div.item-sub', iv.scheduled_at ? `${fmtDateTime(iv.scheduled_at)}${iv.place ? ` · ${iv.place}` : ''}` : t('interviews.not_scheduled')),
      h('div.row.wrap.chips', stateChip(iv.state, 'interview'),
        (iv.reasons || []).length ? chip(t('interviews.reasons_n', { n: iv.reasons.length })) : null)),
    chev());
  // 约谈台账: every interview in my scope (an officer's: its enterprise's), as the API limits it.
  const ledger = serverFile('a.btn.small.ghost', { href: '/api/v1/reports/interviews.xlsx', download: '' }, icon('download'), t('interviews.ledger'));
  // At a desk: tables, sortable by column, instead of cards.
  const desk = atDesk();
  const many = (xs) => (desk ? interviewTable(xs) : h('div.list', xs.map(row)));
  setChildren(main, cachedNote(list.cachedAt),
    h('h2.section-title', h('span.grow', t('interviews.open')), ledger),
    open.length ? many(open) : h('div.card', empty(t('interviews.none_open'), 'talk')),
    closed.length ? h('h2.section-title', t('interviews.closed')) : null,
    closed.length ? many(closed) : null);
  return redrawAcrossLayouts();
}

const ivName = (iv) => iv.enterprise_name || (iv.enterprise && iv.enterprise.name) || '';

/** The desk's table of interviews: enterprise, state, time and place, reasons, reply due. */
function interviewTable(items) {
  return dataTable({
    rows: items,
    label: t('interviews.title'), testid: 'interview-item', href: (iv) => `#/interviews/${iv.id}`,
    sort: { key: 'scheduled_at', dir: 'asc' },
    columns: [
      { key: 'enterprise', label: t('interviews.enterprise'), value: ivName, cell: (iv) => ivName(iv) || t('interviews.item') },
      { key: 'state', label: t('hazards.f_state'), value: (iv) => rankIn('interview_states', iv.state),
        cell: (iv) => [stateChip(iv.state, 'interview'), iv.overdue ? chip(t('interviews.overdue'), 'overdue') : null] },
      { key: 'scheduled_at', label: t('interviews.scheduled_at'), value: (iv) => timeOf(iv.scheduled_at),
        cell: (iv) => (iv.scheduled_at ? fmtDateTime(iv.scheduled_at) : t('interviews.not_scheduled')), cls: 'nowrap' },
      { key: 'place', label: t('interviews.place'), value: (iv) => iv.place, cell: (iv) => iv.place || '' },
      { key: 'reasons', label: t('interviews.reasons'), value: (iv) => (iv.reasons || []).length,
        cell: (iv) => (iv.reasons || []).map((r) => r.rule).join(' ') },
      { key: 'follow_up_deadline', label: t('interviews.follow_up_deadline'), value: (iv) => timeOf(iv.follow_up_deadline),
        cell: (iv) => (iv.follow_up_deadline ? fmtDate(iv.follow_up_deadline) : ''), cls: 'nowrap' },
    ],
  });
}

export async function renderDetail({ params, main, isCurrent }) {
  const id = params[0];
  setTitle(t('interviews.detail'), { back: true });
  append(main, loading());
  let iv; let cachedAt;
  try { ({ data: iv, cachedAt } = await cachedGet(`/api/v1/interviews/${id}`)); } catch (err) {
    setChildren(main, errorBlock(err));
    return null;
  }
  if (!isCurrent()) return null;
  // What the server allows this user now (allowed_actions), of the steps this screen has a form for.
  const actions = (Array.isArray(iv.allowed_actions) ? iv.allowed_actions : []).filter((a) => a in FORMS);
  const names = (x) => (Array.isArray(x) ? x.join('、') : x);
  setChildren(main, cachedNote(cachedAt),
    h('div.card',
      h('div.row', stateChip(iv.state, 'interview'), iv.overdue ? chip(t('interviews.overdue'), 'overdue') : null),
      h('h2.interview-title', iv.enterprise_name || (iv.enterprise && iv.enterprise.name) || t('interviews.item')),
      kv([
        [t('interviews.convener'), iv.convener],
        [t('interviews.scheduled_at'), iv.scheduled_at ? fmtDateTime(iv.scheduled_at) : null],
        [t('interviews.place'), iv.place],
        [t('interviews.interviewers'), names(iv.interviewers)],
        [t('interviews.departments'), names(iv.departments)],
        [t('interviews.interviewee'), [iv.interviewee, iv.interviewee_title].filter(Boolean).join(' · ')],
        [t('interviews.situation'), iv.situation],
        [t('interviews.note_taker'), iv.note_taker],
        [t('interviews.held_at'), iv.held_at ? fmtDateTime(iv.held_at) : null],
        [t('interviews.minutes'), iv.minutes],
        [t('interviews.problems'), iv.problems],
        [t('interviews.requirements'), iv.requirements],
        [t('interviews.commitments'), iv.commitments],
        [t('interviews.completion_receipt'), iv.completion_receipt],
        [t('interviews.follow_up_deadline'), iv.follow_up_deadline ? fmtDate(iv.follow_up_deadline) : null],
      ])),
    h('h2.section-title', t('interviews.reasons')),
    (iv.reasons || []).length ? h('div.list', iv.reasons.map((r) => h('a.item', { href: r.hazard_id ? `#/hazards/${r.hazard_id}` : null },
      h('div.grow', h('div.item-title', `${r.rule} ${label('escalation_rules', r.rule)}`), h('div.item-sub', r.hazard_title || r.detail || '')), r.hazard_id ? chev() : null)))
      : h('div.card.muted.small', t('interviews.no_reasons')),
    h('div.actions',
      actions.map((a) => h('a.btn.block', { href: `#/interviews/${id}/do/${a}`, 'data-action': a }, label('interview_actions', a))),
      serverFile('a.btn.block.secondary', { href: `/api/v1/interviews/${id}/record.pdf`, target: '_blank', rel: 'noopener', 'data-testid': 'record-pdf' }, icon('download'), t('interviews.record_pdf'))));
  return null;
}

const FORMS = {
  schedule: [['scheduled_at', 'datetime-local', true], ['place', 'text', true], ['interviewers', 'text', true, 'list'], ['departments', 'text', false, 'list']],
  reschedule: [['scheduled_at', 'datetime-local', true], ['place', 'text', false], ['interviewers', 'text', false, 'list']],
  hold: [['held_at', 'datetime-local', true], ['interviewee', 'text', true], ['interviewee_title', 'text', true], ['note_taker', 'text', true], ['minutes', 'area', true], ['problems', 'area', false], ['requirements', 'area', false], ['commitments', 'area', true], ['follow_up_deadline', 'date', true]],
  close: [['completion_receipt', 'area', true], ['note', 'area', false]],
};

/** YYYY-MM-DDTHH:MM of an instant on the Shanghai clock (what a datetime-local field holds). */
const shanghaiMinute = (ms) => new Date(ms + 8 * 3600000).toISOString().slice(0, 16);

export async function renderAction({ params, main }) {
  const [id, action] = params;
  setTitle(label('interview_actions', action), { back: true });
  let iv;
  try { ({ data: iv } = await cachedGet(`/api/v1/interviews/${id}`)); } catch (err) { append(main, errorBlock(err)); return null; }
  const spec = FORMS[action] || [];
  const controls = {};
  const proposed = {}; // values the form proposes that the server would choose alike
  const card = h('div.card');
  for (const [name, type, required, kind] of spec) {
    const ctl = type === 'area' ? textarea(name, { rows: 4 }) : input(name, { type });
    // Written follow-up is commonly due within 5 working days of the interview (DOMAIN.md).
    if (type === 'date') ctl.value = new Date(Math.max(Date.now(), Date.parse(iv.scheduled_at || 0) || 0) + (8 + 7 * 24) * 3600000).toISOString().slice(0, 10);
    // 实际约谈时间: the scheduled time (now, if that is still to come) unless the note-taker says
    // otherwise. Left as proposed it is not sent: the server keeps the scheduled time itself, to
    // the second (the field holds minutes, on Shanghai's clock).
    if (name === 'held_at') {
      const now = Date.now();
      ctl.value = shanghaiMinute(Math.min(now, Date.parse(iv.scheduled_at || '') || now));
      proposed[name] = ctl.value;
    }
    controls[name] = ctl;
    const hint = kind === 'list' ? t('interviews.list_hint') : name === 'held_at' ? t('interviews.held_at_hint') : null;
    append(card, field(t(`interviews.${name}`), ctl, { required, hint }));
  }
  const btn = h('button.btn.block', { type: 'submit' }, label('interview_actions', action));
  const form = h('form', { novalidate: true }, card, btn);
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    clearProblem(form);
    const body = {};
    const errors = {};
    for (const [name, type, required, kind] of spec) {
      let v = controls[name].value.trim();
      if (!v) { if (required) errors[name] = [t('common.required')]; continue; }
      if (proposed[name] === v) continue;
      if (kind === 'list') v = v.split(/[,，、;；\n]+/).map((s) => s.trim()).filter(Boolean);
      else if (type === 'datetime-local') v = `${v}:00+08:00`;
      else if (type === 'date') v = `${v}T23:59:59+08:00`;
      body[name] = v;
    }
    if (Object.keys(errors).length) return showProblem(form, { problem: { detail: t('common.fix_fields'), errors } });
    busy(btn, async () => {
      try {
        await transitionInterview(iv, action, body);
        toast(t('action.done', { action: label('interview_actions', action) }));
        navigate(`/interviews/${id}`, { replace: true });
      } catch (err) {
        showProblem(form, err);
      }
    });
  });
  append(main, form);
  return null;
}
