// Campaigns (安全生产月): the list, setting one up (supervisors), and a campaign's screen: its
// days, its activities by kind, and the submissions board (报送情况) — which communities have
// submitted their summary (on time or late), which are missing; a community's supervisor submits
// (报送: frozen, with the SHA-256 shown here and printed on the PDF); the street's summary is
// built from the submissions.
import { cachedGet, itemsOf } from '../api.js';
import { t, fmtDateTime, fmtNumber, shanghaiDay } from '../i18n.js';
import { h, icon, chev, chip, field, input, showProblem, clearProblem, busy, toast, errorBlock, loading, empty, cachedNote, append, setChildren } from '../ui.js';
import { label } from '../choices.js';
import { navigate, setTitle } from '../router.js';
import { session } from '../session.js';
import { createCampaign, newId, submitSummary } from '../commands.js';
import { campaignStatus, recordsActivities, shortDay } from '../components/campaign-banner.js';
import { serverFile } from '../components/server-file.js';

const manages = () => ['supervisor', 'admin'].includes(session.user?.role);
const phaseChip = (c) => {
  const { phase } = campaignStatus(c);
  return chip(label('campaign_phases', phase), phase === 'running' ? 'ok' : phase === 'ended' ? '' : 'pending');
};
const period = (c) => `${c.starts_on} — ${c.ends_on}`;

export async function render({ main, isCurrent }) {
  setTitle(t('campaign.list_title'));
  append(main, loading());
  let res;
  try { res = await cachedGet('/api/v1/campaigns?per_page=50'); } catch (err) {
    setChildren(main, errorBlock(err, () => render({ main, isCurrent })));
    return null;
  }
  if (!isCurrent()) return null;
  const items = itemsOf(res.data);
  setChildren(main, cachedNote(res.cachedAt),
    manages() ? h('div.actions', h('a.btn.block', { href: '#/campaigns/new' }, icon('plus'), t('campaign.new'))) : null,
    items.length ? h('div.list', items.map((c) => h('a.item', { href: `#/campaigns/${c.id}`, 'data-testid': 'campaign-item' },
      h('div.grow', h('div.item-title', c.name),
        h('div.item-sub', `${period(c)} · ${t('campaign.due_short', { day: c.submission_due })}`),
        h('div.row.wrap.chips', phaseChip(c))),
      chev()))) : h('div.card', empty(t('campaign.none'), 'list')));
  return null;
}

/** 设立专项活动: name, period, the day the communities' summaries are due (online). */
export async function renderNew({ main }) {
  setTitle(t('campaign.new'), { back: true });
  const year = shanghaiDay().slice(0, 4);
  const campaignId = newId();
  const name = input('name', { maxlength: 100, value: t('campaign.default_name', { year }) });
  const starts = input('starts_on', { type: 'date', value: `${year}-06-01` });
  const ends = input('ends_on', { type: 'date', value: `${year}-06-30` });
  const due = input('submission_due', { type: 'date', value: `${year}-06-25` });
  const btn = h('button.btn.block', { type: 'submit' }, t('campaign.create'));
  const form = h('form', { novalidate: true },
    h('div.card',
      field(t('campaign.f_name'), name, { required: true }),
      field(t('campaign.f_starts_on'), starts, { required: true }),
      field(t('campaign.f_ends_on'), ends, { required: true }),
      field(t('campaign.f_submission_due'), due, { required: true, hint: t('campaign.due_hint') })),
    btn);
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    clearProblem(form);
    const errors = {};
    for (const el of [name, starts, ends, due]) if (!el.value.trim()) errors[el.name] = [t('common.required')];
    if (Object.keys(errors).length) return showProblem(form, { problem: { detail: t('common.fix_fields'), errors } });
    busy(btn, async () => {
      try {
        const made = await createCampaign({ id: campaignId, name: name.value.trim(), starts_on: starts.value, ends_on: ends.value, submission_due: due.value });
        toast(t('campaign.created'));
        navigate(`/campaigns/${made.id}`, { replace: true });
      } catch (err) { showProblem(form, err); }
    });
  });
  append(main, form);
  return null;
}

/** A row of the board: a community that submitted (its time, who, the SHA-256 of what it
 * froze, the PDF exactly as submitted) or not yet (a supervisor of it submits here). */
