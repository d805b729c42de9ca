// The outbox (待同步): every record and photo made on the phone is stored here with its client
// id and sent oldest first. Modelled on Workbox's Queue. Runs in the page and in the service
// worker (Background Sync), so nothing here touches the DOM.
//
// An item leaves the outbox only when the server answers 2xx JSON carrying the record's id.
//   network error, timeout, 5xx, 429, HTML (captive portal)  -> kept, backoff, the round stops
//   401 or a CSRF 403 (errors['X-CSRF-Token'])                -> kept ('auth'), re-login asked
//   409 on a create                                           -> 'conflict': the server holds
//       this id with a different body (the same body answers 200), so the phone's copy is kept
//       and the difference shown; the user keeps it under a new id or discards it
//   409 on an update/transition/photo                         -> the record is fetched: if the
//       server already has our change (a transition: an event bearing the id we sent; a photo:
//       the photo's id; an update: the fields we set), the item is delivered; otherwise
//       'conflict', shown ('attention' when the 409 names a reason other than the version:
//       a step refused, e.g. for an incomplete governance plan)
//   400/403/404/413/415/422                                   -> kept ('attention'), error shown
// Items that depend on a record stuck in 'attention'/'conflict' (a photo of a hazard that was
// refused) wait behind it; unrelated items go on. Nothing is ever dropped without the user.
// A `public` item (a 举报 made without logging in) belongs to nobody: it is sent whoever is
// signed in on the phone, or nobody; `keep_answer` keeps the server's answer in the meta store
// (`answer:<record id>`) for the page to read, even when the service worker delivered it.
import { db, getMeta, setMeta, isQuotaError } from './db.js';

export const SYNC_TAG = 'anxun-outbox';
const LOCK = 'anxun-outbox-sync';
const channel = typeof BroadcastChannel !== 'undefined' ? new BroadcastChannel('anxun-outbox') : null;
export const outboxEvents = new EventTarget();

// The item on its way now (this page's round or another's, told over the channel).
let onItsWay = null;
function follow(detail) {
  if (detail.sending != null) onItsWay = detail.sending;
  else if (detail.syncing === false || detail.delivered || detail.refused) onItsWay = null;
}
/** The seq of the item being sent now, or null (the outbox screen shows it as 正在发送). */
export const sendingNow = () => onItsWay;

function notify(detail = {}) {
  follow(detail);
  outboxEvents.dispatchEvent(new CustomEvent('change', { detail }));
  try { channel?.postMessage({ type: 'change', ...detail }); } catch { /* closed */ }
}
channel?.addEventListener('message', (ev) => {
  if (ev.data?.type !== 'change') return;
  follow(ev.data);
  outboxEvents.dispatchEvent(new CustomEvent('change', { detail: { ...ev.data, remote: true } }));
});

export class QuotaError extends Error {
  constructor(cause) { super('quota'); this.name = 'QuotaError'; this.cause = cause; }
}

export const uuid = () => (crypto.randomUUID ? crypto.randomUUID() : fallbackUuid());
function fallbackUuid() {
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6] & 0x0f) | 0x40; b[8] = (b[8] & 0x3f) | 0x80;
  const h = [...b].map((x) => x.toString(16).padStart(2, '0')).join('');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/**
 * Add a request to the outbox. `item`: {record_id, type: create|update|transition|photo,
 * method, url, body?, photo?: {blob, filename, fields}, deps?: [record ids], check?, label}.
 * Throws QuotaError when the phone's storage is full.
 */
export async function enqueue(item) {
  const user = await getMeta('user');
  const full = {
    deps: [], check: null, body: null, photo: null, chain: null,
    ...item,
    user_id: item.public ? null : user?.id ?? null,
    created_at: new Date().toISOString(),
    attempts: 0,
    next_at: 0,
    status: 'pending',
    error: null,
  };
  try {
    const d = await db();
    full.seq = await d.add('outbox', full);
  } catch (err) {
    if (isQuotaError(err)) throw new QuotaError(err);
    throw err;
  }
  notify({ queued: full.seq });
  return full;
}

