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
/** Upload one prepared photo (photos.js) of a hazard; `kind`: finding, rectification, recheck,
 * document (the 证明材料 of an extension request). */
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
 * From a task (检查任务): it names the task, and everyone the task sends takes part (联合检查).
 */
export async function startInspection(enterprise, { kind, location = null, local = {}, task = null, checklist = null }) {
  const record = { id: newId(), enterprise_id: enterprise.id, kind, started_at: new Date().toISOString() };
  if (location) record.location = location;
  if (task) {
    record.task_id = task.id;
    if ((task.inspector_ids || []).length > 1) record.inspector_ids = task.inspector_ids;
    local = { ...local, task: { id: task.id, plan_name: task.plan_name }, team: (task.inspectors || []).map((p) => p.display_name) };
  }
  // 检查表: the version this phone shows is the one the inspection keeps (answered offline).
  if (checklist) Object.assign(record, { checklist_id: checklist.id, checklist_version: checklist.version });
  await queue({
    type: 'create', record_id: record.id, method: 'POST', url: '/api/v1/inspections', body: record,
    check: { url: inspectionUrl(record.id), how: 'exists' },
    label: { key: 'outbox.label.inspection', params: { name: enterprise.name } },
  });
  const current = { ...record, enterprise: { id: enterprise.id, name: enterprise.name, location: enterprise.location },
    hazards: [], version: null, ...local };
  if (checklist) {
    current.checklist = { id: checklist.id, version: checklist.version, name: checklist.name, items: checklist.items };
    current.answers = {};
  }
  await setMeta('current_inspection', current);
  return current;
}

/** Take part in a joint inspection (联合检查) another inspector started and the server has: it
 * becomes the inspection in progress on this phone, so hazards are recorded in it here too. */
