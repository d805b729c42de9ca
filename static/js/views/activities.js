// Activities (活动) of a campaign: the list (with those recorded on this phone and not sent yet),
// the form that records one offline first — kind, title, day, place, participants, the
// enterprises taking part, for a drill its scenario and what went wrong, photos (a sign-in sheet
// is common) — and an activity's screen, where a supervisor confirms an officer's record.
import { cachedGet, cachedPage, itemsOf } from '../api.js';
import { t, fmtDate, fmtDateTime, shanghaiDay } from '../i18n.js';
import { h, chev, chip, kv, field, input, textarea, select, showProblem, clearProblem, busy, toast, errorBlock, loading, empty, cachedNote, append, setChildren } from '../ui.js';
import { values, label } from '../choices.js';
import { navigate, setTitle, queryParams } from '../router.js';
import { session } from '../session.js';
import { savedMessage } from '../sync.js';
import { outboxEvents } from '../outbox.js';
import { newId, createActivity, queuedActivities, queuedActivity, transitionActivity } from '../commands.js';
import { photoPicker } from '../photos.js';
import { cachedRegistry } from '../registry-cache.js';
import { recordsActivities } from '../components/campaign-banner.js';

/** What an officer records for its own enterprise (the server's OFFICER_KINDS). */
const OFFICER_KINDS = ['training', 'drill'];

const stateChipOf = (a) => (a._pending ? chip(t('sync.pending'), 'pending')
  : chip(label('activity_states', a.state), a.state === 'confirmed' ? 'ok' : a.state === 'pending' ? 'pending' : ''));

function activityItem(a) {
  return h('a.item', { href: `#/activities/${a.id}`, 'data-testid': 'activity-item' },
    h('div.grow',
      h('div.item-title', a.title),
      h('div.item-sub', [a.held_on, a.place, t('activity.people', { n: a.participants })].filter(Boolean).join(' · ')),
      h('div.row.wrap.chips', chip(label('activity_kinds', a.kind), `kind-${a.kind}`), stateChipOf(a),
        a.photo_count ? chip(t('photo.count', { n: a.photo_count })) : null)),
    chev());
}

export async function render({ main, isCurrent }) {
  setTitle(t('activity.list_title'), { back: true });
  const q = queryParams();
  const campaignId = q.get('campaign_id') || '';
  const state = q.get('state') || '';
  const params = new URLSearchParams({ per_page: '100' });
  if (campaignId) params.set('campaign_id', campaignId);
  if (state) params.set('state', state);
  append(main, loading());
  const draw = async () => {
    let list;
    try { list = await cachedPage(`/api/v1/activities?${params}`); } catch (err) {
      // Offline with no copy of this list: what this phone recorded is still shown.
      if (!err.offline) { setChildren(main, errorBlock(err, draw)); return; }
      list = { items: [], cachedAt: null, offline: true };
    }
    if (!isCurrent()) return;
    const pend = state ? [] : (await queuedActivities()).filter((a) => !campaignId || a.campaign_id === campaignId);
    const items = [...pend, ...list.items.filter((a) => !pend.some((p) => p.id === a.id))];
    setChildren(main, cachedNote(list.cachedAt),
      list.offline ? h('p.small.muted.offline-note', t('activity.offline_list')) : null,
      recordsActivities() ? h('div.actions', h('a.btn.block', { href: `#/activities/new${campaignId ? `?campaign_id=${campaignId}` : ''}` },
        t(session.user.role === 'officer' ? 'activity.record_own' : 'activity.record'))) : null,
      state ? h('p.small.muted', t('activity.only_state', { state: label('activity_states', state) })) : null,
      items.length ? h('div.list', items.map(activityItem)) : h('div.card', empty(t('activity.none'), 'list')));
  };
  await draw();
  const onChange = () => setTimeout(draw, 50);
  outboxEvents.addEventListener('change', onChange);
  return () => outboxEvents.removeEventListener('change', onChange);
}

/** The campaign the form records for: the one named in the route, else the current one
 * (each from the network, else this phone's copy). */
async function campaignFor(campaignId) {
  if (campaignId) {
    const hit = await cachedGet(`/api/v1/campaigns/${campaignId}`).catch(() => null);
    if (hit) return hit.data;
  }
  const current = await cachedGet('/api/v1/campaigns/current').catch(() => null);
  const c = current && current.data && current.data.campaign;
  return c && (!campaignId || c.id === campaignId) ? c : null;
}

