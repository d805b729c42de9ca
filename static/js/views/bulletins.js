// Warnings and safety notices (预警、安全提示). Supervisors write one (title, text, a PDF if they
// like), choose whom it reaches (communities, industries, risk colours) and whether it must be
// acknowledged, then follow who has (已签收) and who has not (未签收) and remind them (催签).
// Officers read theirs and acknowledge (签收) through the outbox.
import { cachedGet, cachedPage, itemsOf } from '../api.js';
import { t, fmtDateTime, fmtRelative } from '../i18n.js';
import { h, icon, chev, chip, kv, field, input, textarea, segmented, showProblem, clearProblem, busy, toast, errorBlock, loading, empty, cachedNote, append, setChildren } from '../ui.js';
import { label, values } from '../choices.js';
import { navigate, setTitle } from '../router.js';
import { session } from '../session.js';
import { newId, publishBulletin, acknowledgeBulletin, ackQueued, remindBulletin } from '../commands.js';
import { outboxEvents } from '../outbox.js';
import { serverFile } from '../components/server-file.js';

const kindChip = (b) => chip(label('bulletin_kinds', b.kind), `bulletin-${b.kind}`);
const mayPublish = () => session.user && session.user.role === 'supervisor';

function row(b) {
  const officer = session.user && session.user.role === 'officer';
  return h('a.item', { href: `#/bulletins/${b.id}`, 'data-testid': 'bulletin-item' },
    h('div.grow',
      h('div.item-title', b.title),
      h('div.row.wrap.chips', kindChip(b),
        officer && b.my_state ? chip(label('receipt_states', b.my_state), b.my_state === 'acknowledged' ? 'ok' : 'pending') : null,
        !officer && b.requires_ack ? chip(t('bulletins.counts', { ack: b.acknowledged_count ?? 0, pending: b.pending_count ?? 0 }), b.pending_count ? 'pending' : 'ok') : null,
        h('span.item-sub', fmtRelative(b.published_at)))),
    chev());
}

export async function render({ main, isCurrent }) {
  setTitle(t('bulletins.title'));
  append(main, loading());
  let page;
  try { page = await cachedPage('/api/v1/bulletins?per_page=100'); } catch (err) {
    setChildren(main, errorBlock(err, () => render({ main, isCurrent })));
    return null;
  }
  if (!isCurrent()) return null;
  const items = page.items;
  setChildren(main, cachedNote(page.cachedAt),
    mayPublish() ? h('a.btn.block', { href: '#/bulletins/new', 'data-testid': 'new-bulletin' }, icon('plus'), t('bulletins.new')) : null,
    h('h2.section-title', t('bulletins.list')),
    items.length ? h('div.list', items.map(row)) : h('div.card', empty(t('bulletins.none'), 'megaphone')));
  return null;
}

/** A group of check boxes (the accounts form's kind, two to a row). */
function checks(name, options) {
  return h('div.checks', { role: 'group' },
    options.map(([v, text]) => h('label', h('input', { type: 'checkbox', name, value: v }), h('span', text))));
}
const ticked = (box) => [...box.querySelectorAll('input:checked')].map((i) => i.value);