export async function all() {
  return (await db()).getAll('outbox');
}

export async function remove(seq) {
  await (await db()).delete('outbox', seq);
  notify({ removed: seq });
}

/** Put an item back in line (after re-login, or when the user asks to try again). */
export async function retry(seq) {
  const d = await db();
  const item = await d.get('outbox', seq);
  if (!item) return;
  Object.assign(item, { status: 'pending', next_at: 0, error: null });
  await d.put('outbox', item);
  notify({});
}

const plainObject = (v) => v != null && typeof v === 'object' && Object.getPrototypeOf(v) === Object.prototype;

/** A copy of `value` with every string mentioning `from` (a record id, in ids and URLs) naming `to`. */
function renameId(value, from, to) {
  if (typeof value === 'string') return value.includes(from) ? value.split(from).join(to) : value;
  if (Array.isArray(value)) return value.map((v) => renameId(v, from, to));
  if (plainObject(value)) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, renameId(v, from, to)]));
  return value; // Blobs, numbers, ...
}

const mentions = (item, id) => item.record_id === id || (item.deps || []).includes(id) || item.chain === id ||
  JSON.stringify({ url: item.url, body: item.body, fields: item.photo?.fields }).includes(id);

/** How many later items were made on top of this one (its photos, the hazards of an inspection). */
export async function dependents(seq) {
  const items = await all();
  const item = items.find((i) => i.seq === seq);
  if (!item) return 0;
  return items.filter((i) => i.seq > seq && mentions(i, item.record_id)).length;
}

/**
 * A create refused with 409 (the server holds its id with another body): keep the phone's copy as
 * a new record under a new id. The items made on top of it, and the inspection in progress on
 * this phone, follow the new id. Returns the new id.
 */
export async function resendAsNew(seq) {
  const d = await db();
  const item = await d.get('outbox', seq);
  if (!item || item.type !== 'create') return null;
  const from = item.record_id;
  const to = uuid();
  const tx = d.transaction('outbox', 'readwrite');
  let cursor = await tx.store.openCursor();
  while (cursor) {
    const next = cursor.value;
    if (next.seq === seq) {
      await cursor.update({ ...renameId(next, from, to), status: 'pending', attempts: 0, next_at: 0, error: null });
    } else if (next.seq > seq && mentions(next, from)) {
      await cursor.update(renameId(next, from, to)); // a photo's Blob is carried over as it is
    }
    cursor = await cursor.continue();
  }
  await tx.done;
  const current = await getMeta('current_inspection');
  if (current && JSON.stringify(current).includes(from)) await setMeta('current_inspection', renameId(current, from, to));
  notify({ renamed: { from, to } });
  return to;
}

export async function summary() {
  const items = await all();
  const by = { pending: 0, attention: 0, conflict: 0, auth: 0 };
  for (const i of items) by[i.status] = (by[i.status] || 0) + 1;
  return {
    count: items.length,
    ...by,
    lastSync: await getMeta('last_sync'),
    lastError: await getMeta('last_sync_error'),
    nextAt: items.filter((i) => i.status === 'pending').reduce((m, i) => Math.min(m, i.next_at || 0), Infinity),
  };
}

/** Delay before the next try: 2 s · 2^attempts, at most 10 min, with ±20 % jitter. */
export function backoff(attempts, retryAfterS = 0) {
  const base = Math.min(600000, 2000 * 2 ** Math.max(0, attempts - 1));
  const jitter = base * (0.8 + Math.random() * 0.4);
  return Math.max(jitter, retryAfterS * 1000);
}

let running = null;

/**
 * One round: send what can be sent, oldest first. `force` (the user pressed 立即同步) ignores
 * backoff and retries items that needed attention; `now` (the network is back) ignores backoff
 * only. Returns {sent, stopped, reason}.
 */
export function sync({ force = false, now = false } = {}) {
  // A round under way (perhaps waiting out a stalled request) is followed by the one asked for.
  if (running) return force || now ? running.then(() => sync({ force, now })) : running;
  const run = async () => {
    if (typeof navigator !== 'undefined' && navigator.locks) {
      return navigator.locks.request(LOCK, { ifAvailable: true }, (lock) => (lock ? round(force, now) : { sent: 0, busy: true }));
    }
    return round(force, now);
  };
  running = run().finally(() => { running = null; });
  return running;
}

