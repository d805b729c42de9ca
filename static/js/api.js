// The API client: JSON in and out, CSRF header on unsafe requests, problem+json errors,
// timeouts, and read-through caching of GET answers in IndexedDB for offline read views.
import { cacheGet, cachePut, getMeta, setMeta } from './db.js';
import { currentLang } from './i18n.js';
import { isCsrfProblem } from './outbox.js';

export const bus = new EventTarget();
export const emit = (type, detail) => bus.dispatchEvent(new CustomEvent(type, { detail }));

let csrfToken = null;
export async function csrf() {
  if (csrfToken === null) csrfToken = await getMeta('csrf', '');
  return csrfToken;
}
export async function setCsrf(token) {
  csrfToken = token || '';
  await setMeta('csrf', csrfToken);
}

export class ApiError extends Error {
  constructor(status, problem, { offline = false } = {}) {
    super((problem && (problem.detail || problem.title)) || (offline ? 'offline' : `HTTP ${status}`));
    this.status = status;
    this.problem = problem || {};
    this.offline = offline;
    this.errors = (problem && problem.errors) || {};
  }
}

const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

// A 403 refusing the CSRF token, told by errors['X-CSRF-Token'] (not by the text, which is Chinese
// by default); shared with the outbox, which also runs in the service worker.
export { isCsrfProblem };

function isJson(res) {
  return /json/i.test(res.headers.get('content-type') || '');
}

export async function request(method, url, { json, form, timeout = 20000, headers = {} } = {}) {
  const ctrl = new AbortController();
  const timer = setTimeout(() => ctrl.abort(), timeout);
  const h = { Accept: 'application/json', 'Accept-Language': currentLang(), ...headers };
  let body;
  if (json !== undefined) { h['Content-Type'] = 'application/json'; body = JSON.stringify(json); }
  if (form) body = form;
  if (UNSAFE.has(method)) h['X-CSRF-Token'] = await csrf();
  let res;
  try {
    res = await fetch(url, { method, headers: h, body, credentials: 'same-origin', signal: ctrl.signal });
  } catch (err) {
    throw new ApiError(0, { detail: err.name === 'AbortError' ? 'timeout' : 'network' }, { offline: true });
  } finally {
    clearTimeout(timer);
  }
  let data = null;
  if (isJson(res)) {
    try { data = await res.json(); } catch { data = null; }
  } else if (res.ok && res.status !== 204) {
    // A 2xx that is not JSON: a captive portal's login page, not our server.
    throw new ApiError(res.status, { detail: 'not-json' }, { offline: true });
  }
  if (!res.ok) {
    if (res.status === 401 || isCsrfProblem(res.status, data)) emit('auth-required', { status: res.status });
    if (res.status >= 500 || (!data && res.status >= 400 && res.status !== 404)) {
      throw new ApiError(res.status, data, { offline: res.status >= 502 && !data });
    }
    throw new ApiError(res.status, data);
  }
  const pagination = res.headers.get('X-Pagination');
  return { data, pagination: pagination ? safeJson(pagination) : null };
}

function safeJson(text) { try { return JSON.parse(text); } catch { return null; } }

export const api = {
  get: async (url, opts) => (await request('GET', url, opts)).data,
  post: async (url, json, opts) => (await request('POST', url, { ...opts, json })).data,
  patch: async (url, json, opts) => (await request('PATCH', url, { ...opts, json })).data,
};

/** The items of a list answer, whatever its shape: a bare list or {items|data|results:[...]}. */
export function itemsOf(data) {
  if (Array.isArray(data)) return data;
  if (data && typeof data === 'object') {
    for (const k of ['items', 'data', 'results', 'hazards', 'enterprises', 'interviews', 'notifications']) {
      if (Array.isArray(data[k])) return data[k];
    }
  }
  return [];
}

/** Network first; on failure the last stored answer. Returns {data, cachedAt|null}. */
export async function cachedGet(url, { timeout = 12000 } = {}) {
  try {
    const { data } = await request('GET', url, { timeout });
    cachePut(url, data).catch(() => {});
    return { data, cachedAt: null };
  } catch (err) {
    if (err.offline || err.status >= 500) {
      const hit = await cacheGet(url).catch(() => null);
      if (hit) return { data: hit.data, cachedAt: hit.at };
    }
    throw err;
  }
}

/** One page of a list, network first; offline the stored copy. Returns {items, pagination,
 * cachedAt|null} (pagination: X-Pagination, or the answer's own {total, pages, …}). */
export async function cachedPage(url, { timeout = 15000 } = {}) {
  try {
    const { data, pagination } = await request('GET', url, { timeout });
    cachePut(url, { data, pagination }).catch(() => {});
    return { items: itemsOf(data), pagination: pagination || (data && !Array.isArray(data) ? data : null), cachedAt: null };
  } catch (err) {
    if (err.offline || err.status >= 500) {
      const hit = await cacheGet(url).catch(() => null);
      if (hit) return { items: itemsOf(hit.data.data), pagination: hit.data.pagination, cachedAt: hit.at };
    }
    throw err;
  }
}

/** Every page of a paginated list (flask-smorest X-Pagination or {items,pages}). */
export async function listAll(url, { pageSize = 100, maxPages = 100 } = {}) {
  const sep = url.includes('?') ? '&' : '?';
  const all = [];
  for (let page = 1; page <= maxPages; page++) {
    const { data, pagination } = await request('GET', `${url}${sep}page=${page}&per_page=${pageSize}`, { timeout: 30000 });
    const items = itemsOf(data);
    all.push(...items);
    const meta = pagination || (data && !Array.isArray(data) ? data : {});
    const totalPages = meta.total_pages ?? meta.pages ??
      (meta.total != null && meta.per_page ? Math.ceil(meta.total / meta.per_page) : null);
    if (totalPages != null ? page >= totalPages : items.length < pageSize) break;
  }
  return all;
}