export async function joinInspection(insp) {
  const current = {
    id: insp.id, enterprise_id: insp.enterprise_id, kind: insp.kind, started_at: insp.started_at,
    enterprise: { id: insp.enterprise_id, name: insp.enterprise_name },
    hazards: (insp.hazards || []).map((x) => ({ id: x.id, title: x.title, level: x.level, photos: 0, synced: true })),
    version: insp.version, distance_m: insp.distance_m, on_site: insp.on_site, location: insp.location,
    team: insp.inspector_names || [], synced: true, joined: true,
  };
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
  if (detail.delivered === cur.id && detail.type === 'answer') {
    // An answer is synced once no answer of its item waits any more.
    const waiting = (await outbox.all()).filter((i) => i.type === 'answer' && i.record_id === cur.id).map((i) => i.code);
    const answers = Object.fromEntries(Object.entries(cur.answers || {}).map(([code, a]) => [code, { ...a, synced: !waiting.includes(code) }]));
    await setMeta('current_inspection', { ...cur, answers, version: detail.data.version ?? cur.version });
    return;
  }
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

// ------------------------------------------------------------------ checklists (检查表)
/** 得分 of answers {code: {result}}: passed ÷ (answered − not applicable), null before any. */
export function scoreOf(answers) {
  const list = Object.values(answers || {});
  const passed = list.filter((a) => a.result === 'pass').length;
  const judged = list.filter((a) => a.result === 'pass' || a.result === 'fail').length;
  return judged ? passed / judged : null;
}

function answerItem(insp, code, { result, note = null, photoIds = [], hazardId = null, deps = [] }) {
  const id = insp.id;
  const body = { result, checklist_version: insp.checklist.version };
  if (note) body.note = note;
  if (photoIds.length) body.photo_ids = photoIds;
  if (hazardId) body.hazard_id = hazardId;
  return {
    type: 'answer', record_id: id, code, method: 'PUT', url: `${inspectionUrl(id)}/answers/${encodeURIComponent(code)}`, body,
    deps: [id, ...deps],
    check: { url: inspectionUrl(id), how: 'answer', code, result },
    label: { key: 'outbox.label.answer', params: { code, name: insp.enterprise?.name || '' } },
  };
}

async function keepAnswer(insp, code, answer, hazard = null) {
  const cur = await getMeta('current_inspection');
  if (!cur || cur.id !== insp.id) return;
  cur.answers = { ...(cur.answers || {}), [code]: { ...answer, synced: false } };
  if (hazard) cur.hazards.push(hazard);
  await setMeta('current_inspection', cur);
}

/**
 * Answer one checklist item (检查结果) of the inspection in progress: pass, or not applicable
 * with its note. Kept on the phone at once (current_inspection.answers), sent by the outbox as
 * an idempotent PUT: sending it twice answers it once.
 */
export async function answerCheck(insp, code, { result, note = null }) {
  const result$ = await saveItems([answerItem(insp, code, { result, note })], { send: false });
  await keepAnswer(insp, code, { result, note });
  sendSoon();
  return result$;
}

/**
 * A failed item (不符合): the hazard it becomes (`hazard`: the create body, its id chosen by the
 * form, with checklist_item), its finding photos, then the answer naming both. The outbox sends
 * them in that order; the answer waits for its hazard and photos.
 */
export async function failCheck(insp, code, { hazard, photos = [], note }) {
  const photoIds = photos.map((p) => p.id);
  const result = await saveItems([{
    type: 'create', record_id: hazard.id, method: 'POST', url: '/api/v1/hazards', body: hazard, deps: [insp.id],
    check: { url: hazardUrl(hazard.id), how: 'exists' },
    label: { key: 'outbox.label.hazard', params: { title: hazard.title } },
  }, ...photos.map((p, i) => photoItem(p, hazard.id, 'finding', hazard.title, i)),
  answerItem(insp, code, { result: 'fail', note, photoIds, hazardId: hazard.id, deps: [hazard.id, ...photoIds] })], { send: false });
  await keepAnswer(insp, code, { result: 'fail', note, hazard_id: hazard.id, photos: photos.length },
    { id: hazard.id, title: hazard.title, level: hazard.level, photos: photos.length, synced: false, code });
  sendSoon();
  return result;
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

// ------------------------------------------------------------------ deadlines and listing
const extensionUrl = (hazardId, id) => `${hazardUrl(hazardId)}/extensions/${id}`;

/**
 * Ask for a later deadline (申请延期): `id` (newId, chosen by the form), `newDeadline` (a
 * date, YYYY-MM-DD), `reason`, and optionally `photo`, a prepared photo of the document behind
 * it (sent first, as a `document` photo of the hazard).
 */
export async function requestExtension(hz, { id, newDeadline, reason, photo = null }) {
  const body = { id, new_deadline: newDeadline, reason };
  if (photo) body.photo_id = photo.id;
  // Sent as an update of the hazard's deadline: a refusal (a request already pending, the
  // deadline passed) is the user's to read, not an id held with another body.
  return saveItems([...(photo ? [photoItem(photo, hz.id, 'document', hz.title, 0)] : []), {
    type: 'update', record_id: id, method: 'POST', url: `${hazardUrl(hz.id)}/extensions`, body,
    deps: [hz.id, ...(photo ? [photo.id] : [])],
    check: { url: extensionUrl(hz.id, id), how: 'fields', fields: { id } },
    label: { key: 'outbox.label.extension', params: { title: hz.title } },
  }]);
}

/** Decide an extension request: `action` approve or reject (a rejection carries its `note`). */
export async function decideExtension(hz, ext, { action, note = null, actionLabel }) {
  const body = { action, version: ext.version ?? null };
  if (note) body.note = note;
  const state = action === 'approve' ? 'approved' : 'rejected';
  return saveItems([{
    type: 'update', record_id: ext.id, chain: ext.id, method: 'POST',
    url: `${extensionUrl(hz.id, ext.id)}/transitions`, body, deps: [hz.id, ext.id],
    version_from: extensionUrl(hz.id, ext.id),
    check: { url: extensionUrl(hz.id, ext.id), how: 'fields', fields: { state } },
    label: { key: 'outbox.label.transition', params: { action: actionLabel, title: hz.title } },
  }]);
}

/** 挂牌督办 of a major hazard: `listing` {unit, deadline (YYYY-MM-DD), responsible, note?}. */
export async function listHazard(hz, listing) {
  return saveItems([{
    type: 'update', record_id: hz.id, method: 'POST', url: `${hazardUrl(hz.id)}/listing`,
    body: { id: newId(), ...listing }, deps: [hz.id],
    check: { url: hazardUrl(hz.id), how: 'fields', fields: { listed: true } },
    label: { key: 'outbox.label.listing', params: { title: hz.title } },
  }]);
}

/** 摘牌 of a closed hazard, with the assessment of its fix. */
export async function delistHazard(hz, { assessment }) {
  return saveItems([{
    type: 'update', record_id: hz.id, method: 'POST', url: `${hazardUrl(hz.id)}/listing/delist`,
    body: { assessment }, deps: [hz.id],
    check: { url: hazardUrl(hz.id), how: 'fields', fields: { listed: false } },
    label: { key: 'outbox.label.delist', params: { title: hz.title } },
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

/** The tasks whose inspection waits in the outbox (started from them, not yet on the server). */
export async function queuedTaskIds() {
  return new Set((await outbox.all()).filter((i) => i.type === 'create' && i.body && i.body.task_id).map((i) => i.body.task_id));
}

// ------------------------------------------------------------------ plans (检查计划)
// A plan and its draw are the supervisor's desk work, online like the interviews' steps: the
// draw is the server's (the seed recorded there); a refusal is thrown as the ApiError to show.

/** Make a plan (a draft). `body` carries the client id chosen by the form (newId). */
export async function createPlan(body) {
  return (await request('POST', '/api/v1/plans', { json: body })).data;
}

/** Draw the plan (again): `drawId` (newId, chosen by the form) makes a repeated tap one draw;
 * `seed`: the supervisor's, or none (the server picks and records one). */
export async function drawPlan(plan, { drawId, seed = null }) {
  const body = { id: drawId, version: plan.version };
  if (seed) body.seed = seed;
  return (await request('POST', `/api/v1/plans/${plan.id}/draw`, { json: body })).data;
}

/** Cancel a plan before any of its tasks has begun. */
export async function cancelPlan(plan, note = '') {
  const body = { version: plan.version };
  if (note) body.note = note;
  return (await request('POST', `/api/v1/plans/${plan.id}/cancel`, { json: body })).data;
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

// ------------------------------------------------------------------ public reports (举报)
const MY_TIPS = 'my_tips';

/**
 * Send a 举报 without logging in: `text`, up to three prepared photos (photos.js), an optional
 * `location` ({lat, lng, accuracy}) and `contact`, the gate QR code's `token`. It is a public
 * outbox item (sent whoever is signed in, or nobody) and is listed at once among this phone's
 * reports (myTips); the tracking code comes with the server's answer. `id`: chosen by the form.
 */
export async function sendTip({ id, token = null, enterpriseName = null, text, contact = null, location = null, photos = [] }) {
  const fields = { id, text };
  if (token) fields.token = token;
  if (contact) fields.contact = contact;
  if (location) fields.location = JSON.stringify(location);
  const result = await saveItems([{
    type: 'create', record_id: id, method: 'POST', url: '/api/v1/public/tips', public: true, keep_answer: true,
    form: { fields, files: photos.map((p, i) => ({ name: 'files', blob: p.blob, filename: p.filename || `photo-${i + 1}.jpg` })) },
    label: { key: 'outbox.label.tip', params: { name: enterpriseName || text.slice(0, 20) } },
  }], { send: false });
  const mine = (await getMeta(MY_TIPS)) || [];
  mine.unshift({ id, enterprise_name: enterpriseName, text: text.slice(0, 120), created_at: new Date().toISOString() });
  await setMeta(MY_TIPS, mine.slice(0, 50));
  sendSoon();
  return result;
}

/** The reports made on this phone, newest first, each with where it stands: `waiting` (in the
 * outbox), `refused` (the server said no: `error`), or `sent` with its `tracking_code`. */
export async function myTips() {
  const waiting = await outbox.all();
  const out = [];
  for (const tip of (await getMeta(MY_TIPS)) || []) {
    const item = waiting.find((i) => i.record_id === tip.id);
    const answer = item ? null : await getMeta(`answer:${tip.id}`);
    out.push({ ...tip,
      status: item ? (item.status === 'pending' ? 'waiting' : 'refused') : answer ? 'sent' : 'unknown',
      error: item && item.error ? item.error : null, seq: item ? item.seq : null,
      tracking_code: answer ? answer.tracking_code : null });
  }
  return out;
}

/** Forget a report on this phone (and, if the server refused it, its outbox item). */
export async function forgetTip(id) {
  const item = (await outbox.all()).find((i) => i.record_id === id);
  if (item) await outbox.remove(item.seq);
  await setMeta(MY_TIPS, ((await getMeta(MY_TIPS)) || []).filter((x) => x.id !== id));
  await delMeta(`answer:${id}`);
}

/** Triage a tip (accept with `hazard`, decline with `reason`). Online only: the supervisor's
 * desk work; a refusal is thrown as the ApiError to show on the form. */
export async function triageTip(tip, action, fields) {
  return (await request('POST', `/api/v1/tips/${tip.id}/transitions`, { json: { ...fields, action, version: tip.version } })).data;
}

// ------------------------------------------------------------------ bulletins (预警)
/** Publish a bulletin (online: the supervisor's desk work); `file`: a PDF to attach, uploaded
 * first. `body.id` is chosen by the form, so a repeated tap publishes once. */
export async function publishBulletin(body, file = null) {
  let attachmentId = null;
  if (file) {
    const form = new FormData();
    form.append('id', body.attachment_upload_id || newId());
    form.append('file', file, file.name || 'notice.pdf');
    attachmentId = (await request('POST', '/api/v1/bulletins/attachments', { form, timeout: 120000 })).data.id;
  }
  const { attachment_upload_id: _unused, ...json } = body;
  return (await request('POST', '/api/v1/bulletins', { json: { ...json, attachment_id: attachmentId } })).data;
}

/** 签收: the officer acknowledges a bulletin, through the outbox (the server answers the same
 * again, so a retry is harmless). */
export async function acknowledgeBulletin(bulletin) {
  return saveItems([{
    type: 'update', record_id: bulletin.id, method: 'POST', url: `/api/v1/bulletins/${bulletin.id}/ack`, body: {},
    check: { url: `/api/v1/bulletins/${bulletin.id}`, how: 'fields', fields: {} },
    label: { key: 'outbox.label.ack', params: { title: bulletin.title } },
  }]);
}

/** Whether this bulletin's acknowledgement still waits in the outbox. */
export async function ackQueued(bulletinId) {
  return (await outbox.all()).some((i) => i.record_id === bulletinId && /\/ack$/.test(i.url));
}

/** 催签: remind the enterprises that have not acknowledged (online). */
export async function remindBulletin(bulletin) {
  return (await request('POST', `/api/v1/bulletins/${bulletin.id}/remind`, { json: {} })).data;
}