async function round(force, now = false) {
  const d = await db();
  const user = await getMeta('user');
  const items = (await d.getAll('outbox')).sort((a, b) => a.seq - b.seq);
  const blocked = new Set();
  let sent = 0;
  let stopped = null;
  notify({ syncing: true });
  for (const item of items) {
    if (user && item.user_id && item.user_id !== user.id) continue; // someone else's: not ours to send
    if (!user && !item.public) { stopped = stopped || 'auth'; blocked.add(item.record_id); continue; }
    if (item.status === 'conflict' || (item.status === 'attention' && !force) ||
        (item.deps || []).some((dep) => blocked.has(dep))) {
      blocked.add(item.record_id);
      continue;
    }
    if (!force && !now && item.status === 'pending' && item.next_at > Date.now()) { stopped = 'backoff'; break; }
    notify({ sending: item.seq }); // the outbox screen shows which one is on its way
    const result = await send(item);
    const current = await d.get('outbox', item.seq);
    if (!current) continue; // removed by the user meanwhile
    if (result.outcome === 'delivered') {
      await deliver(d, current, result.data);
      sent++;
      continue;
    }
    current.attempts += 1;
    current.error = result.error || null;
    if (result.outcome === 'retry') {
      current.status = 'pending';
      current.next_at = Date.now() + backoff(current.attempts, result.retryAfter);
      await d.put('outbox', current);
      stopped = 'retry';
      await setMeta('last_sync_error', { at: new Date().toISOString(), ...(result.error || {}) });
      break;
    }
    if (result.outcome === 'auth') {
      current.status = 'auth';
      await d.put('outbox', current);
      stopped = 'auth';
      break;
    }
    current.status = result.outcome; // 'attention' | 'conflict'
    await d.put('outbox', current);
    blocked.add(current.record_id);
    // Saved forms did not wait for this answer: the page tells the user (sync.js).
    notify({ refused: { seq: current.seq, status: current.status, label: current.label || null } });
  }
  if (!stopped) {
    await setMeta('last_sync', new Date().toISOString());
    await setMeta('last_sync_error', null);
  }
  notify({ syncing: false, sent, stopped });
  return { sent, stopped };
}

async function deliver(d, item, data) {
  const tx = d.transaction('outbox', 'readwrite');
  await tx.store.delete(item.seq);
  // Later changes of the same record were made on top of this one: carry the new version.
  if (data && data.version != null) {
    let cursor = await tx.store.openCursor();
    while (cursor) {
      const next = cursor.value;
      if (next.seq > item.seq && next.chain === item.record_id && next.body && 'version' in next.body) {
        next.body = { ...next.body, version: data.version };
        await cursor.update(next);
      }
      cursor = await cursor.continue();
    }
  }
  await tx.done;
  if (item.keep_answer) await setMeta(`answer:${item.record_id}`, data);
  notify({ delivered: item.record_id, type: item.type, data });
}

/** The files an item uploads: its photo, or its form's files ({name, blob, filename}). */
const filesOf = (item) => (item.photo ? [{ name: 'file', ...item.photo }, ...(item.form?.files || [])] : item.form?.files || []);

function timeoutFor(item) {
  const bytes = filesOf(item).reduce((n, f) => n + (f.blob?.size || 0), 0);
  if (!item.photo && !item.form) return 20000;
  // Photos: at least a minute, and enough for 20 KB/s (a poor 3G link).
  return Math.max(60000, Math.ceil(bytes / 20000) * 1000 + 20000);
}

async function fetchWithTimeout(url, init, ms) {
  const ctrl = new AbortController();
  const timer = setTimeout(() => ctrl.abort(), ms);
  try {
    return await fetch(url, { ...init, credentials: 'same-origin', signal: ctrl.signal });
  } finally {
    clearTimeout(timer);
  }
}