function boardRow(c, s, onSubmit) {
  if (s.submitted_at) {
    return h('div.item.board-row', { 'data-testid': 'board-row', dataset: { community: s.community_id, status: s.status } },
      h('div.grow',
        h('div.row.wrap', h('span.item-title', s.community_name), h('span.grow'), chip(label('submission_statuses', s.status), s.late ? 'overdue' : 'ok')),
        h('div.item-sub', t('campaign.submitted_line', { time: fmtDateTime(s.submitted_at), who: s.submitted_by?.display_name || '' })),
        h('div.sha', h('span.muted.small', t('campaign.sha_content')), h('code', { 'data-testid': 'content-sha256' }, s.content_sha256)),
        h('div.sha', h('span.muted.small', t('campaign.sha_pdf')), h('code', s.pdf_sha256)),
        h('div.row.wrap.mt-6', serverFile('a.btn.small.secondary', { href: s.urls.pdf, target: '_blank', rel: 'noopener', 'data-testid': 'submission-pdf' }, icon('download'), t('campaign.frozen_pdf')))));
  }
  const mine = session.user?.role === 'supervisor' && (session.user.community_ids || []).includes(s.community_id);
  const preview = `/api/v1/reports/campaign-summary.pdf?campaign_id=${c.id}&community_id=${s.community_id}`;
  return h('div.item.board-row', { 'data-testid': 'board-row', dataset: { community: s.community_id, status: s.status } },
    h('div.grow',
      h('div.row.wrap', h('span.item-title', s.community_name), h('span.grow'), chip(label('submission_statuses', s.status), s.late ? 'overdue' : 'pending')),
      h('div.row.wrap.mt-6',
        serverFile('a.btn.small.secondary', { href: preview, target: '_blank', rel: 'noopener' }, icon('list'), t('campaign.preview_pdf')),
        mine ? h('button.btn.small', { type: 'button', 'data-testid': 'submit-summary', onclick: (ev) => onSubmit(s, ev.currentTarget) }, icon('upload'), t('campaign.submit')) : null)));
}

export async function renderDetail({ params, main, isCurrent }) {
  const id = params[0];
  setTitle(t('campaign.title'), { back: true });
  append(main, loading());
  const draw = async () => {
    let res;
    try { res = await cachedGet(`/api/v1/campaigns/${id}`); } catch (err) {
      setChildren(main, errorBlock(err, draw));
      return;
    }
    if (!isCurrent()) return;
    const c = res.data;
    const s = campaignStatus(c);
    const counts = c.activity_counts || { by_kind: [], confirmed: 0, pending: 0 };
    const done = (counts.by_kind || []).filter((k) => k.count);
    const onSubmit = async (row, button) => {
      if (!confirm(t('campaign.submit_confirm', { community: row.community_name }))) return;
      await busy(button, async () => {
        try {
          const made = await submitSummary(c.id, row.community_id);
          toast(t('campaign.submitted', { sha: made.content_sha256.slice(0, 12) }));
          await draw();
        } catch (err) { toast(err.offline ? t('common.offline_action') : err.message, { error: true, ms: 8000 }); }
      });
    };
    const board = session.user.role !== 'officer' ? [
      h('h2.section-title', h('span.grow', t('campaign.board')),
        h('span.small', t('campaign.board_counts', { done: c.counts?.submitted ?? 0, all: c.counts?.communities ?? 0 }))),
      h('div.list', { 'data-testid': 'submissions-board' },
        [...(c.submissions || []), ...(c.missing || [])].map((row) => boardRow(c, row, onSubmit))),
      manages() && (c.submissions || []).length ? h('div.actions', serverFile('a.btn.block.secondary', { href: `/api/v1/campaigns/${c.id}/street-summary.pdf`, target: '_blank', rel: 'noopener', 'data-testid': 'street-summary' }, icon('download'), t('campaign.street_pdf'))) : null,
    ] : null;
    setChildren(main, cachedNote(res.cachedAt),
      h('div.card',
        h('div.row', phaseChip(c)),
        h('h2.campaign-name', c.name),
        h('p.campaign-days', s.phase === 'running' ? t('campaign.days_left', { n: s.left })
          : s.phase === 'upcoming' ? t('campaign.starts_in', { n: s.toStart }) : label('campaign_phases', s.phase)),
        h('p.small.muted', `${shortDay(c.starts_on)}—${shortDay(c.ends_on)} · ${s.toDue >= 0 ? t('campaign.due_line', { day: shortDay(c.submission_due), n: s.toDue }) : t('campaign.due_passed', { day: shortDay(c.submission_due) })}`)),
      h('div.card', { 'data-testid': 'activity-counts' },
        h('h2', t('campaign.activities')),
        done.length ? h('dl.kv', done.flatMap((k) => [h('dt', label('activity_kinds', k.key)),
          h('dd', t('campaign.kind_line', { n: fmtNumber(k.count), people: fmtNumber(k.participants) }))]))
          : h('p.small.muted', t('campaign.no_activities')),
        counts.pending ? h('a.btn.small.secondary.mt-6', { href: `#/activities?campaign_id=${c.id}&state=pending` }, t('campaign.pending', { n: counts.pending })) : null,
        h('div.actions',
          s.phase === 'running' && recordsActivities() ? h('a.btn.block', { href: `#/activities/new?campaign_id=${c.id}` }, icon('plus'), t(session.user.role === 'officer' ? 'activity.record_own' : 'activity.record')) : null,
          h('a.btn.block.secondary', { href: `#/activities?campaign_id=${c.id}` }, t('campaign.activity_list')))),
      board);
  };
  await draw();
  return null;
}