/** Checkboxes of the enterprises of a community taking part (from the registry on the phone). */
function enterpriseChecks(enterprises) {
  const labelId = `ents-${Math.random().toString(36).slice(2, 7)}`;
  const group = h('div.checks', { role: 'group', 'aria-labelledby': labelId });
  const el = h('div.field', { dataset: { field: 'enterprise_ids' } }, h('span.label', { id: labelId }, t('activity.f_enterprises')), group);
  const fill = (items) => setChildren(group, items.length ? items.map((e) => h('label', h('input', { type: 'checkbox', name: 'enterprise_ids', value: e.id }), h('span', e.name)))
    : h('p.small.muted', t('activity.no_registry')));
  fill(enterprises);
  return { el, fill, value: () => [...group.querySelectorAll('input:checked')].map((x) => x.value) };
}

/** 登记活动: everything is queued in the outbox, so it works with no signal. */
export async function renderForm({ main, isCurrent }) {
  const role = session.user.role;
  const officer = role === 'officer';
  setTitle(t(officer ? 'activity.record_own' : 'activity.record'), { back: true });
  if (!recordsActivities()) { append(main, errorBlock({ status: 404 })); return null; }
  append(main, loading());
  const q = queryParams();
  const campaign = await campaignFor(q.get('campaign_id'));
  const communities = await cachedGet('/api/v1/communities').then((r) => itemsOf(r.data)).catch(() => []);
  const registry = officer ? [] : (await cachedRegistry()).items;
  if (!isCurrent()) return null;
  const activityId = newId(); // chosen once: saving twice never makes a second activity

  const today = shanghaiDay();
  const last = campaign && campaign.ends_on < today ? campaign.ends_on : today;
  const kinds = values('activity_kinds').filter((k) => !officer || OFFICER_KINDS.includes(k));
  const kind = select('kind', kinds.map((k) => [k, label('activity_kinds', k)]), { value: kinds.includes(q.get('kind')) ? q.get('kind') : kinds[0] });
  const title = input('title', { maxlength: 200, autocomplete: 'off' });
  const heldOn = input('held_on', { type: 'date', value: campaign && campaign.starts_on > last ? campaign.starts_on : last, max: last, min: campaign ? campaign.starts_on : null });
  const place = input('place', { maxlength: 200 });
  const participants = input('participants', { type: 'number', inputmode: 'numeric', min: 0, step: 1 });
  const community = select('community_id', communities.map((c) => [c.id, c.name]), { value: communities[0]?.id });
  const ents = enterpriseChecks([]);
  const refill = () => ents.fill(registry.filter((e) => e.community_id === community.value).sort((a, b) => a.name.localeCompare(b.name, 'zh')));
  community.addEventListener('change', refill);
  refill();
  const scenario = textarea('scenario', { rows: 3, placeholder: t('activity.scenario_placeholder') });
  const problems = textarea('problems', { rows: 3, placeholder: t('activity.problems_placeholder') });
  const drillBox = h('div', field(t('activity.f_scenario'), scenario, { required: true }), field(t('activity.f_problems'), problems));
  const showDrill = () => { drillBox.hidden = kind.value !== 'drill'; };
  kind.addEventListener('change', showDrill);
  showDrill();
  const note = textarea('note', { rows: 3 });
  const picker = photoPicker({ name: 'photos' });
  const btn = h('button.btn.block', { type: 'submit' }, t('activity.save'));
  const form = h('form.has-footer', { novalidate: true },
    campaign ? h('p.small.muted.form-subject', { 'data-testid': 'activity-campaign' }, t('activity.for_campaign', { name: campaign.name })) : h('p.small.muted.form-subject', t('activity.no_campaign')),
    h('div.card',
      field(t('activity.f_kind'), kind, { required: true }),
      field(t('activity.f_title'), title, { required: true }),
      field(t('activity.f_held_on'), heldOn, { required: true }),
      field(t('activity.f_place'), place, { required: true }),
      field(t('activity.f_participants'), participants, { required: true }),
      drillBox),
    h('div.card',
      officer ? h('p.small', t('activity.own_enterprise')) : [
        communities.length > 1 ? field(t('activity.f_community'), community, { required: true }) : null,
        ents.el],
      field(t('activity.f_note'), note)),
    h('div.card', h('span.label.photos-label', t('activity.f_photos')), picker.el, h('p.hint', t('activity.photos_hint'))),
    h('div.form-footer', btn));
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    clearProblem(form);
    const errors = {};
    const n = Number(participants.value);
    if (!title.value.trim()) errors.title = [t('common.required')];
    if (!place.value.trim()) errors.place = [t('common.required')];
    if (!heldOn.value) errors.held_on = [t('common.required')];
    else if (heldOn.value > today) errors.held_on = [t('activity.future')];
    else if (campaign && (heldOn.value < campaign.starts_on || heldOn.value > campaign.ends_on)) errors.held_on = [t('activity.outside', { from: campaign.starts_on, to: campaign.ends_on })];
    if (participants.value === '' || !Number.isInteger(n) || n < 0) errors.participants = [t('activity.participants_bad')];
    if (kind.value === 'drill' && !scenario.value.trim()) errors.scenario = [t('common.required')];
    if (!community.value) errors.community_id = [t('common.required')];
    if (Object.keys(errors).length) return showProblem(form, { problem: { detail: t('common.fix_fields'), errors } });
    busy(btn, async () => {
      const photos = await picker.ready();
      const body = {
        id: activityId, community_id: community.value, kind: kind.value, title: title.value.trim(),
        held_on: heldOn.value, place: place.value.trim(), participants: n,
        enterprise_ids: officer ? [session.user.enterprise_id] : ents.value(),
      };
      if (campaign) body.campaign_id = campaign.id;
      if (note.value.trim()) body.note = note.value.trim();
      if (kind.value === 'drill') {
        body.scenario = scenario.value.trim();
        if (problems.value.trim()) body.problems = problems.value.trim();
      }
      let result;
      try { result = await createActivity(body, photos); } catch { return; } // quota: banner shown
      toast(savedMessage(result, t('activity.saved_syncing')));
      navigate(`/activities${campaign ? `?campaign_id=${campaign.id}` : ''}`, { replace: true });
    });
  });
  setChildren(main, form);
  return null;
}