async function readJson(res) {
  if (!/json/i.test(res.headers.get('content-type') || '')) return undefined;
  try { return await res.json(); } catch { return undefined; }
}

/** Send one item; never throws. */
export async function send(item) {
  const headers = { Accept: 'application/json', 'X-CSRF-Token': (await getMeta('csrf', '')) || '',
    'Accept-Language': (await getMeta('lang', 'zh-CN')) || 'zh-CN' };
  let body;
  if (item.photo || item.form) {
    // multipart: a photo (`file`), or a form's fields and files (a 举报's `files`)
    body = new FormData();
    for (const [k, v] of Object.entries((item.photo || item.form).fields || {})) if (v != null) body.append(k, v);
    for (const f of filesOf(item)) body.append(f.name, f.blob, f.filename || 'photo.jpg');
  } else if (item.body != null) {
    let payload = item.body;
    if (item.version_from && payload.version == null) {
      // An update of a record whose version this phone never saw (sent by the service
      // worker while the page was closed): read it just before sending.
      try {
        const r = await fetchWithTimeout(item.version_from, { headers: { Accept: 'application/json' } }, 20000);
        const rec = await readJson(r);
        if (!r.ok || !rec) return { outcome: r.status === 401 ? 'auth' : 'retry', error: { status: r.status, kind: 'version' } };
        payload = { ...payload, version: rec.version };
      } catch (err) {
        return { outcome: 'retry', error: { kind: 'network' } };
      }
    }
    headers['Content-Type'] = 'application/json';
    body = JSON.stringify(payload);
  }
  let res;
  try {
    res = await fetchWithTimeout(item.url, { method: item.method, headers, body }, timeoutFor(item));
  } catch (err) {
    return { outcome: 'retry', error: { kind: err.name === 'AbortError' ? 'timeout' : 'network' } };
  }
  const data = await readJson(res);
  const problem = data && typeof data === 'object' ? data : {};
  const error = { status: res.status, detail: problem.detail || problem.title || null, errors: problem.errors || null };
  if (res.ok) {
    if (data && data.id === item.record_id) return { outcome: 'delivered', data };
    // 2xx without our id: a captive portal, a proxy, or not our server. Keep it.
    return { outcome: 'retry', error: { ...error, kind: data === undefined ? 'not-json' : 'bad-answer' } };
  }
  if (data === undefined && res.status !== 401) {
    // An error page that is not ours (proxy, portal, gateway): try again later.
    return { outcome: 'retry', error: { ...error, kind: 'not-json' } };
  }
  if (res.status === 401) return { outcome: 'auth', error };
  if (isCsrfProblem(res.status, problem)) return { outcome: 'auth', error };
  if (res.status === 429 || res.status >= 500) {
    return { outcome: 'retry', error, retryAfter: Number(res.headers.get('Retry-After')) || 0 };
  }
  if (res.status === 409) return item.type === 'create' ? createConflict(item, error) : verify(item, error);
  return { outcome: 'attention', error };
}

/**
 * True for a 403 refusing the CSRF token (expired session token, another login). The server names
 * the header as the field at fault (app/auth/sessions.py), whatever the language of its text.
 */
export function isCsrfProblem(status, problem) {
  if (status !== 403 || !problem || typeof problem !== 'object') return false;
  const errors = plainObject(problem.errors) ? problem.errors : {};
  return Object.keys(errors).some((k) => k.toLowerCase() === 'x-csrf-token');
}

const sameValue = (a, b) => {
  if (a === b) return true;
  if (a == null || b == null) return a == b; // eslint-disable-line eqeqeq
  if (typeof a === 'string' && typeof b === 'string') {
    const ta = Date.parse(a); const tb = Date.parse(b);
    if (!Number.isNaN(ta) && !Number.isNaN(tb) && /\d{4}-\d\d-\d\d/.test(a)) return Math.abs(ta - tb) < 1000;
  }
  if (typeof a === 'object') return JSON.stringify(a) === JSON.stringify(b);
  return false;
};

const blank = (v) => v == null || v === '';

