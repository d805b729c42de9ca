// Commands: every change the phone makes, as the outbox items that carry it. This module alone
// knows the item format (type, record_id, chain, deps, version_from, check, label: outbox.js)
// and the local record of the inspection in progress (current_inspection) that they update;
// views call a command with what the user entered and show its answer.
//
// A command that goes through the outbox answers once its items are on the phone, never
// waiting for the network: {status: 'saved', online} (saveItems, sync.js). The outbox sends
// them in the background; what the server refuses stays there for the user. A command throws
// only when the phone's storage is full (the banner is already shown).
import { request } from './api.js';
import { getMeta, setMeta, delMeta } from './db.js';
import * as outbox from './outbox.js';
import { queue, saveItems, sendSoon } from './sync.js';

/** A new client id: chosen once per form, so a repeated tap or a lost answer makes one record. */
export const newId = () => outbox.uuid();

const hazardUrl = (id) => `/api/v1/hazards/${id}`;
const inspectionUrl = (id) => `/api/v1/inspections/${id}`;

// ------------------------------------------------------------------ the items
/** Upload one prepared photo (photos.js) of a hazard; `kind`: finding, rectification, recheck. */
function photoItem(photo, hazardId, kind, title, i) {
  return {
    type: 'photo', record_id: photo.id, method: 'POST', url: '/api/v1/photos', deps: [hazardId],
    photo: { blob: photo.blob, filename: photo.filename, fields: { id: photo.id, hazard_id: hazardId, kind, sha256: photo.sha256 } },
    check: { url: hazardUrl(hazardId), how: 'photo' },
    label: { key: 'outbox.label.photo', params: { title, n: i + 1 } },
  };
}

// ------------------------------------------------------------------ inspections
/** The inspection in progress on this phone (its local record), or null. */
export async function currentInspection() {
  return getMeta('current_inspection');
}

/**
 * Start an inspection (开始检查) at an enterprise: the check-in with the phone's position
 * (`location`: {lat, lng, accuracy} or null). It becomes the inspection in progress; the create
 * is queued. `local` adds what the screens show before the server answers (distance_local).
 */
export async function startInspection(enterprise, { kind, location = null, local = {} }) {
  const record = { id: newId(), enterprise_id: enterprise.id, kind, started_at: new Date().toISOString() };
  if (location) record.location = location;
  await queue({
    type: 'create', record_id: record.id, method: 'POST', url: '/api/v1/inspections', body: record,
    check: { url: inspectionUrl(record.id), how: 'exists' },
    label: { key: 'outbox.label.inspection', params: { name: enterprise.name } },
  });
  const current = { ...record, enterprise: { id: enterprise.id, name: enterprise.name, location: enterprise.location },
    hazards: [], version: null, ...local };
  await setMeta('current_inspection', current);
  return current;
}

/** Finish the inspection in progress (结束检查) with its summary; no longer in progress after. */
export async function finishInspection(insp, { summary }) {
  const id = insp.id;
  const body = { ended_at: new Date().toISOString(), summary, version: insp.version ?? null };
  // If the inspection's own create is still queued, its answer will carry the version.
  if ((await outbox.all()).some((i) => i.record_id === id && i.type === 'create')) body.version = insp.version ?? 1;
  const result = await saveItems([{
    type: 'update', record_id: id, chain: id, method: 'PATCH', url: inspectionUrl(id), body, deps: [id],
    version_from: inspectionUrl(id),
    check: { url: inspectionUrl(id), how: 'fields', fields: { ended_at: body.ended_at } },
    label: { key: 'outbox.label.finish', params: { name: insp.enterprise?.name || '' } },
  }]);
  await delMeta('current_inspection');
  return result;
}

/** Keep the inspection in progress in step with what the outbox delivers (its version, the
 * server's distance and on-site verdict; which of its hazards, with their photos, have reached
 * the server). */
export async function absorbDelivery(detail) {
  if (!detail || !detail.delivered || !detail.data) return;
  const cur = await getMeta('current_inspection');
  if (!cur) return;
  if (detail.delivered === cur.id && detail.type === 'create') {
    const d = detail.data;
    await setMeta('current_inspection', { ...cur, version: d.version ?? cur.version, distance_m: d.distance_m, on_site: d.on_site, synced: true });
  } else if (cur.hazards.some((x) => !x.synced)) {
    // A hazard is synced once nothing of it waits any more: the record and its photos.
    const waiting = await outbox.all();
    const left = (id) => waiting.some((i) => i.record_id === id || (i.deps || []).includes(id));
    const done = cur.hazards.filter((x) => !x.synced && !left(x.id)).map((x) => x.id);
    if (!done.length) return;
    cur.hazards = cur.hazards.map((x) => (done.includes(x.id) ? { ...x, synced: true } : x));
    await setMeta('current_inspection', cur);
  }
}