export async function renderForm({ main, isCurrent }) {
  setTitle(t('bulletins.new'), { back: true });
  const communities = await cachedGet('/api/v1/communities').then((r) => itemsOf(r.data)).catch(() => []);
  if (!isCurrent()) return null;
  const id = newId(); // one bulletin per form, however often the button is pressed
  const uploadId = newId();
  const kind = segmented('kind', values('bulletin_kinds').map((v) => [v, label('bulletin_kinds', v)]), 'warning');
  const title = input('title', { maxlength: 200 });
  const body = textarea('body', { rows: 6, maxlength: 20000 });
  const toCommunities = checks('community_ids', communities.map((c) => [c.id, c.name]));
  const toIndustries = checks('industries', values('industries').map((v) => [v, label('industries', v)]));
  const toRisks = checks('risk_levels', values('risk_levels').map((v) => [v, label('risk_levels', v)]));
  const ack = h('input', { type: 'checkbox', name: 'requires_ack', checked: true });
  const file = h('input', { type: 'file', name: 'file', accept: 'application/pdf,.pdf' });
  const btn = h('button.btn.block', { type: 'submit', 'data-testid': 'publish' }, icon('megaphone'), t('bulletins.publish'));
  const form = h('form', { novalidate: true },
    h('div.card',
      h('div.field', { dataset: { field: 'kind' } }, h('span.label', t('bulletins.kind')), kind),
      field(t('bulletins.f_title'), title, { required: true }),
      field(t('bulletins.body'), body, { required: true })),
    h('div.card', { dataset: { field: 'target' } },
      h('h2', t('bulletins.target')), h('p.hint', t('bulletins.target_hint')),
      communities.length ? h('div.field', { dataset: { field: 'target.community_ids' } }, h('span.label', t('bulletins.communities')), toCommunities) : null,
      h('div.field', { dataset: { field: 'target.industries' } }, h('span.label', t('bulletins.industries')), toIndustries),
      h('div.field', { dataset: { field: 'target.risk_levels' } }, h('span.label', t('bulletins.risk_levels')), toRisks)),
    h('div.card',
      h('label.check-line', ack, h('span', t('bulletins.requires_ack'))),
      field(t('bulletins.attachment'), file, { hint: t('bulletins.attachment_hint') })),
    btn);
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    clearProblem(form);
    const target = { community_ids: ticked(toCommunities), industries: ticked(toIndustries), risk_levels: ticked(toRisks) };
    const errors = {};
    if (!title.value.trim()) errors.title = [t('common.required')];
    if (!body.value.trim()) errors.body = [t('common.required')];
    if (!target.community_ids.length && !target.industries.length && !target.risk_levels.length) errors.target = [t('bulletins.target_missing')];
    if (Object.keys(errors).length) return showProblem(form, { problem: { detail: t('common.fix_fields'), errors } });
    busy(btn, async () => {
      try {
        const made = await publishBulletin({ id, attachment_upload_id: uploadId, kind: kind.querySelector('input:checked')?.value || 'warning',
          title: title.value.trim(), body: body.value.trim(), target, requires_ack: ack.checked }, file.files[0] || null);
        toast(t('bulletins.published', { n: made.pending_count ?? 0 }));
        navigate(`/bulletins/${made.id}`, { replace: true });
      } catch (err) {
        showProblem(form, err);
      }
    });
  });
  append(main, form);
  return null;
}

function receiptRow(r) {
  return h('div.item', { 'data-testid': `receipt-${r.state}` },
    h('div.grow', h('div.item-title', r.enterprise_name),
      h('div.item-sub', r.state === 'acknowledged'
        ? [fmtDateTime(r.acknowledged_at), r.acknowledged_by].filter(Boolean).join(' · ')
        : [r.officers ? null : t('bulletins.no_officer'), r.reminded_at ? t('bulletins.reminded', { time: fmtRelative(r.reminded_at) }) : null].filter(Boolean).join(' · '))),
    chip(label('receipt_states', r.state), r.state === 'acknowledged' ? 'ok' : 'pending'));
}