export async function renderDetail({ params, main, isCurrent }) {
  const id = params[0];
  setTitle(t('activity.title'), { back: true });
  append(main, loading());
  const draw = async () => {
    let a = await queuedActivity(id);
    let cachedAt = null;
    if (!a) {
      try { ({ data: a, cachedAt } = await cachedGet(`/api/v1/activities/${id}`)); } catch (err) {
        setChildren(main, errorBlock(err, draw));
        return;
      }
    }
    if (!isCurrent()) return;
    const actions = (a.allowed_actions || []).filter((x) => x === 'confirm' || x === 'return');
    const reason = textarea('note', { rows: 2, placeholder: t('activity.return_placeholder') });
    const act = (action) => async (ev) => {
      if (action === 'return' && !reason.value.trim()) { toast(t('activity.return_needs_note'), { error: true }); reason.focus(); return; }
      await busy(ev.currentTarget, async () => {
        try {
          await transitionActivity(a, action, action === 'return' ? reason.value.trim() : null);
          toast(t(`activity.${action}ed`));
          await draw();
        } catch (err) { toast(err.offline ? t('common.offline_action') : err.message, { error: true, ms: 8000 }); }
      });
    };
    const names = (a.enterprises || []).map((e) => e.name).join('、');
    setChildren(main, cachedNote(cachedAt),
      h('div.card',
        h('div.row.wrap.chips', chip(label('activity_kinds', a.kind), `kind-${a.kind}`), stateChipOf(a)),
        h('h2.record-name', a.title),
        kv([
          [t('activity.f_held_on'), a.held_on ? fmtDate(`${a.held_on}T12:00:00+08:00`) : null],
          [t('activity.f_place'), a.place],
          [t('activity.f_participants'), a.participants != null ? t('activity.people', { n: a.participants }) : null],
          [t('activity.f_community'), a.community_name],
          [t('activity.f_enterprises'), names],
          [t('activity.f_scenario'), a.scenario],
          [t('activity.f_problems'), a.problems],
          [t('activity.f_note'), a.note],
          [t('activity.recorder'), a.recorder?.display_name],
        ])),
      a._pending ? h('div.card.muted.small', { 'data-testid': 'activity-pending' }, t('activity.pending_sync', { n: a.photo_count || 0 })) : null,
      (a.photos || []).length ? h('div.card', h('h3.mb-10', t('activity.f_photos')),
        h('div.thumbs', a.photos.map((p, i) => h('a.thumb', { href: p.urls.full, target: '_blank', rel: 'noopener' },
          h('img', { src: p.urls.thumb, alt: t('photo.nth', { n: i + 1 }), loading: 'lazy' }))))) : null,
      actions.length ? h('div.card', h('h3.mb-10', t('activity.review')),
        actions.includes('return') ? field(t('activity.return_reason'), reason) : null,
        h('div.actions.two', actions.map((x) => h(`button.btn${x === 'return' ? '.secondary' : ''}`, { type: 'button', 'data-action': x, onclick: act(x) },
          label('activity_actions', x))))) : null,
      (a.events || []).length ? h('div.card', h('h3.mb-10', t('activity.trail')),
        h('ul.timeline', a.events.map((e) => h('li',
          h('div.t-head', label('activity_actions', e.action)),
          h('div.t-meta', [fmtDateTime(e.at), e.actor?.display_name].filter(Boolean).join(' · ')),
          e.note ? h('div.t-note', e.note) : null)))) : null);
  };
  await draw();
  const onChange = (ev) => { if (ev.detail && ev.detail.delivered === id) setTimeout(draw, 50); };
  outboxEvents.addEventListener('change', onChange);
  return () => outboxEvents.removeEventListener('change', onChange);
}