// ------------------------------------------------------------------ hazards
/**
 * Record a hazard (登记隐患) found in the inspection in progress, with its photos (findings).
 * `hazard`: the create body, its `id` chosen by the form (newId). The hazard is listed in the
 * inspection in progress as not synced; the outbox's delivery marks it synced (absorbDelivery).
 */
export async function createHazard(insp, hazard, photos = []) {
  const result = await saveItems([{
    type: 'create', record_id: hazard.id, method: 'POST', url: '/api/v1/hazards', body: hazard, deps: [insp.id],
    check: { url: hazardUrl(hazard.id), how: 'exists' },
    label: { key: 'outbox.label.hazard', params: { title: hazard.title } },
  }, ...photos.map((p, i) => photoItem(p, hazard.id, 'finding', hazard.title, i))], { send: false });
  // Listed before anything is sent, so that the delivery finds it.
  const cur = await getMeta('current_inspection');
  if (cur && cur.id === insp.id) {
    cur.hazards.push({ id: hazard.id, title: hazard.title, level: hazard.level, photos: photos.length, synced: false });
    await setMeta('current_inspection', cur);
  }
  sendSoon();
  return result;
}

/** Save a major hazard's governance plan (治理方案): `plan` holds every field (null: empty). */
export async function updateHazardPlan(hz, plan) {
  const id = hz.id;
  return saveItems([{
    type: 'update', record_id: id, chain: id, method: 'PATCH', url: hazardUrl(id),
    body: { governance_plan: plan, version: hz.version ?? null }, deps: [id], version_from: hazardUrl(id),
    check: { url: hazardUrl(id), how: 'fields', fields: { governance_plan: plan } },
    label: { key: 'outbox.label.plan', params: { title: hz.title } },
  }]);
}

/** The kind of photo a step hands in: the officer's show the fix, the reviewer's what the
 * re-check found; null for a step without photos. */
export function stepPhotoKind(action) {
  return { submit: 'rectification', verify: 'recheck', reject: 'recheck' }[action] || null;
}

/**
 * Take a step of the hazard's life (acknowledge, submit, verify, reject, close, archive).
 * `eventId` (newId, chosen by the form) names the step: the server stores it as the event's id,
 * so a replay answers the stored result and the outbox can tell, after a 409, whether the step
 * already happened. `photos`: the rectification photos of a submit, the re-check photos of a
 * verify or reject; `pendingIds`: photos of the step uploaded before (a refused try: the
 * hazard's pending_photos) that it hands in too. `actionLabel`: the step's name in the outbox.
 */
export async function transitionHazard(hz, { eventId, action, note = null, deadline = null, photos = [], pendingIds = [], actionLabel }) {
  const id = hz.id;
  const body = { id: eventId, action, version: hz.version ?? null };
  if (note) body.note = note;
  // The step hands in its new photos and those already on the server for it (pending_photos).
  const photoIds = [...photos.map((p) => p.id), ...pendingIds];
  if (photoIds.length) body.photo_ids = photoIds;
  if (deadline) body.deadline = deadline;
  const kind = stepPhotoKind(action);
  return saveItems([...photos.map((p, i) => photoItem(p, id, kind, hz.title, i)), {
    type: 'transition', record_id: id, chain: id, method: 'POST', url: `${hazardUrl(id)}/transitions`, body,
    deps: [id, ...photos.map((p) => p.id)], version_from: hazardUrl(id),
    check: { url: `${hazardUrl(id)}/events`, how: 'event', event_id: eventId, record_url: hazardUrl(id) },
    label: { key: 'outbox.label.transition', params: { action: actionLabel, title: hz.title } },
  }]);
}

const isHazardCreate = (i) => i.type === 'create' && i.url === '/api/v1/hazards';
const asPendingHazard = (i) => ({ ...i.body, state: 'reported', _pending: true, photos: [] });

/** Hazards made on this phone that the server has not acknowledged yet (`_pending: true`). */
export async function queuedHazards() {
  return (await outbox.all()).filter(isHazardCreate).map(asPendingHazard);
}