/** Same value for the user: times to the second, numbers to 1e-6, objects by the phone's keys. */
function sameField(phone, server) {
  if (blank(phone) && blank(server)) return true;
  if (typeof phone === 'number' && typeof server === 'number') return Math.abs(phone - server) < 1e-6;
  if (plainObject(phone) && plainObject(server)) {
    return Object.entries(phone).every(([k, v]) => sameField(v, server[k]));
  }
  return sameValue(phone, server);
}

/** The fields of a create body that the server's record of the same id holds otherwise. */
export function differences(body, record) {
  return Object.entries(body || {})
    .filter(([k]) => k !== 'id' && k !== 'version' && record && k in record)
    .filter(([k, v]) => !sameField(v, record[k]))
    .map(([field, phone]) => ({ field, phone, server: record[field] }));
}

/**
 * A 409 on a create: the contract answers the same id with the same body 200, so the server holds
 * a different record under this id. The phone's copy is never taken as delivered: it stays, in
 * 'conflict', with what differs (when the server's record can be read) for the user to decide.
 */
async function createConflict(item, error) {
  let diff = null;
  if (item.check && item.check.url) {
    try {
      const res = await fetchWithTimeout(item.check.url, { headers: { Accept: 'application/json' } }, 20000);
      const data = await readJson(res);
      if (res.ok && data && data.id === item.record_id) diff = differences(item.body, data);
    } catch { /* unreadable now: the conflict stands, the difference stays unknown */ }
  }
  return { outcome: 'conflict', error: { ...error, create: true, diff } };
}

/** After a 409 on an update, transition or photo: does the server already hold this change? */
async function verify(item, error) {
  const check = item.check;
  if (!check) return { outcome: 'conflict', error };
  let res;
  try {
    res = await fetchWithTimeout(check.url, { method: 'GET', headers: { Accept: 'application/json' } }, 20000);
  } catch (err) {
    return { outcome: 'retry', error: { kind: 'network' } };
  }
  const data = await readJson(res);
  if (res.status === 404) return { outcome: 'conflict', error };
  if (!res.ok || data === undefined) return { outcome: 'retry', error: { status: res.status, kind: 'verify' } };
  let held = false;
  let record = data;
  if (check.how === 'photo') {
    // Stored, whether evidence already or still waiting for its step (pending_photos).
    held = [...(data.photos || []), ...(data.pending_photos || [])].some((p) => p.id === item.record_id);
    record = { id: item.record_id };
  } else if (check.how === 'answer') {
    // A checklist answer (PUT, idempotent): held when the item's stored answer is this one.
    const stored = ((data.checklist && data.checklist.items) || []).find((i) => i.code === check.code);
    const mine = item.body || {};
    held = !!stored && !!stored.answer && stored.answer.result === mine.result &&
      (stored.answer.note || null) === (mine.note || null);
  } else if (check.how === 'fields') {
    held = Object.entries(check.fields || {}).every(([k, v]) => sameValue(data[k], v));
  } else if (check.how === 'event') {
    // The transition's own id (sent as the body's `id`) is stored by the server as its event's
    // id: the change is held exactly when the hazard's trail has an event of that id.
    const eventId = check.event_id || (item.body && item.body.id);
    const events = Array.isArray(data) ? data : (data.items || data.events || []);
    held = !!eventId && events.some((e) => e.id === eventId);
    if (held && check.record_url) {
      try {
        const r = await fetchWithTimeout(check.record_url, { headers: { Accept: 'application/json' } }, 20000);
        record = (await readJson(r)) || { id: item.record_id };
      } catch { record = { id: item.record_id }; }
    } else record = { id: item.record_id };
  }
  if (held) return { outcome: 'delivered', data: { ...record, id: item.record_id } };
  // A 409 naming something other than the version (a step refused for a reason, e.g. an
  // incomplete governance plan) is not another change in the way: the user has to act on it.
  const reasons = Object.keys((error && error.errors) || {}).filter((k) => k !== 'version');
  if (reasons.length) return { outcome: 'attention', error };
  return { outcome: 'conflict', error: { ...error, server: data && data.version != null ? { version: data.version, state: data.state } : null } };
}