export async function renderDetail({ params, main, isCurrent }) {
  const id = params[0];
  setTitle(t('bulletins.detail'), { back: true });
  append(main, loading());
  // Asked before the server: an acknowledgement delivered meanwhile shows as done, not undone.
  const officer = session.user.role === 'officer';
  const queued = officer ? await ackQueued(id) : false;
  let b; let cachedAt;
  try { ({ data: b, cachedAt } = await cachedGet(`/api/v1/bulletins/${id}`)); } catch (err) {
    setChildren(main, errorBlock(err));
    return null;
  }
  if (!isCurrent()) return null;
  let ackBox = null;
  if (officer && b.receipt) {
    const done = b.receipt.state === 'acknowledged';
    const ackBtn = h('button.btn.block.ok', { type: 'button', 'data-testid': 'ack' }, icon('check'), t('bulletins.ack'));
    ackBtn.addEventListener('click', () => busy(ackBtn, async () => {
      await acknowledgeBulletin(b);
      toast(t('bulletins.ack_saved'));
      navigate(`/bulletins/${id}`, { replace: true });
    }));
    ackBox = done ? h('div.card.ack-done', { 'data-testid': 'ack-done' }, icon('check'), t('bulletins.acked', { time: fmtDateTime(b.receipt.acknowledged_at) }))
      : queued ? h('div.card.ack-done.pending', { 'data-testid': 'ack-queued' }, icon('sync'), t('bulletins.ack_queued'))
        : ackBtn;
  }
  const remind = b.can_remind ? h('button.btn.block.secondary', { type: 'button', 'data-testid': 'remind' }, icon('bell'), t('bulletins.remind', { n: (b.pending || []).length })) : null;
  remind?.addEventListener('click', () => busy(remind, async () => {
    try {
      const r = await remindBulletin(b);
      toast(t('bulletins.reminded_toast', { n: r.enterprises }));
      navigate(`/bulletins/${id}`, { replace: true });
    } catch (err) { toast(err.offline ? t('common.offline_action') : err.message, { error: true }); }
  }));
  setChildren(main, cachedNote(cachedAt),
    h('div.card', { 'data-testid': 'bulletin' },
      h('div.row.wrap', kindChip(b), b.requires_ack ? chip(t('bulletins.needs_ack')) : null),
      h('h2.bulletin-title', b.title),
      h('p.small.muted', [fmtDateTime(b.published_at), b.author ? b.author.display_name : null].filter(Boolean).join(' · ')),
      h('p.bulletin-body', b.body),
      b.attachment_url ? serverFile('a.btn.block.secondary', { href: b.attachment_url, target: '_blank', rel: 'noopener' }, icon('download'), b.attachment ? b.attachment.filename : t('bulletins.attachment')) : null,
      !officer ? kv([[t('bulletins.target'), targetText(b.target)]]) : null),
    ackBox,
    Array.isArray(b.pending) ? [
      h('div.stats', { 'data-testid': 'ack-stats' },
        h('div.stat', h('div.v', String((b.acknowledged || []).length)), h('div.k', label('receipt_states', 'acknowledged'))),
        h('div.stat', { class: (b.pending || []).length ? 'alert' : '' }, h('div.v', String(b.pending.length)), h('div.k', label('receipt_states', 'pending')))),
      remind,
      b.pending.length ? [h('h2.section-title', t('bulletins.pending_list')), h('div.list', b.pending.map(receiptRow))] : null,
      (b.acknowledged || []).length ? [h('h2.section-title', t('bulletins.acked_list')), h('div.list', b.acknowledged.map(receiptRow))] : null,
    ] : null);
  if (!queued || !b.receipt || b.receipt.state === 'acknowledged') return null;
  // The acknowledgement on its way: redraw once the outbox has delivered it.
  const again = () => { if (isCurrent()) navigate(`/bulletins/${id}`, { replace: true }); };
  const onChange = (ev) => { if (ev.detail && ev.detail.delivered === b.id) again(); };
  outboxEvents.addEventListener('change', onChange);
  if (!(await ackQueued(id))) again(); // delivered while this screen was being drawn
  return () => outboxEvents.removeEventListener('change', onChange);
}

function targetText(target) {
  if (!target) return '';
  const parts = [];
  if ((target.industries || []).length) parts.push(target.industries.map((v) => label('industries', v)).join('、'));
  if ((target.risk_levels || []).length) parts.push(target.risk_levels.map((v) => label('risk_levels', v)).join('、'));
  if ((target.community_ids || []).length) parts.push(t('bulletins.n_communities', { n: target.community_ids.length }));
  return parts.join(' · ');
}