/** The queued copy of a hazard made on this phone and not sent yet, or null. */
export async function queuedHazard(id) {
  const item = (await outbox.all()).find((i) => isHazardCreate(i) && i.record_id === id);
  return item ? asPendingHazard(item) : null;
}

/** Whether changes to this record (or made on top of it) still wait in the outbox. */
export async function hasQueuedChanges(recordId) {
  return (await outbox.all()).some((i) => i.record_id === recordId || (i.deps || []).includes(recordId));
}

/** The steps of a hazard's life (submit, verify, …) waiting in the outbox, oldest first. */
export async function queuedSteps(hazardId) {
  return (await outbox.all()).filter((i) => i.type === 'transition' && i.record_id === hazardId && i.body)
    .sort((a, b) => a.seq - b.seq).map((i) => i.body.action);
}

// ------------------------------------------------------------------ interviews
/** Take a step of an interview (约谈): schedule, reschedule, hold, close. Online only: the
 * supervisor's desk work; a refusal is thrown as the ApiError to show on the form. */
export async function transitionInterview(iv, action, fields) {
  return (await request('POST', `/api/v1/interviews/${iv.id}/transitions`, { json: { ...fields, action, version: iv.version } })).data;
}

// ------------------------------------------------------------------ campaigns (安全生产月)
const activityUrl = (id) => `/api/v1/activities/${id}`;

/** Upload one prepared photo (photos.js) of an activity (its sign-in sheet, the drill). */
function activityPhotoItem(photo, activityId, title, i) {
  return {
    type: 'photo', record_id: photo.id, method: 'POST', url: '/api/v1/photos', deps: [activityId],
    photo: { blob: photo.blob, filename: photo.filename, fields: { id: photo.id, activity_id: activityId, kind: 'activity', sha256: photo.sha256 } },
    check: { url: activityUrl(activityId), how: 'photo' },
    label: { key: 'outbox.label.photo', params: { title, n: i + 1 } },
  };
}

/**
 * Record an activity (登记活动: training, a drill, publicity…) with its photos. `activity`: the
 * create body, its `id` chosen by the form (newId). Offline first: answers once the items are
 * on the phone; the activity lists show it as 待同步 until the outbox has delivered it.
 */
export async function createActivity(activity, photos = []) {
  return saveItems([{
    type: 'create', record_id: activity.id, method: 'POST', url: '/api/v1/activities', body: activity,
    check: { url: activityUrl(activity.id), how: 'exists' },
    label: { key: 'outbox.label.activity', params: { title: activity.title } },
  }, ...photos.map((p, i) => activityPhotoItem(p, activity.id, activity.title, i))]);
}

const isActivityCreate = (i) => i.type === 'create' && i.url === '/api/v1/activities';
const asPendingActivity = (items) => (i) => ({
  ...i.body, state: null, _pending: true, enterprises: [], photos: [],
  photo_count: items.filter((p) => p.type === 'photo' && (p.deps || []).includes(i.record_id)).length,
});

/** Activities made on this phone that the server has not acknowledged yet (`_pending: true`). */
export async function queuedActivities() {
  const items = await outbox.all();
  return items.filter(isActivityCreate).map(asPendingActivity(items));
}

/** The queued copy of an activity made on this phone and not sent yet, or null. */
export async function queuedActivity(id) {
  const items = await outbox.all();
  const item = items.find((i) => isActivityCreate(i) && i.record_id === id);
  return item ? asPendingActivity(items)(item) : null;
}

/** 确认 or 退回 an officer's activity. Online only (a supervisor's desk work); a refusal is
 * thrown as the ApiError to show on the screen. */
export async function transitionActivity(activity, action, note = null) {
  const json = { action, version: activity.version };
  if (note) json.note = note;
  return (await request('POST', `${activityUrl(activity.id)}/transitions`, { json })).data;
}

/** 设立专项活动 (supervisors). Online only. */
export async function createCampaign(body) {
  return (await request('POST', '/api/v1/campaigns', { json: body })).data;
}

/** 报送 a community's summary of a campaign: frozen once made. Online only. */
export async function submitSummary(campaignId, communityId, note = null) {
  const json = { community_id: communityId };
  if (note) json.note = note;
  return (await request('POST', `/api/v1/campaigns/${campaignId}/submissions`, { json })).data;
}
